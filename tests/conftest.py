import pytest

import cgetrade
from cgetrade.data import load_default, synthetic_dataset


@pytest.fixture(scope="session")
def default_dataset():
    return load_default()


@pytest.fixture(scope="session")
def small_dataset():
    return synthetic_dataset(3, 4, seed=1)


@pytest.fixture(scope="session")
def small_model(small_dataset):
    return cgetrade.CGEModel(cgetrade.calibrate(small_dataset))


@pytest.fixture(scope="session")
def default_model(default_dataset):
    return cgetrade.CGEModel(cgetrade.calibrate(default_dataset))


@pytest.fixture
def fresh_small(small_model):
    small_model.reset()
    yield small_model
    small_model.reset()


@pytest.fixture
def fresh_default(default_model):
    default_model.reset()
    yield default_model
    default_model.reset()


@pytest.fixture(scope="session")
def small_files(tmp_path_factory, small_dataset):
    """The small synthetic dataset and a TFP scenario for it, as files (for the command line)."""
    d = tmp_path_factory.mktemp("small")
    small_dataset.to_netcdf(d / "small.nc", engine="h5netcdf")
    (d / "tfp.toml").write_text('name = "tfp_r01"\ndescription = "TFP +10 % in R01, S01 and S02"\n'
                                'variants = ["low", "central"]\ndefault_variant = "central"\n'
                                '[[shock]]\nkind = "tfp"\nregion = "R01"\nsector = ["S01", "S02"]\n'
                                'value = {low = 0.05, central = 0.10}\n')
    return d


@pytest.fixture(scope="session")
def small_run(small_files):
    """Results file of ``cgetrade run`` on the small synthetic dataset."""
    from cgetrade.cli import main
    out = small_files / "tfp_r01_central.nc"
    assert main(["run", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--out", str(out), "--quiet"]) == 0
    return out
