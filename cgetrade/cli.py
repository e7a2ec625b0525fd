"""Command line: ``cgetrade check`` and ``cgetrade run``."""
from __future__ import annotations

import argparse
import sys
import time
from importlib import resources
from pathlib import Path

DEFAULT_EXPERIMENT = "china_manufacturing_tfp.toml"
POLICY_KEYS = ("name", "description", "scenarios", "variant", "regions", "labour", "kappa", "phi",
               "loss_lambda", "frontier_lambdas", "regimes")


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
    raise FileNotFoundError(f"scenario file not found: {name}")


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
    lines = [f"{'EV, USD bn':<10} {'EV':>9} " + " ".join(f"{c:>17}" for c in COMPONENTS)
             + f" {'integr. error':>13}"]
    for r in regions:
        lines.append(f"{r:<10} {float(res['ev'].sel(case='scenario', region=r)) / 1e3:>9.2f} "
                     + " ".join(f"{float(res['ev_' + c].sel(region=r)) / 1e3:>17.2f}" for c in COMPONENTS)
                     + f" {float(res['ev_integration_error'].sel(region=r)) / 1e3:>13.4f}")
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
    from . import CGEModel, calibrate
    from .results import collect, compare, save
    from .scenario import Scenario
    from .solve import SolveError
    from .welfare import COMPONENTS, decompose_ev
    scen = Scenario.from_toml(_experiment_path(args.scenario), variant=args.variant)
    ds = _load_dataset(args.dataset)
    model = CGEModel(calibrate(ds))
    scen.targets(model)                       # every label and value checked before solving
    base_sol = model.solve()
    base = collect(model)
    try:       # the decomposition path is itself a continuation in equal steps
        welfare = decompose_ev(model, scen, steps=8)
        sol = model.last_solution
        sol.info["reached_by"] = "8 equal steps (EV decomposition path)"
    except SolveError:
        model.reset()
        model.solve()
        sol = scen.solve(model)         # direct solve or finer continuation
        model.reset()
        model.solve()
        welfare = decompose_ev(model, scen, steps=int(sol.info["reached_by"].split()[-2])
                               if "continuation" in sol.info["reached_by"] else 8)
        sol = model.last_solution
    res = compare(base, collect(model), attrs={
        "scenario": scen.name, "variant": scen.variant,
        "scenario_description": scen.description.strip(), "scenario_source": scen.source.strip(),
        "dataset": ds.attrs.get("title", ""), "dataset_source": ds.attrs.get("source", ""),
        "dataset_citation": ds.attrs.get("citation", ""), "dataset_licence": ds.attrs.get("licence", ""),
        "numeraire": "world export price index (= 1)",
        "solver": "Ipopt (cyipopt)", "baseline_status": base_sol.status,
        "baseline_iterations": base_sol.iterations, "solver_status": sol.status,
        "solver_iterations": sol.iterations, "reached_by": sol.info.get("reached_by", ""),
        "max_residual": sol.max_residual, "walras_residual": sol.walras_residual})
    for c in list(COMPONENTS) + ["integration_error"]:
        res[f"ev_{c}"] = welfare[c]
    stem = scen.name + (f"_{scen.variant}" if scen.variant else "")
    out = Path(args.out or f"{stem}.nc")
    save(res, out)
    print(f"scenario {stem}: Ipopt {sol.status_code} ({sol.iterations} iterations, "
          f"{sol.info.get('reached_by', 'direct solve')}, max residual {sol.max_residual:.1e}); "
          f"results written to {out}\n")
    print(summary_table(res, model.params.regions))
    print("\n" + welfare_table(res, model.params.regions))
    manuf = [i for i in scen.groups["sector"].get("manufacturing", []) if i in model.params.sectors]
    if manuf and "CHN" in model.params.regions:
        print("\n" + manufacturing_table(res, manuf, model.params.regions))
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
    from .errors import OptionsError, check_keys, read_toml
    from .policy import compare_regimes, inflation_frontier, plot_frontier
    from .results import save
    from .scenario import Scenario
    path = _experiment_path(args.scenario or "inflation_targeting.toml")
    spec = read_toml(path, OptionsError)
    check_keys(spec, POLICY_KEYS, f"policy file {path.name}", OptionsError)
    for key in ("scenarios", "regions"):
        if key in spec and not spec[key]:
            raise OptionsError(f"empty '{key}' list in {path.name}")
    ds = _load_dataset(args.dataset)
    params = calibrate(ds)
    closure = Closure(labour=spec.get("labour", "wage_curve"), kappa=spec.get("kappa", 0.5),
                      phi=spec.get("phi", 0.1))
    regimes = {k: (v if isinstance(v, str) else tuple(v)) for k, v in spec["regimes"].items()}
    regions = spec.get("regions", ["USA", "EU", "JPN"])
    unknown = set(regions) - set(params.regions)
    if unknown:
        raise OptionsError(f"unknown regions {sorted(unknown)} in {path.name}; regions: {params.regions}")
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="cgetrade", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("check", help="calibrate and verify replication, homogeneity, Walras' law")
    c.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    c.add_argument("--reference", action="store_true",
                   help="replicate the textbook reference models (SPLCGE, STDCGE, TWOCGE) and "
                        "compare with their published results")
    r = sub.add_parser("run", help="solve the baseline and a scenario, write netCDF results")
    r.add_argument("scenario", nargs="?", help=f"scenario TOML (default: {DEFAULT_EXPERIMENT})")
    r.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    r.add_argument("--variant", help="scenario variant, e.g. low, central, high (default: the file's)")
    r.add_argument("--out", help="output netCDF path (default: <scenario>_<variant>.nc)")
    pol = sub.add_parser("policy", help="compare monetary regimes for a shock (inflation targeting)")
    pol.add_argument("scenario", nargs="?", help="policy TOML (default: inflation_targeting.toml)")
    pol.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    pol.add_argument("--variant", help="variant of the scenarios (default: the file's)")
    pol.add_argument("--out", help="output directory (default: current directory)")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "run" and args.scenario and _is_policy_file(args.scenario):
            return cmd_policy(argparse.Namespace(scenario=args.scenario, dataset=args.dataset,
                                                 variant=args.variant, out=None))
        return {"check": cmd_check, "run": cmd_run, "policy": cmd_policy}[args.command](args)
    except Exception as err:
        return _report_error(err)


def _report_error(err) -> int:
    """One line on stderr for the documented error types (docs/errors.md): exit code 1 for
    bad input or a missing file, 3 when no equilibrium was found. Anything else is a bug
    and keeps its traceback."""
    from .errors import CGETradeError, InputError
    if not isinstance(err, (CGETradeError, OSError)):
        raise err
    text = " ".join(line.strip() for line in str(err).splitlines() if line.strip())
    kind = "error" if isinstance(err, (InputError, OSError)) else "no solution"
    print(f"{kind}: {text}", file=sys.stderr)
    return 1 if isinstance(err, (InputError, OSError)) else 3


if __name__ == "__main__":
    sys.exit(main())
