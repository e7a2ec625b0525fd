"""Multi-regional tables -> dataset: pymrio's test system and a file in OECD ICIO layout."""
import warnings

import numpy as np
import pandas as pd
import pytest

import cgetrade
from cgetrade.checks import homogeneity, walras
from cgetrade.data import DataValidationError, synthetic_dataset
from cgetrade.data.mrio import from_icio, from_mrio, read_icio
from cgetrade.scenario import Scenario, Shock

from .samples import write_icio


def labour_share_of(ds):
    v = ds.factor_payments
    return (v.sel(factor="labour") / v.sum("factor")).to_series().swaplevel().sort_index()


def checks_pass(ds, region, sector):
    model = cgetrade.CGEModel(cgetrade.calibrate(ds))
    assert model.max_residual() <= 1e-8
    assert model.solve().iterations == 0
    assert all(c.passed for c in homogeneity(model))
    assert all(c.passed for c in walras(model, Scenario("s", [Shock("tfp", 0.05, region=region, sector=sector)])))


@pytest.fixture(scope="module")
def pymrio_test():
    pymrio = pytest.importorskip("pymrio")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pymrio.load_test()


def test_pymrio_test_system_calibrates_and_solves(pymrio_test):
    Z0 = pymrio_test.Z.copy()
    ds = from_mrio(pymrio_test, labour_share=0.6,
                   regions={"A": ["reg1", "reg2"], "B": ["reg3", "reg4"], "C": ["reg5", "reg6"]})
    pd.testing.assert_frame_equal(pymrio_test.Z, Z0)             # input untouched
    assert list(ds.region.values) == ["A", "B", "C"] and ds.sizes["sector"] == 8
    # gross output of the aggregate = the system's output of its members
    x = pymrio_test.x if pymrio_test.x is not None else None
    total = (pymrio_test.Z.sum(axis=1) + pymrio_test.Y.sum(axis=1)).loc[["reg1", "reg2"]].sum()
    assert float(ds.gross_output.sel(region="A").sum()) == pytest.approx(total, rel=1e-9)
    assert "value added is the column residual" in ds.attrs["construction"]
    checks_pass(ds, "A", "food")


def test_pymrio_without_labour_split_asks_for_a_labour_share(pymrio_test):
    with pytest.raises(DataValidationError, match="give labour_share"):
        from_mrio(pymrio_test)


def test_icio_file_round_trip_recovers_the_dataset(tmp_path):
    ds = synthetic_dataset(3, 4, seed=5).assign_coords(
        region=["CHN", "USA", "DEU"], source=["CHN", "USA", "DEU"],
        sector=["01T02", "C26", "G", "K"], commodity=["01T02", "C26", "G", "K"])
    path = tmp_path / "ICIO2023_2019.csv"
    write_icio(path, ds, china_split=True)
    text = path.read_text()
    out = from_icio(path, labour_share=labour_share_of(ds))
    assert path.read_text() == text                              # input file untouched
    assert list(out.region.values) == ["CHN", "USA", "DEU"]     # CN1 + CN2 merged into CHN
    for v in ("intermediate", "final_demand", "factor_payments", "production_tax", "gross_output"):
        np.testing.assert_allclose(out[v].transpose(*ds[v].dims).values, ds[v].values, rtol=1e-9, atol=1e-9)
    checks_pass(out, "USA", "C26")


def test_icio_negative_inventories_are_folded_and_balanced(tmp_path):
    ds = synthetic_dataset(3, 4, seed=6)
    write_icio(tmp_path / "icio.csv", ds, negative_inventory=True)
    Z, Y, VA, X = read_icio(tmp_path / "icio.csv")
    assert (Y.xs("INVNT", axis=1, level=1) < 0).any().any()
    out = from_icio(tmp_path / "icio.csv", labour_share=0.55, sectors={"S01": "A", "S02": "A", "S03": "B", "S04": "B"})
    assert out.sizes["sector"] == 2
    checks_pass(out, "R01", "A")


def test_icio_bad_labels_are_named(tmp_path):
    ds = synthetic_dataset(2, 2, seed=1)
    write_icio(tmp_path / "icio.csv", ds)
    raw = pd.read_csv(tmp_path / "icio.csv", index_col=0)
    raw = raw.rename(index={"VA": "WAGES"})
    raw.to_csv(tmp_path / "bad.csv")
    with pytest.raises(DataValidationError, match=r"rows not of the form COUNTRY_INDUSTRY.*WAGES"):
        from_icio(tmp_path / "bad.csv", labour_share=0.5)
    raw = pd.read_csv(tmp_path / "icio.csv", index_col=0)
    raw.iloc[0, 1] = -5.0
    raw.to_csv(tmp_path / "neg.csv")
    with pytest.raises(DataValidationError, match=r"negative intermediate flows at \[\('R01', 'S01'\)"):
        from_icio(tmp_path / "neg.csv", labour_share=0.5)
    with pytest.raises(DataValidationError, match=r"region labels without an aggregate: \['R02'\]"):
        from_icio(tmp_path / "icio.csv", labour_share=0.5, regions={"R01": "X"})


def test_mixed_currencies_in_a_pymrio_system_are_named(pymrio_test):
    io = pymrio_test.copy()
    io.factor_inputs.unit = io.factor_inputs.unit.replace("Mill USD", "Mill EUR")
    with pytest.raises(DataValidationError, match="mixed currencies: the system is in 'Mill USD'.*'Mill EUR'"):
        from_mrio(io, labour_share=0.6)
