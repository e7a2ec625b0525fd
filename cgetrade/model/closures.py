"""Closures: numeraire, the market dropped by Walras' law, factor mobility.

The model is homogeneous of degree zero in prices; one price (or price index) is fixed by the
numeraire equation and one market-clearing condition is dropped (it holds by Walras' law and
is checked after every solve).

Numeraire choices:
    ("world_price_index",)        P_W = pnum        (default)
    ("factor", f, r)              W[f,r] = pnum
    ("cpi", r)                    P_H[household,r] = pnum
    ("price", i, r)               P_Y[i,r] = pnum
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyomo.environ as pyo


@dataclass(frozen=True)
class Closure:
    numeraire: tuple = ("world_price_index",)
    walras_market: tuple | None = None       # ("goods", i, r) | ("factor", f, r); None: last goods market
    sector_specific: tuple = ()              # factors immobile across sectors (short run)

    def dropped_market(self, regions, sectors) -> tuple:
        return self.walras_market or ("goods", sectors[-1], regions[-1])


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
    except (KeyError, ValueError) as err:
        raise ValueError(f"invalid numeraire {numeraire!r}: {err}") from None
    raise ValueError(f"unknown numeraire kind {kind!r}; use world_price_index, factor, cpi or price")


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
    m.pnum = pyo.Param(initialize=1.0, mutable=True, doc="numeraire level")
    m.numeraire = pyo.Constraint(expr=numeraire_price(m, closure.numeraire) == m.pnum,
                                 doc="numeraire")
    m.walras = market_constraint(m, closure.dropped_market(regions, sectors))
    m.walras.deactivate()
