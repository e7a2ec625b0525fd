"""The dynamic nominal block's equations, the currency areas' parameters and the regimes.

The static model stays unaware of time: ``build`` adds these equations to it before it is
compiled, and the path (cgetrade/dynamics/monetary.py) sets their lagged values as mutable
parameters year by year (docs/monetary.md, "The dynamic monetary block"). Rates are
fractions per year, inflation rates log changes; nominal values of the model are in
"deflated dollars" (the anchor currency divided by its target price path (1 + pi*_A)^t), so
the anchor's CPI is constant on target and every measured inflation rate adds back the
trend tau = pi*_A. ``_lag`` = value of year t-1 (local currency, deflated units).

Per region r (labour types h, sectors j, commodity groups g):

    inflation           pi_t = ln(e_t P_H,t) - ln CPI_lag + tau
    expectations        pi^e_t = chi pi* + (1 - chi) pi_(t-1)                      (a parameter)
    wage Phillips curve ln(e W_h,t) - ln W_lag + tau = pi^e_t + g_h,t - phi_w U^n ln(U_h,t / U^n_h,t)
                        (slope phi_w at the natural rate; convex, so U > 0)
    price setting       zeta_g ln mu_j,t = (1 - zeta_g)[ln P_Y,lag + pi^e_t - tau - ln(e P_Y,j,t)]
                        i.e. ln(e P_Y) = zeta_g ln(e F) + (1 - zeta_g)(ln P_Y,lag + pi^e - tau):
                        the producer price closes a share zeta_g of the gap between the
                        cost-based price F = P_Y / mu and last year's price indexed by expected
                        inflation; the markup mu moves (zero profit: (1 - t_o) P_Y A =
                        (1 - m)(1 - t_o0) C mu; the markup's profit goes to capital income)
    import prices       P_MS[i,s,r] -> P_MS omega_g(i),r (every source), with
                        ln omega_g = (1 - beta_g){d [pi*_A - Dln P$_g] + (1 - d)[pi^e - Dln B_g]}
                        B_g = e sum_(i in g) w_i P_M,i / omega_g (border price index of the group,
                        local currency), P$_g = B_g / e, D = true log change on year t-1
    policy rule         i^T = rho i_lag + (1 - rho)[r* + pi* + phi_pi (pi - pi*) - phi_u (u - u^n)]
      NGDP targeting    i^T = rho i_lag + (1 - rho)[r* + pi* + phi_n gap_ngdp]
                        gap_ngdp = ln(e INC / NGDP^n) (level) | Dln(e INC) - Dln NGDP^n (growth)
      money             ln M_t = ln CPI_t + kappa_y ln(e INC_t / CPI_t) - eta i_t   (money demand)
                        M_t = M^n_t (money supply on the natural path's money demand at target
                        inflation and the neutral rate), so the rate clears the money market:
                        i^T = r* + pi* + [(1 - kappa_y) ln(CPI/CPI^n) + kappa_y ln(e INC/NGDP^n)] / eta
                        (velocity V = e INC / M rises with i; no smoothing)
    lower bound         i = ELB + (z + sqrt(z^2 + 4 mu^2)) / 2,  z = i^T - ELB
    peg                 e_r = e_bar e_s  (instead of a rule; credible: expected depreciation 0)
    UIP                 i_r - i_A = theta (ln e^n_r,t - ln e_r,t) + pi*_r - pi*_A + rho_r,
                        rho_r = r*_r - r*_A (at the natural rates e = e^n; pegs: i_r = i_s +
                        rho_r - rho_s)
    investment          I_t = I^n_t [1 - eps_I (i_t - pi^e_t - r*)] + a_K (K^n_t - K_t)
    consumption         E_hh = E^0_hh (1 - c_t),  c_t = sigma_c (i_t - pi^e_t - r*) + d_t
                        (Euler equation with next year's consumption expected on the natural
                        path: ln C_t - ln C^n_t = -sigma_c (r_t - r*); d_t a demand shock, the
                        share of consumption spending saved instead); saving S += E^0_hh c_t
    foreign saving      FS_r = fsav_r + dFS_r: saving + foreign saving buys I_t; sum_r dFS_r = 0

The natural path (superscript n) is the same scenario with flexible wages and prices (the
static savings-driven closure, unemployment at its benchmark rate); every gap is measured
against it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pyomo.environ as pyo

from ..errors import MonetaryError
from .projections import DynamicsError


class NominalError(MonetaryError, DynamicsError):
    """A regime, rule, currency-area parameter or setting of the dynamic nominal block is
    invalid (refused before any model is built)."""


# -- commodity groups -----------------------------------------------------------------------
#: groups for price setting and import pass-through
GROUPS = ("energy", "consumer", "intermediate", "services")
#: the default dataset's sectors (cgetrade/data/default/labels.toml): ENE (mining, refined
#: petroleum, electricity, gas) is energy; AGR and LMF (food, textiles, other manufacturing)
#: are consumer goods (37-52 % of their absorption is household demand in the EU, USA, JPN);
#: CHM (chemicals, metals), MAC (machinery, transport equipment) and ELE (electronics,
#: electrical machinery) are intermediate and capital goods (household demand 6-25 % of
#: absorption); TTS and SRV are services
SECTOR_GROUPS = {"AGR": "consumer", "ENE": "energy", "LMF": "consumer", "CHM": "intermediate",
                 "MAC": "intermediate", "ELE": "intermediate", "TTS": "services", "SRV": "services"}


def commodity_groups(params, overrides: dict | None = None) -> dict:
    """Group of every commodity: SECTOR_GROUPS, ``overrides`` ({commodity: group}), and for
    other labels the data: "consumer" where households buy at least 35 % of the commodity's
    absorption summed over regions, else "intermediate"."""
    out = {}
    overrides = dict(overrides or {})
    bad = {k: v for k, v in overrides.items() if v not in GROUPS}
    if bad:
        raise NominalError(f"commodity groups must be one of {GROUPS}, got {bad}")
    unknown = sorted(set(overrides) - set(params.sectors))
    if unknown:
        raise NominalError(f"commodity groups for unknown commodities {unknown}; known: {params.sectors}")
    use = np.asarray(params["use_dom"] + params["use_imp"], dtype=float)      # (i, sectors + final, r)
    k_hh = (len(params.sectors) + params.final_agents.index("household")
            if "household" in params.final_agents else None)
    for n, i in enumerate(params.sectors):
        if i in overrides:
            out[i] = overrides[i]
        elif i in SECTOR_GROUPS:
            out[i] = SECTOR_GROUPS[i]
        else:
            total = use[n].sum()
            hh = use[n, k_hh].sum() if k_hh is not None else 0.0
            out[i] = "consumer" if total > 0 and hh / total >= 0.35 else "intermediate"
    return out


# -- currency areas -------------------------------------------------------------------------
#: within-year pass-through beta_g of border import prices to local import prices, by area
#: and group (sources: docs/monetary.md, "Parameters of the dynamic block")
PASS_THROUGH = {
    "USA": {"energy": 0.9, "intermediate": 0.5, "consumer": 0.3, "services": 0.3},
    "EU": {"energy": 0.9, "intermediate": 0.6, "consumer": 0.4, "services": 0.3},
    "JPN": {"energy": 0.9, "intermediate": 0.7, "consumer": 0.5, "services": 0.3},
}
DEFAULT_PASS_THROUGH = {"energy": 0.9, "intermediate": 0.6, "consumer": 0.4, "services": 0.3}
#: share zeta_g of the gap to the cost-based price closed within the year, by area and group:
#: the share of prices changed at least once in twelve months, 1 - (1 - f)^12, from monthly
#: frequencies f of price changes (docs/monetary.md)
PRICE_ADJUSTMENT = {
    "USA": {"energy": 1.0, "intermediate": 0.85, "consumer": 0.75, "services": 0.55},
    "EU": {"energy": 1.0, "intermediate": 0.85, "consumer": 0.7, "services": 0.5},
    "JPN": {"energy": 1.0, "intermediate": 0.8, "consumer": 0.6, "services": 0.4},
}
DEFAULT_PRICE_ADJUSTMENT = {"energy": 1.0, "intermediate": 0.85, "consumer": 0.7, "services": 0.5}


@dataclass(frozen=True)
class Area:
    """Monetary, wage- and price-setting parameters of one currency area (fractions per
    year). ``pass_through`` and ``price_adjustment`` are one number for every commodity
    group or a table {group: value} (missing groups: the defaults)."""
    inflation_target: float = 0.02
    neutral_rate: float = 0.005       # natural real rate r*
    elb: float = 0.0                  # effective lower bound of the policy rate
    start_rate: float = 0.025         # policy rate in force at the start (i_(t0-1))
    start_inflation: float = 0.02     # inflation of the year before the start (pi_(t0-1))
    phillips_slope: float = 0.3       # phi_w: pp of wage inflation per pp of unemployment gap
    anchoring: float = 0.7            # chi: weight of the target in expectations
    pass_through: object = field(default_factory=lambda: dict(DEFAULT_PASS_THROUGH))
    dollar_invoicing: float = 0.5     # d: share of imports invoiced in the anchor currency
    price_adjustment: object = field(default_factory=lambda: dict(DEFAULT_PRICE_ADJUSTMENT))

    def beta(self, group: str) -> float:
        """beta_g: within-year pass-through of border import prices of group g."""
        return _by_group(self.pass_through, DEFAULT_PASS_THROUGH, group)

    def zeta(self, group: str) -> float:
        """zeta_g: share of the gap to the cost-based producer price closed within the year."""
        return _by_group(self.price_adjustment, DEFAULT_PRICE_ADJUSTMENT, group)


def _by_group(value, default, group) -> float:
    if isinstance(value, dict):
        return float(value.get(group, default[group]))
    return float(value)


#: currency areas, 2025 start (sources in docs/monetary.md, "Parameters of the dynamic block")
AREAS = {
    "USA": Area(inflation_target=0.02, neutral_rate=0.0075, elb=0.00125, start_rate=0.04375,
                start_inflation=0.029, phillips_slope=0.4, anchoring=0.8, dollar_invoicing=0.93,
                pass_through=PASS_THROUGH["USA"], price_adjustment=PRICE_ADJUSTMENT["USA"]),
    "EU": Area(inflation_target=0.02, neutral_rate=0.0025, elb=-0.005, start_rate=0.03,
               start_inflation=0.024, phillips_slope=0.3, anchoring=0.7, dollar_invoicing=0.4,
               pass_through=PASS_THROUGH["EU"], price_adjustment=PRICE_ADJUSTMENT["EU"]),
    "JPN": Area(inflation_target=0.02, neutral_rate=-0.0025, elb=-0.001, start_rate=0.0025,
                start_inflation=0.027, phillips_slope=0.2, anchoring=0.4, dollar_invoicing=0.7,
                pass_through=PASS_THROUGH["JPN"], price_adjustment=PRICE_ADJUSTMENT["JPN"]),
    "CHN": Area(inflation_target=0.02, neutral_rate=0.01, elb=0.0, start_rate=0.015,
                start_inflation=0.002, phillips_slope=0.3, anchoring=0.5, dollar_invoicing=0.8),
    "EAS": Area(inflation_target=0.02, neutral_rate=0.005, elb=0.0, start_rate=0.03,
                start_inflation=0.023, phillips_slope=0.3, anchoring=0.7, dollar_invoicing=0.8),
    "ROW": Area(inflation_target=0.03, neutral_rate=0.01, elb=0.0, start_rate=0.05,
                start_inflation=0.04, phillips_slope=0.3, anchoring=0.5),
}

#: admissible ranges of the area parameters (fractions per year): (low, high), both included
AREA_RANGES = {"inflation_target": (-0.02, 0.10), "neutral_rate": (-0.05, 0.10), "elb": (-0.05, 0.05),
               "start_rate": (-0.05, 0.50), "start_inflation": (-0.20, 0.50), "phillips_slope": (0.0, 5.0),
               "anchoring": (0.0, 1.0), "dollar_invoicing": (0.0, 1.0)}


@dataclass(frozen=True)
class Settings:
    """Parameters common to all areas."""
    theta: float = 0.2                  # regressive exchange-rate expectations (per year)
    investment_semi_elasticity: float = 2.5   # eps_I: % of investment per pp of real rate
    capital_adjustment: float = 0.3     # a_K: share of the capital gap closed per year
    consumption_semi_elasticity: float = 0.4  # sigma_c: % of consumption per pp of real rate
    money_income_elasticity: float = 0.5      # kappa_y of money demand
    money_semi_elasticity: float = 5.0        # eta: log points of money demand per unit of i
    smoothing: float = 0.4              # rho: weight of last year's rate in the rule
    mu: float = 1e-4                    # smoothing of the lower bound (0.01 pp)
    beta: float = 0.97                  # discount factor of the loss
    band: float = 0.01                  # target missed: |pi - pi*| > band
    loss_lambdas: tuple = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)

    RANGES = {"theta": (0.0, 2.0), "investment_semi_elasticity": (0.0, 20.0), "capital_adjustment": (0.0, 1.0),
              "consumption_semi_elasticity": (0.0, 5.0), "money_income_elasticity": (0.0, 2.0),
              "band": (0.0, 0.2)}

    def check(self):
        """Clear errors for values outside their admissible range."""
        if not 0 < self.mu <= 1e-2:
            raise NominalError(f"the lower-bound smoothing mu must be in (0, 0.01], got {self.mu}")
        if not 0 <= self.smoothing < 1:
            raise NominalError(f"rate smoothing must be in [0, 1), got {self.smoothing}")
        if not 0 < self.beta <= 1:
            raise NominalError(f"discount factor beta must be in (0, 1], got {self.beta}")
        if not 0 < self.money_semi_elasticity <= 100:
            raise NominalError(f"money_semi_elasticity eta must be in (0, 100], got {self.money_semi_elasticity}")
        for k, (lo, hi) in self.RANGES.items():
            v = getattr(self, k)
            if not (isinstance(v, (int, float)) and lo <= v <= hi):
                raise NominalError(f"{k} must be in [{lo:g}, {hi:g}], got {v!r}")
        if not self.loss_lambdas or any(x < 0 for x in self.loss_lambdas):
            raise NominalError(f"loss_lambdas must be weights >= 0, got {self.loss_lambdas!r}")


def settings_from(table: dict | None) -> Settings:
    """Settings from a ``[dynamic.settings]`` table (unknown keys: a clear error)."""
    table = dict(table or {})
    known = [f.name for f in fields(Settings)]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise NominalError(f"unknown setting(s) {unknown}; known: {', '.join(known)}")
    if "loss_lambdas" in table:
        table["loss_lambdas"] = tuple(table["loss_lambdas"])
    out = Settings(**table)
    out.check()
    return out


#: named dynamic regimes: strict inflation targeting responds to inflation only (Taylor 1993
#: inflation coefficient 1.5); flexible inflation targeting adds the unemployment gap with
#: the Taylor (1993) output-gap coefficient 0.5 times an Okun coefficient of 2; money: a
#: money supply on its natural path with money demand clearing the market
REGIMES = {
    "strict_it": ("rule", 1.5, 0.0),
    "flexible_it": ("rule", 1.5, 1.0),
    "peg": ("peg", None),
    "ngdp_level": ("ngdp", "level", 1.5),
    "ngdp_growth": ("ngdp", "growth", 1.5),
    "money": ("money",),
}
STATIC_ONLY = ("cpi",)
#: rule coefficients admitted (a response above 10 per pp is outside any estimated rule)
MAX_RESPONSE = 10.0


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
        try:
            phi_pi, phi_u = map(float, spec[1:])
        except (TypeError, ValueError):
            raise NominalError(f"rule coefficients must be numbers, got {spec!r}") from None
        if not (0 <= phi_pi <= MAX_RESPONSE and 0 <= phi_u <= MAX_RESPONSE):
            raise NominalError(f"rule coefficients must be in [0, {MAX_RESPONSE:g}], got {spec!r}")
        return ("rule", phi_pi, phi_u)
    if kind == "peg":
        return ("peg", spec[1] if len(spec) > 1 else None)
    if kind in ("ngdp_level", "ngdp_growth"):
        try:
            phi = float(spec[1]) if len(spec) > 1 else REGIMES[kind][2]
        except (TypeError, ValueError):
            raise NominalError(f"{kind}: the response to the NGDP gap must be a number, got {spec[1]!r}") from None
        if not 0 < phi <= MAX_RESPONSE:
            raise NominalError(f"{kind}: the response to the NGDP gap must be in (0, {MAX_RESPONSE:g}], got {phi}")
        return ("ngdp", kind.split("_")[1], phi)
    if kind in REGIMES:
        if len(spec) > 1:
            raise NominalError(f"regime {kind!r} takes no arguments; use ('rule', phi_pi, phi_u)")
        return REGIMES[kind]
    raise NominalError(f"unknown dynamic monetary regime {kind!r}; known: {', '.join(REGIMES)}, 'rule'")


def resolve_regimes(regimes: dict, regions, anchor: str) -> dict:
    """Regime of every region ({'*': default}); pegs get their target; clear errors (a peg
    by the anchor, to itself, to an unknown region or to a currency that is pegged itself)."""
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
            raise NominalError(f"peg chain: {r} pegs to {spec[1]}, which pegs itself (to "
                               f"{out[spec[1]][1]}); peg to the currency {spec[1]} pegs to")
    return out


def areas_for(regions, overrides: dict | None = None) -> dict:
    """Area parameters by region: AREAS (generic Area() for other regions) with overrides
    ({region: {field: value}} or {region: Area}); every value checked against its range."""
    out = {r: AREAS.get(r, Area()) for r in regions}
    names = [f.name for f in fields(Area)]
    for r, v in (overrides or {}).items():
        if r not in out:
            raise NominalError(f"area parameters for unknown region {r!r}; known: {list(regions)}")
        if not isinstance(v, Area):
            bad = sorted(set(v) - set(names))
            if bad:
                raise NominalError(f"{r}: unknown area parameter(s) {bad}; known: {', '.join(names)}")
        out[r] = v if isinstance(v, Area) else replace(out[r], **v)
    for r, a in out.items():
        for k, (lo, hi) in AREA_RANGES.items():
            x = getattr(a, k)
            if not (isinstance(x, (int, float)) and math.isfinite(x) and lo <= x <= hi):
                raise NominalError(f"{r}: {k} must be in [{lo:g}, {hi:g}], got {x!r}")
        if a.start_rate < a.elb:
            raise NominalError(f"{r}: the start rate {a.start_rate:g} is below the lower bound {a.elb:g}")
        for k in ("pass_through", "price_adjustment"):
            v = getattr(a, k)
            table = v if isinstance(v, dict) else {"every group": v}
            bad = sorted(set(table) - set(GROUPS) - {"every group"})
            if bad:
                raise NominalError(f"{r}: {k} for unknown commodity group(s) {bad}; groups: {GROUPS}")
            for g, x in table.items():
                if not (isinstance(x, (int, float)) and 0 <= x <= 1):
                    raise NominalError(f"{r}: {k} ({g}) must be in [0, 1], got {x!r}")
    return out


# -- the equations ----------------------------------------------------------------------------
def _param(m, name, index, init, doc):
    comp = pyo.Param(*index, mutable=True, initialize=init, doc=doc)
    setattr(m, name, comp)
    return comp


def add_parameters(m, areas, settings, anchor):
    """The block's mutable parameters (targets, rates, lags and natural-path values)."""
    R, L = list(m.R), list(m.L)
    a, s = areas, settings
    _param(m, "pi_star", [m.R], {r: a[r].inflation_target for r in R}, "inflation target pi*")
    _param(m, "r_star", [m.R], {r: a[r].neutral_rate for r in R}, "natural real rate r*")
    _param(m, "elb", [m.R], {r: a[r].elb for r in R}, "effective lower bound of the policy rate")
    _param(m, "phi_w", [m.R], {r: a[r].phillips_slope for r in R}, "wage Phillips-curve slope")
    _param(m, "pi_e", [m.R], {r: a[r].inflation_target for r in R}, "expected inflation pi^e_t")
    _param(m, "cpi_lag", [m.R], 1.0, "local CPI of year t-1 (deflated units)")
    _param(m, "w_lag", [m.L, m.R], 1.0, "local wage of year t-1 (deflated units)")
    _param(m, "g_w", [m.L, m.R], 0.0, "trend real-wage growth g_t (log; baseline)")
    _param(m, "u_nat", [m.L, m.R], {(h, r): pyo.value(m.u0[h, r]) for h in L for r in R},
           "natural unemployment rate U^n_t")
    _param(m, "ur_nat", [m.R], {r: pyo.value(m.ur0[r]) for r in R}, "natural regional unemployment rate")
    _param(m, "i_lag", [m.R], {r: a[r].start_rate for r in R}, "policy rate of year t-1")
    _param(m, "e_nat", [m.R], 1.0, "natural-path exchange rate e^n_t")
    _param(m, "risk", [m.R], {r: a[r].neutral_rate - a[anchor].neutral_rate for r in R},
           "premium rho_r in UIP: the natural real-rate differential r*_r - r*_A")
    _param(m, "inv_nat", [m.R], 1.0, "natural-path real investment I^n_t")
    _param(m, "inv_gap", [m.R], 0.0, "capital-gap term a_K (K^n_t - K_t)")
    _param(m, "ngdp_lag", [m.R], 1.0, "local nominal income of year t-1 (deflated units)")
    _param(m, "ngdp_path", [m.R], 1.0, "natural-path local nominal income of year t (deflated)")
    _param(m, "ngdp_path_lag", [m.R], 1.0, "natural-path local nominal income of year t-1")
    _param(m, "cpi_path", [m.R], 1.0, "natural-path local CPI of year t (deflated; on its target path)")
    _param(m, "demand_shock", [m.R], 0.0, "demand shock d_t: share of consumption spending saved instead")
    _param(m, "trend", [], a[anchor].inflation_target, "deflation of the unit: the anchor's target pi*_A")
    _param(m, "theta", [], s.theta, "regressive exchange-rate expectations")
    _param(m, "eps_inv", [], s.investment_semi_elasticity, "investment semi-elasticity to the real rate")
    _param(m, "sigma_c", [], s.consumption_semi_elasticity, "consumption semi-elasticity to the real rate")
    _param(m, "rho_i", [], s.smoothing, "interest-rate smoothing")
    _param(m, "mu", [], s.mu, "smoothing of the lower bound")
    m.IR = pyo.Var(m.R, initialize={r: a[r].neutral_rate + a[r].inflation_target for r in R},
                   doc="policy rate i_t")


