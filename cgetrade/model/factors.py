"""Factor markets, labour-market closures and persons employed.

Factors f are labour types h (one ``labour``, or ``labour_high/medium/low``) and capital.
Each factor's mobility across sectors (``Closure.mobility``):

    mobile     sum_j F[f,j,r] = S[f,r] E[f,r] e_f,r               one price W[f,r]
    sluggish   F[f,j,r] = th_j S E e (WS[f,j,r] / W[f,r])^eta       (CET, GTAP's ETRAE)
               W[f,r] = [sum_j th_j WS[f,j,r]^(1+eta)]^(1/(1+eta))  sector prices WS[f,j,r]
    specific   F[f,j,r] = E[f,j,r] e_f,j,r                          sector prices WS[f,j,r]

E is the endowment (benchmark value units), e = (1 - U)/(1 - U0) the employed share of a
labour type (1 for capital), S[f,r] a supply index, fixed at 1 except under

    capital = "rate_of_return" (long run)   W[capital,r] = rr_r P_I[r]     (S_K endogenous)
    labour closure "surplus_labour" (Lewis) W[h,r] = omega P_H[r]          (S_h endogenous)
    supply_elasticity eps[f,r] > 0          S[f,r] = (W[f,r] / P_f[r])^eps  (S endogenous)
        with P_f = P_H[household] for labour (participation and migration into measured
        employment) and P_H[investment] for capital (utilisation of the installed stock);
        eps = 0 is the fixed endowment, eps -> infinity the surplus-labour and long-run closures

Persons (thousands). The labour force of type h is N[h,r] = N0[h,r] (E/E0) S[h,r], with
N0 = benchmark employed / (1 - U0). Persons are allocated to sectors by headcount weights q
of the efficiency units X[h,j,r] of each sector (employed units F of mobile and sluggish
labour, attached units E of sector-specific labour):

    q[h,j,r] = s p0[h,j,r] + pi~[h,j,r] (X[h,j,r] - s X0[h,j,r]),   s = sum_k X / sum_k X0
    mobile, sluggish:  persons[h,j,r] = N[h,r] (1 - U[h,r]) q[h,j,r] / sum_k q[h,k,r]
    specific:          LF[h,j,r] = N[h,r] q[h,j,r] / sum_k q[h,k,r]   (labour force attached to j)
                       persons[h,j,r] = LF[h,j,r] (1 - U_S[h,j,r])

p0 are benchmark persons; pi~ is the number of persons per efficiency unit that a change in
the sector's units moves. Where the sector's employment is measured, pi~ = pi = p0 / X0, the
benchmark persons per wage unit, and q = pi X (persons move with pay-per-person premia);
where it is imputed (calibrate(headcount="pooled_where_imputed"), the default), pi~ blends
the sector's ratio with the region's pooled ratio of the labour type by the imputed share w:
pi~ = (1 - w) pi + w sum_k p0_k / sum_k X0_k. At the benchmark q = p0 (persons replicate the
data) and a uniform scaling of every sector's units keeps the sector shares; sum_j persons +
unemployed = N exactly, and with a fixed labour force sector job changes add up to minus the
change in unemployment.
"""
from __future__ import annotations

import pyomo.environ as pyo

from ..errors import ClosureError


