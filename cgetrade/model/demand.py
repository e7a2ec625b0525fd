"""Final demand block: who spends regional income, and on what.

Two structures (``Closure.final_demand``):

``regional_household`` (GTAP, default): the regional household receives factor income and
net tax revenue and splits it with fixed value shares (Cobb-Douglas upper level) between
private consumption, government consumption and saving:

    INC_r = sum_f W_f E_f + sum_j t_o P_Y Y X0 + tariff and export-tax revenue
    E_hh = s_hh INC,  E_gov = s_gov INC,  E_inv = s_sav INC + FS_r * unit

``household_government`` (Hosoe-Gasawa-Hashimoto textbook): the household receives factor
income FI and pays a direct tax at rate tau_d; it saves a fixed share s_p of FI; the
government receives the direct tax and all indirect taxes T and saves a fixed share s_g:

    E_hh = (1 - tau_d - s_p) FI,   E_gov = (1 - s_g)(tau_d FI + T),
    E_inv = s_p FI + s_g (tau_d FI + T) + FS_r * unit

Investment is savings-driven. Foreign saving FS_r is fixed in the unit chosen by
``Closure.foreign_saving``: the world export price index P_W, the numeraire, or the rest
of the world's currency EXR (flexible exchange rate). FS_r = fsav_r + dFS_r, where the
response dFS_r is a variable fixed at 0 in the static model; a layer above may free it
(the dynamic monetary block: investment by the real rate, foreign saving the residual,
sum_r dFS_r = 0). Within each agent's basket

    P_H[h,r] = CES_i(P_A[i,h,r]; sigma_h),   Q_A[i,h,r] = (E_h / E_h0) / P_H (P_H / P_A)^sigma_h

(an agent with no benchmark spending keeps none).
"""
from __future__ import annotations

import pyomo.environ as pyo

from .ces import ces_demand, ces_price
from .trade import export_price

FINAL_DEMAND = ("regional_household", "household_government")
FOREIGN_SAVING_UNITS = ("world_price_index", "numeraire", "rest_of_world")


def foreign_saving_unit(kind: str):
    """Price of the unit in which foreign saving is fixed, as a function of (m, r)."""
    if kind == "world_price_index":
        return lambda m, r: m.PW
    if kind == "numeraire":
        return lambda m, r: m.pnum
    if kind == "rest_of_world":
        def unit(m, r):
            if not len(m.ROW):
                raise ValueError("foreign_saving='rest_of_world' needs a dataset with an exogenous "
                                 "rest of the world (attribute rest_of_world)")
            return m.EXR[m.ROW.first()]
        return unit
    raise ValueError(f"unknown foreign_saving unit {kind!r}; known: {FOREIGN_SAVING_UNITS}")


