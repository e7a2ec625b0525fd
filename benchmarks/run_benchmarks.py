"""Build and solve times by model size (benchmarks, not tests).

    python benchmarks/run_benchmarks.py [--sizes default 10x10 20x20 30x30] [--json out.json]

Each size runs in a fresh subprocess so that peak memory (max RSS) is per size. Reported:
equations, Jacobian nonzeros, calibration, Pyomo build, Pyomo->casadi conversion, derivative
compile, benchmark solve (Ipopt iterations must be 0), a shocked solve (+10 % TFP in the first
two sectors of the first region), total wall time and peak RSS.
Targets: 10x10 build+solve <= 2 s; 30x30 <= 30 s; peak RSS at 30x30 <= 4 GB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import cgetrade
from cgetrade.data import load_default, synthetic_dataset
from cgetrade.scenario import Scenario, Shock
size = sys.argv[1]
t_import = time.perf_counter() - t0
ds = load_default() if size == "default" else synthetic_dataset(*map(int, size.split("x")), seed=0)
t = time.perf_counter(); p = cgetrade.calibrate(ds); t_cal = time.perf_counter() - t
model = cgetrade.CGEModel(p)
nlp = model.nlp
base = model.solve()
Scenario("s", [Shock("tfp", 0.1, region=p.regions[0], sector=p.sectors[:2])]).apply(model)
shock = model.solve()
print(json.dumps({
    "size": size, "regions": len(p.regions), "sectors": len(p.sectors), "equations": nlp.m,
    "nnz_jac": nlp.nnz_jac, "calibrate": t_cal, "build": model.build_time,
    "convert": nlp.convert_time, "compile": nlp.compile_time,
    "solve_benchmark": base.solve_time, "iter_benchmark": base.iterations,
    "solve_shock": shock.solve_time, "iter_shock": shock.iterations,
    "total": time.perf_counter() - t0 - t_import,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

COLS = [("size", "{:>8}"), ("equations", "{:>9}"), ("nnz_jac", "{:>9}"), ("calibrate", "{:>9.2f}"),
        ("build", "{:>7.2f}"), ("convert", "{:>8.2f}"), ("compile", "{:>8.2f}"),
        ("solve_benchmark", "{:>10.2f}"), ("iter_benchmark", "{:>5}"), ("solve_shock", "{:>9.2f}"),
        ("iter_shock", "{:>5}"), ("total", "{:>8.2f}"), ("peak_rss_mb", "{:>9.0f}")]
HEAD = ["size", "equations", "jac nnz", "calib s", "build s", "convert s", "compile s",
        "bench solve", "iter", "shock s", "iter", "total s", "peak MB"]


def run(size: str, timeout: float) -> dict:
    try:
        r = subprocess.run([sys.executable, "-c", CHILD, size], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"size": size, "error": f"timed out after {timeout:.0f} s"}
    if r.returncode != 0:
        return {"size": size, "error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["default", "10x10", "20x20", "30x30"])
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    widths = [len(f.format(0 if "d" in f or "f" in f else "")) for _, f in COLS]
    print("  ".join(h.rjust(w) for h, w in zip(HEAD, widths)))
    rows = []
    for size in args.sizes:
        t = time.perf_counter()
        row = run(size, args.timeout)
        rows.append(row)
        if "error" in row:
            print(f"{size:>8}  FAILED: {row['error']} ({time.perf_counter() - t:.0f} s)")
        else:
            print("  ".join(f.format(row[k]).rjust(w) for (k, f), w in zip(COLS, widths)))
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