def add_factor_prices(m, p, closure, labour_factors):
    """Factor price and supply variables; returns factor_price(m, f, j, r)."""
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    mobility = closure.factor_mobility(list(F), labour_factors)
    m.L = pyo.Set(initialize=list(labour_factors), ordered=True, doc="labour types")
    m.F_MOBILE = pyo.Set(initialize=[f for f in F if mobility[f] == "mobile"], ordered=True)
    m.F_SPECIFIC = pyo.Set(initialize=[f for f in F if mobility[f] == "specific"], ordered=True)
    m.F_SLUGGISH = pyo.Set(initialize=[f for f in F if mobility[f] == "sluggish"], ordered=True)
    m.F_PRICED = pyo.Set(initialize=[f for f in F if mobility[f] != "specific"], ordered=True,
                         doc="factors with a regional price W[f,r] (mobile and sluggish)")
    m.F_SECTOR = pyo.Set(initialize=[f for f in F if mobility[f] != "mobile"], ordered=True,
                         doc="factors with sector prices WS[f,j,r] (specific and sluggish)")
    m.W = pyo.Var(m.F_PRICED, m.R, initialize=1.0, bounds=(0, None), doc="factor price W[f,r]")
    m.WS = pyo.Var(m.F_SECTOR, m.I, m.R, initialize=1.0, bounds=(0, None),
                   doc="sector price of a specific or sluggish factor W[f,j,r]")
    m.S = pyo.Var(m.F, m.R, initialize=1.0, bounds=(0, None),
                  doc="factor supply index S[f,r] (fixed at 1 unless a closure frees it)")
    m.S.fix(1.0)
    m.eta = pyo.Param(m.F_SLUGGISH, initialize=lambda m, f: closure.factor_eta(f), mutable=True,
                      doc="CET elasticity of sluggish factors across sectors (by factor)")
    vfm = p["vfm"]
    m.endowment = pyo.Param(m.F, m.I, m.R, mutable=True,
                            initialize=lambda m, f, j, r: float(vfm[F[f], I[j], R[r]]),
                            doc="factor endowment by sector (benchmark value units); mobile "
                                "and sluggish factors use its sum over sectors")
    return factor_price


def factor_price(m, f, j, r):
    """Price of factor f to sector j in r: the regional price W[f,r] of a mobile factor, the
    sector's price WS[f,j,r] of a specific or sluggish one."""
    return m.WS[f, j, r] if f in m.F_SECTOR else m.W[f, r]


