"""SAMs of any size -> benchmark dataset (cgetrade.data.from_sam)."""
import numpy as np
import pandas as pd
import pytest

import cgetrade
from cgetrade.checks import homogeneity, walras
from cgetrade.data import DataValidationError, from_sam, sam_balance
from cgetrade.model import Closure
from cgetrade.scenario import Scenario, Shock

from .samples import ten_sector_sam

#: a small open economy needs imperfect transformation between domestic sales and exports
#: (with sigma_t = inf every exporting sector's price is pinned to world prices)
SMALL_OPEN = cgetrade.Elasticities.gtap_default().override(sigma_t=2.0)


def small_open_model(ds):
    region = str(ds.region.values[0])
    return cgetrade.CGEModel(cgetrade.calibrate(ds, SMALL_OPEN),
                             Closure(numeraire=("factor", "labour", region), foreign_saving="rest_of_world"))


@pytest.fixture(scope="module")
def sam10():
    return ten_sector_sam()


def test_ten_sector_sam_calibrates_replicates_and_passes_checks(sam10):
    sam, types = sam10
    before = sam.copy()
    ds = from_sam(sam, types, region="TEN")
    pd.testing.assert_frame_equal(sam, before)                     # input untouched
    assert ds.sizes["sector"] == 10 and ds.attrs["rest_of_world"] == "ROW"
    assert list(ds.factor.values) == ["labour", "capital", "LND"]
    # gross output = the activity's row total; tariffs and exports as in the SAM
    assert float(ds.gross_output.sel(sector="C03", region="TEN")) == pytest.approx(sam.loc["A03"].sum())
    assert float(ds.import_tariff.sum()) == pytest.approx(sam.loc["TARIFF"].sum())
    assert float(ds.exports_rest_of_world.sum()) == pytest.approx(sam["ROW"].loc[[f"C{k:02d}" for k in range(1, 11)]].sum())
    # direct tax net of the government's transfers to households
    assert float(ds.direct_tax.sum()) == pytest.approx(sam.loc["DTAX"].sum() - sam.loc["HH2", "GOV"])
    model = small_open_model(ds)
    assert model.max_residual() <= 1e-8
    assert model.solve().iterations == 0
    assert all(c.passed for c in homogeneity(model))
    shock = Scenario("tfp", [Shock("tfp", 0.05, region="TEN", sector="C02")])
    assert all(c.passed for c in walras(model, shock))


def test_long_format_excel_and_accounts_file_give_the_same_dataset(sam10, tmp_path):
    sam, types = sam10
    a = from_sam(sam, types, region="TEN")
    long = sam.stack().rename("value").reset_index()
    long.columns = ["row", "col", "value"]
    long[long.value != 0].to_csv(tmp_path / "sam_long.csv", index=False)
    pd.DataFrame([(lab, t) for t, labs in types.items() for lab in labs],
                 columns=["account", "type"]).to_csv(tmp_path / "accounts.csv", index=False)
    b = from_sam(tmp_path / "sam_long.csv", tmp_path / "accounts.csv", region="TEN")
    sam.to_excel(tmp_path / "sam.xlsx")
    c = from_sam(tmp_path / "sam.xlsx", types, region="TEN")
    sam.to_csv(tmp_path / "sam.csv")
    d = from_sam(tmp_path / "sam.csv", types, region="TEN")
    for other in (b, c, d):
        for v in a.data_vars:
            np.testing.assert_allclose(other[v].values, a[v].values, rtol=1e-12, atol=1e-12)


def test_unbalanced_sam_names_the_worst_accounts(sam10):
    sam, types = sam10
    bad = sam.copy()
    bad.loc["C04", "HH1"] += 3.0
    with pytest.raises(DataValidationError, match=r"not balanced.*worst accounts: (C04|HH1): [+-]3"):
        from_sam(bad, types)
    assert sam_balance(bad).index[:2].tolist() in (["C04", "HH1"], ["HH1", "C04"])


def test_unbalanced_sam_can_be_balanced_first_with_a_report(sam10):
    sam, types = sam10
    bad = sam.copy()
    bad.loc["C04", "HH1"] *= 1.05
    ds = from_sam(bad, types, balance="cross_entropy", region="TEN")
    assert "largest changes" in ds.attrs["balancing"]
    assert small_open_model(ds).max_residual() <= 1e-8


def test_bad_account_declarations_are_refused(sam10):
    sam, types = sam10
    with pytest.raises(DataValidationError, match="unknown account type 'enterprise'"):
        from_sam(sam, {**types, "enterprise": ["ENT"]})
    with pytest.raises(DataValidationError, match="account .HH2. declared twice"):
        from_sam(sam, {**types, "government": ["GOV", "HH2"]})
    partial = {k: v for k, v in types.items() if k != "direct_tax"}
    with pytest.raises(DataValidationError, match=r"accounts without a declared type: \['DTAX'\]"):
        from_sam(sam, partial)
    with pytest.raises(DataValidationError, match=r"declared accounts not found in any SAM: \['NOPE'\]"):
        from_sam(sam, {**types, "investment": ["S-I", "NOPE"]})


