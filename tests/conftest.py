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
