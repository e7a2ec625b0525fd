"""One entry point for every input format, and a description of any dataset.

:func:`read_dataset` recognises the format of a path:

=====================================  ==================================================
``*.nc``                               a benchmark dataset (netCDF, :func:`load`)
``*.har`` or a folder with             a GTAP data base (:func:`cgetrade.data.gtap.from_gtap`;
``basedata.har``                       default.prm and sets.har beside it are used)
``*.csv`` / ``*.xlsx`` with account    a SAM, square or long (:func:`from_sam`); the types
types                                  come from ``accounts=`` or a file ``<name>.accounts.csv``
                                       or ``accounts.csv`` beside it
``*.csv`` in OECD ICIO layout          an ICIO table (:func:`cgetrade.data.mrio.from_icio`;
                                       needs ``labour_share=``)
a folder with ``intermediate.csv.gz``  a WIOD world table in long CSV layout
                                       (:func:`cgetrade.data.wiod.from_wiod`; needs
                                       ``labour_share=``)
=====================================  ==================================================

It returns (dataset, elasticities or None): a GTAP data base brings its own elasticities, and
a netCDF dataset those in ``<name>.elasticities.toml`` beside it (written by
``cgetrade data build``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .schema import DataValidationError, check_structure, identity_residuals, intra_regional_use, rest_of_world

FORMATS = {
    "netcdf": "benchmark dataset (*.nc) as written by cgetrade",
    "gtap": "GTAP data base: basedata.har (+ default.prm, sets.har) or their folder",
    "sam": "social accounting matrix, square or long CSV/Excel, with an account-types file",
    "icio": "OECD Inter-Country Input-Output table (CSV)",
    "wiod": "WIOD world input-output table, long CSV layout (folder with intermediate.csv.gz, "
            "final_demand.csv.gz, output.csv)",
}


def detect_format(path) -> str:
    """The format of a path (one of :data:`FORMATS`)."""
    p = Path(path)
    if p.is_dir():
        if (p / "basedata.har").exists():
            return "gtap"
        if (p / "intermediate.csv.gz").exists():
            return "wiod"
        raise DataValidationError(f"{p} is a directory: a folder is read as a GTAP data base (basedata.har) or a "
                                  "WIOD world table (intermediate.csv.gz); neither is there")
    if not p.exists():
        raise FileNotFoundError(f"dataset file not found: {p}")
    suffix = p.suffix.lower()
    if suffix == ".nc":
        return "netcdf"
    if suffix in (".har", ".prm"):
        return "gtap"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "sam"
    if suffix in (".csv", ".txt"):
        head = pd.read_csv(p, nrows=0).columns
        if any(str(c).endswith(("_HFCE", "_GGFC", "_GFCF")) or str(c).startswith(("HFCE_", "GGFC_"))
               for c in head):
            return "icio"
        return "sam"
    raise DataValidationError(f"{p.name}: unknown dataset format {suffix!r}; known: "
                              + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()))


def _accounts_file(p: Path) -> Path | None:
    for cand in (p.with_name(p.stem + ".accounts.csv"), p.with_name("accounts.csv")):
        if cand.exists() and cand != p:
            return cand
    return None


def read_dataset(path, accounts=None, labour_share=None, **options):
    """(dataset, elasticities or None) from a file of any supported format (table above)."""
    from .io import SHIPPED, load, shipped_path
    p = Path(path)
    if str(path) in SHIPPED and not p.exists():        # a shipped dataset by name
        p = shipped_path(str(path))
    kind = detect_format(p)
    if kind == "netcdf":
        sidecar = elasticities_path(p)
        if sidecar.exists():
            from ..calibrate import Elasticities
            return load(p), Elasticities.from_toml(sidecar)
        return load(p), None
    if kind == "gtap":
        from .gtap import from_gtap
        folder = p if p.is_dir() else p.parent
        base = folder / "basedata.har" if p.is_dir() or p.suffix.lower() == ".prm" else p
        prm, sets = folder / "default.prm", folder / "sets.har"
        return from_gtap(base, prm if prm.exists() else None, sets if sets.exists() else None, **options)
    if kind == "wiod":
        from .wiod import from_wiod
        if labour_share is None:
            raise DataValidationError(f"{p.name} is a WIOD world table without a value-added split: "
                                      "give labour_share, e.g. --labour-share 0.55")
        return from_wiod(p, labour_share=labour_share, **options), None
    if kind == "icio":
        from .mrio import from_icio
        if labour_share is None:
            raise DataValidationError(f"{p.name} is an OECD ICIO table: give labour_share "
                                      "(labour's share of value added), e.g. --labour-share 0.55")
        return from_icio(p, labour_share=labour_share, **options), None
    from .sam import from_sam
    acc = accounts or _accounts_file(p)
    if acc is None:
        raise DataValidationError(f"{p.name} is read as a SAM and needs its account types: give "
                                  f"accounts=... (--accounts FILE) or write {p.stem}.accounts.csv "
                                  "(columns account,type) beside it")
    return from_sam(p, acc, region=options.pop("region", p.stem), **options), None


def describe(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Sizes, totals and shares of a dataset, and its validation result, as tables.

    ``regions``: gross output, value added, labour share of value added, persons, exports
    and imports (world prices; with trade within regions, a region's trade with itself
    included) and their shares of output / absorption, tariff revenue;
    ``trade``: each region's imports by partner (shares of its imports; the diagonal is
    trade within the region); ``factors``: factor
    shares of value added by region; ``validation``: every identity's largest relative
    residual (or the structural problems).
    """
    problems = check_structure(ds)
    out: dict[str, pd.DataFrame] = {}
    sizes = {d: int(ds.sizes[d]) for d in ("region", "sector", "factor", "source") if d in ds.sizes}
    out["sizes"] = pd.DataFrame({"size": sizes})
    if problems:
        out["validation"] = pd.DataFrame({"problem": problems})
        return out
    regions = [str(r) for r in ds.region.values]
    Z, F = ds["intermediate"], ds["final_demand"]
    tm = ds["import_tariff"] if "import_tariff" in ds else xr.zeros_like(Z.sum(("sector",)))
    world = Z.sum("sector") + F.sum("agent") - tm                      # (commodity, source, region)
    own = xr.DataArray(np.equal.outer(ds.source.values, ds.region.values),
                       coords={"source": ds.source, "region": ds.region}, dims=("source", "region"))
    # a region's trade with itself (imports from its own members) on the diagonal
    world = world.where(~own, 0.0) + own * (intra_regional_use(ds) - tm.where(own, 0.0).sum("source"))
    imports = world.sum("commodity")                                   # (source, region)
    exports = world.sel(source=regions).sum(("commodity", "region"))
    if "exports_rest_of_world" in ds:
        exports = exports + ds["exports_rest_of_world"].sum("commodity").rename(region="source")
    va = ds["factor_payments"].sum(("factor", "sector"))
    go = ds["gross_output"].sum("sector")
    absorption = F.sum(("commodity", "source", "agent"))
    reg = pd.DataFrame({
        "gross_output": go.values,
        "value_added": va.values,
        "labour_share": (ds["factor_payments"].sel(factor="labour").sum("sector") / va).values,
        "persons": ds["employment"].sum("sector").values,
        "exports": exports.values,
        "exports_share_of_output": (exports.values / go.values),
        "imports": imports.sum("source").values,
        "imports_share_of_absorption": imports.sum("source").values / absorption.values,
        "tariff_revenue": tm.sum(("commodity", "source")).values,
    }, index=pd.Index(regions, name="region"))
    out["regions"] = reg
    tot = imports.sum("source")
    share = (imports / tot.where(tot > 0)).transpose("region", "source")
    out["trade"] = pd.DataFrame(share.values, index=pd.Index(regions, name="importer"),
                                columns=[str(s) for s in ds.source.values]).fillna(0.0)
    fs = ds["factor_payments"].sum("sector") / va
    out["factors"] = pd.DataFrame(fs.transpose("region", "factor").values, index=pd.Index(regions, name="region"),
                                  columns=[str(f) for f in ds.factor.values])
    rows = []
    for name, (res, scale) in identity_residuals(ds).items():
        rel = abs(res) / abs(scale).where(abs(scale) > 0, 1.0)
        rows.append((name, float(rel.max())))
    val = pd.DataFrame(rows, columns=["identity", "max_relative_residual"]).set_index("identity")
    out["validation"] = val
    meta = {"title": ds.attrs.get("title", ""), "currency": ds.attrs.get("currency", ds.attrs.get("units", "")),
            "rest_of_world": rest_of_world(ds) or "none",
            "trade within regions": "bilateral (imports of a region from itself)"
            if "intra_regional_intermediate" in ds else "domestic use",
            "employment units": ds["employment"].attrs.get("units", "")}
    out["attributes"] = pd.DataFrame({"value": meta})
    return out


