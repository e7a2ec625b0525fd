"""Throughput of systematic sensitivity analysis: draws per minute, serial and on Dask.

    python benchmarks/ssa_throughput.py                      # china_ai central, default dataset
    python benchmarks/ssa_throughput.py --draws 128 --workers 1 2

Monte Carlo draws of every sector's Armington elasticities (sigma_d, sigma_m; triangular,
+/- 50 %) on the default dataset; each draw calibrates, builds and compiles its own model and
solves the baseline and the scenario. Reports wall-clock draws per minute and draws per
CPU-minute (CPU time of this process and of the Dask worker processes), which is what a
worker sustains when it has a core to itself.
"""
from __future__ import annotations

import argparse
import resource
import time

import cgetrade
from cgetrade.scenario import Scenario
from cgetrade.cli import _experiment_path
from cgetrade.sweeps import Distribution, run_ssa


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="china_ai")
    ap.add_argument("--draws", type=int, default=64)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    ds = cgetrade.data.load_default()
    scen = Scenario.from_toml(_experiment_path(args.scenario))
    dists = [Distribution("sigma_d"), Distribution("sigma_m")]
    run_ssa(ds, scen, [Distribution("sigma_d")])          # imports and first compile
    print(f"{'workers':>7} {'draws':>5} {'wall s':>7} {'draws/min':>9} {'CPU s':>7} {'draws/CPU-min':>13} ok")
    for w in args.workers:
        t, c = time.perf_counter(), cpu()
        out = run_ssa(ds, scen, dists, method="montecarlo", draws=args.draws, seed=1, workers=w, by_sector=True)
        wall, used = time.perf_counter() - t, cpu() - c
        ok = int((out.draw_status == "ok").sum())
        print(f"{w:>7} {args.draws:>5} {wall:>7.1f} {60 * args.draws / wall:>9.1f} {used:>7.1f} "
              f"{60 * args.draws / used:>13.1f} {ok}")


if __name__ == "__main__":
    main()
