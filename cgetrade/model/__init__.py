"""The CGE model: build(params, closure) -> Pyomo ConcreteModel, and the CGEModel wrapper.

Blocks (one module each): production, trade, demand (regional household), factors (and
labour-market closures), closures, monetary (exchange rates and regimes).
Variables are prices and activity indices, all equal to 1 at the benchmark; equations are
scaled by their benchmark values, so residuals are relative.
"""
from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo

from .._gc import long_lived_build
from ..calibrate import Parameters
from . import ces, closures, demand, factors, monetary, production, trade
from .closures import Closure

__all__ = ["build", "CGEModel", "Closure"]


def _sets(m, p: Parameters):
    R, I, F, H = p.regions, p.sectors, p.factors, p.final_agents
    m.R_idx = {r: k for k, r in enumerate(R)}
    m.I_idx = {i: k for k, i in enumerate(I)}
    m.F_idx = {f: k for k, f in enumerate(F)}
    m.H_idx = {h: k for k, h in enumerate(H)}
    m.A_idx = {a: k for k, a in enumerate(I + H)}
    m.R = pyo.Set(initialize=R, ordered=True, doc="regions")
    m.I = pyo.Set(initialize=I, ordered=True, doc="sectors / commodities")
    m.F = pyo.Set(initialize=F, ordered=True, doc="factors")
    m.H = pyo.Set(initialize=H, ordered=True, doc="final demand agents")
    m.A = pyo.Set(initialize=I + H, ordered=True, doc="agents: sectors and final demand")
    use = p["use_dom"] + p["use_imp"]
    m.USE = pyo.Set(dimen=3, ordered=True, doc="(i, a, r) with benchmark use",
                    initialize=[(i, a, r) for i in I for a in I + H for r in R
                                if use[m.I_idx[i], m.A_idx[a], m.R_idx[r]] > 0])
    imp = p["use_imp"].sum(1)
    m.IM = pyo.Set(dimen=2, ordered=True, doc="(i, r) with imports",
                   initialize=[(i, r) for i in I for r in R if imp[m.I_idx[i], m.R_idx[r]] > 0])
    vxmd = p["vxmd"]
    sig_t = p["sigma_t"]
    dom_supply, exp_supply = p["use_dom"].sum(1), vxmd.sum(2) + p["x_row"] + p["vst"]
    m.CET = pyo.Set(dimen=2, ordered=True, doc="(i, r) with a CET between domestic sales and exports",
                    initialize=[(i, r) for i in I for r in R
                                if np.isfinite(sig_t[m.I_idx[i]]) and dom_supply[m.I_idx[i], m.R_idx[r]] > 0
                                and exp_supply[m.I_idx[i], m.R_idx[r]] > 0])
    row = p.data.attrs.get("rest_of_world")
    m.ROW = pyo.Set(initialize=[row] if row else [], ordered=True,
                    doc="the exogenous rest of the world (at most one)")
    vrow, x_row = p["vxmd_row"], p["x_row"]
    m.MW = pyo.Set(dimen=2, ordered=True, doc="(i, r) with imports from the rest of the world",
                   initialize=[(i, r) for i in I for r in R if vrow[m.I_idx[i], m.R_idx[r]] > 0])
    m.EW = pyo.Set(dimen=2, ordered=True, doc="(i, r) with exports to the rest of the world",
                   initialize=[(i, r) for i in I for r in R if x_row[m.I_idx[i], m.R_idx[r]] > 0])
    m.BT = pyo.Set(dimen=3, ordered=True, doc="(i, s, r) bilateral trade links (s = r: trade within region r)",
                   initialize=[(i, s, r) for i in I for s in R for r in R
                               if vxmd[m.I_idx[i], m.R_idx[s], m.R_idx[r]] > 0])


#: elasticities of the model: (name, index set); mutable parameters, see CGEModel.set_elasticities
ELASTICITIES = {"sigma_d": "I", "sigma_m": "I", "sigma_va": "I", "sigma_top": "I", "sigma_t": "I",
                "sigma_kh": "I", "sigma_o": "I", "sigma_fd": "H"}


