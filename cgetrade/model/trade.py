"""Trade block: two-level Armington demand with bilateral flows (GTAP structure).

Each agent a (a sector or a final-demand agent) in region r buys an Armington composite of
commodity i (domestic vs imported, elasticity sigma_d):

    P_A[i,a,r] = [th_D P_Y[i,r]^(1-sigma_d) + (1-th_D) P_M[i,r]^(1-sigma_d)]^(1/(1-sigma_d))
    D[i,a,r]   = D0  * Q_A * (P_A / P_Y)^sigma_d,     MA[i,a,r] = MA0 * Q_A * (P_A / P_M)^sigma_d

Imports of i into r are sourced at the border by a CES over origins s (sigma_m):

    P_MS[i,s,r] = P_Y[i,s] (1 + t_x[i,s,r]) (1 + t_m[i,s,r])          (bilateral price)
    P_M[i,r]    = [sum_s th_s (P_MS / P_MS0)^(1-sigma_m)]^(1/(1-sigma_m))   (import price)
    X[i,s,r]    = X0 * M[i,r] * (P_M P_MS0 / P_MS)^sigma_m                 (bilateral imports)

Market clearing:
    commodity market  X0_Y[i,r] Y[i,r] = sum_a D[i,a,r] + sum_s X[i,r,s]
    import market     M0[i,r] M[i,r]   = sum_a MA[i,a,r]

Optional CET between domestic sales and exports (elasticity psi = sigma_t < inf): output is
transformed into a domestic and an export variety with prices P_D and P_E,
    cet_price        P_Y = [th_D P_D^(1+psi) + th_E P_E^(1+psi)]^(1/(1+psi))
    market_clearing  D0_Y Y (P_D / P_Y)^psi = sum_a D[i,a,r]          (domestic market)
    export_market    E0_Y Y (P_E / P_Y)^psi = sum_s X[i,r,s]
and P_D replaces P_Y in the Armington nest, P_E in the bilateral import price. Without a
CET (psi = inf, GTAP) P_D = P_E = P_Y.
"""
from __future__ import annotations

import pyomo.environ as pyo

from .ces import ces_demand, ces_price


def domestic_price(m, i, r):
    """Price of the domestic variety: P_D with a CET, else the producer price."""
    return m.PD[i, r] if (i, r) in m.CET else m.PY[i, r]


def export_price(m, i, r):
    """Price of the export variety (before export taxes): P_E with a CET, else P_Y."""
    return m.PE[i, r] if (i, r) in m.CET else m.PY[i, r]


def add_prices(m, p):
    """Producer and import prices, import sourcing by origin, each agent's Armington price."""
    R, I = m.R_idx, m.I_idx
    A = m.A_idx
    ud, ui = p["use_dom"], p["use_imp"]
    vxmd = p["vxmd"]
    m.PY = pyo.Var(m.I, m.R, initialize=1.0, bounds=(0, None), doc="producer (basic) price")
    m.PM = pyo.Var(m.IM, initialize=1.0, bounds=(0, None), doc="import composite price")
    m.M = pyo.Var(m.IM, initialize=1.0, bounds=(0, None), doc="import composite (index)")
    m.PD = pyo.Var(m.CET, initialize=1.0, bounds=(0, None), doc="price of the domestic variety (CET)")
    m.PE = pyo.Var(m.CET, initialize=1.0, bounds=(0, None), doc="price of the export variety (CET)")
    m.tm = pyo.Param(m.BT, initialize=0.0, mutable=True, doc="import tariff rate t_m[i,s,r]")
    m.tx = pyo.Param(m.BT, initialize=0.0, mutable=True, doc="export tax rate t_x[i,s,r]")

    def p_a(m, i, a, r):
        ii, aa, rr = I[i], A[a], R[r]
        tot = ud[ii, aa, rr] + ui[ii, aa, rr]
        terms = [(ud[ii, aa, rr] / tot, domestic_price(m, i, r))]
        if (i, r) in m.IM:
            terms.append((ui[ii, aa, rr] / tot, m.PM[i, r]))
        return ces_price(terms, p["sigma_d"][ii])
    m.P_A = pyo.Expression(m.USE, rule=p_a, doc="Armington price paid by agent a")

    def p_ms(m, i, s, r):
        # benchmark rates are zero in the calibration (basic-price tables), so P_MS0 = 1
        return export_price(m, i, s) * (1 + m.tx[i, s, r]) * (1 + m.tm[i, s, r])
    m.P_MS = pyo.Expression(m.BT, rule=p_ms, doc="bilateral import price at destination")

    def import_price(m, i, r):
        ii, rr = I[i], R[r]
        tot = vxmd[ii, :, rr].sum()
        return m.PM[i, r] == ces_price([(vxmd[ii, R[s], rr] / tot, m.P_MS[i, s, r])
                                        for s in m.R if (i, s, r) in m.BT], p["sigma_m"][ii])
    m.import_price = pyo.Constraint(m.IM, rule=import_price,
                                    doc="import price: P_M = CES_s(P_MS; sigma_m)")

    def bilateral(m, i, s, r):
        ii = I[i]
        return ces_demand(vxmd[ii, R[s], R[r]], m.M[i, r], m.PM[i, r], m.P_MS[i, s, r],
                          p["sigma_m"][ii])
    m.X = pyo.Expression(m.BT, rule=bilateral, doc="bilateral imports of i from s into r")

    # world export price index: weights = benchmark export values (values foreign saving)
    exports = vxmd.sum(2)                                      # (i, s)
    m.PW = pyo.Var(initialize=1.0, bounds=(0, None), doc="world export price index")
    m.world_price_index = pyo.Constraint(
        expr=m.PW == sum(exports[I[i], R[r]] / exports.sum() * export_price(m, i, r)
                         for i in m.I for r in m.R if exports[I[i], R[r]] > 0),
        doc="world export price index: P_W = sum_(i,r) w_ir P_E[i,r]")


