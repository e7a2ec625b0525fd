"""CES price and demand functions in calibrated share form (benchmark prices = 1).

    P(p; theta, sigma) = [sum_k theta_k p_k^(1-sigma)]^(1/(1-sigma))
    q_k = q_k0 * Q * (P / p_k)^sigma

with the Leontief (sigma = 0) and Cobb-Douglas (sigma = 1, P = prod_k p_k^theta_k) limits
written in closed form. Shares theta_k are benchmark value shares; zero shares are dropped.
"""
from __future__ import annotations

from functools import reduce
from operator import mul

SIGMA_EPS = 1e-10


def ces_price(terms, sigma: float):
    """Unit cost/price index of a CES aggregate; ``terms`` = [(theta_k, p_k), ...]."""
    terms = [(float(th), p) for th, p in terms if th > 0]
    if not terms:
        raise ValueError("a CES aggregate needs at least one positive share")
    return ces_share_price(terms, sigma)


def ces_demand(q0: float, scale, P, p, sigma: float):
    """Conditional demand q = q0 * scale * (P/p)^sigma (scale: activity/composite index)."""
    if sigma < SIGMA_EPS or P is p:
        return q0 * scale
    return q0 * scale * (P / p) ** sigma


def ces_share_price(terms, sigma: float):
    """CES unit cost with parameter (possibly mutable) shares alpha_k summing to one:
    [sum_k alpha_k p_k^(1-sigma)]^(1/(1-sigma)); sigma = 0, 1 in closed form."""
    if len(terms) == 1:
        return terms[0][1]
    if sigma < SIGMA_EPS:
        return sum(a * p for a, p in terms)
    if abs(sigma - 1.0) < SIGMA_EPS:
        return reduce(mul, [p ** a for a, p in terms])
    rho = 1.0 - sigma
    return sum(a * p ** rho for a, p in terms) ** (1.0 / rho)
