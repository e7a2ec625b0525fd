"""Costly labour mobility along a path: workers attached to sectors, who move gradually.

With sector-specific labour (``Closure(mobility={"labour": "specific"}, labour="wage_curve")``)
the labour of type h in region r is attached to sectors, E_hjr(t) efficiency units (the
endowments of the static model). Within a year workers do not change sector; a sector whose
labour demand falls has unemployment, its wage set by a sector wage curve relative to the
baseline,

    ln(W_j(t) / W^b_j(t)) = ln(W_j(t-1) / W^b_j(t-1)) - phi ln(U_j(t) / U0)     (policy run)
    U_j(t) = U0, W_j(t) flexible                                                (baseline)

so wages relative to the baseline fall only gradually while unemployment is above its
benchmark rate (phi: the closure's wage-curve elasticity, Blanchflower and Oswald 1994: 0.1).
Between years a share mu of the gap between each sector's attached labour and where its
workers would choose to be moves (logit of Artuc, Chaudhuri and McLaren 2010 over expected
earnings y_j = (1 - U_j) W_j per attached unit):

    E*_j    = sum_k E_k  E_j y_j^psi / sum_k E_k y_k^psi
    E_j(t+1) = [E_j + mu (E*_j - E_j)] N(t+1) / N(t)

Sectors with excess supply (high unemployment, falling wages) lose workers, sectors with
above-average expected earnings gain them; the attached labour of a skill adds up to the
labour force every year; at the benchmark (all y_j equal) nobody moves. mu and psi come from
published estimates (cgetrade.model.closures: Dix-Carneiro 2014, 90 % of a gap closed in 4-10
years, central 6: mu = 0.319; Artuc, Chaudhuri and McLaren 2010, nu = 1.88 annual wages,
beta = 0.97: psi = beta / (nu (1 - beta (1 - mu))) = 1.52).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.closures import ADJUSTMENT_YEARS, adjustment_share, destination_elasticity
from .projections import DynamicsError


@dataclass(frozen=True)
class LabourMobility:
    """Parameters of the annual adjustment rule: ``adjustment_years`` T90 (years to close 90 %
    of a gap; mu = 1 - 0.1^(1/T90)) and the destination elasticity psi (default: from the
    Artuc-Chaudhuri-McLaren logit given mu)."""
    adjustment_years: float = ADJUSTMENT_YEARS["central"]
    psi: float | None = None

    def __post_init__(self):
        if not (isinstance(self.adjustment_years, (int, float)) and self.adjustment_years > 0):
            raise DynamicsError(f"adjustment_years must be > 0, got {self.adjustment_years!r}")
        if self.psi is not None and not self.psi >= 0:
            raise DynamicsError(f"the destination elasticity psi must be >= 0, got {self.psi!r}")

    @property
    def mu(self) -> float:
        return adjustment_share(self.adjustment_years)

    @property
    def elasticity(self) -> float:
        return destination_elasticity(self.mu) if self.psi is None else float(self.psi)

    def step(self, attached: np.ndarray, wage: np.ndarray, unemployment: np.ndarray,
             years: int = 1) -> np.ndarray:
        """Attached units after ``years`` years of the rule (arrays (labour, sector, region);
        sectors without attached labour stay empty). The rule is applied ``years`` times at
        the year's wages and unemployment (a step of several years)."""
        E = np.array(attached, dtype=float)
        y = (1.0 - unemployment) * wage
        y = np.where(E > 0, y, 0.0)
        for _ in range(years):
            weight = E * np.where(E > 0, y, 0.0) ** self.elasticity
            total = E.sum(1, keepdims=True)
            target = total * weight / np.maximum(weight.sum(1, keepdims=True), 1e-300)
            E = E + self.mu * (target - E)
        return E