def add_unemployment(m, closure, p):
    """Unemployment rate U[h,r] of every labour type (fixed at U0 where the wage is flexible),
    wage-setting parameters, labour force and the regional rate UR[r]. With sector-specific
    labour each sector has its own rate U_S[h,j,r] and U[h,r] is their labour-force-weighted
    mean."""
    regions, L = list(m.R), list(m.L)
    kinds = closure.labour_closures(regions, L)
    u0 = closure.unemployment_rates(regions, L)
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    persons0 = p["persons_by_factor"]
    m.u0 = pyo.Param(m.L, m.R, initialize=u0, mutable=True, doc="benchmark unemployment rate U0")
    m.U = pyo.Var(m.L, m.R, initialize=u0, bounds=(0, 1), doc="unemployment rate U[h,r]")
    m.kappa = pyo.Param(m.R, initialize=closure.kappa, mutable=True, doc="wage indexation to CPI")
    m.phi = pyo.Param(m.R, initialize=closure.phi, mutable=True, doc="wage-curve elasticity")
    m.omega = pyo.Param(m.L, m.R, initialize=1.0, mutable=True, doc="target real wage (index)")
    specific = [h for h in L if h in m.F_SPECIFIC]
    m.US = pyo.Var(specific, m.I, m.R, initialize=lambda m, h, j, r: u0[h, r], bounds=(0, 1),
                   doc="unemployment rate of sector-specific labour U_S[h,j,r]")
    m.N0 = pyo.Param(m.L, m.I, m.R, mutable=False, doc="benchmark labour force by sector (thousand)",
                     initialize=lambda m, h, j, r: float(persons0[F[h], I[j], R[r]]) / (1 - u0[h, r]))
    def labour_force(m, h, r):
        e0 = sum(pyo.value(m.endowment[h, j, r]) for j in m.I)
        return (sum(m.N0[h, j, r] for j in m.I) * m.S[h, r]
                * sum(m.endowment[h, j, r] for j in m.I) / e0) if e0 > 0 else 0.0
    m.labour_force = pyo.Expression(m.L, m.R, rule=labour_force, doc="labour force N[h,r] (thousand persons)")
    m.ppu = pyo.Param(m.L, m.I, m.R, mutable=False, doc="persons per efficiency unit that a change "
                      "of the sector's units moves (pi~, thousand persons per benchmark USD m)",
                      initialize=headcount_ratio(m, p, list(L)))

    def labour_force_sector(m, h, j, r):
        if h in specific:
            return _allocate(m, p, h, j, r, m.labour_force[h, r], lambda k: m.endowment[h, k, r], benchmark_lf=True)
        n = sum(pyo.value(m.N0[h, k, r]) for k in m.I)
        return m.N0[h, j, r] / n * m.labour_force[h, r] if n > 0 else 0.0
    m.labour_force_sector = pyo.Expression(m.L, m.I, m.R, rule=labour_force_sector,
                                           doc="labour force attached to a sector (sector-specific "
                                               "labour; else the benchmark split), thousand persons")
    m.unemployment_by_sector = pyo.ConstraintList(doc="U = labour-force-weighted mean of U_S")
    for (h, r), kind in kinds.items():
        if kind in ("flexible", "surplus_labour"):
            m.U[h, r].fix(u0[h, r])
            for j in (m.I if h in specific else []):
                m.US[h, j, r].fix(u0[h, r])
        elif h in specific:
            lf = m.labour_force[h, r]
            m.unemployment_by_sector.add(m.U[h, r] == sum(m.labour_force_sector[h, j, r] / lf * m.US[h, j, r]
                                                          for j in m.I))
        if kind == "surplus_labour":
            if h in specific:
                raise ClosureError(f"the surplus-labour closure ({h}, {r}) needs mobile or sluggish labour")
            m.S[h, r].unfix()
    n0 = {(h, r): sum(pyo.value(m.N0[h, j, r]) for j in m.I) for h in L for r in regions}
    m.ur0 = pyo.Param(m.R, mutable=True, doc="benchmark regional unemployment rate",
                      initialize=lambda m, r: sum(n0[h, r] * u0[h, r] for h in L) / sum(n0[h, r] for h in L))

    def regional_rate(m, r):
        if len(L) == 1:
            return m.U[L[0], r]
        return sum(m.labour_force[h, r] * m.U[h, r] for h in L) / sum(m.labour_force[h, r] for h in L)
    m.UR = pyo.Expression(m.R, rule=regional_rate, doc="regional unemployment rate (all labour types)")
    return kinds


def headcount_ratio(m, p, labour) -> dict:
    """Persons per efficiency unit moved by a change of a sector's units, pi~[h,j,r]: the
    sector's benchmark ratio pi = p0 / X0, blended with the region's pooled ratio of the labour
    type by the imputed share w of the sector's benchmark persons (``persons_imputed``, 0 where
    employment is measured): pi~ = (1 - w) pi + w sum_k p0_k / sum_k X0_k. Cells without pay
    or persons: 0."""
    persons0, vfm = p["persons_by_factor"], p["vfm"]
    imputed = p.get("persons_imputed")
    out = {}
    for h in labour:
        f = m.F_idx[h]
        for rr, r in m.R_idx.items():
            paid = [k for k in m.I_idx.values() if persons0[f, k, r] > 0 and vfm[f, k, r] > 0]
            pooled = (sum(persons0[f, k, r] for k in paid) / sum(vfm[f, k, r] for k in paid)) if paid else 0.0
            for j, k in m.I_idx.items():
                if k not in paid:
                    out[h, j, rr] = 0.0
                    continue
                w = float(imputed[f, k, r]) if imputed is not None else 0.0
                out[h, j, rr] = float((1 - w) * (persons0[f, k, r] / vfm[f, k, r]) + w * pooled) \
                    if w > 0 else float(persons0[f, k, r] / vfm[f, k, r])
    return out


