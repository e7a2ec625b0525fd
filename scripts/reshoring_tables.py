"""Tables of docs/experiments/reshoring.md and docs/experiments/combined.md (central variants,
`Closure()`: capital and labour mobile, stock fixed; numeraire the world export price index).

    python scripts/reshoring_tables.py reshoring|combined   # prints that page's table (markdown)

tests/test_docs_generated.py checks that the pages hold exactly what this script prints.
"""
from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import cgetrade
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


def reshoring_table(res) -> str:
    lines = ["| region | domestic share of manufacturing absorption, % (before -> after) | manufacturing "
             "output | manufacturing persons, thousand (%) | imports from China LMF / CHM / MAC / ELE, % |",
             "|---|---:|---:|---:|---:|"]
    for r in WEST:
        b, a = _domestic_share(res, "baseline", r), _domestic_share(res, "scenario", r)
        out = res.output.sel(sector=MANUF, region=r).sum("sector")
        jobs = res.persons_change.sel(sector=MANUF, region=r).sum()
        jobs0 = res.persons.sel(case="baseline", sector=MANUF, region=r).sum()
        chn = res.bilateral_trade_pct.sel(source="CHN", region=r, commodity=MANUF)
        lines.append(f"| {r} | {b:.2f} -> {a:.2f} ({a - b:+.2f} pp) | "
                     f"{100 * float(out.sel(case='scenario') / out.sel(case='baseline') - 1):+.2f} % | "
                     f"{float(jobs):+,.0f} ({100 * float(jobs / jobs0):+.1f} %) | "
                     f"{' / '.join(f'{x:+.2f}' for x in chn.values)} |")
    return "\n".join(lines)


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


TABLES = {"reshoring": lambda: reshoring_table(solve("reshoring")),
          "combined": lambda: combined_table(solve("combined"))}


if __name__ == "__main__":
    print(TABLES[sys.argv[1]]())
