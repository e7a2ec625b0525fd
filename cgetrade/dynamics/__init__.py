"""Recursive dynamics: years, paths and accumulation above the static model.

The static model (cgetrade.model) knows nothing about time; this layer sets its mutable
parameters year by year (capital stocks, labour force, productivity, shocks along their
paths, workers attached to sectors) and solves the one compiled model warm from a nearby solution. See docs/dynamics.md.
"""
from .accumulation import benchmark_capital, capital_next, real_investment
from .mobility import LabourMobility
from .projections import DEFAULT_PROJECTIONS, DynamicsError, Periods, Projections
from .recursive import DynamicModel, labour_factors, real_gdp_measure
from .results import assemble, deviations, load_baseline, save_path

__all__ = ["DynamicModel", "Periods", "Projections", "DynamicsError", "capital_next",
           "benchmark_capital", "real_investment", "labour_factors", "real_gdp_measure",
           "assemble", "deviations", "load_baseline", "save_path", "DEFAULT_PROJECTIONS",
           "LabourMobility"]