def _allocate(m, p, h, j, r, total, units, benchmark_lf=False):
    """Persons of sector j out of ``total`` persons of labour type h in r by the headcount
    weights q_k = s p0_k + pi~_k (X_k - s X0_k) of the efficiency units X_k = ``units(k)``
    (module docstring); sectors with persons but no pay keep their benchmark number (their
    benchmark labour force, with ``benchmark_lf``)."""
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    persons0, vfm = p["persons_by_factor"], p["vfm"]
    f, rr = F[h], R[r]
    p0 = {k: float(persons0[f, I[k], rr]) for k in m.I if persons0[f, I[k], rr] > 0}
    paid = [k for k in p0 if vfm[f, I[k], rr] > 0]
    if j not in paid:
        return p0.get(j, 0.0) / ((1 - pyo.value(m.u0[h, r])) if benchmark_lf else 1.0)
    fixed = sum(v for k, v in p0.items() if k not in paid) / ((1 - pyo.value(m.u0[h, r])) if benchmark_lf else 1.0)
    pi = {k: p0[k] / float(vfm[f, I[k], rr]) for k in paid}
    if all(pyo.value(m.ppu[h, k, r]) == pi[k] for k in paid):      # measured employment: q = pi X
        return (total - fixed) * pi[j] * units(j) / sum(pi[k] * units(k) for k in paid)
    x0 = {k: float(vfm[f, I[k], rr]) for k in paid}
    s = sum(units(k) for k in paid) / sum(x0.values())
    q = {k: s * p0[k] + m.ppu[h, k, r] * (units(k) - s * x0[k]) for k in paid}
    return (total - fixed) * q[j] / sum(q.values())


def add_wage_setting(m, closure, exchange_rate):
    """The wage-setting closure of each labour type's market in each region (each sector's, if
    labour is sector-specific), and the capital closure.

        flexible        U = U0 (fixed): the wage clears the market (full employment)
        real_wage       W / P_H[household] = omega (fixed real wage; U endogenous)
        wage_curve      ln(e W / W0) = kappa ln(e CPI / CPI0) - phi ln(U / U0)   (local currency;
                        Blanchflower and Oswald 1994: phi ~ 0.1; kappa < 1 = nominal rigidity)
        surplus_labour  W / P_H[household] = omega with U = U0 and the labour supply S[h,r]
                        endogenous (Lewis 1954: an unlimited supply of labour at a given real
                        wage, drawn from outside the measured labour force)
        capital = "rate_of_return"   W[capital,r] = rr_r P_H[investment,r] (S[capital,r]
                        endogenous: GTAP's long-run closure, fixed real rate of return)
    """
    kinds = closure.labour_closures(list(m.R), list(m.L))
    m.wage_setting = pyo.ConstraintList(doc="labour-market closures (real wage, wage curve)")
    for (h, r), kind in kinds.items():
        markets = [(m.WS[h, j, r], m.US[h, j, r]) for j in m.I] if h in m.F_SPECIFIC \
            else [(m.W[h, r], m.U[h, r])]
        for wage, unemployment in markets:
            if kind in ("real_wage", "surplus_labour"):
                m.wage_setting.add(wage == m.omega[h, r] * m.P_H["household", r])
            elif kind == "wage_curve":
                e = exchange_rate(m, r)
                m.wage_setting.add(pyo.log(e * wage) == m.kappa[r] * pyo.log(e * m.P_H["household", r])
                                   - m.phi[r] * pyo.log(unemployment / m.u0[h, r]))
    m.rr = pyo.Param(m.R, initialize=1.0, mutable=True,
                     doc="real rate of return on capital: rental / price of capital goods (index)")
    m.rate_of_return = pyo.ConstraintList(doc="long run: W[capital,r] = rr P_H[investment,r]")
    if closure.capital == "rate_of_return":
        if "capital" not in m.F_PRICED:
            raise ClosureError("capital='rate_of_return' needs a mobile or sluggish factor 'capital'")
        for r in m.R:
            if isinstance(m.P_H["investment", r].expr, (int, float)):
                raise ClosureError(f"capital='rate_of_return': {r} has no benchmark investment, so "
                                 "the price of capital goods is undefined")
            m.S["capital", r].unfix()
            m.rate_of_return.add(m.W["capital", r] == m.rr[r] * m.P_H["investment", r])
    add_supply_curves(m, closure, kinds)


