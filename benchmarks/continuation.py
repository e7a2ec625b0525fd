"""Does continuation rescue hard shocks? Direct solve first; where it does not converge,
Scenario.solve's continuation (default settings) from the same start.

    python benchmarks/continuation.py --seed 1

Shocks far beyond the random-scenario benchmark: TFP -50 to -85 % in every sector of a
region, TFP +100 to +300 % in one sector, tariffs +100 to +400 pp on all imports of a region,
capital -40 to -60 % with export taxes +50 to +150 %. Default dataset and synthetic 10x10,
closures default, global_bank and wage_curve, 15 scenarios each.
"""
from __future__ import annotations

import argparse
import collections
import time
import warnings

import numpy as np

import cgetrade
from cgetrade.scenario import Scenario, Shock
from cgetrade.solve import NoEquilibriumError, SolveError
from cgetrade.stress import closure_presets


def hard_scenario(rng, params) -> Scenario:
    R, I = params.regions, params.sectors
    r, k = str(rng.choice(R)), int(rng.integers(4))
    if k == 0:
        shocks = [Shock("tfp", rng.uniform(-0.85, -0.5), region=r)]
    elif k == 1:
        shocks = [Shock("tfp", rng.uniform(1.0, 3.0), region=r, sector=str(rng.choice(I)))]
    elif k == 2:
        shocks = [Shock("tariff", rng.uniform(1.0, 4.0), region=r)]
    else:
        shocks = [Shock("endowment", rng.uniform(-0.6, -0.4), region=r, factor="capital"),
                  Shock("export_tax", rng.uniform(0.5, 1.5), region=r)]
    return Scenario("hard", shocks, groups={"sector": {}, "region": {}})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=15, help="scenarios per dataset and closure")
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    count, times, iters = collections.Counter(), collections.defaultdict(list), []
    for ds in (cgetrade.data.load_default(), cgetrade.data.synthetic_dataset(10, 10, seed=11)):
        params = cgetrade.calibrate(ds)
        for preset in ("default", "global_bank", "wage_curve"):
            model = cgetrade.CGEModel(params, closure_presets(params.regions)[preset])
            model.solve()
            for _ in range(args.n):
                scen = hard_scenario(rng, params)
                t0 = time.perf_counter()
                try:
                    iters.append(scen.solve(model, max_steps=1, time_limit=args.time_limit).iterations)
                    outcome = "direct solve converged"
                except NoEquilibriumError:
                    outcome = "direct solve: no equilibrium (NoEquilibriumError)"
                except SolveError:
                    outcome = "direct solve did not converge"
                times["direct"].append(time.perf_counter() - t0)
                model.reset()
                if outcome == "direct solve did not converge":
                    t0 = time.perf_counter()
                    try:
                        scen.solve(model, time_limit=args.time_limit)
                        outcome += " -> rescued by continuation"
                    except NoEquilibriumError:
                        outcome += " -> continuation located a point with no equilibrium"
                    except SolveError:
                        outcome += " -> continuation failed too"
                    times["continuation"].append(time.perf_counter() - t0)
                    model.reset()
                count[outcome] += 1
    for k, v in sorted(count.items()):
        print(f"{v:4d}  {k}")
    for k, v in times.items():
        print(f"time of the {k} attempt: median {np.median(v):.2f} s, p95 {np.percentile(v, 95):.2f} s, "
              f"max {max(v):.2f} s (n = {len(v)})")
    print(f"Ipopt iterations of converged direct solves: median {np.median(iters):.0f}, max {max(iters)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
