"""Phase times and peak memory by model size (benchmarks, not tests).

    python benchmarks/run_benchmarks.py [--sizes default 10x10 20x20 30x30 40x40 sam30 sam60 sam100]
                                        [--backend families scalar]
                                        [--repeat 3] [--method auto] [--ipopt] [--json out.json]
                                        [--readme]

Sizes: ``default`` (the shipped 6x8 dataset), ``RxI`` (``cgetrade.data.synthetic_dataset``,
R regions x I sectors, seed 0) and ``samN`` (a single-country N-good SAM in the
Hosoe-Gasawa-Hashimoto STDCGE layout, ``cgetrade.data.synthetic.synthetic_sam``, read by
``from_sam``, calibrated with the textbook's elasticities and closure; the shock abolishes
every import tariff). Every size runs in a fresh subprocess, so peak memory (max RSS) is
per size; with ``--repeat k`` the table shows medians of k runs.

Phases: import (``import cgetrade``), data (generating the synthetic dataset; for a SAM:
generating it and ``from_sam``), calibrate, Pyomo build, convert (Pyomo -> casadi graph),
compile (residual and Jacobian functions), benchmark solve (a residual check), shock solve
(+10 % TFP in the first two sectors of the first region; tariff abolition for a SAM) with its
iterations and LU factorisations, results (``results.collect``, plus
``reference.textbook_variables`` before and after the shock for a SAM), the Newton floor (one
Jacobian + one LU + one solve), a sweep of repeated small TFP shocks (solves per minute),
``total`` (calibrate to the end of the results, excluding data and the sweep) and
``process`` (wall time from the start of the interpreter to the end of the results).
``--readme`` rewrites the generated table in benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import os, time
def _since_start():     # wall time since this process started (Linux /proc)
    ticks = os.sysconf("SC_CLK_TCK")
    start = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19]) / ticks
    return float(open("/proc/uptime").read().split()[0]) - start
t_import = time.perf_counter()
import cgetrade
t_import = time.perf_counter() - t_import
import json, resource, sys
import numpy as np
size, method, with_ipopt, sweep_n = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
from cgetrade.solve.bridge import CompiledNLP      # after the import timing: the bridge backend
CompiledNLP.BACKEND = sys.argv[5]
def phase(name, **kw):
    kw = {k: round(v, 3) if isinstance(v, float) else v for k, v in kw.items()}
    print(f"{name} {json.dumps(kw)} rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB",
          file=sys.stderr, flush=True)
sam = size.startswith("sam")
t = time.perf_counter()
if sam:
    from cgetrade import reference
    from cgetrade.data import from_sam
    from cgetrade.data.synthetic import synthetic_sam
    table, accounts = synthetic_sam(int(size[3:]), seed=0)
    ds = from_sam(table, accounts, region="SAM", rest_of_world="EXT")
elif size == "default":
    ds = cgetrade.data.load_default()
else:
    ds = cgetrade.data.synthetic_dataset(*map(int, size.split("x")), seed=0)
t_data = time.perf_counter() - t
phase("data", s=t_data)
t_start = t = time.perf_counter()
if sam:
    p = cgetrade.calibrate(ds, reference.HGH_ELASTICITIES)
    closure = cgetrade.Closure(numeraire=("factor", "labour", "SAM"), final_demand="household_government",
                               foreign_saving="rest_of_world", unemployment={"SAM": 0.05})
else:
    p, closure = cgetrade.calibrate(ds), None
t_cal = time.perf_counter() - t
phase("calibrate", s=t_cal)
model = cgetrade.CGEModel(p, closure)
phase("build", s=model.build_time)
nlp = model.nlp
phase("convert+compile", convert=nlp.convert_time, compile=nlp.compile_time, nnz=nlp.nnz_jac, m=nlp.m)
base = model.solve(method=method)
x_base = nlp.x_from_model()
phase("benchmark solve", s=base.solve_time, iterations=base.iterations)
from cgetrade.results import collect
t = time.perf_counter()
if sam:
    before = reference.textbook_variables(model)
    shock = reference.MODELS["STDCGE"].experiment
else:
    from cgetrade.scenario import Scenario, Shock
    shock = Scenario("s", [Shock("tfp", 0.1, region=p.regions[0], sector=p.sectors[:2])])
t_results = time.perf_counter() - t
shock.apply(model)
sol = model.solve(method=method)
phase("shock solve", s=sol.solve_time, iterations=sol.iterations, solver=sol.info.get("solver"))
t = time.perf_counter()
res = collect(model)
if sam:
    after = reference.textbook_variables(model)
t_results += time.perf_counter() - t
total = time.perf_counter() - t_start - t_data * 0     # calibrate ... results
process = _since_start()
phase("results", s=t_results)
out = {"size": size, "import": t_import, "data": t_data, "regions": len(p.regions),
       "sectors": len(p.sectors), "equations": nlp.m, "nnz_jac": nlp.nnz_jac, "calibrate": t_cal,
       "build": model.build_time, "convert": nlp.convert_time, "compile": nlp.compile_time,
       "solve_benchmark": base.solve_time, "iter_benchmark": base.iterations,
       "solve_shock": sol.solve_time, "iter_shock": sol.iterations,
       "fact_shock": sol.info.get("factorisations", -1), "solver_shock": sol.info.get("solver"),
       "results": t_results, "total": total, "process": process, "backend": nlp.backend}
if sam:
    out["utility_change_pct"] = 100 * (after[("UU", "SAM")] / before[("UU", "SAM")] - 1)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if not sam:
    # Newton floor: one Jacobian, one LU factorisation, one solve at the shocked solution
    from cgetrade.solve.newton import SparseLU
    x, pv = nlp.x_from_model(), nlp.p_from_model()
    indptr = np.concatenate([[0], np.cumsum(np.bincount(nlp.jac_structure[0], minlength=nlp.m))])
    lu = SparseLU(indptr, nlp.jac_structure[1], nlp.n)
    lu.factor(nlp.jacobian_values(x, pv))        # symbolic analysis (once per structure) not timed
    t = time.perf_counter()
    lu.factor(nlp.jacobian_values(x, pv)).solve(nlp.residuals(x, pv))
    out["newton_floor"] = time.perf_counter() - t
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for k in range(sweep_n):       # repeated small shocks: TFP of one sector of the first region
        model.pyomo.tfp[p.sectors[k % len(p.sectors)], p.regions[0]] = 1 + 0.02 * rng.uniform(-1, 1)
        model.solve(method=method)
    sweep = time.perf_counter() - t
    out["sweep_per_minute"] = 60 * sweep_n / sweep if sweep_n else float("nan")
    phase("sweep", s=sweep, solves=sweep_n)
if with_ipopt:
    from cgetrade.solve import run_ipopt
    xi, info, ti = run_ipopt(nlp, x_base, nlp.p_from_model())
    out.update(ipopt_shock=ti, ipopt_iter=int(info["iter_count"]))
print(json.dumps(out))
"""

