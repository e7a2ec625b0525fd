"""Tables of docs/dynamics.md, "Shipped dynamic experiments": west_automation_adoption with
mobile labour and west_automation_transition with workers attached to their sectors (the
same shocks; central variants, 2011-2040).

    python scripts/transition_tables.py    # prints the tables (markdown); scripts/update_docs.py writes them

tests/test_dynamics.py checks that the page holds exactly what this script prints (tests/test_docs_generated.py).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import cgetrade
from cgetrade.dynamics import DynamicModel, Periods
from cgetrade.scenario import Scenario

PAGE = Path(__file__).resolve().parent.parent / "docs" / "dynamics.md"
MANUF = ["LMF", "CHM", "MAC", "ELE"]
WEST = ["USA", "EU", "JPN"]


def path(name: str):
    scen = Scenario.from_toml(resources.files("cgetrade.experiments") / f"{name}.toml")
    params = cgetrade.calibrate(cgetrade.data.load_default(), **scen.calibration_options())
    dyn = DynamicModel(params, periods=Periods(2011, 2040), closure=scen.make_closure())
    base = dyn.baseline()
    return dyn.run(scen, base), base


def adoption_table(res) -> str:
    infl = res["cpi_relative_change_dev_pp"].sel(year=slice(2025, 2035)).mean("year")
    lines = ["| region | real GDP % 2030 | real GDP % 2040 | CPI relative to the numeraire, change pp/yr, mean 2025-2035 | "
             "manufacturing jobs 2035, thousand | capital % 2040 |", "|---|---:|---:|---:|---:|---:|"]
    for r in res.region.values:
        jobs = float(res.employment_change.sel(region=r, year=2035, sector=MANUF).sum())
        lines.append(f"| {r} | {float(res.real_gdp_dev_pct.sel(region=r, year=2030)):.3f} | "
                     f"{float(res.real_gdp_dev_pct.sel(region=r, year=2040)):.3f} | "
                     f"{float(infl.sel(region=r)):.4f} | {jobs:.1f} | "
                     f"{float(res.capital_stock_dev_pct.sel(region=r, year=2040)):.3f} |")
    return "\n".join(lines)


def transition_table(res, mobile) -> str:
    lines = ["| region | manufacturing jobs vs baseline 2030 / 2035 / 2040, thousand (mobile labour: 2035) | "
             "peak excess unemployment, thousand (year) | excess unemployed person-years 2011-2040, "
             "thousand | mean duration of excess unemployment, years (medium skill) |",
             "|---|---:|---:|---:|---:|"]
    for r in WEST:
        jobs = [float(res.jobs_found_vs_baseline.sel(region=r, year=y, sector=MANUF).sum()
                      - res.jobs_lost_vs_baseline.sel(region=r, year=y, sector=MANUF).sum()) for y in (2030, 2035, 2040)]
        mob = float(mobile.employment_change.sel(region=r, year=2035, sector=MANUF).sum())
        ex = res.excess_unemployed.sel(region=r).sum(("labour", "sector"))
        peak = int(ex.argmax("year"))
        py = float(res.excess_unemployed_person_years.sel(region=r).isel(year=-1).sum())
        dur = float(res.excess_unemployment_duration.sel(region=r, labour="labour_medium"))
        lines.append(f"| {r} | {' / '.join(f'{j:,.0f}' for j in jobs)} ({mob:,.0f}) | "
                     f"{float(ex.isel(year=peak)):,.0f} ({int(res.year[peak])}) | {py:,.0f} | {dur:.1f} |")
    return "\n".join(lines)


def tables() -> str:
    mobile, _ = path("west_automation_adoption")
    attached, _ = path("west_automation_transition")
    return "\n\n".join([
        "west_automation_adoption (central: a decade of robot densification at each region's "
        "2011-2022 pace, see [west_automation](experiments/west_automation.md))", adoption_table(mobile),
        "west_automation_transition (the same shocks, workers attached to their sectors and moving "
        "gradually; `docs/model.md`, \"Labour mobility with costs\")", transition_table(attached, mobile)])


if __name__ == "__main__":
    print(tables())
