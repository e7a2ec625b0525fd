"""Tables and plots of the dynamic monetary block and of the regime comparisons: summaries
by regime and region, the sources of inflation, paths by year, the frontiers; the
``[dynamic]`` experiment of a policy file with its output files."""
from __future__ import annotations

import numpy as np
import xarray as xr

from .._io import atomic_path
from .tables import number


def summary(res: xr.Dataset, regions=None) -> xr.Dataset:
    """Per regime and region over the years: mean inflation gap (pp per year), mean absolute
    gap, years at the lower bound, years the target is missed, mean unemployment and output
    gaps, discounted loss (lambda = 1)."""
    regions = list(regions) if regions is not None else list(res.region.values)
    r = res.sel(region=regions)
    out = xr.Dataset({
        "inflation_gap_mean": r.inflation_gap.mean("year"),
        "inflation_gap_abs_mean": abs(r.inflation_gap).mean("year"),
        "years_at_lower_bound": r.at_lower_bound.sum("year"),
        "years_target_missed": r.target_missed.sum("year"),
        "unemployment_gap_mean": r.unemployment_gap.mean("year"),
        "output_gap_mean": r.output_gap.mean("year"),
        "policy_rate_min": r.policy_rate.min("year"),
        "loss_lambda1": r.loss.sel(loss_lambda=1.0) if 1.0 in r.loss_lambda else r.loss.isel(loss_lambda=0),
        "inflation_mean": r.inflation.mean("year"),
        "inflation_import_mean": r.inflation_import.mean("year"),
        "inflation_imported_intermediates_mean": r.inflation_imported_intermediates.mean("year"),
        "inflation_domestic_value_added_mean": r.inflation_domestic_value_added.mean("year"),
        "inflation_import_foreign_mean": r.inflation_import_foreign.mean("year"),
        "inflation_imported_intermediates_foreign_mean": r.inflation_imported_intermediates_foreign.mean("year"),
        "inflation_exchange_rate_mean": r.inflation_exchange_rate.mean("year"),
    })
    units = {"inflation_gap_mean": ("mean inflation minus target", "pp per year"),
             "inflation_gap_abs_mean": ("mean |inflation minus target|", "pp per year"),
             "years_at_lower_bound": ("years with the rule's rate below the lower bound", "years"),
             "years_target_missed": ("years with |inflation - target| above the band", "years"),
             "unemployment_gap_mean": ("mean unemployment gap against the natural path", "pp"),
             "output_gap_mean": ("mean output gap against the natural path", "%"),
             "policy_rate_min": ("lowest policy rate", "% per year"),
             "loss_lambda1": ("discounted loss, lambda = 1", "pp2"),
             "inflation_mean": ("mean CPI inflation", "% per year"),
             "inflation_import_mean": ("mean contribution of directly imported consumer goods", "pp per year"),
             "inflation_imported_intermediates_mean": ("mean contribution of imported intermediates "
                                                       "(import content of domestic prices)", "pp per year"),
             "inflation_domestic_value_added_mean": ("mean contribution of domestic value added",
                                                     "pp per year"),
             "inflation_import_foreign_mean": ("mean contribution of imported consumer goods at "
                                               "anchor-currency prices", "pp per year"),
             "inflation_imported_intermediates_foreign_mean": ("mean contribution of imported intermediates "
                                                               "at anchor-currency prices", "pp per year"),
             "inflation_exchange_rate_mean": ("mean contribution of the exchange rate (its part of both "
                                              "imported contributions)", "pp per year")}
    for k, (ln, u) in units.items():
        out[k].attrs = {"long_name": ln, "units": u}
    out.attrs = {k: v for k, v in res.attrs.items() if isinstance(v, (str, int, float))}
    return out


