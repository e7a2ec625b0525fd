"""Production block: nested CES technology of activity j in region r.

    output  = A_jr * CES_top( VA composite, intermediate composite ; sigma_top )
    VA      = CES_va( lambda_f F_f ; sigma_va )          (factor-augmenting productivity)
    INT     = Leontief over Armington composites of commodities i

Unit costs (prices = 1 at the benchmark):

    P_VA   = [sum_f alpha_f (W_f / lambda_f)^(1-sigma_va)]^(1/(1-sigma_va))
             (alpha_f: task shares, = benchmark cost shares; automation moves alpha to capital)
    P_INT  = sum_i theta_i P_A[i,j]
    C      = CES_top(P_VA, P_INT)
    zero profit:  (1 - t_o) P_Y A = (1 - t_o^0) C
"""
from __future__ import annotations

import pyomo.environ as pyo

from .ces import ces_demand, ces_price, ces_share_price


def add_production(m, p, factor_price):
    """Activity levels Y, unit costs, input demands and the zero-profit conditions."""
    vom, vfm, to0 = p["vom"], p["vfm"], p["to"]
    use = p["use_dom"] + p["use_imp"]                  # (i, a, r), sectors first
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    va0 = vfm.sum(0)                                   # (j, r)
    vint0 = use[:, : len(I), :].sum(0)                 # (j, r)

    m.Y = pyo.Var(m.I, m.R, initialize=1.0, bounds=(0, None), doc="activity level (index)")
    m.tfp = pyo.Param(m.I, m.R, initialize=1.0, mutable=True, doc="Hicks-neutral TFP A")
    m.aug = pyo.Param(m.F, m.I, m.R, initialize=1.0, mutable=True,
                      doc="factor-augmenting productivity lambda")
    m.to = pyo.Param(m.I, m.R, mutable=True, initialize=lambda m, j, r: float(to0[I[j], R[r]]),
                     doc="production tax rate t_o")

    # task shares of value added (benchmark cost shares); automation shifts them from labour
    # to capital (Acemoglu and Restrepo 2019), so they are mutable parameters
    m.va_share = pyo.Param(m.F, m.I, m.R, mutable=True,
                           initialize=lambda m, f, j, r: float(vfm[F[f], I[j], R[r]] / va0[I[j], R[r]]),
                           doc="task (distribution) share alpha_f of value added")

    def p_va(m, j, r):
        jj, rr = I[j], R[r]
        return ces_share_price([(m.va_share[ff, j, r], factor_price(m, ff, j, r) / m.aug[ff, j, r])
                                for ff, f in F.items() if vfm[f, jj, rr] > 0], p["sigma_va"][jj])
    m.P_VA = pyo.Expression(m.I, m.R, rule=p_va, doc="unit cost of value added")

    def p_int(m, j, r):
        jj, rr = I[j], R[r]
        if vint0[jj, rr] <= 0:
            return 1.0
        return sum(use[I[i], jj, rr] / vint0[jj, rr] * m.P_A[i, j, r]
                   for i in m.I if (i, j, r) in m.USE)
    m.P_INT = pyo.Expression(m.I, m.R, rule=p_int, doc="unit cost of the intermediate composite")

    def unit_cost(m, j, r):
        jj, rr = I[j], R[r]
        tot = va0[jj, rr] + vint0[jj, rr]
        return ces_price([(va0[jj, rr] / tot, m.P_VA[j, r]), (vint0[jj, rr] / tot, m.P_INT[j, r])],
                         p["sigma_top"][jj])
    m.C = pyo.Expression(m.I, m.R, rule=unit_cost, doc="unit cost of the input bundle")

    m.zero_profit = pyo.Constraint(
        m.I, m.R, rule=lambda m, j, r: (1 - m.to[j, r]) * m.PY[j, r] * m.tfp[j, r]
        == (1 - float(to0[I[j], R[r]])) * m.C[j, r],
        doc="zero profit: (1 - t_o) P_Y A = (1 - t_o0) C(P_VA, P_INT)")

    # conditional input demands (benchmark value units)
    def q_va(m, j, r):
        jj, rr = I[j], R[r]
        return ces_demand(va0[jj, rr], m.Y[j, r] / m.tfp[j, r], m.C[j, r], m.P_VA[j, r],
                          p["sigma_top"][jj])
    m.QVA = pyo.Expression(m.I, m.R, rule=q_va, doc="value-added composite demand")

    def q_int(m, j, r):
        jj, rr = I[j], R[r]
        return ces_demand(1.0, m.Y[j, r] / m.tfp[j, r], m.C[j, r], m.P_INT[j, r], p["sigma_top"][jj])
    m.QINT = pyo.Expression(m.I, m.R, rule=q_int, doc="intermediate composite (index)")

    def factor_demand(m, f, j, r):
        ff, jj, rr = F[f], I[j], R[r]
        if vfm[ff, jj, rr] <= 0:
            return 0.0
        eff_price = factor_price(m, f, j, r) / m.aug[f, j, r]
        return ces_demand(1.0, m.va_share[f, j, r] * m.QVA[j, r], m.P_VA[j, r], eff_price,
                          p["sigma_va"][jj]) / m.aug[f, j, r]
    m.FD = pyo.Expression(m.F, m.I, m.R, rule=factor_demand,
                          doc="factor demand (physical, benchmark value units)")
