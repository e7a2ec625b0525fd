"""Results of a path: levels with a ``year`` dimension, growth rates, deviations from the
baseline.

    growth_t       = 100 [(X_t / X_(t-s))^(1/s) - 1]          (% per year; s = step)
    CPI relative change = growth of the CPI relative to the numeraire (the world export
                     price index; a relative price, not inflation: a real run has no money)
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
GROWTH = {"real_gdp": "real GDP growth", "cpi": "change of the CPI relative to the numeraire", "capital_stock": "capital stock growth",
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
    ds = ds.rename({"cpi_growth": "cpi_relative_change"})
    ds["cpi_relative_change"].attrs["long_name"] = ("change of the CPI relative to the numeraire (world export "
                                                    "price index), year on year; a relative price, not inflation "
                                                    "(first year: NaN)")
    imp = np.full((len(years), ds.sizes["region"]), np.nan)
    dom, mid = imp.copy(), imp.copy()
    for k in range(1, len(years)):
        dec = cpi_decomposition(records[k - 1], records[k])
        imp[k], dom[k] = dec["cpi_import_pct"].values / step, dec["cpi_domestic_pct"].values / step
        mid[k] = dec["cpi_imported_intermediates_pct"].values / step
    ds["cpi_relative_change_import"] = (("year", "region"), imp, {
        "long_name": "import-price contribution to the change of the CPI relative to the numeraire (100 dln per year)", "units": "% per year"})
    ds["cpi_relative_change_domestic"] = (("year", "region"), dom, {
        "long_name": "domestic-price contribution to the change of the CPI relative to the numeraire (100 dln per year)", "units": "% per year"})
    ds["cpi_relative_change_imported_intermediates"] = (("year", "region"), mid, {
        "long_name": "contribution of imported intermediates to the change of the CPI relative to the numeraire (100 dln per year)",
        "units": "% per year"})
    ds["cpi_relative_change_domestic_value_added"] = (("year", "region"), dom - mid, {
        "long_name": "contribution of domestic value added to the change of the CPI relative to the numeraire (100 dln per year)",
        "units": "% per year"})
    ds["employment_total"] = ds["employment"].sum("sector")
    ds["employment_total"].attrs = {"long_name": "employment, all sectors", "units": "thousand persons"}
    return _labour_flows(ds, step)


def _labour_flows(ds: xr.Dataset, step: int) -> xr.Dataset:
    """Job flows, movers and unemployed person-years by labour type, sector and region:

        jobs_lost_in_year_t  = max(0, persons_(t-s) - persons_t)
        jobs_found_in_year_t = max(0, persons_t - persons_(t-s))
        movers_in_t  = max(0, LF_j,t - LF_j,(t-s) N_t / N_(t-s))   (labour force attached to j, net
                       of labour force growth; movers_out likewise), first year 0
        unemployed_person_years_t = sum_(tau <= t) unemployed_tau * s
    """
    persons = ds["persons"]
    d = persons - persons.shift(year=1)
    ds["jobs_lost_in_year"] = (-d).clip(min=0).fillna(0.0)
    ds["jobs_lost_in_year"].attrs = {"long_name": "jobs lost in the year: fall of persons employed by labour type, "
                                          "sector and region since the previous period", "units": "thousand persons"}
    ds["jobs_found_in_year"] = d.clip(min=0).fillna(0.0)
    ds["jobs_found_in_year"].attrs = {"long_name": "jobs found in the year: rise of persons employed by labour type, "
                                           "sector and region since the previous period", "units": "thousand persons"}
    lf = ds["labour_force_sector"]
    growth = ds["labour_force"] / ds["labour_force"].shift(year=1)
    moved = (lf - lf.shift(year=1) * growth).fillna(0.0)
    ds["movers_in"] = moved.clip(min=0)
    ds["movers_in"].attrs = {"long_name": "workers moving into the sector's attached labour force in the "
                                          "year (net of labour force growth)", "units": "thousand persons"}
    ds["movers_out"] = (-moved).clip(min=0)
    ds["movers_out"].attrs = {"long_name": "workers leaving the sector's attached labour force in the "
                                           "year (net of labour force growth)", "units": "thousand persons"}
    ds["unemployed_person_years"] = (ds["unemployed_by_skill_sector"] * step).cumsum("year")
    ds["unemployed_person_years"].attrs = {"long_name": "unemployed person-years since the first year, by "
                                                        "labour type and sector of attachment",
                                           "units": "thousand person-years"}
    return ds


def deviations(base: xr.Dataset, scen: xr.Dataset) -> xr.Dataset:
    """Policy levels with deviations from the baseline per year (``<v>_dev_pct``),
    inflation and growth deviations in percentage points per year, employment changes."""
    out = scen.copy()
    pct = percent_change(base[list(DEVIATIONS)], scen[list(DEVIATIONS)])
    for v in DEVIATIONS:
        out[f"{v}_dev_pct"] = pct[v]
        out[f"{v}_dev_pct"].attrs = {"long_name": f"deviation of {v} from the baseline", "units": "%"}
    for v in ("cpi_relative_change", "cpi_relative_change_import", "cpi_relative_change_domestic",
              "cpi_relative_change_imported_intermediates", "cpi_relative_change_domestic_value_added", "real_gdp_growth"):
        if v not in base:            # a baseline stored before the three-way split
            continue
        out[f"{v}_dev_pp"] = scen[v] - base[v]
        out[f"{v}_dev_pp"].attrs = {"long_name": f"{v} minus the baseline's", "units": "percentage points per year"}
    out["employment_change"] = scen["employment"] - base["employment"]
    out["employment_change"].attrs = {"long_name": "employment minus the baseline's", "units": "thousand persons"}
    if "unemployed_by_skill_sector" in base:
        gap = scen["persons"] - base["persons"]
        out["jobs_lost_vs_baseline"] = (-gap).clip(min=0)
        out["jobs_lost_vs_baseline"].attrs = {"long_name": "persons employed below the baseline by labour "
                                              "type, sector and region", "units": "thousand persons"}
        out["jobs_found_vs_baseline"] = gap.clip(min=0)
        out["jobs_found_vs_baseline"].attrs = {"long_name": "persons employed above the baseline by labour "
                                               "type, sector and region", "units": "thousand persons"}
        excess = scen["unemployed_by_skill_sector"] - base["unemployed_by_skill_sector"]
        out["excess_unemployed"] = excess
        out["excess_unemployed"].attrs = {"long_name": "unemployed persons minus the baseline's, by labour "
                                          "type and sector of attachment", "units": "thousand persons"}
        step = int(scen.attrs.get("step", 1) or 1)
        out["excess_unemployed_person_years"] = (excess * step).cumsum("year")
        out["excess_unemployed_person_years"].attrs = {
            "long_name": "unemployed person-years above the baseline since the first year, by labour type "
                         "and sector of attachment", "units": "thousand person-years"}
        total = excess.sum("sector").clip(min=0)          # (year, labour, region)
        inflow = (total - total.shift(year=1, fill_value=0.0)).clip(min=0).sum("year")
        out["excess_unemployment_duration"] = (total * step).sum("year") / inflow.where(inflow > 1e-9)
        out["excess_unemployment_duration"].attrs = {
            "long_name": "mean duration of excess unemployment over the path: person-years of positive "
                         "excess unemployment / its rises (NaN without any)", "units": "years"}
    for v in ("real_gdp", "cpi", "employment_total"):
        out[f"baseline_{v}"] = base[v]
        out[f"baseline_{v}"].attrs = dict(base[v].attrs, long_name=f"baseline {base[v].attrs.get('long_name', v)}")
    out["baseline_cpi_relative_change"] = base["cpi_relative_change"]
    out["baseline_cpi_relative_change"].attrs = dict(base["cpi_relative_change"].attrs)
    return out


def save_path(ds: xr.Dataset, path) -> None:
    """netCDF (h5netcdf), as cgetrade.results.save."""
    save(ds, path)


def load_baseline(path) -> xr.Dataset:
    """A stored baseline; files written when the change of the CPI relative to the numeraire
    was named ``cpi_inflation*`` are read under the current names."""
    with xr.open_dataset(path, engine="h5netcdf") as f:
        ds = f.load()
    old = {v: v.replace("cpi_inflation", "cpi_relative_change") for v in ds.data_vars if "cpi_inflation" in v}
    return ds.rename(old) if old else ds
