import numpy as np
import pytest

from cgetrade.errors import OptionsError

import cgetrade
from cgetrade import Elasticities
from cgetrade.data import DataValidationError


def test_calibration_shares_reproduce_benchmark(small_dataset):
    p = cgetrade.calibrate(small_dataset)
    # domestic + imported use by all agents equals the rows of the dataset
    use = p["use_dom"].sum(1) + p["vxmd"].sum(2)
    np.testing.assert_allclose(use, small_dataset["gross_output"].values, rtol=1e-12)
    # foreign saving = imports - exports, sums to zero over the world
    assert abs(p["foreign_saving"].sum()) < 1e-8 * p["income"].sum()


def test_calibration_does_not_modify_input(small_dataset):
    before = small_dataset.copy(deep=True)
    cgetrade.calibrate(small_dataset)
    assert before.identical(small_dataset)


def test_elasticity_overrides_and_defaults():
    el = Elasticities.gtap_default()
    assert el.value("sigma_m", "ELE") == 2 * el.value("sigma_d", "ELE")
    el2 = el.override(sigma_d={"ELE": 6.0}, sigma_top=0.5)
    assert el2.value("sigma_d", "ELE") == 6.0 and el.value("sigma_d", "ELE") != 6.0
    assert el2.value("sigma_top", "AGR") == 0.5
    with pytest.raises(OptionsError, match="did you mean 'sigma_d'"):
        el.override(sigma_dd=1.0)
    with pytest.raises(ValueError, match=">= 0"):
        el.override(sigma_va={"AGR": -1.0}).arrays(["AGR"])


def test_negative_saving_is_rejected(small_dataset):
    ds = small_dataset.copy(deep=True)
    # move all investment demand into household demand: saving becomes negative
    inv = ds["final_demand"].sel(agent="investment").copy()
    ds["final_demand"].loc[dict(agent="household")] += inv
    ds["final_demand"].loc[dict(agent="investment")] = 0.0
    with pytest.raises(DataValidationError, match="saving"):
        cgetrade.calibrate(ds)
