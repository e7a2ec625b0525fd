"""Final demand block: who spends regional income, and on what.

Two structures (``Closure.final_demand``):

``regional_household`` (GTAP, default): the regional household receives factor income and
net tax revenue and splits it with fixed value shares (Cobb-Douglas upper level) between
private consumption, government consumption and saving:

    INC_r = sum_f W_f E_f - sum_j LOSS_K + sum_j (t_o P_Y Y X0 - LOSS_G) + tariff and export-tax revenue

(export-tax revenue: (1 - rho) t_x P_E X on r's exports plus rho t_x P_E X on its imports, rho =
tx_rent the share of an export quota's rent held by the importers, 0 unless stated).

(LOSS_K, LOSS_G: losses from pricing below unit cost borne by capital income and paid by the
state, see production.py; zero at the benchmark).
    E_hh = s_hh INC,  E_gov = s_gov INC,  E_inv = s_sav INC + FS_r * unit

``household_government`` (Hosoe-Gasawa-Hashimoto textbook): the household receives factor
income FI and pays a direct tax at rate tau_d; it saves a fixed share s_p of FI; the
government receives the direct tax and all indirect taxes T and saves a fixed share s_g:

    E_hh = (1 - tau_d - s_p) FI,   E_gov = (1 - s_g)(tau_d FI + T),
    E_inv = s_p FI + s_g (tau_d FI + T) + FS_r * unit

Investment is savings-driven: E_inv = S_r + FS_r, domestic saving S_r plus foreign saving.
``Closure.foreign_saving_rule`` (docs/closures.md):

``fixed`` (default): FS_r is fixed in the unit chosen by ``Closure.foreign_saving``: the
world export price index P_W, the numeraire, or the rest of the world's currency EXR
(flexible exchange rate), plus a response dFS_r fixed at 0 in the static model (a layer
above may free it: the dynamic monetary block, with sum_r dFS_r = 0). A region that lends abroad (FS_r < 0) keeps lending the same
amount however far its saving falls, so a large negative shock can ask for negative
investment; such a solution is refused (NoEquilibriumError names the region).

``global_bank`` (GTAP, fixed investment shares): a global bank collects world saving,
domestic saving of every region plus the fixed net inflow from an exogenous rest of the
world, and allocates it in benchmark investment shares theta_r = I0_r / sum_s I0_s:

    E_inv[r] = theta_r (sum_s S_s + sum_s FS0_s unit),   FS_r = E_inv[r] - S_r

so investment is non-negative whenever world saving is, and foreign saving adjusts
(``Closure.investment_allocation="shares"``, GTAP's RORDELTA = 0).

``investment_allocation="rate_of_return"`` (GTAP's RORDELTA = 1, Corong et al. 2017): the bank
equalises the changes of the regions' expected rates of return. With the capital stock KB =
S_K VKB at the start of the year (VKB, depreciation rate delta = VDEP / VKB), the rental per
unit of stock W_K V_K0 / VKB, the price of capital goods P_I = P_H[investment] and real
investment QINV = E_inv / P_I:

    RORC_r = W_K V_K0 / (VKB P_I) - delta                 (current net rate of return)
    KE_r / KB_r = 1 - delta + QINV / KB                   (end-of-year stock)
    RORE_r = RORC_r (KE_r / KB_r)^(-RORFLEX_r)             (expected rate of return)
    RORE_r / RORE0_r = RORG,    sum_r E_inv[r] = sum_s S_s + sum_s FS0_s unit

(RORG the world index of expected rates of return): investment flows to the regions whose
return rises, and a region that invests more expects a lower return.

Within each agent's basket

    P_H[h,r] = CES_i(P_A[i,h,r]; sigma_h),   Q_A[i,h,r] = (E_h / E_h0) / P_H (P_H / P_A)^sigma_h

(an agent with no benchmark spending keeps none).

Private demand CDE (``calibrate(private_demand="cde")``; Hertel 1997, Global Trade Analysis,
ch. 2; Corong et al. 2017, The Standard GTAP Model, Version 7, JGEA 2(1), private
consumption): the household's expenditure e = E_hh / E_hh0 (an index) and per-capita private
utility UP are tied by the implicit expenditure function

    sum_i B_i UP^(e_i b_i) (P_A[i] / e)^b_i = 1                      (z_i: the i-th term)

with e_i = INCPAR, b_i = SUBPAR, and Shephard's lemma gives the budget shares and demands

    s_i = b_i z_i / sum_k b_k z_k,     Q_A[i,household] = (e / P_A[i]) s_i / s_i0.

At the benchmark (P_A = e = UP = 1) s_i = s_i0 fixes B_i = (s_i0 / b_i) / sum_k (s_k0 / b_k)
(cgetrade.calibrate.cde_parameters). The elasticity of private expenditure with respect to
private utility is UELAS = dln e / dln UP = sum_i s_i e_i, and

    income elasticity  eta_i = 1 + (e_i b_i - sum_k s_k e_k b_k) / sum_k s_k e_k - b_i + sum_k s_k b_k
    Allen elasticity   sigma_ik = a_i + a_k - sum_m s_m a_m - delta_ik a_i / s_i,   a_i = 1 - b_i
    price elasticity   eps_ik = s_k (sigma_ik - eta_i)       (uncompensated).

The household's price index P_H[household] is the cost of benchmark utility at current
prices (Konus): sum_i B_i (P_A[i] / P_H)^b_i = 1.

With CDE the regional household's upper level is GTAP's (McDougall 2003): Cobb-Douglas
utility U = UP^beta_P UG^beta_G QS^beta_S over private utility, government consumption and
saving; since the cost of private utility has the elasticity UELAS (1 for the other two),
spending is E_h = INC (beta_h / UELAS_h) / sum_k (beta_k / UELAS_k), with UELAS_G = UELAS_S = 1
and beta_h proportional to E_h0 UELAS_h0 (benchmark replication). With Cobb-Douglas or CES
private demand UELAS = 1 and the shares are the fixed beta_h above.
"""
from __future__ import annotations

