"""The dynamic nominal block's equations: wage Phillips curves, policy rules with an effective
lower bound, uncovered interest parity, and investment and foreign saving that respond to the
real rate; the currency areas' parameters and the regimes. The year-by-year path that sets
the lagged values is cgetrade/dynamics/monetary.py.

The static model stays unaware of time. This layer adds equations to it before it is
compiled and sets their lagged values as mutable parameters year by year (docs/monetary.md,
"The dynamic monetary block"). All rates are fractions per year, inflation rates are log
changes; nominal values of the model are in "deflated dollars" (the anchor currency divided
by its target price path (1 + pi*_A)^t), so the anchor's CPI is constant on target and
every measured inflation rate adds back the trend tau = pi*_A.

Per region r (labour types h, year t; ``_lag`` = value of year t-1):

    inflation           pi_t = ln(e_t P_H,t) - ln CPI_lag + tau
    expectations        pi^e_t = chi pi* + (1 - chi) pi_(t-1)                      (a parameter)
    wage Phillips curve ln(e W_h,t) - ln W_lag + tau = pi^e_t + g_h,t - phi_w (U_h,t - U^n_h,t)
                        (g: the trend of real wages, their growth on the baseline with flexible
                        wages, i.e. without the scenario's shocks; replaces the static wage curve)
    policy rule         i^T = rho i_lag + (1 - rho)[r* + pi* + phi_pi (pi - pi*) - phi_u (u - u^n)]
      NGDP targeting    i^T = rho i_lag + (1 - rho)[r* + pi* + phi_n gap_ngdp]
                        gap_ngdp = ln(e INC / NGDP^n)              (level)
                                   Delta ln(e INC) - Delta ln NGDP^n   (growth)
    lower bound         i = ELB + (z + sqrt(z^2 + 4 mu^2)) / 2,  z = i^T - ELB
                        (Chen-Harker-Kanzow-Smale smoothing of i = max(ELB, i^T): i > ELB always,
                        i - ELB < mu^2 / |z| when the bound binds)
    peg                 e_r = e_bar e_s  (instead of a rule; credible: expected depreciation 0)
    UIP                 i_r - i_A = E_t[Delta ln e_r] + rho_r,
                        E_t[Delta ln e_r] = theta (ln e^n_r,t - ln e_r,t) + pi*_r - pi*_A
                        (regressive towards the natural-path exchange rate; pegs: i_r = i_s + rho_r)
    import prices       P_MS -> P_MS omega_r (every source; the wedge is importers' rent or loss,
                        counted with tariff revenue), with local-currency pricing incomplete
                        within the year (pass-through beta, dollar-invoiced share d):
                        ln omega_t = (1 - beta){d [pi*_A - Dln P$_t] + (1 - d)[pi^e_t - Dln B_t]}
                        B = e sum_i w_i P_M,i / omega (border import price index, local currency),
                        P$ = B / e (in the anchor currency), D = true log change on year t-1
    investment          I_t = I^n_t [1 - eps_I (i_t - pi^e_t - r*)] + a_K (K^n_t - K_t)
    foreign saving      FS_r = fsav_r + dFS_r: saving + foreign saving buys I_t; sum_r dFS_r = 0

The natural path (superscript n) is the same scenario with flexible wages (the static
savings-driven closure, unemployment at its benchmark rate); every gap is measured against it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pyomo.environ as pyo

from ..errors import MonetaryError
from .projections import DynamicsError


class NominalError(MonetaryError, DynamicsError):
    """A regime, rule, currency-area or setting of the dynamic nominal block is invalid."""


@dataclass(frozen=True)
class Area:
    """Monetary and wage-setting parameters of one currency area (fractions per year)."""
    inflation_target: float = 0.02
    neutral_rate: float = 0.005       # natural real rate r*
    elb: float = 0.0                  # effective lower bound of the policy rate
    start_rate: float = 0.025         # policy rate in force at the start (i_(t0-1))
    start_inflation: float = 0.02     # inflation of the year before the start (pi_(t0-1))
    phillips_slope: float = 0.3       # phi_w: pp of wage inflation per pp of unemployment gap
    anchoring: float = 0.7            # chi: weight of the target in expectations
    pass_through: float = 0.5         # beta: share of a border-price change passed on within the year
    dollar_invoicing: float = 0.5     # d: share of imports invoiced in the anchor currency


#: currency areas, 2025 start (sources in docs/monetary.md, "Parameters of the dynamic block")
AREAS = {
    "USA": Area(inflation_target=0.02, neutral_rate=0.0075, elb=0.00125, start_rate=0.04375,
                start_inflation=0.029, phillips_slope=0.4, anchoring=0.8, dollar_invoicing=0.93),
    "EU": Area(inflation_target=0.02, neutral_rate=0.0025, elb=-0.005, start_rate=0.03,
               start_inflation=0.024, phillips_slope=0.3, anchoring=0.7, dollar_invoicing=0.4),
    "JPN": Area(inflation_target=0.02, neutral_rate=-0.0025, elb=-0.001, start_rate=0.0025,
                start_inflation=0.027, phillips_slope=0.2, anchoring=0.4, dollar_invoicing=0.7),
    "CHN": Area(inflation_target=0.02, neutral_rate=0.01, elb=0.0, start_rate=0.015,
                start_inflation=0.002, phillips_slope=0.3, anchoring=0.5, dollar_invoicing=0.8),
    "EAS": Area(inflation_target=0.02, neutral_rate=0.005, elb=0.0, start_rate=0.03,
                start_inflation=0.023, phillips_slope=0.3, anchoring=0.7, dollar_invoicing=0.8),
    "ROW": Area(inflation_target=0.03, neutral_rate=0.01, elb=0.0, start_rate=0.05,
                start_inflation=0.04, phillips_slope=0.3, anchoring=0.5),
}


@dataclass(frozen=True)
class Settings:
    """Parameters common to all areas."""
    theta: float = 0.2                  # regressive exchange-rate expectations (per year)
    investment_semi_elasticity: float = 2.5   # eps_I: % of investment per pp of real rate
    capital_adjustment: float = 0.3     # a_K: share of the capital gap closed per year
    smoothing: float = 0.4              # rho: weight of last year's rate in the rule
    mu: float = 1e-4                    # smoothing of the lower bound (0.01 pp)
    beta: float = 0.97                  # discount factor of the loss
    band: float = 0.01                  # target missed: |pi - pi*| > band
    loss_lambdas: tuple = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)

    def check(self):
        if not self.mu > 0:
            raise NominalError(f"the lower-bound smoothing mu must be > 0, got {self.mu}")
        if not 0 <= self.smoothing < 1:
            raise NominalError(f"rate smoothing must be in [0, 1), got {self.smoothing}")
        if not 0 < self.beta <= 1:
            raise NominalError(f"discount factor beta must be in (0, 1], got {self.beta}")
        for k in ("theta", "investment_semi_elasticity", "capital_adjustment", "band"):
            if getattr(self, k) < 0:
                raise NominalError(f"{k} must be >= 0, got {getattr(self, k)}")


#: named dynamic regimes: strict inflation targeting responds to inflation only (Taylor 1993
#: inflation coefficient 1.5); flexible inflation targeting adds the unemployment gap with
#: the Taylor (1993) output-gap coefficient 0.5 times an Okun coefficient of 2
REGIMES = {
    "strict_it": ("rule", 1.5, 0.0),
    "flexible_it": ("rule", 1.5, 1.0),
    "peg": ("peg", None),
    "ngdp_level": ("ngdp", "level", 1.5),
    "ngdp_growth": ("ngdp", "growth", 1.5),
}
STATIC_ONLY = ("cpi", "money")


def parse_regime(spec) -> tuple:
    """A dynamic regime: a name of REGIMES, ("rule", phi_pi, phi_u), ("peg", region),
    ("ngdp_level", phi_n) or ("ngdp_growth", phi_n)."""
    if isinstance(spec, str):
        spec = (spec,)
    spec = tuple(spec)
    if not spec:
        raise NominalError("empty monetary regime")
    kind = spec[0]
    if kind in STATIC_ONLY:
        raise NominalError(f"regime {kind!r} is a static regime (Closure.monetary, cgetrade.policy); "
                            f"the dynamic block takes {', '.join(REGIMES)} or ('rule', phi_pi, phi_u)")
    if kind == "rule":
        if len(spec) != 3:
            raise NominalError(f"a rule is ('rule', phi_pi, phi_u), got {spec!r}")
        phi_pi, phi_u = map(float, spec[1:])
        if phi_pi < 0 or phi_u < 0:
            raise NominalError(f"rule coefficients must be >= 0, got {spec!r}")
        return ("rule", phi_pi, phi_u)
    if kind == "peg":
        return ("peg", spec[1] if len(spec) > 1 else None)
    if kind in ("ngdp_level", "ngdp_growth"):
        phi = float(spec[1]) if len(spec) > 1 else REGIMES[kind][2]
        if phi <= 0:
            raise NominalError(f"{kind}: the response to the NGDP gap must be > 0, got {phi}")
        return ("ngdp", kind.split("_")[1], phi)
    if kind in REGIMES:
        if len(spec) > 1:
            raise NominalError(f"regime {kind!r} takes no arguments; use ('rule', phi_pi, phi_u)")
        return REGIMES[kind]
    raise NominalError(f"unknown dynamic monetary regime {kind!r}; known: {', '.join(REGIMES)}, 'rule'")


def resolve_regimes(regimes: dict, regions, anchor: str) -> dict:
    """Regime of every region ({'*': default}); pegs get their target; clear errors."""
    if anchor not in regions:
        raise NominalError(f"anchor {anchor!r} is not a region of the model {list(regions)}")
    unknown = sorted(set(regimes) - set(regions) - {"*"})
    if unknown:
        raise NominalError(f"monetary regime for unknown region(s) {unknown}; known: {list(regions)}")
    missing = [r for r in regions if r not in regimes and "*" not in regimes]
    if missing:
        raise NominalError(f"monetary regime missing for {missing} (or give a '*' default)")
    out = {}
    for r in regions:
        spec = parse_regime(regimes.get(r, regimes.get("*")))
        if spec[0] == "peg":
            target = spec[1] or anchor
            if r == anchor:
                raise NominalError(f"{r} is the anchor: its currency is the unit of account and "
                                    "cannot be pegged; give it a rule or NGDP targeting")
            if target == r or target not in regions:
                raise NominalError(f"{r} cannot peg to {target!r}")
            spec = ("peg", target)
        out[r] = spec
    for r, spec in out.items():
        if spec[0] == "peg" and out[spec[1]][0] == "peg":
            raise NominalError(f"{r} pegs to {spec[1]}, which pegs itself: peg to the currency "
                                f"{spec[1]} pegs to")
    return out


def areas_for(regions, overrides: dict | None = None) -> dict:
    """Area parameters by region: AREAS (generic Area() for other regions) with overrides
    ({region: {field: value}} or {region: Area})."""
    out = {r: AREAS.get(r, Area()) for r in regions}
    for r, v in (overrides or {}).items():
        if r not in out:
            raise NominalError(f"area parameters for unknown region {r!r}; known: {list(regions)}")
        out[r] = v if isinstance(v, Area) else replace(out[r], **v)
    for r, a in out.items():
        if not 0 <= a.anchoring <= 1:
            raise NominalError(f"{r}: anchoring weight chi must be in [0, 1], got {a.anchoring}")
        if a.phillips_slope < 0:
            raise NominalError(f"{r}: Phillips-curve slope must be >= 0, got {a.phillips_slope}")
        for k in ("pass_through", "dollar_invoicing"):
            if not 0 <= getattr(a, k) <= 1:
                raise NominalError(f"{r}: {k} must be in [0, 1], got {getattr(a, k)}")
    return out


def build(mon, m):
    """Add the nominal block to the static model ``m`` of the MonetaryModel ``mon`` (before it
    is compiled)."""
    R, L, A = list(m.R), list(m.L), mon.anchor
    if any(h in m.F_SPECIFIC for h in L):
        raise NominalError("the dynamic monetary block needs mobile labour")
    a, s = mon.areas, mon.settings
    m.wage_setting.deactivate()
    m.regime.deactivate()

    def par(name, index, init, doc):
        comp = pyo.Param(*index, mutable=True, initialize=init, doc=doc)
        setattr(m, name, comp)
        return comp
    par("pi_star", [m.R], {r: a[r].inflation_target for r in R}, "inflation target pi*")
    par("r_star", [m.R], {r: a[r].neutral_rate for r in R}, "natural real rate r*")
    par("elb", [m.R], {r: a[r].elb for r in R}, "effective lower bound of the policy rate")
    par("phi_w", [m.R], {r: a[r].phillips_slope for r in R}, "wage Phillips-curve slope")
    par("pi_e", [m.R], {r: a[r].inflation_target for r in R}, "expected inflation pi^e_t")
    par("cpi_lag", [m.R], 1.0, "local CPI of year t-1 (deflated units)")
    par("w_lag", [m.L, m.R], 1.0, "local wage of year t-1 (deflated units)")
    par("g_w", [m.L, m.R], 0.0, "trend real-wage growth g_t (log; baseline)")
    par("u_nat", [m.L, m.R], {(h, r): pyo.value(m.u0[h, r]) for h in L for r in R},
        "natural unemployment rate U^n_t")
    par("ur_nat", [m.R], {r: pyo.value(m.ur0[r]) for r in R}, "natural regional unemployment rate")
    par("i_lag", [m.R], {r: a[r].start_rate for r in R}, "policy rate of year t-1")
    par("e_nat", [m.R], 1.0, "natural-path exchange rate e^n_t")
    par("risk", [m.R], 0.0, "risk premium rho_r in UIP")
    par("inv_nat", [m.R], 1.0, "natural-path real investment I^n_t")
    par("inv_gap", [m.R], 0.0, "capital-gap term a_K (K^n_t - K_t)")
    par("ngdp_lag", [m.R], 1.0, "local nominal income of year t-1 (deflated units)")
    par("ngdp_path", [m.R], 1.0, "natural-path local nominal income of year t (deflated)")
    par("ngdp_path_lag", [m.R], 1.0, "natural-path local nominal income of year t-1")
    par("trend", [], a[A].inflation_target, "deflation of the unit: the anchor's target pi*_A")
    par("theta", [], s.theta, "regressive exchange-rate expectations")
    par("eps_inv", [], s.investment_semi_elasticity, "investment semi-elasticity to the real rate")
    par("rho_i", [], s.smoothing, "interest-rate smoothing")
    par("mu", [], s.mu, "smoothing of the lower bound")

    m.IR = pyo.Var(m.R, initialize={r: a[r].neutral_rate + a[r].inflation_target for r in R},
                   doc="policy rate i_t")
    m.FSR.unfix()
    cpi = {r: m.ER[r] * m.P_H["household", r] for r in R}
    m.PI = pyo.Expression(m.R, rule=lambda m, r: pyo.log(cpi[r] / m.cpi_lag[r]) + m.trend,
                          doc="CPI inflation pi_t (log)")
    if mon.flexible_wages:
        for h in L:
            for r in R:
                m.U[h, r].fix(pyo.value(m.u_nat[h, r]))
        m.phillips = pyo.Constraint(m.L, m.R, rule=lambda m, h, r: pyo.Constraint.Skip)
    else:
        m.phillips = pyo.Constraint(
            m.L, m.R, doc="wage Phillips curve",
            rule=lambda m, h, r: pyo.log(m.ER[r] * m.W[h, r] / m.w_lag[h, r]) + m.trend
            == m.pi_e[r] + m.g_w[h, r] - m.phi_w[r] * (m.U[h, r] - m.u_nat[h, r]))
    m.RULE_TARGET = pyo.Expression(m.R, rule=lambda m, r: rule_target(mon, m, r),
                                   doc="rate prescribed by the rule i^T_t")
    m.policy = pyo.ConstraintList(doc="policy rule with the lower bound, or the peg")
    m.uip = pyo.ConstraintList(doc="uncovered interest parity")
    for r in R:
        spec = mon.regimes[r]
        if spec[0] == "peg":
            m.policy.add(m.ER[r] == m.peg_rate[r] * m.ER[spec[1]])
        else:
            z = m.RULE_TARGET[r] - m.elb[r]
            m.policy.add(m.IR[r] == m.elb[r] + 0.5 * (z + pyo.sqrt(z ** 2 + 4 * m.mu ** 2)))
        if r == A:
            continue
        if spec[0] == "peg":
            m.uip.add(m.IR[r] == m.IR[spec[1]] + m.risk[r])
        else:
            m.uip.add(m.IR[r] - m.IR[A] == m.theta * pyo.log(m.e_nat[r] / m.ER[r])
                      + m.pi_star[r] - m.pi_star[A] + m.risk[r])
    add_pass_through(mon, m, R, A)
    k = mon.params.final_agents.index("investment")
    inv0 = {r: float(mon.params["fd_exp"][k, i]) for i, r in enumerate(R)}
    m.investment_demand = pyo.Constraint(
        m.R, doc="investment by the real rate",
        rule=lambda m, r: m.Q_H["investment", r] == (
            m.inv_nat[r] * (1 - m.eps_inv * (m.IR[r] - m.pi_e[r] - m.r_star[r])) + m.inv_gap[r]) / inv0[r])
    scale = sum(inv0.values())
    m.world_saving = pyo.Constraint(expr=sum(m.FSR[r] for r in R) / scale == 0,
                                    doc="changes in foreign saving sum to zero")


def add_pass_through(mon, m, R, A):
    """Import-price wedge omega_r: incomplete pass-through within the year, with a share
    of imports invoiced in the anchor currency (dominant-currency pricing)."""
    a = mon.areas
    vim = mon.params["use_imp"].sum(1)                        # (i, r) benchmark imports
    I = list(m.I)
    m.OMEGA = pyo.Var(m.R, initialize=1.0, bounds=(0, None),
                      doc="import-price wedge omega_r (local import prices / border prices)")
    m.beta_pt = pyo.Param(m.R, mutable=True, initialize={r: a[r].pass_through for r in R},
                          doc="within-year pass-through of border import prices")
    m.dollar = pyo.Param(m.R, mutable=True, initialize={r: a[r].dollar_invoicing for r in R},
                         doc="share of imports invoiced in the anchor currency")
    m.border_lag = pyo.Param(m.R, mutable=True, initialize=1.0,
                             doc="border import price index of year t-1 (local, deflated)")
    m.dollar_lag = pyo.Param(m.R, mutable=True, initialize=1.0,
                             doc="border import price index of year t-1 (anchor currency, deflated)")
    w = {}
    for r in R:
        k = mon.params.regions.index(r)
        tot = sum(float(vim[mon.params.sectors.index(i), k]) for i in I if (i, r) in m.IM)
        w[r] = {i: float(vim[mon.params.sectors.index(i), k]) / tot for i in I if (i, r) in m.IM}
    m.BORDER = pyo.Expression(m.R, doc="border import price index B (anchor currency, deflated)",
                              rule=lambda m, r: sum(x * m.PM[i, r] for i, x in w[r].items()) / m.OMEGA[r])
    # the wedge multiplies every source's price at the destination; its value, the share
    # (omega - 1) / omega of spending on imports, is a rent of importers (added to tariff
    # revenue, so regional income counts it)
    for (i, s, r) in m.BT:
        m.P_MS[i, s, r].set_value(m.P_MS[i, s, r].expr * m.OMEGA[r])
    for (i, r) in m.MW:
        m.P_MW[i, r].set_value(m.P_MW[i, r].expr * m.OMEGA[r])
    for (i, r) in m.IM:      # spending on imports P_M M M0; the wedge's share (omega - 1) / omega is rent
        m0 = float(vim[mon.params.sectors.index(i), mon.params.regions.index(r)])
        rent = (m.OMEGA[r] - 1) / m.OMEGA[r] * m.PM[i, r] * m.M[i, r] * m0
        m.TARIFF_REVENUE[i, r].set_value(m.TARIFF_REVENUE[i, r].expr + rent)
    tau = m.trend

    def wedge(m, r):
        d_dollar = pyo.log(m.BORDER[r] / m.dollar_lag[r]) + tau
        d_local = pyo.log(m.ER[r] * m.BORDER[r] / m.border_lag[r]) + tau
        return pyo.log(m.OMEGA[r]) == (1 - m.beta_pt[r]) * (
            m.dollar[r] * (m.pi_star[A] - d_dollar) + (1 - m.dollar[r]) * (m.pi_e[r] - d_local))
    m.pass_through = pyo.Constraint(m.R, rule=wedge, doc="import-price pass-through")

def rule_target(mon, m, r):
    spec = mon.regimes[r]
    if spec[0] == "rule":
        _, phi_pi, phi_u = spec
        x = (m.r_star[r] + m.pi_star[r] + phi_pi * (m.PI[r] - m.pi_star[r])
             - phi_u * (m.UR[r] - m.ur_nat[r]))
    elif spec[0] == "ngdp":
        _, how, phi = spec
        ngdp = m.ER[r] * m.INC[r]
        gap = (pyo.log(ngdp / m.ngdp_path[r]) if how == "level" else
               pyo.log(ngdp / m.ngdp_lag[r]) - pyo.log(m.ngdp_path[r] / m.ngdp_path_lag[r]))
        x = m.r_star[r] + m.pi_star[r] + phi * gap
    else:
        return m.IR[r]
    return m.rho_i * m.i_lag[r] + (1 - m.rho_i) * x