def add_inflation(m):
    """pi_t = ln(e_t P_H,t) - ln CPI_lag + tau (CPI inflation, local currency)."""
    m.PI = pyo.Expression(m.R, rule=lambda m, r: pyo.log(m.ER[r] * m.P_H["household", r] / m.cpi_lag[r])
                          + m.trend, doc="CPI inflation pi_t (log)")


def add_wage_phillips(m, flexible: bool):
    """ln(e W_h,t) - ln W_lag + tau = pi^e_t + g_h,t - phi_w U^n ln(U_h,t / U^n_h,t) (replaces
    the static wage curve; slope phi_w at U = U^n, convex as the Blanchflower-Oswald wage curve
    in logs, so unemployment stays positive); with ``flexible`` wages U = U^n instead."""
    m.wage_setting.deactivate()
    if flexible:
        for h in m.L:
            for r in m.R:
                m.U[h, r].fix(pyo.value(m.u_nat[h, r]))
        m.phillips = pyo.Constraint(m.L, m.R, rule=lambda m, h, r: pyo.Constraint.Skip)
        return
    m.phillips = pyo.Constraint(
        m.L, m.R, doc="wage Phillips curve",
        rule=lambda m, h, r: pyo.log(m.ER[r] * m.W[h, r] / m.w_lag[h, r]) + m.trend
        == m.pi_e[r] + m.g_w[h, r] - m.phi_w[r] * m.u_nat[h, r] * pyo.log(m.U[h, r] / m.u_nat[h, r]))


