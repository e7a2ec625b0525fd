"""Monetary dynamics: wage Phillips curves, policy rules with an effective lower bound,
uncovered interest parity, and investment and foreign saving that respond to the real rate.

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

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from ..model import Closure
from .accumulation import capital_next, real_investment
from .projections import DynamicsError, Periods
from .recursive import DynamicModel


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
            raise DynamicsError(f"the lower-bound smoothing mu must be > 0, got {self.mu}")
        if not 0 <= self.smoothing < 1:
            raise DynamicsError(f"rate smoothing must be in [0, 1), got {self.smoothing}")
        if not 0 < self.beta <= 1:
            raise DynamicsError(f"discount factor beta must be in (0, 1], got {self.beta}")
        for k in ("theta", "investment_semi_elasticity", "capital_adjustment", "band"):
            if getattr(self, k) < 0:
                raise DynamicsError(f"{k} must be >= 0, got {getattr(self, k)}")


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
        raise DynamicsError("empty monetary regime")
    kind = spec[0]
    if kind in STATIC_ONLY:
        raise DynamicsError(f"regime {kind!r} is a static regime (Closure.monetary, cgetrade.policy); "
                            f"the dynamic block takes {', '.join(REGIMES)} or ('rule', phi_pi, phi_u)")
    if kind == "rule":
        if len(spec) != 3:
            raise DynamicsError(f"a rule is ('rule', phi_pi, phi_u), got {spec!r}")
        phi_pi, phi_u = map(float, spec[1:])
        if phi_pi < 0 or phi_u < 0:
            raise DynamicsError(f"rule coefficients must be >= 0, got {spec!r}")
        return ("rule", phi_pi, phi_u)
    if kind == "peg":
        return ("peg", spec[1] if len(spec) > 1 else None)
    if kind in ("ngdp_level", "ngdp_growth"):
        phi = float(spec[1]) if len(spec) > 1 else REGIMES[kind][2]
        if phi <= 0:
            raise DynamicsError(f"{kind}: the response to the NGDP gap must be > 0, got {phi}")
        return ("ngdp", kind.split("_")[1], phi)
    if kind in REGIMES:
        if len(spec) > 1:
            raise DynamicsError(f"regime {kind!r} takes no arguments; use ('rule', phi_pi, phi_u)")
        return REGIMES[kind]
    raise DynamicsError(f"unknown dynamic monetary regime {kind!r}; known: {', '.join(REGIMES)}, 'rule'")


def resolve_regimes(regimes: dict, regions, anchor: str) -> dict:
    """Regime of every region ({'*': default}); pegs get their target; clear errors."""
    if anchor not in regions:
        raise DynamicsError(f"anchor {anchor!r} is not a region of the model {list(regions)}")
    unknown = sorted(set(regimes) - set(regions) - {"*"})
    if unknown:
        raise DynamicsError(f"monetary regime for unknown region(s) {unknown}; known: {list(regions)}")
    missing = [r for r in regions if r not in regimes and "*" not in regimes]
    if missing:
        raise DynamicsError(f"monetary regime missing for {missing} (or give a '*' default)")
    out = {}
    for r in regions:
        spec = parse_regime(regimes.get(r, regimes.get("*")))
        if spec[0] == "peg":
            target = spec[1] or anchor
            if r == anchor:
                raise DynamicsError(f"{r} is the anchor: its currency is the unit of account and "
                                    "cannot be pegged; give it a rule or NGDP targeting")
            if target == r or target not in regions:
                raise DynamicsError(f"{r} cannot peg to {target!r}")
            spec = ("peg", target)
        out[r] = spec
    for r, spec in out.items():
        if spec[0] == "peg" and out[spec[1]][0] == "peg":
            raise DynamicsError(f"{r} pegs to {spec[1]}, which pegs itself: peg to the currency "
                                f"{spec[1]} pegs to")
    return out


def areas_for(regions, overrides: dict | None = None) -> dict:
    """Area parameters by region: AREAS (generic Area() for other regions) with overrides
    ({region: {field: value}} or {region: Area})."""
    out = {r: AREAS.get(r, Area()) for r in regions}
    for r, v in (overrides or {}).items():
        if r not in out:
            raise DynamicsError(f"area parameters for unknown region {r!r}; known: {list(regions)}")
        out[r] = v if isinstance(v, Area) else replace(out[r], **v)
    for r, a in out.items():
        if not 0 <= a.anchoring <= 1:
            raise DynamicsError(f"{r}: anchoring weight chi must be in [0, 1], got {a.anchoring}")
        if a.phillips_slope < 0:
            raise DynamicsError(f"{r}: Phillips-curve slope must be >= 0, got {a.phillips_slope}")
        for k in ("pass_through", "dollar_invoicing"):
            if not 0 <= getattr(a, k) <= 1:
                raise DynamicsError(f"{r}: {k} must be in [0, 1], got {getattr(a, k)}")
    return out


def natural_closure() -> Closure:
    """Flexible wages (unemployment at its benchmark rate), no nominal side."""
    return Closure()


class MonetaryModel(DynamicModel):
    """The static model with the dynamic monetary block (built and compiled once per set of
    regimes). ``run(scenario, natural, start)`` solves the years from ``start`` on."""

    def __init__(self, params, regimes: dict, areas: dict | None = None,
                 settings: Settings | None = None, projections=None, periods: Periods | None = None,
                 anchor: str = "USA", flexible_wages: bool = False):
        self.settings = settings or Settings()
        self.settings.check()
        self.regimes = resolve_regimes(regimes, params.regions, anchor)
        self.areas = areas_for(params.regions, areas)
        self.anchor = anchor
        self.flexible_wages = flexible_wages
        closure = Closure(labour="wage_curve", monetary={"*": "cpi"}, anchor=anchor)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            super().__init__(params, projections, periods, closure)

    # -- equations --------------------------------------------------------------------------
    def _extend(self, m):
        R, L, A = list(m.R), list(m.L), self.anchor
        if any(h in m.F_SPECIFIC for h in L):
            raise DynamicsError("the dynamic monetary block needs mobile labour")
        a, s = self.areas, self.settings
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
        if self.flexible_wages:
            for h in L:
                for r in R:
                    m.U[h, r].fix(pyo.value(m.u_nat[h, r]))
            m.phillips = pyo.Constraint(m.L, m.R, rule=lambda m, h, r: pyo.Constraint.Skip)
        else:
            m.phillips = pyo.Constraint(
                m.L, m.R, doc="wage Phillips curve",
                rule=lambda m, h, r: pyo.log(m.ER[r] * m.W[h, r] / m.w_lag[h, r]) + m.trend
                == m.pi_e[r] + m.g_w[h, r] - m.phi_w[r] * (m.U[h, r] - m.u_nat[h, r]))
        m.RULE_TARGET = pyo.Expression(m.R, rule=lambda m, r: self._rule_target(m, r),
                                       doc="rate prescribed by the rule i^T_t")
        m.policy = pyo.ConstraintList(doc="policy rule with the lower bound, or the peg")
        m.uip = pyo.ConstraintList(doc="uncovered interest parity")
        for r in R:
            spec = self.regimes[r]
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
        self._add_pass_through(m, R, A)
        k = self.params.final_agents.index("investment")
        inv0 = {r: float(self.params["fd_exp"][k, i]) for i, r in enumerate(R)}
        m.investment_demand = pyo.Constraint(
            m.R, doc="investment by the real rate",
            rule=lambda m, r: m.Q_H["investment", r] == (
                m.inv_nat[r] * (1 - m.eps_inv * (m.IR[r] - m.pi_e[r] - m.r_star[r])) + m.inv_gap[r]) / inv0[r])
        scale = sum(inv0.values())
        m.world_saving = pyo.Constraint(expr=sum(m.FSR[r] for r in R) / scale == 0,
                                        doc="changes in foreign saving sum to zero")

    def _add_pass_through(self, m, R, A):
        """Import-price wedge omega_r: incomplete pass-through within the year, with a share
        of imports invoiced in the anchor currency (dominant-currency pricing)."""
        a = self.areas
        vim = self.params["use_imp"].sum(1)                        # (i, r) benchmark imports
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
            k = self.params.regions.index(r)
            tot = sum(float(vim[self.params.sectors.index(i), k]) for i in I if (i, r) in m.IM)
            w[r] = {i: float(vim[self.params.sectors.index(i), k]) / tot for i in I if (i, r) in m.IM}
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
            m0 = float(vim[self.params.sectors.index(i), self.params.regions.index(r)])
            rent = (m.OMEGA[r] - 1) / m.OMEGA[r] * m.PM[i, r] * m.M[i, r] * m0
            m.TARIFF_REVENUE[i, r].set_value(m.TARIFF_REVENUE[i, r].expr + rent)
        tau = m.trend

        def wedge(m, r):
            d_dollar = pyo.log(m.BORDER[r] / m.dollar_lag[r]) + tau
            d_local = pyo.log(m.ER[r] * m.BORDER[r] / m.border_lag[r]) + tau
            return pyo.log(m.OMEGA[r]) == (1 - m.beta_pt[r]) * (
                m.dollar[r] * (m.pi_star[A] - d_dollar) + (1 - m.dollar[r]) * (m.pi_e[r] - d_local))
        m.pass_through = pyo.Constraint(m.R, rule=wedge, doc="import-price pass-through")

    def _rule_target(self, m, r):
        spec = self.regimes[r]
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

    # -- the path ---------------------------------------------------------------------------
    def run(self, scenario, natural: xr.Dataset, start: int, baseline: xr.Dataset) -> xr.Dataset:
        """Years ``start``..end of ``scenario`` with the monetary block, from the natural path
        (same scenario, flexible wages; ``natural_path``) in the year before ``start``."""
        years = self.years
        if start not in years or years.index(start) == 0 or self.periods.step != 1:
            raise DynamicsError(f"the monetary path needs yearly periods and a start year after "
                                f"the first ({years[0]}); got start {start}")
        self._check_paths(scenario)
        self._restore_benchmark()
        m, p, R, L = self.model.pyomo, self.params, self.params.regions, list(self.model.pyomo.L)
        A, a = self.anchor, self.areas
        k0 = years.index(start)
        nat = _natural_arrays(natural, p, L, A, a, k0)
        nat["gw"] = _natural_arrays(baseline, p, L, A, a, k0)["gw"]    # the trend: no shocks
        touched = [getattr(m, name)[idx] for name, idx in scenario.targets(self.model)]
        lam = baseline["labour_productivity"].transpose("year", "region").values
        # warm start: the natural baseline's solution of the year before start, by label
        labels = [f"{n}[{i}]" for n, i in self.nlp.variable_labels]
        x = self.nlp.x_from_model()
        ref = dict(zip(map(str, baseline["nlp_variable"].values), baseline["solution"].values[k0 - 1]))
        x = np.array([ref.get(lab, v) for lab, v in zip(labels, x)])
        self.nlp.to_model(x)
        for r in R:
            m.IR[r].set_value(a[r].start_rate)
        lags = {"cpi": {r: nat["P"][k0 - 1, R.index(r)] for r in R},
                "w": {(h, r): nat["W"][k0 - 1, L.index(h), R.index(r)] for h in L for r in R},
                "pi": {r: a[r].start_inflation for r in R}, "i": {r: a[r].start_rate for r in R},
                "ngdp": {r: nat["ngdp"][k0 - 1, R.index(r)] for r in R},
                "border": {r: nat["B"][k0 - 1, R.index(r)] for r in R},
                "dollar": {r: nat["B"][k0 - 1, R.index(r)] for r in R}}
        K = nat["K"][k0].copy()
        self._first_lag_record = natural.isel(year=k0 - 1)
        recs = []
        for k in range(k0, len(years)):
            year = years[k]
            for i, r in enumerate(R):
                self.target.fixed[r] = float(lam[k, i])
            n = self.labour_index[k]
            new = self._endowments(K, n)
            new.update(self._shock_params(scenario, year, touched, new))
            vals = _ById()
            for i, r in enumerate(R):
                chi = a[r].anchoring
                vals[m.pi_e[r]] = chi * a[r].inflation_target + (1 - chi) * lags["pi"][r]
                vals[m.cpi_lag[r]] = lags["cpi"][r]
                vals[m.i_lag[r]] = lags["i"][r]
                vals[m.e_nat[r]] = nat["e"][k, i]
                vals[m.inv_nat[r]] = nat["I"][k, i]
                vals[m.inv_gap[r]] = self.settings.capital_adjustment * (nat["K"][k, i] - K[i])
                vals[m.ngdp_lag[r]] = lags["ngdp"][r]
                vals[m.ngdp_path[r]] = nat["ngdp"][k, i]
                vals[m.ngdp_path_lag[r]] = nat["ngdp"][k - 1, i]
                vals[m.ur_nat[r]] = nat["ur"][k, i]
                vals[m.border_lag[r]] = lags["border"][r]
                vals[m.dollar_lag[r]] = lags["dollar"][r]
                for h in L:
                    vals[m.w_lag[h, r]] = lags["w"][h, r]
                    vals[m.g_w[h, r]] = nat["gw"][k, L.index(h), i]
                    vals[m.u_nat[h, r]] = nat["u"][k, L.index(h), i]
            new.update({key: (q, float(v)) for key, (q, v) in vals.items()})
            if self.flexible_wages:
                for h in L:
                    for r in R:
                        new[id(m.U[h, r])] = (m.U[h, r], float(vals[id(m.u_nat[h, r])][1]))
            sol = self._solve_year(year, new)
            inv = real_investment(self.model)
            rec = self._record(year, K, n, inv, sol)
            rec = self._record_monetary(rec, k, nat)
            recs.append(rec)
            # lags for next year: this year's values in this year's deflated units (the
            # inflation equations add the unit's trend back)
            for r in R:
                lags["cpi"][r] = pyo.value(m.ER[r] * m.P_H["household", r])
                lags["pi"][r] = pyo.value(m.PI[r])
                lags["i"][r] = pyo.value(m.IR[r])
                lags["ngdp"][r] = pyo.value(m.ER[r] * m.INC[r])
                lags["border"][r] = pyo.value(m.ER[r] * m.BORDER[r])
                lags["dollar"][r] = pyo.value(m.BORDER[r])
                for h in L:
                    lags["w"][h, r] = pyo.value(m.ER[r] * m.W[h, r])
            K = capital_next(K, inv, self.delta, 1)
        return self._assemble(recs, years[k0:], natural, scenario)

    def _record_monetary(self, rec, k, nat) -> xr.Dataset:
        m, R = self.model.pyomo, self.params.regions
        v = lambda comp: np.array([pyo.value(comp[r]) for r in R])  # noqa: E731
        D = ("region",)
        rec["inflation"] = (D, 100 * v(m.PI))
        rec["inflation_expected"] = (D, 100 * v(m.pi_e))
        rec["policy_rate"] = (D, 100 * v(m.IR))
        rec["shadow_rate"] = (D, 100 * v(m.RULE_TARGET))
        rec["real_rate"] = (D, 100 * (v(m.IR) - v(m.pi_e)))
        rec["unemployment_regional"] = (D, v(m.UR))
        rec["unemployment_natural"] = (D, v(m.ur_nat))
        rec["exchange_rate_natural"] = (D, v(m.e_nat))
        rec["foreign_saving_response"] = (D, v(m.FSR))
        rec["import_price_wedge"] = (D, v(m.OMEGA))
        return rec

    def _assemble(self, recs, years, natural, scenario) -> xr.Dataset:
        ds = xr.concat(recs, dim=xr.DataArray(years, dims="year", name="year"))
        R = self.params.regions
        a = self.areas
        tr = pyo.value(self.model.pyomo.trend)
        ds["employment_total"] = ds["employment"].sum("sector")
        ds["employment_total"].attrs = {"long_name": "employment, all sectors", "units": "thousand persons"}
        ds["inflation_target"] = ("region", [100 * a[r].inflation_target for r in R])
        ds["lower_bound"] = ("region", [100 * a[r].elb for r in R])
        ds["inflation_gap"] = ds["inflation"] - ds["inflation_target"]
        ds["unemployment_gap"] = 100 * (ds["unemployment_regional"] - ds["unemployment_natural"])
        nat_gdp = natural["real_gdp"].sel(year=years)
        ds["output_gap"] = 100 * np.log(ds["real_gdp"] / nat_gdp)
        ds["at_lower_bound"] = ds["shadow_rate"] < ds["lower_bound"]
        ds["target_missed"] = abs(ds["inflation_gap"]) > 100 * self.settings.band
        # import / domestic split of inflation, in undeflated local currency: the unit's
        # deflator D_t = exp(tau (t - t0 + 1)) multiplies every world price alike
        imp = np.full((len(years), len(R)), np.nan)
        dom, mid = imp.copy(), imp.copy()
        from ..policy import cpi_decomposition

        def undeflate(rec, j):
            d = math.exp(tr * (j + 1))
            return rec.assign(domestic_price=rec.domestic_price * d, import_price=rec.import_price * d,
                              cpi_local=rec.cpi_local * d)
        first = self._first_lag_record
        for j in range(len(years)):
            prev = undeflate(recs[j - 1], j - 1) if j else first
            dec = cpi_decomposition(prev, undeflate(recs[j], j))
            imp[j], dom[j] = dec["cpi_import_pct"].values, dec["cpi_domestic_pct"].values
            mid[j] = dec["cpi_imported_intermediates_pct"].values
        ds["inflation_import"] = (("year", "region"), imp)
        ds["inflation_domestic"] = (("year", "region"), dom)
        # the domestic part: import content of domestic prices (input-output price model on
        # the two years' average cost shares) and domestic value added (the rest)
        ds["inflation_imported_intermediates"] = (("year", "region"), mid)
        ds["inflation_domestic_value_added"] = (("year", "region"), dom - mid)
        beta = self.settings.beta
        disc = xr.DataArray(beta ** np.arange(len(years)), dims="year", coords={"year": years})
        ds["loss_inflation"] = (disc * ds["inflation_gap"] ** 2).sum("year")
        ds["loss_unemployment"] = (disc * ds["unemployment_gap"] ** 2).sum("year")
        lams = xr.DataArray(list(self.settings.loss_lambdas), dims="loss_lambda")
        ds["loss"] = ds["loss_inflation"] + lams * ds["loss_unemployment"]
        ds = ds.assign_coords(loss_lambda=lams.values)
        ds.attrs.update({
            "run": "monetary", "scenario": scenario.name, "variant": scenario.variant,
            "anchor": self.anchor,
            "regimes": "; ".join(f"{r}: {self.regimes[r]}" for r in R),
            "flexible_wages": int(self.flexible_wages),
            "nominal_unit": f"nominal levels in {self.anchor} currency deflated by its target path "
                            f"exp({tr:g} t); inflation rates add the trend back",
            "gaps": "against the natural path: the same scenario with flexible wages",
            **{f"setting_{k}": str(v) for k, v in self.settings.__dict__.items()},
        })
        from ..metadata import describe
        return describe(ds, override=False)


class _ById(dict):
    """{id(q): (q, value)} filled by ``d[q] = value`` (Pyomo data objects are unhashable)."""

    def __setitem__(self, q, v):
        super().__setitem__(id(q), (q, v))


def _natural_arrays(natural: xr.Dataset, p, L, A, areas, k0) -> dict:
    """Natural-path arrays by year index: CPI P^n, wages W^n (labour, region), real-wage
    growth, investment, capital, unemployment, natural exchange rates and local nominal
    income in deflated units (the anchor's CPI on its target path from year k0 - 1)."""
    R = p.regions
    years = natural.year.values
    P = natural["cpi"].transpose("year", "region").values
    W = natural["factor_price"].sel(factor=L).transpose("year", "factor", "region").values
    rw = np.log(W / P[:, None, :])
    gw = np.zeros_like(rw)
    gw[1:] = rw[1:] - rw[:-1]
    ia = R.index(A)
    scale = P[k0 - 1, ia] / P[:, ia]                      # world unit -> deflated anchor currency
    t = np.arange(len(years)) - (k0 - 1)
    pis = np.array([areas[r].inflation_target for r in R])
    e = np.exp(np.outer(t, pis - areas[A].inflation_target)) * P[k0 - 1] / (P * scale[:, None])
    inc = natural["income"].transpose("year", "region").values / p["income"]
    u = natural["unemployment_rate_by_skill"].sel(labour=L).transpose("year", "labour", "region").values \
        if "unemployment_rate_by_skill" in natural else \
        np.repeat(natural["unemployment_rate"].transpose("year", "region").values[:, None, :], len(L), 1)
    vim = p["use_imp"].sum(1)                                     # (commodity, region)
    w = vim / vim.sum(0, keepdims=True)
    PM = natural["import_price"].transpose("year", "commodity", "region").values
    border = (w[None] * PM).sum(1)          # world units; the lag year: e = 1, scale = 1
    return {"P": P, "W": W, "gw": gw, "e": e, "ngdp": e * scale[:, None] * inc, "B": border,
            "I": natural["investment"].transpose("year", "region").values,
            "K": natural["capital_stock"].transpose("year", "region").values,
            "u": u, "ur": natural["unemployment_rate"].transpose("year", "region").values}


def natural_path(params, scenario, periods: Periods, projections=None, baseline=None):
    """The natural path: ``scenario`` with flexible wages (and the baseline it starts from)."""
    dyn = DynamicModel(params, projections, periods, natural_closure())
    base = baseline if baseline is not None else dyn.baseline()
    return base, dyn.run(scenario, base)


def monetary_paths(params, scenario, regimes: dict, start: int, periods: Periods,
                   areas: dict | None = None, settings: Settings | None = None, projections=None,
                   anchor: str = "USA", natural=None, baseline=None) -> xr.Dataset:
    """``scenario`` under each named set of regimes ({name: {region: regime}}), years
    ``start``..``periods.end``; results with a ``regime`` dimension. Every regime set is
    checked before anything is solved."""
    for name, spec in regimes.items():
        try:
            resolve_regimes(spec, params.regions, anchor)
        except DynamicsError as err:
            raise DynamicsError(f"regime set {name!r}: {err}") from None
    areas_for(params.regions, areas)
    if natural is None:
        baseline, natural = natural_path(params, scenario, periods, projections, baseline)
    runs = []
    for name, spec in regimes.items():
        mon = MonetaryModel(params, spec, areas, settings, projections, periods, anchor)
        runs.append(mon.run(scenario, natural, start, baseline).expand_dims(regime=[name]))
    out = xr.concat(runs, dim="regime", combine_attrs="drop_conflicts")
    out.attrs["regimes"] = " | ".join(f"{n}: {v}" for n, v in regimes.items())
    return out


# -- the shipped experiment: regimes for a group of regions ---------------------------------
def regime_sets(regimes: dict, regions, anchor: str, others="flexible_it",
                anchor_under_peg="strict_it") -> dict:
    """{name: regime} for ``regions`` -> {name: {region: regime}}; other regions keep
    ``others``; under a peg the anchor keeps ``anchor_under_peg`` (it cannot peg)."""
    out = {}
    for name, spec in regimes.items():
        spec = spec if isinstance(spec, str) else tuple(spec)
        kind = spec if isinstance(spec, str) else spec[0]
        one = {"*": others}
        for r in regions:
            one[r] = anchor_under_peg if (kind == "peg" and r == anchor) else spec
        out[name] = one
    return out


def combine(scenarios, name: str | None = None):
    """One scenario with the shocks of several (their [model] tables must agree)."""
    from ..scenario import Scenario
    first = scenarios[0]
    for s in scenarios[1:]:
        if s.model != first.model:
            raise DynamicsError(f"scenarios {first.name} and {s.name} need different models "
                                f"({first.model} vs {s.model})")
    groups = {k: dict(v) for k, v in first.groups.items()}
    for s in scenarios[1:]:
        for k, v in s.groups.items():
            groups.setdefault(k, {}).update(v)
    return Scenario(name or "+".join(s.name for s in scenarios), [x for s in scenarios for x in s.shocks],
                    description=" ".join(s.description.strip() for s in scenarios),
                    source=" ".join(s.source.strip() for s in scenarios), groups=groups,
                    variant=first.variant, model=dict(first.model))


def rule_frontier(params, scenario, regions, start, periods, phi_u=(0.0, 0.5, 1.0, 2.0, 4.0),
                  phi_pi: float = 1.5, others="flexible_it", natural=None, baseline=None,
                  **kw) -> xr.Dataset:
    """Discounted squared inflation and unemployment gaps for rules with a rising response
    to the unemployment gap (the inflation-unemployment frontier over lambda)."""
    sets = {f"phi_u={x:g}": {"*": others, **{r: ("rule", phi_pi, x) for r in regions}} for x in phi_u}
    res = monetary_paths(params, scenario, sets, start, periods, natural=natural, baseline=baseline, **kw)
    out = res[["loss_inflation", "loss_unemployment"]].rename(regime="rule_phi_u")
    return out.assign_coords(rule_phi_u=list(phi_u))


def summary(res: xr.Dataset, regions=None) -> xr.Dataset:
    """Per regime and region over the years: mean inflation gap (pp per year), mean absolute
    gap, years at the lower bound, years the target is missed, mean unemployment and output
    gaps, discounted loss (lambda = 1)."""
    regions = list(regions) if regions is not None else list(res.region.values)
    r = res.sel(region=regions)
    out = xr.Dataset({
        "inflation_gap_mean": r.inflation_gap.mean("year"),
        "inflation_gap_abs_mean": abs(r.inflation_gap).mean("year"),
        "years_at_lower_bound": r.at_lower_bound.sum("year"),
        "years_target_missed": r.target_missed.sum("year"),
        "unemployment_gap_mean": r.unemployment_gap.mean("year"),
        "output_gap_mean": r.output_gap.mean("year"),
        "policy_rate_min": r.policy_rate.min("year"),
        "loss_lambda1": r.loss.sel(loss_lambda=1.0) if 1.0 in r.loss_lambda else r.loss.isel(loss_lambda=0),
        "inflation_mean": r.inflation.mean("year"),
        "inflation_import_mean": r.inflation_import.mean("year"),
        "inflation_imported_intermediates_mean": r.inflation_imported_intermediates.mean("year"),
        "inflation_domestic_value_added_mean": r.inflation_domestic_value_added.mean("year"),
    })
    units = {"inflation_gap_mean": ("mean inflation minus target", "pp per year"),
             "inflation_gap_abs_mean": ("mean |inflation minus target|", "pp per year"),
             "years_at_lower_bound": ("years with the rule's rate below the lower bound", "years"),
             "years_target_missed": ("years with |inflation - target| above the band", "years"),
             "unemployment_gap_mean": ("mean unemployment gap against the natural path", "pp"),
             "output_gap_mean": ("mean output gap against the natural path", "%"),
             "policy_rate_min": ("lowest policy rate", "% per year"),
             "loss_lambda1": ("discounted loss, lambda = 1", "pp2"),
             "inflation_mean": ("mean CPI inflation", "% per year"),
             "inflation_import_mean": ("mean contribution of directly imported consumer goods", "pp per year"),
             "inflation_imported_intermediates_mean": ("mean contribution of imported intermediates "
                                                       "(import content of domestic prices)", "pp per year"),
             "inflation_domestic_value_added_mean": ("mean contribution of domestic value added",
                                                     "pp per year")}
    for k, (ln, u) in units.items():
        out[k].attrs = {"long_name": ln, "units": u}
    out.attrs = {k: v for k, v in res.attrs.items() if isinstance(v, (str, int, float))}
    return out


def summary_table(summ: xr.Dataset, title: str = "") -> str:
    cols = [("inflation_gap_mean", "infl. dev. pp/yr", ".3f"), ("inflation_gap_abs_mean", "|dev.| pp/yr", ".3f"),
            ("years_at_lower_bound", "yrs at ELB", "d"), ("years_target_missed", "yrs missed", "d"),
            ("unemployment_gap_mean", "u gap pp", ".3f"), ("output_gap_mean", "y gap %", ".3f"),
            ("policy_rate_min", "min rate %", ".2f"), ("loss_lambda1", "loss (l=1)", ".2f")]
    lines = [title] if title else []
    lines.append(f"{'regime':<14} {'region':<6} " + " ".join(f"{c[1]:>16}" for c in cols))
    for g in summ.regime.values:
        for r in summ.region.values:
            row = summ.sel(regime=g, region=r)
            vals = []
            for k, _, f in cols:
                x = float(row[k])
                vals.append(f"{'n/a':>16}" if not np.isfinite(x) else
                            f"{int(round(x)):>16d}" if f == "d" else f"{x:>16{f}}")
            lines.append(f"{str(g):<14} {str(r):<6} " + " ".join(vals))
    return "\n".join(lines)


def sources_table(summ: xr.Dataset, title: str = "") -> str:
    """Mean CPI inflation and its three sources (pp per year; they add up to the mean)."""
    cols = [("inflation_mean", "inflation %/yr"), ("inflation_import_mean", "imported goods"),
            ("inflation_imported_intermediates_mean", "imp. intermed."),
            ("inflation_domestic_value_added_mean", "domestic VA")]
    lines = [title] if title else []
    lines.append(f"{'regime':<14} {'region':<6} " + " ".join(f"{c[1]:>16}" for c in cols))
    for g in summ.regime.values:
        for r in summ.region.values:
            row = summ.sel(regime=g, region=r)
            lines.append(f"{str(g):<14} {str(r):<6} " + " ".join(f"{float(row[k]):>16.4f}" for k, _ in cols))
    return "\n".join(lines)


def plot_monetary(res: xr.Dataset, path, regions=None):
    """Inflation, policy rate and unemployment gap by year, one column per region, one line
    per regime (matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    regions = list(regions if regions is not None else res.region.values)
    panels = (("inflation", "CPI inflation, %"), ("policy_rate", "policy rate, %"),
              ("unemployment_gap", "unemployment gap, pp (vs natural path)"))
    fig, axes = plt.subplots(len(panels), len(regions), figsize=(4 * len(regions), 8.5), sharex=True,
                             squeeze=False)
    years = res.year.values
    for j, r in enumerate(regions):
        for i, (v, title) in enumerate(panels):
            ax = axes[i, j]
            for g in res.regime.values:
                ax.plot(years, res[v].sel(regime=g, region=r).values, label=str(g), lw=1.2)
            if v == "inflation":
                ax.axhline(float(res.inflation_target.sel(region=r).isel(regime=0)), color="k", lw=0.6, ls="--")
            elif v == "policy_rate":
                ax.axhline(float(res.lower_bound.sel(region=r).isel(regime=0)), color="k", lw=0.6, ls=":")
            else:
                ax.axhline(0, color="grey", lw=0.5)
            ax.set_title(f"{r}: {title}", fontsize=9)
    axes[0, 0].legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("year")
    fig.suptitle(f"{res.attrs.get('scenario', '')} {res.attrs.get('variant', '')}: monetary regimes "
                 "(dashed: target; dotted: lower bound)", fontsize=10)
    fig.tight_layout()
    from .._io import atomic_path
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)
    return path


def plot_frontier(front: xr.Dataset, path):
    """Discounted squared unemployment gaps against squared inflation gaps, by rule."""
    from ..policy import frontier_plot
    curves = {r: (front.rule_phi_u.values, front.loss_unemployment.sel(region=r).values,
                  front.loss_inflation.sel(region=r).values) for r in front.region.values}
    return frontier_plot(curves, "sum beta^t u_gap^2 (pp^2)", "sum beta^t pi_gap^2 (pp^2)",
                         f"{front.attrs.get('scenario', '')}: rules by response to the unemployment gap\n"
                         "(labels: phi_u; phi_pi = 1.5)", path)


def run_experiment(spec: dict, base_dir, ds, years=None, variant=None, out=".", log=print) -> dict:
    """The ``[dynamic]`` table of a policy file: each scenario (a list of scenario files,
    combined) under each regime set, the no-shock reference and the rule frontier; writes
    netCDF, PNG and returns {scenario: summary}."""
    from pathlib import Path
    from .. import calibrate
    from ..results import save
    from ..scenario import Scenario
    dyn = spec.get("dynamic")
    if not dyn:
        raise DynamicsError("the policy file has no [dynamic] table")
    first, last = years or dyn.get("years", (2025, 2035))
    data_year = int(ds.attrs.get("year", 2011))
    if not data_year < first <= last:
        raise DynamicsError(f"years {first}:{last}: the first year must be after the data year "
                            f"{data_year} and not after the last")
    regions = dyn.get("regions", ["USA", "EU", "JPN"])
    anchor = dyn.get("anchor", "USA")
    known = set(map(str, ds["region"].values))
    if set(regions) - known or anchor not in known:
        raise DynamicsError(f"unknown region(s) {sorted(set(regions + [anchor]) - known)}; known {sorted(known)}")
    sets = regime_sets(dyn["regimes"], regions, anchor, dyn.get("others", "flexible_it"),
                       dyn.get("anchor_under_peg", "strict_it"))
    for name, one in sets.items():
        try:
            resolve_regimes(one, sorted(known), anchor)
        except DynamicsError as err:
            raise DynamicsError(f"regime {name!r}: {err}") from None
    scen_specs = dyn["scenarios"]
    if not scen_specs:
        raise DynamicsError("[dynamic.scenarios] is empty")
    scens = {}
    for name, files in scen_specs.items():
        files = [files] if isinstance(files, str) else list(files)
        parts = [Scenario.from_toml(Path(base_dir) / f, variant=variant or dyn.get("variant")) for f in files]
        scens[name] = combine(parts, name)
    settings = Settings(**dyn.get("settings", {}))
    areas = dyn.get("areas")
    periods = Periods(data_year, last)
    projections = None                     # the shipped projections (default dataset)
    if dyn.get("projections") == "constant":   # uniform drivers, no growth (other datasets)
        from .projections import Projections
        projections = Projections.constant(sorted(known), data_year, last)
    elif dyn.get("projections") not in (None, "default"):
        raise DynamicsError(f"projections must be 'default' or 'constant', got {dyn['projections']!r}")
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    stem0 = spec.get("name", "inflation_targeting")
    cache, results = {}, {}
    for name, scen in scens.items():
        key = tuple(sorted(scen.calibration_options().items()))
        if key not in cache:
            params = calibrate(ds, **scen.calibration_options())
            base = DynamicModel(params, projections, periods, natural_closure()).baseline()
            ref = None
            if dyn.get("reference", True):
                none = Scenario("no_shock", [], groups=scen.groups)
                ref = monetary_paths(params, none, sets, first, periods, areas, settings, projections,
                                     anchor=anchor, natural=base, baseline=base)
                ref.attrs["scenario"] = "no_shock"
                save(ref, outdir / f"{stem0}_no_shock_dynamic.nc")
                plot_monetary(ref, outdir / f"{stem0}_no_shock_dynamic.png", regions)
                ref_summ = summary(ref, regions)
                log(summary_table(ref_summ, f"\n== no shock (start values only), {first}-{last}"))
                log(sources_table(ref_summ, "CPI inflation by source, mean over the years (pp per year): "
                                            "imported consumer goods + imported intermediates + domestic value added"))
            cache[key] = (params, base, ref)
        params, base, ref = cache[key]
        _, natural = natural_path(params, scen, periods, projections, baseline=base)
        res = monetary_paths(params, scen, sets, first, periods, areas, settings, projections,
                             anchor=anchor, natural=natural, baseline=base)
        res.attrs.update({"scenario": name, "variant": scen.variant})
        stem = f"{stem0}_{name}_{scen.variant}_dynamic" if scen.variant else f"{stem0}_{name}_dynamic"
        summ = summary(res, regions)
        if ref is not None:
            for v in ("unemployment_gap", "inflation_gap", "output_gap", "inflation_import",
                      "inflation_imported_intermediates", "inflation_domestic_value_added"):
                d = (res[v] - ref[v]).sel(region=regions).mean("year")
                summ[f"{v}_shock"] = d
                summ[f"{v}_shock"].attrs = {"long_name": f"mean {v} minus the no-shock run's (the "
                                                         "shock's contribution)",
                                            "units": res[v].attrs.get("units", "")}
        save(res, outdir / f"{stem}.nc")
        save(summ, outdir / f"{stem}_summary.nc")
        plot_monetary(res, outdir / f"{stem}.png", regions)
        log(summary_table(summ, f"\n== {name} ({scen.variant}), {first}-{last}; gaps against the natural path"))
        log(sources_table(summ, "CPI inflation by source, mean over the years (pp per year): "
                                "imported consumer goods + imported intermediates + domestic value added"))
        if ref is not None:
            log("the shock's contribution (minus the no-shock run), mean over the years:\n"
                + f"{'regime':<14} {'region':<6} {'infl. pp/yr':>12} {'u gap pp':>10} {'y gap %':>10} "
                f"{'of it: imported goods':>22} {'imp. intermed.':>15} {'domestic VA':>12}")
            for g in summ.regime.values:
                for r in regions:
                    s = summ.sel(regime=g, region=r)
                    log(f"{str(g):<14} {r:<6} {float(s.inflation_gap_shock):>12.4f} "
                        f"{float(s.unemployment_gap_shock):>10.4f} {float(s.output_gap_shock):>10.4f} "
                        f"{float(s.inflation_import_shock):>22.4f} "
                        f"{float(s.inflation_imported_intermediates_shock):>15.4f} "
                        f"{float(s.inflation_domestic_value_added_shock):>12.4f}")
        phis = dyn.get("frontier_phi_u")
        if phis:
            front = rule_frontier(params, scen, regions, first, periods, phis, others=dyn.get("others", "flexible_it"),
                                  natural=natural, baseline=base, areas=areas, settings=settings,
                                  projections=projections, anchor=anchor)
            front.attrs.update({"scenario": name, "variant": scen.variant})
            save(front, outdir / f"{stem}_frontier.nc")
            plot_frontier(front.sel(region=regions), outdir / f"{stem}_frontier.png")
        log(f"written: {stem}.nc, {stem}_summary.nc, {stem}.png" + (f", {stem}_frontier.nc/.png" if phis else "")
            + f" in {outdir}")
        results[name] = summ
    return results