def summary_table(summ: xr.Dataset, title: str = "") -> str:
    cols = [("inflation_gap_mean", "infl. dev. pp/yr", ".3f"), ("inflation_gap_abs_mean", "|dev.| pp/yr", ".3f"),
            ("years_at_lower_bound", "yrs at ELB", "d"), ("years_target_missed", "yrs missed", "d"),
            ("unemployment_gap_mean", "u gap pp", ".3f"), ("output_gap_mean", "y gap %", ".3f"),
            ("policy_rate_min", "min rate %", ".2f"), ("loss_lambda1", "loss (l=1)", ".2f")]
    lines = [title] if title else []
    lines.append(f"{'regime':<14} {'region':<6} " + " ".join(f"{c[1]:>16}" for c in cols))
    for g in summ.regime.values:
        for r in summ.region.values:
            row = summ.sel(regime=g, region=r)
            vals = []
            for k, _, f in cols:
                x = float(row[k])
                vals.append(f"{'n/a':>16}" if not np.isfinite(x) else
                            f"{int(round(x)):>16d}" if f == "d" else f"{x:>16{f}}")
            lines.append(f"{str(g):<14} {str(r):<6} " + " ".join(vals))
    return "\n".join(lines)


def sources_table(summ: xr.Dataset, title: str = "") -> str:
    """Mean CPI inflation and its four sources (pp per year; they add up to the mean):
    imported consumer goods and imported intermediates at their anchor-currency prices, the
    exchange rate, domestic value added."""
    cols = [("inflation_mean", "inflation %/yr"), ("inflation_import_foreign_mean", "imported goods"),
            ("inflation_imported_intermediates_foreign_mean", "imp. intermed."),
            ("inflation_exchange_rate_mean", "exchange rate"),
            ("inflation_domestic_value_added_mean", "domestic VA")]
    lines = [title] if title else []
    lines.append(f"{'regime':<14} {'region':<6} " + " ".join(f"{c[1]:>16}" for c in cols))
    for g in summ.regime.values:
        for r in summ.region.values:
            row = summ.sel(regime=g, region=r)
            lines.append(f"{str(g):<14} {str(r):<6} " + " ".join(f"{float(row[k]):>16.4f}" for k, _ in cols))
    return "\n".join(lines)