import pyomo.environ as pyo

from ..errors import ClosureError
from .ces import ces_demand, ces_price
from .trade import export_price

FINAL_DEMAND = ("regional_household", "household_government")
FOREIGN_SAVING_UNITS = ("world_price_index", "numeraire", "rest_of_world")
FOREIGN_SAVING_RULES = ("fixed", "global_bank")


def foreign_saving_unit(kind: str):
    """Price of the unit in which foreign saving is fixed, as a function of (m, r)."""
    if kind == "world_price_index":
        return lambda m, r: m.PW
    if kind == "numeraire":
        return lambda m, r: m.pnum
    if kind == "rest_of_world":
        def unit(m, r):
            if not len(m.ROW):
                raise ClosureError("foreign_saving='rest_of_world' needs a dataset with an exogenous "
                                 "rest of the world (attribute rest_of_world)")
            return m.EXR[m.ROW.first()]
        return unit
    raise ClosureError(f"unknown foreign_saving unit {kind!r}; known: {FOREIGN_SAVING_UNITS}")


def add_final_demand(m, p, factor_income, closure, private_demand: str = "ces"):
    R, I, A, H = m.R_idx, m.I_idx, m.A_idx, m.H_idx
    cde = private_demand == "cde"
    if cde and closure.final_demand != "regional_household":
        raise ClosureError("private_demand='cde' is GTAP's household demand under the regional "
                           f"household (final_demand='regional_household'), not {closure.final_demand!r}")
    use = p["use_dom"] + p["use_imp"]
    inc0, fd0, fs0 = p["income"], p["fd_exp"], p["foreign_saving"]
    vom = p["vom"]
    if closure.final_demand not in FINAL_DEMAND:
        raise ClosureError(f"unknown final_demand structure {closure.final_demand!r}; known: {FINAL_DEMAND}")
    rule = getattr(closure, "foreign_saving_rule", "fixed")
    if rule not in FOREIGN_SAVING_RULES:
        raise ClosureError(f"unknown foreign_saving_rule {rule!r}; known: {FOREIGN_SAVING_RULES}")
    unit = foreign_saving_unit(closure.foreign_saving)
    if closure.foreign_saving == "rest_of_world" and not len(m.ROW):
        unit(m, None)                       # refuse before Pyomo builds (and logs) anything

    m.INC = pyo.Var(m.R, initialize=1.0, bounds=(0, None), doc="regional income (index)")
    m.fsav = pyo.Param(m.R, mutable=True, initialize=lambda m, r: float(fs0[R[r]]),
                       doc="foreign saving, in units of Closure.foreign_saving")
    m.FSR = pyo.Var(m.R, initialize=0.0, doc="response of foreign saving dFS_r (fixed at 0 unless freed)")
    m.FSR.fix(0.0)

    def net_factor_income(m, r):
        """Factor income less the losses from pricing below cost borne by capital."""
        return factor_income(m, r) - sum(m.LOSS_K[j, r] for j in m.I)

    def tax_revenue(m, r):
        prod = sum(m.to[j, r] * m.PY[j, r] * vom[I[j], R[r]] * m.Y[j, r] - m.LOSS_G[j, r] for j in m.I)
        tariffs = sum(m.TARIFF_REVENUE[i, r] for i in m.I if (i, r) in m.IM)
        export_tax = sum((1 - m.tx_rent[i, r, s]) * m.tx[i, r, s] * export_price(m, i, r) * m.X[i, r, s]
                         for i in m.I for s in m.R if (i, r, s) in m.BT)
        quota_rent = sum(m.tx_rent[i, s, r] * m.tx[i, s, r] * export_price(m, i, s) * m.X[i, s, r]
                         for i in m.I for s in m.R if (i, s, r) in m.BT)
        return prod + tariffs + export_tax + quota_rent
    m.TAXREV = pyo.Expression(m.R, rule=tax_revenue, doc="net indirect tax revenue (net of LOSS_G)")

    m.income_balance = pyo.Constraint(
        m.R, rule=lambda m, r: m.INC[r] == (net_factor_income(m, r) + m.TAXREV[r]) / inc0[R[r]],
        doc="income: INC = factor income - LOSS_K + net taxes (net of LOSS_G)")

    if closure.final_demand == "regional_household":
        beta, uelas0 = upper_level_shares(p, list(R), cde)
        m.UELAS = pyo.Var(m.R, initialize=lambda m, r: uelas0[r], bounds=(0, None),
                          doc="elasticity of the cost of private utility UELAS = sum_i s_i e_i "
                              "(fixed at 1 without CDE)")
        if not cde:
            m.UELAS.fix()

        def upper(m, h, r):
            """E_h = INC (beta_h / UELAS_h) / sum_k (beta_k / UELAS_k)."""
            b = beta[r]
            denom = b["household"] / m.UELAS[r] + b["government"] + b["investment"]
            own = b[h] / m.UELAS[r] if h == "household" else b[h]
            return inc0[R[r]] * m.INC[r] * own / denom

        m.SAV = pyo.Expression(m.R, rule=lambda m, r: upper(m, "investment", r),
                               doc="domestic saving S = INC beta_S / sum_k (beta_k / UELAS_k)")

        def consumption(m, h, r):
            return upper(m, h, r)
    else:
        rates = household_government_rates(p, list(R))
        m.taud = pyo.Param(m.R, mutable=True, initialize=lambda m, r: rates["tau_d"][r],
                           doc="direct tax rate tau_d (on factor income)")
        m.ssp = pyo.Param(m.R, mutable=True, doc="household saving rate s_p (of factor income)",
                          initialize=lambda m, r: rates["s_p"][r])
        m.ssg = pyo.Param(m.R, mutable=True, doc="government saving rate s_g (of tax revenue)",
                          initialize=lambda m, r: rates["s_g"][r])
        m.FI = pyo.Expression(m.R, rule=net_factor_income, doc="factor income (net of LOSS_K)")
        m.GREV = pyo.Expression(m.R, rule=lambda m, r: m.taud[r] * m.FI[r] + m.TAXREV[r],
                                doc="government revenue: direct + indirect taxes")
        m.SAV = pyo.Expression(m.R, rule=lambda m, r: m.ssp[r] * m.FI[r] + m.ssg[r] * m.GREV[r],
                               doc="domestic saving S = s_p FI + s_g (tau_d FI + T)")

        def consumption(m, h, r):
            if h == "household":
                return (1 - m.taud[r] - m.ssp[r]) * m.FI[r]
            return (1 - m.ssg[r]) * m.GREV[r]

    allocation = getattr(closure, "investment_allocation", "shares")
    if rule == "fixed":
        def investment(m, r):
            return m.SAV[r] + (m.fsav[r] + m.FSR[r]) * unit(m, r)
    elif allocation == "rate_of_return":
        inv0 = fd0[H["investment"]]
        m.WSAV = pyo.Expression(expr=sum(m.SAV[s] + m.fsav[s] * unit(m, s) for s in m.R),
                                doc="world saving: sum_s S_s + net inflow from the rest of the world")
        m.INVR = pyo.Var(m.R, initialize=1.0, bounds=(0, None), doc="investment spending (index)")
        m.RORG = pyo.Var(initialize=1.0, bounds=(0, None), doc="world expected rate of return (index)")

        def investment(m, r):
            return float(inv0[R[r]]) * m.INVR[r]
    else:
        inv0 = fd0[H["investment"]]
        total = float(inv0.sum())                                  # 0: no investment anywhere
        theta = {r: float(inv0[R[r]]) / total if total > 0 else 0.0 for r in m.R}
        m.WSAV = pyo.Expression(expr=sum(m.SAV[s] + m.fsav[s] * unit(m, s) for s in m.R),
                                doc="world saving: sum_s S_s + net inflow from the rest of the world")

        def investment(m, r):
            return theta[r] * m.WSAV
    m.E = pyo.Expression(m.H, m.R, rule=lambda m, h, r: investment(m, r) if h == "investment"
                         else consumption(m, h, r), doc="final expenditure by agent (value)")
    m.FSAV = pyo.Expression(m.R, rule=lambda m, r: m.E["investment", r] - m.SAV[r],
                            doc="foreign saving FS = investment - domestic saving (value)")

    def price_index(m, h, r):
        hh, rr = H[h], R[r]
        if fd0[hh, rr] <= 0:
            return 1.0
        a = A[h]
        return ces_price([(use[I[i], a, rr] / fd0[hh, rr], m.P_A[i, h, r])
                          for i in m.I if (i, h, r) in m.USE], p["sigma_fd"][hh])
    m.FDP = pyo.Set(dimen=2, ordered=True, doc="(h, r) final agents with benchmark spending",
                    initialize=[(h, r) for h in m.H for r in m.R if fd0[H[h], R[r]] > 0])
    m.PFD = pyo.Var(m.FDP, initialize=1.0, bounds=(0, None), doc="price index of final agent h (variable)")
    def final_price_index(m, h, r):
        if cde and h == "household":          # Konus index: cost of benchmark utility (UP = 1)
            return sum(p["cde_B"][I[i], R[r]] * (m.P_A[i, h, r] / m.PFD[h, r]) ** p["cde_b"][I[i], R[r]]
                       for i in m.I if (i, h, r) in m.USE) == 1.0
        return m.PFD[h, r] == price_index(m, h, r)
    m.final_price_index = pyo.Constraint(m.FDP, rule=final_price_index,
                                         doc="final demand price index: P_H = CES_i(P_A[i,h]; sigma_h); "
                                             "CDE household: sum_i B_i (P_A / P_H)^b_i = 1")
    m.P_H = pyo.Expression(m.H, m.R, rule=lambda m, h, r: m.PFD[h, r] if (h, r) in m.FDP else 1.0,
                           doc="price index of final agent h (P_H[household] = true cost-of-living index)")

    def composite_index(m, h, r):
        if fd0[H[h], R[r]] <= 0:
            return 1.0
        return m.E[h, r] / fd0[H[h], R[r]] / m.P_H[h, r]
    m.Q_H = pyo.Expression(m.H, m.R, rule=composite_index, doc="real final demand (index)")

    if cde:
        add_cde(m, p)
    if rule == "global_bank" and allocation == "rate_of_return":
        add_rate_of_return(m, p)

    def fd_composite(m, i, h, r):
        if cde and h == "household":
            return m.CDE_EXP[r] / m.P_A[i, h, r] * m.CDE_SHARE[i, r] / m.cde_s0[i, r]
        return ces_demand(1.0, m.Q_H[h, r], m.P_H[h, r], m.P_A[i, h, r], p["sigma_fd"][H[h]])
    add_welfare(m, p, closure, cde)
    return fd_composite


