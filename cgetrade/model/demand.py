"""Final demand block: the regional household (GTAP-style).

The regional household r receives factor income and net tax revenue and splits it with fixed
value shares (Cobb-Douglas upper level) between private consumption, government consumption
and saving. Investment is savings-driven: saving plus foreign saving, the latter fixed in
units of the world export price index P_W.

    INC_r = sum_f W_f E_f + sum_j t_o P_Y Y X0 + tariff and export-tax revenue
    E_hh = s_hh INC,  E_gov = s_gov INC,  E_inv = s_sav INC + FS_r P_W
    P_H[h,r] = CES_i(P_A[i,h,r]; sigma_h),   Q_A[i,h,r] = (E_h / E_h0) / P_H (P_H / P_A)^sigma_h
"""
from __future__ import annotations

import pyomo.environ as pyo

from .ces import ces_demand, ces_price
from .trade import export_price


def add_final_demand(m, p, factor_income):
    R, I, A, H = m.R_idx, m.I_idx, m.A_idx, m.H_idx
    use = p["use_dom"] + p["use_imp"]
    inc0, fd0, fs0 = p["income"], p["fd_exp"], p["foreign_saving"]
    vom, vxmd = p["vom"], p["vxmd"]
    share = fd0[:2] / inc0                                     # household, government
    s_sav = p["saving"] / inc0

    m.INC = pyo.Var(m.R, initialize=1.0, bounds=(0, None), doc="regional income (index)")
    m.fsav = pyo.Param(m.R, mutable=True, initialize=lambda m, r: float(fs0[R[r]]),
                       doc="foreign saving, in units of the world export price index")

    def tax_revenue(m, r):
        prod = sum(m.to[j, r] * m.PY[j, r] * vom[I[j], R[r]] * m.Y[j, r] for j in m.I)
        tariffs = sum(m.tm[i, s, r] * export_price(m, i, s) * (1 + m.tx[i, s, r]) * m.X[i, s, r]
                      for i in m.I for s in m.R if (i, s, r) in m.BT)
        export_tax = sum(m.tx[i, r, s] * export_price(m, i, r) * m.X[i, r, s]
                         for i in m.I for s in m.R if (i, r, s) in m.BT)
        return prod + tariffs + export_tax
    m.TAXREV = pyo.Expression(m.R, rule=tax_revenue, doc="net tax revenue")

    m.income_balance = pyo.Constraint(
        m.R, rule=lambda m, r: m.INC[r] == (factor_income(m, r) + m.TAXREV[r]) / inc0[R[r]],
        doc="income: INC = factor income + net taxes")

    def expenditure(m, h, r):
        hh, rr = H[h], R[r]
        if h == "investment":
            return s_sav[rr] * inc0[rr] * m.INC[r] + m.fsav[r] * m.PW
        return share[hh, rr] * inc0[rr] * m.INC[r]
    m.E = pyo.Expression(m.H, m.R, rule=expenditure, doc="final expenditure by agent (value)")

    def price_index(m, h, r):
        hh, rr = H[h], R[r]
        a = A[h]
        return ces_price([(use[I[i], a, rr] / fd0[hh, rr], m.P_A[i, h, r])
                          for i in m.I if (i, h, r) in m.USE], p["sigma_fd"][hh])
    m.P_H = pyo.Expression(m.H, m.R, rule=price_index,
                           doc="price index of final agent h (P_H[household] = true cost-of-living index)")

    def composite_index(m, h, r):
        return m.E[h, r] / fd0[H[h], R[r]] / m.P_H[h, r]
    m.Q_H = pyo.Expression(m.H, m.R, rule=composite_index, doc="real final demand (index)")

    def fd_composite(m, i, h, r):
        return ces_demand(1.0, m.Q_H[h, r], m.P_H[h, r], m.P_A[i, h, r], p["sigma_fd"][H[h]])
    return fd_composite
