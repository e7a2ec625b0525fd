"""Shocks and scenarios (Python objects; TOML files map onto the same objects).

Shock kinds (``value`` semantics):

* ``tfp``            Hicks-neutral productivity A[j,r] *= 1 + value           (value > -1)
* ``factor_productivity``  factor-augmenting lambda[f,j,r] *= 1 + value    (needs ``factor``)
* ``endowment``      factor endowment E[f,r] *= 1 + value                     (needs ``factor``)
* ``tariff``         import tariff rate t_m[i,s,r] += value                   (``source`` = exporters)
* ``export_tax``     export tax rate t_x[i,s,r] += value  (``region`` = exporters, ``destination``)

Labels are checked against the model before anything is changed; ``"*"`` selects all.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("tfp", "factor_productivity", "endowment", "tariff", "export_tax")


class ShockError(ValueError):
    """A shock refers to unknown labels or has an impossible value."""


def _as_list(x):
    if x is None:
        return ["*"]
    return [x] if isinstance(x, str) else list(x)


@dataclass
class Shock:
    kind: str
    value: float
    region: list = field(default_factory=lambda: ["*"])
    sector: list = field(default_factory=lambda: ["*"])
    factor: list | None = None
    source: list = field(default_factory=lambda: ["*"])
    destination: list = field(default_factory=lambda: ["*"])

    def __post_init__(self):
        self.region, self.sector = _as_list(self.region), _as_list(self.sector)
        self.source, self.destination = _as_list(self.source), _as_list(self.destination)
        if self.factor is not None:
            self.factor = _as_list(self.factor)
        if self.kind not in KINDS:
            raise ShockError(f"unknown shock kind {self.kind!r}; known kinds: {', '.join(KINDS)}")
        try:
            self.value = float(self.value)
        except (TypeError, ValueError):
            raise ShockError(f"shock value must be a number, got {self.value!r}") from None
        if self.value != self.value:
            raise ShockError("shock value is NaN")
        if self.kind in ("tfp", "factor_productivity", "endowment") and self.value <= -1:
            raise ShockError(f"{self.kind} shock {self.value} would make the level <= 0 (need > -1)")
        if self.kind in ("factor_productivity", "endowment") and not self.factor:
            raise ShockError(f"a {self.kind} shock needs 'factor'")

    def _pick(self, requested, known, what):
        if requested == ["*"]:
            return list(known)
        unknown = [x for x in requested if x not in known]
        if unknown:
            raise ShockError(f"unknown {what} {unknown} in {self.kind} shock; known: {list(known)}")
        return list(requested)

    def resolve(self, model) -> list[tuple]:
        """(param component name, index, new value) triples; validates labels first."""
        m = model.pyomo
        R, I, F = list(m.R), list(m.I), list(m.F)
        regions = self._pick(self.region, R, "region")
        sectors = self._pick(self.sector, I, "sector")
        out = []
        if self.kind == "tfp":
            out = [("tfp", (j, r), 1 + self.value, "mul") for j in sectors for r in regions]
        elif self.kind == "factor_productivity":
            fs = self._pick(self.factor, F, "factor")
            out = [("aug", (f, j, r), 1 + self.value, "mul") for f in fs for j in sectors for r in regions]
        elif self.kind == "endowment":
            fs = self._pick(self.factor, F, "factor")
            out = [("endowment", (f, j, r), 1 + self.value, "mul") for f in fs for j in I for r in regions]
        elif self.kind == "tariff":
            sources = self._pick(self.source, R, "source region")
            out = [("tm", (i, s, r), self.value, "add") for i in sectors for s in sources
                   for r in regions if (i, s, r) in m.BT]
        elif self.kind == "export_tax":
            dests = self._pick(self.destination, R, "destination region")
            out = [("tx", (i, s, d), self.value, "add") for i in sectors for s in regions
                   for d in dests if (i, s, d) in m.BT]
        return out


@dataclass
class Scenario:
    name: str
    shocks: list
    description: str = ""
    source: str = ""

    @classmethod
    def from_toml(cls, path: str | Path) -> "Scenario":
        path = Path(path)
        with open(path, "rb") as f:
            raw = tomllib.load(f)
        shocks = [Shock(**s) for s in raw.get("shock", [])]
        if not shocks:
            raise ShockError(f"scenario {path} has no [[shock]] entries")
        return cls(name=raw.get("name", path.stem), shocks=shocks,
                   description=raw.get("description", ""), source=raw.get("source", ""))

    def apply(self, model) -> None:
        """Set the model's shock parameters (all labels are validated before any change)."""
        import pyomo.environ as pyo
        m = model.pyomo
        current = {}
        for shock in self.shocks:                      # resolve and validate everything first
            for name, idx, val, how in shock.resolve(model):
                old = current.get((name, idx), pyo.value(getattr(m, name)[idx]))
                new = old * val if how == "mul" else old + val
                if name in ("tm", "tx") and new <= -1:
                    raise ShockError(f"{name}{idx} would become {new} (<= -100 %)")
                current[(name, idx)] = new
        for (name, idx), new in current.items():
            getattr(m, name)[idx] = new