def rate_of_return_data(p, regions, capital: int) -> dict:
    """Capital stock VKB, depreciation rate delta, RORFLEX and the benchmark current rate of
    return RORC0 = V_K0 / VKB - delta by region; refuses data that cannot carry GTAP's global
    bank by rates of return."""
    missing = [v for v in ("capital_stock", "depreciation", "rorflex") if v not in p]
    if missing:
        raise ClosureError("investment_allocation='rate_of_return' needs the capital data "
                           f"{missing} (VKB, VDEP in basedata.har, RORFLEX in default.prm; "
                           "cgetrade.data.gtap.from_gtap reads them)")
    out = {}
    for k, r in enumerate(regions):
        vkb, dep = float(p["capital_stock"][k]), float(p["depreciation"][k])
        rent = float(sum(p["vfm"][capital, :, k]))
        delta = dep / vkb
        rorc0 = rent / vkb - delta
        if not rorc0 > 0:
            raise ClosureError(f"{r}: the net rate of return on capital is not positive (capital "
                               f"income {rent:.6g}, VKB {vkb:.6g}, VDEP {dep:.6g})")
        if not float(p["fd_exp"][2][k]) > 0:
            raise ClosureError(f"{r}: no benchmark investment, so no rate-of-return allocation")
        out[r] = {"vkb": vkb, "delta": delta, "rent0": rent, "rorc0": rorc0,
                  "rorflex": float(p["rorflex"][k]),
                  "ke0": 1 - delta + float(p["fd_exp"][2][k]) / vkb}
    return out


