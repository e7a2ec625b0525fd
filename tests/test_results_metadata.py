"""Self-describing results: every variable with long_name and units (from one table)."""
import json

import numpy as np
import pytest
import xarray as xr

from cgetrade import metadata
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario, Shock


def test_every_variable_of_a_results_file_has_long_name_and_units(small_run):
    ds = xr.open_dataset(small_run, engine="h5netcdf")
    assert len(ds.data_vars) > 90
    for name, da in ds.data_vars.items():
        assert da.attrs.get("long_name"), f"{name} has no long_name"
        assert "units" in da.attrs and da.attrs["units"] != "", f"{name} has no units"
    for name, c in ds.coords.items():
        assert c.attrs.get("long_name"), f"coordinate {name} has no long_name"
    assert ds.attrs["Conventions"].startswith("CF-")
    ds.close()


def test_changes_of_rates_and_balances_are_differences(small_run):
    ds = xr.open_dataset(small_run, engine="h5netcdf")
    for meaningless in ("trade_balance_pct", "unemployment_rate_pct", "domestic_share_pct",
                        "import_source_share_pct", "ev_pct", "ev_pct_income_pct"):
        assert meaningless not in ds, meaningless
    tb = ds.trade_balance
    np.testing.assert_allclose(ds.trade_balance_change, tb.sel(case="scenario") - tb.sel(case="baseline"))
    assert ds.trade_balance_change.attrs["units"] == ds.trade_balance.attrs["units"]
    share = ds.domestic_share
    np.testing.assert_allclose(ds.domestic_share_change,
                               100 * (share.sel(case="scenario") - share.sel(case="baseline")))
    # percentage points: UDUNITS percent in the file, the readable label beside it
    for v in (ds.domestic_share_change, ds.unemployment_rate_change):
        assert v.attrs["units"] == "%" and v.attrs["units_label"] == "pp"
    assert float(abs(ds.domestic_share_change).max()) > 1e-4      # the shock moves shares
    # persons: % change and difference in the file's unit
    assert ds.employment_change.attrs["units"] == ds.employment.attrs["units"] == "thousand persons"
    ds.close()


def test_run_records_scenario_shocks_closure_dataset_and_solver(small_run):
    ds = xr.open_dataset(small_run, engine="h5netcdf")
    a = ds.attrs
    assert a["scenario"] == "tfp_r01" and a["variant"] == "central"
    shocks = json.loads(a["shocks"])
    assert shocks == [{"kind": "tfp", "value": 0.1, "region": ["R01"], "sector": ["S01", "S02"],
                       "basis": "sector", "mode": "add"}]
    assert json.loads(a["closure"])["numeraire"] == ["world_price_index"]
    assert "world_price_index" in a["nominal_anchor"]
    assert a["dataset"].startswith("synthetic balanced benchmark 3x4")
    assert a["cgetrade_version"] and a["solver_iterations"] > 0 and a["max_residual"] <= 1e-8
    # one money unit for every value and volume, from the dataset's currency
    assert ds.ev.attrs["units"] == ds.income.attrs["units"] == "arbitrary units"
    ds.close()


def test_default_results_name_sectors_and_regions(fresh_default):
    fresh_default.solve()
    res = collect(fresh_default)
    assert str(res.sector_name.sel(sector="ELE").values).startswith("Electrical and optical equipment")
    assert str(res.region_name.sel(region="USA").values) == "United States"
    assert res.ev.attrs["units"] == "USD m" and res.output.attrs["units"] == "USD m at 2011 prices"
    assert metadata.missing(res) == []


def test_variables_added_later_get_metadata_from_the_table(fresh_small):
    """A new variable needs one registry line: levels, % changes and pp differences follow."""
    fresh_small.solve()
    base = collect(fresh_small)
    Scenario("t", [Shock("tfp", 0.1, region="R01")]).apply(fresh_small)
    fresh_small.solve()
    scen = collect(fresh_small)
    for ds in (base, scen):
        ds["labour_share_test"] = ds.factor_price.sel(factor="labour") * 0 + [0.5, 0.6, 0.7]
        ds["persons_test"] = ds.employment.sum("sector")
    metadata.register("labour_share_test", "labour share (test)", "1", "rate")
    metadata.register("persons_test", "persons (test)", "{persons}", "count")
    try:
        scen["labour_share_test"] = scen["labour_share_test"] + 0.01
        res = compare(base, scen)
        assert res.labour_share_test_change.attrs == {"long_name": "change of labour share (test) "
                                                      "(percentage points)", "units": "pp"}
        np.testing.assert_allclose(res.labour_share_test_change, 1.0)
        assert "labour_share_test_pct" not in res
        assert res.persons_test_change.attrs["units"] == "thousand persons"
        assert res.persons_test_pct.attrs["units"] == "%"
        assert metadata.missing(res) == []
    finally:
        for k in ("labour_share_test", "persons_test"):
            metadata.VARIABLES.pop(k)


def test_unknown_kind_is_rejected():
    import pytest
    with pytest.raises(ValueError, match="kind"):
        metadata.register("x", "x", "1", "ratio")


def test_units_in_files_parse_as_udunits_except_money_and_persons(tmp_path):
    """Written results carry UDUNITS units (pp -> %, % per year -> % year-1, ...); only money
    and head counts, which UDUNITS does not have, stay as they are and are named in units_note."""
    cf_units = pytest.importorskip("cf_units")
    import xarray as xr

    from cgetrade.results import save
    ds = xr.Dataset({"gap": ("region", [0.5, 1.0], {"units": "pp", "long_name": "gap"}),
                     "rate": ("region", [2.0, 1.0], {"units": "% per year", "long_name": "rate"}),
                     "loss": ("region", [2.0, 1.0], {"units": "pp2", "long_name": "loss"}),
                     "ev": ("region", [1.0, 2.0], {"units": "USD m", "long_name": "EV"})},
                    coords={"region": ["A", "B"]}, attrs={"money_unit": "USD m"})
    save(ds, tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc", engine="h5netcdf") as back:
        assert back.gap.attrs["units"] == "%" and back.gap.attrs["units_label"] == "pp"
        for name in ("gap", "rate", "loss"):
            cf_units.Unit(back[name].attrs["units"])          # parses
        assert "UDUNITS has no currencies" in back.attrs["units_note"]
        assert back.ev.attrs["units"] == "USD m"
