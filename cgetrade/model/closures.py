"""Closures: numeraire, the market dropped by Walras' law, factor mobility.

The model is homogeneous of degree zero in prices; one price (or price index) is fixed by the
numeraire equation and one market-clearing condition is dropped (it holds by Walras' law and
is checked after every solve).

With a nominal side (``Closure.monetary``) the anchor region's monetary regime replaces the
numeraire equation (see monetary.py).

Numeraire choices:
    ("world_price_index",)        P_W = pnum        (default)
    ("factor", f, r)              W[f,r] = pnum
    ("cpi", r)                    P_H[household,r] = pnum
    ("price", i, r)               P_Y[i,r] = pnum
    ("exchange_rate",)            EXR = pnum (price of the rest of the world's currency)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyomo.environ as pyo

from ..errors import ClosureError, suggest


#: benchmark (2011) unemployment rates, approximate national statistics: China registered
#: urban rate (NBS) 4.1 %, United States 8.9 % (BLS), EU-27 9.6 % (Eurostat), Japan 4.6 %,
#: Korea 3.4 % / Taiwan 4.4 % (EAS 3.7 %); ROW 6 % is an assumption close to the ILO world rate.
UNEMPLOYMENT_2011 = {"CHN": 0.041, "USA": 0.089, "EU": 0.096, "JPN": 0.046, "EAS": 0.037, "ROW": 0.06}
DEFAULT_UNEMPLOYMENT = 0.05
LABOUR_CLOSURES = ("flexible", "real_wage", "wage_curve")


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

    def dropped_market(self, regions, sectors) -> tuple:
        return self.walras_market or ("goods", sectors[-1], regions[-1])

    def labour_closure(self, regions) -> dict:
        kinds = _per_region(self.labour, regions, "labour closure")
        bad = {r: k for r, k in kinds.items() if k not in LABOUR_CLOSURES}
        if bad:
            raise ValueError(f"unknown labour closure(s) {bad}; known: {LABOUR_CLOSURES}")
        return kinds

    def unemployment_rates(self, regions) -> dict:
        table = dict(UNEMPLOYMENT_2011, **(self.unemployment or {}))
        rates = {r: float(table.get(r, DEFAULT_UNEMPLOYMENT)) for r in regions}
        if not all(0 < u < 1 for u in rates.values()):
            raise ValueError(f"benchmark unemployment rates must be in (0, 1): {rates}")
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


def numeraire_price(m, numeraire: tuple):
    kind, *rest = numeraire
    try:
        if kind == "world_price_index":
            return m.PW
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
        raise ValueError(f"invalid numeraire {numeraire!r}: {err}") from None
    raise ValueError(f"unknown numeraire kind {kind!r}; use world_price_index, factor, cpi, price or exchange_rate")


def market_constraint(m, market: tuple):
    kind, *rest = market
    try:
        if kind == "goods":
            return m.market_clearing[tuple(rest)]
        if kind == "factor":
            return m.factor_market[tuple(rest)]
    except KeyError:
        pass
    raise ValueError(f"cannot drop market {market!r}: not a goods or mobile-factor market")


def apply_closure(m, closure: Closure):
    regions, sectors = list(m.R), list(m.I)
    if closure.monetary is None:
        m.numeraire = pyo.Constraint(expr=numeraire_price(m, closure.numeraire) == m.pnum,
                                     doc="numeraire")
    m.walras = market_constraint(m, closure.dropped_market(regions, sectors))
    m.walras.deactivate()