def add_rate_of_return(m, p):
    """GTAP's global bank with RORDELTA = 1 (module docstring)."""
    R, H = m.R_idx, m.H_idx
    if "capital" not in m.F_PRICED:
        raise ClosureError("investment_allocation='rate_of_return' needs a mobile or sluggish "
                           "factor 'capital' (its rental sets the rate of return)")
    d = rate_of_return_data(p, list(R), m.F_idx["capital"])
    inv0 = p["fd_exp"][H["investment"]]

    def rorc(m, r):
        return m.W["capital", r] * d[r]["rent0"] / (d[r]["vkb"] * m.P_H["investment", r]) - d[r]["delta"]
    m.RORC = pyo.Expression(m.R, rule=rorc, doc="current net rate of return RORC")
    m.KE_KB = pyo.Expression(m.R, rule=lambda m, r: 1 - d[r]["delta"] + float(inv0[R[r]]) * m.INVR[r]
                             / (m.P_H["investment", r] * d[r]["vkb"] * m.S["capital", r]),
                             doc="end-of-year / start-of-year capital stock KE / KB")
    m.rate_of_return_equal = pyo.Constraint(
        m.R, rule=lambda m, r: m.RORC[r] / d[r]["rorc0"] * (m.KE_KB[r] / d[r]["ke0"]) ** (-d[r]["rorflex"]) == m.RORG,
        doc="expected rates of return move together: RORE / RORE0 = RORG")
    total = float(sum(inv0))
    m.global_investment = pyo.Constraint(expr=sum(float(inv0[R[r]]) * m.INVR[r] for r in m.R) / total
                                         == m.WSAV / total,
                                         doc="global bank: sum_r E_inv[r] = world saving")


