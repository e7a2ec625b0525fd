"""Trade block: two-level Armington demand with bilateral flows (GTAP structure).

Each agent a (a sector or a final-demand agent) in region r buys an Armington composite of
commodity i (domestic vs imported, elasticity sigma_d):

    P_A[i,a,r] = [th_D P_Y[i,r]^(1-sigma_d) + (1-th_D) P_M[i,r]^(1-sigma_d)]^(1/(1-sigma_d))
    D[i,a,r]   = D0  * Q_A * (P_A / P_Y)^sigma_d,     MA[i,a,r] = MA0 * Q_A * (P_A / P_M)^sigma_d

Imports of i into r are sourced at the border by a CES over origins s (sigma_m):

    P_MS[i,s,r] = tau[i,s,r] P_E[i,s] (1 + t_x[i,s,r]) (1 + t_m[i,s,r]) / (1 + t_m0[i,s,r])
    P_M[i,r]    = [sum_s th_s P_MS^(1-sigma_m)]^(1/(1-sigma_m))            (import price)
    X[i,s,r]    = tau[i,s,r] X0 M[i,r] (P_M / P_MS)^sigma_m               (bilateral trade)

th_s are benchmark shares at the importer's prices, X0 = vxmd is valued at world (exporter)
prices, so tariff revenue is t_m P_E (1 + t_x) X.

Trade within an aggregated region (datasets with ``intra_regional_*``, e.g. GTAP data or the
EU of a WIOD aggregate): the region's purchases from its own members are one more origin of
its import CES, s = r, priced like any partner's,

    P_MS[i,r,r] = tau[i,r,r] P_E[i,r] (1 + t_x[i,r,r]) (1 + t_m[i,r,r]) / (1 + t_m0[i,r,r]),

with its own share th_r, tariff and margins; X[i,r,r] is both an export of r (commodity
market) and an import of r (tariff revenue). The domestic variety in the top nest is then
the supply of each member to itself.

Home bias (a preference shift in the domestic-import nest, 1 at the benchmark): b[i,r] >= 0
is the import-price equivalent of the shift, 1 + e. The nest's weights become

    w_D = b^sigma_d / N,   w_M = 1 / N,   N = th_D b^sigma_d + (1 - th_D)
    P_A = [th_D w_D P_D^(1-sigma_d) + (1-th_D) w_M P_M^(1-sigma_d)]^(1/(1-sigma_d))
    D   = w_D D0 Q_A (P_A / P_D)^sigma_d,    MA = w_M MA0 Q_A (P_A / P_M)^sigma_d

(the model writes the shares th_D w_D = b^sigma_d / (b^sigma_d + c) and (1-th_D) w_M =
c / (b^sigma_d + c), c = (1 - th_D) / th_D, once per agent), so at given prices D / MA moves
by the factor b^sigma_d, as an ad-valorem charge e on the
imported composite would, but nothing is paid or melted: buyers value the domestic variety
more (customer proximity, individualised production, trust in its quality). N keeps the
weights summing to one at benchmark prices (P_A = 1 there: the composite's units do not
change). With sigma_d = 0 the shift has no effect.

Iceberg trade costs (Samuelson 1954): tau[i,s,r] units must be shipped from s for one unit
to arrive in r (1 at the benchmark: the benchmark costs of trade are in the data). X is the
quantity shipped (the exporter's sales, the importer's bill at world prices); the importer's
CES demand is for the quantity delivered, X / tau. A fall of tau (cheaper trade) lowers the
delivered price P_MS and saves the resources melted in transit.

Exogenous rest of the world (small open economy, dataset attribute ``rest_of_world``):
imports from it are one more source of the import CES and exports to it are sold at given
world prices, both converted by the price of the rest of the world's currency EXR:

    P_MW[i,r]  = EXR pwm[i] (1 + t_mw[i,r]) / (1 + t_mw0[i,r])        (import source)
    P_E[i,r]   = EXR pwe[i]                                          (price-taking exports)
    external balance:  EXR sum_(i,r) (pwm XMW - pwe XEW) = sum_r FS_r (foreign-saving unit)

Market clearing:
    commodity market  X0_Y[i,r] Y[i,r] = sum_a D[i,a,r] + sum_s X[i,r,s]
    import market     M0[i,r] M[i,r]   = sum_a MA[i,a,r]

International transport margins (datasets with ``transport_margins``, GTAP): each unit of
i shipped from s to r needs a_T[m,i,s,r] = VTWR/VFOB units of margin service m, bought from a
global transport pool that buys it from the regions in fixed value shares (Cobb-Douglas,
GTAP's sigma = 1):

    P_T[m]      = prod_k P_E[m,k]^theta_mk                       (transport_price)
    P_MS[i,s,r] = tau [P_E (1 + t_x) VFOB + sum_m P_T[m] VTWR] / VCIF * (1 + t_m) / (1 + t_m0)
    QT[m]       = sum_(i,s,r) a_T[m,i,s,r] X[i,s,r],   QS[m,k] = theta_mk QT[m] P_T[m] / P_E[m,k]

and QS[m,k] is sold like exports of m by k. Tariffs are levied on the cif value. Without
margins every term above is absent and the block is the one described before.

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

from .ces import SIGMA_EPS, ces_demand, ces_price, ces_share_price


def domestic_price(m, i, r):
    """Price of the domestic variety: P_D with a CET, else the producer price."""
    return m.PD[i, r] if (i, r) in m.CET else m.PY[i, r]


def export_price(m, i, r):
    """Price of the export variety (before export taxes): P_E with a CET, else P_Y."""
    return m.PE[i, r] if (i, r) in m.CET else m.PY[i, r]


def armington_shares(m, p, i, a, r):
    """(s_D, s_M) = (th_D w_D, (1 - th_D) w_M): the domestic and import shares of agent a's
    Armington nest under the home bias b[i,r] (module docstring),

        s_D = b^sigma_d / (b^sigma_d + c),   s_M = c / (b^sigma_d + c),   c = (1 - th_D) / th_D,

    (th_D, 1 - th_D) without a bias term (no imports, sigma_d = 0) and None for an agent that
    buys only one variety."""
    ud, ui = (p[k][m.I_idx[i], m.A_idx[a], m.R_idx[r]] for k in ("use_dom", "use_imp"))
    if ud <= 0 or ui <= 0:
        return None
    sigma = p["sigma_d"][m.I_idx[i]]
    if (i, r) not in m.IM or pyo.value(sigma) < SIGMA_EPS:
        return ud / (ud + ui), ui / (ud + ui)
    bias = m.home_bias[i, r] ** sigma
    c = ui / ud
    norm = bias + c
    return bias / norm, c / norm


def add_prices(m, p) -> dict:
    """Producer and import prices, import sourcing by origin, each agent's Armington price;
    returns the Armington shares (s_D, s_M) by (i, a, r) for :func:`add_markets`."""
    R, I = m.R_idx, m.I_idx
    A = m.A_idx
    ud, ui = p["use_dom"], p["use_imp"]
    vxmd, tm0 = p["vxmd"], p["tm0"]
    vrow, tmw0 = p["vxmd_row"], p["tm_row0"]
    vtwr, vst = p["vtwr"], p["vst"]
    vtw = vtwr.sum(0)                                            # margins by route (i, s, r)
    m.MG = pyo.Set(initialize=[g for g in m.I if vst[I[g], :].sum() > 0], ordered=True,
                   doc="margin services (international transport)")
    m.TW = pyo.Set(dimen=4, ordered=True, doc="(m, i, s, r) routes with transport margins",
                   initialize=[(g, i, s, r) for g in m.MG for (i, s, r) in m.BT
                               if vtwr[I[g], I[i], R[s], R[r]] > 0])
    m.MS = pyo.Set(dimen=2, ordered=True, doc="(m, k) suppliers of margin services",
                   initialize=[(g, k) for g in m.MG for k in m.R if vst[I[g], R[k]] > 0])
    m.PY = pyo.Var(m.I, m.R, initialize=1.0, bounds=(0, None), doc="producer (basic) price")
    m.PM = pyo.Var(m.IM, initialize=1.0, bounds=(0, None), doc="import composite price")
    m.M = pyo.Var(m.IM, initialize=1.0, bounds=(0, None), doc="import composite (index)")
    m.PD = pyo.Var(m.CET, initialize=1.0, bounds=(0, None), doc="price of the domestic variety (CET)")
    m.PE = pyo.Var(m.CET, initialize=1.0, bounds=(0, None), doc="price of the export variety (CET)")
    m.tm = pyo.Param(m.BT, mutable=True, doc="import tariff rate t_m[i,s,r]",
                     initialize=lambda m, i, s, r: float(tm0[I[i], R[s], R[r]]))
    m.tx = pyo.Param(m.BT, initialize=0.0, mutable=True, doc="export tax rate t_x[i,s,r]")
    m.tx_rent = pyo.Param(m.BT, initialize=0.0, mutable=True,
                          doc="share of the export-tax revenue t_x P_E X (a quota rent) accruing to "
                              "the importing region r instead of the exporter s")
    m.tau = pyo.Param(m.BT, initialize=1.0, mutable=True,
                      doc="iceberg trade cost tau[i,s,r]: units shipped per unit delivered")
    # exogenous rest of the world (empty sets without one)
    m.EXR = pyo.Var(m.ROW, initialize=1.0, bounds=(0, None), doc="price of the rest of the world's currency")
    m.pwm = pyo.Param(m.MW, initialize=1.0, mutable=True, doc="world import price pwm[i,r] (RoW currency)")
    m.pwe = pyo.Param(m.EW, initialize=1.0, mutable=True, doc="world export price pwe[i,r] (RoW currency)")
    m.tm_row = pyo.Param(m.MW, mutable=True, doc="tariff rate on imports from the rest of the world",
                         initialize=lambda m, i, r: float(tmw0[I[i], R[r]]))
    m.XEW = pyo.Var(m.EW, initialize=1.0, bounds=(0, None), doc="exports to the rest of the world (index)")

    m.home_bias = pyo.Param(m.IM, initialize=1.0, mutable=True,
                            doc="home bias b[i,r]: import-price equivalent (1 + e) of a preference "
                                "shift toward the domestic variety in the Armington nest")

    shares = {}                             # (s_D, s_M) by (i, a, r), also used by add_markets

    def p_a(m, i, a, r):
        if (i, r) not in m.IM:
            return domestic_price(m, i, r)
        sh = shares[i, a, r] = armington_shares(m, p, i, a, r)
        if sh is None:                         # one variety: its price
            return domestic_price(m, i, r) if ud[I[i], A[a], R[r]] > 0 else m.PM[i, r]
        return ces_share_price([(sh[0], domestic_price(m, i, r)), (sh[1], m.PM[i, r])],
                               p["sigma_d"][I[i]])
    m.P_A = pyo.Expression(m.USE, rule=p_a, doc="Armington price paid by agent a")

    m.PT = pyo.Var(m.MG, initialize=1.0, bounds=(0, None), doc="price of margin service m (global)")
    m.transport_price = pyo.Constraint(
        m.MG, rule=lambda m, g: m.PT[g] == ces_price(
            [(vst[I[g], R[k]] / vst[I[g], :].sum(), export_price(m, g, k)) for k in m.R if (g, k) in m.MS], 1.0),
        doc="transport price: P_T = prod_k P_E[m,k]^theta (Cobb-Douglas pool)")

    def p_ms(m, i, s, r):
        ii, ss, rr = I[i], R[s], R[r]
        if vtw[ii, ss, rr] > 0:
            cif = (export_price(m, i, s) * (1 + m.tx[i, s, r]) * vxmd[ii, ss, rr]
                   + sum(m.PT[g] * vtwr[I[g], ii, ss, rr] for g in m.MG if (g, i, s, r) in m.TW)) \
                / (vxmd[ii, ss, rr] + vtw[ii, ss, rr])
            return m.tau[i, s, r] * cif * (1 + m.tm[i, s, r]) / (1 + float(tm0[ii, ss, rr]))
        return (m.tau[i, s, r] * export_price(m, i, s) * (1 + m.tx[i, s, r]) * (1 + m.tm[i, s, r])
                / (1 + float(tm0[I[i], R[s], R[r]])))
    m.P_MS = pyo.Expression(m.BT, rule=p_ms, doc="bilateral import price at destination (index)")
    m.P_MW = pyo.Expression(
        m.MW, rule=lambda m, i, r: m.EXR[m.ROW.first()] * m.pwm[i, r] * (1 + m.tm_row[i, r]) / (1 + float(tmw0[I[i], R[r]])),
        doc="price of imports from the rest of the world at destination (index)")

    def sources(m, i, r):
        """[(benchmark value at importer prices, price index)] by origin."""
        ii, rr = I[i], R[r]
        out = [((vxmd[ii, R[s], rr] + vtw[ii, R[s], rr]) * (1 + tm0[ii, R[s], rr]), m.P_MS[i, s, r])
               for s in m.R if (i, s, r) in m.BT]
        if (i, r) in m.MW:
            out.append((vrow[ii, rr] * (1 + tmw0[ii, rr]), m.P_MW[i, r]))
        return out

    def import_price(m, i, r):
        terms = sources(m, i, r)
        tot = sum(v for v, _ in terms)
        return m.PM[i, r] == ces_price([(v / tot, price) for v, price in terms], p["sigma_m"][I[i]])
    m.import_price = pyo.Constraint(m.IM, rule=import_price,
                                    doc="import price: P_M = CES_s(P_MS; sigma_m)")

    def bilateral(m, i, s, r):
        ii = I[i]
        return m.tau[i, s, r] * ces_demand(vxmd[ii, R[s], R[r]], m.M[i, r], m.PM[i, r], m.P_MS[i, s, r],
                                           p["sigma_m"][ii])
    m.X = pyo.Expression(m.BT, rule=bilateral,
                         doc="bilateral trade of i from s into r, quantity shipped (world value)")
    m.XMW = pyo.Expression(
        m.MW, rule=lambda m, i, r: ces_demand(vrow[I[i], R[r]], m.M[i, r], m.PM[i, r], m.P_MW[i, r],
                                              p["sigma_m"][I[i]]),
        doc="imports from the rest of the world (world value)")

    def margin_cost(m, i, s, r):
        """P_T-valued margins per unit of X (fob value units) on route (i, s, r)."""
        return sum(m.PT[g] * vtwr[I[g], I[i], R[s], R[r]] / vxmd[I[i], R[s], R[r]]
                   for g in m.MG if (g, i, s, r) in m.TW)

    def tariff_revenue(m, i, r):
        rev = sum(m.tm[i, s, r] * export_price(m, i, s) * (1 + m.tx[i, s, r]) * m.X[i, s, r]
                  for s in m.R if (i, s, r) in m.BT)
        rev = rev + sum(m.tm[i, s, r] * margin_cost(m, i, s, r) * m.X[i, s, r]
                        for s in m.R if (i, s, r) in m.BT and vtw[I[i], R[s], R[r]] > 0)
        if (i, r) in m.MW:
            rev = rev + m.tm_row[i, r] * m.EXR[m.ROW.first()] * m.pwm[i, r] * m.XMW[i, r]
        return rev
    m.TARIFF_REVENUE = pyo.Expression(m.IM, rule=tariff_revenue,
                                      doc="tariff revenue on imports of i into r: t_m P_cif X")

    # world export price index: weights = benchmark export values (values foreign saving);
    # an economy without exports weights producer prices by output
    exports = vxmd.sum(2) + p["x_row"] + vst                     # (i, s)
    weights = exports if exports.sum() > 0 else p["vom"]
    m.PW = pyo.Var(initialize=1.0, bounds=(0, None), doc="world export price index")
    m.world_price_index = pyo.Constraint(
        expr=m.PW == sum(weights[I[i], R[r]] / weights.sum() * export_price(m, i, r)
                         for i in m.I for r in m.R if weights[I[i], R[r]] > 0),
        doc="world export price index: P_W = sum_(i,r) w_ir P_E[i,r]")
    return shares


def add_markets(m, p, shares: dict):
    """Armington demands, bilateral imports and commodity / import market clearing;
    ``shares``: the Armington shares from :func:`add_prices`."""
    R, I, A = m.R_idx, m.I_idx, m.A_idx
    ud, ui, vxmd, vom = p["use_dom"], p["use_imp"], p["vxmd"], p["vom"]
    sd, sm = p["sigma_d"], p["sigma_m"]

    def dom_demand(m, i, a, r):
        ii, aa, rr = I[i], A[a], R[r]
        if ud[ii, aa, rr] <= 0:
            return 0.0
        sh = shares.get((i, a, r))
        q0 = ud[ii, aa, rr] if sh is None else (ud[ii, aa, rr] + ui[ii, aa, rr]) * sh[0]
        return ces_demand(q0, m.QA[i, a, r], m.P_A[i, a, r], domestic_price(m, i, r), sd[ii])
    m.D = pyo.Expression(m.USE, rule=dom_demand, doc="demand for the domestic variety")

    def imp_demand(m, i, a, r):
        ii, aa, rr = I[i], A[a], R[r]
        if ui[ii, aa, rr] <= 0:
            return 0.0
        sh = shares.get((i, a, r))
        q0 = ui[ii, aa, rr] if sh is None else (ud[ii, aa, rr] + ui[ii, aa, rr]) * sh[1]
        return ces_demand(q0, m.QA[i, a, r], m.P_A[i, a, r], m.PM[i, r], sd[ii])
    m.MA = pyo.Expression(m.USE, rule=imp_demand, doc="demand for the imported composite")

    vtwr, vst = p["vtwr"], p["vst"]
    dom0, exp0 = ud.sum(1), vxmd.sum(2) + p["x_row"] + vst
    x_row = p["x_row"]
    sig_t = p["sigma_t"]

    m.MARGIN_DEMAND = pyo.Expression(
        m.MG, rule=lambda m, g: sum(vtwr[I[g], I[i], R[s], R[r]] / vxmd[I[i], R[s], R[r]] * m.X[i, s, r]
                                    for (g_, i, s, r) in m.TW if g_ == g),
        doc="world demand for margin service m: QT = sum tau X (benchmark value units)")
    m.MARGIN_SUPPLY = pyo.Expression(
        m.MS, rule=lambda m, g, k: vst[I[g], R[k]] / vst[I[g], :].sum() * m.MARGIN_DEMAND[g]
        * m.PT[g] / export_price(m, g, k),
        doc="margin service m supplied by k: theta QT P_T / P_E")

    def exports(m, i, r):
        out = sum(m.X[i, r, s] for s in m.R if (i, r, s) in m.BT)
        if (i, r) in m.EW:
            out = out + x_row[I[i], R[r]] * m.XEW[i, r]
        if (i, r) in m.MS:
            out = out + m.MARGIN_SUPPLY[i, r]
        return out
    m.EXPORTS = pyo.Expression(m.I, m.R, rule=exports,
                               doc="exports of i from r (world value): bilateral, to the rest of the "
                                   "world and margin services")

    def commodity_market(m, i, r):
        domestic = sum(m.D[i, a, r] for a in m.A if (i, a, r) in m.USE)
        if (i, r) in m.CET:          # domestic market of the CET's domestic variety
            psi = sig_t[I[i]]
            return m.Y[i, r] * (m.PD[i, r] / m.PY[i, r]) ** psi == domestic / dom0[I[i], R[r]]
        return m.Y[i, r] == (domestic + m.EXPORTS[i, r]) / vom[I[i], R[r]]
    m.market_clearing = pyo.Constraint(m.I, m.R, rule=commodity_market,
                                       doc="commodity market: Y X0 = sum_a D + sum_s X "
                                           "(with a CET: the domestic variety's market)")

    def export_market(m, i, r):
        psi = sig_t[I[i]]
        return m.Y[i, r] * (m.PE[i, r] / m.PY[i, r]) ** psi == m.EXPORTS[i, r] / exp0[I[i], R[r]]
    m.export_market = pyo.Constraint(m.CET, rule=export_market,
                                     doc="export market (CET): E0 Y (P_E/P_Y)^psi = sum_s X")

    def cet_price(m, i, r):
        psi = sig_t[I[i]]
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

    # small open economy: exports to the rest of the world at given world prices
    m.world_export_price = pyo.Constraint(
        m.EW, rule=lambda m, i, r: export_price(m, i, r) == m.EXR[m.ROW.first()] * m.pwe[i, r],
        doc="price-taking exports: P_E = EXR pwe")


def add_external_balance(m, p, foreign_saving_unit):
    """Balance of payments with the rest of the world, which determines EXR:
    EXR sum_(i,r) (pwm XMW - pwe x_row XEW) = sum_r FS_r * unit."""
    if not len(m.ROW):
        return
    I, R = m.I_idx, m.R_idx
    x_row, vrow = p["x_row"], p["vxmd_row"]
    scale = float(vrow.sum() + x_row.sum())
    e = m.EXR[m.ROW.first()]
    m.external_balance = pyo.Constraint(
        expr=(e * (sum(m.pwm[i, r] * m.XMW[i, r] for (i, r) in m.MW)
                   - sum(m.pwe[i, r] * x_row[I[i], R[r]] * m.XEW[i, r] for (i, r) in m.EW))) / scale
        == sum(m.fsav[r] * foreign_saving_unit(m, r) for r in m.R) / scale,
        doc="external balance: EXR (sum pwm XMW - sum pwe XEW) = sum_r FS_r")
