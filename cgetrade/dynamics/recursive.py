"""The recursive-dynamic path: one compiled static model solved year after year.

For each year t the dynamics layer sets mutable parameters of the static model and solves
it warm from a nearby solution; nothing else changes between years:

    endowment[capital, j, r](t) = vfm[capital, j, r] K_r(t) / K_r(t0)     (accumulation.py)
    endowment[l, j, r](t)       = vfm[l, j, r] N_r(t) / N_r(t0)             (labour factors l)
    aug[l, j, r] -> aug[l, j, r] * lambda_r(t)                             (model/targets.py)

lambda_r is a region-wide labour-augmenting (Harrod-neutral) productivity shifter. Labour
is in efficiency units, so employment in persons follows N_r, not lambda_r.

Two steps (the standard of recursive-dynamic CGE baselines):

1. baseline calibration: lambda_r(t) is endogenous and real GDP (expenditure side, at
   benchmark prices) follows its projection, GDP_r(t) = GDP_r(t0) prod (1 + g_r);
   warm start from year t-1;
2. policy: lambda_r(t) is fixed at the baseline's path and the scenario's shocks are in
   force with their path shares; capital accumulates from the policy run's own investment;
   each year is warm-started from the baseline solution of the same year.

Labour fully mobile across sectors (the default closure) or attached to sectors and moving
gradually (sector-specific labour on sector wage curves, dynamics/mobility.py): the attached
endowments E_ljr(t) are then the state of the labour market, moved between years by the
mobility rule; the baseline has flexible sector wages (unemployment at its benchmark rate),
the policy run sector wage curves anchored at the baseline's sector wages.

Investment is savings-driven (the static closure: each region's saving plus its fixed
foreign saving buys its investment goods), so the regional allocation of investment is the
regional allocation of saving. The numeraire of the static model (world export price index
P_W = 1 in every year) anchors all prices: the CPI and its changes are relative to it
(relative prices; inflation in a currency comes from the dynamic nominal block).
"""
from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from ..model import CGEModel, Closure
from ..model.targets import add_target
from ..paths import Table
from ..results import collect
from ..scenario import Scenario, Shock, ShockError
from ..solve import SolveError
from .accumulation import benchmark_capital, capital_next, real_investment
from .mobility import LabourMobility
from .projections import DynamicsError, Periods, Projections

INSTRUMENT = "labour_productivity"


def labour_factors(params) -> list:
    """The labour factors of a calibrated model (one-labour-type model: ["labour"])."""
    return list(getattr(params, "labour_factors", None) or ["labour"])


def real_gdp_measure(params):
    """Real GDP by expenditure at benchmark prices, as a Pyomo expression of region r:
    sum_h Q_H[h,r] E0[h,r] + exports - imports (all in benchmark USD)."""
    fd0 = params["fd_exp"]
    agents, R = params.final_agents, {r: k for k, r in enumerate(params.regions)}

    def measure(m, r):
        return (sum(m.Q_H[h, r] * float(fd0[k, R[r]]) for k, h in enumerate(agents) if fd0[k, R[r]] > 0)
                + sum(m.EXPORTS[i, r] for i in m.I)
                - sum(m.X[i, s, r] for i in m.I for s in m.R if (i, s, r) in m.BT)
                - sum(m.XMW[i, r] for i in m.I if (i, r) in m.MW))
    return measure