def plot_monetary(res: xr.Dataset, path, regions=None):
    """Inflation, policy rate and unemployment gap by year, one column per region, one line
    per regime (matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    regions = list(regions if regions is not None else res.region.values)
    panels = (("inflation", "CPI inflation, %"), ("policy_rate", "policy rate, %"),
              ("unemployment_gap", "unemployment gap, pp (vs natural path)"))
    fig, axes = plt.subplots(len(panels), len(regions), figsize=(4 * len(regions), 8.5), sharex=True,
                             squeeze=False)
    years = res.year.values
    for j, r in enumerate(regions):
        for i, (v, title) in enumerate(panels):
            ax = axes[i, j]
            for g in res.regime.values:
                ax.plot(years, res[v].sel(regime=g, region=r).values, label=str(g), lw=1.2)
            if v == "inflation":
                ax.axhline(float(res.inflation_target.sel(region=r).isel(regime=0)), color="k", lw=0.6, ls="--")
            elif v == "policy_rate":
                ax.axhline(float(res.lower_bound.sel(region=r).isel(regime=0)), color="k", lw=0.6, ls=":")
            else:
                ax.axhline(0, color="grey", lw=0.5)
            ax.set_title(f"{r}: {title}", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("year")
    fig.suptitle(f"{res.attrs.get('scenario', '')} {res.attrs.get('variant', '')}: monetary regimes "
                 "(dashed: target; dotted: lower bound)", fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return path


def frontier_plot(curves, xlabel: str, ylabel: str, title: str, path, axes_at_zero: bool = False):
    """One labelled line per region: ``curves`` = {region: (labels, x, y)}; written to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for r, (labels, xs, ys) in curves.items():
        ax.plot(xs, ys, marker="o", label=str(r))
        for lab, x, y in zip(labels, xs, ys):
            ax.annotate(f"{lab:g}", (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if axes_at_zero:
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
    return path


def plot_static_frontier(frontier: xr.Dataset, path):
    """Static flexible inflation targeting (cgetrade.policy.inflation_frontier): the change of
    the CPI level against the unemployment gap, one line per region, labelled by lambda."""
    curves = {r: (frontier.it_lambda.values, frontier.unemployment_gap_pp.sel(region=r).values,
                  frontier.cpi_pct.sel(region=r).values) for r in frontier.region.values}
    return frontier_plot(curves, "unemployment gap (pp)", "CPI level, local currency (100 x log change)",
                         f"Flexible inflation targeting frontier: {frontier.attrs.get('scenario', '')}\n"
                         "(labels: weight lambda on the unemployment gap)", path, axes_at_zero=True)


def plot_frontier(front: xr.Dataset, path):
    """Discounted squared unemployment gaps against squared inflation gaps, by rule."""
    curves = {r: (front.rule_phi_u.values, front.loss_unemployment.sel(region=r).values,
                  front.loss_inflation.sel(region=r).values) for r in front.region.values}
    return frontier_plot(curves, "sum beta^t u_gap^2 (pp^2)", "sum beta^t pi_gap^2 (pp^2)",
                         f"{front.attrs.get('scenario', '')}: rules by response to the unemployment gap\n"
                         "(labels: phi_u; phi_pi = 1.5)", path)


def shock_contribution(summ: xr.Dataset, res: xr.Dataset, ref: xr.Dataset, regions) -> xr.Dataset:
    """Adds ``<v>_shock``: the mean over the years of the run minus the no-shock run (the
    shock's contribution) for the gaps and the sources of inflation."""
    for v in ("unemployment_gap", "inflation_gap", "output_gap", "inflation_import",
              "inflation_imported_intermediates", "inflation_domestic_value_added", "inflation_import_foreign",
              "inflation_imported_intermediates_foreign", "inflation_exchange_rate", "policy_rate"):
        summ[f"{v}_shock"] = (res[v] - ref[v]).sel(region=regions).mean("year")
        summ[f"{v}_shock"].attrs = {"long_name": f"mean {v} minus the no-shock run's (the shock's "
                                                 "contribution)", "units": res[v].attrs.get("units", "")}
    return summ


def shock_table(summ: xr.Dataset, regions) -> str:
    """The shock's contribution (minus the no-shock run), mean over the years: inflation and
    its four sources, the policy rate, the unemployment and output gaps."""
    lines = ["the shock's contribution (minus the no-shock run), mean over the years:",
             f"{'regime':<14} {'region':<6} {'infl. pp/yr':>11} {'imp. goods':>10} {'imp. interm.':>12} "
             f"{'exch. rate':>10} {'domestic VA':>11} {'rate pp':>8} {'u gap pp':>9} {'y gap %':>8}"]
    for g in summ.regime.values:
        for r in regions:
            s = summ.sel(regime=g, region=r)
            lines.append(f"{str(g):<14} {r:<6} {float(s.inflation_gap_shock):>11.4f} "
                         f"{float(s.inflation_import_foreign_shock):>10.4f} "
                         f"{float(s.inflation_imported_intermediates_foreign_shock):>12.4f} "
                         f"{float(s.inflation_exchange_rate_shock):>10.4f} "
                         f"{float(s.inflation_domestic_value_added_shock):>11.4f} "
                         f"{float(s.policy_rate_shock):>8.3f} {float(s.unemployment_gap_shock):>9.4f} "
                         f"{float(s.output_gap_shock):>8.4f}")
    return "\n".join(lines)


def comparison_table(cmp: xr.Dataset, markdown: bool = True) -> str:
    """The foreign-versus-domestic comparison (cgetrade.dynamics.disinflation.compare) as a
    table: one row per variant, region and shock."""
    cols = [("cpi_deviation", "CPI dev. pp", "+.3f"), ("policy_rate_change_mean", "rate chg pp", "+.3f"),
            ("policy_rate_change_min", "deepest cut pp", "+.3f"), ("unemployment_cost", "u cost pp-yrs", "+.3f"),
            ("output_cost", "y cost %-yrs", "+.3f"), ("sacrifice_ratio", "sacrifice ratio", "+.2f"),
            ("years_at_lower_bound", "yrs at ELB", "d"), ("imported_share", "imported share", ".2f"),
            ("overshoot_needed", "overshoot needed pp", "+.3f"), ("demand_shock", "demand shock %", "+.2f")]
    head = ["variant", "region", "shock"] + [c[1] for c in cols]
    rows = []
    for v in cmp.variant.values:
        for r in cmp.region.values:
            for k in cmp.shock.values:
                row = cmp.sel(variant=v, region=r, shock=k)
                cells = [str(v), str(r), str(k)]
                for name, _, f in cols:
                    x = float(row[name])
                    cells.append("n/a" if not np.isfinite(x) else f"{int(round(x))}" if f == "d" else number(x, f))
                if k == "foreign":
                    cells[-1] = ""
                rows.append(cells)
    if markdown:
        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * len(cols)]
                         + ["| " + " | ".join(c) + " |" for c in rows])
    w = [max(len(h), *(len(c[i]) for c in rows)) for i, h in enumerate(head)]
    return "\n".join(" ".join(f"{x:>{n}}" for x, n in zip(line, w)) for line in [head] + rows)


