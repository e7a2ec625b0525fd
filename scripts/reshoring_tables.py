"""Tables of docs/experiments/reshoring.md, docs/findings.md (reshoring) and
docs/experiments/combined.md (central variants; numeraire the world export price index).

    python scripts/reshoring_tables.py reshoring   # motives, closures, Shapley decomposition
    python scripts/reshoring_tables.py findings    # the closures table and the sign check
    python scripts/reshoring_tables.py combined    # combined.md (`Closure()`)

reshoring: the scenario under the short_run, medium_run and long_run presets and the Shapley
decomposition over its four motives (cgetrade.reshoring); tests/test_docs_generated.py checks
that the pages hold exactly what this script prints.
"""
from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import xarray as xr

import cgetrade
from cgetrade import reshoring as rs
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario

DOCS = Path(__file__).resolve().parent.parent / "docs" / "experiments"
PAGES = {"reshoring": DOCS / "reshoring.md", "combined": DOCS / "combined.md"}
MANUF = ["LMF", "CHM", "MAC", "ELE"]
WEST = ["USA", "EU", "JPN"]


def solve(name: str):
    scen = Scenario.from_toml(resources.files("cgetrade.experiments") / f"{name}.toml")
    model = cgetrade.CGEModel(cgetrade.calibrate(cgetrade.data.load_default(), **scen.calibration_options()),
                              scen.make_closure())
    model.solve()
    base = collect(model)
    scen.solve(model)
    return compare(base, collect(model))


def _domestic_share(res, case, r):
    d = res.domestic_use.sel(case=case, region=r, commodity=MANUF).sum()
    m = res.imported_use.sel(case=case, region=r, commodity=MANUF).sum()
    return 100 * float(d / (d + m))


CLOSURE_WORDS = {"short_run": "short run (capital and workers attached to their sectors, sector wage curves)",
                 "medium_run": "medium run (capital mobile, stock fixed; labour partly mobile)",
                 "long_run": "long run (labour mobile, capital stock at a fixed rate of return)"}
SKILL_COLS = " / ".join(s.replace("labour_", "") for s in rs.SKILLS)


def _f(x, digits=2):
    x = float(x)
    return f"{0.0:.{digits}f}" if round(x, digits) == 0 else f"{x:+.{digits}f}"


def _k(x):
    x = float(x)
    return "0" if round(x) == 0 else f"{x:+,.0f}"


def motives_table(scen) -> str:
    instrument = {s.driver: s for s in scen.shocks}
    words = {"trade_cost": "iceberg trade cost on imports from CHN, EAS, ROW",
             "home_bias": "home bias against imports from every source",
             "automation": "west_automation (robot densities)"}
    lines = ["| motive (driver) | share of case studies naming it | instrument | import-price equivalent |",
             "|---|---:|---|---:|"]
    for d, share in rs.MOTIVE_SHARES.items():
        s = instrument[d]
        size = "sized by IFR robot densities" if d == "automation" else f"{100 * s.value:.3f} %"
        lines.append(f"| {d} | {100 * share:.0f} % | {words[s.kind]} | {size} |")
    scale = rs.implied_scale(scen)
    return "\n".join(lines) + (f"\n\nScale S = {min(scale.values()):.5f} per unit of mention share; target: West "
                               f"manufacturing imports from the offshore sources {-100 * rs.RESHORED_SHARE:+.2f} % "
                               f"({rs.CALIBRATION_PRESET}).")