def upper_level_shares(p, regions, cde: bool):
    """Distribution parameters beta_h of the regional household's Cobb-Douglas utility over
    private utility, government consumption and saving, beta_h = E_h0 UELAS_h0 / sum_k E_k0
    UELAS_k0 (UELAS_h0 = sum_i s_i0 e_i for the CDE household, else 1), and UELAS_0 by region."""
    fd0, sav0 = p["fd_exp"], p["saving"]
    beta, uelas0 = {}, {}
    for k, r in enumerate(regions):
        u = 1.0
        if cde:
            c0 = float(fd0[0][k])
            if c0 <= 0:
                raise ClosureError(f"private_demand='cde': {r} has no household consumption")
            hh = p["use_dom"][:, -3, k] + p["use_imp"][:, -3, k]
            u = float(sum(float(hh[i]) / c0 * float(p["cde_e"][i, k]) for i in range(len(hh)) if hh[i] > 0))
        weights = {"household": float(fd0[0][k]) * u, "government": float(fd0[1][k]),
                   "investment": float(sav0[k])}
        total = sum(weights.values())
        beta[r] = {h: w / total for h, w in weights.items()}
        uelas0[r] = u
    return beta, uelas0


def add_cde(m, p):
    """CDE household demand (module docstring): the implicit expenditure function fixes private
    utility UP, UELAS = sum_i s_i e_i, and the shares s_i drive Q_A[i, household]."""
    R, I, H = m.R_idx, m.I_idx, m.H_idx
    fd0, use = p["fd_exp"], p["use_dom"] + p["use_imp"]
    hh = m.A_idx["household"]
    B, b, e = p["cde_B"], p["cde_b"], p["cde_e"]
    m.HC = pyo.Set(dimen=2, ordered=True, doc="(i, r) commodities in the household's benchmark basket",
                   initialize=[(i, r) for (i, a, r) in m.USE if a == "household"])
    m.cde_s0 = pyo.Param(m.HC, initialize=lambda m, i, r: float(use[I[i], hh, R[r]] / fd0[H["household"], R[r]]),
                         doc="benchmark household budget shares s_i0")
    m.UP = pyo.Var(m.R, initialize=1.0, bounds=(0, None), doc="per-capita private utility UP (1 at the benchmark)")
    m.CDE_EXP = pyo.Expression(m.R, rule=lambda m, r: m.E["household", r] / fd0[H["household"], R[r]],
                               doc="household expenditure index e = E_hh / E_hh0")
    m.CDE_Z = pyo.Expression(m.HC, rule=lambda m, i, r: B[I[i], R[r]] * m.UP[r] ** (e[I[i], R[r]] * b[I[i], R[r]])
                             * (m.P_A[i, "household", r] / m.CDE_EXP[r]) ** b[I[i], R[r]],
                             doc="CDE terms z_i = B_i UP^(e_i b_i) (P_A / e)^b_i")
    m.CDE_SHARE = pyo.Expression(m.HC, rule=lambda m, i, r: b[I[i], R[r]] * m.CDE_Z[i, r]
                                 / sum(b[I[k], R[r]] * m.CDE_Z[k, r] for (k, s) in m.HC if s == r),
                                 doc="CDE budget shares s_i = b_i z_i / sum_k b_k z_k")
    m.cde_expenditure = pyo.Constraint(m.R, rule=lambda m, r: sum(m.CDE_Z[i, s] for (i, s) in m.HC if s == r) == 1.0,
                                       doc="CDE implicit expenditure function: sum_i z_i = 1 (determines UP)")
    m.cde_uelas = pyo.Constraint(m.R, rule=lambda m, r: m.UELAS[r] == sum(m.CDE_SHARE[i, s] * e[I[i], R[r]]
                                                                         for (i, s) in m.HC if s == r),
                                 doc="UELAS = sum_i s_i e_i")


