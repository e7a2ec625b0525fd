"""Systematic sensitivity analysis (SSA) and scenario sweeps, serial or on Dask.

SSA over elasticities (GEMPACK's convention, Arndt 1996; Pearson and Arndt 2000): each
varied elasticity ``sigma`` (every sector's value of it, moved together) is
``sigma_j (1 + spread z)`` with z symmetric on [-1, 1], uniform or triangular. Two ways to
draw:

* ``quadrature``: Stroud's degree-3 rule (Stroud 1957; used for CGE models by Arndt 1996
  and Liu 1997): 2N points for N independent symmetric variables with equal weights 1/(2N),
  point j (j = 1..2N) has standardised coordinates
  gamma_{2i-1} = sqrt(2) cos((2i-1) j pi / N), gamma_{2i} = sqrt(2) sin((2i-1) j pi / N)
  (i = 1..floor(N/2)), gamma_N = (-1)^j for odd N, scaled by the standard deviation of z
  (uniform: 1/sqrt(3), triangular: 1/sqrt(6)). Means are exact for results that are
  polynomials of degree <= 3 in the parameters, variances for linear results.
* ``montecarlo``: independent draws of z (numpy's generator, ``seed``).
* ``sobol``: Saltelli's quasi-random design for Sobol indices (SALib; N (D + 2) draws for a
  base sample N and D parameters); :func:`sobol_indices` gives first-order and total indices
  (the share of a result's variance due to one elasticity alone, and with its interactions).

A scenario sweep solves one scenario at several sizes (multiples ``s`` of every shock:
parameter = start + s (final - start)).

Each worker (a Dask process, or this process when serial) keeps its models in a cache: a
sweep or an SSA builds and compiles one model per worker and solves every case from the
previous case's solution (warm start); elasticities are parameters of the compiled model, so
an SSA draw only sets them (a new model only for a draw that changes an elasticity's
functional form, e.g. away from Cobb-Douglas). A draw that fails is kept with its error
(``draw_status``, ``draw_error``) and NaN results, never dropped.

Results: an xarray Dataset with a ``draw`` dimension holding every ``_pct`` / ``_change``
variable of :func:`cgetrade.results.compare` and the variables that are changes already
(``ev``, ``ev_pct_income``);
:func:`summarise` gives mean, standard deviation and a 90 % interval (``p05``, ``p95``:
empirical percentiles of Monte Carlo draws, mean -/+ 1.645 sd for quadrature).
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from .. import metadata

SHAPES = {"uniform": 1 / math.sqrt(3), "triangular": 1 / math.sqrt(6)}   # sd of z on [-1, 1]
PARAMETERS = ("sigma_d", "sigma_m", "sigma_va", "sigma_top")
METHODS = ("quadrature", "montecarlo", "sobol")


class SweepError(ValueError):
    """An impossible sensitivity analysis or sweep (unknown parameter, range, method)."""


metadata.register("draw_status", "outcome of the draw's solve (ok or failed)", "1", "change")
metadata.register("draw_error", "error message of a failed draw (empty if solved)", "1", "change")
metadata.register("draw_weight", "weight of the draw in means and variances", "1", "change")
metadata.register("multiplier", "multiplier of the elasticity in the draw (1 = central value)", "1",
                  "change")
metadata.register("shock_scale", "multiple of the scenario's shocks", "1", "change")
metadata.register("solver_iterations", "Ipopt iterations of the scenario solve", "1", "change")
metadata.register("solve_seconds", "wall time of the draw on its worker", "s", "change")


@dataclass(frozen=True)
class Distribution:
    """Elasticity ``name`` times (1 + spread z), z symmetric on [-1, 1] (``shape``), in every
    sector, or only in ``sector`` (independent draws by sector)."""
    name: str
    shape: str = "triangular"
    spread: float = 0.5
    sector: str | None = None

    @property
    def label(self) -> str:
        return self.name + (f"[{self.sector}]" if self.sector else "")

    def __post_init__(self):
        if self.name not in PARAMETERS:
            raise SweepError(f"unknown elasticity {self.name!r}; known: {', '.join(PARAMETERS)}")
        if self.shape not in SHAPES:
            raise SweepError(f"unknown distribution {self.shape!r}; known: {', '.join(SHAPES)}")
        if not 0 < self.spread < 1:
            raise SweepError(f"spread of {self.name} must be in (0, 1) (elasticities stay positive), "
                             f"got {self.spread}")

    @property
    def sd(self) -> float:
        """Standard deviation of the multiplier."""
        return self.spread * SHAPES[self.shape]

    def sample(self, rng, n) -> np.ndarray:
        if self.shape == "uniform":
            z = rng.uniform(-1.0, 1.0, n)
        else:
            z = rng.triangular(-1.0, 0.0, 1.0, n)
        return 1.0 + self.spread * z

    def quantile(self, u) -> np.ndarray:
        """Multiplier at probability u (inverse CDF), for quasi-random designs."""
        u = np.asarray(u, float)
        if self.shape == "uniform":
            z = 2.0 * u - 1.0
        else:
            z = np.where(u < 0.5, -1.0 + np.sqrt(2.0 * u), 1.0 - np.sqrt(2.0 * (1.0 - u)))
        return 1.0 + self.spread * z


def stroud3(n: int) -> np.ndarray:
    """Stroud's degree-3 points (2n x n), standardised (mean 0, variance 1 per coordinate)."""
    if n < 1:
        raise SweepError("quadrature needs at least one varied parameter")
    pts = np.zeros((2 * n, n))
    for j in range(1, 2 * n + 1):
        for i in range(1, n // 2 + 1):
            pts[j - 1, 2 * i - 2] = math.sqrt(2) * math.cos((2 * i - 1) * j * math.pi / n)
            pts[j - 1, 2 * i - 1] = math.sqrt(2) * math.sin((2 * i - 1) * j * math.pi / n)
        if n % 2:
            pts[j - 1, n - 1] = (-1) ** j
    return pts


def design(dists, method: str = "quadrature", draws: int = 64, seed: int = 0):
    """Multipliers (draw x parameter) and weights (draw) of an SSA."""
    if method not in METHODS:
        raise SweepError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    names = [d.label for d in dists]
    if len(set(names)) != len(names):
        raise SweepError(f"each elasticity may be varied once, got {names}")
    if method == "quadrature":
        mult = 1.0 + stroud3(len(dists)) * np.array([d.sd for d in dists])
    elif method == "sobol":
        from SALib.sample import sobol as saltelli
        if draws < 2 or draws & (draws - 1):
            raise SweepError(f"Sobol analysis needs a power of two as base sample size, got {draws}")
        u = saltelli.sample(_sobol_problem(names), draws, calc_second_order=False, seed=seed)
        mult = np.column_stack([d.quantile(u[:, k]) for k, d in enumerate(dists)])
    else:
        if draws < 2:
            raise SweepError("Monte Carlo needs at least 2 draws")
        rng = np.random.default_rng(seed)
        mult = np.column_stack([d.sample(rng, draws) for d in dists])
    return mult, np.full(len(mult), 1.0 / len(mult))


def _sobol_problem(names) -> dict:
    """SALib problem on the unit cube (inputs are mapped to multipliers by inverse CDFs)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def sobol_indices(ssa: xr.Dataset, variables=("ev_pct_income", "real_gdp_pct", "cpi_pct")) -> xr.Dataset:
    """First-order and total Sobol indices (Saltelli 2010 estimators, SALib) of region-level
    results of an SSA run with ``method="sobol"``: ``<var>_sobol_first``,
    ``<var>_sobol_total`` (parameter, region)."""
    from SALib.analyze import sobol
    if ssa.attrs.get("method") != "sobol":
        raise SweepError("Sobol indices need an SSA run with method='sobol'")
    if bool((ssa.draw_status != "ok").any()):
        raise SweepError("Sobol indices need every draw solved; failed: "
                         f"{int((ssa.draw_status != 'ok').sum())} of {ssa.sizes['draw']}")
    names = [str(p) for p in ssa.parameter.values]
    problem = _sobol_problem(names)
    out = {}
    for v in variables:
        if v not in ssa or set(ssa[v].dims) != {"draw", "region"}:
            continue
        first, total = [], []
        for r in ssa.region.values:
            y = ssa[v].sel(region=r).transpose("draw").values
            if np.ptp(y) == 0:                   # no variance: no index
                first.append(np.full(len(names), np.nan))
                total.append(np.full(len(names), np.nan))
                continue
            res = sobol.analyze(problem, y, calc_second_order=False, seed=0)
            first.append(res["S1"])
            total.append(res["ST"])
        out[f"{v}_sobol_first"] = (("region", "parameter"), np.array(first))
        out[f"{v}_sobol_total"] = (("region", "parameter"), np.array(total))
    return xr.Dataset(out, coords={"region": ssa.region.values, "parameter": names})


# --- one worker -------------------------------------------------------------------------------

_local = threading.local()          # per worker process / thread: model cache and last solution


def _cache() -> dict:
    if not hasattr(_local, "models"):
        _local.models = {}
    return _local.models


def _fingerprint(dataset) -> str:
    """Content hash of a dataset (labels and values): the cache key of its models."""
    h = hashlib.sha1()
    for name in sorted(dataset.variables):
        h.update(str(name).encode())
        h.update(np.ascontiguousarray(dataset[name].values).tobytes())
    return h.hexdigest()


def _elasticities(base, sectors, multipliers: tuple) -> dict:
    """{name: values by sector} of every elasticity an SSA may vary: the table ``base``'s
    values times the draw's multipliers."""
    factor = {(name, s): 1.0 for name, _, _ in multipliers for s in sectors}
    for name, sector, m in multipliers:
        for s in ([sector] if sector else sectors):
            factor[name, s] *= m
    return {name: [base.value(name, s) * factor.get((name, s), 1.0) for s in sectors]
            for name in PARAMETERS}


def _model(dataset, multipliers: tuple, closure=None, options: tuple = ()):
    """A solved baseline model with these elasticity multipliers and the scenario's
    calibration ``options`` (its ``[model]`` table: skills, va_nest), cached on the worker.

    Elasticities are parameters of the compiled model (CGEModel.set_elasticities): every
    draw reuses the worker's model of this dataset and closure; only a draw that changes an
    elasticity's functional form (to or from Cobb-Douglas or Leontief) gets a model of its
    own, cached by those forms."""
    from .. import CGEModel, calibrate
    from ..calibrate import Elasticities
    from ..model import ELASTICITIES, elasticity_forms
    from ..results import collect
    key = (_fingerprint(dataset), repr(closure), options)
    cache = _cache()
    if key not in cache:
        table = Elasticities.gtap_default()
        cache[key] = {"params": calibrate(dataset, table, **dict(options)), "table": table, "forms": {}}
    family = cache[key]
    values = _elasticities(family["table"], [str(s) for s in dataset["sector"].values], multipliers)
    central = family["params"]
    forms = repr(elasticity_forms({k: values[k] if k in values else central[k] for k in ELASTICITIES}))
    entry = family["forms"].get(forms)
    if entry is None:
        trial = type(central)(data=central.data.assign(
            {k: (central.data[k].dims, np.asarray(v, float)) for k, v in values.items()}),
            dataset=central.dataset)
        model = CGEModel(trial, closure)
        model.solve()
        if len(family["forms"]) > 4:               # keep a few functional forms
            family["forms"].pop(next(iter(family["forms"])))
        entry = family["forms"][forms] = {"model": model, "x0": model.nlp.x_from_model()}
        entry["base"], entry["base_values"] = collect(model), values
    model = entry["model"]
    if entry["base_values"] != values:
        model.set_elasticities(**values)           # same forms: parameters only, no recompile
        model.nlp.to_model(entry["x0"])
        model.solve()                              # the benchmark: a residual check
        x = model.nlp.x_from_model()
        if np.max(np.abs(x - entry["x0"])) > 1e-12:    # a baseline that moved with the elasticities
            entry["base"], entry["x0"] = collect(model), x
        entry["base_values"] = values
    return entry


def _changes(base, scen) -> dict:
    """The changes of :func:`cgetrade.results.compare` (same formulas, on the arrays), without
    the levels: {"vars": {name: (dims, values)}, "coords": {name: Variable}}; :func:`_gather`
    stacks the draws into one Dataset and adds the metadata once."""
    out = {}
    for k, da in base.data_vars.items():
        kind = metadata.kind(k)
        b, s = da.values, scen[k].values
        if kind in ("level", "count"):
            with np.errstate(divide="ignore", invalid="ignore"):
                out[f"{k}_pct"] = (da.dims, 100.0 * (s / np.where(b != 0, b, np.nan) - 1.0))
        if kind in ("rate", "balance", "count"):
            out[f"{k}_change"] = (da.dims, (100.0 if kind == "rate" else 1.0) * (s - b))
        if kind == "change":                   # already a change from the baseline (EV)
            out[k] = (da.dims, s)
    used = {d for dims, _ in out.values() for d in dims}
    coords = {k: c.variable for k, c in base.coords.items() if set(c.dims) <= used}
    return {"vars": out, "coords": coords}


def _solve_case(dataset, scenario, multipliers: tuple, scale: float, closure=None, options: tuple = ()) -> dict:
    """Solve one draw (elasticity multipliers) or sweep case (shock scale) on this worker."""
    from ..results import collect
    from ..solve import SolveError
    t0 = time.perf_counter()
    entry, ends = None, None
    try:
        entry = _model(dataset, multipliers, closure, options)
        model = entry["model"]
        model.nlp.to_model(entry["x0"])
        key = (scenario.name, scenario.variant, repr(scenario.shocks))
        if key not in entry.setdefault("ends", {}):
            entry["ends"][key] = scenario.endpoints(model)      # (baseline, shocked) parameters
        ends = entry["ends"][key]
        sol, err = None, None
        warm = getattr(_local, "last_x", None)
        if warm is not None and len(warm) == len(entry["x0"]):
            model.nlp.to_model(warm)             # the previous draw's or case's solution
            scenario.move(model, *ends, scale)
            try:
                sol = model.solve()
            except SolveError as e:
                err = e
        steps = 1
        while sol is None and steps <= 8:        # from the baseline, by continuation if needed
            model.nlp.to_model(entry["x0"])
            try:
                for k in range(1, steps + 1):
                    scenario.move(model, *ends, scale * k / steps)
                    sol = model.solve()
            except SolveError as e:
                sol, err, steps = None, e, steps * 2
        if sol is None:
            raise err
        out = _changes(entry["base"], collect(model))
        _local.last_x = model.nlp.x_from_model()
        return {"status": "ok", "error": "", "result": out, "iterations": sol.iterations,
                "seconds": time.perf_counter() - t0}
    except Exception as err:                     # recorded with the draw, never dropped
        return {"status": "failed", "error": f"{type(err).__name__}: {err}", "result": None,
                "iterations": -1, "seconds": time.perf_counter() - t0}
    finally:
        if entry is not None:                    # leave the cached model at its baseline
            if ends is not None:
                scenario.move(entry["model"], *ends, 0.0)
            entry["model"].nlp.to_model(entry["x0"])


# --- running many -----------------------------------------------------------------------------

def _map(func, args_list, workers: int = 1, scheduler: str | None = None, progress: bool = False):
    """Apply func to each argument tuple: serially, on a local Dask cluster of ``workers``
    processes, or on the Dask scheduler at ``scheduler`` ("threads" / "synchronous": dask's
    local schedulers, no cluster)."""
    from ..progress import Progress
    n = len(args_list)
    bar = Progress(quiet=not progress)
    bar.start_count()

    def report(done):
        """Progress over the outcomes so far: how many were tried, how many failed."""
        done = [o for o in done if o is not None]
        failed = sum(1 for o in done if isinstance(o, dict) and o.get("status") == "failed")
        bar.count(len(done), n, f"done, {len(done) - failed} solved" + (f", {failed} failed" if failed else ""))
    if scheduler is None and workers <= 1:
        out = []
        for k, a in enumerate(args_list):
            out.append(func(*a))
            if progress and ((k + 1) % max(1, n // 10) == 0 or k + 1 == n):
                report(out)
        return out, {"scheduler": "serial", "workers": 1}
    if scheduler in ("threads", "synchronous"):
        import dask
        tasks = [dask.delayed(func)(*a) for a in args_list]
        out = list(dask.compute(*tasks, scheduler=scheduler, num_workers=max(workers, 1)))
        report(out)
        return out, {"scheduler": f"dask {scheduler}", "workers": workers if scheduler == "threads" else 1}
    from dask.distributed import Client, LocalCluster, as_completed
    cluster = None
    if scheduler is None:
        import logging
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        nworkers = len(client.scheduler_info()["workers"])
        futures = [client.submit(func, *a, pure=False) for a in args_list]
        index = {f.key: k for k, f in enumerate(futures)}
        out = [None] * n
        for done, fut in enumerate(as_completed(futures), 1):
            out[index[fut.key]] = fut.result()
            if progress and (done % max(1, n // 10) == 0 or done == n):
                report(out)
        return out, {"scheduler": f"dask {'LocalCluster' if cluster else scheduler}", "workers": nworkers}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _gather(outcomes, dim_coords: dict, extra: dict, attrs: dict) -> xr.Dataset:
    template = next((o["result"] for o in outcomes if o["result"] is not None), None)
    if template is None:
        raise SweepError("every draw failed; first error: " + outcomes[0]["error"])
    n = len(outcomes)
    data = {}
    for k, (dims, values) in template["vars"].items():      # failed draws: NaN
        gap = np.full(np.shape(values), np.nan)
        data[k] = (("draw",) + tuple(dims), np.stack([o["result"]["vars"][k][1] if o["result"] is not None
                                                      else gap for o in outcomes]))
    ds = xr.Dataset(data, coords={**template["coords"], "draw": np.arange(n)})
    ds["draw_status"] = ("draw", np.array([o["status"] for o in outcomes], dtype=object))
    ds["draw_error"] = ("draw", np.array([o["error"] for o in outcomes], dtype=object))
    ds["solver_iterations"] = ("draw", np.array([o["iterations"] for o in outcomes]))
    ds["solve_seconds"] = ("draw", np.array([o["seconds"] for o in outcomes]))
    for k, v in extra.items():
        ds[k] = v
    ds = ds.assign_coords(dim_coords)
    ds.attrs.update(attrs)
    return metadata.describe(ds)


def _setup(scenario, closure=None):
    """The closure (the scenario's own unless one is given) and the calibration options of
    the scenario's ``[model]`` table, so that every draw solves the model ``run`` solves."""
    if closure is None and hasattr(scenario, "make_closure"):
        closure = scenario.make_closure()
    options = scenario.calibration_options() if hasattr(scenario, "calibration_options") else {}
    return closure, tuple(sorted(options.items()))


def run_ssa(dataset, scenario, dists, method: str = "quadrature", draws: int = 64, seed: int = 0,
            workers: int = 1, scheduler: str | None = None, closure=None, progress: bool = False,
            by_sector: bool = False) -> xr.Dataset:
    """SSA of ``scenario`` on ``dataset`` over the elasticity distributions ``dists``; with
    ``by_sector`` each sector's elasticity is an independent variable (N x sectors of them)."""
    from .. import __version__
    dists = list(dists)
    sectors = [str(s) for s in dataset["sector"].values]
    unknown = [d.sector for d in dists if d.sector and d.sector not in sectors]
    if unknown:
        raise SweepError(f"unknown sector(s) {unknown}; known: {sectors}")
    if by_sector:
        dists = [Distribution(d.name, d.shape, d.spread, s) for d in dists if not d.sector for s in sectors] \
            + [d for d in dists if d.sector]
    mult, weights = design(dists, method, draws, seed)
    names = [d.label for d in dists]
    closure, options = _setup(scenario, closure)
    args = [(dataset, scenario, tuple((d.name, d.sector, float(m)) for d, m in zip(dists, row)), 1.0, closure,
             options) for row in mult]
    t0 = time.perf_counter()
    outcomes, how = _map(_solve_case, args, workers, scheduler, progress)
    wall = time.perf_counter() - t0
    attrs = {"analysis": f"systematic sensitivity analysis ({method})", "method": method,
             "distributions": "; ".join(f"{d.label} x (1 + {d.spread:g} z), z {d.shape} on [-1, 1]"
                                        for d in dists),
             "by_sector": int(by_sector),
             "scenario": scenario.name, "variant": scenario.variant, "dataset": dataset.attrs.get("title", ""),
             "money_unit": metadata.money_unit(dataset.attrs), "base_year": str(dataset.attrs.get("year", "")),
             "cgetrade_version": __version__, "scheduler": how["scheduler"], "workers": how["workers"],
             "wall_seconds": wall, "draws_per_minute": 60 * len(mult) / wall,
             "interval": ("90 %: mean -/+ 1.645 sd (normal approximation)" if method == "quadrature"
                          else "90 %: 5th and 95th percentiles of the draws"),
             "seed": seed if method != "quadrature" else "",
             "sobol_base_sample": draws if method == "sobol" else ""}
    extra = {"multiplier": (("draw", "parameter"), mult), "draw_weight": ("draw", weights)}
    return _gather(outcomes, {"parameter": names}, extra, attrs)


def run_sweep(dataset, scenario, scales, workers: int = 1, scheduler: str | None = None, closure=None,
              progress: bool = False) -> xr.Dataset:
    """``scenario`` at each multiple in ``scales`` of its shocks (one model per worker, warm starts)."""
    from .. import __version__
    scales = [float(s) for s in scales]
    if not scales:
        raise SweepError("a sweep needs at least one shock scale")
    closure, options = _setup(scenario, closure)
    args = [(dataset, scenario, (), s, closure, options) for s in scales]
    t0 = time.perf_counter()
    outcomes, how = _map(_solve_case, args, workers, scheduler, progress)
    wall = time.perf_counter() - t0
    attrs = {"analysis": "scenario sweep over shock sizes", "scenario": scenario.name,
             "variant": scenario.variant, "dataset": dataset.attrs.get("title", ""),
             "money_unit": metadata.money_unit(dataset.attrs), "base_year": str(dataset.attrs.get("year", "")),
             "cgetrade_version": __version__, "scheduler": how["scheduler"], "workers": how["workers"],
             "wall_seconds": wall, "draws_per_minute": 60 * len(scales) / wall}
    return _gather(outcomes, {"shock_scale": ("draw", scales)}, {}, attrs)


def summarise(ssa: xr.Dataset) -> xr.Dataset:
    """Mean, standard deviation and 90 % interval of every result over the solved draws."""
    ok = ssa["draw_status"] == "ok"
    ds = ssa.where(ok, drop=True) if bool((~ok).any()) else ssa
    w = ds["draw_weight"] / ds["draw_weight"].sum() if "draw_weight" in ds else None
    keep = [v for v in ds.data_vars if "draw" in ds[v].dims and ds[v].dtype.kind == "f"
            and v not in ("draw_weight", "multiplier", "solve_seconds")]
    out = {}
    for v in keep:
        da = ds[v]
        mean = (da * w).sum("draw") if w is not None else da.mean("draw")
        sd = np.sqrt(((da - mean) ** 2 * w).sum("draw")) if w is not None else da.std("draw")
        if ssa.attrs.get("method") == "quadrature":
            lo, hi = mean - 1.645 * sd, mean + 1.645 * sd
        else:
            with warnings.catch_warnings():       # results undefined in every draw stay NaN
                warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                lo, hi = da.quantile(0.05, "draw", skipna=True), da.quantile(0.95, "draw", skipna=True)
            lo, hi = lo.drop_vars("quantile"), hi.drop_vars("quantile")
        out[v] = xr.concat([mean, sd, lo, hi], dim=xr.DataArray(["mean", "std", "p05", "p95"], dims="statistic"))
        out[v].attrs = dict(da.attrs)
    res = xr.Dataset(out, attrs=dict(ssa.attrs, draws_solved=int(ok.sum()), draws=int(ssa.sizes["draw"])))
    return metadata.describe(res)
