"""Tables of an optimal-policy result (cgetrade.optimal.solve_problem): instruments'
enacted and optimal rates, welfare and manufacturing jobs under each policy."""
from __future__ import annotations

import pandas as pd
import xarray as xr

POLICY_NAMES = {"none": "no Western policy", "enacted": "enacted 2018-25",
                "welfare_optimum": "welfare optimum", "jobs_optimum": "jobs kept, least cost"}


def optimum_tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """{"rates": instrument x policy (%), "outcomes": policy x measure}."""
    names = [POLICY_NAMES.get(p, p) for p in ds.policy.values]
    rates = pd.DataFrame([[_signed(100 * v, 2) for v in row] for row in ds["rate"].values.T],
                         index=list(ds.instrument.values), columns=names)
    rates.index.name = "instrument (rate change, %)"
    group = [r.strip() for r in ds.attrs["group"].split(",")]
    out = {f"{ds.attrs['group']} EV, % of income": [_signed(v, 3) for v in ds["group_welfare"].values]}
    for r in list(group) + ["CHN"]:
        out[f"EV {r}, USD bn"] = [_signed(v / 1e3, 1) for v in ds["ev"].sel(region=r).values]
    for r in group:
        out[f"manuf. jobs {r}, th."] = [_signed(v, 1) for v in ds["manufacturing_jobs_change"].sel(region=r).values]
    outcomes = pd.DataFrame(out, index=names).T
    outcomes.index.name = "outcome (against the benchmark)"
    return {"rates": rates, "outcomes": outcomes}


def optimum_markdown(ds: xr.Dataset, fmt: str = "pipe") -> str:
    """Both tables as text (``fmt``: a tabulate format, e.g. "pipe" for Markdown)."""
    t = optimum_tables(ds)
    return "\n\n".join(t[k].to_markdown(tablefmt=fmt, stralign="right", disable_numparse=True)
                         for k in ("rates", "outcomes"))


def _signed(v: float, digits: int) -> str:
    """+1,234.5 style, without a negative zero."""
    return f"{round(float(v), digits) + 0.0:+,.{digits}f}"