def _elasticities(m, params: Parameters, arr: dict):
    """Substitution elasticities as mutable parameters (so that they are parameters of the
    compiled functions and change without recompiling); the blocks read them from ``arr``."""
    for name, index in ELASTICITIES.items():
        labels = list(getattr(m, index))
        values = params[name]
        comp = pyo.Param(getattr(m, index), mutable=True, within=pyo.Any,
                         initialize={lab: float(v) for lab, v in zip(labels, values)},
                         doc=f"elasticity {name}")
        setattr(m, name, comp)
        arr[name] = np.array([comp[lab] for lab in labels], dtype=object)


def elasticity_forms(params) -> dict:
    """The functional form (cgetrade.model.ces.ces_form) of every elasticity in ``params`` (a
    Parameters or {name: values}); a model can change its elasticities in place only within the
    same forms (and finite sigma_t stays finite)."""
    from .ces import ces_form
    return {name: tuple("none" if not np.isfinite(v) else ces_form(float(v)) for v in params[name])
            for name in ELASTICITIES}


def build(params: Parameters, closure: Closure | None = None) -> pyo.ConcreteModel:
    """Pyomo model of MODEL.md section 2 calibrated to ``params``."""
    try:
        return _build(params, closure)
    finally:
        ces.clear()


def _build(params: Parameters, closure: Closure | None = None) -> pyo.ConcreteModel:
    closure = closure or Closure()
    closure.check_labels(params.regions)
    p = params.data
    # object arrays of Python floats: numpy scalars on the left of a Pyomo expression would
    # route every product through numpy's ufunc machinery (slow model construction)
    arr = {k: np.array(p[k].values.tolist(), dtype=object) for k in p.data_vars}
    if params.private_demand == "cde" and closure.final_demand != "regional_household":
        from ..errors import ClosureError
        raise ClosureError("private_demand='cde' is GTAP's household demand under the regional "
                           f"household (final_demand='regional_household'), not {closure.final_demand!r}")
    if closure.foreign_saving_rule == "global_bank" and closure.investment_allocation == "rate_of_return":
        demand.rate_of_return_data(arr, params.regions, params.factors.index("capital"))  # refuse bad data first
    m = pyo.ConcreteModel(name="cgetrade")
    _sets(m, params)
    _elasticities(m, params, arr)
    factor_price = factors.add_factor_prices(m, arr, closure, params.labour_factors)
    factors.add_unemployment(m, closure, arr)
    armington = trade.add_prices(m, arr)
    production.add_production(m, arr, factor_price, params.va_nest)
    m.pnum = pyo.Param(initialize=1.0, mutable=True, doc="numeraire level")
    fd_composite = demand.add_final_demand(m, arr, factors.factor_income, closure, params.private_demand)

    nI = len(params.sectors)

    def composite(m, i, a, r):
        if m.A_idx[a] < nI:
            return m.QINT[a, r]
        return fd_composite(m, i, a, r)
    m.QA = pyo.Expression(m.USE, rule=composite, doc="Armington composite demand (index)")
    trade.add_markets(m, arr, armington)
    trade.add_external_balance(m, arr, demand.foreign_saving_unit(closure.foreign_saving))
    exchange_rate = monetary.add_exchange_rates(m, closure)
    factors.add_wage_setting(m, closure, exchange_rate)
    factors.add_factor_markets(m, arr)
    closures.apply_closure(m, closure)
    if closure.monetary is not None:
        monetary.add_regimes(m, closure, arr)
    return m


