"""cgetrade: multi-region, multi-sector CGE trade models (Pyomo, Ipopt).

Example: cgetrade run china_ai && cgetrade report china_ai_central.nc
"""
from __future__ import annotations

import argparse
import sys
import time
from importlib import resources
from pathlib import Path

# the solver stack (pyomo, casadi, cyipopt) and xarray are imported inside the commands,
# so that `cgetrade --help` and `cgetrade list` start fast
DEFAULT_EXPERIMENT = "china_manufacturing_tfp.toml"


class Progress:
    """Progress lines on stderr, each with the time elapsed since the start (silent when quiet)."""

    def __init__(self, quiet: bool = False):
        self.quiet, self.t0 = quiet, time.perf_counter()

    def step(self, label: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f} s] {label}", file=sys.stderr, flush=True)

    def total(self) -> float:
        return time.perf_counter() - self.t0


def _shipped() -> list[Path]:
    folder = Path(str(resources.files("cgetrade.experiments")))
    return sorted(folder.glob("*.toml"))


def _load_dataset(path):
    from .data import load, load_default
    return load(path) if path else load_default()


def _experiment_path(name: str | None) -> Path:
    if name is None:
        return Path(str(resources.files("cgetrade.experiments") / DEFAULT_EXPERIMENT))
    p = Path(name)
    if p.exists():
        return p
    shipped = Path(str(resources.files("cgetrade.experiments") / (p.stem + ".toml")))
    if shipped.exists():
        return shipped
    import difflib
    known = [f.stem for f in _shipped()]
    close = difflib.get_close_matches(p.stem, known, n=2, cutoff=0.6)
    hint = (f"; did you mean {' or '.join(close)}?" if close
            else f"; shipped scenarios: {', '.join(known)}")
    raise FileNotFoundError(f"scenario file not found: {name}{hint}")


