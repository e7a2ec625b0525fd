"""Random scenarios under every closure preset, each converged answer verified independently.

    python benchmarks/random_scenarios.py -n 1000 --json out.json

Datasets: the shipped default (WIOD 2011, 6x8) and a synthetic 10x10 benchmark. About 60 %
of the scenarios use the default closure, the rest the other presets
(cgetrade.stress.closure_presets); presets that a dataset refuses at build time are reported
with their reason and skipped. Outcomes: converged (verified by cgetrade.checks.verify_solution),
failed clearly (SolveError with a message), silently wrong (converged but not verified),
crashed (any other exception). Prints counts, median and p95 time to converge and to fail.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
import warnings

import numpy as np

import cgetrade
from cgetrade.errors import InputError
from cgetrade.stress import closure_presets, random_scenario, run_scenario


def _models(datasets):
    models, refused = {}, {}
    for dname, (ds, elasticities) in datasets.items():
        params = cgetrade.calibrate(ds, elasticities)
        for cname, closure in closure_presets(params.regions).items():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = cgetrade.CGEModel(params, closure)
                model.solve()
                models[dname, cname] = model
            except InputError as err:
                refused[dname, cname] = str(err).splitlines()[0]
    return models, refused


def _cause(msg: str) -> str:
    if "would be negative" in msg:
        return "negative " + re.search(r"(\w+) demand in", msg).group(1) + " demand (fixed foreign saving)" \
            if "foreign saving fixed" in msg else "negative final demand"
    if "labour demand in" in msg:
        return "unemployment < 0 (labour demand above the labour force at the closure's wage)"
    if "economic domain" in msg:
        return "a price or quantity < 0"
    if "time limit" in msg:
        return "time limit"
    return "no convergence"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--json")
    ap.add_argument("--datasets", default="default,synthetic",
                    help="comma-separated: default, synthetic, STDCGE, TWOCGE (textbook SAMs)")
    args = ap.parse_args(argv)
    from cgetrade import reference
    # the textbook datasets with the textbook's elasticities (CET 2 between domestic sales and
    # exports: with GTAP's perfect transformation a small open economy's exports are a residual)
    known = {"default": ("default 6x8", lambda: (cgetrade.data.load_default(), None)),
             "synthetic": ("synthetic 10x10", lambda: (cgetrade.data.synthetic_dataset(10, 10, seed=11), None)),
             **{name: (f"textbook {name}", lambda model=model: (model.dataset(), model.elasticities))
                for name, model in reference.MODELS.items()}}
    datasets = {known[k][0]: known[k][1]() for k in args.datasets.split(",")}
    t0 = time.perf_counter()
    models, refused = _models(datasets)
    for key, why in refused.items():
        print(f"refused at build time: {key[1]} on {key[0]}: {why[:160]}")
    rng = np.random.default_rng(args.seed)
    keys = list(models)
    default_keys = [k for k in keys if k[1] == "default"]
    other_keys = [k for k in keys if k[1] != "default"] or default_keys
    rows = []
    for n in range(args.n):
        pool = default_keys if rng.random() < 0.6 else other_keys
        key = pool[int(rng.integers(len(pool)))]
        model = models[key]
        scen = random_scenario(rng, model.params, name=f"random{n}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = run_scenario(model, scen, time_limit=args.time_limit)
        rows.append({"n": n, "dataset": key[0], "closure": key[1], "status": out.status,
                     "seconds": out.seconds, "reached_by": out.reached_by, "reached": out.reached,
                     "message": out.message[:400],
                     "shocks": [f"{s.kind} {s.value:+.3f} {s.mode} r={s.region} i={s.sector}"
                                f"{' f=' + str(s.factor) if s.factor else ''}" for s in scen.shocks]})
        if out.status not in ("converged", "failed_clearly"):
            print(f"!! {n} {key} {out.status}: {out.message[:300]}", flush=True)
        if (n + 1) % 100 == 0:
            c = collections.Counter(r["status"] for r in rows)
            print(f"{n + 1} scenarios, {time.perf_counter() - t0:.0f} s: {dict(c)}", flush=True)
    report(rows)
    print(f"total {time.perf_counter() - t0:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"refused": {f"{k[1]} on {k[0]}": v for k, v in refused.items()}, "rows": rows},
                      f, indent=1)
    return 0


def report(rows):
    count = collections.Counter(r["status"] for r in rows)
    n = len(rows)
    print(f"\n{n} scenarios: " + ", ".join(f"{k} {v} ({100 * v / n:.1f} %)" for k, v in count.items()))
    for status in ("converged", "failed_clearly"):
        t = np.array([r["seconds"] for r in rows if r["status"] == status])
        if len(t):
            print(f"  time to {'converge' if status == 'converged' else 'fail'}: median {np.median(t):.3f} s, "
                  f"p95 {np.percentile(t, 95):.3f} s, max {t.max():.2f} s")
    by = collections.Counter(r["reached_by"].split(" in ")[0] + (" (bounded attempt)" if "bounded" in r["reached_by"] else "")
                             for r in rows if r["status"] == "converged")
    print("  converged by: " + ", ".join(f"{k} {v}" for k, v in by.items()))
    causes = collections.Counter(_cause(r["message"]) for r in rows if r["status"] == "failed_clearly")
    print("  failures by cause: " + ", ".join(f"{k} {v}" for k, v in causes.items()))
    table = collections.defaultdict(collections.Counter)
    for r in rows:
        table[(r["dataset"], r["closure"])][r["status"]] += 1
    for key in sorted(table):
        print(f"  {key[0]:<16} {key[1]:<15} " + ", ".join(f"{k} {v}" for k, v in sorted(table[key].items())))


if __name__ == "__main__":
    sys.exit(main())
