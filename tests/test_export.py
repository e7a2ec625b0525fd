"""cgetrade export: results as a tidy table, one row per value, with units."""
import numpy as np
import pandas as pd
import xarray as xr

from cgetrade.cli import main
from cgetrade.report.export import tidy
from cgetrade.results import save


def _results():
    return xr.Dataset(
        {"ev": ("region", np.array([1.5, -2.0]), {"units": "USD m", "long_name": "equivalent variation"}),
         "price_pct": (("sector", "region"), np.arange(6.0).reshape(3, 2), {"units": "%"}),
         "label": ("region", np.array(["a", "b"], dtype=object))},
        coords={"region": ["A", "B"], "sector": ["X", "Y", "Z"]}, attrs={"scenario": "s"})


def test_tidy_has_one_row_per_value_with_units():
    t = tidy(_results())
    assert len(t) == 2 + 6                              # strings are not values
    assert list(t.columns) == ["variable", "region", "sector", "value", "units", "long_name"]
    row = t[(t.variable == "price_pct") & (t.sector == "Y") & (t.region == "B")]
    assert float(row.value.iloc[0]) == 3.0 and row.units.iloc[0] == "%"
    assert t[t.variable == "ev"].sector.isna().all()


def test_cli_export_csv_and_excel(tmp_path, capsys):
    path = tmp_path / "res.nc"
    save(_results(), path)
    assert main(["export", str(path), "--csv", str(tmp_path / "r.csv"), "--xlsx", str(tmp_path / "r.xlsx")]) == 0
    csv = pd.read_csv(tmp_path / "r.csv")
    xls = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None)
    assert len(csv) == 8 and set(xls) == {"values", "attributes"}
    assert np.isclose(csv.value.sum(), xls["values"].value.sum())
    assert "scenario" in set(xls["attributes"].attribute)