def _is_policy_file(name) -> bool:
    """A policy file (regime comparison) has a [regimes] table."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(_experiment_path(name), "rb") as f:
            return "regimes" in tomllib.load(f)
    except (FileNotFoundError, OSError, tomllib.TOMLDecodeError):
        return False


def cmd_check_reference() -> int:
    from . import reference
    t0 = time.perf_counter()
    rows = reference.run_all()
    print("cgetrade check --reference: Hosoe-Gasawa-Hashimoto textbook models (GAMS Model Library)")
    print(f"  {', '.join(reference.MODELS)}; {time.perf_counter() - t0:.1f} s\n")
    print(reference.format_table(rows))
    failed = [r for r in rows if r.passed is False]
    required = sum("requirement" in r.source for r in rows)
    published = sum(r.published is not None for r in rows) - required
    print(f"\n{published} published values and {required} model requirements compared: "
          + ("all matched" if not failed else f"{len(failed)} DIFFER"))
    return 0 if not failed else 1


def cmd_check(args) -> int:
    if args.reference:
        return cmd_check_reference()
    from . import CGEModel, calibrate
    from .checks import format_table, run_all
    from .scenario import Scenario
    ds = _load_dataset(args.dataset)
    t0 = time.perf_counter()
    model = CGEModel(calibrate(ds))
    if args.dataset:   # a generic shock for any dataset: +10 % TFP in the first sector and region
        from .scenario import Shock
        p = model.params
        shock = Scenario(f"tfp +10% {p.sectors[0]}/{p.regions[0]}",
                         [Shock("tfp", 0.10, region=p.regions[0], sector=p.sectors[0])])
    else:
        shock = Scenario.from_toml(_experiment_path(None))
    results = run_all(model, shock)
    print(f"cgetrade check: {ds.attrs.get('title', args.dataset or 'default dataset')}")
    print(f"  {len(model.params.regions)} regions x {len(model.params.sectors)} sectors, "
          f"{model.nlp.n} equations; {time.perf_counter() - t0:.1f} s\n")
    print(format_table(results))
    ok = all(r.passed for r in results)
    print("\nall checks passed" if ok else "\nSOME CHECKS FAILED")
    return 0 if ok else 1


def summary_table(res, regions) -> str:
    pct = lambda v, r: float(res[f"{v}_pct"].sel(region=r))  # noqa: E731
    lines = [f"{'region':<6} {'CPI %':>7} {'CPI-L %':>8} {'real GDP %':>10} {'EV % inc':>9} "
             f"{'wage %':>7} {'rental %':>8} {'exports %':>9} {'imports %':>9} {'jobs chg (th.)':>14}"]
    ex = res["exports"].sum("commodity")
    im = res["imports"].sum("commodity")
    for r in regions:
        e0, e1 = ex.sel(case="baseline", region=r), ex.sel(case="scenario", region=r)
        i0, i1 = im.sel(case="baseline", region=r), im.sel(case="scenario", region=r)
        lines.append(
            f"{r:<6} {pct('cpi', r):>7.3f} {pct('cpi_laspeyres', r):>8.3f} {pct('real_gdp', r):>10.3f} "
            f"{float(res['ev_pct_income'].sel(case='scenario', region=r)):>9.3f} "
            f"{float(res['factor_price_pct'].sel(factor='labour', region=r)):>7.3f} "
            f"{float(res['factor_price_pct'].sel(factor='capital', region=r)):>8.3f} "
            f"{100 * float(e1 / e0 - 1):>9.3f} {100 * float(i1 / i0 - 1):>9.3f} "
            f"{float(res['employment_change'].sel(region=r).sum()):>14.1f}")
    return "\n".join(lines)


def welfare_table(res, regions) -> str:
    from .welfare import COMPONENTS
    unit = res["ev"].attrs.get("units", "USD m")        # the file's unit, also on screen
    lines = [f"{'EV, ' + unit:<10} {'EV':>11} " + " ".join(f"{c:>17}" for c in COMPONENTS)
             + f" {'integr. error':>13}"]
    for r in regions:
        lines.append(f"{r:<10} {float(res['ev'].sel(case='scenario', region=r)):>11,.1f} "
                     + " ".join(f"{float(res['ev_' + c].sel(region=r)):>17,.1f}" for c in COMPONENTS)
                     + f" {float(res['ev_integration_error'].sel(region=r)):>13.3f}")
    return "\n".join(lines)


def manufacturing_table(res, manufacturing, regions, source="CHN") -> str:
    """Reshoring lens: domestic share of manufacturing absorption, manufacturing jobs and
    imports from ``source`` by sector."""
    dom, imp = res["domestic_use"].sel(commodity=manufacturing), res["imported_use"].sel(commodity=manufacturing)
    share = (dom.sum("commodity") / (dom + imp).sum("commodity"))
    jobs = res["employment"].sel(sector=manufacturing).sum("sector")
    lines = [f"{'region':<6} {'dom. share of manuf. absorption':>32} {'manuf. jobs chg %':>18} "
             + " ".join(f"{'imp. ' + i + ' from ' + source + ' %':>20}" for i in manufacturing)]
    for r in regions:
        if r == source:
            continue
        s0, s1 = float(share.sel(case="baseline", region=r)), float(share.sel(case="scenario", region=r))
        j0, j1 = float(jobs.sel(case="baseline", region=r)), float(jobs.sel(case="scenario", region=r))
        cells = " ".join(f"{float(res['bilateral_trade_pct'].sel(commodity=i, source=source, region=r)):>20.2f}"
                         for i in manufacturing)
        lines.append(f"{r:<6} {100 * s0:>14.2f} % -> {100 * s1:>6.2f} % ({100 * (s1 - s0):+.2f} pp) "
                     f"{100 * (j1 / j0 - 1):>12.2f} {cells}")
    return "\n".join(lines)


def cmd_run(args) -> int:
    progress = Progress(args.quiet or args.json)
    progress.step("reading the scenario and the dataset")
    from .scenario import Scenario
    scen = Scenario.from_toml(_experiment_path(args.scenario), variant=args.variant)
    ds = _load_dataset(args.dataset)
    progress.step("calibrating")
    from . import CGEModel, calibrate
    from .results import collect, compare, provenance, save
    from .solve import SolveError
    from .welfare import COMPONENTS, decompose_ev
    params = calibrate(ds)
    progress.step(f"building the model ({len(params.regions)} regions x {len(params.sectors)} sectors)")
    model = CGEModel(params)
    scen.targets(model)                       # every label and value checked before solving
    progress.step("compiling the NLP (casadi)")
    model.nlp
    progress.step("solving the baseline")
    base_sol = model.solve()
    base = collect(model)
    progress.step("solving the scenario along the EV decomposition path (8 steps)")
    try:       # the decomposition path is itself a continuation in equal steps
        welfare = decompose_ev(model, scen, steps=8)
        sol = model.last_solution
        sol.info["reached_by"] = "8 equal steps (EV decomposition path)"
    except SolveError:
        progress.step("solving the scenario by continuation")
        model.reset()
        model.solve()
        sol = scen.solve(model)         # direct solve or finer continuation
        model.reset()
        model.solve()
        welfare = decompose_ev(model, scen, steps=int(sol.info["reached_by"].split()[-2])
                               if "continuation" in sol.info["reached_by"] else 8)
        sol = model.last_solution
    progress.step("writing results")
    res = compare(base, collect(model), attrs=provenance(model, scen, sol, base_sol))
    for c in list(COMPONENTS) + ["integration_error"]:
        res[f"ev_{c}"] = welfare[c]
    stem = scen.name + (f"_{scen.variant}" if scen.variant else "")
    out = Path(args.out or f"{stem}.nc")
    save(res, out)
    total = progress.total()
    if args.json:
        import json
        print(json.dumps(headline(res, model.params.regions, out, total), indent=1))
        return 0
    if args.quiet:
        return 0
    print(f"scenario {stem}: Ipopt {sol.status_code} ({sol.iterations} iterations, "
          f"{sol.info.get('reached_by', 'direct solve')}, max residual {sol.max_residual:.1e}); "
          f"{total:.1f} s; results written to {out}\n")
    print(summary_table(res, model.params.regions))
    print("\n" + welfare_table(res, model.params.regions))
    manuf = [i for i in scen.groups["sector"].get("manufacturing", []) if i in model.params.sectors]
    if manuf and "CHN" in model.params.regions:
        print("\n" + manufacturing_table(res, manuf, model.params.regions))
    print(f"\nHTML report: cgetrade report {out}")
    return 0


def headline(res, regions, path, seconds) -> dict:
    """Headline numbers of a run for machine reading (``cgetrade run --json``)."""
    rows = {}
    for r in regions:
        rows[r] = {"cpi_pct": float(res["cpi_pct"].sel(region=r)),
                   "real_gdp_pct": float(res["real_gdp_pct"].sel(region=r)),
                   "ev": float(res["ev"].sel(case="scenario", region=r)),
                   "ev_pct_income": float(res["ev_pct_income"].sel(case="scenario", region=r)),
                   "employment_change": float(res["employment_change"].sel(region=r).sum()),
                   "trade_balance_change": float(res["trade_balance_change"].sel(region=r))}
    return {"scenario": res.attrs.get("scenario"), "variant": res.attrs.get("variant"), "file": str(path),
            "seconds": round(seconds, 2), "money_unit": res["ev"].attrs.get("units"),
            "solver_iterations": res.attrs.get("solver_iterations"),
            "max_residual": res.attrs.get("max_residual"), "regions": rows}


def cmd_list(args) -> int:
    """Shipped scenarios, their variants and the first line of their description."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    print(f"{'scenario':<26} {'variants (default)':<32} description")
    for path in _shipped():
        with open(path, "rb") as f:
            raw = tomllib.load(f)
        if "regimes" in raw:
            kinds = "policy: " + ", ".join(raw["regimes"])
        else:
            var = raw.get("variants", [])
            kinds = ", ".join(var) + (f" ({raw.get('default_variant', var[0])})" if var else "") or "-"
        first = next((ln.strip() for ln in str(raw.get("description", "")).splitlines() if ln.strip()), "")
        print(f"{path.stem:<26} {kinds:<32} {first[:70]}")
    return 0


