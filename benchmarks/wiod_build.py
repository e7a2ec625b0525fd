"""Time to read and aggregate the full WIOD world table (40 countries + RoW x 35 industries)
from the package data, and to build a dataset from it (cgetrade.data.wiod.build_wiod).

    python benchmarks/wiod_build.py [--year 2011] [--repeat 3]

Phases (medians of --repeat runs): read one year's table (all 1435 x 1435 intermediate and
1435 x 205 final-demand cells), aggregate it to the default 6 x 8 (sums over the
concordances), and the whole build (aggregation, RAS, socio-economic accounts, skills,
validation) to 6 x 8 and to 41 x 31 (every country; c5, c8, c19 and c35, which have zero
output in some countries, merged into neighbours).
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cgetrade.data.wiod import _indicator, build_wiod, wiod_table

CONC = Path(__file__).resolve().parents[1] / "calibration" / "concordances"


def timed(f, repeat):
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2011)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    reg = pd.read_csv(CONC / "regions.csv")
    sec = pd.read_csv(CONC / "sectors_wiod2013.csv")
    region_of, sector_of = dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector))
    t, read = timed(lambda: wiod_table(args.year), args.repeat)

    def aggregate():
        R = _indicator(t["countries"], region_of, list(dict.fromkeys(region_of.values())))
        S = _indicator(t["industries"], sector_of, list(dict.fromkeys(sector_of.values())))
        return np.einsum("cndm,cs,ni,dr,mj->isjr", t["intermediate"].astype(float), R, S, R, S, optimize=True)
    _, agg = timed(aggregate, args.repeat)
    _, b68 = timed(lambda: build_wiod(args.year, region_of, sector_of), args.repeat)
    merge = {"c5": "c4", "c8": "c2", "c19": "c20", "c35": "c34"}
    fine = {f"c{k}": merge.get(f"c{k}", f"c{k}") for k in range(1, 36)}
    ds, bfull = timed(lambda: build_wiod(args.year, {c: c for c in t["countries"]}, fine), 1)
    print(f"WIOD {args.year}: read the full table {read:.3f} s; aggregate to 6 x 8 {agg:.3f} s; "
          f"build 6 x 8 {b68:.2f} s; build {ds.sizes['region']} x {ds.sizes['sector']} {bfull:.1f} s")


if __name__ == "__main__":
    main()
