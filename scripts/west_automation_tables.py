"""Tables of docs/experiments/west_automation.md: the robot-density calibration of the
automation shocks (model vs Acemoglu and Restrepo 2020 and Graetz and Michaels 2018), the
displaced task shares of each variant, and the central variant's jobs under every horizon.

    python scripts/west_automation_tables.py    # prints the tables (markdown); scripts/update_docs.py writes them

tests/test_experiments.py checks that the page holds exactly what this script prints (tests/test_docs_generated.py).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import cgetrade
from cgetrade import robots
from cgetrade.model import Closure
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario

PAGE = Path(__file__).resolve().parent.parent / "docs" / "experiments" / "west_automation.md"
WEST = ["USA", "EU", "JPN"]
CLOSURES = {"short_run": "short run (workers attached, sector wage curves)",
            "medium_run": "medium run (labour sluggish)",
            "long_run": "long run (labour mobile, capital accumulates)",
            "default": "`Closure()` (all mobile, stock fixed)"}


def calibration_table(params) -> tuple[str, float]:
    cal = robots.calibration(params)
    s, g = cal["short_run"], cal["productivity_growth_pp"]
    lines = [
        "| quantity | study | model |",
        "|---|---:|---:|",
        f"| worker-equivalents of tasks per robot, kappa | (calibrated) | {cal['kappa']:.2f} |",
        "| one more robot per thousand US workers (short run): employment rate, pp "
        f"| {robots.AR2020['employment_pp']:+.2f} (Acemoglu and Restrepo 2020; target) | {s.employment_pp:+.2f} |",
        "| the same robot: real wage per person employed, % "
        f"| {robots.AR2020['wage_pct']:+.2f} (Acemoglu and Restrepo 2020) | {s.wage_pct:+.2f} |",
        "| a decade at the US 2011-2022 pace: manufacturing labour productivity growth, pp a year, "
        f"medium run / long run | {robots.GM2018['productivity_pp']:+.2f} (Graetz and Michaels 2018) "
        f"| {g['medium_run']:+.2f} / {g['long_run']:+.2f} |",
    ]
    return "\n".join(lines), cal["kappa"]


def variants_table(params, kappa) -> str:
    lines = ["| variant | a decade | region | robots per 10,000 | tasks displaced | medium-skill share a_M "
             "| low-skill share a_L |", "|---|---|---|---:|---:|---:|---:|"]
    for v, r, dens, tasks, am, al in robots.effects_table(params, kappa, variants=tuple(robots.DECADES),
                                                           regions=WEST):
        lines.append(f"| {v} | {robots.DECADES[v]} | {r} | +{dens:.0f} | {tasks:.1f} % | {am:.3f} | {al:.3f} |")
    return "\n".join(lines)


def jobs_table(params) -> str:
    scen = Scenario.from_toml(resources.files("cgetrade.experiments") / "west_automation.toml")
    manuf = list(robots.MANUFACTURING)
    lines = ["| closure | manufacturing persons USA / EU / JPN (thousand) | West manufacturing "
             "employment | unemployment rate USA / EU / JPN (pp) | real wage H / M / L, USA (%) |",
             "|---|---:|---:|---:|---:|"]
    for name, label in CLOSURES.items():
        model = cgetrade.CGEModel(params, Closure() if name == "default" else Closure.from_preset(name))
        model.solve()
        base = collect(model)
        scen.solve(model)
        res = compare(base, collect(model))
        d = res.persons_change.sel(sector=manuf, region=WEST).sum(("labour", "sector"))
        b = res.persons.sel(case="baseline", sector=manuf, region=WEST).sum(("labour", "sector"))
        u = res.unemployment_rate_change.sel(region=WEST)
        w = res.real_wage_by_skill_pct.sel(region="USA")
        lines.append(f"| {label} | {' / '.join(f'{x:+,.0f}' for x in d.values)} | "
                     f"{100 * float(d.sum() / b.sum()):+.1f} % | {' / '.join(f'{x:+.2f}' for x in u.values)} | "
                     f"{' / '.join(f'{x:+.2f}' for x in w.values)} |")
    return "\n".join(lines)


def tables() -> str:
    params = cgetrade.calibrate(cgetrade.data.load_default(), skills=True)
    cal, kappa = calibration_table(params)
    return "\n\n".join([
        "**Calibration run** (USA, shipped data, cost saving 30 %):", cal,
        "**Displaced task shares by variant** (`experiments/west_automation.toml`):", variants_table(params, kappa),
        "**Central variant: jobs by horizon** (numeraire the world export price index):", jobs_table(params)])


if __name__ == "__main__":
    print(tables())