COLS = [("size", "{}", "size"), ("equations", "{:,}", "equations"), ("nnz_jac", "{:,}", "Jacobian nnz"),
        ("import", "{:.2f}", "import s"), ("data", "{:.2f}", "data s"), ("calibrate", "{:.2f}", "calibrate s"),
        ("build", "{:.2f}", "build s"), ("convert", "{:.2f}", "convert s"), ("compile", "{:.2f}", "compile s"),
        ("solve_benchmark", "{:.3f}", "benchmark s"), ("solve_shock", "{:.3f}", "shock s"),
        ("iter_shock", "{:.0f}", "iter"), ("results", "{:.2f}", "results s"), ("total", "{:.2f}", "total s"),
        ("process", "{:.2f}", "process s"), ("peak_rss_mb", "{:,.0f}", "peak RSS MB"),
        ("newton_floor", "{:.3f}", "Newton floor s"), ("sweep_per_minute", "{:,.0f}", "sweep solves/min")]
README = Path(__file__).with_name("README.md")
START, END = "<!-- generated by benchmarks/run_benchmarks.py: start -->", \
    "<!-- generated by benchmarks/run_benchmarks.py: end -->"


def run(size: str, method: str, ipopt: bool, sweep: int, timeout: float, backend: str = "families") -> dict:
    try:
        r = subprocess.run([sys.executable, "-c", CHILD, size, method, "1" if ipopt else "0",
                            str(sweep), backend], capture_output=True, text=True, timeout=timeout)
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


def cell(row, key, fmt) -> str:
    v = row.get(key)
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    if key == "size":
        return "default 6x8" if v == "default" else (f"SAM {v[3:]} goods" if str(v).startswith("sam") else v)
    return fmt.format(v)


def markdown(rows, header: str) -> str:
    lines = [header, "", "| " + " | ".join(h for _, _, h in COLS) + " |",
             "|---|" + "---:|" * (len(COLS) - 1)]
    for row in rows:
        if "error" in row:
            lines.append(f"| {cell(row, 'size', '')} | failed: {row['error'].splitlines()[0]} |")
        else:
            lines.append("| " + " | ".join(cell(row, k, f) for k, f, _ in COLS) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+",
                    default=["default", "10x10", "20x20", "30x30", "40x40", "sam30", "sam60", "sam100"])
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (medians are shown)")
    ap.add_argument("--method", default="auto", choices=["auto", "newton", "ipopt"])
    ap.add_argument("--ipopt", action="store_true", help="also time Ipopt on the shock")
    ap.add_argument("--backend", nargs="+", default=["families"], choices=["families", "scalar"],
                    help="bridge backends (cgetrade.solve.bridge); with two, each size runs on both")
    ap.add_argument("--sweep", type=int, default=50, help="repeated small shocks per size")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json", help="also write the numbers to this file")
    ap.add_argument("--readme", action="store_true", help="rewrite the generated table in README.md")
    ap.add_argument("--from-json", help="table of a run saved with --json (nothing is run)")
    args = ap.parse_args(argv)
    load = os.getloadavg()
    header = (f"method={args.method}, backend={'/'.join(args.backend)}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} "
              f"{load[2]:.2f} at the start, medians of {args.repeat}, Python {sys.version.split()[0]}")
    rows = []
    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
        if isinstance(saved, list):                  # rows only
            saved = {"header": f"from {args.from_json}", "rows": saved}
        header, rows, args.sizes = saved["header"], saved["rows"], []
    print(header)
    for size, backend in [(s, b) for s in args.sizes for b in args.backend]:
        runs = [run(size, args.method, args.ipopt, args.sweep, args.timeout, backend) for _ in range(args.repeat)]
        good = [r for r in runs if "error" not in r]
        row = dict(median_row(good), runs=len(good)) if good else runs[0]
        if len(args.backend) > 1:
            row["size"] = f"{cell(row, 'size', '')} ({backend})"
        rows.append(row)
        print("  ".join(f"{h}={cell(row, k, f)}" for k, f, h in COLS if k in row) if good
              else f"{size}: FAILED: {row['error']}", flush=True)
    table = markdown(rows, header)
    print("\n" + table)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"header": header, "rows": rows}, f, indent=1)
    if args.readme:
        text = README.read_text()
        block = f"{START}\n{table}\n{END}"
        if START in text:
            text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        else:
            text = text.replace("## Measured", f"## Measured by phase\n\n{block}\n\n## Measured", 1)
        README.write_text(text)


if __name__ == "__main__":
    main()
