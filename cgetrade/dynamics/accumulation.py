"""Capital accumulation and the capital stock of the benchmark.

    K_r(t+1) = (1 - delta_r) K_r(t) + I_r(t)

with I_r(t) real investment: the investment agent's real demand Q_H[investment, r] times
its benchmark value, in benchmark USD at benchmark prices of investment goods (P_H = 1).
One unit of real investment adds one unit of capital valued at benchmark investment-goods
prices, so K is measured in the same unit. For a period of ``step`` years, investment is
held at I(t) within the period:

    K(t+s) = (1 - delta)^s K(t) + I(t) [1 - (1 - delta)^s] / delta     (s = 1: as above)

Benchmark stock: K_r(t0) = (K/VA)_r * VA_r with the capital-value added ratio from the
socio-economic accounts and VA_r the benchmark's value added. The static model holds
capital as an endowment in value units (payments at the benchmark rental rate 1), so the
endowment of year t is the benchmark endowment times K_r(t) / K_r(t0); capital is mobile
across the sectors of a region, so every sector's endowment scales with the regional stock.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from .projections import DynamicsError


def capital_next(K, I, delta, step: int = 1) -> np.ndarray:
    """Capital stock ``step`` years later (arrays by region)."""
    K, I, delta = (np.asarray(a, float) for a in (K, I, delta))
    keep = (1.0 - delta) ** step
    out = keep * K + I * (1.0 - keep) / delta
    if not np.all(np.isfinite(out)) or np.any(out <= 0):
        raise DynamicsError(f"capital stock would become non-positive or undefined: {out}")
    return out


def benchmark_capital(params, capital_output: dict) -> np.ndarray:
    """K_r(t0) = (K/VA)_r * VA_r (benchmark value added), by region."""
    va = params["vfm"].sum((0, 1))
    return np.array([capital_output[r] for r in params.regions]) * va


def real_investment(model) -> np.ndarray:
    """I_r = Q_H[investment, r] * benchmark investment (benchmark USD), by region."""
    m, p = model.pyomo, model.params
    k = p.final_agents.index("investment")
    return np.array([pyo.value(m.Q_H["investment", r]) for r in p.regions]) * p["fd_exp"][k]
