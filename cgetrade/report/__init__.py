"""HTML reports from results files: one self-contained page per run or per comparison of runs.

``write_report("china_ai_central.nc")`` reads the netCDF written by ``cgetrade run`` (nothing
else: the file's metadata says what every number is) and writes one HTML page with the
headline table, plots of prices, trade by partner, jobs by sector (and skill when the file
has a ``skill`` dimension), the EV decomposition, and, for results with a ``year``
dimension, the paths per year. Plots are drawn with matplotlib (``Figure`` objects, no
global pyplot state) and embedded as base64 PNG, so the page needs no other file.
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import xarray as xr
from markupsafe import Markup

from .. import metadata

#: headline columns: (variable, label, reduction over sectors)
HEADLINE = [
    ("cpi_pct", "CPI", None),
    ("real_exchange_rate_pct", "real exchange rate", None),
    ("real_gdp_pct", "real GDP", None),
    ("ev", "EV", None),
    ("ev_pct_income", "EV", None),
    ("real_wage_pct", "real wage", None),
    ("terms_of_trade_pct", "terms of trade", None),
    ("trade_balance_change", "trade balance", None),
    ("employment_change", "jobs", "sector"),
    ("unemployment_rate_change", "unemployment rate", None),
    # paths per year: deviations from the baseline path
    ("real_gdp_dev_pct", "real GDP vs baseline", None),
    ("cpi_dev_pct", "CPI vs baseline", None),
    ("real_wage_dev_pct", "real wage vs baseline", None),
    ("cpi_relative_change_dev_pp", "CPI/numeraire change vs baseline", None),
]


def _templates():
    """The page templates (cgetrade/report/templates), HTML-escaped by default."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    return Environment(loader=PackageLoader("cgetrade.report", "templates"),
                       autoescape=select_autoescape(("html", "j2")), trim_blocks=True, lstrip_blocks=True)


def _css() -> str:
    from importlib import resources
    return (resources.files("cgetrade.report") / "templates" / "report.css").read_text(encoding="utf-8")


def _open(path) -> xr.Dataset:
    """A results file of cgetrade run / path / ssa / sweep; anything else is an InputError."""
    from ..errors import InputError
    try:
        with xr.open_dataset(path, engine="h5netcdf") as f:
            ds = f.load()
    except Exception as err:          # h5py/h5netcdf raise OSError, ValueError, ... on other files
        raise InputError(f"{path} is not a results file: cannot read it as netCDF4 "
                         f"({type(err).__name__}); give a file written by cgetrade run, path, ssa or sweep") from None
    if "intermediate" in ds.data_vars and "gross_output" in ds.data_vars:
        raise InputError(f"{path} is a benchmark dataset, not a results file: run a scenario on it "
                         f"first (cgetrade run SCENARIO --dataset {path})")
    if not any(str(v).endswith(("_pct", "_change", "_dev_pct")) or str(v) == "ev" for v in ds.data_vars):
        raise InputError(f"{path} holds no results (no changes against a baseline); give a file "
                         "written by cgetrade run, path, ssa or sweep")
    for v in ds.variables.values():          # readable units on the page ("pp", not UDUNITS "%")
        if "units_label" in v.attrs:
            v.attrs["units"] = v.attrs["units_label"]
    return ds


def _scenario(da: xr.DataArray) -> xr.DataArray:
    return da.sel(case="scenario") if "case" in da.dims else da


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return ('<img alt="{}" src="data:image/png;base64,{}">'.format(
        html.escape(fig.get_label() or "figure"), base64.b64encode(buf.getvalue()).decode("ascii")))


def _figure(label: str, size=(9, 4)):
    from matplotlib.figure import Figure
    fig = Figure(figsize=size)
    fig.set_label(label)
    return fig


def _label(da: xr.DataArray, short: str | None = None) -> str:
    units = da.attrs.get("units", "")
    return f"{short or da.attrs.get('long_name', da.name)}" + (f" ({units})" if units and units != "1" else "")


