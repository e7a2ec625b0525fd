"""Large models: time and peak memory of every phase (benchmarks, not tests).

    python benchmarks/gtap_size.py wiod                 # every WIOD 2011 country (41 x 31)
    python benchmarks/gtap_size.py 141x65 --memory 14   # synthetic, address space limited to 14 GB

Each case runs in a fresh subprocess: data (``build_wiod`` with identity concordances for the
countries and the 35 industries, c5, c8, c19 and c35 merged into neighbours because some
countries have no output in them; or ``synthetic_dataset``), calibrate, Pyomo build, convert
(Pyomo -> casadi graph), compile (residuals and Jacobian), benchmark solve (a residual check)
and a +10 % TFP shock in two sectors of the first region. A watcher thread samples the
resident memory every 2 s, so a run that stops (MemoryError, time-out) shows the phase it
reached and the memory at that point.
"""
from __future__ import annotations

import argparse
import subprocess
import sys

CHILD = r"""
import resource, sys, threading, time
case, limit = sys.argv[1], float(sys.argv[2])
if limit > 0:
    resource.setrlimit(resource.RLIMIT_AS, (int(limit * 2**30), int(limit * 2**30)))
t0 = time.perf_counter()
state = {"phase": "import"}
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 2**20
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
def watch():
    while True:
        time.sleep(2)
        print(f"  [{time.perf_counter() - t0:7.1f} s] {state['phase']}: RSS {rss():.2f} GB", file=sys.stderr, flush=True)
threading.Thread(target=watch, daemon=True).start()
def phase(name, t):
    print(f"{name:<16} {time.perf_counter() - t:8.2f} s   peak RSS {peak():6.2f} GB", flush=True)
import cgetrade
t = time.perf_counter(); state["phase"] = "data"
if case == "wiod":
    from cgetrade.data.wiod import build_wiod, wiod_table
    countries = wiod_table(2011)["countries"]
    merge = {"c5": "c4", "c8": "c2", "c19": "c20", "c35": "c34"}
    ds = build_wiod(2011, {c: c for c in countries}, {f"c{k}": merge.get(f"c{k}", f"c{k}") for k in range(1, 36)})
else:
    ds = cgetrade.data.synthetic_dataset(*map(int, case.split("x")), seed=0)
phase(f"data {ds.sizes['region']}x{ds.sizes['sector']}", t)
t = time.perf_counter(); state["phase"] = "calibrate"
p = cgetrade.calibrate(ds); phase("calibrate", t)
t = time.perf_counter(); state["phase"] = "build"
model = cgetrade.CGEModel(p); phase("build", t)
t = time.perf_counter(); state["phase"] = "convert + compile"
nlp = model.nlp
print(f"convert          {nlp.convert_time:8.2f} s   ({nlp.tape_size:,} expression nodes read)")
print(f"compile          {nlp.compile_time:8.2f} s   peak RSS {peak():6.2f} GB   ({nlp.m:,} equations, {nlp.nnz_jac:,} Jacobian nonzeros)")
t = time.perf_counter(); state["phase"] = "benchmark solve"
base = model.solve(); phase("benchmark solve", t)
from cgetrade.scenario import Scenario, Shock
t = time.perf_counter(); state["phase"] = "shock solve"
Scenario("s", [Shock("tfp", 0.1, region=p.regions[0], sector=p.sectors[:2])]).apply(model)
sol = model.solve(); phase(f"shock solve ({sol.iterations} it, {sol.info.get('factorisations')} LU)", t)
t = time.perf_counter(); state["phase"] = "results"
from cgetrade.results import collect
res = collect(model); phase("results", t)
print(f"total            {time.perf_counter() - t0:8.2f} s   peak RSS {peak():6.2f} GB")
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", help="wiod or RxI")
    ap.add_argument("--memory", type=float, default=0, help="address-space limit in GB (0: none)")
    ap.add_argument("--timeout", type=float, default=2700)
    args = ap.parse_args(argv)
    try:
        r = subprocess.run([sys.executable, "-c", CHILD, args.case, str(args.memory)], text=True,
                           timeout=args.timeout, capture_output=True)
        out, err, code = r.stdout, r.stderr, r.returncode
    except subprocess.TimeoutExpired as e:
        out, err, code = e.stdout or "", e.stderr or "", f"timed out after {args.timeout:.0f} s"
        out, err = (x.decode() if isinstance(x, bytes) else x for x in (out, err))
    print(out, end="")
    if code != 0:
        samples = [ln for ln in err.splitlines() if ln.startswith("  [")]
        print(f"stopped ({code}); last memory samples:\n" + "\n".join(samples[-4:]))
        print("\n".join(ln for ln in err.splitlines() if not ln.startswith("  ["))[-1500:])


if __name__ == "__main__":
    main()
