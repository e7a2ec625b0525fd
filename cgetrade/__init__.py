"""cgetrade: multi-region, multi-sector CGE trade models.

Data -> calibration -> model -> solve -> results:

>>> import cgetrade
>>> ds = cgetrade.data.load_default()          # xarray.Dataset, validated
>>> params = cgetrade.calibrate(ds)            # labelled benchmark parameters
>>> model = cgetrade.CGEModel(params)         # Pyomo model + compiled NLP
>>> sol = model.solve()                        # Ipopt through cyipopt
"""
from . import data
from .calibrate import Elasticities, Parameters, calibrate
from .model import CGEModel, Closure
from .solve import SolveError

__all__ = ["data", "calibrate", "Elasticities", "Parameters", "CGEModel", "Closure", "SolveError"]
__version__ = "0.1.0"
