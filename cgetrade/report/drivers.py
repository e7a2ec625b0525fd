"""Table of a driver decomposition (cgetrade.decompose.shapley of results.exporter_headline):
one row per measure, one column per driver and the total; the columns add up to the total."""
from __future__ import annotations

import xarray as xr

#: (variable, row label, format) of results.exporter_headline
ROWS = [("export_price_pct", "export price {}, %", "{:+.2f}"),
        ("export_price_index_pct", "export price index, %", "{:+.2f}"),
        ("export_volume_pct", "export volume {}, %", "{:+.1f}"),
        ("trade_balance_change", "trade balance, USD bn", "{:+,.1f}"),
        ("trade_balance_change_pct_gdp", "trade balance, % of GDP", "{:+.2f}"),
        ("real_exchange_rate_pct", "real exchange rate, %", "{:+.2f}"),
        ("import_price_pct", "import price from {exporter}, {}, %", "{:+.2f}"),
        ("jobs_change", "manufacturing jobs {}, th.", "{:+,.0f}")]


def _fmt(fmt: str, x: float) -> str:
    """Formatted number without a negative zero ("-0.00" for -1e-12)."""
    text = fmt.format(x)
    return text.replace("-", "+") if text.lstrip("-+").strip("0.,") == "" else text


def _cells(da: xr.DataArray):
    """[(coordinate label or "", scalar DataArray)] over the one dimension of ``da``, if any."""
    if da.ndim == 0:
        return [("", da)]
    (dim,) = da.dims
    return [(str(k), da.sel({dim: k})) for k in da[dim].values]


def driver_table(dec: xr.Dataset, exporter: str = "CHN", markdown: bool = False) -> str:
    """Text (or markdown) table of a decomposition over drivers; trade balance in USD bn."""
    names = [str(d) for d in dec.driver.values]
    header = ["measure"] + names + ["total"]
    rows = []
    for var, label, fmt in ROWS:
        if var not in dec:
            continue
        scale = 1e-3 if var == "trade_balance_change" else 1.0
        for key, total in _cells(dec[f"{var}_total"]):
            by_driver = [dec[var].sel(driver=d) for d in names]
            if key:
                dim = dec[f"{var}_total"].dims[0]
                by_driver = [v.sel({dim: key}) for v in by_driver]
            rows.append([label.format(key, exporter=exporter).replace(" , ", ", ")]
                        + [_fmt(fmt, scale * float(v)) for v in by_driver] + [_fmt(fmt, scale * float(total))])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(r[k]) for r in rows + [header]) for k in range(len(header))]
    fmt_row = lambda r: "  ".join(c.ljust(widths[0]) if k == 0 else c.rjust(widths[k])  # noqa: E731
                                  for k, c in enumerate(r))
    title = (f"Drivers of {dec.attrs.get('scenario', 'the scenario')} (Shapley values over "
             f"{len(names)} drivers, {2 ** len(names)} solves; the drivers add up to the total):")
    return "\n".join([title, fmt_row(header)] + [fmt_row(r) for r in rows])
