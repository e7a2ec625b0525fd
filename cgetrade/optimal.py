"""Policy as an optimisation over the equilibrium: the best tariffs and subsidies.

Given a state of the world economy (e.g. China's process), which rates of a set of policy
instruments u (tariffs, production subsidies) maximise the welfare of a group of regions,
optionally subject to keeping their manufacturing jobs?

    max_u   W(u) = sum_{r in G} EV_r(x(u)) / sum_{r in G} EV0_r          (share of income)
    s.t.    g(x(u), u) = 0                                    (the CGE equilibrium)
            sum_{j in manuf} persons_jr(x(u)) >= N_r          (r in G; optional jobs floor)
            u_lo <= u <= u_hi

Each instrument moves a set of model parameters together (a tariff on all of a region's
imports of a sector from China, a production subsidy of a sector): tau_cell = tau0_cell +
u_k. The problem is solved in the reduced space of the instruments by Ipopt (cyipopt, a
limited-memory Hessian). Every evaluation solves the equilibrium warm-started from the last
one (Newton with a sparse LU); derivatives come from the implicit function theorem on the
compiled equilibrium:

    dh/du = dh/dp V - lambda^T (dg/dp V),     (dg/dx)^T lambda = (dh/dx)^T

(V: the parameter directions of the instruments; h: welfare and jobs). No finite differences.
The optimum is a local one; it is checked against the enacted rates (which are admissible
starting points) and the first-order conditions hold at Ipopt's tolerance.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from .errors import InputError
from .scenario import Shock

#: the instrument kinds and the admissible range of the rate change u (additive)
INSTRUMENT_KINDS = {"tariff": (0.0, 2.0), "production_tax": (-0.5, 0.5), "export_tax": (-0.5, 2.0)}


class PolicyError(InputError):
    """An optimal-policy problem is ill-posed: unknown instruments, regions or bounds."""


@dataclass
class Instrument:
    """A policy lever: the parameters of ``shock`` (its kind, regions, sectors, sources) move
    together by u in [lower, upper]; ``enacted`` is the rate change in force (if any)."""
    shock: Shock
    lower: float
    upper: float
    enacted: float | None = None
    label: str = ""

    def __post_init__(self):
        if self.shock.kind not in INSTRUMENT_KINDS:
            raise PolicyError(f"a {self.shock.kind} shock is not a policy instrument; "
                              f"instruments: {', '.join(INSTRUMENT_KINDS)}")
        lo, hi = INSTRUMENT_KINDS[self.shock.kind]
        if not lo <= self.lower <= self.upper <= hi:
            raise PolicyError(f"bounds of instrument {self.label or self.shock.kind} must satisfy "
                              f"{lo} <= lower <= upper <= {hi}, got [{self.lower}, {self.upper}]")
        if self.enacted is not None and not self.lower <= self.enacted <= self.upper:
            raise PolicyError(f"enacted rate {self.enacted} of {self.label} outside its bounds "
                              f"[{self.lower}, {self.upper}]")
        if not self.label:
            s = self.shock
            where = "/".join(s.region) + (f"<-{'/'.join(s.source)}" if s.source != ["*"] else "")
            self.label = f"{s.kind} {'/'.join(s.sector)} {where}"


@dataclass
class Optimum:
    rates: np.ndarray             # u at the optimum
    welfare: float                # W (% of the group's benchmark income)
    jobs: np.ndarray              # manufacturing persons by group region (thousand)
    status: str
    iterations: int
    evaluations: int
    seconds: float


class PolicyProblem:
    """The reduced-space problem of the module docstring on a solved ``model``.

    ``regions``: the group G whose welfare counts (each region's EV in USD of the base year,
    summed); ``jobs_floor``: {region: thousand persons} of manufacturing employment to keep
    (None: no constraint); ``sectors``: the manufacturing sectors.
    """

    def __init__(self, model, instruments, regions, sectors, jobs_floor=None, groups=None):
        m = model.pyomo
        unknown = [r for r in regions if r not in m.R_idx]
        if unknown:
            raise PolicyError(f"unknown region(s) {unknown} in the policy group; regions: {list(m.R)}")
        bad = [j for j in sectors if j not in m.I_idx]
        if bad:
            raise PolicyError(f"unknown sector(s) {bad}; sectors: {list(m.I)}")
        if not instruments:
            raise PolicyError("no instruments to optimise")
        if jobs_floor is not None:
            stray = sorted(set(jobs_floor) - set(regions))
            if stray:
                raise PolicyError(f"jobs floor for region(s) {stray} outside the policy group {list(regions)}")
        self.model, self.instruments = model, list(instruments)
        self.regions, self.sectors = list(regions), list(sectors)
        self.floor_regions = sorted(jobs_floor, key=self.regions.index) if jobs_floor else []
        self.floor = np.array([float(jobs_floor[r]) for r in self.floor_regions])
        nlp = model.nlp
        position = {id(q): k for k, q in enumerate(nlp.param_data)}
        self.cells, V = [], np.zeros((len(nlp.param_data), len(self.instruments)))
        for k, ins in enumerate(self.instruments):
            cells = []
            for name, idx, _, _ in ins.shock.resolve(model, groups):
                data = getattr(m, name)[idx]
                cells.append((data, pyo.value(data)))
                V[position[id(data)], k] = 1.0
            if not cells:
                raise PolicyError(f"instrument {ins.label} moves no parameter (no such trade link)")
            self.cells.append(cells)
        self.V = V
        self.scale = sum(pyo.value(m.ev_base[r]) for r in self.regions)
        welfare = sum(m.ev_base[r] * (m.UTILITY[r] - 1.0) for r in self.regions) / self.scale * 100
        jobs = [sum(m.employment[j, r] for j in self.sectors) for r in self.floor_regions]
        self.f, self.f_dir = nlp.outputs([welfare] + jobs)
        self.lower = np.array([i.lower for i in self.instruments])
        self.upper = np.array([i.upper for i in self.instruments])
        self._x_good = nlp.x_from_model()
        self._at, self.evaluations, self.iterations = None, 0, 0

    # -- one equilibrium per instrument vector ------------------------------------------
    def set_rates(self, u) -> None:
        for cells, uk in zip(self.cells, u):
            for data, v0 in cells:
                data.set_value(v0 + float(uk))

    def evaluate(self, u):
        """(h, dh/du) at u: h = [W, manufacturing jobs of the floor regions]."""
        u = np.asarray(u, float)
        if self._at is not None and np.array_equal(self._at[0], u):
            return self._at[1], self._at[2]
        from scipy.sparse import csc_matrix
        from scipy.sparse.linalg import splu

        from .solve import SolveError
        nlp = self.model.nlp
        self.set_rates(u)
        nlp.to_model(self._x_good)
        try:
            self.model.solve()
        except SolveError:                      # a long step: reach it from the last point
            last = self._at[0] if self._at is not None else np.zeros_like(u)
            for t in np.linspace(0.25, 1.0, 4):
                self.set_rates(last + t * (u - last))
                self.model.solve()
        self.evaluations += 1
        x, p = nlp.x_from_model(), nlp.p_from_model()
        self._x_good = x
        h, hx = (np.asarray(a) for a in self.f(x, p))
        hp, gp = (np.asarray(a) for a in self.f_dir(x, p, self.V))   # one column per instrument
        rows, cols = nlp.jac_structure
        J = csc_matrix((nlp.jacobian_values(x, p), (rows, cols)), shape=(nlp.m, nlp.n))
        lam = splu(J.T.tocsc()).solve(np.ascontiguousarray(hx.T))       # n x outputs
        grad = hp - lam.T @ gp
        self._at = (u.copy(), h.ravel(), grad)
        return h.ravel(), grad

    # -- cyipopt callbacks (minimise -W) ---------------------------------------------------
    def intermediate(self, alg_mod, iter_count, *args):
        self.iterations = iter_count
        return True

    def objective(self, u):
        return -self.evaluate(u)[0][0]

    def gradient(self, u):
        return -self.evaluate(u)[1][0]

    def constraints(self, u):
        return self.evaluate(u)[0][1:]

    def jacobian(self, u):
        return self.evaluate(u)[1][1:].ravel()

    def solve(self, start=None, tol: float = 1e-6, max_iter: int = 500) -> Optimum:
        """Ipopt on the reduced problem from ``start`` (default: no policy change). ``tol``
        bounds the first-order (KKT) error in % of income per unit rate: with the curvature
        of W of the order of 1-10, rates are then exact to about 1e-6."""
        import cyipopt
        t0 = time.perf_counter()
        u0 = np.clip(np.zeros(len(self.instruments)) if start is None else np.asarray(start, float),
                     self.lower, self.upper)
        n_con = len(self.floor_regions)
        problem = cyipopt.Problem(n=len(u0), m=n_con, problem_obj=self, lb=self.lower, ub=self.upper,
                                  cl=self.floor, cu=np.full(n_con, 1e20))
        for key, val in {"hessian_approximation": "limited-memory", "limited_memory_max_history": 50,
                         "tol": tol, "max_iter": max_iter,
                         "print_level": 0, "sb": "yes", "mu_strategy": "adaptive"}.items():
            problem.add_option(key, val)
        u, info = problem.solve(u0)
        if info["status"] not in (0, 1):            # solved, or solved to acceptable level
            msg = info["status_msg"]
            raise PolicyError(f"the optimal-policy problem was not solved (Ipopt status {info['status']}: "
                              f"{msg.decode() if isinstance(msg, bytes) else msg}) after "
                              f"{self.iterations} iterations; rates reached: "
                              + ", ".join(f"{i.label} {v:+.4f}" for i, v in zip(self.instruments, u)))
        u = np.clip(u, self.lower, self.upper)       # Ipopt's iterates may sit 1e-9 outside
        h, _ = self.evaluate(u)
        return Optimum(rates=u, welfare=float(h[0]), jobs=h[1:], status=info["status_msg"].decode()
                       if isinstance(info["status_msg"], bytes) else str(info["status_msg"]),
                       iterations=self.iterations, evaluations=self.evaluations,
                       seconds=time.perf_counter() - t0)


# -- the policy-problem file: state, group, instruments ------------------------------------
PROBLEM_KEYS = ("name", "description", "source", "scenario", "variant", "regions", "jobs_sectors",
                "instrument")
INSTRUMENT_KEYS = ("kind", "region", "source", "sector", "lower", "upper", "note")


def read_problem(path) -> dict:
    """A policy-problem file (e.g. experiments/industrial_policy_optimum.toml), validated."""
    from pathlib import Path

    from .errors import check_keys, read_toml
    path = Path(path)
    raw = read_toml(path, PolicyError)
    check_keys(raw, PROBLEM_KEYS, f"policy problem {path.name}", PolicyError)
    for key in ("scenario", "regions", "instrument"):
        if key not in raw:
            raise PolicyError(f"policy problem {path.name} needs {key!r}")
    if not isinstance(raw["regions"], list) or not raw["regions"]:
        raise PolicyError(f"'regions' of {path.name} must be a non-empty list of region labels")
    instruments = []
    for n, t in enumerate(raw["instrument"], 1):
        if not isinstance(t, dict):
            raise PolicyError(f"'instrument' in {path.name} must be [[instrument]] tables")
        check_keys(t, INSTRUMENT_KEYS, f"[[instrument]] {n} of {path.name}", PolicyError)
        kind = t.get("kind")
        if kind not in INSTRUMENT_KINDS:
            raise PolicyError(f"[[instrument]] {n} of {path.name}: kind must be one of "
                              f"{', '.join(INSTRUMENT_KINDS)}, got {kind!r}")
        lo, hi = INSTRUMENT_KINDS[kind]
        bounds = (t.get("lower", lo), t.get("upper", hi))
        if not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds):
            raise PolicyError(f"[[instrument]] {n} of {path.name}: lower and upper must be numbers")
        shock = {k: t[k] for k in ("region", "source", "sector") if k in t}
        if kind == "export_tax" and "source" in shock:
            shock["destination"] = shock.pop("source")
        instruments.append((Shock(kind, 0.0, **shock), float(bounds[0]), float(bounds[1])))
    scen = path.parent / raw["scenario"]
    if not scen.exists():
        raise PolicyError(f"scenario {raw['scenario']} of {path.name} not found next to it")
    return {"name": raw.get("name", path.stem), "description": raw.get("description", ""),
            "source": raw.get("source", ""), "scenario": scen, "variant": raw.get("variant"),
            "regions": list(raw["regions"]), "jobs_sectors": raw.get("jobs_sectors", "manufacturing"),
            "instruments": instruments}


def _reach(model, cells: dict) -> None:
    """Set parameters to ``cells`` {(name, idx): value} and solve, in up to 16 equal steps."""
    from .solve import SolveError
    m = model.pyomo
    start = {k: pyo.value(getattr(m, k[0])[k[1]]) for k in cells}
    x0 = model.nlp.x_from_model()
    for steps in (1, 4, 16):
        model.nlp.to_model(x0)
        try:
            for t in np.arange(1, steps + 1) / steps:
                for (name, idx), v in cells.items():
                    getattr(m, name)[idx] = start[(name, idx)] + t * (v - start[(name, idx)])
                model.solve()
            return
        except SolveError:
            if steps == 16:
                raise


def solve_problem(path, dataset=None, elasticities=None, progress=None, jobs=True):
    """Solve a policy-problem file; an xarray Dataset with the instruments' enacted and
    optimal rates and, for each policy (none, enacted, welfare optimum, jobs-kept optimum; the
    last only with ``jobs``), EV and manufacturing jobs by region.

    Steps: calibrate to the dataset (default: the shipped one) with the scenario's [model]
    options; solve the benchmark; resolve the scenario's price targets; the scenario's final
    parameter values are the state, except the instruments' own parameters, which start at
    their benchmark values (policy "none"); the enacted rate of each instrument is the
    scenario's change of its parameters (uniform across its cells, else an error)."""
    import xarray as xr

    from . import CGEModel, calibrate
    from .data import load_default
    from .scenario import Scenario
    step = progress or (lambda label: None)
    spec = read_problem(path)
    scen = Scenario.from_toml(spec["scenario"], variant=spec["variant"])
    step("calibrating and solving the benchmark")
    params = calibrate(dataset if dataset is not None else load_default(), elasticities,
                       **scen.calibration_options())
    model = CGEModel(params, scen.make_closure())
    scen.validate(model)
    scen.prepare(model)
    model.solve()
    m = model.pyomo
    groups = scen.groups
    sectors = groups["sector"].get(spec["jobs_sectors"], [spec["jobs_sectors"]]) \
        if isinstance(spec["jobs_sectors"], str) else list(spec["jobs_sectors"])
    regions = spec["regions"]
    R = list(m.R)

    def snapshot():
        """EV_r = EV0_r (U_r - 1) and manufacturing persons sum_j employment[j,r] at the current
        point (the compiled model's values)."""
        vals = {k: dict(zip(*v)) for k, v in model.nlp.component_values(("ev_base", "UTILITY", "employment")).items()}
        return {"ev": np.array([vals["ev_base"][r] * (vals["UTILITY"][r] - 1.0) for r in R]),
                "jobs": np.array([sum(vals["employment"][j, r] for j in sectors) for r in R])}
    benchmark = snapshot()
    if scen.has_targets:
        step("solving for the shocks that deliver the price targets")
        scen = scen.implied(model)
    final = scen.targets(model)
    instruments, own = [], set()
    for shock, lo, hi in spec["instruments"]:
        cells = [(name, idx) for name, idx, _, _ in shock.resolve(model, groups)]
        changes = {round(final.get(c, pyo.value(getattr(m, c[0])[c[1]])) - pyo.value(getattr(m, c[0])[c[1]]), 12)
                   for c in cells}
        label = Instrument(shock, lo, hi).label
        if len(changes) > 1:
            raise PolicyError(f"instrument {label}: the scenario changes its parameters by different "
                              f"amounts {sorted(changes)}; split the instrument")
        enacted = changes.pop() if changes else 0.0
        if not lo <= enacted <= hi:
            raise PolicyError(f"instrument {label}: enacted rate {enacted:+.4f} outside its bounds [{lo}, {hi}]")
        if own & set(cells):
            raise PolicyError(f"instrument {label} shares parameters with another instrument")
        own |= set(cells)
        instruments.append(Instrument(shock, lo, hi, enacted=enacted, label=label))
    step("solving the state without the instruments (policy: none)")
    _reach(model, {k: v for k, v in final.items() if k not in own})
    problem = PolicyProblem(model, instruments, regions, sectors, groups=groups)
    enacted = np.array([i.enacted for i in instruments])
    points, optima = {}, {}
    for policy, u in (("none", np.zeros(len(instruments))), ("enacted", enacted)):
        problem.evaluate(u)
        points[policy] = (u, snapshot())
    step(f"optimising {len(instruments)} instruments for the welfare of {', '.join(regions)}")
    optima["welfare_optimum"] = problem.solve(start=enacted)
    points["welfare_optimum"] = (optima["welfare_optimum"].rates, snapshot())
    if jobs:
        step("optimising with manufacturing jobs kept at their benchmark level")
        floor = {r: float(benchmark["jobs"][R.index(r)]) for r in regions}
        kept = PolicyProblem(model, instruments, regions, sectors, jobs_floor=floor, groups=groups)
        optima["jobs_optimum"] = kept.solve(start=optima["welfare_optimum"].rates)
        points["jobs_optimum"] = (optima["jobs_optimum"].rates, snapshot())
    policies = list(points)
    share = 100.0 / sum(pyo.value(m.ev_base[r]) for r in regions)
    return xr.Dataset(
        {"rate": (("policy", "instrument"), np.array([points[p][0] for p in policies]),
                  {"units": "1", "long_name": "instrument rate change against the benchmark (tariff or "
                   "tax rate; a negative production tax is a subsidy)"}),
         "lower": ("instrument", [i.lower for i in instruments], {"units": "1", "long_name": "lower bound"}),
         "upper": ("instrument", [i.upper for i in instruments], {"units": "1", "long_name": "upper bound"}),
         "ev": (("policy", "region"), np.array([points[p][1]["ev"] for p in policies]),
                {"units": "USD m", "long_name": "equivalent variation against the benchmark"}),
         "group_welfare": ("policy", [float(points[p][1]["ev"][[R.index(r) for r in regions]].sum() * share)
                                      for p in policies],
                           {"units": "%", "long_name": f"EV of {', '.join(regions)} in % of their benchmark income"}),
         "manufacturing_jobs_change": (("policy", "region"),
                                       np.array([points[p][1]["jobs"] - benchmark["jobs"] for p in policies]),
                                       {"units": "thousand persons", "long_name":
                                        "change of persons employed in manufacturing against the benchmark"})},
        coords={"policy": policies, "instrument": [i.label for i in instruments], "region": R},
        attrs={"problem": spec["name"], "scenario": scen.name, "variant": scen.variant,
               "group": ", ".join(regions), "jobs_sectors": ", ".join(sectors),
               **{f"{k}_status": o.status for k, o in optima.items()},
               **{f"{k}_iterations": o.iterations for k, o in optima.items()},
               **{f"{k}_evaluations": o.evaluations for k, o in optima.items()}})