def add_welfare(m, p, closure, cde: bool = False):
    """Money-metric welfare of each region: EV_r = EV0_r (U_r - 1), U_r = 1 at the benchmark.

    Regional household (Cobb-Douglas over consumption, government and saving):
    U_r = INC_r / prod_h P_H[h,r]^s_h with s_h the benchmark shares of income (saving's price
    the investment price index), EV0_r = INC0_r. Household-government structure (homothetic
    household utility): U_r = Q_H[household, r], EV0_r = E0_hh.

    CDE household: U_r = Y^EV_r / INC0_r with Y^EV the least income that reaches the
    scenario's utility UP^b_P UG^b_G QS^b_S at benchmark prices. Its private part costs
    E_P0 e^EV with sum_i B_i UP_EV^(e_i b_i) (1 / e^EV)^b_i = 1; the first-order conditions
    give the government and saving quantities k = e^EV UELAS^EV / UELAS_0 (indices) and

        b_P ln UP_EV + (b_G + b_S) ln k = b_P ln UP + b_G ln UG + b_S ln QS,
        Y^EV = E_P0 e^EV + (G_0 + S_0) k,

    so EV_r = Y^EV_r - INC0_r exactly (QS = S / (S_0 P_H[investment])).
    """
    R, H = m.R_idx, m.H_idx
    inc0, fd0 = p["income"], p["fd_exp"]
    if cde:
        _cde_welfare(m, p)
        base = inc0
    elif closure.final_demand == "regional_household":
        shares = {"household": fd0[H["household"]] / inc0, "government": fd0[H["government"]] / inc0,
                  "investment": p["saving"] / inc0}

        def utility(m, r):
            index = 1.0
            for h in m.H:
                s = float(shares[h][R[r]])
                if s:
                    index = index * m.P_H[h, r] ** s
            return m.INC[r] / index
        base = inc0
    else:
        def utility(m, r):
            return m.Q_H["household", r]
        base = fd0[H["household"]]
    if not cde:
        m.UTILITY = pyo.Expression(m.R, rule=utility, doc="welfare index U_r (1 at the benchmark)")
        m.UTIL_INDEX = pyo.Expression(m.R, rule=lambda m, r: m.UTILITY[r],
                                      doc="utility index of the regional household (GTAP's u; 1 at the benchmark)")
    m.ev_base = pyo.Param(m.R, initialize=lambda m, r: float(base[R[r]]),
                          doc="money value of welfare at the benchmark EV0_r (EV_r = EV0_r (U_r - 1))")