def _cell(x: float, units: str = "") -> dict:
    """A table cell: the value to three decimals for % and pp, one for money and persons;
    no "-0.0"; ``negative`` for the red class."""
    if not np.isfinite(x):
        return {"text": "n/a", "negative": False}
    digits = 3 if units in ("%", "pp", "1", "") else 1      # money and persons: one decimal
    x = round(x, digits) + 0.0
    return {"text": f"{x:,.{digits}f}", "negative": x < 0}


def _names(ds: xr.Dataset, dim: str) -> list[str]:
    labels = [str(v) for v in ds[dim].values]
    if f"{dim}_name" in ds.coords:
        return [f"{lab}: {name}" for lab, name in zip(labels, map(str, ds[f"{dim}_name"].values))]
    return labels


def headline_table(ds: xr.Dataset, skip=()) -> str:
    """Headline numbers by region; the CPI only with its deflator (the results' attributes),
    else the column is left out."""
    deflator = ds.attrs.get("cpi_deflator") or ds.attrs.get("nominal_anchor") or ""
    cols = [(v, lab, red) for v, lab, red in HEADLINE if v in ds and "year" not in ds[v].dims
            and (deflator or v != "cpi_pct") and v not in skip]
    rows = []
    for r in ds.region.values:
        cells = []
        for v, _, red in cols:
            da = _scenario(ds[v])
            if red and red in da.dims:
                da = da.sum(red)
            cells.append(_cell(float(da.sel(region=r)), ds[v].attrs.get("units", "")))
        rows.append({"region": str(r), "cells": cells})
    note = f"CPI: {deflator}" if deflator else "no CPI shown: the results do not state its deflator"
    return _templates().get_template("headline.html.j2").render(
        columns=[{"label": "CPI relative to the numeraire" if v == "cpi_pct" and "no nominal anchor" in deflator
                  else lab, "units": ds[v].attrs.get("units", "")} for v, lab, _ in cols], rows=rows, note=note)


def _heatmap(da: xr.DataArray, rows: str, cols: str, title: str) -> str:
    fig = _figure(title, (9, 0.45 * da.sizes[rows] + 1.6))
    ax = fig.add_subplot()
    vals = da.transpose(rows, cols).values
    lim = float(np.nanmax(np.abs(vals))) or 1.0
    im = ax.imshow(vals, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(da.sizes[cols]), [str(x) for x in da[cols].values])
    ax.set_yticks(range(da.sizes[rows]), [str(x) for x in da[rows].values])
    for (i, j), v in np.ndenumerate(vals):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    ax.set_xlabel(cols)
    ax.set_ylabel(rows)
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, label=da.attrs.get("units", ""))
    return _png(fig)


def _bars(da: xr.DataArray, groups: str, series: str, title: str, ylabel: str, stacked=False, total=None) -> str:
    if groups == "region" and _dominated(da, groups):
        return _region_panels(da, series, title, ylabel, total)
    fig = _figure(title)
    ax = fig.add_subplot()
    g = [str(x) for x in da[groups].values]
    s = [str(x) for x in da[series].values]
    x = np.arange(len(g))
    width = 0.8 / (1 if stacked else len(s))
    pos, neg = np.zeros(len(g)), np.zeros(len(g))
    colors = [f"C{k % 10}" for k in range(len(s))]
    for k, name in enumerate(s):
        v = da.sel({series: name}).transpose(groups).values
        if stacked:
            bottom = np.where(v >= 0, pos, neg)
            ax.bar(x, v, width, bottom=bottom, label=name, color=colors[k])
            pos, neg = pos + np.maximum(v, 0), neg + np.minimum(v, 0)
        else:
            ax.bar(x - 0.4 + width * (k + 0.5), v, width, label=name, color=colors[k])
    if total is not None:
        ax.scatter(x, total.transpose(groups).values, color="k", marker="D", zorder=3, label="total")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, g)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=min(len(s) + 1, 5), loc="best")
    return _png(fig)