def add_sticky_prices(m, params, groups: dict, areas: dict):
    """Producer prices set with moving markups mu_jr (price Phillips curve in partial-adjustment
    form): zeta ln mu = (1 - zeta)(ln P_Y,lag + pi^e - tau - ln(e P_Y)), zero profit
    (1 - t_o) P_Y A = (1 - m_K - m_G)(1 - t_o0) C mu, the markup's profit
    (mu - 1)(1 - m_K - m_G)(1 - t_o0) C vom Y / A added to capital income."""
    I, R = list(m.I), list(m.R)
    to0, vom = params["to"], params["vom"]
    si, ri = {j: k for k, j in enumerate(params.sectors)}, {r: k for k, r in enumerate(params.regions)}
    m.MARKUP = pyo.Var(m.I, m.R, initialize=1.0, bounds=(1e-3, None),
                       doc="markup wedge mu_jr: producer price over the cost-based price")
    m.zeta = pyo.Param(m.I, m.R, mutable=True, initialize={(j, r): areas[r].zeta(groups[j]) for j in I for r in R},
                       doc="share of the gap to the cost-based price closed within the year")
    m.py_lag = pyo.Param(m.I, m.R, mutable=True, initialize=1.0,
                         doc="local producer price of year t-1 (deflated units)")
    m.zero_profit.deactivate()

    def keep(j, r):
        return float(1 - to0[si[j], ri[r]])
    m.zero_profit_markup = pyo.Constraint(
        m.I, m.R, doc="zero profit with the markup: (1 - t_o) P_Y A = (1 - m_K - m_G)(1 - t_o0) C mu",
        rule=lambda m, j, r: (1 - m.to[j, r]) * m.PY[j, r] * m.tfp[j, r]
        == (1 - m.margin[j, r] - m.margin_state[j, r]) * keep(j, r) * m.C[j, r] * m.MARKUP[j, r])
    for j in I:
        for r in R:
            profit = ((m.MARKUP[j, r] - 1) * (1 - m.margin[j, r] - m.margin_state[j, r]) * keep(j, r)
                      * m.C[j, r] * float(vom[si[j], ri[r]]) * m.Y[j, r] / m.tfp[j, r])
            m.LOSS_K[j, r].set_value(m.LOSS_K[j, r].expr - profit)
    m.price_setting = pyo.Constraint(
        m.I, m.R, doc="price setting: zeta ln mu = (1 - zeta)(ln P_Y,lag + pi^e - tau - ln(e P_Y))",
        rule=lambda m, j, r: m.zeta[j, r] * pyo.log(m.MARKUP[j, r])
        == (1 - m.zeta[j, r]) * (pyo.log(m.py_lag[j, r] / (m.ER[r] * m.PY[j, r])) + m.pi_e[r] - m.trend))


