"""Paths per region (matplotlib): deviations of a policy run from its baseline by year."""
from __future__ import annotations

import xarray as xr

PANELS = (("real_gdp_dev_pct", "real GDP, % vs baseline"),
          ("cpi_relative_change_dev_pp", "CPI relative to the numeraire: change, pp per year vs baseline"),
          ("employment_total_dev", "employment, thousand persons vs baseline"),
          ("capital_stock_dev_pct", "capital stock, % vs baseline"))


def plot_paths(res: xr.Dataset, path, regions=None):
    """Four panels (GDP, CPI relative to the numeraire, employment, capital), one line per region."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    regions = list(regions if regions is not None else res.region.values)
    data = dict(res.data_vars)
    data["employment_total_dev"] = res["employment_change"].sum("sector")
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    years = res.year.values
    for ax, (var, title) in zip(axes.flat, PANELS):
        for r in regions:
            ax.plot(years, data[var].sel(region=r).values, label=str(r))
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(title, fontsize=9)
    axes[0, 0].legend(fontsize=8, ncol=2)
    for ax in axes[1]:
        ax.set_xlabel("year")
    fig.suptitle(f"{res.attrs.get('scenario', '')} {res.attrs.get('variant', '')}: deviations from "
                 f"the baseline (anchor: world export price index)", fontsize=10)
    fig.tight_layout()
    from .._io import atomic_path
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
    return path
