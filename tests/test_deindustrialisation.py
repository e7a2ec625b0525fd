"""The 13-region dataset (emerging economies separated); its page's table is checked by
tests/test_docs_generated.py."""
import numpy as np
import pytest

import cgetrade
from cgetrade.checks import benchmark_replication
from cgetrade.data.io import SHIPPED

EMERGING = ["IND", "IDN", "BRA", "MEX", "RUS", "TUR"]


def test_emerging_dataset_loads_by_name_and_replicates():
    ds = cgetrade.data.load("wiod2011_13x8")
    assert set(EMERGING) <= set(ds.region.values) and "ADV" in ds.region.values
    default = cgetrade.data.load_default()
    # the same world: the 13 regions add up to the default's 6 (flows and persons)
    for var in ("gross_output", "employment"):
        np.testing.assert_allclose(float(ds[var].sum()), float(default[var].sum()), rtol=1e-5)
    model = cgetrade.CGEModel(cgetrade.calibrate(ds))
    assert all(c.passed for c in benchmark_replication(model))
    assert {"wiod2011_6x8", "wiod2011_13x8"} <= set(SHIPPED)


def test_unknown_shipped_name_is_a_missing_file():
    with pytest.raises(FileNotFoundError):
        cgetrade.data.load("wiod2011_99x8")