def cmd_policy(args) -> int:
    """Regime comparison tables, inflation/unemployment frontier and its plot."""
    import sys as _sys
    if _sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from . import calibrate
    from .model import Closure
    from .policy import compare_regimes, inflation_frontier, plot_frontier
    from .results import save
    from .scenario import Scenario
    path = _experiment_path(args.scenario or "inflation_targeting.toml")
    with open(path, "rb") as f:
        spec = tomllib.load(f)
    ds = _load_dataset(args.dataset)
    params = calibrate(ds)
    closure = Closure(labour=spec.get("labour", "wage_curve"), kappa=spec.get("kappa", 0.5),
                      phi=spec.get("phi", 0.1))
    regimes = {k: (v if isinstance(v, str) else tuple(v)) for k, v in spec["regimes"].items()}
    regions = spec.get("regions", ["USA", "EU", "JPN"])
    unknown = set(regions) - set(params.regions)
    if unknown:
        raise FileNotFoundError(f"unknown regions {sorted(unknown)} in {path.name}")
    outdir = Path(args.out or ".")
    outdir.mkdir(parents=True, exist_ok=True)
    for name in spec["scenarios"]:
        scen = Scenario.from_toml(path.parent / name, variant=args.variant or spec.get("variant"))
        table = compare_regimes(params, scen, regions, regimes, closure, spec.get("loss_lambda", 1.0))
        frontier = inflation_frontier(params, scen, regions, spec.get("frontier_lambdas", [0, 1, 10]), closure)
        stem = f"{spec.get('name', path.stem)}_{scen.name}_{scen.variant}"
        save(table, outdir / f"{stem}_regimes.nc")
        save(frontier, outdir / f"{stem}_frontier.nc")
        plot_frontier(frontier, outdir / f"{stem}_frontier.png")
        print(f"\n== {scen.name} ({scen.variant}) under each monetary regime; labour: {closure.labour}, "
              f"kappa {closure.kappa}, phi {closure.phi}")
        print(regime_table(table))
        print(f"written: {stem}_regimes.nc, {stem}_frontier.nc, {stem}_frontier.png in {outdir}")
    return 0


