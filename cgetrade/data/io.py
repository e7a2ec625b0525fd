"""Loading benchmark datasets (netCDF) with validation."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import xarray as xr

from .schema import DataValidationError, validate

#: datasets shipped in the package, by name (docs/data.md): the default, WIOD 2011 with
#: the large emerging economies as regions of their own (calibration/build_emerging_dataset.py),
#: and the 2024 base of the historical simulation 2011-2024 (calibration/build_base2024.py)
SHIPPED = {"wiod2011_6x8": "wiod2011_6x8.nc", "wiod2011_13x8": "wiod2011_13x8.nc",
           "base2024": "base2024.nc"}
#: the dataset every command uses without --dataset (a name of SHIPPED)
DEFAULT_NAME = "wiod2011_6x8"
DEFAULT_DATASET = SHIPPED[DEFAULT_NAME]


def default_path() -> Path:
    """Path of the shipped default dataset (package data)."""
    return Path(str(resources.files("cgetrade.data") / "default" / DEFAULT_DATASET))


def shipped_path(name: str) -> Path:
    """Path of a shipped dataset by name (``SHIPPED``)."""
    return Path(str(resources.files("cgetrade.data") / "default" / SHIPPED[name]))


def load(path: str | Path) -> xr.Dataset:
    """Load a benchmark dataset from netCDF and validate it (raises DataValidationError).
    ``path`` may also be the name of a shipped dataset (``SHIPPED``, e.g. "wiod2011_13x8")."""
    if str(path) in SHIPPED and not Path(path).exists():
        path = shipped_path(str(path))
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"dataset file not found: {path}")
    if path.is_dir():
        raise DataValidationError(f"{path} is a directory, not a dataset file (netCDF)")
    if path.stat().st_size == 0:
        raise DataValidationError(f"dataset file {path} is empty")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as f:
            ds = f.load()
    except Exception as err:     # h5py/h5netcdf raise OSError, ValueError, KeyError, ... on bad files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DataValidationError(f"cannot read dataset file {path}: not a readable netCDF4/HDF5 "
                                  f"file (truncated, corrupt or another format): {reason}") from None
    validate(ds)
    return ds


def load_default() -> xr.Dataset:
    """The embedded default dataset: WIOD 2011, 6 regions x 8 sectors (see docs/data.md)."""
    return load(default_path())
