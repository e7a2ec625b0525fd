"""Tables of docs/deindustrialisation.md: manufacturing employment shares of the emerging
economies in the data (WIOD Socio-Economic Accounts, 2016 release, 2000-2014) and what China's
process does to them in the model (the shipped 13-region dataset wiod2011_13x8); with the
argument ``path``, manufacturing's shares of employment and value added on the recursive-dynamic
baseline path 2011-2040 of wiod2011_13x8 and under china_process_diffusion, and the peak
employment share against income per person employed (Rodrik's test).

    python scripts/deindustrialisation.py [path] > block.md

tests/test_deindustrialisation.py checks that the page holds this output verbatim.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

import sys

import cgetrade
from cgetrade.data import sea
from cgetrade.dynamics import DynamicModel, Periods
from cgetrade.results import collect
from cgetrade.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
EXP = Path(str(resources.files("cgetrade.experiments")))
YEARS = [2000, 2005, 2008, 2011, 2014]
MANUF = ["LMF", "CHM", "MAC", "ELE"]


def concordances():
    reg = pd.read_csv(REPO / "calibration" / "concordances" / "regions_emerging.csv")
    sec = pd.read_csv(REPO / "calibration" / "concordances" / "sectors_wiod2013.csv")
    return dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector))


def data_shares(regions) -> pd.DataFrame:
    """Manufacturing (the model's LMF, CHM, MAC, ELE) share of persons engaged, % by region
    and year: sum of EMP over the region's countries (WIOD SEA 2016 release)."""
    region_of, sector_of = concordances()
    s = sea._sea2016()
    s = s[s.year.isin(YEARS) & s.country.isin(region_of)]
    s = s.assign(region=s.country.map(region_of), manuf=s.wiod_code.map(sector_of).isin(MANUF))
    emp = s.groupby(["region", "year", "manuf"]).EMP.sum().unstack("manuf")
    share = (100 * emp[True] / emp.sum(axis=1)).unstack("year")
    return share.reindex([r for r in regions if r in share.index])


def model_shares():
    """(benchmark share %, change pp) of manufacturing in persons employed by region under
    china_process central on wiod2011_13x8, for the default and the long-run closures."""
    ds = cgetrade.data.load("wiod2011_13x8")
    out = {}
    for preset in ("medium_run", "long_run"):
        scen = Scenario.from_toml(EXP / "china_process.toml")
        model = cgetrade.CGEModel(cgetrade.calibrate(ds, **scen.calibration_options()),
                                  scen.make_closure(preset=preset))
        scen.prepare(model)
        model.solve()
        base = collect(model)
        scen = scen.implied(model)
        scen.solve(model)
        after = collect(model)
        share = lambda d: 100 * d.employment.sel(sector=MANUF).sum("sector") / d.employment.sum("sector")  # noqa: E731
        out[preset] = (share(base), share(after) - share(base))
    return out, list(ds.region.values)


def main():
    model, regions = model_shares()
    data = data_shares(regions)
    rows = ["| region | " + " | ".join(str(y) for y in YEARS) + " | change 2000-14, pp | "
            "model benchmark 2011 | china_process, pp (medium run) | (long run) |",
            "|---|" + "---|" * (len(YEARS) + 4)]
    for r in regions:
        d = data.loc[r] if r in data.index else None
        cells = [f"{d[y]:.1f}" for y in YEARS] if d is not None else ["n/a"] * len(YEARS)
        change = f"{d[YEARS[-1]] - d[YEARS[0]]:+.1f}" if d is not None else "n/a"
        base, mid = model["medium_run"]
        rows.append(f"| {r} | " + " | ".join(cells) + f" | {change} | {float(base.sel(region=r)):.1f} | "
                    f"{float(mid.sel(region=r)):+.2f} | {float(model['long_run'][1].sel(region=r)):+.2f} |")
    print("\n".join(rows))
    emerging = ["IND", "IDN", "BRA", "MEX", "RUS", "TUR"]
    mid = model["medium_run"][1]
    falls = [r for r in emerging if float(mid.sel(region=r)) < 0]
    print(f"\nEmerging regions whose manufacturing employment share falls under china_process "
          f"(medium run): {', '.join(falls) or 'none'} of {len(emerging)}; mean change "
          f"{np.mean([float(mid.sel(region=r)) for r in emerging]):+.2f} pp.")


PATH_YEARS = [2011, 2025, 2040]
ADVANCED = ["USA", "EU", "JPN", "EAS", "ADV"]
DYNAMIC = "china_process_diffusion"


def paths():
    """Baseline path 2011-2040 of wiod2011_13x8 and the china_process_diffusion path (levels),
    with the scenario's model options (labour by skill) and closure for both."""
    scen = Scenario.from_toml(EXP / f"{DYNAMIC}.toml")
    params = cgetrade.calibrate(cgetrade.data.load("wiod2011_13x8"), **scen.calibration_options())
    dyn = DynamicModel(params, periods=Periods(2011, 2040), closure=scen.make_closure())
    base = dyn.baseline()
    return base, dyn.run(scen, base)


def employment_share(d):
    """Manufacturing's share of persons employed, % (year, region)."""
    persons = d.persons.sum("labour")
    return 100 * persons.sel(sector=MANUF).sum("sector") / persons.sum("sector")


def value_added_share(d):
    """Manufacturing's share of value added at current prices, % (year, region):
    VA_jr = sum_f P_fr FD_fjr (factor prices relative to the numeraire)."""
    va = (d.factor_price * d.factor_demand).sum("factor")
    return 100 * va.sel(sector=MANUF).sum("sector") / va.sum("sector")


def income_per_person(d):
    """Real GDP per person employed, thousand 2011 USD at market exchange rates (year, region)."""
    return d.real_gdp / d.persons.sum(["labour", "sector"])


def imputed_share(d):
    """Share of manufacturing's benchmark persons that is imputed, % (region)."""
    p = d.persons.isel(year=0).sel(sector=MANUF)
    return 100 * (d.persons_imputed_share.isel(year=0).sel(sector=MANUF) * p).sum(["labour", "sector"]) \
        / p.sum(["labour", "sector"])


def peak(share, income, r):
    """(year, share %, income) at the maximum of the region's employment share on the path."""
    s = share.sel(region=r)
    y = int(s.year[int(s.argmax("year"))])
    return y, float(s.sel(year=y)), float(income.sel(region=r, year=y))


def path_main():
    base, pol = paths()
    regions = list(base.region.values)
    emp, va, imp = employment_share(base), value_added_share(base), imputed_share(base)
    emp_p, va_p = employment_share(pol), value_added_share(pol)
    inc, inc_p = income_per_person(base), income_per_person(pol)
    rows = ["| region | " + " | ".join(f"employment {y}" for y in PATH_YEARS) + " | "
            + " | ".join(f"value added {y}" for y in PATH_YEARS)
            + f" | {DYNAMIC}: employment 2025, 2040 (pp) | value added 2025, 2040 (pp) |",
            "|---|" + "---:|" * (2 * len(PATH_YEARS) + 2)]
    for r in regions:
        flag = " *" if float(imp.sel(region=r)) > 0 else ""
        e = [f"{float(emp.sel(region=r, year=y)):.1f}{flag}" for y in PATH_YEARS]
        v = [f"{float(va.sel(region=r, year=y)):.1f}" for y in PATH_YEARS]
        de = ", ".join(f"{float(emp_p.sel(region=r, year=y) - emp.sel(region=r, year=y)):+.2f}" for y in (2025, 2040))
        dv = ", ".join(f"{float(va_p.sel(region=r, year=y) - va.sel(region=r, year=y)):+.2f}" for y in (2025, 2040))
        rows.append(f"| {r} | " + " | ".join(e + v) + f" | {de} | {dv} |")
    print("\n".join(rows))
    flagged = [f"{r} ({float(imp.sel(region=r)):.0f} %)" for r in regions if float(imp.sel(region=r)) > 0]
    print(f"\n\\* persons imputed in the benchmark (share of manufacturing's persons): {', '.join(flagged) or 'none'}.")

    print("\n| region | baseline: peak year | peak employment share % | GDP per person employed at the peak, "
          f"thousand 2011 USD | {DYNAMIC}: peak year | peak share % | GDP per person employed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    peaks = {}
    for r in regions:
        b, p = peak(emp, inc, r), peak(emp_p, inc_p, r)
        peaks[r] = (b, p)
        print(f"| {r} | {b[0]} | {b[1]:.1f} | {b[2]:.1f} | {p[0]} | {p[1]:.1f} | {p[2]:.1f} |")
    rising = [r for r in regions if peaks[r][0][0] > 2011]
    falling = [r for r in regions if peaks[r][0][0] == 2011]
    interior = [r for r in regions if 2011 < peaks[r][0][0] < 2040]
    moved = (emp.sel(year=2040) - emp.sel(year=2011))
    big = str(abs(moved).idxmax("region").values)
    print(f"\nBaseline: manufacturing's employment share changes by at most {abs(float(moved.sel(region=big))):.1f} pp "
          f"from 2011 to 2040 ({big}); it peaks after 2011 in {', '.join(rising) or 'none'} (before 2040: "
          f"{', '.join(interior) or 'none'}) and is highest in 2011 in {', '.join(falling) or 'none'}.")
    late = [r for r in regions if r not in ADVANCED]
    for label, k in (("baseline", 0), (DYNAMIC, 1)):
        share = pd.Series({r: peaks[r][k][1] for r in regions})
        income = pd.Series({r: peaks[r][k][2] for r in regions})
        print(f"{label}: later industrialisers ({', '.join(late)}) peak at {share[late].mean():.1f} % on average, "
              f"at {income[late].mean():.1f} thousand USD per person employed; the advanced regions "
              f"({', '.join(ADVANCED)}) at {share[ADVANCED].mean():.1f} % and {income[ADVANCED].mean():.1f}; "
              f"rank correlation of peak share and income at the peak across the {len(regions)} regions "
              f"{share.rank().corr(income.rank()):+.2f}.")


if __name__ == "__main__":
    path_main() if sys.argv[1:] == ["path"] else main()
