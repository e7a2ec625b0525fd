"""GTAP's standard model, version 7 (Corong et al. 2017, The Standard GTAP Model, Version 7,
Journal of Global Economic Analysis 2(1): 1-119), from a GTAP data base in header-array files.

    >>> from cgetrade import gtap7
    >>> model = gtap7.model("basedata.har", "default.prm", "sets.har")
    >>> model.solve()

reads the flows and parameters (cgetrade.data.gtap.from_gtap), calibrates with CDE private
demand from INCPAR / SUBPAR (calibrate(private_demand="cde")) and builds the model under
GTAP's standard closure with the data base's ETRAE, SLUG and RORDELTA (Closure.from_gtap):
sluggish endowments, the global bank and the pfactwld numeraire. What differs from GEMPACK's
GTAP model: docs/gtap_gams.md, section "The GTAP v7 standard model".
"""
from __future__ import annotations

from .calibrate import Parameters, calibrate
from .data.gtap import from_gtap


def load(basedata, parameters, sets=None, private_demand: str = "cde", **from_gtap_options):
    """(Parameters, Closure) of the standard model for a GTAP data base (``private_demand="ces"``:
    the same with the household's Cobb-Douglas basket instead of the CDE)."""
    from .model.closures import Closure
    ds, el = from_gtap(basedata, parameters, sets, **from_gtap_options)
    params: Parameters = calibrate(ds, el, private_demand=private_demand)
    return params, Closure.from_gtap(ds)


def model(basedata, parameters, sets=None, **from_gtap_options):
    """The calibrated standard model (a CGEModel at its benchmark)."""
    from .model import CGEModel
    params, closure = load(basedata, parameters, sets, **from_gtap_options)
    return CGEModel(params, closure)