def regime_table(table) -> str:
    cols = [("cpi_pct", "CPI %"), ("cpi_import_pct", "import"), ("cpi_domestic_pct", "domestic"),
            ("exchange_rate_pct", "e %"), ("ngdp_local_pct", "NGDP %"),
            ("unemployment_gap_pp", "U gap pp"), ("unemployed_change", "unempl. th."),
            ("real_wage_pct", "real w %"), ("real_gdp_pct", "rGDP %"), ("loss", "loss")]
    lines = [f"{'regime':<12} {'region':<6} " + " ".join(f"{h:>11}" for _, h in cols)]
    for g in table.regime.values:
        for r in table.region.values:
            row = table.sel(regime=g, region=r)
            lines.append(f"{g:<12} {r:<6} " + " ".join(f"{float(row[c]):>11.4f}" for c, _ in cols))
    return "\n".join(lines)


def cmd_report(args) -> int:
    from .report import write_report
    out = write_report(args.results, args.out)
    if not args.quiet:
        print(f"report written to {out}")
    return 0


def _parse_range(text: str) -> tuple[str, float]:
    """'sigma_d=0.5' -> ('sigma_d', 0.5)"""
    name, _, val = text.partition("=")
    if not val:
        raise argparse.ArgumentTypeError(f"expected NAME=FRACTION, e.g. sigma_d=0.5, got {text!r}")
    return name.strip(), float(val)


