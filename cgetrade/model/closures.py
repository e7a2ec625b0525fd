"""Closures: numeraire, the market dropped by Walras' law, factor mobility.

The model is homogeneous of degree zero in prices; one price (or price index) is fixed by the
numeraire equation and one market-clearing condition is dropped (it holds by Walras' law and
is checked after every solve).

With a nominal side (``Closure.monetary``) the anchor region's monetary regime replaces the
numeraire equation (see monetary.py).

Numeraire choices:
    ("world_price_index",)        P_W = pnum        (default)
    ("world_factor_price_index",) PFACTWLD = pnum   (GTAP's pfactwld: benchmark-payment-weighted
                                                     mean of every region's factor prices)
    ("factor", f, r)              W[f,r] = pnum
    ("cpi", r)                    P_H[household,r] = pnum
    ("price", i, r)               P_Y[i,r] = pnum
    ("exchange_rate",)            EXR = pnum (price of the rest of the world's currency)
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from ..errors import ClosureError, suggest


#: benchmark (2011) unemployment rates, approximate national statistics: China registered
#: urban rate (NBS) 4.1 %, United States 8.9 % (BLS), EU-27 9.6 % (Eurostat), Japan 4.6 %,
#: Korea 3.4 % / Taiwan 4.4 % (EAS 3.7 %); ROW 6 % is an assumption close to the ILO world rate.
UNEMPLOYMENT_2011 = {"CHN": 0.041, "USA": 0.089, "EU": 0.096, "JPN": 0.046, "EAS": 0.037, "ROW": 0.06}
DEFAULT_UNEMPLOYMENT = 0.05
LABOUR_CLOSURES = ("flexible", "real_wage", "wage_curve", "surplus_labour")
MOBILITY = ("mobile", "sluggish", "specific")
CAPITAL_CLOSURES = ("fixed", "rate_of_return")
#: GTAP's transformation elasticity of a sluggish endowment (ETRAE = -1 for land and, in
#: applications with sluggish labour, labour; Hertel 1997, Global Trade Analysis, ch. 2)
SLUGGISH_ETA = 1.0

#: Costly labour mobility (docs/model.md "Labour mobility with costs"), from published estimates.
#: Artuc, Chaudhuri and McLaren (2010, AER 100(3): 1008-1045), US CPS 1975-2000, six sectors:
#: mean moving cost C = 6.04 annual wages and a scale of the idiosyncratic moving shocks
#: nu = 1.88 annual wages, discount factor beta = 0.97.
ACM_MOVING_COST, ACM_NU, ACM_BETA = 6.04, 1.88, 0.97
#: Dix-Carneiro (2014, Econometrica 82(3): 825-885), Brazil 1995-2005: after a trade shock the
#: sectoral labour reallocation takes about 4 to 10 years. The model's annual adjustment share
#: mu closes 90 % of a gap in T90 years: (1 - mu)^T90 = 0.1. Central T90 = 6 years (range 4-10).
ADJUSTMENT_YEARS = {"fast": 4.0, "central": 6.0, "slow": 10.0}
#: the horizon of the medium-run preset, in years of the dynamic adjustment rule
MEDIUM_RUN_YEARS = 3
#: own-wage elasticity of a sector's labour demand used to map a horizon into a CET elasticity
#: (GTAP sigma_va ~ 1 with labour a minor share of a sector's costs: about 1)
LABOUR_DEMAND_ELASTICITY = 1.0


def adjustment_share(years: float) -> float:
    """Annual share mu of a sector's labour gap that closes, given the years T90 in which
    90 % of it closes: mu = 1 - 0.1^(1/T90)."""
    if not years > 0:
        raise ClosureError(f"adjustment years must be > 0, got {years}")
    return 1.0 - 0.1 ** (1.0 / years)


def destination_elasticity(mu: float, beta: float = ACM_BETA, nu: float = ACM_NU) -> float:
    """Elasticity psi of the sector shares of movers' destinations with respect to expected
    earnings, from the logit of Artuc, Chaudhuri and McLaren (2010): the choice probability is
    proportional to exp(beta V_k / nu); a log earnings gap that decays at the rate mu is worth
    V = gap / (1 - beta (1 - mu)) annual wages, so psi = beta / (nu (1 - beta (1 - mu)))."""
    return beta / (nu * (1.0 - beta * (1.0 - mu)))


def medium_run_eta(years: float = MEDIUM_RUN_YEARS, adjustment_years: float = ADJUSTMENT_YEARS["central"],
                   demand_elasticity: float = LABOUR_DEMAND_ELASTICITY) -> float:
    """CET elasticity eta of sluggish labour for a horizon of ``years``: the share of the fully
    mobile employment response reached after that many years of the dynamic rule,
    f = 1 - (1 - mu)^years, equals the CET's eta / (eta + eps_D) for a sector labour demand
    with elasticity eps_D: eta = eps_D f / (1 - f)."""
    f = 1.0 - (1.0 - adjustment_share(adjustment_years)) ** years
    return demand_elasticity * f / (1.0 - f)


MOVING_SHARE = adjustment_share(ADJUSTMENT_YEARS["central"])
MEDIUM_RUN_ETA = medium_run_eta()

#: named closures by horizon (GTAP practice; docs/model.md "Closures")
PRESETS = {
    # capital installed where it is; workers attached to their sector, each sector's real wage
    # on a sector wage curve (kappa = 1: ln(W_j / CPI) = -phi ln(U_j / U0), Blanchflower and
    # Oswald's curve in real wages, so the model stays homogeneous): displaced workers become
    # unemployed in their sector rather than re-employed at once
    "short_run": dict(mobility={"capital": "specific", "labour": "specific"}, capital="fixed",
                      labour="wage_curve", kappa=1.0),
    # capital mobile across sectors, aggregate stock fixed; labour partially mobile (CET with
    # the elasticity of MEDIUM_RUN_YEARS of the dynamic adjustment rule)
    "medium_run": dict(mobility={"labour": "sluggish"}, capital="fixed", eta=MEDIUM_RUN_ETA),
    # labour fully mobile; capital stock endogenous at a fixed real rate of return
    # (rental / price of capital goods)
    "long_run": dict(mobility={}, capital="rate_of_return"),
}
#: standard closures of other models (data-dependent: they need the data base's capital data)
STANDARD_CLOSURES = {
    # GTAP's standard closure (Corong et al. 2017): endowments fixed and fully employed, the
    # global bank allocating world saving by expected rates of return (RORDELTA = 1), numeraire
    # pfactwld. Closure.from_gtap adds the data base's sluggish endowments (ETRAE) and RORDELTA.
    "gtap7": dict(mobility={}, capital="fixed", foreign_saving_rule="global_bank",
                  investment_allocation="rate_of_return", numeraire=("world_factor_price_index",)),
}
INVESTMENT_ALLOCATIONS = ("shares", "rate_of_return")


def _per_region(value, regions, what):
    if isinstance(value, dict):
        default = value.get("*")
        unknown = set(value) - set(regions) - {"*"}
        if unknown:
            raise ClosureError(f"unknown region(s) {sorted(unknown)} in {what}"
                               f"{suggest(sorted(unknown)[0], regions)}; regions: {list(regions)}")
        missing = [r for r in regions if r not in value and default is None]
        if missing:
            raise ClosureError(f"{what} missing for region(s) {missing} (or give a '*' default)")
        return {r: value.get(r, default) for r in regions}
    return {r: value for r in regions}


def _per_factor(value, factors, what):
    """A scalar for every labour type, or a dict by labour type ("*" = default)."""
    if not isinstance(value, dict):
        return dict.fromkeys(factors, value)
    unknown = set(value) - set(factors) - {"*"}
    if unknown:
        raise ClosureError(f"unknown labour type(s) {sorted(unknown)} in {what}; known: {list(factors)}")
    missing = [h for h in factors if h not in value and "*" not in value]
    if missing:
        raise ClosureError(f"{what} missing for {missing} (or give a '*' default)")
    return {h: value.get(h, value.get("*")) for h in factors}


@dataclass(frozen=True)
class Closure:
    """Closure choices. ``labour``: "flexible" | "real_wage" | "wage_curve", or a dict by region
    ("*" = default). ``monetary``: None (no nominal side; ``numeraire`` fixes the price level)
    or a dict region -> regime ("cpi", ("flexible_it", lam), ("peg", region), "ngdp", "money");
    the ``anchor`` region's currency is the unit of account (e = 1)."""
    numeraire: tuple = ("world_price_index",)
    walras_market: tuple | None = None       # ("goods", i, r) | ("factor", f, r); None: last goods market
    sector_specific: tuple = ()              # factors immobile across sectors (short run)
    labour: object = "flexible"
    unemployment: dict | None = None         # benchmark rates; default UNEMPLOYMENT_2011
    kappa: float = 0.5                       # wage indexation to the CPI (0 = fully sticky)
    phi: float = 0.1                         # wage-curve elasticity (Blanchflower-Oswald)
    monetary: dict | None = None
    anchor: str = "USA"
    final_demand: str = "regional_household"     # | "household_government" (see demand.py)
    foreign_saving_rule: str = "fixed"           # | "global_bank" (see demand.py)
    foreign_saving: str = "world_price_index"    # unit of fixed foreign saving: | "numeraire"
                                                 # | "rest_of_world" (flexible exchange rate EXR)
    mobility: dict | None = None             # factor (or "labour" = every labour type, "*")
                                             # -> "mobile" | "sluggish" (CET) | "specific"
    eta: object = SLUGGISH_ETA               # CET elasticity of sluggish factors across sectors:
                                             # a number, or {factor: number, "*": default}
    investment_allocation: str = "shares"    # global bank: "shares" (fixed regional shares of
                                             # world investment, RORDELTA = 0) | "rate_of_return"
                                             # (expected rates of return move together, RORDELTA = 1)
    capital: str = "fixed"                   # | "rate_of_return" (long run: stock endogenous)
    supply_elasticity: dict | None = None    # region -> eps, or {factor | "labour" | "*": eps}:
                                             # factor supply S = (W / P)^eps (see factors.py)
    preset: str = ""                         # name of the preset this closure came from

    @classmethod
    def from_preset(cls, name: str, **overrides) -> "Closure":
        """A named closure by horizon: ``short_run``, ``medium_run`` or ``long_run``
        (see PRESETS), or ``gtap7`` (GTAP's standard closure, STANDARD_CLOSURES; see also
        :meth:`from_gtap`), with any field overridden, e.g. ``from_preset("long_run", labour="wage_curve")``."""
        table = {**PRESETS, **STANDARD_CLOSURES}
        if name not in table:
            raise ClosureError(f"unknown closure preset {name!r}{suggest(name, table)}"
                             + f"; known: {', '.join(table)}")
        return cls(**{**table[name], "preset": name, **overrides})

    @classmethod
    def from_gtap(cls, data, **overrides) -> "Closure":
        """GTAP's standard closure (preset ``gtap7``) with a GTAP data base's own parameters: a
        dataset from ``cgetrade.data.gtap.from_gtap`` or its Parameters. Endowments with SLUG = 1
        are sluggish with eta = |ETRAE| (sector-specific where ETRAE = 0), the others mobile;
        RORDELTA = 1 allocates world saving by rates of return, 0 in fixed shares."""
        ds = getattr(data, "dataset", data)                 # Parameters: the dataset it came from
        mobility, eta = {}, {}
        if "sluggish" in ds:
            for f, slug, et in zip(ds["factor"].values, ds["sluggish"].values, ds["etrae"].values):
                if slug:
                    mobility[str(f)] = "specific" if float(et) == 0 else "sluggish"
                    if float(et) > 0:
                        eta[str(f)] = float(et)
        rordelta = int(ds.attrs.get("rordelta", 1))
        spec = {**STANDARD_CLOSURES["gtap7"], "mobility": mobility, "preset": "gtap7",
                "investment_allocation": "rate_of_return" if rordelta else "shares"}
        if eta:
            spec["eta"] = eta
        return cls(**{**spec, **overrides})

    def factor_eta(self, factor: str) -> float:
        """CET elasticity of a sluggish factor."""
        if isinstance(self.eta, dict):
            if factor not in self.eta and "*" not in self.eta:
                return SLUGGISH_ETA
            return float(self.eta.get(factor, self.eta.get("*")))
        return float(self.eta)

    @property
    def label(self) -> str:
        """Short description of the closure for result files and tables."""
        mob = ", ".join(f"{f} {k}" for f, k in sorted((self.mobility or {}).items())) or "all factors mobile"
        if self.sector_specific:
            mob += ", sector-specific: " + ", ".join(self.sector_specific)
        lab = self.labour if isinstance(self.labour, str) else "by region " + str(self.labour)
        sup = ""
        if self.supply_elasticity:
            sup = "; factor supply elasticities " + ", ".join(
                f"{r} {v}" for r, v in sorted(self.supply_elasticity.items(), key=lambda kv: str(kv[0])))
        bank = ""
        if self.foreign_saving_rule == "global_bank":
            bank = "; global bank " + ("by rates of return" if self.investment_allocation == "rate_of_return"
                                       else "in fixed shares")
        return (f"{self.preset or 'custom'}: {mob}; capital stock {self.capital}; labour {lab}{sup}; "
                f"final demand {self.final_demand}{bank}")

    def factor_mobility(self, factors, labour_factors) -> dict:
        """Mobility of every factor: {f: "mobile" | "sluggish" | "specific"}."""
        spec = dict(self.mobility or {})
        known = set(factors) | {"labour", "*"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ClosureError(f"unknown factor(s) {unknown} in mobility; known {list(factors)} and "
                             "'labour' (every labour type), '*'")
        unknown = sorted(set(self.sector_specific) - set(factors) - {"labour"})
        if unknown:
            raise ClosureError(f"unknown factor(s) {unknown} in sector_specific; known {list(factors)}")
        out = {}
        for f in factors:
            group = "labour" if f in labour_factors else None
            kind = spec.get(f, spec.get(group, spec.get("*", "mobile")))
            if f in self.sector_specific or (group and group in self.sector_specific):
                kind = "specific"
            if kind not in MOBILITY:
                raise ClosureError(f"unknown mobility {kind!r} of {f}; known: {MOBILITY}")
            out[f] = kind
        if self.capital not in CAPITAL_CLOSURES:
            raise ClosureError(f"unknown capital closure {self.capital!r}; known: {CAPITAL_CLOSURES}")
        if self.capital == "rate_of_return" and out.get("capital") == "specific":
            raise ClosureError("capital='rate_of_return' (long run) needs capital mobile or sluggish, "
                             "not sector-specific")
        etas = self.eta if isinstance(self.eta, dict) else {"*": self.eta}
        unknown = sorted(set(etas) - set(factors) - {"*"})
        if unknown:
            raise ClosureError(f"unknown factor(s) {unknown} in eta; known {list(factors)}")
        bad = {f: v for f, v in etas.items() if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0}
        if bad:
            raise ClosureError(f"the CET elasticity eta of sluggish factors must be > 0, got {bad}")
        if self.investment_allocation not in INVESTMENT_ALLOCATIONS:
            raise ClosureError(f"unknown investment_allocation {self.investment_allocation!r}; "
                               f"known: {INVESTMENT_ALLOCATIONS}")
        return out

    def labour_closures(self, regions, labour_factors) -> dict:
        """Wage-setting closure of each labour type in each region: {(h, r): kind}. A region's
        value may be a dict by labour type (``{"labour_low": "wage_curve", "*": "flexible"}``)."""
        out = {}
        for r, v in _per_region(self.labour, regions, "labour closure").items():
            by_h = _per_factor(v, labour_factors, f"labour closure of {r}")
            for h, kind in by_h.items():
                if kind not in LABOUR_CLOSURES:
                    raise ClosureError(f"unknown labour closure {kind!r} ({h}, {r}); known: {LABOUR_CLOSURES}")
                out[(h, r)] = kind
        return out

    def supply_elasticities(self, regions, factors, labour_factors) -> dict:
        """Elasticity of each factor's supply with respect to its real price, {(f, r): eps}
        for eps > 0 only. A region's value is a number (every factor) or a dict by factor,
        "labour" (every labour type) or "*"."""
        if not self.supply_elasticity:
            return {}
        if not isinstance(self.supply_elasticity, dict):
            raise ClosureError("supply_elasticity must be a dict region -> elasticity (or a dict "
                               f"by factor), got {self.supply_elasticity!r}")
        table = {r: v for r, v in self.supply_elasticity.items()}
        table.setdefault("*", 0.0)
        known = set(factors) | {"labour", "*"}
        out = {}
        for r, v in _per_region(table, regions, "supply_elasticity").items():
            spec = v if isinstance(v, dict) else {"*": v}
            unknown = sorted(set(spec) - known)
            if unknown:
                raise ClosureError(f"unknown factor(s) {unknown} in supply_elasticity of {r}; "
                                   f"known {list(factors)}, 'labour', '*'")
            for f in factors:
                group = "labour" if f in labour_factors else None
                eps = spec.get(f, spec.get(group, spec.get("*", 0.0)))
                if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps >= 0:
                    raise ClosureError(f"supply_elasticity of {f} in {r} must be a number >= 0, got {eps!r}")
                if eps > 0:
                    out[(f, r)] = float(eps)
        return out

    def dropped_market(self, regions, sectors) -> tuple:
        return self.walras_market or ("goods", sectors[-1], regions[-1])

    def labour_closure(self, regions) -> dict:
        """One closure per region ("mixed" where labour types differ)."""
        out = {}
        for r, v in _per_region(self.labour, regions, "labour closure").items():
            kinds = set(v.values()) - {None} if isinstance(v, dict) else {v}
            bad = kinds - set(LABOUR_CLOSURES)
            if bad:
                raise ClosureError(f"unknown labour closure(s) {sorted(bad)} ({r}); known: {LABOUR_CLOSURES}")
            out[r] = kinds.pop() if len(kinds) == 1 else "mixed"
        return out

    def unemployment_rates(self, regions, labour_factors=("labour",)) -> dict:
        """Benchmark unemployment rate of each labour type: {(h, r): U0}. A region's value may
        be a dict by labour type; by default every type has the region's rate."""
        table = dict(UNEMPLOYMENT_2011, **(self.unemployment or {}))
        unknown = sorted(set(self.unemployment or {}) - set(regions))
        if unknown:
            raise ClosureError(f"unknown region(s) {unknown} in unemployment; known: {list(regions)}")
        rates = {}
        for r in regions:
            v = table.get(r, DEFAULT_UNEMPLOYMENT)
            for h, u in _per_factor(v, labour_factors, f"unemployment of {r}").items():
                rates[(h, r)] = float(u)
        if not all(0 < u < 1 for u in rates.values()):
            raise ClosureError(f"benchmark unemployment rates must be in (0, 1): {rates}")
        return rates

    def regimes(self, regions) -> dict:
        from .monetary import parse_regime
        return {r: parse_regime(v) for r, v in _per_region(self.monetary, regions, "monetary regime").items()}

    def check_labels(self, regions) -> None:
        """Refuse region labels the model does not have in the closure's mappings (before
        anything is built), with the closest known label as a suggestion."""
        for what, table in (("the unemployment rates", self.unemployment),
                            ("the labour closure", self.labour), ("the monetary regimes", self.monetary)):
            unknown = sorted(set(table) - set(regions) - {"*"}) if isinstance(table, dict) else []
            if unknown:
                raise ClosureError(f"unknown region(s) {unknown} in {what}"
                                   f"{suggest(unknown[0], regions)}; regions: {list(regions)}")
        for name, lo, hi, what in (("kappa", 0.0, 1.0, "wage indexation to the CPI"),
                                   ("phi", 0.0, None, "wage-curve elasticity")):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                    v >= lo and (hi is None or v <= hi)) or (name == "phi" and v == 0):
                rng = f"in [{lo:g}, {hi:g}]" if hi is not None else "> 0"
                raise ClosureError(f"closure {name} ({what}) must be a number {rng}, got {v!r}")


