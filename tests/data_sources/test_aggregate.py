"""Aggregation by concordance of any dataset, with value-weighted elasticities."""
import numpy as np
import pytest
import xarray as xr

import cgetrade
from cgetrade.data import DataValidationError, load_default, synthetic_dataset
from cgetrade.data.aggregate import aggregate, aggregate_elasticities, read_concordance


def test_aggregation_sums_flows_and_replicates(tmp_path):
    ds = synthetic_dataset(4, 5, seed=2)
    before = ds.copy(deep=True)
    (tmp_path / "regions.csv").write_text("country,region\nR01,A\nR02,A\nR03,B\nR04,B\n")
    (tmp_path / "sectors.toml").write_text('[sectors]\nX = ["S01", "S02"]\nY = ["S03", "S04", "S05"]\n')
    agg = aggregate(ds, regions=tmp_path / "regions.csv", sectors=tmp_path / "sectors.toml")
    xr.testing.assert_identical(ds, before)
    assert list(agg.region.values) == ["A", "B"] and list(agg.sector.values) == ["X", "Y"]
    assert float(agg.intermediate.sel(commodity="X", source="A", sector="Y", region="B")) == pytest.approx(
        float(ds.intermediate.sel(commodity=["S01", "S02"], source=["R01", "R02"],
                                  sector=["S03", "S04", "S05"], region=["R03", "R04"]).sum()))
    for v in ("gross_output", "employment", "factor_payments"):
        assert float(agg[v].sum()) == pytest.approx(float(ds[v].sum()))
    el = aggregate_elasticities(cgetrade.Elasticities.gtap_default().override(sigma_va={"S01": 0.2, "S02": 1.2}),
                                tmp_path / "sectors.toml", ds)
    va = ds.factor_payments.sum(("factor", "region"))
    expect = (0.2 * float(va.sel(sector="S01")) + 1.2 * float(va.sel(sector="S02"))) / float(va.sel(sector=["S01", "S02"]).sum())
    assert el.value("sigma_va", "X") == pytest.approx(expect)
    model = cgetrade.CGEModel(cgetrade.calibrate(agg, el))
    assert model.max_residual() <= 1e-8 and model.solve().iterations == 0


def test_default_dataset_regrouped_replicates():
    agg = aggregate(load_default(), regions={"ASIA": ["CHN", "JPN", "EAS"], "WEST": ["USA", "EU"], "ROW": ["ROW"]})
    model = cgetrade.CGEModel(cgetrade.calibrate(agg))
    assert model.max_residual() <= 1e-8
    # skill shares are averaged with their weights: labour compensation and persons by skill
    # of the merged regions add up to those of their members
    default = cgetrade.calibrate(load_default(), skills=True).data
    merged = cgetrade.calibrate(agg, skills=True).data
    for var in ("vfm", "persons_by_factor"):
        a = merged[var].sel(region="ASIA").sum("sector")
        b = default[var].sel(region=["CHN", "JPN", "EAS"]).sum(("sector", "region"))
        np.testing.assert_allclose(a, b, rtol=1e-9)


def test_bad_concordances_are_named(tmp_path):
    ds = synthetic_dataset(3, 3, seed=1)
    with pytest.raises(DataValidationError, match=r"region labels without an aggregate: \['R03'\]"):
        aggregate(ds, regions={"R01": "A", "R02": "A"})
    with pytest.raises(DataValidationError, match=r"maps labels the data does not have: \['R09'\]"):
        aggregate(ds, regions={"R01": "A", "R02": "A", "R03": "B", "R09": "B"})
    (tmp_path / "dup.csv").write_text("from,to\nS01,A\nS01,B\nS02,A\nS03,A\n")
    with pytest.raises(DataValidationError, match=r"mapped to more than one aggregate: \['S01'\]"):
        read_concordance(tmp_path / "dup.csv")
    with pytest.raises(DataValidationError, match="mapped twice"):
        read_concordance({"A": ["S01", "S02"], "B": ["S02"]})
