"""Results as tidy tables: one row per value, with its variable, coordinates and units
(``cgetrade export results.nc --csv out.csv --xlsx out.xlsx``)."""
from __future__ import annotations


import pandas as pd
import xarray as xr


def tidy(ds: xr.Dataset) -> pd.DataFrame:
    """Every numeric data variable of ``ds`` in long form: columns ``variable``, one column per
    dimension (empty where a variable does not have it), ``value``, ``units``, ``long_name``."""
    frames, dims = [], []
    for name, da in ds.data_vars.items():
        if da.dtype.kind not in "biuf":
            continue
        df = da.to_dataframe(name="value").reset_index() if da.dims else pd.DataFrame({"value": [da.item()]})
        df = df[[*da.dims, "value"]]
        df.insert(0, "variable", str(name))
        df["units"] = str(da.attrs.get("units", ""))
        df["long_name"] = str(da.attrs.get("long_name", ""))
        frames.append(df)
        dims += [d for d in da.dims if d not in dims]
    if not frames:
        return pd.DataFrame(columns=["variable", "value", "units", "long_name"])
    out = pd.concat(frames, ignore_index=True)
    return out[["variable", *dims, "value", "units", "long_name"]]


def export(path, csv=None, xlsx=None) -> pd.DataFrame:
    """Write the tidy table of the results file ``path`` as CSV and/or Excel (sheet "values",
    plus "attributes" with the file's global attributes); returns the table."""
    from .._io import atomic_path
    from . import _open
    ds = _open(path)
    table = tidy(ds)
    if csv:
        with atomic_path(csv) as tmp:
            table.to_csv(tmp, index=False)
    if xlsx:
        attrs = pd.DataFrame({"attribute": list(ds.attrs), "value": [str(v) for v in ds.attrs.values()]})
        with atomic_path(xlsx) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                table.to_excel(writer, sheet_name="values", index=False)
                attrs.to_excel(writer, sheet_name="attributes", index=False)
    return table