#: one region dwarfs the rest when its largest bar is this many times the next region's
DOMINANCE = 4.0


def _dominated(da: xr.DataArray, groups: str) -> bool:
    """True when one group's largest |value| is DOMINANCE times any other group's, so that a
    shared axis would flatten the others' bars."""
    size = np.sort(np.nan_to_num(np.abs(da).max([d for d in da.dims if d != groups]).values))[::-1]
    return len(size) > 1 and size[0] > DOMINANCE * max(size[1], 1e-12)


def _region_panels(da: xr.DataArray, series: str, title: str, ylabel: str, total=None) -> str:
    """One panel per region, each on its own scale: bars by ``series`` (and the total)."""
    regions = [str(r) for r in da.region.values]
    ncol = min(3, len(regions))
    nrow = -(-len(regions) // ncol)
    fig = _figure(title, (10, 2.4 * nrow))
    fig.set_layout_engine("constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False)
    labels = [str(x) for x in da[series].values]
    x = np.arange(len(labels))
    for k, r in enumerate(regions):
        ax = axes[k // ncol][k % ncol]
        ax.bar(x, da.sel(region=r).transpose(series).values, 0.7, color=[f"C{n % 10}" for n in x])
        if total is not None:
            ax.axhline(float(total.sel(region=r)), color="k", ls="--", lw=0.8)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(r + (f" (total {float(total.sel(region=r)):,.0f})" if total is not None else ""), fontsize=9)
        ax.set_xticks(x, labels, fontsize=7, rotation=45 if len(labels) > 4 else 0)
    for k in range(len(regions), nrow * ncol):
        axes[k // ncol][k % ncol].set_visible(False)
    for row in axes:
        row[0].set_ylabel(ylabel)
    fig.suptitle(f"{title} (each region on its own scale)", fontsize=10)
    return _png(fig)


def _panels(da: xr.DataArray, series: str) -> str:
    """One panel per region: bars by sector, one per ``series`` label (e.g. labour type)."""
    regions = [str(r) for r in da.region.values]
    ncol = 3
    nrow = -(-len(regions) // ncol)
    fig = _figure(_label(da), (10, 2.6 * nrow))
    sectors = [str(x) for x in da.sector.values]
    labels = [str(x) for x in da[series].values]
    x = np.arange(len(sectors))
    width = 0.8 / len(labels)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False)      # own scale per region
    for k, r in enumerate(regions):
        ax = axes[k // ncol][k % ncol]
        for n, lab in enumerate(labels):
            ax.bar(x - 0.4 + width * (n + 0.5), da.sel(region=r, **{series: lab}).transpose("sector").values,
                   width, label=lab, color=f"C{n}")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(r, fontsize=9)
        ax.set_xticks(x, sectors, fontsize=7, rotation=90)
    for k in range(len(regions), nrow * ncol):
        axes[k // ncol][k % ncol].set_visible(False)
    for row in axes:
        row[0].set_ylabel(da.attrs.get("units", ""))
    axes[0][0].legend(fontsize=7)
    fig.suptitle(_label(da), fontsize=10)
    return _png(fig)


def _paths(ds: xr.Dataset) -> str:
    """Line plots per year of every region-level variable with a ``year`` dimension."""
    names = [v for v in ds.data_vars if "year" in ds[v].dims and "region" in ds[v].dims
             and (set(ds[v].dims) <= {"year", "region", "case"}
                  or (set(ds[v].dims) == {"year", "region", "sector"} and v.endswith("_change")))]
    if not names:
        return ""
    preferred = [v for v, _, _ in HEADLINE if v in names]
    deviations = [v for v in names if v.endswith(("_dev_pct", "_dev_pp")) and v not in preferred]
    names = preferred + deviations + [v for v in names if v not in preferred + deviations]
    names = [v for v in names if v not in _against_benchmark(ds)]
    out = []
    for v in names:
        if len(out) == 12:
            break
        da = _scenario(ds[v])
        if "sector" in da.dims:                   # changes add up over sectors
            da = da.sum("sector")
        if float(abs(da).max()) < 1e-6:           # e.g. total persons under full employment
            continue
        fig = _figure(v, (8, 3.2))
        ax = fig.add_subplot()
        for r in da.region.values:
            ax.plot(da.year.values, da.sel(region=r).values, marker="o", ms=3, label=str(r))
        ax.set_xlabel("year")
        ax.set_ylabel(da.attrs.get("units", ""))
        ax.set_title(_label(ds[v]), fontsize=10)
        ax.legend(fontsize=7, ncol=6)
        out.append(_png(fig))
    return "<h2>Paths per year</h2>" + "".join(out)


def _against_benchmark(ds: xr.Dataset) -> set:
    """In a path with deviations from a baseline path, EV is measured against the base-year
    benchmark (growth included), not against the baseline: left out of the headline."""
    if "year" in ds.dims and any(v.endswith("_dev_pct") for v in ds.data_vars):
        return {"ev", "ev_pct_income"}
    return set()


def _final_year(ds: xr.Dataset) -> xr.Dataset:
    return ds.isel(year=-1) if "year" in ds.dims else ds


def _details(ds: xr.Dataset) -> list[tuple[str, str]]:
    """(label, value) rows of the run's provenance: the closure in words, residuals in
    scientific notation, seconds rounded."""
    def value(key):
        text = str(ds.attrs.get(key, "")).strip()
        if key in ("max_residual", "walras_residual"):
            try:
                return f"{float(text):.1e}"
            except ValueError:
                return text
        return text
    keys = [("scenario", "scenario"), ("variant", "variant"), ("dataset", "dataset"),
            ("dataset_licence", "data licence"), ("nominal_anchor", "nominal anchor"),
            ("closure_label" if ds.attrs.get("closure_label") else "closure", "closure"),
            ("reached_by", "solved by"), ("solver_used", "solver"), ("solver_iterations", "solver iterations"),
            ("max_residual", "max residual"), ("walras_residual", "Walras residual"),
            ("cgetrade_version", "cgetrade"), ("history", "history")]
    return [(lab, value(k)) for k, lab in keys if value(k)]


def _shocks(ds: xr.Dataset) -> list[dict]:
    """The scenario's shocks as table rows (kind, region, source, sector, factor, value, ...)."""
    import json
    try:
        shocks = json.loads(ds.attrs.get("shocks", "") or "[]")
    except (TypeError, ValueError):
        return []
    cols = ["kind", "region", "source", "sector", "factor", "value", "basis", "mode"]
    rows = []
    for sh in shocks if isinstance(shocks, list) else []:
        if not isinstance(sh, dict):
            continue
        extra = [k for k in sh if k not in cols]
        cols += [k for k in extra if k not in cols]
        rows.append(sh)
    used = [c for c in cols if any(r.get(c) not in (None, "", []) for r in rows)]
    show = lambda v: ", ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))  # noqa: E731
    return [{c: show(r.get(c)) for c in used} for r in rows]


def run_sections(ds: xr.Dataset) -> str:
    """Sections of one run: headline, prices, trade by partner, jobs, EV decomposition, paths."""
    last = _final_year(ds)
    title = f"Headline results by region, {int(ds.year.values[-1])}" if "year" in ds.dims else \
        "Headline results by region"
    parts = [f"<h2>{title}</h2>{headline_table(last, _against_benchmark(ds))}",
             '<p class="note">Changes between the baseline (calibrated benchmark) and the scenario; '
             "units as in the results file. Regions: " + html.escape("; ".join(_names(ds, "region"))) + "</p>"]
    if "producer_price_pct" in last:
        parts.append("<h2>Prices</h2>" + _heatmap(last["producer_price_pct"], "sector", "region",
                                                  "producer prices, % change"))
        if "factor_price_pct" in last:
            parts.append(_bars(last["factor_price_pct"], "region", "factor", "factor prices, % change", "%"))
        parts.append('<p class="note">Sectors: ' + html.escape("; ".join(_names(ds, "sector"))) + "</p>")
    if "bilateral_trade" in last and "case" in last.dims:
        vol = last["bilateral_trade"].sum("commodity")
        pct = 100 * (vol.sel(case="scenario") / vol.sel(case="baseline").where(vol.sel(case="baseline") > 0) - 1)
        pct.attrs["units"] = "%"
        parts.append("<h2>Trade by partner</h2>" + _heatmap(
            pct.rename(source="exporter", region="importer"), "exporter", "importer",
            "bilateral trade volume (all commodities), % change"))
    if "employment_change" in last:
        parts.append("<h2>Jobs by sector</h2>" + _bars(
            last["employment_change"], "sector", "region", "change in employment by sector",
            last["employment_change"].attrs.get("units", "")))
    for dim in ("skill", "labour"):          # labour by type: a skill or labour-type dimension
        by_skill = [v for v in last.data_vars if dim in last[v].dims and v.endswith(("_change", "_pct"))
                    and "persons" in ds.get(v[:-4] if v.endswith("_pct") else v[:-7], last[v]).attrs.get("units", "")]
        by_skill = [v for v in by_skill if v.endswith("_change") or v[:-4] + "_change" not in by_skill]
        for v in by_skill:
            da = last[v]
            other = [d for d in da.dims if d not in (dim, "region")]
            if other and (v.endswith("_pct") or other != ["sector"]):
                continue                         # % changes do not add up over sectors
            if float(abs(da).max()) < 1e-6:      # e.g. a labour force fixed by the closure
                parts.append(f'<p class="note">{html.escape(_label(da))}: no change</p>')
                continue
            chart = _panels(da, dim) if other else _bars(da, "region", dim, _label(da), da.attrs.get("units", ""))
            parts.append(f"<h3>{html.escape(_label(da))}</h3>" + chart)
    comps = [v for v in ("ev_technology", "ev_allocative", "ev_terms_of_trade", "ev_endowment",
                         "ev_investment_saving") if v in last]
    if comps:
        da = xr.concat([last[v] for v in comps], dim=xr.DataArray([v[3:] for v in comps], dims="component"))
        total = _scenario(last["ev"]) if "ev" in last else None
        parts.append("<h2>Welfare: EV decomposition</h2>" + _bars(
            da, "region", "component", "equivalent variation by component", last[comps[0]].attrs.get("units", ""),
            stacked=True, total=total))
    parts.append(_paths(ds))
    return "".join(parts)


def draw_sections(ds: xr.Dataset) -> str:
    """Sensitivity analysis or sweep (``draw`` dimension): intervals and spread by region."""
    from ..sweeps import summarise
    ok = int((ds["draw_status"] == "ok").sum())
    parts = [f"<h2>{html.escape(str(ds.attrs.get('analysis', 'draws')))}</h2>",
             f'<p class="note">{ok} of {ds.sizes["draw"]} draws solved; '
             f"{html.escape(str(ds.attrs.get('distributions', '')))}; interval: "
             f"{html.escape(str(ds.attrs.get('interval', '')))}</p>"]
    failed = [f"draw {k}: {e}" for k, (st, e) in enumerate(zip(ds.draw_status.values, ds.draw_error.values))
              if st != "ok"]
    if failed:
        parts.append("<p><b>Failed draws</b></p><pre>" + html.escape("\n".join(f[:300] for f in failed)) + "</pre>")
    if "shock_scale" in ds.coords:
        for v in ("ev_pct_income", "real_gdp_pct", "cpi_pct"):
            if v in ds:
                da = ds[v].swap_dims(draw="shock_scale")
                fig = _figure(v, (8, 3.2))
                ax = fig.add_subplot()
                for r in da.region.values:
                    ax.plot(da.shock_scale.values, da.sel(region=r).values, marker="o", ms=3, label=str(r))
                ax.set_xlabel("multiple of the scenario's shocks")
                ax.set_ylabel(ds[v].attrs.get("units", ""))
                ax.set_title(_label(ds[v]), fontsize=10)
                ax.legend(fontsize=7, ncol=6)
                parts.append(_png(fig))
        return "".join(parts)
    if not ok:
        return "".join(parts)
    summ = summarise(ds)
    cols = [v for v, _, _ in HEADLINE if v in summ and set(summ[v].dims) == {"statistic", "region"}]
    rows = []
    for r in summ.region.values:
        cells = []
        for v in cols:
            x = summ[v].sel(region=r)
            mean, lo, hi = (float(x.sel(statistic=k)) for k in ("mean", "p05", "p95"))
            cells.append({"text": f"{mean:,.3f} [{lo:,.3f}, {hi:,.3f}]", "negative": mean < 0})
        rows.append({"region": str(r), "cells": cells})
    parts.append(_templates().get_template("headline.html.j2").render(
        columns=[{"label": v, "units": summ[v].attrs.get("units", "")} for v in cols], rows=rows,
        note="mean [90 % interval] over the draws"))
    for v in ("ev_pct_income", "real_gdp_pct"):
        if v in ds:
            fig = _figure(v, (8, 3.2))
            ax = fig.add_subplot()
            good = ds[v].where(ds.draw_status == "ok", drop=True)
            ax.boxplot([good.sel(region=r).values for r in ds.region.values],
                       tick_labels=[str(r) for r in ds.region.values])
            ax.axhline(0, color="k", lw=0.6)
            ax.set_ylabel(ds[v].attrs.get("units", ""))
            ax.set_title(_label(ds[v]) + ": spread over draws", fontsize=10)
            parts.append(_png(fig))
    return "".join(parts)


def comparison_sections(runs: list[tuple[str, xr.Dataset]]) -> str:
    """Headline numbers of several runs side by side (scenario variable x region)."""
    parts = ["<h2>Comparison of runs</h2>"]
    for v, lab, red in HEADLINE:
        if not all(v in ds for _, ds in runs):
            continue
        da = xr.concat([_scenario(_final_year(ds)[v]).sum(red) if red else _scenario(_final_year(ds)[v])
                        for _, ds in runs], dim=xr.DataArray([n for n, _ in runs], dims="run"))
        da.attrs = runs[0][1][v].attrs
        if v in ("cpi_pct", "real_gdp_pct", "ev_pct_income", "employment_change"):
            parts.append(_bars(da, "region", "run", _label(da, lab), da.attrs.get("units", "")))
    return "".join(parts)


def build_html(paths) -> str:
    """The report page (str) for one or several results files."""
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    runs = []
    for p in paths:
        ds = _open(p)
        if "region" not in ds.dims:
            raise ValueError(f"{p} is not a cgetrade results file (no region dimension)")
        runs.append((f"{ds.attrs.get('scenario', p.stem)}" + (f" ({ds.attrs['variant']})" if ds.attrs.get("variant") else ""),
                     ds))
    title = "cgetrade: " + ", ".join(n for n, _ in runs)
    pages = []
    for name, ds in runs:
        pages.append({"name": name, "description": str(ds.attrs.get("scenario_description", "")).strip(),
                      "sections": Markup(draw_sections(ds) if "draw" in ds.dims else run_sections(ds)),
                      "shocks": _shocks(ds), "details": _details(ds), "missing": metadata.missing(ds)})
    return _templates().get_template("report.html.j2").render(
        title=title, css=Markup(_css()), runs=pages,
        comparison=Markup(comparison_sections(runs)) if len(runs) > 1 else "")


def write_report(paths, out=None) -> Path:
    """Write the report of one or several results files; returns the HTML path."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    for p in paths:
        if not Path(p).exists():
            raise FileNotFoundError(f"results file not found: {p}")
    out = Path(out) if out else Path(paths[0]).with_suffix(".html")
    from .._io import atomic_path
    page = build_html(paths)
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out