def test_unsupported_negative_and_nan_cells_are_named(sam10):
    sam, types = sam10
    remit = sam.copy()          # remittances: the rest of the world pays households
    remit.loc["HH1", "ROW"] += 5.0
    remit.loc["S-I", "HH1"] += 5.0
    remit.loc["S-I", "ROW"] -= 5.0
    remit.loc["ROW", "S-I"] += 0.0
    with pytest.raises(DataValidationError, match=r"does not represent.*\[HH1 \(household\), ROW \(rest_of_world\)\]"):
        from_sam(remit, types)
    neg = sam.copy()
    neg.loc["C01", "A02"] *= -1
    neg.loc["C01", "HH1"] += 2 * sam.loc["C01", "A02"]
    neg.loc["S-I", "HH1"] -= 2 * sam.loc["C01", "A02"]
    neg.loc["C01", "S-I"] += 0.0
    with pytest.raises(DataValidationError, match=r"negative flows.*\[C01, A02\]"):
        from_sam(neg, types, tolerance=1.0)
    nan = sam.copy()
    nan.loc["LAB", "A05"] = np.nan
    with pytest.raises(DataValidationError, match=r"NaN.*\[LAB, A05\]"):
        from_sam(nan, types)


def test_multi_product_activity_is_refused(sam10):
    sam, types = sam10
    two = sam.copy()
    two.loc["A01", "C02"] = 1.0
    two.loc["A01", "C01"] -= 1.0
    with pytest.raises(DataValidationError, match="activity A01 makes"):
        from_sam(two, types, tolerance=1.0)


def test_sams_in_different_currencies_or_years_are_refused(sam10):
    sam, types = sam10
    with pytest.raises(DataValidationError, match="mixed currencies: A: USD million, B: EUR million"):
        from_sam({"A": sam, "B": sam}, types, units={"A": "USD million", "B": "EUR million"})
    with pytest.raises(DataValidationError, match="mixed years: A: 2017, B: 2019"):
        from_sam({"A": sam, "B": sam}, types, year={"A": 2017, "B": 2019})


def test_sam_route_end_to_end_from_the_cli_and_python(sam10, tmp_path, capsys):
    """A one-country SAM with its accounts file runs from `cgetrade run` (small open economy:
    labour the numeraire, foreign saving in the rest of the world's currency; no EV
    decomposition for it, said so) and from Python with the library's closure."""
    import xarray as xr

    import cgetrade
    from cgetrade.cli import main
    from cgetrade.model.closures import small_open_economy
    from cgetrade.scenario import Scenario, Shock
    sam, types = sam10
    sam.to_csv(tmp_path / "sam.csv")
    pd.DataFrame([(lab, t) for t, labs in types.items() for lab in labs],
                 columns=["account", "type"]).to_csv(tmp_path / "types.csv", index=False)
    (tmp_path / "s.toml").write_text('[[shock]]\nkind = "tfp"\nvalue = 0.1\n')
    out = tmp_path / "s.nc"
    assert main(["run", str(tmp_path / "s.toml"), "--dataset", str(tmp_path / "sam.csv"),
                 "--accounts", str(tmp_path / "types.csv"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "EV decomposition not available" in printed
    with xr.open_dataset(out, engine="h5netcdf") as res:
        assert float(res.real_gdp_pct.max()) > 0          # TFP raises real GDP
    ds = from_sam(sam, types, region="TEN")
    closure, el = small_open_economy(ds)
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, el), closure)
    model.solve()
    Scenario("tfp", [Shock("tfp", 0.1)]).apply(model)
    sol = model.solve()
    assert sol.max_residual <= 1e-8 and abs(model.walras_residual()) <= 1e-8


def test_results_of_a_sam_without_persons_or_currency_say_so(sam10):
    """No 'thousand persons' or 'USD m' on data that has neither."""
    from cgetrade.results import collect
    sam, types = sam10
    ds = from_sam(sam, types, region="TEN")
    res = collect(small_open_model(ds))
    assert res.attrs["persons_unit"].startswith("labour units")
    assert res["employment"].attrs["units"].startswith("labour units")
    assert "USD" not in res["income"].attrs["units"]
    with_persons = from_sam(sam, types, region="TEN", employment={s: 1.0 for s in ds.sector.values})
    assert collect(small_open_model(with_persons))["employment"].attrs["units"] == "thousand persons"