#: published estimates of disinflation from Chinese (low-wage) imports and trade diversion
LITERATURE = [
    ("Kamin, Marazzi and Schindler (2006), Review of International Economics 14(2): 179-201",
     "import-price inflation of China's trading partners, pp per year", "at most -0.25", "import_prices",
     "USA"),
    ("Carluccio, Gautier and Guilloux-Nefussi (2018), Banque de France WP 681 (Economic Journal 2021)",
     "French CPI inflation from low-wage imports, pp per year", "about -0.17", "cpi", "EU"),
    ("ECB staff (2025), Economic Bulletin 4/2025 box: trade diversion from a high US tariff on China",
     "euro-area non-energy industrial goods inflation, 2026, pp", "about -0.5", "non_energy_goods", "EU"),
    ("ECB staff (2025), ibid.", "euro-area HICP inflation, 2026, pp", "about -0.15", "cpi", "EU"),
]


def literature_table(sizes: dict, years: str, year_2026: dict | None = None) -> str:
    """The model's imported disinflation next to published estimates: ``sizes`` =
    {region: {measure: pp per year}} over ``years``; ``year_2026`` the same for 2026 alone
    (the ECB's horizon)."""
    lines = ["| estimate | measure | published | model, same region and measure |", "|---|---|---:|---:|"]
    for src, what, pub, measure, region in LITERATURE:
        pick = year_2026 if ("2026" in what and year_2026 is not None) else sizes
        when = "2026" if pick is year_2026 else years
        lines.append(f"| {src} | {what} | {pub} | {region} {when}: {number(pick[region][measure])} |")
    return "\n".join(lines)


SOURCES_TITLE = ("CPI inflation by source, mean over the years (pp per year): imported consumer goods + "
                 "imported intermediates + domestic value added")


def run_experiment(spec: dict, base_dir, ds, years=None, variant=None, out=".", log=print) -> dict:
    """The ``[dynamic]`` table of a policy file (cgetrade.dynamics.monetary.experiment): for
    each scenario the tables on ``log``, netCDF and PNG files in ``out``; returns
    {scenario: summary}."""
    from pathlib import Path
    from ..dynamics.monetary import experiment, plan_experiment
    from ..results import save
    plan = plan_experiment(spec, base_dir, ds, years, variant)     # every input checked first
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    stem0, regions = plan.name, plan.regions
    first, last = plan.first, plan.last
    results, done_ref = {}, set()
    for run in experiment(plan, log=log):
        if run.reference is not None and id(run.reference) not in done_ref:
            done_ref.add(id(run.reference))
            ref = run.reference
            save(ref, outdir / f"{stem0}_no_shock_dynamic.nc")
            plot_monetary(ref, outdir / f"{stem0}_no_shock_dynamic.png", regions)
            ref_summ = summary(ref, regions)
            log(summary_table(ref_summ, f"\n== no shock (start values only), {first}-{last}"))
            log(sources_table(ref_summ, SOURCES_TITLE))
        res, name, scen = run.result, run.name, run.scenario
        stem = f"{stem0}_{name}_{scen.variant}_dynamic" if scen.variant else f"{stem0}_{name}_dynamic"
        summ = summary(res, regions)
        if run.reference is not None:
            shock_contribution(summ, res, run.reference, regions)
        save(res, outdir / f"{stem}.nc")
        save(summ, outdir / f"{stem}_summary.nc")
        plot_monetary(res, outdir / f"{stem}.png", regions)
        log(summary_table(summ, f"\n== {name} ({scen.variant}), {first}-{last}; gaps against the natural path"))
        log(sources_table(summ, SOURCES_TITLE))
        if run.reference is not None:
            log(shock_table(summ, regions))
        if run.frontier is not None:
            save(run.frontier, outdir / f"{stem}_frontier.nc")
            plot_frontier(run.frontier.sel(region=regions), outdir / f"{stem}_frontier.png")
        log(f"written: {stem}.nc, {stem}_summary.nc, {stem}.png"
            + (f", {stem}_frontier.nc/.png" if run.frontier is not None else "") + f" in {outdir}")
        results[name] = summ
    return results