def small_open_economy(ds, elasticities=None):
    """(Closure, Elasticities) for a dataset with an exogenous rest of the world (a SAM, a
    single-country table): the first region's labour is the numeraire, foreign saving is fixed
    in the rest of the world's currency (a flexible exchange rate), and sectors without a
    finite CET elasticity get the textbook's sigma_t = 2 (with perfect transformation every
    exporter's price would be pinned to world prices, leaving more price equations than
    factors: a singular system). Datasets without an exogenous rest of the world get the
    default Closure() and the elasticities unchanged."""
    from ..calibrate import Elasticities
    from ..data.schema import rest_of_world
    el = elasticities or Elasticities.gtap_default()
    if rest_of_world(ds) is None:
        return Closure(), el
    sectors = [str(s) for s in ds.sector.values]
    if any(el.value("sigma_t", s) == float("inf") for s in sectors):
        el = el.override(sigma_t={s: 2.0 for s in sectors if el.value("sigma_t", s) == float("inf")})
    return Closure(numeraire=("factor", "labour", str(ds.region.values[0])),
                   foreign_saving="rest_of_world"), el


def numeraire_price(m, numeraire: tuple):
    kind, *rest = numeraire
    try:
        if kind == "world_price_index":
            return m.PW
        if kind == "world_factor_price_index":
            return m.PFACTWLD
        if kind == "factor":
            f, r = rest
            return m.W[f, r]
        if kind == "cpi":
            (r,) = rest
            return m.P_H["household", r]
        if kind == "price":
            i, r = rest
            return m.PY[i, r]
        if kind == "exchange_rate":
            return m.EXR[m.ROW.first()]
    except (KeyError, ValueError, IndexError) as err:
        raise ClosureError(f"invalid numeraire {numeraire!r}: {err}") from None
    raise ClosureError(f"unknown numeraire kind {kind!r}; use world_price_index, world_factor_price_index, factor, cpi, price or exchange_rate")


def market_constraint(m, market: tuple):
    kind, *rest = market
    try:
        if kind == "goods":
            return m.market_clearing[tuple(rest)]
        if kind == "factor":
            return m.factor_market[tuple(rest)]
    except KeyError:
        pass
    raise ClosureError(f"cannot drop market {market!r}: not a goods or mobile-factor market")


def apply_closure(m, closure: Closure):
    regions, sectors = list(m.R), list(m.I)
    if closure.monetary is None:
        m.numeraire = pyo.Constraint(expr=numeraire_price(m, closure.numeraire) == m.pnum,
                                     doc="numeraire")
    m.walras = market_constraint(m, closure.dropped_market(regions, sectors))
    m.walras.deactivate()
