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


def _with_skills(ds, seed=0):
    """A copy of ``ds`` with valid compensation and hours shares by skill."""
    rng = np.random.default_rng(seed)
    shape = (ds.sizes["sector"], ds.sizes["region"])
    coords = {"skill": ["high", "medium", "low"], "sector": ds.sector, "region": ds.region}
    out = ds.copy(deep=True)
    for name in ("labour_skill_share", "hours_skill_share"):
        share = rng.dirichlet([2.0, 3.0, 1.0], size=shape).transpose(2, 0, 1)
        out[name] = xr.DataArray(share, dims=("skill", "sector", "region"), coords=coords)
    return out


def test_valid_skill_shares_are_accepted(small_dataset):
    validate(_with_skills(small_dataset))


def test_skill_shares_not_summing_to_one_are_rejected(small_dataset):
    ds = _with_skills(small_dataset)
    ds["labour_skill_share"].loc[dict(skill="medium", sector="S02", region="R03")] += 0.02
    with pytest.raises(DataValidationError) as err:
        validate(ds)
    msg = str(err.value)
    assert "'labour_skill_share' must sum to 1 over skill where labour compensation > 0" in msg
    assert "sector=S02, region=R03: +0.02" in msg


def test_negative_hours_share_is_rejected(small_dataset):
    ds = _with_skills(small_dataset)
    cell = dict(sector="S01", region="R02")
    ds["hours_skill_share"].loc[dict(skill="low", **cell)] = -0.1      # the sum stays 1
    ds["hours_skill_share"].loc[dict(skill="high", **cell)] = 1.1 - float(
        ds["hours_skill_share"].sel(skill="medium", **cell))
    assert abs(float(ds["hours_skill_share"].sel(**cell).sum()) - 1) < 1e-12
    with pytest.raises(DataValidationError, match=r"'hours_skill_share' outside \[0, 1\]; worst: "
                                                  r"skill=low, sector=S01, region=R02: -0.1"):
        validate(ds)


@pytest.mark.parametrize("labels, detail", [(["high", "middle", "low"], "unknown ['middle']; missing ['medium']"),
                                            (["high", "high", "low"], "duplicate ['high']")])
def test_unknown_or_mismatched_skill_labels_are_rejected(small_dataset, labels, detail):
    ds = _with_skills(small_dataset).assign_coords(skill=labels)
    with pytest.raises(DataValidationError) as err:
        validate(ds)
    assert "skill labels must be ['high', 'medium', 'low']" in str(err.value)
    assert detail in str(err.value)


def test_nan_skill_share_and_missing_partner_are_rejected(small_dataset):
    ds = _with_skills(small_dataset)
    ds["labour_skill_share"].loc[dict(skill="high", sector="S04", region="R01")] = np.nan
    with pytest.raises(DataValidationError, match="'labour_skill_share' has 1 NaN"):
        validate(ds)
    with pytest.raises(DataValidationError, match=r"needs both .*missing \['hours_skill_share'\]"):
        validate(_with_skills(small_dataset).drop_vars("hours_skill_share"))


def test_default_dataset_has_labour_by_skill(default_dataset):
    ds = default_dataset
    assert list(ds.skill.values) == ["high", "medium", "low"]
    for name in ("labour_skill_share", "hours_skill_share", "skill_share_year", "skill_share_imputed"):
        assert {"units", "long_name", "description"} <= set(ds[name].attrs), name
    assert "employment x hours share" in ds["hours_skill_share"].attrs["description"]
    # WIOD SEA 2013 reports skills up to 2009; only WIOD's rest of world is imputed
    assert int(ds.skill_share_year.min()) == int(ds.skill_share_year.max()) == 2009
    assert float(ds.skill_share_imputed.drop_sel(region="ROW").max()) == 0.0
    assert 0.3 < float(ds.skill_share_imputed.sel(region="ROW").min()) < 0.7
    lab = ds.factor_payments.sel(factor="labour")
    share = (ds.labour_skill_share * lab).sum("sector") / lab.sum("sector")
    # SEA 2013 total-economy rows for 2009: USA high 0.51 / low 0.04, CHN high 0.14 / low 0.48
    assert 0.42 < float(share.sel(skill="high", region="USA")) < 0.55
    assert float(share.sel(skill="low", region="USA")) < 0.08
    assert 0.10 < float(share.sel(skill="high", region="CHN")) < 0.20
    assert 0.38 < float(share.sel(skill="low", region="CHN")) < 0.52
    # the high-skilled earn more per hour than the low-skilled in every region-sector
    premium = (ds.labour_skill_share / ds.hours_skill_share)
    assert bool((premium.sel(skill="high") > premium.sel(skill="low")).all())