class DynamicModel:
    """A static model prepared for a recursive-dynamic path (built and compiled once).

    >>> dyn = DynamicModel(calibrate(ds), periods=Periods(2011, 2040))
    >>> base = dyn.baseline()                 # productivity calibrated to the GDP path
    >>> res = dyn.run(scenario, base)         # shocks along their paths, deviations per year
    """

    def __init__(self, params, projections: Projections | None = None,
                 periods: Periods | None = None, closure: Closure | None = None,
                 mobility: LabourMobility | None = None, capital_index=None):
        """``projections``: default, the dataset's own (Projections.for_dataset).
        ``capital_index`` (optional, array (year, region), 1 in the data year): an observed
        capital stock path K_r(t) = K_r(t0) x index that replaces the accumulation from
        investment (backcasts to observed endowments); otherwise K(t+1) = (1-delta) K(t) + I(t)."""
        self.projections = projections or Projections.for_dataset(params.dataset)
        self.periods = periods or Periods(self.projections.base_year)
        self.params = params
        regions = params.regions
        self.projections.check(regions, self.periods)
        self.labour = labour_factors(params)
        missing = [f for f in ["capital"] + self.labour if f not in params.factors]
        if missing:
            raise DynamicsError(f"the dynamic layer needs factor(s) {missing}; the model has {params.factors}")
        t0 = time.perf_counter()
        self.model = CGEModel(params, closure)
        m = self.model.pyomo
        self.attached_labour = [h for h in self.labour if h in m.F_SPECIFIC]
        self.mobility = (mobility or LabourMobility()) if self.attached_labour else None
        self.target = add_target(
            m, INSTRUMENT, {r: [m.aug[f, j, r] for f in self.labour for j in m.I] for r in m.R},
            real_gdp_measure(params), doc="region-wide labour-augmenting productivity lambda_r")
        self._extend(m)
        self.nlp = self.model.nlp                       # compile once
        self.setup_time = time.perf_counter() - t0
        self.delta = np.array([self.projections.delta[r] for r in regions])
        self.K0 = benchmark_capital(params, self.projections.capital_output)
        self.gdp0 = np.array([pyo.value(self.target.target[r]) for r in regions])
        self._bench_x = self.nlp.x_from_model()
        self._bench_p = {id(q): pyo.value(q) for q in self.nlp.param_data}
        self.years = self.periods.years
        self.labour_index = self.projections.index("labour_growth", regions, self.years)
        self.gdp_index = self.projections.index("gdp_growth", regions, self.years)
        self.capital_index = None
        if capital_index is not None:
            ci = np.asarray(capital_index, dtype=float)
            if ci.shape != (len(self.years), len(regions)):
                raise DynamicsError(f"capital_index must have shape (years, regions) = "
                                    f"{(len(self.years), len(regions))}, got {ci.shape}")
            if not np.all(np.isfinite(ci)) or np.any(ci <= 0) or np.any(np.abs(ci[0] - 1) > 1e-12):
                raise DynamicsError("capital_index must be positive, finite and 1 in the data year")
            self.capital_index = ci
        self.timing: dict = {}

    def _extend(self, m):
        """Equations added to the static model before it is compiled: with sector-specific
        labour, the sector wage curves of the transition (dynamics/mobility.py),

            on [ln(W_j / A_j) + phi ln(U_j / U0)] + (1 - on) (U_j - U0) = 0,

        A_j = W^b_j(t) W_j(t-1) / W^b_j(t-1) the anchor (baseline: on = 0, flexible sector
        wages; policy: on = 1). See dynamics/monetary.py for the monetary block."""
        spec = self.attached_labour
        if not spec:
            return
        closure = self.model.closure
        if len(spec) != len(self.labour):
            raise DynamicsError(f"labour types {spec} are sector-specific but not "
                                f"{sorted(set(self.labour) - set(spec))}: attach every labour type or none")
        if closure.monetary is not None:
            raise DynamicsError("sector-attached labour in a path needs a closure without a nominal side")
        kinds = closure.labour_closures(list(m.R), list(m.L))
        bad = sorted({k for k in kinds.values() if k != "wage_curve"})
        if bad:
            raise DynamicsError(f"sector-attached labour in a path needs labour='wage_curve' (the sector "
                                f"wage curve turns excess supply into unemployment), got {bad}")
        m.wage_setting.deactivate()
        m.wage_anchor = pyo.Param(spec, m.I, m.R, mutable=True, initialize=1.0,
                                  doc="anchor of the sector wage curve: baseline wage x lagged wage gap")
        m.wage_curve_on = pyo.Param(initialize=1.0, mutable=True,
                                    doc="1: sector wage curves (policy); 0: U = U0, flexible wages (baseline)")
        m.transition_wage = pyo.Constraint(
            spec, m.I, m.R, doc="sector wage curve of attached labour relative to the baseline",
            rule=lambda m, h, j, r: m.wage_curve_on * (pyo.log(m.WS[h, j, r] / m.wage_anchor[h, j, r])
                                                       + m.phi[r] * pyo.log(m.US[h, j, r] / m.u0[h, r]))
            + (1 - m.wage_curve_on) * (m.US[h, j, r] - m.u0[h, r]) == 0)

    def _labour_state(self):
        """Sector wages and unemployment rates of attached labour at the current point,
        arrays (labour, sector, region)."""
        m, p = self.model.pyomo, self.params
        L, I, R = self.attached_labour, p.sectors, p.regions
        ws = np.array([[[pyo.value(m.WS[h, j, r]) for r in R] for j in I] for h in L])
        us = np.array([[[pyo.value(m.US[h, j, r]) for r in R] for j in I] for h in L])
        return ws, us

    def _benchmark_attached(self):
        p = self.params
        return np.array([p["vfm"][p.factors.index(h)] for h in self.attached_labour], dtype=float)

    def _next_attached(self, attached, k):
        """Attached labour of year k+1 from year k's solution (mobility rule, then labour force growth)."""
        if k + 1 >= len(self.years):
            return attached
        ws, us = self._labour_state()
        moved = self.mobility.step(attached, ws, us, self.periods.step)
        return moved * (self.labour_index[k + 1] / self.labour_index[k])[None, None, :]

    def _anchors(self, values) -> dict:
        m, p = self.model.pyomo, self.params
        out = {}
        for a, h in enumerate(self.attached_labour):
            for jj, j in enumerate(p.sectors):
                for k, r in enumerate(p.regions):
                    q = m.wage_anchor[h, j, r]
                    out[id(q)] = (q, float(values[a, jj, k]))
        return out

    # -- parameters of a year --------------------------------------------------------------
    def _restore_benchmark(self):
        for q in self.nlp.param_data:
            if q.is_parameter_type():
                q.set_value(self._bench_p[id(q)])
        self.nlp.to_model(self._bench_x)

    def _endowments(self, K, n, attached=None) -> dict:
        """Endowments of a year: capital K, labour vfm N(t)/N(t0) by sector, or the
        ``attached`` labour (labour, sector, region) of sector-attached labour types."""
        m, p = self.model.pyomo, self.params
        vfm, F, R = p["vfm"], p.factors, p.regions
        out = {}
        for k, r in enumerate(R):
            for jj, j in enumerate(p.sectors):
                q = m.endowment["capital", j, r]
                out[id(q)] = (q, float(vfm[F.index("capital"), jj, k] * K[k] / self.K0[k]))
                for f in self.labour:
                    q = m.endowment[f, j, r]
                    if attached is not None and f in self.attached_labour:
                        out[id(q)] = (q, float(attached[self.attached_labour.index(f), jj, k]))
                    else:
                        out[id(q)] = (q, float(vfm[F.index(f), jj, k] * n[k]))
        return out

    def _capital(self, k, K, inv) -> np.ndarray:
        """Capital stock of period k: accumulated from the last period's investment, or the
        observed path (``capital_index``)."""
        if self.capital_index is not None:
            return self.K0 * self.capital_index[k]
        return capital_next(K, inv, self.delta, self.periods.step)

    def _solve_year(self, year, new: dict, max_steps: int = 32):
        """Set the parameters ``new`` ({id: (ParamData, value)}) and solve from the current
        point; if the direct solve fails, continuation in equal steps (doubling up to max_steps)."""
        start = {k: pyo.value(q) for k, (q, _) in new.items()}
        x0 = self.nlp.x_from_model()
        steps, last = 1, None
        while steps <= max_steps:
            self.nlp.to_model(x0)
            try:
                iters = factors = 0
                for k in range(1, steps + 1):
                    for key, (q, v) in new.items():
                        q.set_value(start[key] + k / steps * (v - start[key]))
                    sol = self.model.solve()
                    iters += sol.iterations
                    factors += sol.info.get("factorisations", 0)
                sol.info["reached_by"] = "direct solve" if steps == 1 else f"continuation in {steps} steps"
                sol.info["total_iterations"] = iters
                sol.info["total_factorisations"] = factors
                return sol
            except SolveError as err:
                last, steps = err, steps * 2
        for key, (q, _) in new.items():
            q.set_value(start[key])
        self.nlp.to_model(x0)
        raise SolveError(f"year {year}: no convergence even with {max_steps} continuation steps; "
                         f"last error: {last}", worst=last.worst)

    def _record(self, year, K, n, inv, sol, attached=None) -> xr.Dataset:
        ds = collect(self.model)
        R = ("region",)
        new = {}                        # added in one update: each assignment would copy ds
        if attached is not None:
            new["labour_attached"] = (("labour", "sector", "region"), attached,
                                      {"long_name": "labour attached to the sector at the start of the "
                                       "year (efficiency units)", "units": "benchmark USD m"})
        lam = np.array([self.target.instrument_values()[r] for r in self.params.regions])
        new["capital_stock"] = (R, K, {"long_name": "capital stock at the start of the year",
                                       "units": "benchmark USD m"})
        new["investment"] = (R, inv, {"long_name": "real investment I(t)", "units": "benchmark USD m"})
        new["labour_force_index"] = (R, n, {"long_name": "labour force (working-age population), "
                                            "index of the data year", "units": "1"})
        new["labour_productivity"] = (R, lam, {"long_name": "region-wide labour-augmenting "
                                               "productivity lambda (index)", "units": "1"})
        new["iterations"] = ((), sol.info.get("total_iterations", sol.iterations),
                             {"long_name": f"solver iterations of the year ({sol.info.get('solver', 'ipopt')}; "
                                           "Newton counts chord steps with reused factors)", "units": "1"})
        new["factorisations"] = ((), sol.info.get("total_factorisations", sol.info.get("factorisations", 0)),
                                 {"long_name": "Jacobian factorisations of the year (Newton; 0 with Ipopt)",
                                  "units": "1"})
        new["solve_time"] = ((), sol.solve_time, {"long_name": "solve time of the year", "units": "s"})
        new["max_residual"] = ((), sol.max_residual, {"long_name": "largest equation residual at the "
                                                     "year's solution", "units": "1"})
        ds.update(new)
        return ds

    # -- the two steps ---------------------------------------------------------------------
    def baseline(self) -> xr.Dataset:
        """Baseline calibration: lambda_r(t) endogenous, real GDP on its projected path."""
        from .results import assemble
        self._restore_benchmark()
        R = self.params.regions
        self.target.set_targets(dict(zip(R, self.gdp0)))
        attached = self._benchmark_attached() if self.attached_labour else None
        if attached is not None:
            self.model.pyomo.wage_curve_on.set_value(0.0)
        K, recs, xs = self.K0.copy(), [], []
        t_start = time.perf_counter()
        inv = None
        for k, year in enumerate(self.years):
            n = self.labour_index[k]
            if k > 0:
                K = self._capital(k, K, inv)
                new = self._endowments(K, n, attached)
                new.update({id(q): (q, float(self.gdp0[i] * self.gdp_index[k, i]))
                            for i, q in enumerate(self.target.target[r] for r in R)})
                sol = self._solve_year(year, new)
            else:
                sol = self.model.solve()
                sol.info["total_iterations"] = sol.iterations
            inv = real_investment(self.model)
            recs.append(self._record(year, K, n, inv, sol, attached))
            xs.append(self.nlp.x_from_model())
            if attached is not None:
                attached = self._next_attached(attached, k)
        self.timing["baseline"] = time.perf_counter() - t_start
        ds = assemble(recs, self.years, self.periods.step)
        ds["gdp_target"] = (("year", "region"), self.gdp0 * self.gdp_index,
                            {"long_name": "projected real GDP (target of the baseline calibration)",
                             "units": "benchmark USD m"})
        ds["solution"] = (("year", "nlp_variable"), np.array(xs),
                          {"long_name": "solution vector of the compiled model (warm starts)"})
        ds = ds.assign_coords(nlp_variable=[f"{n}[{i}]" for n, i in self.nlp.variable_labels])
        ds.attrs.update(self._attrs("baseline"))
        return ds

    def _check_baseline(self, base: xr.Dataset):
        years = [int(y) for y in base["year"].values]
        if years != self.years:
            raise DynamicsError(f"the baseline covers years {years[0]}-{years[-1]} (step "
                                f"{base.attrs.get('step')}), the path {self.years[0]}-{self.years[-1]} "
                                f"(step {self.periods.step}); recompute the baseline")
        labels = [f"{n}[{i}]" for n, i in self.nlp.variable_labels]
        if self.attached_labour and "labour_attached" not in base:
            raise DynamicsError("the baseline has no attached labour (computed with mobile labour); "
                                "recompute it with the sector-attached closure")
        if list(map(str, base["nlp_variable"].values)) != labels:
            raise DynamicsError("the baseline was computed for a different model (dataset, closure "
                                "or version); recompute it")

    def _check_paths(self, scenario: Scenario):
        for s in scenario.shocks:
            first = getattr(s.path, "first_year", None)
            if first is not None and first < self.periods.start:
                raise ShockError(f"{s.kind} shock: its path starts in {first}, before the data "
                                 f"year {self.periods.start}")
            for year in self.years:                          # every year's shock is valid
                self.in_year(s, self.share(s, year, self.periods.start))

    @staticmethod
    def share(shock, year, start) -> float:
        """Share of a shock in force in ``year`` (no path: all of it after the data year)."""
        if shock.path is None:
            return 1.0 if year > start else 0.0
        return float(shock.path.share(year, shock.value))

    @staticmethod
    def in_year(shock, share):
        """The shock as in force with ``share``: value x share (``mode = "set"``: None, the
        rate moves the share of the way by interpolation)."""
        if shock.mode == "set":
            return None
        return Shock(**{**shock.__dict__, "value": shock.value * share, "path": None})

    def _shock_params(self, scenario, year, touched: list, base: dict) -> dict:
        """Values of the shocked parameters ``touched`` in ``year``: the shocks in force with
        their path shares, applied to the year's values without shocks (``base``, {id:
        (ParamData, value)}, e.g. the endowments of the year; else the benchmark's)."""
        old = {id(q): (q, pyo.value(q)) for q in touched}
        for key, (q, _) in old.items():
            q.set_value(base[key][1] if key in base else self._bench_p[key])
        for s in scenario.shocks:
            share = self.share(s, year, self.periods.start)
            if share == 0.0:
                continue
            scaled = self.in_year(s, share)
            if scaled is None:
                one = Scenario(scenario.name, [Shock(**{**s.__dict__, "path": None})], groups=scenario.groups)
                Scenario.move(self.model, *one.endpoints(self.model), share)
            else:
                Scenario(scenario.name, [scaled], groups=scenario.groups).apply(self.model)
        new = {key: (q, pyo.value(q)) for key, (q, _) in old.items()}
        for q, v in old.values():                  # the solve moves them (continuation)
            q.set_value(v)
        return new

    def run(self, scenario: Scenario, baseline: xr.Dataset) -> xr.Dataset:
        """Policy run: the baseline's productivity path, the scenario's shocks along their
        paths; levels per year and deviations from the baseline."""
        from .results import assemble, deviations
        self._check_baseline(baseline)
        self._check_paths(scenario)
        self._restore_benchmark()
        m = self.model.pyomo                         # labels and values checked first
        touched = [getattr(m, name)[idx] for name, idx in scenario.targets(self.model)]
        R = self.params.regions
        lam = baseline["labour_productivity"].transpose("year", "region").values
        Kb = baseline["capital_stock"].transpose("year", "region").values
        xb = baseline["solution"].values
        self.target.fix_instruments(dict(zip(R, lam[0])))
        if self.attached_labour:
            m.wage_curve_on.set_value(1.0)
            Ab = baseline["labour_attached"].sel(labour=self.attached_labour).transpose(
                "year", "labour", "sector", "region").values
            wb = baseline["sector_wage"].sel(labour=self.attached_labour).transpose(
                "year", "labour", "sector", "region").values
            attached, gap = Ab[0].copy(), np.ones_like(Ab[0])
        else:
            Ab = [None] * len(self.years)
            attached = None
        K, recs, inv = self.K0.copy(), [], None
        t_start = time.perf_counter()
        for k, year in enumerate(self.years):
            n = self.labour_index[k]
            # start from the baseline's point of the year: its parameters and its solution
            start = self._endowments(Kb[k], n, Ab[k])
            if attached is not None:
                start.update(self._anchors(wb[k]))
            for q, v in start.values():
                q.set_value(v)
            for i, r in enumerate(R):
                self.target.fixed[r] = float(lam[k, i])
            self.nlp.to_model(xb[k])
            if k > 0:
                K = self._capital(k, K, inv)
            new = self._endowments(K, n, attached)
            if attached is not None:
                new.update(self._anchors(wb[k] * gap))
            new.update(self._shock_params(scenario, year, touched, new))
            sol = self._solve_year(year, new)
            inv = real_investment(self.model)
            recs.append(self._record(year, K, n, inv, sol, attached))
            if attached is not None:
                gap = self._labour_state()[0] / wb[k]
                attached = self._next_attached(attached, k)
        self.timing["policy"] = time.perf_counter() - t_start
        scen = assemble(recs, self.years, self.periods.step)
        scen.attrs.update(self._attrs("policy"))
        scen.attrs.update({"scenario": scenario.name, "variant": scenario.variant,
                           "scenario_description": scenario.description.strip(),
                           "scenario_source": scenario.source.strip()})
        return deviations(baseline.drop_vars(["solution", "gdp_target"]).drop_dims("nlp_variable"), scen)

    def _attrs(self, kind) -> dict:
        p = self.projections
        capital = ("K(t) = K(t0) x observed index (capital_index)" if self.capital_index is not None
                   else "K(t+1) = (1-delta) K(t) + I(t)")
        return {
            "run": kind, "first_year": self.periods.start, "last_year": self.periods.end,
            "step": self.periods.step,
            "closure": "savings-driven investment (regional saving + fixed foreign saving buys "
                       f"investment goods); capital mobile across sectors, {capital} by region; "
                       "labour force by region from projections, full employment "
                       "(labour closure as in the static model); baseline: region-wide "
                       "labour-augmenting productivity endogenous, real GDP on its projected path; "
                       "policy: productivity fixed at the baseline path",
            "nominal_anchor": "numeraire of the static model: world export price index P_W = 1 in "
                              "every year; there is no money, so CPI levels and their changes "
                              "are relative prices (relative to the numeraire), not inflation",
            "delta": ", ".join(f"{r}={p.delta[r]:.4f}" for r in self.params.regions),
            "capital_output": ", ".join(f"{r}={p.capital_output[r]:.4f}" for r in self.params.regions),
            "source_capital": p.sources.get("capital", ""),
            "source_labour_force": p.sources.get("labour_force", ""),
            "source_gdp": p.sources.get("gdp", ""),
            "dataset": self.params.dataset.attrs.get("title", ""),
        }