def import_weights(params, groups: dict, m) -> dict:
    """{(g, r): {i: w_i}}: benchmark import values of the group's commodities, normalised."""
    vim = params["use_imp"].sum(1)                              # (i, r)
    out = {}
    for k, r in enumerate(params.regions):
        for g in GROUPS:
            cells = {i: float(vim[params.sectors.index(i), k]) for i in m.I
                     if groups[i] == g and (i, r) in m.IM}
            tot = sum(cells.values())
            if tot > 0:
                out[g, r] = {i: v / tot for i, v in cells.items() if v > 0}
    return out


def add_pass_through(m, params, groups: dict, areas: dict, anchor: str):
    """Import-price wedges omega_gr by commodity group: within-year pass-through beta_g of the
    group's border price, a share d of imports invoiced in the anchor currency (dominant-
    currency pricing: the exchange rate passes through at once, the dollar price with delay);
    the wedge's value, (omega - 1)/omega of spending on imports, is importers' rent (counted
    with tariff revenue)."""
    R = list(m.R)
    vim = params["use_imp"].sum(1)
    w = import_weights(params, groups, m)
    m.PTG = pyo.Set(dimen=2, ordered=True, initialize=sorted(w, key=lambda x: (R.index(x[1]), GROUPS.index(x[0]))),
                    doc="(group, region) with imports")
    m.OMEGA = pyo.Var(m.PTG, initialize=1.0, bounds=(1e-3, None),
                      doc="import-price wedge omega_gr (local import prices / border prices)")
    m.beta_pt = pyo.Param(m.PTG, mutable=True, initialize={(g, r): areas[r].beta(g) for g, r in w},
                          doc="within-year pass-through of border import prices")
    m.dollar = pyo.Param(m.R, mutable=True, initialize={r: areas[r].dollar_invoicing for r in R},
                         doc="share of imports invoiced in the anchor currency")
    m.border_lag = pyo.Param(m.PTG, mutable=True, initialize=1.0,
                             doc="border import price index of year t-1 (local, deflated)")
    m.dollar_lag = pyo.Param(m.PTG, mutable=True, initialize=1.0,
                             doc="border import price index of year t-1 (anchor currency, deflated)")
    m.BORDER = pyo.Expression(m.PTG, doc="border import price index B_g (anchor currency, deflated)",
                              rule=lambda m, g, r: sum(x * m.PM[i, r] for i, x in w[g, r].items()) / m.OMEGA[g, r])

    def wedge_of(i, r):
        return m.OMEGA[groups[i], r] if (groups[i], r) in w else 1.0
    for (i, s, r) in m.BT:
        m.P_MS[i, s, r].set_value(m.P_MS[i, s, r].expr * wedge_of(i, r))
    for (i, r) in m.MW:
        m.P_MW[i, r].set_value(m.P_MW[i, r].expr * wedge_of(i, r))
    for (i, r) in m.IM:
        if (groups[i], r) not in w:
            continue
        om = m.OMEGA[groups[i], r]
        m0 = float(vim[params.sectors.index(i), params.regions.index(r)])
        rent = (om - 1) / om * m.PM[i, r] * m.M[i, r] * m0
        m.TARIFF_REVENUE[i, r].set_value(m.TARIFF_REVENUE[i, r].expr + rent)

    def wedge(m, g, r):
        d_dollar = pyo.log(m.BORDER[g, r] / m.dollar_lag[g, r]) + m.trend
        d_local = pyo.log(m.ER[r] * m.BORDER[g, r] / m.border_lag[g, r]) + m.trend
        return pyo.log(m.OMEGA[g, r]) == (1 - m.beta_pt[g, r]) * (
            m.dollar[r] * (m.pi_star[anchor] - d_dollar) + (1 - m.dollar[r]) * (m.pi_e[r] - d_local))
    m.pass_through = pyo.Constraint(m.PTG, rule=wedge, doc="import-price pass-through by commodity group")


