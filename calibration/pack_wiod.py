"""Pack the WIOD sources of ../shared/data into the package (cgetrade/data/wiod2013/).

    python calibration/pack_wiod.py [--shared ../shared/data]

- World input-output tables, 2013 release, 1995-2011, exact values (``wiod2013_series/``):
  one compressed ``wiot{year}.npz`` per year with dense integer arrays (the source stores
  whole USD millions) ``intermediate`` (orig country, orig industry, dest country, dest
  industry), ``final_demand`` (orig country, orig industry, dest country, category) and
  ``output`` (country, industry), and the labels ``countries``, ``industries``, ``categories``.
  Every cell is checked against the source after writing.
- Socio-economic accounts, 2013 release (``wiod_sea2013/sea2013.csv.gz``) and 2016 release
  (``wiod_sea2016/sea2016.csv.gz``): copied unchanged.

WIOD data: CC BY 4.0, Timmer et al. (2015); see cgetrade/data/wiod2013/README.md.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "cgetrade" / "data" / "wiod2013"
YEARS = range(1995, 2012)
CATEGORIES = ["household", "npish", "government", "gfcf", "inventories"]


def pack_year(folder: Path, path: Path) -> None:
    z = pd.read_csv(folder / "intermediate.csv.gz")
    f = pd.read_csv(folder / "final_demand.csv.gz")
    x = pd.read_csv(folder / "output.csv")
    countries = list(dict.fromkeys(x.country))
    industries = [f"c{k}" for k in range(1, 36)]
    ci = {c: k for k, c in enumerate(countries)}
    ii = {c: k for k, c in enumerate(industries)}
    ki = {c: k for k, c in enumerate(CATEGORIES)}
    for df in (z, f, x):
        if not (df.value == np.round(df.value)).all() or df.value.abs().max() >= 2**31:
            raise ValueError(f"{folder}: values are not whole numbers within int32")
    C, N = len(countries), len(industries)
    Z = np.zeros((C, N, C, N), dtype=np.int32)
    Z[z.orig_country.map(ci), z.orig_industry.map(ii), z.dest_country.map(ci), z.dest_industry.map(ii)] = z.value
    F = np.zeros((C, N, C, len(CATEGORIES)), dtype=np.int32)
    F[f.orig_country.map(ci), f.orig_industry.map(ii), f.dest_country.map(ci), f.category.map(ki)] = f.value
    X = np.zeros((C, N), dtype=np.int32)
    X[x.country.map(ci), x.industry.map(ii)] = x.value
    np.savez_compressed(path, intermediate=Z, final_demand=F, output=X, countries=np.array(countries),
                        industries=np.array(industries), categories=np.array(CATEGORIES))
    # exactness: every source cell, and nothing else
    with np.load(path) as d:
        for arr, df, cols, maps in (
                (d["intermediate"], z, ["orig_country", "orig_industry", "dest_country", "dest_industry"], (ci, ii, ci, ii)),
                (d["final_demand"], f, ["orig_country", "orig_industry", "dest_country", "category"], (ci, ii, ci, ki)),
                (d["output"], x, ["country", "industry"], (ci, ii))):
            idx = tuple(df[c].map(m).to_numpy() for c, m in zip(cols, maps))
            if not np.array_equal(arr[idx], df.value.to_numpy()) or np.count_nonzero(arr) != np.count_nonzero(df.value):
                raise RuntimeError(f"{path.name}: packed values differ from {folder}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(HERE.parent.parent / "shared" / "data"))
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    OUT.mkdir(parents=True, exist_ok=True)
    for year in YEARS:
        pack_year(shared / "wiod2013_series" / str(year), OUT / f"wiot{year}.npz")
    shutil.copyfile(shared / "wiod_sea2013" / "sea2013.csv.gz", OUT / "sea2013.csv.gz")
    shutil.copyfile(shared / "wiod_sea2016" / "sea2016.csv.gz", OUT / "sea2016.csv.gz")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"packed {len(YEARS)} world tables and 2 SEA files into {OUT}: {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
