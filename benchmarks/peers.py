"""The single-country SAM case against two peers, measured in one run (a benchmark, not a test).

    python benchmarks/peers.py                                  # 30, 60, 100 goods, 3 runs each
    python benchmarks/peers.py --sizes 30 --repeat 5 --json benchmarks/peers.json --readme

The case: a synthetic N-good SAM in the Hosoe-Gasawa-Hashimoto STDCGE layout
(``cgetrade.data.synthetic.synthetic_sam``, seed 0) and the textbook model on it (Cobb-Douglas
value added, Leontief intermediates, Armington and CET elasticities 2, a production tax, a
tariff, Cobb-Douglas household, government saving a fixed share of its revenue and spending
fixed value shares, investment in fixed value shares of saving, foreign saving fixed in
foreign currency); the experiment abolishes every tariff. The peers, each installed from
PyPI in a virtual environment of its own (``--env-dir``, default ``~/.cache/cgetrade-peers``):

* cgelab 0.7.0: the SAM in its long format with activities and commodities split (the make
  matrix is the diagonal of gross output), its ``examples/hosoe.py`` settings;
* pystdcge 0.3.3 (the IFPRI standard model): the SAM in IFPRI codes, the production tax as an
  activity tax, capital income through an enterprise account that passes all of it to the
  household (the model needs one), ``gov="cd"`` and ``inv="value_shares"`` (its Hosoe options).

Each tool runs in a fresh process per run: import, read its SAM file, calibrate, solve the
benchmark and the experiment, household utility UU = prod_i Xp_i^alpha_i before and after.
The three must agree on UU (they do to about 1e-15: the same model); the table gives the
wall time of the whole process (interpreter start to exit, as the parent sees it) and the
tools' own phase times. The tools run interleaved: run k of every tool, then run k + 1.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
PEERS = {"cgelab": "cgelab==0.7.0", "pystdcge": "pystdcge==0.3.3"}
INSTITUTIONS = ("CAP", "LAB", "IDT", "TRF", "HOH", "GOV", "INV", "EXT")


def goods_of(table: pd.DataFrame) -> list[str]:
    return [a for a in table.index if a not in INSTITUTIONS]


def cgelab_entries(table: pd.DataFrame) -> pd.DataFrame:
    """The HGH SAM as cgelab's long table (row, col, value): goods split into an activity
    a_g (paying intermediates and factors) and a commodity c_g (paying the activity's gross
    output, the production tax, the tariff and imports)."""
    t, goods, rows = table, goods_of(table), []

    def add(r, c, v):
        if v != 0:
            rows.append((r, c, float(v)))
    for j in goods:
        for i in goods:
            add(f"c_{i}", f"a_{j}", t.loc[i, j])
        add("f_cap", f"a_{j}", t.loc["CAP", j])
        add("f_lab", f"a_{j}", t.loc["LAB", j])
        add(f"a_{j}", f"c_{j}", sum(t.loc[i, j] for i in goods) + t.loc["CAP", j] + t.loc["LAB", j])
        add("idt", f"c_{j}", t.loc["IDT", j])
        add("trf", f"c_{j}", t.loc["TRF", j])
        add("row", f"c_{j}", t.loc["EXT", j])
        for col, acc in (("hh", "HOH"), ("gov", "GOV"), ("s_i", "INV"), ("row", "EXT")):
            add(f"c_{j}", col, t.loc[j, acc])
    for r, c, acc in (("hh", "f_cap", ("HOH", "CAP")), ("hh", "f_lab", ("HOH", "LAB")),
                      ("gov", "idt", ("GOV", "IDT")), ("gov", "trf", ("GOV", "TRF")),
                      ("gov", "hh", ("GOV", "HOH")), ("s_i", "hh", ("INV", "HOH")),
                      ("s_i", "gov", ("INV", "GOV")), ("s_i", "row", ("INV", "EXT"))):
        add(r, c, t.loc[acc])
    return pd.DataFrame(rows, columns=["row", "col", "value"])


def pystdcge_sam(table: pd.DataFrame) -> pd.DataFrame:
    """The HGH SAM in pystdcge's IFPRI codes (square, rows receive): activities a-g paying
    intermediates, factors and the activity tax (the production tax), commodities c-g paying
    the activity's output, the import tax and imports; capital income through ``ent``, which
    passes it on to ``hhd``; empty trade-margin (trc), sales-tax and stock accounts."""
    t, goods = table, goods_of(table)
    A, C = [f"a-{g}" for g in goods], [f"c-{g}" for g in goods]
    codes = A + C + ["flab-n", "fcap", "ent", "hhd", "gov", "atax", "dtax", "mtax", "stax", "trc",
                     "s-i", "dstk", "row"]
    S = pd.DataFrame(0.0, index=codes, columns=codes)
    for j, g in enumerate(goods):
        for i, h in enumerate(goods):
            S.loc[C[i], A[j]] = t.loc[h, g]
        S.loc["fcap", A[j]], S.loc["flab-n", A[j]], S.loc["atax", A[j]] = t.loc["CAP", g], t.loc["LAB", g], t.loc["IDT", g]
        S.loc[A[j], C[j]] = S[A[j]].sum()
        S.loc["mtax", C[j]], S.loc["row", C[j]] = t.loc["TRF", g], t.loc["EXT", g]
        S.loc[C[j], "hhd"], S.loc[C[j], "gov"] = t.loc[g, "HOH"], t.loc[g, "GOV"]
        S.loc[C[j], "s-i"], S.loc[C[j], "row"] = t.loc[g, "INV"], t.loc[g, "EXT"]
    S.loc["ent", "fcap"] = S.loc["hhd", "ent"] = t.loc["HOH", "CAP"]
    S.loc["hhd", "flab-n"] = t.loc["HOH", "LAB"]
    S.loc["dtax", "hhd"] = S.loc["gov", "dtax"] = t.loc["GOV", "HOH"]
    S.loc["gov", "atax"], S.loc["gov", "mtax"] = t.loc["GOV", "IDT"], t.loc["GOV", "TRF"]
    S.loc["s-i", "hhd"], S.loc["s-i", "gov"], S.loc["s-i", "row"] = (t.loc["INV", "HOH"], t.loc["INV", "GOV"],
                                                                   t.loc["INV", "EXT"])
    return S


# the child scripts: argv[1] = the SAM file in the tool's format; print one JSON line
CHILD = {
    "cgetrade": r"""