def add_supply_curves(m, closure, kinds):
    """Elastic factor supply (idle capacity): for every (f, r) with eps > 0 in
    ``closure.supply_elasticity``

        ln S[f,r] = eps[f,r] (ln W[f,r] - ln P_f[r]),   P_f = P_H[household] (labour),
                                                         P_H[investment] (capital)

    so the employed supply rises with the factor's real price (S = 1 at the benchmark)."""
    eps = closure.supply_elasticities(list(m.R), list(m.F), list(m.L))
    m.F_ELASTIC = pyo.Set(initialize=sorted(eps), dimen=2, ordered=True,
                          doc="(factor, region) pairs with an elastic supply")
    m.supply_eps = pyo.Param(m.F_ELASTIC, initialize=eps, mutable=True,
                             doc="elasticity of factor supply to its real price")
    for f, r in eps:
        if f not in m.F_PRICED:
            raise ClosureError(f"supply_elasticity of {f} in {r} needs a mobile or sluggish factor, "
                               "not a sector-specific one")
        if kinds.get((f, r)) == "surplus_labour" or (f == "capital" and closure.capital == "rate_of_return"):
            raise ClosureError(f"supply_elasticity of {f} in {r} conflicts with the closure that already "
                               "sets its supply (surplus_labour / rate_of_return)")
        if f == "capital" and isinstance(m.P_H["investment", r].expr, (int, float)):
            raise ClosureError(f"supply_elasticity of capital in {r}: {r} has no benchmark investment, "
                               "so the price of capital goods is undefined")
        m.S[f, r].unfix()

    def supply_curve(m, f, r):
        price = m.P_H["investment" if f not in m.L else "household", r]
        return pyo.log(m.S[f, r]) == m.supply_eps[f, r] * (pyo.log(m.W[f, r]) - pyo.log(price))
    m.factor_supply_curve = pyo.Constraint(m.F_ELASTIC, rule=supply_curve,
                                           doc="elastic factor supply: ln S = eps ln(W / P_f)")


def employed_share(m, f, r, j=None):
    """Employed share of a factor's endowment relative to the benchmark: (1-U)/(1-U0) for a
    labour type (the sector's rate U_S[h,j,r] for sector-specific labour), 1 for other factors."""
    if f not in m.L:
        return 1.0
    u = m.US[f, j, r] if j is not None else m.U[f, r]
    return (1 - u) / (1 - m.u0[f, r])


def factor_supply(m, f, r):
    """Employed supply of a mobile or sluggish factor relative to its benchmark: S E/E0 e."""
    e0 = sum(pyo.value(m.endowment[f, j, r]) for j in m.I)
    return m.S[f, r] * sum(m.endowment[f, j, r] for j in m.I) / e0 * employed_share(m, f, r)


def factor_income(m, r):
    """Factor income of region r: sum_f W_f S_f E_f e_f (labour: employed labour only);
    sluggish factors: sum_j WS_j F_j (= W S E e by the CET)."""
    mobile = sum(m.W[f, r] * sum(m.endowment[f, j, r] for j in m.I) * m.S[f, r] * employed_share(m, f, r)
                 for f in m.F_MOBILE)
    specific = sum(m.WS[f, j, r] * m.endowment[f, j, r] * employed_share(m, f, r, j)
                   for f in m.F_SPECIFIC for j in m.I)
    sluggish = sum(m.WS[f, j, r] * m.FD[f, j, r] for f in m.F_SLUGGISH for j in m.I)
    return mobile + specific + sluggish


