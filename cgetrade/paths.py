"""Time paths of shocks: the share of a shock in force in each year.

A shock of size ``value`` with a path is in force with ``value * share(t)`` in year t
(productivity: A = A0 (1 + value share(t)); taxes: t = t0 + value share(t); ``mode = "set"``
moves the rate the share of the way from t0 to the set value).

    logistic   share(t) = [f(t) - f(t_s)] / [f(t_e) - f(t_s)],  f(t) = 1 / (1 + exp(-k (t - t_m)))
               (adoption S-curve with midpoint t_m and speed k > 0, rescaled to 0 at the
               start year t_s and to 1 at the end year t_e; without start and end the plain
               logistic f(t), which is never exactly 0 or 1), times ``ceiling``
    linear     share(t) = (t - t_s) / (t_e - t_s) between t_s and t_e, 0 before, 1 after
    table      year -> value of the shock: share(t) = table(t) / value, linear between the
               given years, 0 before the first, the last value after the last

TOML: ``path = { logistic = { start = 2025, midpoint = 2030, speed = 0.8, end = 2035 } }``,
``path = { linear = { start = 2025, end = 2035 } }``,
``path = { table = { 2025 = 0.01, 2030 = 0.028 } }``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

#: no path may start before this year or end after this one (catches typos such as 225)
EARLIEST, LATEST = 1950, 2200


class PathError(ValueError):
    """A shock path with impossible years or parameters."""


def _year(y, what) -> int:
    try:
        yi = int(y)
    except (TypeError, ValueError):
        raise PathError(f"{what} must be a year, got {y!r}") from None
    if yi != float(y) or not EARLIEST <= yi <= LATEST:
        raise PathError(f"{what} must be a whole year in [{EARLIEST}, {LATEST}], got {y!r}")
    return yi


@dataclass(frozen=True)
class Logistic:
    """Logistic adoption curve (S-curve) with ``midpoint`` year and ``speed`` (1/years)."""
    midpoint: float
    speed: float
    start: int | None = None
    end: int | None = None
    ceiling: float = 1.0

    def __post_init__(self):
        if not (isinstance(self.speed, (int, float)) and math.isfinite(self.speed) and self.speed > 0):
            raise PathError(f"logistic speed must be a positive number, got {self.speed!r}")
        if not (isinstance(self.midpoint, (int, float)) and EARLIEST <= self.midpoint <= LATEST):
            raise PathError(f"logistic midpoint must be a year in [{EARLIEST}, {LATEST}], got {self.midpoint!r}")
        if (self.start is None) != (self.end is None):
            raise PathError("a logistic path needs both start and end, or neither")
        if self.start is not None:
            s, e = _year(self.start, "logistic start"), _year(self.end, "logistic end")
            if not s < self.midpoint < e:
                raise PathError(f"logistic path needs start < midpoint < end, got "
                                f"{s}, {self.midpoint}, {e}")
        if not (math.isfinite(self.ceiling) and self.ceiling > 0):
            raise PathError(f"logistic ceiling must be positive, got {self.ceiling!r}")

    def _f(self, t):
        return 1.0 / (1.0 + math.exp(-self.speed * (t - self.midpoint)))

    def share(self, year, value=None) -> float:
        if self.start is None:
            return self.ceiling * self._f(year)
        if year <= self.start:
            return 0.0
        if year >= self.end:
            return self.ceiling
        f0, f1 = self._f(self.start), self._f(self.end)
        return self.ceiling * (self._f(year) - f0) / (f1 - f0)

    @property
    def first_year(self):
        return self.start


@dataclass(frozen=True)
class Linear:
    """Linear ramp from 0 in ``start`` to 1 in ``end``."""
    start: int
    end: int

    def __post_init__(self):
        s, e = _year(self.start, "linear start"), _year(self.end, "linear end")
        if not s < e:
            raise PathError(f"linear path needs start < end, got {s}, {e}")

    def share(self, year, value=None) -> float:
        return min(1.0, max(0.0, (year - self.start) / (self.end - self.start)))

    @property
    def first_year(self):
        return self.start


@dataclass(frozen=True)
class Table:
    """Explicit year -> value of the shock, linear between the given years."""
    points: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.points:
            raise PathError("a table path needs at least one year = value entry")
        pts = {}
        for y, v in self.points.items():
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise PathError(f"table path value for {y} must be a number, got {v!r}") from None
            if not math.isfinite(v):
                raise PathError(f"table path value for {y} must be finite, got {v}")
            yi = _year(y, "table path year")
            if yi in pts:
                raise PathError(f"table path year {yi} given twice")
            pts[yi] = v
        object.__setattr__(self, "points", dict(sorted(pts.items())))

    @property
    def final(self) -> float:
        return list(self.points.values())[-1]

    @property
    def first_year(self):
        return next(iter(self.points))

    def level(self, year) -> float:
        ys, vs = list(self.points), list(self.points.values())
        if year < ys[0]:
            return 0.0
        if year >= ys[-1]:
            return vs[-1]
        k = max(i for i, y in enumerate(ys) if y <= year)
        w = (year - ys[k]) / (ys[k + 1] - ys[k])
        return vs[k] + w * (vs[k + 1] - vs[k])

    def share(self, year, value) -> float:
        if value == 0:
            if any(v != 0 for v in self.points.values()):
                raise PathError("a table path with non-zero values needs a non-zero shock value")
            return 0.0
        return self.level(year) / value


KINDS = {"logistic": Logistic, "linear": Linear, "table": Table}


def parse_path(spec):
    """A path object from a TOML/dict spec (``{logistic = {...}}`` etc.); objects pass through."""
    if spec is None or isinstance(spec, (Logistic, Linear, Table)):
        return spec
    if not isinstance(spec, dict) or len(spec) != 1:
        raise PathError(f"a path is one table: logistic, linear or table; got {spec!r}")
    (kind, args), = spec.items()
    if kind not in KINDS:
        raise PathError(f"unknown path kind {kind!r}; known: {', '.join(KINDS)}")
    if not isinstance(args, dict):
        raise PathError(f"{kind} path parameters must be a table, got {args!r}")
    if kind == "table":
        return Table(dict(args))
    try:
        return KINDS[kind](**args)
    except TypeError as err:
        raise PathError(f"invalid {kind} path {args!r}: {err}") from None
