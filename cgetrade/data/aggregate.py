"""Aggregation by concordance: regions and sectors of any dataset, and its elasticities.

A concordance maps every label of the source to a label of the aggregate. It can be

* a dict ``{source label: aggregate}`` or ``{aggregate: [source labels]}``;
* a CSV file with two columns (source label, aggregate; header names free, e.g.
  ``country,region`` or ``industry,sector``);
* a TOML file ``aggregate = ["source", ...]`` (optionally inside a ``[regions]`` or
  ``[sectors]`` table).

Flows are summed; elasticities are averaged with value weights (:func:`aggregate_elasticities`).
Flows between regions merged into one are either folded into the aggregate's domestic use
(``intra_regional=False``) or kept as its trade with itself (``intra_regional=True``: the
dataset variables ``intra_regional_intermediate`` / ``intra_regional_final_demand``, with
the tariffs and transport margins on those flows as import_tariff[i,r,r] and
transport_margins[m,i,r,r]; :mod:`cgetrade.data.schema`).
A source label mapped twice, a label of the data the concordance does not map, or a label of
the concordance the data does not have is an error naming the labels. The input is never
modified.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .schema import (INTRA_VARS, OPTIONAL_VARS, REQUIRED_VARS, DataValidationError,
                     has_intra_regional_trade, rest_of_world, validate)

import tomllib

#: extensive variables of a dataset (summed when labels are merged)
#: shares (intensive) and the flow that weights them: aggregated as sum(share x weight) / sum(weight)
SHARES = {"labour_skill_share": lambda ds: ds["factor_payments"].sel(factor="labour", drop=True),
          "hours_skill_share": lambda ds: ds["employment"]}
EXTENSIVE = tuple(v for v in tuple(REQUIRED_VARS) + tuple(OPTIONAL_VARS) if v not in SHARES)
_DIM_KIND = {"region": "region", "source": "region", "sector": "sector", "commodity": "sector",
             "margin": "sector"}


def read_concordance(mapping, what: str = "labels", table: str | None = None) -> dict[str, str]:
    """{source label: aggregate label} from a dict, a CSV file or a TOML file."""
    name = what
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        name = path.name
        if not path.exists():
            raise FileNotFoundError(f"concordance file not found: {path}")
        if path.suffix.lower() == ".toml":
            with open(path, "rb") as f:
                raw = tomllib.load(f)
            if table and isinstance(raw.get(table), dict):
                raw = raw[table]
            mapping = raw
        else:
            df = pd.read_csv(path, dtype=str)
            if df.shape[1] < 2:
                raise DataValidationError(f"{name}: a concordance CSV needs two columns (source label, aggregate)")
            src, dst = df.iloc[:, 0].str.strip(), df.iloc[:, 1].str.strip()
            if src.isna().any() or dst.isna().any():
                raise DataValidationError(f"{name}: empty cells in the concordance")
            dup = src[src.duplicated(keep=False)]
            clash = sorted({s for s in dup if len(set(dst[src == s])) > 1})
            if clash:
                raise DataValidationError(f"{name}: labels mapped to more than one aggregate: {clash}")
            return dict(zip(src, dst))
    out: dict[str, str] = {}
    for key, val in dict(mapping).items():
        pairs = [(str(v), str(key)) for v in val] if isinstance(val, (list, tuple, set)) else [(str(key), str(val))]
        for src, dst in pairs:
            if src in out and out[src] != dst:
                raise DataValidationError(f"{name}: {src!r} is mapped twice ({out[src]!r} and {dst!r})")
            out[src] = dst
    return out


def check_concordance(mapping: dict, labels, what: str) -> None:
    """Every label mapped, every mapped label known."""
    labels = [str(x) for x in labels]
    unmapped = [x for x in labels if x not in mapping]
    unknown = sorted(set(mapping) - set(labels))
    problems = []
    if unmapped:
        problems.append(f"{what} labels without an aggregate: {unmapped}")
    if unknown:
        problems.append(f"the {what} concordance maps labels the data does not have: {unknown}")
    if problems:
        raise DataValidationError("concordance:\n  - " + "\n  - ".join(problems))


def _targets(mapping: dict, labels) -> list[str]:
    """Aggregate labels in order of first appearance."""
    return list(dict.fromkeys(mapping[str(x)] for x in labels))


def _aggregate_dim(da: xr.DataArray, dim: str, mapping: dict, keep=()) -> xr.DataArray:
    labels = [str(x) for x in da[dim].values]
    full = {**{k: k for k in keep}, **mapping}
    new = _targets(full, labels)
    M = np.zeros((len(labels), len(new)))
    for k, lab in enumerate(labels):
        M[k, new.index(full[lab])] = 1.0
    W = xr.DataArray(M, dims=(dim, "_new"), coords={dim: da[dim].values, "_new": new})
    out = xr.dot(da, W, dim=dim).rename(_new=dim)
    out.attrs = dict(da.attrs)
    return out.transpose(*da.dims)


def aggregate(ds: xr.Dataset, regions=None, sectors=None, intra_regional: bool | None = None) -> xr.Dataset:
    """The dataset with regions and/or sectors merged by concordance (flows summed).

    ``intra_regional``: keep the flows between regions merged into one as the aggregate's
    trade with itself, ZI[i,j,R] = sum_{s != r in R} Z[i,s,j,r] + sum_{r in R} ZI[i,j,r]
    (likewise final demand), with their tariffs and margins; ``False`` folds them into
    domestic use, and then tariffs or margins between merged regions are refused (they would
    become a tax on the region's own supplies). ``None`` (default): keep them if the dataset
    already keeps trade within its regions (GTAP data). Variables outside the schema are
    dropped (listed in the attribute ``aggregation``). Returns a validated new dataset.
    """
    validate(ds)
    maps = {}
    row = rest_of_world(ds)
    had_intra = has_intra_regional_trade(ds)
    intra = had_intra if intra_regional is None else bool(intra_regional)
    if regions is not None:
        maps["region"] = read_concordance(regions, "regions", table="regions")
        check_concordance(maps["region"], ds["region"].values, "region")
        if row is not None and row in set(maps["region"].values()):
            raise DataValidationError(f"aggregate region {row!r} is the rest of the world's label")
    if sectors is not None:
        maps["sector"] = read_concordance(sectors, "sectors", table="sectors")
        check_concordance(maps["sector"], ds["sector"].values, "sector")
    if "transport_margins" in ds and not intra and ("region" in maps or had_intra):
        vt = ds["transport_margins"].sum("margin")
        rmap = maps.get("region", {str(r): str(r) for r in ds["region"].values})
        inside = [(str(s), str(r)) for s in vt.source.values for r in vt.region.values
                  if (s != r or had_intra) and rmap[str(s)] == rmap[str(r)]
                  and float(vt.sel(source=s, region=r).sum()) > 0]
        if inside:
            raise DataValidationError(
                "transport margins between regions merged into one aggregate region cannot be kept "
                f"(routes {inside[:5]}); read the source with margins bought as services "
                "(e.g. from_gtap(..., margins='purchases')) before merging these regions, or keep "
                "the trade within the aggregate regions (intra_regional=True)")
    if "import_tariff" in ds and not intra and ("region" in maps or had_intra):
        tm = ds["import_tariff"]
        rmap = {**maps.get("region", {str(r): str(r) for r in ds["region"].values}),
                **({row: row} if row else {})}
        same = xr.DataArray([[rmap[str(s)] == rmap[str(r)] and (str(s) != str(r) or had_intra)
                              for r in tm.region.values]
                             for s in tm.source.values], dims=("source", "region"),
                            coords={"source": tm.source, "region": tm.region})
        inside = tm.where(same, 0.0)
        if float(abs(inside).max()) > 0:
            worst = inside.stack(_k=inside.dims)
            k = int(np.argmax(np.abs(worst.values)))
            raise DataValidationError(
                "tariffs between regions merged into one aggregate region cannot be kept (they "
                f"would tax the region's own supplies); total {float(inside.sum()):.6g}, largest "
                f"{float(worst[k]):.6g} on {str(worst['commodity'].values[k])} from "
                f"{str(worst['source'].values[k])} into {str(worst['region'].values[k])}; keep "
                "the trade within the aggregate regions (intra_regional=True)")
    out = xr.Dataset(attrs=dict(ds.attrs))
    dropped = [v for v in ds.data_vars if v not in EXTENSIVE and v not in SHARES]
    members = _intra_regional_flows(ds, maps.get("region")) if intra else {}
    for name in EXTENSIVE:
        if name not in ds and name not in members:
            continue
        if name in INTRA_VARS and not intra:
            continue                       # folded into the aggregate's domestic use
        da = members.get(name, ds.get(name))
        for dim in da.dims:
            kind = _DIM_KIND.get(dim)
            if kind in maps:
                keep = (row,) if (dim == "source" and row) else ()
                mapping = maps[kind]
                if dim == "margin":
                    mapping = {k: v for k, v in mapping.items() if k in set(map(str, da[dim].values))}
                da = _aggregate_dim(da, dim, mapping, keep)
        out[name] = da

    def merged(da):
        for dim in da.dims:
            if _DIM_KIND.get(dim) in maps:
                da = _aggregate_dim(da, dim, maps[_DIM_KIND[dim]], ())
        return da
    for name, weight in SHARES.items():
        if name in ds:
            w = weight(ds)
            total = merged(w)
            out[name] = (merged(ds[name] * w) / total.where(total > 0)).fillna(0.0).transpose(*ds[name].dims)
            out[name].attrs = dict(ds[name].attrs)
    notes = []
    for kind, m in maps.items():
        notes.append(f"{kind}s: " + "; ".join(f"{t} = {'+'.join(k for k, v in m.items() if v == t)}"
                                               for t in _targets(m, ds[kind].values)))
    if dropped:
        notes.append(f"variables dropped: {dropped}")
    if intra and "region" in maps:
        notes.append("trade between members of an aggregate region kept as its trade with itself "
                     "(intra_regional_*)")
    elif had_intra and not intra:
        notes.append("trade within regions folded into domestic use")
    out.attrs["aggregation"] = " | ".join(notes)
    out.attrs["title"] = (f"{ds.attrs.get('title', 'dataset')}, aggregated to "
                          f"{out.sizes['region']} regions x {out.sizes['sector']} sectors")
    for name in ("agent", "factor"):
        out = out.assign_coords({name: ds[name].values})
    return validate(out)


def _intra_regional_flows(ds: xr.Dataset, region_map: dict | None) -> dict[str, xr.DataArray]:
    """Each region's purchases from the other regions of its aggregate, plus its own
    intra-regional imports if the dataset has them, by the disaggregated labels:
    {intra variable: (commodity, sector|agent, region)}."""
    regions = [str(r) for r in ds["region"].values]
    rmap = region_map or {r: r for r in regions}
    mask = xr.DataArray([[rmap[s] == rmap[r] and s != r for r in regions] for s in regions],
                        dims=("source", "region"), coords={"source": regions, "region": regions})
    out = {}
    for name, flow in zip(INTRA_VARS, ("intermediate", "final_demand")):
        da = (ds[flow].sel(source=regions) * mask).sum("source")
        if name in ds:
            da = da + ds[name]
        out[name] = da.transpose(*OPTIONAL_VARS[name])
    return out


def aggregate_elasticities(elasticities, sectors, ds: xr.Dataset):
    """Elasticities of the aggregate sectors: value-weighted means of their members.

    Weights (from the disaggregated dataset ``ds``): absorption of the commodity for sigma_d
    and sigma_m, value added for sigma_va, gross output for sigma_top and sigma_t (an
    infinite sigma_t stays infinite only if every member's is).
    """
    from ..calibrate import Elasticities
    mapping = read_concordance(sectors, "sectors", table="sectors")
    labels = [str(x) for x in ds["sector"].values]
    check_concordance(mapping, labels, "sector")
    absorption = (ds["intermediate"].sum(("source", "sector", "region"))
                  + ds["final_demand"].sum(("source", "agent", "region"))).values
    va = ds["factor_payments"].sum(("factor", "region")).values
    out_ = ds["gross_output"].sum("region").values
    weight = {"sigma_d": absorption, "sigma_m": absorption, "sigma_va": va, "sigma_top": out_,
              "sigma_t": out_}
    new = Elasticities(default=dict(elasticities.default), sector={},
                       final_demand=dict(elasticities.final_demand))
    for agg in _targets(mapping, labels):
        members = [k for k, lab in enumerate(labels) if mapping[lab] == agg]
        entry = {}
        for key, w in weight.items():
            vals = np.array([elasticities.value(key, labels[k]) for k in members])
            ww = np.array([w[k] for k in members], dtype=float)
            if np.all(np.isinf(vals)):
                entry[key] = float("inf")
            elif np.any(np.isinf(vals)):
                raise DataValidationError(f"sector {agg}: members mix finite and infinite {key}")
            else:
                entry[key] = float(np.average(vals, weights=ww) if ww.sum() > 0 else vals.mean())
        new.sector[agg] = entry
    return new
