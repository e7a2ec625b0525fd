"""cgetrade: multi-region, multi-sector CGE trade models.

Data -> calibration -> model -> solve -> results:

>>> import cgetrade
>>> ds = cgetrade.data.load_default()          # xarray.Dataset, validated
>>> params = cgetrade.calibrate(ds)            # labelled benchmark parameters
>>> model = cgetrade.CGEModel(params)         # Pyomo model + compiled NLP
>>> sol = model.solve()                        # Ipopt through cyipopt

The model and solver are imported on first use, so that ``import cgetrade`` (and the
command line's ``--help``) does not load the solver stack (Pyomo, casadi, cyipopt).
"""
import importlib

from . import _lazy, data
from .calibrate import Elasticities, Parameters, calibrate

__all__ = ["data", "calibrate", "Elasticities", "Parameters", "CGEModel", "Closure", "SolveError"]
__version__ = "0.1.0"

_lazy.keep_dask_lazy()

_LAZY = {"CGEModel": ".model", "Closure": ".model", "SolveError": ".solve"}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'cgetrade' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
