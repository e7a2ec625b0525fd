"""Reading and calibrating GTAP-format data bases (HAR files), by phase.

    python benchmarks/gtap_format.py                      # GTAP-format 20x41
    python benchmarks/gtap_format.py --gtap 10x20 20x41

A GTAP-format set of the requested size is written with harpy3 by the test suite's generator
(tests/data_sources/samples.py: exact GTAP accounting identities, tariffs, margins, trade
inside the aggregate region; the GTAP database itself is licensed and not shipped). Phases:
write (not counted), read + map to the schema (``from_gtap``), validate, calibrate, build,
compile, benchmark solve (a residual check), a 10 % TFP shock. Each case runs in a fresh
process so that its peak memory (ru_maxrss) is its own. The full WIOD table and synthetic
GTAP-size models: benchmarks/gtap_size.py.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _phases(load) -> dict:
    """Times (s) of every phase after ``load`` (a callable returning (dataset, elasticities))."""
    import cgetrade
    from cgetrade.scenario import Scenario, Shock
    out = {}
    t = time.perf_counter()
    ds, el = load()
    out["read"] = time.perf_counter() - t
    t = time.perf_counter()
    cgetrade.data.validate(ds)
    out["validate"] = time.perf_counter() - t
    t = time.perf_counter()
    params = cgetrade.calibrate(ds, el)
    out["calibrate"] = time.perf_counter() - t
    t = time.perf_counter()
    model = cgetrade.CGEModel(params)
    out["build"] = time.perf_counter() - t
    t = time.perf_counter()
    model.nlp                                              # compiled on first use
    out["compile"] = time.perf_counter() - t
    t = time.perf_counter()
    model.solve()
    out["benchmark solve"] = time.perf_counter() - t
    out["max residual"] = model.max_residual()
    region, sectors = params.regions[0], params.sectors[:2]
    t = time.perf_counter()
    Scenario("tfp", [Shock("tfp", 0.10, region=region, sector=list(sectors))]).solve(model)
    out["shock solve"] = time.perf_counter() - t
    out["equations"] = model.nlp.n
    out["regions x sectors"] = f"{len(params.regions)}x{len(params.sectors)}"
    return out


def case_gtap(size: str) -> dict:
    sys.path.insert(0, str(REPO / "tests" / "data_sources"))
    from samples import write_gtap
    from cgetrade.data import from_gtap
    r, i = (int(x) for x in size.split("x"))
    folder = Path(tempfile.mkdtemp(prefix="gtap-bench-"))
    t = time.perf_counter()
    write_gtap(folder, n_regions=r, n_commodities=i)
    written = time.perf_counter() - t
    out = _phases(lambda: from_gtap(folder / "basedata.har", folder / "default.prm", folder / "sets.har"))
    out["write (not counted)"] = written
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gtap", nargs="*", default=["20x41"], help="GTAP-format sizes REGIONSxCOMMODITIES")
    ap.add_argument("--case", help=argparse.SUPPRESS)        # internal: one case in this process
    args = ap.parse_args()
    if args.case:
        res = case_gtap(args.case)
        res["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(res))
        return
    cases = list(args.gtap)
    rows = []
    for case in cases:
        done = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True)
        if done.returncode:
            print(f"{case}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        res = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(("GTAP-format " + case, res))
    keys = ["regions x sectors", "equations", "read", "validate", "calibrate", "build", "compile",
            "benchmark solve", "shock solve", "max residual", "peak RSS MB"]
    print("| case | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for name, res in rows:
        cells = []
        for k in keys:
            v = res.get(k, "")
            cells.append(f"{v:.1e}" if k == "max residual" else f"{v:,.2f}" if isinstance(v, float)
                         else f"{v:,}" if isinstance(v, int) else str(v))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