def cmd_ssa(args) -> int:
    from .sweeps import Distribution, run_ssa, summarise
    from .results import save
    progress = Progress(args.quiet)
    progress.step("reading the scenario and the dataset")
    from .scenario import Scenario
    scen = Scenario.from_toml(_experiment_path(args.scenario), variant=args.variant)
    ds = _load_dataset(args.dataset)
    dists = [Distribution(name, args.shape, spread) for name, spread in (args.vary or [("sigma_d", 0.5),
                                                                                         ("sigma_m", 0.5)])]
    progress.step(f"SSA: {args.method} over {', '.join(d.name for d in dists)} "
                  f"({args.shape}, +/- {', '.join(f'{100 * d.spread:g} %' for d in dists)}) "
                  f"on {args.workers} worker(s)")
    out = run_ssa(ds, scen, dists, method=args.method, draws=args.draws, seed=args.seed,
                  workers=args.workers, scheduler=args.scheduler, progress=not args.quiet,
                  by_sector=args.by_sector)
    stem = scen.name + (f"_{scen.variant}" if scen.variant else "")
    path = Path(args.out or f"{stem}_ssa.nc")
    save(out, path)
    ok = int((out["draw_status"] == "ok").sum())
    summary = summarise(out) if ok else None
    if summary is not None and args.method == "sobol" and ok == out.sizes["draw"]:
        from .sweeps import sobol_indices
        summary = summary.merge(sobol_indices(out))
    if summary is not None:
        save(summary, path.with_name(path.stem + "_summary.nc"))
    total = progress.total()
    if not args.quiet:
        print(f"{ok} of {out.sizes['draw']} draws solved ({out.attrs['draws_per_minute']:.0f} draws/min "
              f"on {args.workers} worker(s), {total:.1f} s); draws written to {path}, mean, standard "
              f"deviation and 90 % interval to {path.stem}_summary.nc\n")
        if summary is not None:
            print(ssa_table(summary, out.region.values))
        if summary is not None and "ev_pct_income_sobol_first" in summary:
            print("\nSobol indices of EV % income, first order / total, by elasticity:")
            s1, st = summary["ev_pct_income_sobol_first"], summary["ev_pct_income_sobol_total"]
            print(f"{'region':<7} " + " ".join(f"{str(p):>18}" for p in s1.parameter.values))
            for r in s1.region.values:
                print(f"{str(r):<7} " + " ".join(
                    f"{float(s1.sel(region=r, parameter=p)):>8.3f} / {float(st.sel(region=r, parameter=p)):>6.3f}"
                    for p in s1.parameter.values))
    return 0 if ok else 1


