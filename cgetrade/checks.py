"""Validation every calibration must pass (MODEL.md section 5).

* benchmark replication: all residuals <= 1e-8 at the calibrated point and Ipopt needs 0
  iterations from it;
* homogeneity: numeraire x 2 -> every price and nominal value x 2, quantities unchanged (1e-8);
* Walras' law: the market dropped from the system clears at the solution (residual <= 1e-8);
* nominal side: with flexible wages two monetary regimes give the same real equilibrium, and
  with the wage curve strict CPI targeting holds every CPI at target (1e-8).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

TOL = 1e-8
NOMINAL = ("PY", "PM", "W", "WS", "PW", "INC", "EXR")     # scale with the numeraire
REAL = ("Y", "M", "S", "U")                       # invariant to the numeraire


@dataclass
class CheckResult:
    name: str
    value: float
    tolerance: float
    detail: str = ""

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.value) and self.value <= self.tolerance)


def _var_values(m, names):
    return {(n, idx): v.value for n in names for idx, v in getattr(m, n).items()}


def benchmark_replication(model) -> list[CheckResult]:
    model.reset()
    res = model.residuals(include_walras=True)
    worst = max(res, key=lambda k: abs(res[k]))
    sol = model.solve()
    return [CheckResult("benchmark replication: max |residual|", max(abs(v) for v in res.values()),
                        TOL, f"worst {worst[0]}[{worst[1]}]"),
            CheckResult("benchmark replication: solver iterations", sol.iterations, 0,
                        sol.status)]


def homogeneity(model, factor: float = 2.0) -> list[CheckResult]:
    model.reset()
    model.solve()
    m = model.pyomo
    base_nom, base_real = _var_values(m, NOMINAL), _var_values(m, REAL)
    m.pnum = factor * pyo.value(m.pnum)
    try:
        model.solve()
        nom, real = _var_values(m, NOMINAL), _var_values(m, REAL)
    finally:
        m.pnum = pyo.value(m.pnum) / factor
    dev_nom = max(abs(nom[k] / (factor * base_nom[k]) - 1) for k in nom)
    dev_real = max(abs(real[k] / base_real[k] - 1) for k in real)
    model.reset()
    return [CheckResult(f"homogeneity: prices x{factor:g} (max rel. deviation)", dev_nom, TOL),
            CheckResult("homogeneity: quantities unchanged (max rel. deviation)", dev_real, TOL)]


def walras(model, shock=None) -> list[CheckResult]:
    """Dropped market residual at the benchmark and at a shocked solution."""
    model.reset()
    out = [CheckResult("Walras' law: dropped market residual (benchmark)", abs(model.walras_residual()), TOL)]
    if shock is not None:
        shock.apply(model)
        model.solve()
        out.append(CheckResult(f"Walras' law: dropped market residual ({shock.name})",
                               abs(model.walras_residual()), TOL))
        model.reset()
    return out


def monetary_neutrality(params, shock, anchor: str) -> list[CheckResult]:
    """With flexible wages the real equilibrium is the same under every monetary regime;
    with the wage curve, strict CPI targeting holds every CPI at its target."""
    import warnings

    from .model import CGEModel, Closure

    def solved(labour, regime):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = CGEModel(params, Closure(labour=labour, monetary={"*": regime, anchor: "cpi"},
                                             anchor=anchor))
        model.solve()
        shock.solve(model)
        return model
    others = [r for r in params.regions if r != anchor]
    a, b = solved("flexible", "cpi"), solved("flexible", ("peg", anchor))
    real = lambda m: np.array([v.value for n in REAL for v in getattr(m.pyomo, n).values()])  # noqa: E731
    dev = float(np.max(np.abs(real(a) / real(b) - 1)))
    c = solved("wage_curve", "cpi")
    cpi = max(abs(pyo.value(c.pyomo.ER[r] * c.pyomo.P_H["household", r]) - 1) for r in params.regions)
    e_moves = max(abs(pyo.value(a.pyomo.ER[r]) - 1) for r in others)
    return [CheckResult("monetary neutrality, flexible wages: CPI vs peg (max rel. dev.)", dev, TOL,
                        f"exchange rates differ by up to {e_moves:.2g}"),
            CheckResult("strict CPI targeting, wage curve: max |CPI - target|", cpi, TOL)]


def run_all(model, shock=None) -> list[CheckResult]:
    out = benchmark_replication(model) + homogeneity(model) + walras(model, shock)
    if shock is not None and len(model.params.regions) > 1:
        anchor = "USA" if "USA" in model.params.regions else model.params.regions[0]
        out += monetary_neutrality(model.params, shock, anchor)
    return out


def format_table(results: list[CheckResult]) -> str:
    w = max(len(r.name) for r in results)
    lines = [f"{'check':<{w}}  {'value':>10}  {'tolerance':>9}  result", "-" * (w + 33)]
    for r in results:
        lines.append(f"{r.name:<{w}}  {r.value:>10.3g}  {r.tolerance:>9.0e}  "
                     f"{'PASS' if r.passed else 'FAIL'}{'  ' + r.detail if r.detail else ''}")
    return "\n".join(lines)


def verify_solution(model, tol: float = TOL) -> list[CheckResult]:
    """Check the model's current point independently of the solver, from the Pyomo model
    alone (``pyo.value``): every equation's residual including the market dropped by Walras'
    law, each region's balance of payments (absorption - income = imports - exports at world
    prices: imports cif, exports fob plus margin services, with absorption valued from the
    demands for each variety), world trade
    (the regions' trade balances sum to the net flow with the rest of the world) and
    non-negativity of every price, quantity and final demand."""
    m, par = model.pyomo, model.params

    def v(expr):        # a complex or undefined value (e.g. a negative price in a CES) fails
        try:
            val = pyo.value(expr)
        except (ValueError, ZeroDivisionError, OverflowError):
            return float("nan")
        return float(val) if isinstance(val, (int, float)) and np.isfinite(val) else float("nan")
    worst, where = 0.0, ""
    for con in m.component_data_objects(pyo.Constraint, active=True):
        lhs, rhs = con.expr.args
        res = abs(v(lhs) - v(rhs))
        res = np.inf if np.isnan(res) else res
        if not res <= worst:
            worst, where = res, con.name
    walras_res = abs(model.walras_residual())
    out = [CheckResult("recomputed equations: max |residual|", worst, tol, f"worst {where}"),
           CheckResult("recomputed Walras' law: dropped market residual", walras_res, tol)]

    neg, neg_where = 0.0, ""
    for var in m.component_data_objects(pyo.Var):
        if var.lb is not None and var.value is not None and var.value < var.lb and var.lb - var.value > neg:
            neg, neg_where = var.lb - var.value, var.name
    quantities = [getattr(m, n) for n in ("E", "QA", "D", "MA", "X", "XMW") if hasattr(m, n)]
    for comp in quantities:
        for e in comp.values():
            val = v(e)
            if np.isnan(val) or -val > neg * 1e6:      # demands in benchmark value units (USD m)
                neg, neg_where = (np.inf if np.isnan(val) else -val / 1e6), e.name
    out.append(CheckResult("non-negativity: largest negative price, quantity or demand", neg,
                           1e-9, neg_where))

    regions, I = list(m.R), list(m.I)
    idx = {h: par.final_agents.index(h) for h in par.final_agents}
    from .model.trade import domestic_price, export_price
    row = m.ROW.first() if len(m.ROW) else None
    gap, gap_where, net = 0.0, "", 0.0
    imports = {r: 0.0 for r in regions}
    exports = {r: 0.0 for r in regions}
    for (i, s, r), x in m.X.items():
        value = v(export_price(m, i, s) * (1 + m.tx[i, s, r]) * x)
        imports[r] += value
        exports[s] += value
    vtwr, vxmd = par["vtwr"], par["vxmd"]
    for (g, i, s, r) in m.TW:      # transport margins: imports of the destination (cif - fob)
        k = (I.index(g), I.index(i), regions.index(s), regions.index(r))
        imports[r] += v(m.PT[g] * m.X[i, s, r]) * float(vtwr[k] / vxmd[k[1:]])
    for (g, k) in m.MS:            # margin services sold to the transport pool
        exports[k] += v(export_price(m, g, k) * m.MARGIN_SUPPLY[g, k])
    for (i, r), x in getattr(m, "XMW", {}).items():
        imports[r] += v(m.EXR[row] * m.pwm[i, r] * x)
    for (i, r) in m.EW:
        exports[r] += v(m.EXR[row] * m.pwe[i, r] * m.XEW[i, r]) * float(par["x_row"][I.index(i), regions.index(r)])
    for k, r in enumerate(regions):
        absorption = sum(v(domestic_price(m, i, r) * m.D[i, h, r]) +
                         (v(m.PM[i, r] * m.MA[i, h, r]) if (i, r) in m.IM else 0.0)
                         for i in I for h in idx if (i, h, r) in m.USE)
        income = v(m.INC[r]) * float(par["income"][k])
        res = abs(absorption - income - (imports[r] - exports[r])) / float(par["income"][k])
        if not res <= gap:
            gap, gap_where = (np.inf if np.isnan(res) else res), r
        net += imports[r] - exports[r]
    out.append(CheckResult("balance of payments: max |absorption - income - (M - X)| / income",
                           gap, tol, f"worst {gap_where}"))
    row_inflow = 0.0
    if row is not None:
        row_inflow = v(m.EXR[row] * (sum(m.pwm[i, r] * m.XMW[i, r] for (i, r) in m.MW)
                                     - sum(m.pwe[i, r] * float(par["x_row"][I.index(i), regions.index(r)])
                                           * m.XEW[i, r] for (i, r) in m.EW)))
    world = float(sum(exports.values())) or 1.0
    out.append(CheckResult("world trade: |sum of trade balances - rest-of-world flow| / world trade",
                           abs(net - row_inflow) / world, tol))
    return out
