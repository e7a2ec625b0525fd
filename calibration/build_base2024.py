"""Build the shipped 2024 base (cgetrade/data/default/base2024.nc): the historical simulation
2011 -> 2024 on the default dataset (cgetrade.history), its fitted 2024 equilibrium written
as a benchmark dataset in USD million of 2024.

    python calibration/build_base2024.py [--out PATH]

Inputs: the default dataset (WIOD 2011, 6 regions x 8 sectors) and the sourced targets and
observations of calibration/history2024/targets.csv. The fitted shifters, the imposed
observations and the targets are recorded in the dataset's attributes, so that
cgetrade.history.reproduce re-solves the history from them (tests/test_history.py,
scripts/history2024.py).
"""
from __future__ import annotations

import argparse
import hashlib
from importlib import resources
from pathlib import Path

from cgetrade._io import atomic_path
from cgetrade.data import load_default
from cgetrade.history import build_base, read_targets

HERE = Path(__file__).resolve().parent
TARGETS = HERE / "history2024" / "targets.csv"
OUT = Path(str(resources.files("cgetrade.data") / "default" / "base2024.nc"))


def build():
    base = load_default()
    fitted, imposed = read_targets(TARGETS, [str(r) for r in base["region"].values])
    digest = hashlib.sha256(TARGETS.read_bytes()).hexdigest()[:16]
    return build_base(base, fitted, imposed, {
        "title": "2024 base: WIOD 2011, 6 regions x 8 sectors, moved to 2024 by the historical "
                 "simulation (cgetrade.history)",
        "source": "World Input-Output Database 2013 release (2011 table, the shipped wiod2011_6x8) and "
                  "the sourced 2011-2024 targets and observations of calibration/history2024/targets.csv",
        "currency": "USD million, current prices (2024)",
        "derived_from": "wiod2011_6x8",
        "build_script": "calibration/build_base2024.py",
        "targets_file": f"calibration/history2024/targets.csv (sha256 {digest})",
        "closure": "long_run (capital at a fixed real rate of return), labour mobile, foreign saving fixed",
        "carried_over": "skill shares of labour compensation and hours, and the imputation flags, "
                        "of the 2011 data"})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    ds, hist, fit = build()
    with atomic_path(args.out) as tmp:
        ds.to_netcdf(tmp, engine="h5netcdf")
    print(f"wrote {args.out}: fit in {fit['iterations']} Ipopt iterations, {fit['evaluations']} "
          f"evaluations, {fit['seconds']:.1f} s; shifters "
          + ", ".join(f"{k} {v:+.4f}" for k, v in zip(hist.names, fit["shifters"])))


if __name__ == "__main__":
    main()