def rule_target(m, spec, r, kappa_y: float, eta: float):
    """The rate the regime prescribes before the lower bound, i^T_t."""
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
    elif spec[0] == "money":
        cpi = m.ER[r] * m.P_H["household", r]
        return (m.r_star[r] + m.pi_star[r] + ((1 - kappa_y) * pyo.log(cpi / m.cpi_path[r])
                                              + kappa_y * pyo.log(m.ER[r] * m.INC[r] / m.ngdp_path[r])) / eta)
    else:
        return m.IR[r]
    return m.rho_i * m.i_lag[r] + (1 - m.rho_i) * x


def add_policy(m, regimes: dict, settings: Settings):
    """Policy rules with the smoothed lower bound i = ELB + (z + sqrt(z^2 + 4 mu^2))/2,
    z = i^T - ELB (Chen-Harker-Kanzow-Smale smoothing of max(ELB, i^T)), or the peg
    e_r = e_bar e_s."""
    m.regime.deactivate()
    k, eta = settings.money_income_elasticity, settings.money_semi_elasticity
    m.RULE_TARGET = pyo.Expression(m.R, rule=lambda m, r: rule_target(m, regimes[r], r, k, eta),
                                   doc="rate prescribed by the regime i^T_t")
    m.policy = pyo.ConstraintList(doc="policy rule with the lower bound, or the peg")
    for r in m.R:
        spec = regimes[r]
        if spec[0] == "peg":
            m.policy.add(m.ER[r] == m.peg_rate[r] * m.ER[spec[1]])
        else:
            z = m.RULE_TARGET[r] - m.elb[r]
            m.policy.add(m.IR[r] == m.elb[r] + 0.5 * (z + pyo.sqrt(z ** 2 + 4 * m.mu ** 2)))