def format_description(tables: dict[str, pd.DataFrame]) -> str:
    """The tables of :func:`describe` as text."""
    parts = []
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:,.4g}".format):
        for name, df in tables.items():
            parts.append(f"== {name}\n{df.to_string()}")
    return "\n\n".join(parts)


def elasticities_path(dataset_path) -> Path:
    """Where the elasticities of a dataset file are kept: ``<name>.elasticities.toml``."""
    p = Path(dataset_path)
    return p.with_name(p.stem + ".elasticities.toml")


def write_elasticities(el, path) -> Path:
    """Write elasticities in the TOML layout :meth:`cgetrade.Elasticities.from_toml` reads."""
    def val(v):
        v = float(v)
        return "inf" if np.isinf(v) else repr(v)
    lines = ["# substitution elasticities (cgetrade.Elasticities.from_toml)", "", "[default]"]
    lines += [f"{k} = {val(v)}" for k, v in el.default.items()]
    for sec, vals in el.sector.items():
        lines += ["", f'[sector."{sec}"]'] + [f"{k} = {val(v)}" for k, v in vals.items()]
    if el.final_demand:
        lines += ["", "[final_demand]"] + [f"{k} = {val(v)}" for k, v in el.final_demand.items()]
    from .._io import atomic_path
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")
    return Path(path)