def add_final_demand(m, p, factor_income, closure):
    R, I, A, H = m.R_idx, m.I_idx, m.A_idx, m.H_idx
    use = p["use_dom"] + p["use_imp"]
    inc0, fd0, fs0 = p["income"], p["fd_exp"], p["foreign_saving"]
    vom = p["vom"]
    if closure.final_demand not in FINAL_DEMAND:
        raise ValueError(f"unknown final_demand structure {closure.final_demand!r}; known: {FINAL_DEMAND}")
    unit = foreign_saving_unit(closure.foreign_saving)

    m.INC = pyo.Var(m.R, initialize=1.0, bounds=(0, None), doc="regional income (index)")
    m.fsav = pyo.Param(m.R, mutable=True, initialize=lambda m, r: float(fs0[R[r]]),
                       doc="foreign saving, in units of Closure.foreign_saving")
    m.FSR = pyo.Var(m.R, initialize=0.0, doc="response of foreign saving dFS_r (fixed at 0 unless freed)")
    m.FSR.fix(0.0)

    def tax_revenue(m, r):
        prod = sum(m.to[j, r] * m.PY[j, r] * vom[I[j], R[r]] * m.Y[j, r] for j in m.I)
        tariffs = sum(m.TARIFF_REVENUE[i, r] for i in m.I if (i, r) in m.IM)
        export_tax = sum(m.tx[i, r, s] * export_price(m, i, r) * m.X[i, r, s]
                         for i in m.I for s in m.R if (i, r, s) in m.BT)
        return prod + tariffs + export_tax
    m.TAXREV = pyo.Expression(m.R, rule=tax_revenue, doc="net indirect tax revenue")

    m.income_balance = pyo.Constraint(
        m.R, rule=lambda m, r: m.INC[r] == (factor_income(m, r) + m.TAXREV[r]) / inc0[R[r]],
        doc="income: INC = factor income + net taxes")

    if closure.final_demand == "regional_household":
        share = fd0[:2] / inc0                                 # household, government
        s_sav = p["saving"] / inc0

        def expenditure(m, h, r):
            hh, rr = H[h], R[r]
            if h == "investment":
                return s_sav[rr] * inc0[rr] * m.INC[r] + (m.fsav[r] + m.FSR[r]) * unit(m, r)
            return share[hh, rr] * inc0[rr] * m.INC[r]
    else:
        fi0, td0 = p["factor_income"], p["direct_tax"]
        taxes0 = td0 + inc0 - fi0                              # direct + indirect taxes
        m.taud = pyo.Param(m.R, mutable=True, initialize=lambda m, r: float(td0[R[r]] / fi0[R[r]]),
                           doc="direct tax rate tau_d (on factor income)")
        m.ssp = pyo.Param(m.R, mutable=True, doc="household saving rate s_p (of factor income)",
                          initialize=lambda m, r: float(p["household_saving"][R[r]] / fi0[R[r]]))
        m.ssg = pyo.Param(m.R, mutable=True, doc="government saving rate s_g (of tax revenue)",
                          initialize=lambda m, r: float(p["government_saving"][R[r]] / taxes0[R[r]])
                          if taxes0[R[r]] > 0 else 0.0)
        m.FI = pyo.Expression(m.R, rule=lambda m, r: factor_income(m, r), doc="factor income")
        m.GREV = pyo.Expression(m.R, rule=lambda m, r: m.taud[r] * m.FI[r] + m.TAXREV[r],
                                doc="government revenue: direct + indirect taxes")

        def expenditure(m, h, r):
            if h == "household":
                return (1 - m.taud[r] - m.ssp[r]) * m.FI[r]
            if h == "government":
                return (1 - m.ssg[r]) * m.GREV[r]
            return m.ssp[r] * m.FI[r] + m.ssg[r] * m.GREV[r] + (m.fsav[r] + m.FSR[r]) * unit(m, r)
    m.E = pyo.Expression(m.H, m.R, rule=expenditure, doc="final expenditure by agent (value)")

    def price_index(m, h, r):
        hh, rr = H[h], R[r]
        if fd0[hh, rr] <= 0:
            return 1.0
        a = A[h]
        return ces_price([(use[I[i], a, rr] / fd0[hh, rr], m.P_A[i, h, r])
                          for i in m.I if (i, h, r) in m.USE], p["sigma_fd"][hh])
    m.P_H = pyo.Expression(m.H, m.R, rule=price_index,
                           doc="price index of final agent h (P_H[household] = true cost-of-living index)")

    def composite_index(m, h, r):
        if fd0[H[h], R[r]] <= 0:
            return 1.0
        return m.E[h, r] / fd0[H[h], R[r]] / m.P_H[h, r]
    m.Q_H = pyo.Expression(m.H, m.R, rule=composite_index, doc="real final demand (index)")

    def fd_composite(m, i, h, r):
        return ces_demand(1.0, m.Q_H[h, r], m.P_H[h, r], m.P_A[i, h, r], p["sigma_fd"][H[h]])
    return fd_composite
