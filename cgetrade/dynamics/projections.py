"""Exogenous drivers of the recursive-dynamic path: periods, capital data, labour force and
real GDP projections (``dynamics.toml``; the default one is built by
calibration/build_dynamics_data.py from cited sources).

A dataset's projections are the file ``<name>_dynamics.toml`` beside its netCDF file
``<name>.nc`` (shipped: ``wiod2011_13x8_dynamics.toml``); a dataset without one uses the
default dataset's ``dynamics.toml``, and a region that file does not cover is an error
naming the region (:meth:`Projections.check`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

import tomllib

from ..errors import InputError

DEFAULT_PROJECTIONS = Path(str(resources.files("cgetrade.data") / "default" / "dynamics.toml"))
#: a dataset's own projections: this suffix after the stem of its netCDF file
SUFFIX = "_dynamics.toml"


def own_path(dataset) -> Path | None:
    """Where ``dataset``'s own projections belong: ``<stem>_dynamics.toml`` beside the netCDF
    file it was read from (None for a dataset not read from a file)."""
    source = dataset if isinstance(dataset, (str, Path)) else \
        (getattr(dataset, "encoding", None) or {}).get("source")
    return Path(source).with_name(Path(source).stem + SUFFIX) if source else None


def projections_path(dataset=None) -> Path:
    """The projections file of ``dataset`` (an xarray Dataset read from a file, or the file's
    path): its own (:func:`own_path`) if that exists, else the default file."""
    own = own_path(dataset) if dataset is not None else None
    return own if own is not None and own.exists() else DEFAULT_PROJECTIONS


class DynamicsError(InputError):
    """Impossible periods, projections or paths (raised before any model is solved)."""


@dataclass(frozen=True)
class Periods:
    """Solution years ``start, start + step, ..., end`` (``start`` = the data year)."""
    start: int
    end: int = 2040
    step: int = 1

    def __post_init__(self):
        for k in ("start", "end", "step"):
            v = getattr(self, k)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise DynamicsError(f"periods: {k} must be a whole number, got {v!r}")
        if self.step < 1:
            raise DynamicsError(f"periods: step must be >= 1 year, got {self.step}")
        if self.end <= self.start:
            raise DynamicsError(f"periods: end year {self.end} must be after the start year {self.start}")
        if (self.end - self.start) % self.step:
            raise DynamicsError(f"periods: {self.start} to {self.end} is not a whole number of "
                                f"{self.step}-year steps")

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1, self.step))


@dataclass
class Projections:
    """Drivers by region. Growth rates are fractions per year, for each year after
    ``base_year`` (the growth from year t-1 to t is stored under t).

    ``delta``: depreciation rate; ``capital_output``: benchmark capital stock / value added;
    ``labour_growth``, ``gdp_growth``: {year: {region: growth}}.
    """
    base_year: int
    delta: dict
    capital_output: dict
    labour_growth: dict
    gdp_growth: dict
    sources: dict = field(default_factory=dict)
    path: str = ""
    #: where the dataset's own projections would be (named in the error of check)
    expected: str = ""

    @classmethod
    def for_dataset(cls, dataset) -> "Projections":
        """The projections of a dataset (:func:`projections_path`)."""
        out = cls.from_toml(projections_path(dataset))
        own = own_path(dataset)
        out.expected = str(own) if own is not None else ""
        return out

    @classmethod
    def from_toml(cls, path: str | Path = DEFAULT_PROJECTIONS) -> "Projections":
        try:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
        except FileNotFoundError:
            raise DynamicsError(f"projections file not found: {path}") from None
        except tomllib.TOMLDecodeError as err:
            raise DynamicsError(f"projections file {path} is not valid TOML: {err}") from None
        missing = [k for k in ("base_year", "capital", "labour_force", "gdp") if k not in raw]
        if missing:
            raise DynamicsError(f"projections file {path} has no {', '.join(missing)}")
        cap = {k: v for k, v in raw["capital"].items() if isinstance(v, dict)}
        incomplete = [k for k, v in cap.items() if not {"delta", "capital_output"} <= set(v)]
        if incomplete:
            raise DynamicsError(f"projections file {path}: [capital] entries {incomplete} need "
                                f"delta and capital_output")
        labour = {}
        for span, vals in raw["labour_force"].items():
            if not isinstance(vals, dict):
                continue
            a, b = (int(y) for y in span.split("-"))
            for y in range(a, b + 1):
                labour[y] = {r: v / 100 for r, v in vals.items()}
        gdp = {int(y): {r: v / 100 for r, v in vals.items()}
               for y, vals in raw["gdp"].items() if isinstance(vals, dict)}
        return cls(base_year=int(raw["base_year"]),
                   delta={r: float(v["delta"]) for r, v in cap.items()},
                   capital_output={r: float(v["capital_output"]) for r, v in cap.items()},
                   labour_growth=labour, gdp_growth=gdp,
                   sources={k: raw[k].get("source", "") for k in ("capital", "labour_force", "gdp")},
                   path=str(path))

    @classmethod
    def constant(cls, regions, base_year, end, delta=0.05, capital_output=3.0, labour=0.0,
                 gdp=0.0) -> "Projections":
        """Uniform drivers (for synthetic datasets and tests)."""
        years = range(base_year + 1, end + 1)
        return cls(base_year, {r: delta for r in regions}, {r: capital_output for r in regions},
                   {y: {r: labour for r in regions} for y in years},
                   {y: {r: gdp for r in regions} for y in years},
                   {"capital": "uniform assumption", "labour_force": "uniform assumption",
                    "gdp": "uniform assumption"})

    def _where(self) -> str:
        return f"projections ({Path(self.path).name})" if self.path else "projections"

    def check(self, regions, periods: Periods) -> None:
        """Every region and year the path needs is present and plausible."""
        if periods.start != self.base_year:
            raise DynamicsError(f"the path must start in the data year {self.base_year}, "
                                f"got {periods.start}")
        gaps = {}
        for r in regions:
            what = [] if r in self.delta and r in self.capital_output else ["capital"]
            for name, table in (("labour force", self.labour_growth), ("GDP", self.gdp_growth)):
                years = [y for y, row in sorted(table.items()) if r not in row]
                if years:
                    what.append(name if len(years) == len(table) else
                                f"{name} {', '.join(map(str, years[:3]))}{' ...' if len(years) > 3 else ''}")
            if what:
                gaps[r] = what
        if gaps:
            raise DynamicsError(
                f"{self._where()}: the dataset's region(s) {list(gaps)} are not covered ("
                + "; ".join(f"{r}: no {', '.join(w)}" for r, w in gaps.items())
                + (f"); complete {self.path}" if self.expected and self.expected == self.path else
                   f"); give the dataset its own projections ("
                   f"{self.expected or '<dataset>' + SUFFIX + ' beside its netCDF file'}, as built by "
                   f"calibration/build_dynamics_data.py)"))
        bad = {r: self.delta[r] for r in regions if not 0 < self.delta[r] < 1}
        if bad:
            raise DynamicsError(f"depreciation rates must be in (0, 1): {bad}")
        bad = {r: self.capital_output[r] for r in regions if not self.capital_output[r] > 0}
        if bad:
            raise DynamicsError(f"capital-output ratios must be positive: {bad}")
        for what, table in (("labour force growth", self.labour_growth), ("GDP growth", self.gdp_growth)):
            for y in range(periods.start + 1, periods.end + 1):
                row = table.get(y)
                if row is None:
                    raise DynamicsError(f"{self._where()}: no {what} for {y} (they cover "
                                        f"{min(table)}-{max(table)})")
                if any(not row[r] > -0.5 for r in regions):
                    raise DynamicsError(f"{self._where()}: implausible {what} in {y}: {row}")

    def index(self, table: str, regions, years) -> np.ndarray:
        """Cumulative index (year, region), 1 in the base year."""
        growth = getattr(self, table)
        out = np.ones((len(years), len(regions)))
        for k, t in enumerate(years):
            for y in range(self.base_year + 1, t + 1):
                out[k] *= [1 + growth[y][r] for r in regions]
        return out
