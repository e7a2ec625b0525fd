"""Nominal side: one currency per region and the monetary regime closing its nominal level.

e_r is local currency per unit of the world unit of account, the anchor region's currency
(USD: e_USA = 1). Model prices are in world units; local-currency prices are e_r times them.
With monetary regimes the numeraire equation is replaced by the anchor's regime (which pins
the world price level) and each other region's regime pins its e_r:

    cpi          e_r P_H[household,r] = CPI*_r                    (strict CPI targeting)
    flexible_it  ln(e_r CPI_r / CPI*_r) - lambda_r (U_r - U0_r) = 0
                 (inflation may exceed target in proportion to the unemployment gap; MODEL.md
                 writes "+", which would tighten when unemployment is high)
    peg          e_r = e_bar_r e_s                                (peg to region s's currency)
    ngdp         e_r INC_r = NGDP*_r                              (nominal GDP targeting)
    money        M_r V = e_r INC_r                                (quantity equation, M given)

Without a nominal rigidity (flexible wages) e_r enters no real equation, so every regime
gives the same real equilibrium (monetary neutrality). With a wage curve with indexation
kappa < 1 it does not.
"""
from __future__ import annotations

import warnings

import pyomo.environ as pyo

from ..errors import ClosureError

REGIMES = ("cpi", "flexible_it", "peg", "ngdp", "money")


def parse_regime(spec) -> tuple:
    """"cpi" | ("cpi", inflation) | ("flexible_it", lambda) | ("peg", region) | "ngdp" | "money"."""
    spec = (spec,) if isinstance(spec, str) else tuple(spec)
    if not spec or spec[0] not in REGIMES:
        raise ClosureError(f"unknown monetary regime {spec!r}; known: {', '.join(REGIMES)}")
    return spec


def add_exchange_rates(m, closure):
    """Exchange-rate variables (if the closure has a nominal side); returns e(m, r)."""
    if closure.monetary is None:
        return lambda m, r: 1.0
    regions = list(m.R)
    if closure.anchor not in regions:
        raise ClosureError(f"anchor region {closure.anchor!r} is not a region of the model {regions}")
    m.ER = pyo.Var(m.R, initialize=1.0, bounds=(0, None),
                   doc="exchange rate e_r: local currency per unit of the anchor currency")
    m.ER[closure.anchor].fix(1.0)
    return lambda m, r: m.ER[r]


def add_regimes(m, closure, p):
    """One equation per region closing its nominal level."""
    regions = list(m.R)
    regimes = closure.regimes(regions)
    kinds = closure.labour_closure(regions)
    m.cpi_target = pyo.Param(m.R, initialize=1.0, mutable=True, doc="CPI target (local currency)")
    m.ngdp_target = pyo.Param(m.R, initialize=1.0, mutable=True, doc="nominal GDP target (index)")
    m.money = pyo.Param(m.R, initialize=1.0, mutable=True, doc="money supply x velocity (index)")
    m.peg_rate = pyo.Param(m.R, initialize=1.0, mutable=True, doc="pegged exchange rate")
    m.it_lambda = pyo.Param(m.R, initialize=0.0, mutable=True, doc="weight on the unemployment gap")
    m.regime = pyo.ConstraintList(doc="monetary regimes (one per region)")
    if all(k == "flexible" for k in kinds.values()):
        warnings.warn("all labour markets have flexible wages: every monetary regime gives the same "
                      "real equilibrium (neutrality); use a wage curve or fixed nominal wages to make "
                      "monetary policy matter", stacklevel=3)
    for r in regions:
        spec = regimes[r]
        kind = spec[0]
        e = m.ER[r]
        cpi = e * m.P_H["household", r]
        if kind == "cpi":
            if len(spec) > 1:
                m.cpi_target[r] = 1.0 + float(spec[1])
            m.regime.add(cpi == m.cpi_target[r])
        elif kind == "flexible_it":
            m.it_lambda[r] = float(spec[1]) if len(spec) > 1 else 0.5
            if kinds[r] == "flexible":
                warnings.warn(f"{r}: flexible inflation targeting with a flexible wage has no "
                              "unemployment gap to trade off; it is strict CPI targeting", stacklevel=3)
            m.regime.add(pyo.log(cpi / m.cpi_target[r]) - m.it_lambda[r] * (m.UR[r] - m.ur0[r]) == 0)
        elif kind == "peg":
            target = spec[1] if len(spec) > 1 else closure.anchor
            if r == closure.anchor:
                raise ClosureError(f"{r} is the anchor: its currency is the unit of account and cannot "
                                 "be pegged; give the anchor a CPI, NGDP or money regime")
            if target == r or target not in regions:
                raise ClosureError(f"{r} cannot peg to {target!r}")
            m.regime.add(e == m.peg_rate[r] * m.ER[target])
        elif kind in ("ngdp", "money"):
            m.regime.add(e * m.INC[r] == (m.ngdp_target[r] if kind == "ngdp" else m.money[r]))
    return regimes