def closures_table(out: dict) -> str:
    lines = ["| closure | domestic share of manufacturing absorption, pp (USA / EU / JPN / West) | "
             "imports from China, % (West) | imports from CHN+EAS+ROW, % (West) | manufacturing producer "
             f"price, % (West) | manufacturing jobs, thousand ({SKILL_COLS}) | unemployed attached to "
             f"manufacturing, thousand ({SKILL_COLS}) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for p, o in out.items():
        w = o.sel(region="West")
        lines.append(f"| {p} | {' / '.join(_f(x) for x in o.domestic_share.values)} | {_f(w.imports_china)} | "
                     f"{_f(w.imports_offshore)} | {_f(w.producer_price)} | "
                     f"{' / '.join(_k(x) for x in w.jobs.values)} | {' / '.join(_k(x) for x in w.unemployed.values)} |")
    return "\n".join(lines)


def sign_lines(out: dict, parts: dict | None = None) -> str:
    signs = {p: "+" if float(o.domestic_share.sel(region="West")) > 0 else "-" for p, o in out.items()}
    same = len(set(signs.values())) == 1
    text = (f"Sign of the change of the West's domestic share of manufacturing absorption by closure "
            f"({', '.join(f'{p} {v}' for p, v in signs.items())}): "
            + ("the same in every closure." if same else "it depends on the closure."))
    regions = {p: "".join("+" if x > 0 else "-" for x in o.domestic_share.values[:3]) for p, o in out.items()}
    text += (" By region (USA, EU, JPN): " + ", ".join(f"{p} {v}" for p, v in regions.items()) + ".")
    if parts:
        auto = {p: float(d.domestic_share.sel(driver="automation", region="West")) for p, d in parts.items()}
        text += (" The automation driver's part: " + ", ".join(f"{p} {_f(v, 3)} pp" for p, v in auto.items())
                 + ".")
    return text


def decomposition_table(parts: dict) -> str:
    lines = ["| closure | driver | domestic share, pp (West) | imports from China, % (West) | imports from "
             f"CHN+EAS+ROW, % (West) | producer price, % (West) | manufacturing jobs, thousand ({SKILL_COLS}) | "
             f"unemployed attached to manufacturing, thousand ({SKILL_COLS}) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for p, d in parts.items():
        w = d.sel(region="West")
        rows = [(str(k), w.sel(driver=k), "") for k in d.driver.values] + [("total", w, "_total")]
        for name, x, suffix in rows:
            lines.append(f"| {p} | {name} | {_f(x['domestic_share' + suffix], 3)} | {_f(x['imports_china' + suffix])} | "
                         f"{_f(x['imports_offshore' + suffix])} | {_f(x['producer_price' + suffix], 3)} | "
                         f"{' / '.join(_k(v) for v in x['jobs' + suffix].values)} | "
                         f"{' / '.join(_k(v) for v in x['unemployed' + suffix].values)} |")
    return "\n".join(lines)


def automation_share(parts: dict) -> str:
    """Automation's share of the fall of offshore imports by closure, against the survey."""
    cells = []
    for p, d in parts.items():
        w = d.imports_offshore.sel(region="West")
        cells.append(f"{p} {100 * float(w.sel(driver='automation') / d.imports_offshore_total.sel(region='West')):.0f} %")
    return (f"Automation's share of the fall of the West's manufacturing imports from the offshore sources: "
            f"{', '.join(cells)} (case studies: {100 * rs.MOTIVE_SHARES['automation']:.0f} % of mentions over all "
            f"phases, {100 * rs.MOTIVE_SHARES_AFTER_2011['automation']:.0f} % after 2011).")


def skill_mix(parts: dict) -> str:
    """Skill mix of the jobs the three cost-equivalent motives bring back, against the
    benchmark mix of Western manufacturing and against the whole scenario."""
    cells = []
    for p, d in parts.items():
        w = d.jobs.sel(region="West", driver=[k for k in d.driver.values if k != "automation"]).sum("driver")
        cells.append(f"{p} {_k(w.sum())} ({' / '.join(f'{100 * float(x / w.sum()):.0f}' for x in w.values)} %)")
    bench = next(iter(parts.values())).benchmark_jobs
    flagged = {p: d.attrs["imputed_cells"] for p, d in parts.items()}
    return (f"Jobs the quality, flexibility_delivery and capacity motives bring back to Western manufacturing, "
            f"thousand (shares {SKILL_COLS}): {', '.join(cells)}; the benchmark mix of Western manufacturing "
            f"employment is {' / '.join(f'{100 * float(x / bench.sum()):.0f}' for x in bench.values)} %. "
            + ("No Western manufacturing cell has an imputed persons ratio." if not any(flagged.values()) else
               f"Western manufacturing cells with imputed persons ratios: {max(flagged.values())} "
               "(persons_imputed in the results)."))


def reshoring_page() -> str:
    parts = {p: rs.decompose(p) for p in rs.PRESETS}
    out = {p: xr.Dataset({k.removesuffix("_total"): d[k] for k in d.data_vars if k.endswith("_total")})
           for p, d in parts.items()}
    return "\n\n".join(["**Motives and their sizes** (`experiments/reshoring.toml`, central variant):",
                         motives_table(rs.scenario()),
                         "**The scenario by closure** (changes against the benchmark; West = USA + EU + JPN):",
                         closures_table(out), sign_lines(out, parts),
                         "**Shapley decomposition over the motives** (`cgetrade.reshoring.decompose`; the "
                         "parts add up to the total):",
                         decomposition_table(parts), automation_share(parts), skill_mix(parts)])


def findings_block() -> str:
    out, alone = {}, {}
    for p in rs.PRESETS:
        mdl = rs.model(p)
        x0 = mdl.nlp.x_from_model()
        out[p] = rs.solve(p, mdl=mdl)
        mdl.reset()
        mdl.nlp.to_model(x0)
        alone[p] = rs.solve(p, mdl=mdl, drivers=["automation"])
    return "\n\n".join([closures_table(out), sign_lines(out) + " Automation at home alone (the west_automation "
                         "shocks): " + ", ".join(f"{p} {_f(o.domestic_share.sel(region='West'), 3)} pp"
                                                  for p, o in alone.items()) + "."])


def combined_table(res) -> str:
    chn = res.sel(region="CHN")
    jobs = res.persons_change.sel(sector=MANUF, region=WEST).sum()
    jobs0 = res.persons.sel(case="baseline", sector=MANUF, region=WEST).sum()
    exports = res.exports.sel(region="CHN").sum("commodity")
    lines = ["| China real GDP | China EV, % of income | Chinese exports | Western manufacturing persons, "
             "thousand (%) | domestic share of manufacturing absorption USA / EU / JPN, pp |",
             "|---:|---:|---:|---:|---:|",
             f"| {float(chn.real_gdp_pct):+.2f} % | {float(chn.ev_pct_income.sel(case='scenario')):+.2f} | "
             f"{100 * float(exports.sel(case='scenario') / exports.sel(case='baseline') - 1):+.2f} % | "
             f"{float(jobs):+,.0f} ({100 * float(jobs / jobs0):+.1f} %) | "
             + " / ".join(f"{_domestic_share(res, 'scenario', r) - _domestic_share(res, 'baseline', r):+.2f}"
                          for r in WEST) + " |"]
    return "\n".join(lines)


TABLES = {"reshoring": reshoring_page, "findings": findings_block,
          "combined": lambda: combined_table(solve("combined"))}


if __name__ == "__main__":
    print(TABLES[sys.argv[1]]())
