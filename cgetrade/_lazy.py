"""Keep xarray from importing dask (and with it scipy) whenever it creates a Dataset.

xarray checks every new variable with ``isinstance(data, array_type("dask"))``, and the first
such check imports ``dask.array`` if dask is installed (about 0.5-1 s, most of a short run's
start-up). An object can only be a dask array once ``dask.array`` has been imported, so the
check is answered by a stand-in type that consults the real one only then; everything else
about dask (its version, the module) is looked up on first use as before.
"""
from __future__ import annotations

import importlib.util
import sys


class _DaskArrayType(type):
    def __instancecheck__(cls, obj) -> bool:
        mod = sys.modules.get("dask.array")
        return mod is not None and isinstance(obj, mod.Array)

    def __subclasscheck__(cls, sub) -> bool:
        mod = sys.modules.get("dask.array")
        return mod is not None and issubclass(sub, mod.Array)


class DaskArray(metaclass=_DaskArrayType):
    """isinstance(x, DaskArray) is isinstance(x, dask.array.Array), without importing dask."""


class _LazyDaskModule:
    """Stands for xarray's DuckArrayModule("dask") until its module or version is needed."""
    type = (DaskArray,)

    def __init__(self, factory):
        self._factory, self._real = factory, None

    @property
    def available(self) -> bool:
        return self._real.available if self._real else importlib.util.find_spec("dask") is not None

    def __getattr__(self, name):              # module, version: the real entry, imported now
        if name.startswith("_"):
            raise AttributeError(name)
        if self._real is None:
            self._real = self._factory("dask")
        return getattr(self._real, name)


def keep_dask_lazy() -> None:
    """Install the stand-in in xarray's cache of duck-array modules (no-op if xarray has no
    such cache, or dask.array is imported already)."""
    try:
        from xarray.namedarray import pycompat
    except ImportError:        # pragma: no cover - another xarray layout: leave it alone
        return
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    factory = getattr(pycompat, "DuckArrayModule", None)
    if isinstance(cache, dict) and factory is not None and "dask" not in cache \
            and "dask.array" not in sys.modules:
        cache["dask"] = _LazyDaskModule(factory)


def _scipy_without_stats(module, available) -> None:
    if available:
        import scipy.sparse  # noqa: F401 - what Pyomo's own callback also guarantees


def keep_scipy_stats_lazy() -> None:
    """Pyomo's deferred import of scipy imports scipy.stats, .integrate and .spatial as soon
    as scipy is first imported by anyone (about 0.6 s); the solvers need scipy.sparse only.
    Before scipy is imported, Pyomo's dependency module is imported (if it is not yet) and
    its callback replaced by one that imports scipy.sparse; scipy loads its other submodules
    on first attribute access, so nothing that uses them breaks. No-op once scipy is
    imported, or if Pyomo has another layout."""
    if "scipy" in sys.modules:
        return
    try:
        from pyomo.common import dependencies as deps
    except ImportError:        # pragma: no cover - no Pyomo: nothing hooks scipy
        return
    indicator = getattr(deps, "scipy_available", None)
    if indicator is not None and hasattr(indicator, "_callback") and getattr(indicator, "_module", None) is None:
        indicator._callback = _scipy_without_stats
