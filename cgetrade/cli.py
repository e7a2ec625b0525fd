"""cgetrade: multi-region, multi-sector CGE trade models (Pyomo, Ipopt).

Example: cgetrade run china_ai && cgetrade report china_ai_central.nc
"""
from __future__ import annotations

import argparse
import functools
import sys
import time
from importlib import resources
from pathlib import Path

from .progress import Progress

# the solver stack (pyomo, casadi, cyipopt) and xarray are imported inside the commands,
# so that `cgetrade --help` and `cgetrade list` start fast
DEFAULT_EXPERIMENT = "china_manufacturing_tfp.toml"
POLICY_KEYS = ("name", "description", "scenarios", "variant", "regions", "labour", "kappa", "phi",
               "loss_lambda", "frontier_lambdas", "regimes", "dynamic")


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
    import tomllib
    try:
        with open(_experiment_path(name), "rb") as f:
            return "regimes" in tomllib.load(f)
    except (FileNotFoundError, OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
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


def _read_any(args):
    """(dataset, elasticities or None) of --dataset in any supported format."""
    from .data.formats import read_dataset
    return read_dataset(args.dataset, accounts=getattr(args, "accounts", None),
                        labour_share=getattr(args, "labour_share", None))


def cmd_check(args) -> int:
    if args.reference:
        return cmd_check_reference()
    from . import CGEModel, calibrate
    from .checks import format_table, run_all
    from .data.schema import rest_of_world
    from .model.closures import small_open_economy
    from .scenario import Scenario
    progress = Progress(getattr(args, "quiet", False))
    progress.step("reading the dataset")
    ds, el = _read_any(args) if args.dataset else (_load_dataset(None), None)
    t0 = time.perf_counter()
    progress.step("calibrating and building the model")
    if rest_of_world(ds) is not None:
        closure, el = small_open_economy(ds, el)
        print(f"exogenous rest of the world {rest_of_world(ds)!r}: numeraire {closure.numeraire}, "
              "foreign saving in its currency, sigma_t = 2 where none is given")
        model = CGEModel(calibrate(ds, el), closure)
    else:
        model = CGEModel(calibrate(ds, el))
    if args.dataset:   # a generic shock for any dataset: +10 % TFP in the first sector and region
        from .scenario import Shock
        p = model.params
        shock = Scenario(f"tfp +10% {p.sectors[0]}/{p.regions[0]}",
                         [Shock("tfp", 0.10, region=p.regions[0], sector=p.sectors[0])])
    else:
        shock = Scenario.from_toml(_experiment_path(None))
    progress.step("replication, homogeneity, Walras' law and monetary neutrality (about 10 solves)")
    results = run_all(model, shock)
    print(f"cgetrade check: {ds.attrs.get('title', args.dataset or 'default dataset')}")
    print(f"  {len(model.params.regions)} regions x {len(model.params.sectors)} sectors, "
          f"{model.nlp.n} equations; {time.perf_counter() - t0:.1f} s\n")
    print(format_table(results))
    ok = all(r.passed for r in results)
    print("\nall checks passed" if ok else "\nSOME CHECKS FAILED")
    return 0 if ok else 1


def cmd_data(args) -> int:
    """``cgetrade data build`` and ``cgetrade data describe``."""
    from .data.formats import describe, format_description, read_dataset, write_elasticities, elasticities_path
    if args.data_command == "describe":
        ds, _ = read_dataset(args.dataset, accounts=args.accounts, labour_share=args.labour_share)
        tables = describe(ds)
        print(f"{args.dataset}: {ds.attrs.get('title', '')}\n")
        print(format_description(tables))
        if args.csv:
            for name, df in tables.items():
                df.to_csv(f"{args.csv}_{name}.csv")
            print(f"\ntables written to {args.csv}_*.csv")
        return 0
    from .data.aggregate import aggregate, aggregate_elasticities, read_concordance
    from .data.formats import detect_format
    from .data.schema import has_intra_regional_trade
    from .errors import OptionsError
    t0 = time.perf_counter()
    regions = read_concordance(args.regions, "regions", table="regions") if args.regions else None
    sectors = read_concordance(args.sectors, "sectors", table="sectors") if args.sectors else None
    from .data.wiod import build_wiod, wiod_source_year
    year = wiod_source_year(args.source)
    intra = args.intra_regional_trade                         # None: the source's default
    if year is not None and not Path(args.source).exists():   # the packaged WIOD tables + SEA
        ds, el = build_wiod(year, regions, sectors, intra_regional=bool(intra)), None
    elif detect_format(args.source) in ("wiod", "icio"):      # tables are aggregated before balancing
        if intra:
            raise OptionsError("--intra-regional-trade: WIOD long-CSV and ICIO tables are aggregated before "
                               "balancing and fold trade within regions into domestic use; use --source "
                               "wiod1995 ... wiod2011, or build without --regions and aggregate the "
                               "netCDF with --intra-regional-trade")
        ds, el = read_dataset(args.source, labour_share=args.labour_share, regions=regions, sectors=sectors)
    else:
        options = {} if intra is None or detect_format(args.source) != "gtap" else {"intra_regional": intra}
        ds, el = read_dataset(args.source, accounts=args.accounts, labour_share=args.labour_share, **options)
        if sectors:
            from .calibrate import Elasticities
            el = aggregate_elasticities(el or Elasticities.gtap_default(), sectors, ds)
        if regions or sectors or (intra is False and has_intra_regional_trade(ds)):
            ds = aggregate(ds, regions=regions, sectors=sectors, intra_regional=intra)
    out = Path(args.out)
    from ._io import atomic_path
    with atomic_path(out) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    if el is not None:
        write_elasticities(el, elasticities_path(out))
    print(f"{args.source} -> {out}: {ds.sizes['region']} regions x {ds.sizes['sector']} sectors "
          f"in {time.perf_counter() - t0:.2f} s"
          + (f"; elasticities in {elasticities_path(out).name}" if el is not None else ""))
    return 0


def _years(text: str, step: bool = True):
    """"2011:2040" or "2011:2040:5" -> (first, last, step or None); without ``step`` only
    FIRST:LAST -> (first, last)."""
    form = "FIRST:LAST or FIRST:LAST:STEP" if step else "FIRST:LAST, e.g. 2025:2035"
    try:
        parts = [int(x) for x in str(text).split(":")]
    except ValueError:
        parts = []
    if len(parts) not in ((2, 3) if step else (2,)) or (len(parts) == 3 and parts[2] < 1):
        raise argparse.ArgumentTypeError(f"--years takes {form}, got {text!r}")
    if parts[1] < parts[0]:
        raise argparse.ArgumentTypeError(f"the last year {parts[1]} is before the first {parts[0]}")
    if not step:
        return parts[0], parts[1]
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


def cmd_run(args) -> int:
    if getattr(args, "years", None):          # a recursive-dynamic run: the same as `cgetrade path`
        first, last, step = args.years
        return cmd_path(argparse.Namespace(scenario=args.scenario or DEFAULT_EXPERIMENT, start=first,
                                           to=last, step=step, variant=args.variant,
                                           dataset=args.dataset, baseline=None, out=args.out,
                                           no_plot=False))
    progress = Progress(args.quiet or args.json)
    progress.step("reading the scenario and the dataset")
    from .scenario import Scenario
    scen = Scenario.from_toml(_experiment_path(args.scenario), variant=args.variant)
    ds, el = _read_any(args) if args.dataset else (_load_dataset(None), None)
    progress.step("calibrating")
    from . import CGEModel, calibrate
    from .results import collect, compare, provenance, save
    from .solve import SolveError
    from .welfare import COMPONENTS, decompose_ev, decomposition_available
    closure = scen.make_closure(dataset=ds, preset=getattr(args, "closure", None))
    from .data.schema import rest_of_world
    if rest_of_world(ds) is not None:          # a SAM or single-country table: small open economy
        from dataclasses import replace

        from .model.closures import small_open_economy
        soe, el = small_open_economy(ds, el)
        closure = replace(closure, numeraire=soe.numeraire, foreign_saving=soe.foreign_saving)
    params = calibrate(ds, el, **scen.calibration_options(skills=getattr(args, "skills", None),
                                                      va_nest=getattr(args, "va_nest", None),
                                                      private_demand=getattr(args, "private_demand", None)))
    progress.step(f"building the model ({len(params.regions)} regions x {len(params.sectors)} sectors)")
    model = CGEModel(params, closure)
    scen.validate(model)                      # every label and value checked before solving
    scen.prepare(model)                       # price-target shocks: their target equations
    progress.step("compiling the NLP (casadi)")
    model.nlp
    progress.step("solving the baseline")
    base_sol = model.solve()
    base = collect(model)
    if scen.has_targets:
        progress.step("solving for the shocks that deliver the price targets")
        scen = scen.implied(model)
    drivers = _driver_decomposition(scen, model, base, progress)
    effects = scen.automation_effects(model) if any(s.kind == "automation" for s in scen.shocks) else None
    no_decomposition = decomposition_available(model)
    welfare = None
    if no_decomposition:
        progress.step("solving the scenario (no EV decomposition for this closure)")
        sol = scen.solve(model)
    else:
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
    scen_res = collect(model)
    res = compare(base, scen_res, attrs=provenance(
        model, scen, sol, base_sol,
        labour_types=", ".join(params.labour_factors), va_nest=params.va_nest))
    if getattr(args, "gtap_names", False):
        from .results import gtap_names
        res = res.merge(gtap_names(base, scen_res), compat="override", combine_attrs="override")
    if scen.implied_shocks:
        import json
        res.attrs["implied_shocks"] = json.dumps(scen.implied_shocks)
    if drivers is not None:
        from .report.drivers import driver_table
        res.attrs["driver_decomposition"] = driver_table(drivers, exporter=drivers.attrs["exporter"], markdown=True)
    if welfare is not None:
        for c in list(COMPONENTS) + ["integration_error"]:
            res[f"ev_{c}"] = welfare[c]
    else:
        res.attrs["ev_decomposition"] = f"not available: {no_decomposition}"
    if effects is not None:
        for k, v in effects.data_vars.items():
            res[f"automation_{k}"] = v
    stem = scen.name + (f"_{scen.variant}" if scen.variant else "") \
        + (f"_{args.closure}" if getattr(args, "closure", None) else "")
    out = Path(args.out or f"{stem}.nc")
    save(res, out)
    total = progress.total()
    if args.json:
        import json
        print(json.dumps(headline(res, model.params.regions, out, total), indent=1))
        return 0
    if args.quiet:
        return 0
    print(f"scenario {stem}: {sol.info.get('solver', 'ipopt')} {sol.status_code} ({sol.iterations} iterations, "
          f"{sol.info.get('reached_by', 'direct solve')}, max residual {sol.max_residual:.1e}); "
          f"{total:.1f} s; results written to {out}\n")
    for x in scen.implied_shocks:
        print(f"implied {x['kind']} shock {x['sector']}/{x['region']}: {x['implied_value']:+.4f} "
              f"({x['measure']} {x['target_pct']:+g} % relative to the world export price index)")
    from .report.tables import jobs_by_sector_table, jobs_table, manufacturing_table, summary_table, welfare_table
    print(summary_table(res, model.params.regions))
    print("\n" + (welfare_table(res, model.params.regions) if welfare is not None
                  else f"EV decomposition {res.attrs['ev_decomposition']}"))
    manuf = [i for i in scen.groups["sector"].get("manufacturing", []) if i in model.params.sectors]
    if manuf and "CHN" in model.params.regions:
        print("\n" + manufacturing_table(res, manuf, model.params.regions))
    print("\n" + jobs_table(res, manuf, model.params.regions))
    focus = [r for r in ("USA", "EU", "JPN", "CHN") if r in model.params.regions] or model.params.regions[:4]
    print("\n" + jobs_by_sector_table(res, focus))
    if drivers is not None:
        from .report.drivers import driver_table
        print("\n" + driver_table(drivers, exporter=drivers.attrs["exporter"]))
    print(f"\nHTML report: cgetrade report {out}")
    return 0


def _driver_decomposition(scen, model, base, progress):
    """Shapley decomposition over the scenario's drivers (cgetrade.decompose), when every shock
    names a driver and all are stated for one region; None otherwise."""
    from .decompose import exporter_drivers, focus_region, has_drivers
    region = focus_region(scen, model.params.regions)
    if not has_drivers(scen) or region is None:
        return None
    progress.step(f"decomposing over the drivers (Shapley values, {2 ** len({s.driver for s in scen.shocks})} solves)")
    sectors = [i for i in scen.groups["sector"].get("manufacturing", []) if i in model.params.sectors]
    importers = [r for r in scen.groups["region"].get("west", []) if r in model.params.regions and r != region]
    dec = exporter_drivers(model, scen, base, region, sectors or model.params.sectors,
                           importers or [r for r in model.params.regions if r != region])
    dec.attrs["exporter"] = region
    return dec


def headline(res, regions, path, seconds) -> dict:
    """Headline numbers of a run for machine reading (``cgetrade run --json``)."""
    from .results import headline_deflator
    deflator, _ = headline_deflator(res)
    rows = {}
    for r in regions:
        rows[r] = {"cpi_pct": float(res["cpi_pct"].sel(region=r)),
                   "real_exchange_rate_pct": float(res["real_exchange_rate_pct"].sel(region=r)),
                   "real_gdp_pct": float(res["real_gdp_pct"].sel(region=r)),
                   "ev": float(res["ev"].sel(case="scenario", region=r)),
                   "ev_pct_income": float(res["ev_pct_income"].sel(case="scenario", region=r)),
                   "employment_change": float(res["employment_change"].sel(region=r).sum()),
                   "trade_balance_change": float(res["trade_balance_change"].sel(region=r))}
    return {"scenario": res.attrs.get("scenario"), "variant": res.attrs.get("variant"), "file": str(path),
            "cpi_deflator": deflator,
            "seconds": round(seconds, 2), "money_unit": res["ev"].attrs.get("units"),
            "solver_iterations": res.attrs.get("solver_iterations"),
            "max_residual": res.attrs.get("max_residual"), "regions": rows}


def cmd_list(args) -> int:
    """Shipped scenarios, their variants and the first line of their description."""
    import tomllib
    print(f"{'scenario':<26} {'variants (default)':<32} description")
    for path in _shipped():
        with open(path, "rb") as f:
            raw = tomllib.load(f)
        if "regimes" in raw:
            kinds = "policy: " + ", ".join(raw["regimes"])
        elif "instrument" in raw:
            kinds = f"optimal policy: {len(raw['instrument'])} instruments"
        else:
            var = raw.get("variants", [])
            kinds = ", ".join(var) + (f" ({raw.get('default_variant', var[0])})" if var else "") or "-"
        first = next((ln.strip() for ln in str(raw.get("description", "")).splitlines() if ln.strip()), "")
        print(f"{path.stem:<26} {kinds:<32} {first[:70]}")
    return 0


def cmd_policy(args) -> int:
    """A policy file: the static regime comparison (cgetrade.report.monetary.run_static_experiment)
    or, with ``--years``, the dynamic nominal block (run_experiment)."""
    from .errors import OptionsError, check_keys, read_toml
    path = _experiment_path(args.scenario or "inflation_targeting.toml")
    spec = read_toml(path, OptionsError)
    check_keys(spec, POLICY_KEYS, f"policy file {path.name}", OptionsError)
    for key in ("scenarios", "regions"):
        if key in spec and not spec[key]:
            raise OptionsError(f"empty '{key}' list in {path.name}")
    ds = _load_dataset(args.dataset)
    regions = spec.get("regions", ["USA", "EU", "JPN"])
    unknown = set(regions) - set(map(str, ds["region"].values))
    if unknown:
        raise OptionsError(f"unknown regions {sorted(unknown)} in {path.name}; regions: "
                           f"{list(map(str, ds['region'].values))}")
    if getattr(args, "years", None):
        from .dynamics import DynamicsError
        from .report.monetary import run_experiment
        try:
            run_experiment(spec, path.parent, ds, years=args.years, variant=args.variant, out=args.out or ".")
        except DynamicsError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0
    from .report.monetary import run_static_experiment
    run_static_experiment(spec, path.parent, ds, variant=args.variant, out=args.out or ".",
                          stem=spec.get("name", path.stem))
    return 0


def cmd_path(args) -> int:
    """Recursive-dynamic path: baseline calibration (or a stored baseline) and the scenario
    along its shock paths, results per year to netCDF and a plot."""
    import tomllib
    from . import calibrate
    from .dynamics import DynamicModel, DynamicsError, Periods, load_baseline, save_path
    from .dynamics.plot import plot_paths
    from .scenario import Scenario
    progress = Progress(getattr(args, "quiet", False))
    progress.step("reading the scenario and the dataset")
    path = _experiment_path(args.scenario)
    with open(path, "rb") as f:
        spec = tomllib.load(f).get("dynamics", {})
    try:
        scen = Scenario.from_toml(path, variant=args.variant)
        ds = _load_dataset(args.dataset)
        first = int(ds.attrs.get("year", 2011)) if getattr(args, "start", None) is None else args.start
        periods = Periods(first, args.to or spec.get("end", 2040), args.step or spec.get("step", 1))
        t0 = time.perf_counter()
        # the scenario's [model] and [closure] tables where scenarios carry them
        options = scen.calibration_options() if hasattr(scen, "calibration_options") else {}
        closure = scen.make_closure() if hasattr(scen, "make_closure") else None
        progress.step(f"calibrating and building the model of {periods.start}-{periods.end}")
        dyn = DynamicModel(calibrate(ds, **options), periods=periods, closure=closure)
        stored = Path(args.baseline) if args.baseline else None
        if stored is not None and stored.exists():
            base = load_baseline(stored)
            how = f"read from {stored}"
        else:
            progress.step("solving the baseline path, year by year")
            base = dyn.baseline()
            how = f"calibrated in {dyn.timing['baseline']:.1f} s"
            if stored is not None:
                save_path(base, stored)
                how += f", written to {stored}"
        progress.step("solving the scenario path, year by year")
        res = dyn.run(scen, base)
    except DynamicsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    stem = scen.name + (f"_{scen.variant}" if scen.variant else "")
    out = Path(args.out or f"{stem}_{periods.start}_{periods.end}.nc")
    save_path(res, out)
    print(f"path {stem} {periods.start}-{periods.end} (step {periods.step}): baseline {how}; policy "
          f"{dyn.timing['policy']:.1f} s, {int(res.iterations.sum())} solver iterations; "
          f"{time.perf_counter() - t0:.1f} s in all. Results: {out}")
    if not args.no_plot:
        png = out.with_suffix(".png")
        plot_paths(res, png)
        print(f"plot: {png}")
    print("prices relative to the numeraire (world export price index = 1 every year)\n")
    manuf = [i for i in scen.groups["sector"].get("manufacturing", []) if i in dyn.params.sectors]
    from .report.tables import path_table
    print(path_table(res, manuf))
    return 0


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
        from .report.tables import sobol_table, ssa_table
        if summary is not None:
            print(ssa_table(summary, out.region.values))
        if summary is not None and "ev_pct_income_sobol_first" in summary:
            print("\n" + sobol_table(summary))
    return 0 if ok else 1


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


def _positive_int(text: str) -> int:
    """A whole number >= 1 (argparse type)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {v}")
    return v


def _add_common(p, dataset=True, variant=True):
    if dataset:
        p.add_argument("--dataset", help="benchmark in any format (see check --dataset; default: shipped "
                                         "WIOD 2011 6x8); a GTAP data base brings its elasticities")
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
    c.add_argument("--dataset", help="benchmark in any format: netCDF, GTAP HAR folder or file, "
                                     "SAM CSV/Excel, OECD ICIO CSV (default: shipped WIOD 2011 6x8)")
    c.add_argument("--accounts", help="account types of a SAM (CSV: account,type)")
    c.add_argument("--labour-share", type=float, help="labour's share of value added (ICIO tables)")
    c.add_argument("--reference", action="store_true",
                   help="replicate the textbook reference models (SPLCGE, STDCGE, TWOCGE) and "
                        "compare with their published results")
    r = sub.add_parser("run", help="solve the baseline and a scenario, write netCDF results")
    r.add_argument("scenario", nargs="?", help=f"scenario name or TOML file (default: {DEFAULT_EXPERIMENT}; "
                                               "see cgetrade list)")
    _add_common(r)
    r.add_argument("--out", help="output netCDF path (default: <scenario>_<variant>[_<closure>].nc)")
    r.add_argument("--accounts", help="account types of a SAM (CSV: account,type)")
    r.add_argument("--labour-share", type=float, help="labour's share of value added (ICIO tables)")
    r.add_argument("--closure", choices=["short_run", "medium_run", "long_run", "gtap7"],
                   help="closure preset by horizon, or gtap7 (GTAP's standard closure with a GTAP data "
                        "base's ETRAE, SLUG, RORDELTA) (default: the scenario's [closure], else the static "
                        "closure: factors fully mobile, capital stock fixed, labour flexible)")
    r.add_argument("--gtap-names", action="store_true",
                   help="also write the changes under GTAP's names (qo, qxs, pms, qgdp, u, EV, pfactwld, ...)")
    r.add_argument("--private-demand", choices=["ces", "cde"],
                   help="household demand: ces (the default basket, Cobb-Douglas) or cde (GTAP's CDE "
                        "with INCPAR/SUBPAR of a GTAP data base)")
    r.add_argument("--skills", action=argparse.BooleanOptionalAction, default=None,
                   help="labour by skill (high, medium, low) from the socio-economic accounts")
    r.add_argument("--va-nest", choices=["flat", "capital_skill"],
                   help="value-added nest (capital_skill: capital with high-skill labour; needs --skills)")
    r.add_argument("--json", action="store_true", help="print the headline numbers as JSON (no tables)")
    r.add_argument("--years", type=_years, metavar="FIRST:LAST[:STEP]",
                   help="recursive-dynamic path, e.g. 2011:2040 (as cgetrade path; FIRST = the data year)")
    rep = sub.add_parser("report", help="an HTML report (tables and plots) from a results file")
    rep.add_argument("results", nargs="+", help="results netCDF of cgetrade run (several: a comparison)")
    rep.add_argument("--out", help="output HTML path (default: <results>.html)")
    rep.add_argument("-q", "--quiet", action="store_true")
    pol = sub.add_parser("policy", help="compare monetary regimes for a shock (inflation targeting)")
    pol.add_argument("scenario", nargs="?", help="policy TOML (default: inflation_targeting.toml)")
    pol.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    pol.add_argument("--variant", help="variant of the scenarios (default: the file's)")
    pol.add_argument("--out", help="output directory (default: current directory)")
    pol.add_argument("--years", type=functools.partial(_years, step=False), metavar="FIRST:LAST",
                     help="the dynamic monetary block over these years, e.g. 2025:2035 (the "
                          "file's [dynamic] table); without it: the static regime comparison")
    sw = sub.add_parser("sweep", help="a scenario at a grid of shock sizes (Dask or serial)")
    sw.add_argument("scenario", help="scenario name or TOML file")
    _add_common(sw)
    sw.add_argument("--scale", type=float, nargs="+", default=[0.25, 0.5, 1.0, 1.5, 2.0],
                    help="multiples of the scenario's shocks (default: 0.25 0.5 1 1.5 2)")
    sw.add_argument("--workers", type=_positive_int, default=1, help="Dask worker processes (1: serial)")
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
    ss.add_argument("--workers", type=_positive_int, default=1, help="Dask worker processes (1: serial)")
    ss.add_argument("--scheduler", help="address of an existing Dask scheduler")
    ss.add_argument("--out", help="output netCDF (default: <scenario>_<variant>_ssa.nc)")
    dyn = sub.add_parser("path", help="recursive-dynamic path: baseline and scenario per year")
    dyn.add_argument("scenario", help="scenario TOML (shocks may have paths; optional [dynamics] table)")
    dyn.add_argument("--to", type=int, help="last year (default: the file's [dynamics] end, else 2040)")
    dyn.add_argument("--step", type=_positive_int, help="years per period (default 1)")
    dyn.add_argument("--variant", help="scenario variant (default: the file's)")
    dyn.add_argument("--dataset", help="benchmark netCDF or shipped name, e.g. wiod2011_13x8 (default: shipped "
                                       "WIOD 2011 6x8); its projections: <name>_dynamics.toml beside it, "
                                       "else the default dataset's")
    dyn.add_argument("--baseline", help="baseline netCDF: read if it exists, else computed and written")
    dyn.add_argument("--out", help="output netCDF (default: <scenario>_<variant>_<from>_<to>.nc)")
    dyn.add_argument("--no-plot", action="store_true", help="do not write the PNG of the paths")
    ex = sub.add_parser("export", help="a results file as a tidy table (CSV, Excel): one row per value")
    ex.add_argument("results", help="results netCDF of cgetrade run, path, ssa, sweep or optimal")
    ex.add_argument("--csv", help="output CSV path")
    ex.add_argument("--xlsx", help="output Excel path (sheets: values, attributes)")
    ex.add_argument("-q", "--quiet", action="store_true")
    op = sub.add_parser("optimal", help="optimal tariffs and subsidies over the equilibrium (Ipopt)")
    op.add_argument("problem", nargs="?", help="policy-problem TOML (default: industrial_policy_optimum)")
    op.add_argument("--dataset", help="benchmark netCDF (default: shipped WIOD 2011 6x8)")
    op.add_argument("--out", help="output netCDF (default: <problem>.nc)")
    op.add_argument("-q", "--quiet", action="store_true")
    d = sub.add_parser("data", help="build, aggregate and describe datasets from your own data")
    dsub = d.add_subparsers(dest="data_command")
    b = dsub.add_parser("build", help="read any supported source, aggregate, write netCDF")
    b.add_argument("--source", required=True, help="netCDF, GTAP HAR folder or file, SAM CSV/Excel, "
                                                   "OECD ICIO CSV, or wiod1995 ... wiod2011 (the packaged "
                                                   "WIOD world table of that year with the socio-economic "
                                                   "accounts; needs --regions and --sectors)")
    b.add_argument("--regions", help="region concordance (CSV or TOML)")
    b.add_argument("--sectors", help="sector concordance (CSV or TOML)")
    b.add_argument("--accounts", help="account types of a SAM (CSV: account,type)")
    b.add_argument("--labour-share", type=float, help="labour's share of value added (ICIO tables)")
    b.add_argument("--intra-regional-trade", action=argparse.BooleanOptionalAction, default=None,
                   help="keep trade between the members of an aggregated region as the region's trade "
                        "with itself, with its own Armington sourcing, tariffs and margins (default: on "
                        "for GTAP data and datasets that have it, off for WIOD); --no-intra-regional-trade "
                        "folds it into domestic use")
    b.add_argument("--out", required=True, help="output netCDF (elasticities beside it as TOML)")
    ds_ = dsub.add_parser("describe", help="sizes, totals, shares and validation of a dataset")
    ds_.add_argument("dataset", help="dataset in any supported format")
    ds_.add_argument("--accounts", help="account types of a SAM (CSV: account,type)")
    ds_.add_argument("--labour-share", type=float, help="labour's share of value added (ICIO tables)")
    ds_.add_argument("--csv", help="also write the tables as CSV files with this path prefix")
    args = parser.parse_args(argv)
    if args.command == "data" and args.data_command is None:
        d.print_help()
        return 2
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "list":
        return cmd_list(args)
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
                "report": cmd_report, "path": cmd_path, "optimal": cmd_optimal, "export": cmd_export,
                "data": cmd_data}[args.command](args)
    except KeyboardInterrupt:          # Ctrl-C: one line, no traceback; writers leave no partial file
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        return _report_error(err)


def cmd_export(args) -> int:
    """A results file as a tidy table (one row per value, with units) in CSV and/or Excel."""
    from .report.export import export
    if not (args.csv or args.xlsx):
        raise FileNotFoundError("give --csv PATH and/or --xlsx PATH")
    table = export(args.results, csv=args.csv, xlsx=args.xlsx)
    if not args.quiet:
        print(f"{args.results}: {len(table):,} values of {table.variable.nunique()} variables -> "
              + " and ".join(p for p in (args.csv, args.xlsx) if p))
    return 0


def cmd_optimal(args) -> int:
    """The optimal-policy problem of a problem file (cgetrade.optimal), its tables and netCDF."""
    from .optimal import solve_problem
    from .report.optimal import optimum_markdown
    from .results import save
    progress = Progress(args.quiet)
    path = _experiment_path(args.problem or "industrial_policy_optimum")
    ds = solve_problem(path, dataset=_load_dataset(args.dataset) if args.dataset else None,
                       progress=progress.step)
    out = Path(args.out or f"{ds.attrs['problem']}.nc")
    progress.step("writing results")
    save(ds, out)
    if not args.quiet:
        print(f"{ds.attrs['problem']} (state: {ds.attrs['scenario']} {ds.attrs['variant']}); "
              f"{progress.total():.1f} s; results written to {out}\n")
        print(optimum_markdown(ds, "simple"))
    return 0


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
