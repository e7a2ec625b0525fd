"""WIOD world input-output tables (long CSV layout) -> tables for :func:`from_tables`.

Layout (the 2013-release world table for 2011 as kept in ``wiod2013/``; any year in the same
layout): ``intermediate.csv.gz`` (orig_country, orig_industry, dest_country, dest_industry,
value), ``final_demand.csv.gz`` (orig_country, orig_industry, dest_country, category, value;
category household, npish, government, gfcf, inventories) and ``output.csv`` (country,
industry, value: gross output at basic prices), current USD million, zero cells omitted.
The world table has no value-added split: :func:`from_wiod` takes value added as the column
residual and a labour share (the default dataset's build combines it with the WIOD
socio-economic accounts instead, ``calibration/build_default_dataset.py``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .schema import DataValidationError

WIOD_CITATION = ("Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
                 "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
                 "Automotive Production, Review of International Economics 23: 575-605")


def read_wiod(folder):
    """(Z, Y, output) of a WIOD world table in the long CSV layout (see the module doc)."""
    folder = Path(folder)
    files = {k: folder / f for k, f in (("z", "intermediate.csv.gz"), ("f", "final_demand.csv.gz"),
                                        ("x", "output.csv"))}
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"WIOD files not found: {missing}")
    z, f, x = (pd.read_csv(files[k], dtype={"value": float}) for k in ("z", "f", "x"))
    rows = pd.MultiIndex.from_frame(x[["country", "industry"]].astype(str), names=["region", "sector"])
    Z = z.pivot_table(index=["orig_country", "orig_industry"], columns=["dest_country", "dest_industry"],
                      values="value", aggfunc="sum", fill_value=0.0)
    Z = Z.reindex(index=rows, columns=rows, fill_value=0.0).astype(float)
    Y = f.pivot_table(index=["orig_country", "orig_industry"], columns=["dest_country", "category"],
                      values="value", aggfunc="sum", fill_value=0.0)
    Y = Y.reindex(index=rows, fill_value=0.0).astype(float)
    unknown = sorted((set(map(str, z.orig_country)) | set(map(str, z.dest_country))) - set(x.country.astype(str)))
    if unknown:
        raise DataValidationError(f"WIOD: countries without output rows: {unknown}")
    out = pd.Series(x["value"].to_numpy(dtype=float), index=rows)
    return Z, Y, out


def from_wiod(folder, labour_share, regions=None, sectors=None, **options):
    """Benchmark dataset from a WIOD world table (value added = column residual split by
    ``labour_share``), optionally aggregated by concordances of countries and industries."""
    from .mrio import from_tables
    Z, Y, X = read_wiod(folder)
    attrs = {"title": f"WIOD world input-output table ({Path(folder).name})",
             "source": "World Input-Output Database (WIOD), world input-output table",
             "currency": "USD million, current prices", "licence": "CC BY 4.0 (WIOD); changes were made",
             "citation": WIOD_CITATION}
    attrs.update(options.pop("attrs", {}) or {})
    return from_tables(Z, Y, None, X, labour_share=labour_share, regions=regions, sectors=sectors,
                       attrs=attrs, **options)