import sys, time, json
t0 = time.perf_counter()
import pandas as pd
import cgetrade
from cgetrade import reference
from cgetrade.data import from_sam
t1 = time.perf_counter()
tab = pd.read_csv(sys.argv[1], index_col=0)
types = {"CAP": "capital", "LAB": "labour", "IDT": "production_tax", "TRF": "import_tariff",
         "HOH": "household", "GOV": "government", "INV": "investment", "EXT": "rest_of_world"}
ds = from_sam(tab, {a: types.get(a, "good") for a in tab.index}, region="SAM", rest_of_world="EXT")
p = cgetrade.calibrate(ds, reference.HGH_ELASTICITIES)
closure = cgetrade.Closure(numeraire=("factor", "labour", "SAM"), final_demand="household_government",
                           foreign_saving="rest_of_world", unemployment={"SAM": 0.05})
model = cgetrade.CGEModel(p, closure)
t2 = time.perf_counter()
model.solve()
uu0 = reference.textbook_variables(model)[("UU", "SAM")]
reference.MODELS["STDCGE"].experiment.apply(model)
model.solve()
uu1 = reference.textbook_variables(model)[("UU", "SAM")]
t3 = time.perf_counter()
print(json.dumps({"uu0": uu0, "uu1": uu1, "import": t1 - t0, "setup": t2 - t1, "solve": t3 - t2}))
""",
    "cgelab": r"""
import sys, time, json
t0 = time.perf_counter()
import numpy as np, pandas as pd
from cgelab.calibrate import calibrate
from cgelab.closure import Closure
from cgelab.sam import SAM
from cgelab.scenario import Scenario
from cgelab.solve import solve_period
from cgelab.spec import ModelSpec
t1 = time.perf_counter()
long = pd.read_csv(sys.argv[1])
sam = SAM.from_long(long, name="synthetic")
goods = sorted({c[2:] for c in long["col"] if c.startswith("a_")})
spec = ModelSpec(activities=[f"a_{g}" for g in goods], commodities=[f"c_{g}" for g in goods], households=["hh"],
                 factors=("f_cap", "f_lab"), numeraire_factor="f_lab", government="gov", investment="s_i",
                 rest_of_world="row", value_added="cobb_douglas", sigma_armington=2.0, export_rule="cet",
                 sigma_cet=2.0, margins=False, tariff_account="trf", indirect_tax_account="idt")
econ = calibrate(sam, spec)
closure = Closure(government="saving_rate", foreign_saving_unit="foreign_currency")
t2 = time.perf_counter()
base = solve_period(econ, closure)
sim = solve_period(econ, closure, Scenario(name="no tariffs", tariff=np.zeros(len(goods))))
if not (base.converged and sim.converged):
    raise SystemExit(f"cgelab did not solve: residuals {base.residual:.2e}, {sim.residual:.2e}")
alpha = econ.hh_budget[0]
uu = lambda res: float(np.prod(res.hh_quantity.sum(axis=0) ** alpha))
t3 = time.perf_counter()
print(json.dumps({"uu0": uu(base), "uu1": uu(sim), "import": t1 - t0, "setup": t2 - t1, "solve": t3 - t2}))
""",
    "pystdcge": r"""
