"""Benchmark of the recursive-dynamic path (prints numbers; not a test).

    python benchmarks/dynamics_path.py [--to 2040]

Default 6x8 dataset with the shipped projections, and a synthetic 10x10 dataset with uniform
drivers (GDP +2 %, labour force +0.5 % a year): set-up (build, targets, compile), baseline
calibration and a policy run (china_ai_adoption central on the default; +5 % TFP phased in
linearly 2025-2035 in the first region's first two sectors on the synthetic), time per
period and Ipopt iterations per period.
"""
from __future__ import annotations

import argparse
import time
from importlib import resources
from pathlib import Path

import cgetrade
from cgetrade.data import synthetic_dataset
from cgetrade.dynamics import DynamicModel, Periods, Projections
from cgetrade.scenario import Scenario, Shock


def measure(label, params, projections, scenario, end):
    t0 = time.perf_counter()
    dyn = DynamicModel(params, projections=projections, periods=Periods(2011, end))
    setup = time.perf_counter() - t0
    base = dyn.baseline()
    res = dyn.run(scenario, base)
    n = len(dyn.years) - 1
    for kind, ds in (("baseline", base), ("policy", res)):
        it = ds.iterations.values[1:]
        print(f"| {label} | {kind} | {dyn.nlp.n} | {setup:.2f} | {dyn.timing[kind]:.2f} | "
              f"{dyn.timing[kind] / n:.3f} | {float(ds.solve_time.values[1:].sum()) / n:.3f} | "
              f"{it.mean():.1f} (max {it.max()}) |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--to", type=int, default=2040)
    a = ap.parse_args(argv)
    print("| model | run | equations | set-up s | path s | s per period | of which Ipopt s | "
          "iterations per period |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    ds = cgetrade.data.load_default()
    scen = Scenario.from_toml(Path(str(resources.files("cgetrade.experiments") / "china_ai_adoption.toml")))
    measure("default 6x8", cgetrade.calibrate(ds), None, scen, a.to)
    syn = synthetic_dataset(10, 10, seed=0)
    params = cgetrade.calibrate(syn)
    proj = Projections.constant(params.regions, 2011, a.to, delta=0.05, capital_output=3.0,
                                labour=0.005, gdp=0.02)
    shock = Shock("tfp", 0.05, region=params.regions[0], sector=params.sectors[:2],
                  path={"linear": {"start": 2025, "end": 2035}})
    measure("synthetic 10x10", params, proj, Scenario("tfp", [shock]), a.to)


if __name__ == "__main__":
    main()
