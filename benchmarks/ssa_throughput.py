"""Throughput of systematic sensitivity analysis: draws per minute, serial and on Dask.

    python benchmarks/ssa_throughput.py                      # china_ai central, default dataset
    python benchmarks/ssa_throughput.py --draws 128 --workers 1 2
    python benchmarks/ssa_throughput.py --dataset 30x30 --draws 16 --workers 1

Monte Carlo draws of every sector's Armington elasticities (sigma_d, sigma_m; triangular,
+/- 50 %) on the default dataset (or a synthetic RxI one, whose scenario is +10 % TFP in
two sectors of the first region); each worker builds and compiles one model, and each draw
sets its elasticities (parameters of the compiled functions), checks the baseline and solves
the scenario warm-started from the previous draw. The serial model is compiled in an untimed
first run; Dask worker processes compile theirs within the timed run. Reports wall-clock draws per minute and draws per CPU-minute (CPU time of this
process and of the Dask worker processes), which is what a worker sustains when it has a
core to itself.
"""
from __future__ import annotations

import argparse
import resource
import time

import cgetrade
from cgetrade.scenario import Scenario, Shock
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
    ap.add_argument("--dataset", default="default", help="default or RxI (synthetic)")
    args = ap.parse_args()
    if args.dataset == "default":
        ds = cgetrade.data.load_default()
        scen = Scenario.from_toml(_experiment_path(args.scenario))
    else:
        ds = cgetrade.data.synthetic_dataset(*map(int, args.dataset.split("x")), seed=0)
        scen = Scenario("tfp", [Shock("tfp", 0.1, region=str(ds.region.values[0]),
                                      sector=[str(s) for s in ds.sector.values[:2]])])
    dists = [Distribution("sigma_d"), Distribution("sigma_m")]
    run_ssa(ds, scen, [Distribution("sigma_d")])          # imports and the first compile (serial)
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
