"""Dataset schema and validation: bad input is rejected with labelled errors, never modified."""
import numpy as np
import pytest
import xarray as xr

from cgetrade.data import DataValidationError, validate, synthetic_dataset
from cgetrade.data.schema import identity_residuals


def test_synthetic_dataset_is_balanced():
    ds = synthetic_dataset(5, 6, seed=3)
    for name, (res, scale) in identity_residuals(ds).items():
        assert float(abs(res).max() / abs(scale).max()) < 1e-12, name


def test_unbalanced_row_is_reported_with_labels(small_dataset):
    ds = small_dataset.copy(deep=True)
    ds["intermediate"].loc[dict(commodity="S02", source="R01", sector="S03", region="R02")] += 7.0
    with pytest.raises(DataValidationError) as err:
        validate(ds)
    msg = str(err.value)
    assert "market balance" in msg and "commodity=S02, source=R01" in msg
    assert "cost balance" in msg and "sector=S03, region=R02" in msg


def test_negative_and_nan_flows_are_rejected(small_dataset):
    ds = small_dataset.copy(deep=True)
    ds["final_demand"].loc[dict(commodity="S01", source="R02", agent="government", region="R03")] = -1.0
    ds["factor_payments"].loc[dict(factor="labour", sector="S04", region="R01")] = np.nan
    with pytest.raises(DataValidationError) as err:
        validate(ds)
    msg = str(err.value)
    assert "negative values in 'final_demand'" in msg and "agent=government" in msg
    assert "'factor_payments' has 1 NaN" in msg


def test_mismatched_labels_are_rejected(small_dataset):
    ds = small_dataset.assign_coords(source=["R01", "R02", "XX"])
    with pytest.raises(DataValidationError, match="labels of 'region'.*do not match.*'source'"):
        validate(ds)


def test_missing_variable_is_rejected(small_dataset):
    with pytest.raises(DataValidationError, match="missing variable 'employment'"):
        validate(small_dataset.drop_vars("employment"))


def test_validation_does_not_modify_input(small_dataset):
    before = small_dataset.copy(deep=True)
    validate(small_dataset)
    xr.testing.assert_identical(before, small_dataset)


def test_default_dataset_is_real_wiod_and_balanced(default_dataset):
    ds = default_dataset
    assert list(ds.region.values) == ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
    assert {"ELE", "MAC", "AGR", "ENE", "SRV"} <= set(ds.sector.values)
    assert ds.attrs["year"] == 2011
    assert "CC BY 4.0" in ds.attrs["licence"]
    assert "Timmer" in ds.attrs["citation"]
    # WIOD 2011 sanity: USA and China gross output in USD trillions (README of the source)
    go = ds["gross_output"].sum("sector") / 1e6
    assert 26.5 < float(go.sel(region="USA")) < 27.5
    assert 21.8 < float(go.sel(region="CHN")) < 22.8
    # persons engaged (SEA 2016 release, 2011): China ~ 840 million, USA ~ 148 million
    emp = ds["employment"].sum("sector") / 1e3
    assert 800 < float(emp.sel(region="CHN")) < 880
    assert 130 < float(emp.sel(region="USA")) < 170
    for name, (res, scale) in identity_residuals(ds).items():
        assert float((abs(res) / abs(scale).where(abs(scale) > 0, 1)).max()) < 1e-6, name