def _cde_welfare(m, p):
    """Equivalent income Y^EV of the CDE regional household (add_welfare)."""
    R, I, H = m.R_idx, m.I_idx, m.H_idx
    inc0, fd0, sav0 = p["income"], p["fd_exp"], p["saving"]
    B, b, e = p["cde_B"], p["cde_b"], p["cde_e"]
    beta, uelas0 = upper_level_shares(p, list(R), True)
    m.UP_EV = pyo.Var(m.R, initialize=1.0, bounds=(0, None), doc="private utility of the equivalent income")
    m.EXP_EV = pyo.Var(m.R, initialize=1.0, bounds=(0, None),
                       doc="cost index of UP_EV at benchmark prices e^EV (E_P / E_P0)")

    def z(m, i, r):
        return B[I[i], R[r]] * m.UP_EV[r] ** (e[I[i], R[r]] * b[I[i], R[r]]) * m.EXP_EV[r] ** (-b[I[i], R[r]])
    m.ev_expenditure = pyo.Constraint(m.R, rule=lambda m, r: sum(z(m, i, s) for (i, s) in m.HC if s == r) == 1.0,
                                      doc="CDE at benchmark prices: sum_i B_i UP_EV^(e_i b_i) (1/e^EV)^b_i = 1")

    def kappa(m, r):
        terms = [(b[I[i], R[r]] * z(m, i, r), e[I[i], R[r]]) for (i, s) in m.HC if s == r]
        uelas = sum(t * ei for t, ei in terms) / sum(t for t, _ in terms)
        return m.EXP_EV[r] * uelas / uelas0[r]
    m.EV_K = pyo.Expression(m.R, rule=kappa, doc="government and saving quantities of the equivalent income (index)")

    def utility_match(m, r):
        bt = beta[r]
        lhs = bt["household"] * pyo.log(m.UP_EV[r])
        rhs = m.LN_UTIL[r]
        if bt["government"] + bt["investment"] > 0:
            lhs = lhs + (bt["government"] + bt["investment"]) * pyo.log(m.EV_K[r])
        return lhs == rhs

    def ln_utility(m, r):
        bt = beta[r]
        rhs = bt["household"] * pyo.log(m.UP[r])
        if bt["government"] > 0:
            rhs = rhs + bt["government"] * pyo.log(m.Q_H["government", r])
        if bt["investment"] > 0:
            rhs = rhs + bt["investment"] * pyo.log(m.SAV[r] / float(sav0[R[r]]) / m.P_H["investment", r])
        return rhs
    m.LN_UTIL = pyo.Expression(m.R, rule=ln_utility, doc="ln of the regional household's utility b_P ln UP + b_G ln UG + b_S ln QS")
    m.UTIL_INDEX = pyo.Expression(m.R, rule=lambda m, r: pyo.exp(m.LN_UTIL[r]),
                                  doc="utility index of the regional household UP^b_P UG^b_G QS^b_S (GTAP's u; 1 at the benchmark)")
    m.ev_utility = pyo.Constraint(m.R, rule=utility_match,
                                  doc="equivalent income reaches the scenario's utility UP^b_P UG^b_G QS^b_S")
    m.UTILITY = pyo.Expression(m.R, rule=lambda m, r: (fd0[H["household"], R[r]] * m.EXP_EV[r]
                                                       + (fd0[H["government"], R[r]] + sav0[R[r]]) * m.EV_K[r])
                               / inc0[R[r]], doc="welfare index U_r = Y^EV_r / INC0_r (1 at the benchmark)")