def add_factor_markets(m, p):
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    vfm = p["vfm"]

    def mobile(m, f, r):
        e0 = vfm[F[f], :, R[r]].sum()
        return sum(m.FD[f, j, r] for j in m.I) / e0 == factor_supply(m, f, r)
    m.factor_market = pyo.Constraint(m.F_MOBILE, m.R, rule=mobile,
                                     doc="factor market: sum_j F[f,j,r] = S E[f,r] (labour: x (1-U)/(1-U0))")

    def specific(m, f, j, r):
        e0 = vfm[F[f], I[j], R[r]]
        if e0 <= 0:
            return m.WS[f, j, r] == 1.0
        return m.FD[f, j, r] / e0 == m.endowment[f, j, r] / e0 * employed_share(m, f, r, j)
    m.factor_market_specific = pyo.Constraint(m.F_SPECIFIC, m.I, m.R, rule=specific,
                                              doc="sector-specific factor market: F = E")

    def cet_supply(m, f, j, r):
        v0 = vfm[F[f], I[j], R[r]]
        if v0 <= 0:
            return m.WS[f, j, r] == m.W[f, r]
        return m.FD[f, j, r] / v0 == factor_supply(m, f, r) * (m.WS[f, j, r] / m.W[f, r]) ** m.eta[f]
    m.factor_supply_cet = pyo.Constraint(m.F_SLUGGISH, m.I, m.R, rule=cet_supply,
                                         doc="sluggish factor: F_j = th_j S E e (W_j / W)^eta")

    def cet_price(m, f, r):
        e0 = vfm[F[f], :, R[r]].sum()
        return m.W[f, r] == sum(vfm[F[f], I[j], R[r]] / e0 * m.WS[f, j, r] ** (1 + m.eta[f])
                                for j in m.I if vfm[F[f], I[j], R[r]] > 0) ** (1 / (1 + m.eta[f]))
    m.factor_price_cet = pyo.Constraint(m.F_SLUGGISH, m.R, rule=cet_price,
                                        doc="sluggish factor: W = [sum_j th_j W_j^(1+eta)]^(1/(1+eta))")

    total = float(vfm.sum())

    def regional_price(m, f, r):
        """W[f,r] of a mobile or sluggish factor; payment-weighted mean of WS for a specific one."""
        if f not in m.F_SPECIFIC:
            return m.W[f, r]
        e0 = vfm[F[f], :, R[r]].sum()
        return sum(vfm[F[f], I[j], R[r]] / e0 * m.WS[f, j, r] for j in m.I if vfm[F[f], I[j], R[r]] > 0)
    m.PFACTWLD = pyo.Expression(
        expr=sum(vfm[F[f], :, R[r]].sum() / total * regional_price(m, f, r)
                 for f in m.F for r in m.R if vfm[F[f], :, R[r]].sum() > 0),
        doc="world factor price index pfactwld = sum_(f,r) (V0_fr / V0) W[f,r] (GTAP's numeraire)")

    persons0 = p["persons_by_factor"]

    def persons(m, h, j, r):
        if persons0[F[h], I[j], R[r]] <= 0:
            return 0.0
        if h in m.F_SPECIFIC:
            return m.labour_force_sector[h, j, r] * (1 - m.US[h, j, r])
        return _allocate(m, p, h, j, r, m.labour_force[h, r] * (1 - m.U[h, r]), lambda k: m.FD[h, k, r])
    m.persons = pyo.Expression(m.L, m.I, m.R, rule=persons,
                               doc="persons employed by labour type, sector, region (thousand)")
    m.employment = pyo.Expression(m.I, m.R, rule=lambda m, j, r: sum(m.persons[h, j, r] for h in m.L),
                                  doc="employment, thousand persons")