import sys, time, json
t0 = time.perf_counter()
import numpy as np, pandas as pd
from pystdcge.cge import CGE
from pystdcge.sam import SAM
t1 = time.perf_counter()
m = CGE(SAM(pd.read_csv(sys.argv[1], index_col=0)), elasticities={"sigma_va": 1.0, "sigma_q": 2.0, "omega_t": 2.0},
        closure="savings", gov="cd", inv="value_shares")
t2 = time.perf_counter()
base, sim = m.solve(), m.solve({"tm_scale": 0.0})
if not (base.ok and sim.ok):
    raise SystemExit("pystdcge did not solve")
beta = m.beta[:, 0]
uu = lambda s: float(np.prod(s["QH"][:, 0] ** beta))
t3 = time.perf_counter()
print(json.dumps({"uu0": uu(base), "uu1": uu(sim), "import": t1 - t0, "setup": t2 - t1, "solve": t3 - t2}))
""",
}


def ensure_env(name: str, env_dir: Path) -> Path:
    """The peer's virtual environment (created and installed from PyPI on first use): its python."""
    env = env_dir / name
    py = env / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", PEERS[name]], check=True)
    return py


def run_once(python: str, tool: str, sam_file: Path) -> dict:
    t = time.perf_counter()
    r = subprocess.run([python, "-c", CHILD[tool], str(sam_file)], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{tool} failed:\n{r.stderr[-2000:]}")
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out["process"] = wall
    return out


def measure(sizes, repeat: int, env_dir: Path) -> list[dict]:
    from cgetrade.data.synthetic import synthetic_sam
    pythons = {"cgetrade": sys.executable, **{k: str(ensure_env(k, env_dir)) for k in PEERS}}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            table, _ = synthetic_sam(n, seed=0)
            files = {"cgetrade": Path(tmp) / f"hgh{n}.csv", "cgelab": Path(tmp) / f"cgelab{n}.csv",
                     "pystdcge": Path(tmp) / f"pystdcge{n}.csv"}
            table.to_csv(files["cgetrade"])
            cgelab_entries(table).to_csv(files["cgelab"], index=False)
            pystdcge_sam(table).to_csv(files["pystdcge"])
            runs = {tool: [] for tool in CHILD}
            for _ in range(repeat):                       # interleaved
                for tool in CHILD:
                    runs[tool].append(run_once(pythons[tool], tool, files[tool]))
            ref = runs["cgetrade"][0]
            for tool, rs in runs.items():
                med = {k: statistics.median(r[k] for r in rs) for k in ("process", "import", "setup", "solve")}
                rows.append({"goods": n, "tool": tool, **med, "runs": len(rs), "uu0": rs[0]["uu0"], "uu1": rs[0]["uu1"],
                             "uu_change_pct": 100 * (rs[0]["uu1"] / rs[0]["uu0"] - 1),
                             "uu_rel_diff": abs(rs[0]["uu1"] / ref["uu1"] - 1)})
    return rows


def table(rows, header: str) -> str:
    out = [header, "",
           "| goods | tool | process s | import s | read + calibrate + build s | solve + result s | UU change % | UU vs cgetrade (relative) | process vs cgetrade |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        base = next(x for x in rows if x["goods"] == r["goods"] and x["tool"] == "cgetrade")
        out.append(f"| {r['goods']} | {r['tool']} | {r['process']:.2f} | {r['import']:.2f} | {r['setup']:.2f} | "
                   f"{r['solve']:.2f} | {r['uu_change_pct']:+.6f} | {r['uu_rel_diff']:.1e} | "
                   f"{r['process'] / base['process']:.2f}x |")
    return "\n".join(out)


def rewrite_readme(text: str) -> None:
    path = HERE / "README.md"
    start, end = "<!-- generated by benchmarks/peers.py: start -->", "<!-- generated by benchmarks/peers.py: end -->"
    s = path.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in s:
        s = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, s, flags=re.S)
    else:
        raise SystemExit("benchmarks/README.md has no peers block")
    path.write_text(s)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 60, 100])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--env-dir", type=Path, default=Path.home() / ".cache" / "cgetrade-peers")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--readme", action="store_true")
    args = ap.parse_args(argv)
    rows = measure(args.sizes, args.repeat, args.env_dir)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    header = (f"{len(os.sched_getaffinity(0))} cores, load average {load} at the end, medians of {args.repeat} "
              f"interleaved runs, Python {sys.version.split()[0]}; peers: {', '.join(PEERS.values())}")
    text = table(rows, header)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"header": header, "rows": rows}, indent=1))
    if args.readme:
        rewrite_readme(text)


if __name__ == "__main__":
    main()
