"""WIOD world tables through the library: the default build's aggregation, folding and RAS."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cgetrade.data import DataValidationError, load_default
from cgetrade.data.wiod import from_wiod

REPO = Path(__file__).resolve().parents[2]
WIOD = REPO.parent / "shared" / "data" / "wiod2013"
pytestmark = pytest.mark.skipif(not WIOD.exists(), reason="WIOD source files not present")


def test_library_route_reproduces_the_default_build_flows():
    reg = pd.read_csv(REPO / "calibration" / "concordances" / "regions.csv")
    sec = pd.read_csv(REPO / "calibration" / "concordances" / "sectors_wiod2013.csv")
    ds = from_wiod(WIOD, labour_share=0.55, regions=dict(zip(reg.country, reg.region)),
                   sectors=dict(zip(sec.code, sec.sector)))
    d = load_default()
    for v in ("intermediate", "final_demand", "gross_output"):
        a = ds[v].sel({k: d[k] for k in d[v].dims if k in ("region", "source", "sector", "commodity")})
        np.testing.assert_allclose(a.transpose(*d[v].dims).values, d[v].values, rtol=1e-9, atol=1e-6)
    assert "3 negative final-demand cells set to 0" in ds.attrs["construction"]


def test_unaggregated_table_names_its_zero_output_industries():
    with pytest.raises(DataValidationError, match=r"gross output must be positive.*\('c5', 'LUX'\)"):
        from_wiod(WIOD, labour_share=0.55)
