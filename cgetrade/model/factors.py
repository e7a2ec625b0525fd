"""Factor markets: mobile (long run) or sector-specific (short run) factors.

    mobile f:           sum_j F[f,j,r] = E_f,r          (one price W[f,r] per region)
    sector-specific f:  F[f,j,r] = E_f,j,r               (one price W[f,j,r] per sector)

Employment in persons:  N[j,r] = N0[j,r] * F[labour,j,r] / F0[labour,j,r]
(labour is measured in efficiency units: benchmark wage bill / benchmark wage = 1).
"""
from __future__ import annotations

import pyomo.environ as pyo


def add_factor_prices(m, p, sector_specific=()):
    """Factor price variables; returns factor_price(m, f, j, r) for the production block."""
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    unknown = set(sector_specific) - set(F)
    if unknown:
        raise ValueError(f"unknown factor(s) {sorted(unknown)} in sector_specific; known {list(F)}")
    m.F_MOBILE = pyo.Set(initialize=[f for f in F if f not in sector_specific], ordered=True)
    m.F_SPECIFIC = pyo.Set(initialize=[f for f in F if f in sector_specific], ordered=True)
    m.W = pyo.Var(m.F_MOBILE, m.R, initialize=1.0, bounds=(0, None), doc="factor price W[f,r]")
    m.WS = pyo.Var(m.F_SPECIFIC, m.I, m.R, initialize=1.0, bounds=(0, None),
                   doc="sector-specific factor price W[f,j,r]")
    vfm = p["vfm"]
    m.endowment = pyo.Param(m.F, m.I, m.R, mutable=True,
                            initialize=lambda m, f, j, r: float(vfm[F[f], I[j], R[r]]),
                            doc="factor endowment by sector (benchmark value units); mobile "
                                "factors use its sum over sectors")

    def factor_price(m, f, j, r):
        return m.WS[f, j, r] if f in m.F_SPECIFIC else m.W[f, r]
    return factor_price


def add_unemployment(m, closure, persons=None):
    """Unemployment rate U[r] (fixed at U0 where the wage is flexible) and wage-setting
    parameters. With sector-specific (short-run) labour each sector has its own rate
    U_S[j,r] and U[r] is their labour-force-weighted mean."""
    regions = list(m.R)
    kinds = closure.labour_closure(regions)
    u0 = closure.unemployment_rates(regions)
    m.u0 = pyo.Param(m.R, initialize=u0, mutable=True, doc="benchmark unemployment rate U0")
    m.U = pyo.Var(m.R, initialize=u0, bounds=(0, 1), doc="unemployment rate U")
    m.kappa = pyo.Param(m.R, initialize=closure.kappa, mutable=True, doc="wage indexation to CPI")
    m.phi = pyo.Param(m.R, initialize=closure.phi, mutable=True, doc="wage-curve elasticity")
    m.omega = pyo.Param(m.R, initialize=1.0, mutable=True, doc="target real wage (index)")
    specific = "labour" in m.F_SPECIFIC
    m.US = pyo.Var(m.I if specific else [], m.R, initialize=lambda m, j, r: u0[r], bounds=(0, 1),
                   doc="unemployment rate of sector-specific labour U_S[j,r]")
    m.unemployment_by_sector = pyo.ConstraintList(doc="U = labour-force-weighted mean of U_S")
    for r in regions:
        if kinds[r] == "flexible":
            m.U[r].fix(u0[r])
            for j in (m.I if specific else []):
                m.US[j, r].fix(u0[r])
        elif specific:
            w = persons[:, m.R_idx[r]] / persons[:, m.R_idx[r]].sum()
            m.unemployment_by_sector.add(m.U[r] == sum(float(w[m.I_idx[j]]) * m.US[j, r] for j in m.I))
    return kinds


def add_wage_setting(m, closure, exchange_rate):
    """The wage-setting closure of each region's labour market (each sector's, if labour is
    sector-specific).

        flexible    U = U0 (fixed): the wage clears the market (full employment)
        real_wage   W / P_H[household] = omega (fixed real wage, omega = 1 at the benchmark)
        wage_curve  ln(e W / W0) = kappa ln(e CPI / CPI0) - phi ln(U / U0)   (local currency;
                    Blanchflower and Oswald 1994: phi ~ 0.1; kappa < 1 = nominal rigidity)
    """
    kinds = closure.labour_closure(list(m.R))
    m.wage_setting = pyo.ConstraintList(doc="labour-market closures (real wage, wage curve)")
    specific = "labour" in m.F_SPECIFIC
    for r, kind in kinds.items():
        markets = [(m.WS["labour", j, r], m.US[j, r]) for j in m.I] if specific \
            else [(m.W["labour", r], m.U[r])]
        for wage, unemployment in markets:
            if kind == "real_wage":
                m.wage_setting.add(wage == m.omega[r] * m.P_H["household", r])
            elif kind == "wage_curve":
                e = exchange_rate(m, r)
                m.wage_setting.add(pyo.log(e * wage) == m.kappa[r] * pyo.log(e * m.P_H["household", r])
                                   - m.phi[r] * pyo.log(unemployment / m.u0[r]))


def employed_share(m, f, r, j=None):
    """Employed share of a factor's endowment relative to the benchmark: (1-U)/(1-U0) for
    labour (the sector's rate U_S[j,r] for sector-specific labour), 1 for other factors."""
    if f != "labour":
        return 1.0
    u = m.US[j, r] if j is not None else m.U[r]
    return (1 - u) / (1 - m.u0[r])


def factor_income(m, r):
    """Factor income of region r: sum_f W_f E_f (labour: employed labour only)."""
    mobile = sum(m.W[f, r] * sum(m.endowment[f, j, r] for j in m.I) * employed_share(m, f, r)
                 for f in m.F_MOBILE)
    specific = sum(m.WS[f, j, r] * m.endowment[f, j, r] * employed_share(m, f, r, j)
                   for f in m.F_SPECIFIC for j in m.I)
    return mobile + specific


def add_factor_markets(m, p):
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    vfm = p["vfm"]

    def mobile(m, f, r):
        e0 = vfm[F[f], :, R[r]].sum()
        supply = sum(m.endowment[f, j, r] for j in m.I) / e0 * employed_share(m, f, r)
        return sum(m.FD[f, j, r] for j in m.I) / e0 == supply
    m.factor_market = pyo.Constraint(m.F_MOBILE, m.R, rule=mobile,
                                     doc="factor market: sum_j F[f,j,r] = E[f,r] (labour: x (1-U)/(1-U0))")

    def specific(m, f, j, r):
        e0 = vfm[F[f], I[j], R[r]]
        if e0 <= 0:
            return m.WS[f, j, r] == 1.0
        return m.FD[f, j, r] / e0 == m.endowment[f, j, r] / e0 * employed_share(m, f, r, j)
    m.factor_market_specific = pyo.Constraint(m.F_SPECIFIC, m.I, m.R, rule=specific,
                                              doc="sector-specific factor market: F = E")

    persons0, vfm_l = p["persons"], vfm[F["labour"]]

    def persons(m, j, r):
        l0 = vfm_l[I[j], R[r]]
        return persons0[I[j], R[r]] * m.FD["labour", j, r] / l0 if l0 > 0 else 0.0
    m.employment = pyo.Expression(m.I, m.R, rule=persons, doc="employment, thousand persons")
