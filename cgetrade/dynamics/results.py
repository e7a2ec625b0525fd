"""Results of a path: levels with a ``year`` dimension, growth rates, deviations from the
baseline.

    growth_t       = 100 [(X_t / X_(t-s))^(1/s) - 1]          (% per year; s = step)
    CPI inflation  = growth of the CPI (relative to the numeraire, see the attrs)
    import / domestic contributions: exact split of 100 dln CPI_t/CPI_(t-s) (Sato-Vartia,
                     cgetrade.policy.cpi_decomposition), per year; the domestic one split into
                     imported intermediates (import content of domestic prices) and value added
    deviation      = 100 (X_policy / X_baseline - 1) per year; inflation deviations in
                     percentage points per year
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..policy import cpi_decomposition
from ..results import percent_change, save

#: level variables whose growth rate per year is reported
GROWTH = {"real_gdp": "real GDP growth", "cpi": "CPI inflation", "capital_stock": "capital stock growth",
          "investment": "real investment growth"}
#: variables compared with the baseline in policy results
DEVIATIONS = ("real_gdp", "cpi", "cpi_laspeyres", "output", "employment", "exports", "imports",
              "factor_price", "real_wage", "capital_stock", "investment", "income",
              "bilateral_trade", "domestic_share", "real_exchange_rate", "terms_of_trade")


def _per_year(values, step):
    return 100.0 * (values ** (1.0 / step) - 1.0)


def assemble(records, years, step: int) -> xr.Dataset:
    """Concatenate yearly results and add growth rates and the CPI decomposition."""
    ds = xr.concat(records, dim=xr.DataArray(years, dims="year", name="year",
                                             attrs={"long_name": "year", "units": "year"}))
    for v, name in GROWTH.items():
        ratio = ds[v] / ds[v].shift(year=1)
        ds[f"{v}_growth"] = _per_year(ratio, step)
        ds[f"{v}_growth"].attrs = {"long_name": f"{name} (first year: NaN)", "units": "% per year"}
    ds = ds.rename({"cpi_growth": "cpi_inflation"})
    ds["cpi_inflation"].attrs["long_name"] = ("CPI inflation, year on year, relative to the numeraire "
                                              "(first year: NaN)")
    imp = np.full((len(years), ds.sizes["region"]), np.nan)
    dom, mid = imp.copy(), imp.copy()
    for k in range(1, len(years)):
        dec = cpi_decomposition(records[k - 1], records[k])
        imp[k], dom[k] = dec["cpi_import_pct"].values / step, dec["cpi_domestic_pct"].values / step
        mid[k] = dec["cpi_imported_intermediates_pct"].values / step
    ds["cpi_inflation_import"] = (("year", "region"), imp, {
        "long_name": "import-price contribution to CPI inflation (100 dln CPI per year)", "units": "% per year"})
    ds["cpi_inflation_domestic"] = (("year", "region"), dom, {
        "long_name": "domestic-price contribution to CPI inflation (100 dln CPI per year)", "units": "% per year"})
    ds["cpi_inflation_imported_intermediates"] = (("year", "region"), mid, {
        "long_name": "contribution of imported intermediates to CPI inflation (100 dln CPI per year)",
        "units": "% per year"})
    ds["cpi_inflation_domestic_value_added"] = (("year", "region"), dom - mid, {
        "long_name": "contribution of domestic value added to CPI inflation (100 dln CPI per year)",
        "units": "% per year"})
    ds["employment_total"] = ds["employment"].sum("sector")
    ds["employment_total"].attrs = {"long_name": "employment, all sectors", "units": "thousand persons"}
    return ds


def deviations(base: xr.Dataset, scen: xr.Dataset) -> xr.Dataset:
    """Policy levels with deviations from the baseline per year (``<v>_dev_pct``),
    inflation and growth deviations in percentage points per year, employment changes."""
    out = scen.copy()
    pct = percent_change(base[list(DEVIATIONS)], scen[list(DEVIATIONS)])
    for v in DEVIATIONS:
        out[f"{v}_dev_pct"] = pct[v]
        out[f"{v}_dev_pct"].attrs = {"long_name": f"deviation of {v} from the baseline", "units": "%"}
    for v in ("cpi_inflation", "cpi_inflation_import", "cpi_inflation_domestic",
              "cpi_inflation_imported_intermediates", "cpi_inflation_domestic_value_added", "real_gdp_growth"):
        if v not in base:            # a baseline stored before the three-way split
            continue
        out[f"{v}_dev_pp"] = scen[v] - base[v]
        out[f"{v}_dev_pp"].attrs = {"long_name": f"{v} minus the baseline's", "units": "percentage points per year"}
    out["employment_change"] = scen["employment"] - base["employment"]
    out["employment_change"].attrs = {"long_name": "employment minus the baseline's", "units": "thousand persons"}
    for v in ("real_gdp", "cpi", "employment_total"):
        out[f"baseline_{v}"] = base[v]
        out[f"baseline_{v}"].attrs = dict(base[v].attrs, long_name=f"baseline {base[v].attrs.get('long_name', v)}")
    out["baseline_cpi_inflation"] = base["cpi_inflation"]
    out["baseline_cpi_inflation"].attrs = dict(base["cpi_inflation"].attrs)
    return out


def save_path(ds: xr.Dataset, path) -> None:
    """netCDF (h5netcdf), as cgetrade.results.save."""
    save(ds, path)


def load_baseline(path) -> xr.Dataset:
    with xr.open_dataset(path, engine="h5netcdf") as f:
        return f.load()
