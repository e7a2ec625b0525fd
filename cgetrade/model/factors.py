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


def factor_income(m, r):
    """Factor income of region r: sum_f W_f E_f."""
    mobile = sum(m.W[f, r] * sum(m.endowment[f, j, r] for j in m.I) for f in m.F_MOBILE)
    specific = sum(m.WS[f, j, r] * m.endowment[f, j, r] for f in m.F_SPECIFIC for j in m.I)
    return mobile + specific


def add_factor_markets(m, p):
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    vfm = p["vfm"]

    def mobile(m, f, r):
        e0 = vfm[F[f], :, R[r]].sum()
        return sum(m.FD[f, j, r] for j in m.I) / e0 == sum(m.endowment[f, j, r] for j in m.I) / e0
    m.factor_market = pyo.Constraint(m.F_MOBILE, m.R, rule=mobile,
                                     doc="factor market: sum_j F[f,j,r] = E[f,r]")

    def specific(m, f, j, r):
        e0 = vfm[F[f], I[j], R[r]]
        if e0 <= 0:
            return m.WS[f, j, r] == 1.0
        return m.FD[f, j, r] / e0 == m.endowment[f, j, r] / e0
    m.factor_market_specific = pyo.Constraint(m.F_SPECIFIC, m.I, m.R, rule=specific,
                                              doc="sector-specific factor market: F = E")

    persons0, vfm_l = p["persons"], vfm[F["labour"]]

    def persons(m, j, r):
        l0 = vfm_l[I[j], R[r]]
        return persons0[I[j], R[r]] * m.FD["labour", j, r] / l0 if l0 > 0 else 0.0
    m.employment = pyo.Expression(m.I, m.R, rule=persons, doc="employment, thousand persons")
