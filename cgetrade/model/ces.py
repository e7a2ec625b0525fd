"""CES price and demand functions in calibrated share form (benchmark prices = 1).

    P(p; theta, sigma) = [sum_k theta_k p_k^(1-sigma)]^(1/(1-sigma))
    q_k = q_k0 * Q * (P / p_k)^sigma

with the Leontief (sigma = 0) and Cobb-Douglas (sigma = 1, P = prod_k p_k^theta_k) limits
written in closed form. Shares theta_k are benchmark value shares; zero shares are dropped.

``sigma`` is a number or a mutable Pyomo parameter (the model's elasticities are parameters
of the compiled functions, so they change without rebuilding): its current value chooses the
functional form (:func:`ces_form`), the parameter enters the expression.
"""
from __future__ import annotations

from functools import reduce
from operator import mul

from pyomo.core.expr.numvalue import value

SIGMA_EPS = 1e-10
FORMS = ("leontief", "cobb_douglas", "ces")


def ces_form(sigma) -> str:
    """The closed form used for an elasticity value: Leontief (sigma = 0), Cobb-Douglas
    (sigma = 1) or the general CES (within SIGMA_EPS)."""
    s = value(sigma)
    if s < SIGMA_EPS:
        return "leontief"
    if abs(s - 1.0) < SIGMA_EPS:
        return "cobb_douglas"
    return "ces"


def ces_price(terms, sigma: float):
    """Unit cost/price index of a CES aggregate; ``terms`` = [(theta_k, p_k), ...]."""
    terms = [(float(th), p) for th, p in terms if th > 0]
    if not terms:
        raise ValueError("a CES aggregate needs at least one positive share")
    return ces_share_price(terms, sigma)


def ces_demand(q0: float, scale, P, p, sigma: float):
    """Conditional demand q = q0 * scale * (P/p)^sigma (scale: activity/composite index)."""
    if P is p or ces_form(sigma) == "leontief":
        return q0 * scale
    return q0 * scale * (P / p) ** sigma


def ces_share_price(terms, sigma: float):
    """CES unit cost with parameter (possibly mutable) shares alpha_k summing to one:
    [sum_k alpha_k p_k^(1-sigma)]^(1/(1-sigma)); sigma = 0, 1 in closed form."""
    if len(terms) == 1:
        return terms[0][1]
    form = ces_form(sigma)
    if form == "leontief":
        return sum(a * p for a, p in terms)
    if form == "cobb_douglas":
        return reduce(mul, [p ** a for a, p in terms])
    rho, inv = exponents(sigma)
    return sum(a * p ** rho for a, p in terms) ** inv


_EXPONENTS = {}        # id(sigma) -> (sigma, 1 - sigma, 1 / (1 - sigma)) during a build


def exponents(sigma):
    """(1 - sigma, 1 / (1 - sigma)), one expression per parameter (shared by every equation
    that uses it, so the compiled functions evaluate it once); :func:`clear` after a build."""
    if isinstance(sigma, (int, float)):
        return 1.0 - sigma, 1.0 / (1.0 - sigma)
    hit = _EXPONENTS.get(id(sigma))
    if hit is None or hit[0] is not sigma:      # the entry keeps sigma alive: ids are not reused
        rho = 1.0 - sigma
        hit = _EXPONENTS[id(sigma)] = (sigma, rho, 1.0 / rho)
    return hit[1], hit[2]


def clear():
    """Forget the shared exponent expressions (the model keeps those it uses)."""
    _EXPONENTS.clear()