class CGEModel:
    """A calibrated model: Pyomo formulation plus its compiled NLP and solver.

    >>> model = CGEModel(calibrate(ds))
    >>> sol = model.solve()           # converged or raises SolveError
    """

    def __init__(self, params: Parameters, closure: Closure | None = None):
        self.params = params
        self.closure = closure or Closure()
        t0 = time.perf_counter()
        with long_lived_build():     # construction allocates millions of expression nodes
            self.pyomo = build(params, self.closure)
        self.build_time = time.perf_counter() - t0
        self._forms = elasticity_forms(params)
        self._nlp = None
        self.last_solution = None

    def set_elasticities(self, **by_name) -> bool:
        """Change substitution elasticities in place, e.g.
        ``set_elasticities(sigma_d={"AGR": 3.0}, sigma_m=5.0)``: a dict by sector label (agent
        label for sigma_fd), one number for all, or an array in the model's order. They are
        parameters of the compiled functions, so nothing is rebuilt or recompiled - unless a
        value changes functional form (to or from 0 = Leontief, 1 = Cobb-Douglas, or sigma_t to
        or from infinity): then the model is rebuilt at its benchmark. ``params`` is updated
        either way; the benchmark point does not depend on elasticities (calibrated share
        form). Returns True if the model was rebuilt."""
        from ..errors import OptionsError
        p = self.params
        labels = {name: (p.final_agents if index == "H" else p.sectors) for name, index in ELASTICITIES.items()}
        new = {}
        for name, given in by_name.items():
            if name not in ELASTICITIES:
                raise OptionsError(f"unknown elasticity {name!r}; known: {', '.join(ELASTICITIES)}")
            vals = np.array(p[name], dtype=float)
            if isinstance(given, dict):
                unknown = sorted(set(map(str, given)) - set(labels[name]))
                if unknown:
                    raise OptionsError(f"unknown label(s) {unknown} for {name}; known: {labels[name]}")
                for lab, v in given.items():
                    vals[labels[name].index(str(lab))] = v
            elif np.ndim(given) == 0:
                vals[:] = given
            else:
                given = np.asarray(given, dtype=float)
                if given.shape != vals.shape:
                    raise OptionsError(f"{name} needs {len(vals)} values, got {given.shape}")
                vals = given.astype(float)
            bad = ~(vals >= 0) | (np.isinf(vals) & (name != "sigma_t"))
            if bad.any():
                raise OptionsError(f"{name} must be >= 0 and finite"
                                   + (" (sigma_t may be inf)" if name == "sigma_t" else "") + ", got "
                                   + ", ".join(f"{labels[name][k]}={vals[k]}" for k in np.flatnonzero(bad)))
            new[name] = vals
        if not new:
            return False
        data = p.data.assign({k: (p.data[k].dims, v) for k, v in new.items()})
        self.params = type(p)(data=data, dataset=p.dataset)
        forms = elasticity_forms(self.params)
        if forms != self._forms:
            t0 = time.perf_counter()
            with long_lived_build():
                self.pyomo = build(self.params, self.closure)
            self.build_time = time.perf_counter() - t0
            self._forms, self._nlp, self.last_solution = forms, None, None
            return True
        m = self.pyomo
        for name, vals in new.items():
            comp = getattr(m, name)
            for lab, v in zip(labels[name], vals):
                comp[lab] = float(v)
        return False

    @property
    def nlp(self):
        """The compiled NLP (casadi functions of variables and parameters)."""
        if self._nlp is None:
            from ..solve.bridge import CompiledNLP
            self._nlp = CompiledNLP(self.pyomo)
        return self._nlp

    def reset(self):
        """Benchmark values for every variable and shock parameter."""
        fresh = build(self.params, self.closure)
        for comp in fresh.component_objects((pyo.Var, pyo.Param), descend_into=True):
            mine = self.pyomo.find_component(comp.name)
            for idx, d in comp.items():
                if isinstance(comp, pyo.Var):
                    mine[idx].set_value(d.value)
                elif comp.mutable:
                    mine[idx] = pyo.value(d)
        return self

    def solve(self, **options):
        """Solve the square system with Ipopt from the current point (see cgetrade.solve)."""
        from ..solve import solve_model
        self.last_solution = solve_model(self, **options)
        return self.last_solution

    def residuals(self, include_walras: bool = True) -> dict:
        """Residuals of every equation at the current point: {(name, index): value}."""
        nlp = self.nlp
        out = dict(zip(nlp.constraint_labels, nlp.residuals_at_model()))
        if include_walras:
            w = self.pyomo.walras
            out[(w.parent_component().name, w.index())] = pyo.value(w.body) - pyo.value(w.upper)
        return out

    def walras_residual(self) -> float:
        w = self.pyomo.walras
        return float(pyo.value(w.body) - pyo.value(w.upper))

    def max_residual(self) -> float:
        return float(np.max(np.abs(self.nlp.residuals_at_model())))