def regime_table(table) -> str:
    """The static regime comparison (cgetrade.policy.compare_regimes): one row per regime and
    region; CPI columns are level changes in local currency, not inflation rates."""
    cols = [("cpi_pct", "CPI lvl %"), ("cpi_import_pct", "import"), ("cpi_domestic_pct", "domestic"),
            ("cpi_imported_intermediates_pct", "imp. inputs"), ("cpi_domestic_value_added_pct", "dom. VA"),
            ("exchange_rate_pct", "e %"), ("ngdp_local_pct", "NGDP %"),
            ("unemployment_gap_pp", "U gap pp"), ("unemployed_change", "unempl. th."),
            ("real_wage_pct", "real w %"), ("real_gdp_pct", "rGDP %"), ("loss", "loss")]
    lines = [f"{'regime':<12} {'region':<6} " + " ".join(f"{h:>11}" for _, h in cols)]
    for g in table.regime.values:
        for r in table.region.values:
            row = table.sel(regime=g, region=r)
            lines.append(f"{g:<12} {r:<6} " + " ".join(f"{float(row[c]):>11.4f}" for c, _ in cols))
    return "\n".join(lines)


def run_static_experiment(spec: dict, base_dir, ds, variant=None, out=".", stem=None, log=print) -> dict:
    """The static part of a policy file (``cgetrade policy`` without ``--years``): each
    scenario under each regime with the wage curve, its tables on ``log``, netCDF and the
    frontier plot in ``out``; returns {scenario: table}."""
    from pathlib import Path
    from .. import calibrate
    from ..model import Closure
    from ..policy import compare_regimes, inflation_frontier
    from ..results import save
    from ..scenario import Scenario
    closure = Closure(labour=spec.get("labour", "wage_curve"), kappa=spec.get("kappa", 0.5),
                      phi=spec.get("phi", 0.1))
    regimes = {k: (v if isinstance(v, str) else tuple(v)) for k, v in spec["regimes"].items()}
    regions = spec.get("regions", ["USA", "EU", "JPN"])
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    scens = [Scenario.from_toml(Path(base_dir) / name, variant=variant or spec.get("variant"))
             for name in spec["scenarios"]]                 # every file read before any solve
    out_tables = {}
    for scen in scens:
        params = calibrate(ds, **scen.calibration_options())
        table = compare_regimes(params, scen, regions, regimes, closure, spec.get("loss_lambda", 1.0))
        frontier = inflation_frontier(params, scen, regions, spec.get("frontier_lambdas", [0, 1, 10]), closure)
        name = f"{stem or spec.get('name', 'policy')}_{scen.name}_{scen.variant}"
        save(table, outdir / f"{name}_regimes.nc")
        save(frontier, outdir / f"{name}_frontier.nc")
        plot_static_frontier(frontier, outdir / f"{name}_frontier.png")
        log(f"\n== {scen.name} ({scen.variant}) under each monetary regime; labour: {closure.labour}, "
            f"kappa {closure.kappa}, phi {closure.phi}; CPI level in local currency (a level change under "
            f"each regime's anchor, not an inflation rate), unit of account: the {closure.anchor} currency "
            "(each row: the regime of the studied regions, the nominal anchor)")
        log(regime_table(table))
        log(f"written: {name}_regimes.nc, {name}_frontier.nc, {name}_frontier.png in {outdir}")
        out_tables[scen.name] = table
    return out_tables
