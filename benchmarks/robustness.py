"""Robustness of the solution methods on random shocks (a benchmark, not a test).

    python benchmarks/robustness.py [--shocks 20] [--dataset default|10x10] [--seed 0]

For each closure (flexible wages; wage curve; sector-specific capital) and each random
scenario (TFP of random sectors and regions -30 %..+40 %, import tariffs +0..60 percentage
points between random pairs, capital endowment -20 %..+20 %) the shocked model is solved from
the benchmark with Newton, Ipopt and "auto". Reported per method: solved, failed, median and
max time, and the largest difference between the Newton and Ipopt solutions.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import cgetrade
from cgetrade.data import load_default, synthetic_dataset
from cgetrade.model import Closure
from cgetrade.scenario import Scenario, Shock
from cgetrade.solve import SolveError

CLOSURES = {"flexible wages": Closure(), "wage curve": Closure(labour="wage_curve"),
            "sector-specific capital": Closure(sector_specific=("capital",))}
METHODS = ("newton", "ipopt", "auto")
TIGHT = {"tol": 1e-13, "constr_viol_tol": 1e-13}


def random_scenario(rng, regions, sectors) -> Scenario:
    shocks = []
    for _ in range(rng.integers(1, 4)):
        kind = rng.choice(["tfp", "tariff", "endowment"])
        r = list(rng.choice(regions, size=rng.integers(1, len(regions) + 1), replace=False))
        if kind == "tfp":
            s = list(rng.choice(sectors, size=rng.integers(1, len(sectors) + 1), replace=False))
            shocks.append(Shock("tfp", float(rng.uniform(-0.3, 0.4)), region=r, sector=s))
        elif kind == "tariff":
            src = [x for x in regions if x not in r] or regions
            shocks.append(Shock("tariff", float(rng.uniform(0, 0.6)), region=r,
                                source=list(rng.choice(src, size=1))))
        else:
            shocks.append(Shock("endowment", float(rng.uniform(-0.2, 0.2)), factor="capital", region=r))
    return Scenario("random", shocks)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shocks", type=int, default=20)
    ap.add_argument("--dataset", default="default")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    ds = load_default() if args.dataset == "default" else \
        synthetic_dataset(*map(int, args.dataset.split("x")), seed=0)
    params = cgetrade.calibrate(ds)
    print(f"dataset {args.dataset}, {args.shocks} random scenarios per closure")
    print(f"{'closure':>24}  {'method':>7}  {'solved':>6}  {'failed':>6}  {'median s':>8}  "
          f"{'max s':>7}  {'fallbacks':>9}  {'max |x_N - x_I|':>15}")
    for cname, closure in CLOSURES.items():
        model = cgetrade.CGEModel(params, closure)
        model.solve()
        rng = np.random.default_rng(args.seed)
        scenarios = [random_scenario(rng, params.regions, params.sectors) for _ in range(args.shocks)]
        stats = {m: {"ok": 0, "fail": 0, "t": [], "fallback": 0} for m in METHODS}
        diff = 0.0
        for scen in scenarios:
            xs = {}
            for method in METHODS:
                model.reset()
                model.nlp._newton_cache = None         # cold: no factors from another scenario
                scen.apply(model)
                t = time.perf_counter()
                try:
                    kw = {"ipopt_options": TIGHT} if method == "ipopt" else {}
                    sol = model.solve(method=method, **kw)
                    stats[method]["ok"] += 1
                    stats[method]["fallback"] += method == "auto" and sol.info["solver"] == "ipopt"
                    xs[method] = model.nlp.x_from_model()
                except SolveError:
                    stats[method]["fail"] += 1
                stats[method]["t"].append(time.perf_counter() - t)
            if "newton" in xs and "ipopt" in xs:
                diff = max(diff, float(np.max(np.abs(xs["newton"] - xs["ipopt"]))))
        for method in METHODS:
            s = stats[method]
            print(f"{cname:>24}  {method:>7}  {s['ok']:>6}  {s['fail']:>6}  "
                  f"{statistics.median(s['t']):>8.3f}  {max(s['t']):>7.3f}  {s['fallback']:>9}  "
                  + (f"{diff:>15.1e}" if method == "newton" else ""))


if __name__ == "__main__":
    main()