def household_government_rates(p, regions) -> dict:
    """Direct tax rate tau_d, household saving rate s_p (of factor income) and government
    saving rate s_g (of tax revenue) by region, from the benchmark.

    The split needs the dataset's ``direct_tax``: without it government revenue is net
    indirect taxes alone, usually far below government consumption, and s_g becomes a large
    negative multiple (or undefined when net indirect taxes are <= 0). Rates that make no
    economic sense are refused with the reason (ClosureError); a negative s_g >= -1 is a
    government deficit and is reported with a warning."""
    import warnings
    fi0, td0, inc0 = p["factor_income"], p["direct_tax"], p["income"]
    taxes0 = td0 + inc0 - fi0                                  # direct + indirect taxes
    rates = {"tau_d": {}, "s_p": {}, "s_g": {}}
    problems, deficits = [], []
    for k, r in enumerate(regions):
        rev, gov_c = float(taxes0[k]), float(p["fd_exp"][1][k])
        rates["tau_d"][r] = float(td0[k] / fi0[k])
        rates["s_p"][r] = float(p["household_saving"][k] / fi0[k])
        if not 0 <= rates["s_p"][r] <= 1 or not 0 <= rates["tau_d"][r] < 1:
            problems.append(f"{r}: household saving rate s_p = {rates['s_p'][r]:.3g}, direct tax "
                            f"rate tau_d = {rates['tau_d'][r]:.3g} (need both in [0, 1))")
        if rev == 0 and gov_c == 0:                            # no government at all
            rates["s_g"][r] = 0.0
            continue
        if rev <= 0:
            problems.append(f"{r}: government revenue (direct {float(td0[k]):,.0f} + net indirect "
                            f"taxes {rev - float(td0[k]):,.0f}) is not positive, so its saving rate "
                            f"is undefined (government consumption {gov_c:,.0f})")
            rates["s_g"][r] = float("nan")
            continue
        rates["s_g"][r] = sg = float(p["government_saving"][k] / rev)
        if not -1 <= sg <= 1:
            problems.append(f"{r}: government saving rate s_g = {sg:.3g} (government consumption "
                            f"{gov_c:,.0f} against revenue {rev:,.0f})")
        elif sg < -1e-9:
            deficits.append(f"{r} {sg:.3f}")
    if problems:
        hint = (" The dataset has no 'direct_tax' variable: add direct_tax(region), the household "
                "direct tax, to use this closure." if not (td0 > 0).any() else "")
        raise ClosureError("final_demand='household_government' cannot be calibrated to this "
                           "dataset: " + "; ".join(problems) + "." + hint)
    if deficits:
        warnings.warn("household_government: negative government saving rates (budget deficits) "
                      "s_g: " + ", ".join(deficits), stacklevel=3)
    return rates
