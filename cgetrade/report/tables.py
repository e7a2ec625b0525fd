"""Tables printed by the command line, from results datasets: headline, welfare
decomposition, manufacturing (reshoring lens), jobs by labour type and by sector, SSA
summaries. Each builds a pandas DataFrame from the labelled results and renders it with
tabulate (``fmt``: any tabulate format; "simple" on screen, "pipe" for Markdown), so a table
is data first and text second.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from tabulate import tabulate

_NUMBER = re.compile(r"^[+-]?[\d,]*\.?\d+( \[.*\])?$")


def render(df: pd.DataFrame, title: str = "", fmt: str = "simple", index: bool = True) -> str:
    """``df`` (cells already formatted as text) under ``title``; numeric cells right-aligned."""
    def numeric(col) -> bool:
        return all(_NUMBER.match(str(v)) for v in col)
    align = (("left",) if index else ()) + tuple("right" if numeric(df[c]) else "left" for c in df.columns)
    body = tabulate(df, headers="keys", tablefmt=fmt, showindex=index, disable_numparse=True,
                    colalign=align)
    return f"{title}\n{body}" if title else body


def number(x: float, spec: str = "+.3f") -> str:
    """``x`` with ``spec``; a value that rounds to zero prints without a minus sign, a value
    that is not finite as n/a."""
    if not np.isfinite(float(x)):
        return "n/a"
    text = format(float(x), spec)
    return format(0.0, spec) if float(text.replace(",", "")) == 0 else text


def summary_frame(res, regions) -> tuple[str, pd.DataFrame]:
    """(title, table) of the headline: prices with their deflator, real GDP, EV, factor
    prices, trade volumes and the change of employment. In a real run the real exchange rate
    (CPI relative to the world CPI) and the CPI relative to the numeraire; in a monetary run
    the local-currency CPI under the stated anchor and closure."""
    from ..results import headline_deflator
    deflator, monetary = headline_deflator(res)
    pct = lambda v, r: float(res[f"{v}_pct"].sel(region=r))  # noqa: E731
    first = ("cpi_local", "CPI loc. %") if monetary else ("real_exchange_rate", "RER %")
    second = ("exchange_rate", "e %") if monetary else ("cpi", "CPI/P_W %")
    persons = res.attrs.get("persons_unit", "thousand persons")
    ex, im = res["exports"].sum("commodity"), res["imports"].sum("commodity")
    rows = {}
    for r in regions:
        rows[r] = {first[1]: pct(first[0], r), second[1]: pct(second[0], r),
                   "real GDP %": pct("real_gdp", r),
                   "EV % inc": float(res["ev_pct_income"].sel(case="scenario", region=r)),
                   "wage %": pct("wage_local", r), "rental %": pct("rental_rate", r),
                   "exports %": 100 * float(ex.sel(case="scenario", region=r) / ex.sel(case="baseline", region=r) - 1),
                   "imports %": 100 * float(im.sel(case="scenario", region=r) / im.sel(case="baseline", region=r) - 1)}
        rows[r] = {k: number(v) for k, v in rows[r].items()}
        rows[r]["jobs chg"] = number(res["employment_change"].sel(region=r).sum(), "+.1f")
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "region"
    return f"prices: {deflator}; jobs: change of employment, {persons}", df


def summary_table(res, regions, fmt: str = "simple") -> str:
    """The headline table as text (see :func:`summary_frame`)."""
    title, df = summary_frame(res, regions)
    return render(df, title, fmt)


def welfare_table(res, regions, fmt: str = "simple") -> str:
    """EV and its decomposition by region, in the file's money unit, with the integration
    error of the decomposition."""
    from ..welfare import COMPONENTS
    unit = res["ev"].attrs.get("units", "money units of the data")
    rows = {r: {"EV": number(res["ev"].sel(case="scenario", region=r), ",.1f"),
                **{c: number(res["ev_" + c].sel(region=r), ",.1f") for c in COMPONENTS},
                "integr. error": number(res["ev_integration_error"].sel(region=r), ".3f")}
            for r in regions}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "region"
    return render(df, f"equivalent variation and its decomposition, {unit}", fmt)


def manufacturing_table(res, manufacturing, regions, source="CHN", fmt: str = "simple") -> str:
    """Reshoring lens: domestic share of manufacturing absorption, manufacturing jobs and
    imports from ``source`` by sector."""
    dom, imp = res["domestic_use"].sel(commodity=manufacturing), res["imported_use"].sel(commodity=manufacturing)
    share = dom.sum("commodity") / (dom + imp).sum("commodity")
    jobs = res["employment"].sel(sector=manufacturing).sum("sector")
    rows = {}
    for r in regions:
        if r == source:
            continue
        s0, s1 = float(share.sel(case="baseline", region=r)), float(share.sel(case="scenario", region=r))
        j0, j1 = float(jobs.sel(case="baseline", region=r)), float(jobs.sel(case="scenario", region=r))
        rows[r] = {"dom. share of manuf. absorption": f"{100 * s0:.2f} % -> {100 * s1:.2f} % "
                                                      f"({100 * (s1 - s0):+.2f} pp)",
                   "manuf. jobs chg %": number(100 * (j1 / j0 - 1), "+.2f"),
                   **{f"imp. {i} from {source} %": number(res["bilateral_trade_pct"].sel(
                       commodity=i, source=source, region=r), "+.2f") for i in manufacturing}}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "region"
    return render(df, "", fmt)


def jobs_table(res, manufacturing, regions, fmt: str = "simple") -> str:
    """Persons employed by labour type: manufacturing jobs, all jobs, unemployment, real wage."""
    man = list(manufacturing)                          # may be empty: sums are 0
    rows = []
    for r in regions:
        for h in res.labour.values:
            p = res.persons.sel(labour=h, region=r)
            d = res.persons_change.sel(labour=h, region=r)
            rows.append({"region": r, "labour": str(h),
                         "manuf. jobs": number(p.sel(sector=man, case="baseline").sum(), ".0f"),
                         "change": number(d.sel(sector=man).sum(), "+.1f"),
                         "all jobs": number(p.sum("sector").sel(case="baseline"), ".0f"),
                         "change ": number(d.sum(), "+.1f"),
                         "unempl. ch.": number(res.unemployed_by_skill_change.sel(labour=h, region=r), "+.1f"),
                         "real wage %": number(res.real_wage_by_skill_pct.sel(labour=h, region=r), "+.3f")})
    title = (f"jobs by labour type ({res.attrs.get('persons_unit', 'thousand persons')}; "
             f"closure: {res.attrs.get('closure_label', '')})")
    return render(pd.DataFrame(rows), title, fmt, index=False)


def jobs_by_sector_table(res, regions, fmt: str = "simple") -> str:
    """Change in persons employed by sector and labour type; rows add up to the change in
    employment, columns to minus the change in unemployment (fixed labour force)."""
    labour = [str(h) for h in res.labour.values]
    rows = []
    for r in regions:
        d = res.persons_change.sel(region=r)
        for j in list(res.sector.values) + ["total"]:
            row = d.sum("sector") if j == "total" else d.sel(sector=j)
            rows.append({"region": r, "sector": str(j),
                         **{h: number(row.sel(labour=h), "+.1f") for h in labour},
                         "all": number(row.sum(), "+.1f")})
    title = (f"change in persons employed by sector and labour type "
             f"({res.attrs.get('persons_unit', 'thousand persons')})")
    return render(pd.DataFrame(rows), title, fmt, index=False)


def ssa_table(summary, regions, fmt: str = "simple") -> str:
    """Mean and 90 % interval of the SSA draws: CPI relative to the numeraire, real GDP, EV."""
    rows = {}
    for r in regions:
        cells = {}
        for v, label in (("cpi_pct", "CPI/P_W %"), ("real_gdp_pct", "real GDP %"), ("ev_pct_income", "EV % income")):
            x = summary[v].sel(region=r)
            cells[label] = (f"{float(x.sel(statistic='mean')):+.3f} [{float(x.sel(statistic='p05')):+.3f}, "
                            f"{float(x.sel(statistic='p95')):+.3f}]")
        rows[r] = cells
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "region"
    return render(df, "mean [90 % interval]; prices relative to the world export price index P_W "
                      "(the numeraire; no nominal anchor)", fmt)


def sobol_table(summary, fmt: str = "simple") -> str:
    """First-order and total Sobol indices of EV % income by elasticity and region."""
    s1, st = summary["ev_pct_income_sobol_first"], summary["ev_pct_income_sobol_total"]
    rows = {str(r): {str(p): f"{float(s1.sel(region=r, parameter=p)):.3f} / "
                             f"{float(st.sel(region=r, parameter=p)):.3f}" for p in s1.parameter.values}
            for r in s1.region.values}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "region"
    return render(df, "Sobol indices of EV % income, first order / total, by elasticity:", fmt)


def path_table(res, manufacturing=(), window=(2025, 2035), fmt: str = "simple") -> str:
    """Per region of a recursive-dynamic path: real GDP against the baseline path in the middle
    and last year, the mean deviation of the change of the CPI relative to the numeraire over
    ``window`` (a relative price) and the baseline's, manufacturing jobs and
    capital against the baseline path in the last years."""
    years = [int(y) for y in res.year.values]
    lo, hi = max(window[0], years[1]), min(window[1], years[-1])
    mid, last = min(2030, years[-1]), years[-1]
    jobs_year = min(2035, last)
    rel = res["cpi_relative_change_dev_pp"].sel(year=slice(lo, hi)).mean("year")
    rows = {}
    for r in res.region.values:
        jobs = float(res["employment_change"].sel(region=r, year=jobs_year, sector=list(manufacturing)).sum()) \
            if manufacturing else float("nan")
        rows[str(r)] = {f"rGDP % {mid}": number(res.real_gdp_dev_pct.sel(region=r, year=mid)),
                        f"rGDP % {last}": number(res.real_gdp_dev_pct.sel(region=r, year=last)),
                        f"CPI/P_W chg pp/yr {lo}-{hi}": number(rel.sel(region=r), "+.4f"),
                        "base CPI/P_W %/yr": number(res.baseline_cpi_relative_change.sel(
                            region=r, year=slice(lo, hi)).mean()),
                        f"manuf. jobs th. {jobs_year}": "n/a" if jobs != jobs else number(jobs, "+.1f"),
                        f"capital % {last}": number(res.capital_stock_dev_pct.sel(region=r, year=last))}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "region"
    return render(df, "against the baseline path; CPI/P_W: the CPI relative to the numeraire, "
                      "a relative price", fmt)