def add_markets(m, p):
    """Armington demands, bilateral imports and commodity / import market clearing."""
    R, I, A = m.R_idx, m.I_idx, m.A_idx
    ud, ui, vxmd, vom = p["use_dom"], p["use_imp"], p["vxmd"], p["vom"]
    sd, sm = p["sigma_d"], p["sigma_m"]

    def dom_demand(m, i, a, r):
        ii, aa, rr = I[i], A[a], R[r]
        if ud[ii, aa, rr] <= 0:
            return 0.0
        return ces_demand(ud[ii, aa, rr], m.QA[i, a, r], m.P_A[i, a, r], domestic_price(m, i, r), sd[ii])
    m.D = pyo.Expression(m.USE, rule=dom_demand, doc="demand for the domestic variety")

    def imp_demand(m, i, a, r):
        ii, aa, rr = I[i], A[a], R[r]
        if ui[ii, aa, rr] <= 0:
            return 0.0
        return ces_demand(ui[ii, aa, rr], m.QA[i, a, r], m.P_A[i, a, r], m.PM[i, r], sd[ii])
    m.MA = pyo.Expression(m.USE, rule=imp_demand, doc="demand for the imported composite")

    dom0, exp0 = ud.sum(1), vxmd.sum(2)
    sig_t = p["sigma_t"]

    def commodity_market(m, i, r):
        domestic = sum(m.D[i, a, r] for a in m.A if (i, a, r) in m.USE)
        exports = sum(m.X[i, r, s] for s in m.R if (i, r, s) in m.BT)
        if (i, r) in m.CET:          # domestic market of the CET's domestic variety
            psi = float(sig_t[I[i]])
            return m.Y[i, r] * (m.PD[i, r] / m.PY[i, r]) ** psi == domestic / dom0[I[i], R[r]]
        return m.Y[i, r] == (domestic + exports) / vom[I[i], R[r]]
    m.market_clearing = pyo.Constraint(m.I, m.R, rule=commodity_market,
                                       doc="commodity market: Y X0 = sum_a D + sum_s X "
                                           "(with a CET: the domestic variety's market)")

    def export_market(m, i, r):
        psi = float(sig_t[I[i]])
        exports = sum(m.X[i, r, s] for s in m.R if (i, r, s) in m.BT)
        return m.Y[i, r] * (m.PE[i, r] / m.PY[i, r]) ** psi == exports / exp0[I[i], R[r]]
    m.export_market = pyo.Constraint(m.CET, rule=export_market,
                                     doc="export market (CET): E0 Y (P_E/P_Y)^psi = sum_s X")

    def cet_price(m, i, r):
        psi = float(sig_t[I[i]])
        th_d = dom0[I[i], R[r]] / vom[I[i], R[r]]
        return m.PY[i, r] == (th_d * m.PD[i, r] ** (1 + psi)
                              + (1 - th_d) * m.PE[i, r] ** (1 + psi)) ** (1 / (1 + psi))
    m.cet_price = pyo.Constraint(m.CET, rule=cet_price,
                                 doc="CET unit revenue: P_Y = [th_D P_D^(1+psi) + th_E P_E^(1+psi)]^(1/(1+psi))")

    def import_market(m, i, r):
        m0 = ui[I[i], :, R[r]].sum()
        return m.M[i, r] == sum(m.MA[i, a, r] for a in m.A if (i, a, r) in m.USE) / m0
    m.import_market = pyo.Constraint(m.IM, rule=import_market,
                                     doc="import market: M M0 = sum_a MA")