def add_uip(m, regimes: dict, anchor: str):
    """i_r - i_A = theta (ln e^n_r - ln e_r) + pi*_r - pi*_A + rho_r; a peg: i_r = i_s + rho_r - rho_s."""
    m.uip = pyo.ConstraintList(doc="uncovered interest parity")
    for r in m.R:
        if r == anchor:
            continue
        spec = regimes[r]
        if spec[0] == "peg":
            m.uip.add(m.IR[r] == m.IR[spec[1]] + m.risk[r] - m.risk[spec[1]])
        else:
            m.uip.add(m.IR[r] - m.IR[anchor] == m.theta * pyo.log(m.e_nat[r] / m.ER[r])
                      + m.pi_star[r] - m.pi_star[anchor] + m.risk[r])


def add_demand(m, params):
    """Investment by the real rate, I = I^n [1 - eps_I (i - pi^e - r*)] + a_K (K^n - K);
    consumption E_hh -> E_hh (1 - c), c = sigma_c (i - pi^e - r*) + d (the saving channel:
    S -> S + E_hh c); foreign saving freed, sum_r dFS_r = 0."""
    R = list(m.R)
    k = params.final_agents.index("investment")
    inv0 = {r: float(params["fd_exp"][k, i]) for i, r in enumerate(R)}
    m.investment_demand = pyo.Constraint(
        m.R, doc="investment by the real rate",
        rule=lambda m, r: m.Q_H["investment", r] == (
            m.inv_nat[r] * (1 - m.eps_inv * (m.IR[r] - m.pi_e[r] - m.r_star[r])) + m.inv_gap[r]) / inv0[r])
    m.CGAP = pyo.Expression(m.R, rule=lambda m, r: m.sigma_c * (m.IR[r] - m.pi_e[r] - m.r_star[r])
                            + m.demand_shock[r],
                            doc="share of consumption spending saved: sigma_c (i - pi^e - r*) + d")
    for r in R:
        spend = m.E["household", r].expr
        m.E["household", r].set_value(spend * (1 - m.CGAP[r]))
        m.SAV[r].set_value(m.SAV[r].expr + spend * m.CGAP[r])
    m.FSR.unfix()
    scale = sum(inv0.values())
    m.world_saving = pyo.Constraint(expr=sum(m.FSR[r] for r in R) / scale == 0,
                                    doc="changes in foreign saving sum to zero")


def build(mon, m):
    """Add the nominal block to the static model ``m`` of the MonetaryModel ``mon`` (before it
    is compiled): every equation of the module docstring."""
    if any(h in m.F_SPECIFIC for h in m.L):
        raise NominalError("the dynamic monetary block needs mobile labour")
    add_parameters(m, mon.areas, mon.settings, mon.anchor)
    add_inflation(m)
    add_wage_phillips(m, mon.flexible_wages)
    add_sticky_prices(m, mon.params, mon.groups, mon.areas)
    add_pass_through(m, mon.params, mon.groups, mon.areas, mon.anchor)
    add_policy(m, mon.regimes, mon.settings)
    add_uip(m, mon.regimes, mon.anchor)
    add_demand(m, mon.params)