def ssa_table(summary, regions) -> str:
    lines = [f"{'region':<7} {'':<12} " + " ".join(f"{h:>24}" for h in ("CPI %", "real GDP %", "EV % income"))]
    for r in regions:
        cells = []
        for v in ("cpi_pct", "real_gdp_pct", "ev_pct_income"):
            x = summary[v].sel(region=r)
            cells.append(f"{float(x.sel(statistic='mean')):>8.3f} [{float(x.sel(statistic='p05')):>6.3f}, "
                         f"{float(x.sel(statistic='p95')):>6.3f}]")
        lines.append(f"{r:<7} {'mean [90 %]':<12} " + " ".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def cmd_sweep(args) -> int:
    from .results import save
    from .sweeps import run_sweep
    progress = Progress(args.quiet)
    progress.step("reading the scenario and the dataset")
    from .scenario import Scenario
    scen = Scenario.from_toml(_experiment_path(args.scenario), variant=args.variant)
    ds = _load_dataset(args.dataset)
    progress.step(f"sweep: {len(args.scale)} shock sizes on {args.workers} worker(s)")
    out = run_sweep(ds, scen, args.scale, workers=args.workers, scheduler=args.scheduler,
                    progress=not args.quiet)
    stem = scen.name + (f"_{scen.variant}" if scen.variant else "")
    path = Path(args.out or f"{stem}_sweep.nc")
    save(out, path)
    total = progress.total()
    if not args.quiet:
        ok = int((out["draw_status"] == "ok").sum())
        print(f"{ok} of {out.sizes['draw']} cases solved ({total:.1f} s); results written to {path}")
        for k in range(out.sizes["draw"]):
            row = out.isel(draw=k)
            print(f"  scale {float(row.shock_scale):>6.2f}: {str(row.draw_status.values):<6} "
                  + " ".join(f"{r} EV {float(row.ev_pct_income.sel(region=r)):+.3f} %"
                             for r in out.region.values[:4]))
    return 0


def _add_common(p, dataset=True, variant=True):
    if dataset:
        p.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    if variant:
        p.add_argument("--variant", help="scenario variant, e.g. low, central, high (default: the file's)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines or tables")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="cgetrade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__
    parser.add_argument("--version", action="version", version=f"cgetrade {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="shipped scenarios and their variants")
    c = sub.add_parser("check", help="calibrate and verify replication, homogeneity, Walras' law")
    c.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    c.add_argument("--reference", action="store_true",
                   help="replicate the textbook reference models (SPLCGE, STDCGE, TWOCGE) and "
                        "compare with their published results")
    r = sub.add_parser("run", help="solve the baseline and a scenario, write netCDF results")
    r.add_argument("scenario", nargs="?", help=f"scenario name or TOML file (default: {DEFAULT_EXPERIMENT}; "
                                               "see cgetrade list)")
    _add_common(r)
    r.add_argument("--out", help="output netCDF path (default: <scenario>_<variant>.nc)")
    r.add_argument("--json", action="store_true", help="print the headline numbers as JSON (no tables)")
    rep = sub.add_parser("report", help="an HTML report (tables and plots) from a results file")
    rep.add_argument("results", nargs="+", help="results netCDF of cgetrade run (several: a comparison)")
    rep.add_argument("--out", help="output HTML path (default: <results>.html)")
    rep.add_argument("-q", "--quiet", action="store_true")
    pol = sub.add_parser("policy", help="compare monetary regimes for a shock (inflation targeting)")
    pol.add_argument("scenario", nargs="?", help="policy TOML (default: inflation_targeting.toml)")
    pol.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    pol.add_argument("--variant", help="variant of the scenarios (default: the file's)")
    pol.add_argument("--out", help="output directory (default: current directory)")
    sw = sub.add_parser("sweep", help="a scenario at a grid of shock sizes (Dask or serial)")
    sw.add_argument("scenario", help="scenario name or TOML file")
    _add_common(sw)
    sw.add_argument("--scale", type=float, nargs="+", default=[0.25, 0.5, 1.0, 1.5, 2.0],
                    help="multiples of the scenario's shocks (default: 0.25 0.5 1 1.5 2)")
    sw.add_argument("--workers", type=int, default=1, help="Dask worker processes (1: serial)")
    sw.add_argument("--scheduler", help="address of an existing Dask scheduler")
    sw.add_argument("--out", help="output netCDF (default: <scenario>_<variant>_sweep.nc)")
    ss = sub.add_parser("ssa", help="systematic sensitivity analysis over elasticities")
    ss.add_argument("scenario", help="scenario name or TOML file")
    _add_common(ss)
    ss.add_argument("--vary", type=_parse_range, action="append", metavar="NAME=FRACTION",
                    help="elasticity and its relative half-range, repeatable "
                         "(default: sigma_d=0.5 sigma_m=0.5; names: sigma_d, sigma_m, sigma_va, sigma_top)")
    ss.add_argument("--shape", choices=("triangular", "uniform"), default="triangular",
                    help="distribution over the range (default: triangular, as GEMPACK)")
    ss.add_argument("--method", choices=("quadrature", "montecarlo", "sobol"), default="quadrature",
                    help="Stroud/Liu quadrature (2N draws, exact means of linear and quadratic "
                         "responses), Monte Carlo, or Saltelli's design with Sobol indices "
                         "(default: quadrature)")
    ss.add_argument("--by-sector", action="store_true",
                    help="each sector's elasticity an independent variable (default: one per name)")
    ss.add_argument("--draws", type=int, default=64,
                    help="Monte Carlo draws, or the Sobol base sample (power of two) (default: 64)")
    ss.add_argument("--seed", type=int, default=0)
    ss.add_argument("--workers", type=int, default=1, help="Dask worker processes (1: serial)")
    ss.add_argument("--scheduler", help="address of an existing Dask scheduler")
    ss.add_argument("--out", help="output netCDF (default: <scenario>_<variant>_ssa.nc)")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "list":
        return cmd_list(args)
    from .data import DataValidationError
    from .scenario import ShockError
    from .solve import SolveError
    try:
        if args.command == "run" and args.scenario and _is_policy_file(args.scenario):
            return cmd_policy(argparse.Namespace(scenario=args.scenario, dataset=args.dataset,
                                                 variant=args.variant, out=None))
        if args.command in ("sweep", "ssa"):
            from .sweeps import SweepError
            try:
                return {"sweep": cmd_sweep, "ssa": cmd_ssa}[args.command](args)
            except SweepError as err:
                print(f"error: {err}", file=sys.stderr)
                return 1
        return {"check": cmd_check, "run": cmd_run, "policy": cmd_policy,
                "report": cmd_report}[args.command](args)
    except (DataValidationError, ShockError, SolveError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
