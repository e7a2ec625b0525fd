"""Build and solve times by model size (benchmarks, not tests).

    python benchmarks/run_benchmarks.py [--sizes default 10x10 20x20 30x30 40x40 20x65]
                                        [--repeat 3] [--method auto] [--ipopt] [--json out.json]

Each size runs in a fresh subprocess so that peak memory (max RSS) is per size; with
``--repeat k`` every size runs k times and the table shows medians. Reported: equations,
Jacobian nonzeros, calibration, Pyomo build, Pyomo->casadi conversion, derivative compile,
benchmark solve (0 iterations: a residual check), a shocked solve (+10 % TFP in the first two
sectors of the first region) with its iterations and LU factorisations, the Newton floor (one
Jacobian evaluation + one LU factorisation + one solve at the shocked solution) and the ratio
shock solve / floor, a sweep of repeated small shocks on the built model (solves per minute,
each warm-started from the last point and reusing the last LU factors), total wall time from
calibration to the end of the shocked solve (generating the synthetic dataset is not part of
it; its time is in the JSON output as ``data``) and peak RSS. ``--ipopt`` also times Ipopt on
the same shock from the benchmark.
Targets: 30x30 total <= 8 s and shock solve <= 2 s; 40x40 and 20x65 total <= 60 s and peak RSS
<= 4 GB; >= 1,000 solves per minute at 10x10 for repeated small shocks.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import numpy as np
import cgetrade
from cgetrade.data import load_default, synthetic_dataset
from cgetrade.scenario import Scenario, Shock
from cgetrade.solve import run_ipopt
size, method, with_ipopt, sweep_n = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
def phase(name, **kw):
    kw = {k: round(v, 3) if isinstance(v, float) else v for k, v in kw.items()}
    print(f"{name} {json.dumps(kw)} rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB "
          f"t={time.perf_counter() - t0:.1f}", file=sys.stderr, flush=True)
t = time.perf_counter()
ds = load_default() if size == "default" else synthetic_dataset(*map(int, size.split("x")), seed=0)
t_data = time.perf_counter() - t
t_start = t = time.perf_counter(); p = cgetrade.calibrate(ds); t_cal = time.perf_counter() - t
phase("calibrate", s=t_cal)
model = cgetrade.CGEModel(p)
phase("build", s=model.build_time)
nlp = model.nlp
phase("convert+compile", convert=nlp.convert_time, compile=nlp.compile_time, nnz=nlp.nnz_jac, m=nlp.m)
base = model.solve(method=method)
x_base = nlp.x_from_model()
phase("benchmark solve", s=base.solve_time, iterations=base.iterations)
shock = Scenario("s", [Shock("tfp", 0.1, region=p.regions[0], sector=p.sectors[:2])])
shock.apply(model)
sol = model.solve(method=method)
total = time.perf_counter() - t_start        # calibrate ... shock solve (not data generation)
phase("shock solve", s=sol.solve_time, iterations=sol.iterations, solver=sol.info.get("solver"))
# Newton floor: one Jacobian, one LU factorisation, one solve at the shocked solution
from cgetrade.solve.newton import SparseLU, default_linear_solver
x, pv = nlp.x_from_model(), nlp.p_from_model()
indptr = np.concatenate([[0], np.cumsum(np.bincount(nlp.jac_structure[0], minlength=nlp.m))])
lu = SparseLU(indptr, nlp.jac_structure[1], nlp.n)
lu.factor(nlp.jacobian_values(x, pv))        # symbolic analysis (once per structure) not timed
t = time.perf_counter()
lu.factor(nlp.jacobian_values(x, pv)).solve(nlp.residuals(x, pv))
floor = time.perf_counter() - t
out = {"size": size, "data": t_data, "regions": len(p.regions), "sectors": len(p.sectors), "equations": nlp.m,
       "nnz_jac": nlp.nnz_jac, "calibrate": t_cal, "build": model.build_time,
       "convert": nlp.convert_time, "compile": nlp.compile_time,
       "solve_benchmark": base.solve_time, "iter_benchmark": base.iterations,
       "solve_shock": sol.solve_time, "iter_shock": sol.iterations,
       "fact_shock": sol.info.get("factorisations", -1), "solver_shock": sol.info.get("solver"),
       "newton_floor": floor, "floor_ratio": sol.solve_time / floor, "total": total,
       "linear_solver": default_linear_solver()}
# repeated small shocks on the built model: a sweep of TFP in the first region
rng = np.random.default_rng(0)
t = time.perf_counter()
n_fact = 0
for k in range(sweep_n):
    model.pyomo.tfp[p.sectors[k % len(p.sectors)], p.regions[0]] = 1 + 0.02 * rng.uniform(-1, 1)
    s = model.solve(method=method)
    n_fact += s.info.get("factorisations", 0)
sweep = time.perf_counter() - t
out.update(sweep_solves=sweep_n, sweep_per_minute=60 * sweep_n / sweep if sweep_n else float("nan"),
           sweep_factorisations=n_fact)
phase("sweep", s=sweep, solves=sweep_n)
if with_ipopt:
    xi, info, ti = run_ipopt(nlp, x_base, pv)
    out.update(ipopt_shock=ti, ipopt_iter=int(info["iter_count"]))
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

COLS = [("size", "{:>8}"), ("equations", "{:>7}"), ("nnz_jac", "{:>9}"), ("calibrate", "{:>7.2f}"),
        ("build", "{:>7.2f}"), ("convert", "{:>7.2f}"), ("compile", "{:>7.2f}"),
        ("solve_benchmark", "{:>7.3f}"), ("iter_benchmark", "{:>3}"), ("solve_shock", "{:>7.3f}"),
        ("iter_shock", "{:>3}"), ("fact_shock", "{:>3}"), ("newton_floor", "{:>7.3f}"),
        ("floor_ratio", "{:>6.1f}"), ("sweep_per_minute", "{:>7.0f}"), ("total", "{:>7.2f}"),
        ("peak_rss_mb", "{:>7.0f}"), ("ipopt_shock", "{:>7.2f}")]
HEAD = ["size", "eqs", "jac nnz", "calib", "build", "convert", "compile", "bench", "it", "shock",
        "it", "LU", "floor", "ratio", "sol/min", "total", "RSS MB", "ipopt"]


def run(size: str, method: str, ipopt: bool, sweep: int, timeout: float) -> dict:
    try:
        r = subprocess.run([sys.executable, "-c", CHILD, size, method, "1" if ipopt else "0",
                            str(sweep)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        done = (err.stderr or b"").decode() if isinstance(err.stderr, bytes) else (err.stderr or "")
        return {"size": size, "error": f"timed out after {timeout:.0f} s; phases done:\n{done}"}
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines()
        phases = [ln for ln in lines if " rss=" in ln]           # the phases that finished
        return {"size": size, "error": "\n".join(phases + ["..."] + lines[-8:]) or "failed"}
    return json.loads(r.stdout.strip().splitlines()[-1])


def median_row(rows: list[dict]) -> dict:
    out = dict(rows[0])
    for k, v in rows[0].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = statistics.median(r[k] for r in rows)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+",
                    default=["default", "10x10", "20x20", "30x30", "40x40", "20x65"])
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (medians are shown)")
    ap.add_argument("--method", default="auto", choices=["auto", "newton", "ipopt"])
    ap.add_argument("--ipopt", action="store_true", help="also time Ipopt on the shock")
    ap.add_argument("--sweep", type=int, default=50, help="repeated small shocks per size")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    load = os.getloadavg()
    print(f"method={args.method}, {os.cpu_count()} cores, load average {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}" + (" (loaded machine)" if load[0] > 1.5 else "")
          + f", medians of {args.repeat}")
    widths = [len(f.format(0 if "d" in f or "f" in f else "")) for _, f in COLS]
    widths = [max(w, len(h)) for w, h in zip(widths, HEAD)]
    print("  ".join(h.rjust(w) for h, w in zip(HEAD, widths)))
    rows = []
    for size in args.sizes:
        t = time.perf_counter()
        runs = [run(size, args.method, args.ipopt, args.sweep, args.timeout) for _ in range(args.repeat)]
        good = [r for r in runs if "error" not in r]
        if not good:
            rows.append(runs[0])
            print(f"{size:>8}  FAILED after {time.perf_counter() - t:.0f} s: {runs[0]['error']}")
            continue
        row = median_row(good)
        row["runs"] = len(good)
        rows.append(row)
        print("  ".join((f.format(row[k]) if k in row else "-").rjust(w)
                        for (k, f), w in zip(COLS, widths)))
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
