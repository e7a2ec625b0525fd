"""Closure presets and random scenarios, for testing every closure on every dataset.

``closure_presets(regions)`` names the closures the library supports out of the box;
``random_scenario(rng, params)`` draws a scenario of one to three shocks of every kind
(TFP +-30 %, tariffs +0-50 pp, tariff removal, endowments +-20 %, automation, export taxes,
factor productivity). ``run_scenario`` solves one and classifies the outcome; a converged
answer is accepted only if :func:`cgetrade.checks.verify_solution` passes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass


from .model import Closure
from .scenario import Scenario, Shock


def closure_presets(regions) -> dict[str, Closure]:
    """The supported closures by name (labels of ``regions`` fill in the anchor region)."""
    anchor = "USA" if "USA" in regions else regions[0]
    return {
        "default": Closure(),
        "global_bank": Closure(foreign_saving_rule="global_bank"),
        "short_run": Closure.from_preset("short_run"),
        "long_run": Closure.from_preset("long_run"),
        "sluggish_labour": Closure(mobility={"labour": "sluggish"}),
        "surplus_labour": Closure(labour={regions[0]: "surplus_labour", "*": "flexible"}),
        "real_wage": Closure(labour="real_wage"),
        "wage_curve": Closure(labour="wage_curve"),
        "cpi_numeraire": Closure(numeraire=("cpi", anchor), foreign_saving="numeraire"),
        "cpi_targeting": Closure(labour="wage_curve", monetary={"*": "cpi"}, anchor=anchor),
        "household_government": Closure(final_demand="household_government"),
        "rest_of_world": Closure(foreign_saving="rest_of_world"),
    }


def _some(rng, labels, most=3):
    k = int(rng.integers(1, min(most, len(labels)) + 1))
    return [str(x) for x in rng.choice(labels, size=k, replace=False)]


def random_shock(rng, params) -> Shock:
    R, I = params.regions, params.sectors
    one = lambda labels: str(rng.choice(labels))  # noqa: E731
    kind = str(rng.choice(["tfp", "tfp", "tariff", "tariff_removal", "endowment", "automation",
                           "export_tax", "factor_productivity"]))
    sectors = "*" if rng.random() < 0.2 else _some(rng, I)
    if kind == "tfp":
        return Shock("tfp", rng.uniform(-0.3, 0.3), region=one(R), sector=sectors)
    if kind == "tariff":
        r = one(R)
        src = "*" if rng.random() < 0.5 else [s for s in _some(rng, R) if s != r] or "*"
        return Shock("tariff", rng.uniform(0.0, 0.5), region=r, source=src, sector=sectors)
    if kind == "tariff_removal":
        return Shock("tariff", 0.0, mode="set", region="*" if rng.random() < 0.3 else one(R))
    if kind == "endowment":
        return Shock("endowment", rng.uniform(-0.2, 0.2), region=one(R),
                     factor=one(["labour", "capital"]))
    if kind == "automation":
        return Shock("automation", rng.uniform(0.0, 0.3), region=one(R), sector=sectors)
    if kind == "export_tax":
        return Shock("export_tax", rng.uniform(0.0, 0.3), region=one(R), sector=sectors)
    return Shock("factor_productivity", rng.uniform(-0.2, 0.3), region=one(R), sector=sectors,
                 factor=one(["labour", "capital"]))


def random_scenario(rng, params, name: str = "random") -> Scenario:
    shocks = [random_shock(rng, params) for _ in range(int(rng.integers(1, 4)))]
    return Scenario(name, shocks, groups={"sector": {}, "region": {}})


@dataclass
class Outcome:
    status: str            # "converged" | "failed_clearly" | "silently_wrong" | "crashed"
    seconds: float
    reached_by: str = ""
    reached: float = 1.0
    message: str = ""


def run_scenario(model, scenario, time_limit: float = 30.0, **solve_options) -> Outcome:
    """Solve ``scenario`` from the model's current point, verify, and put the model back."""
    from .checks import verify_solution
    from .solve import SolveError
    start, final = scenario.endpoints(model)
    x0 = model.nlp.x_from_model()
    t0 = time.perf_counter()
    try:
        sol = scenario.solve(model, time_limit=time_limit, **solve_options)
    except SolveError as err:
        msg = str(err).splitlines()[0]
        status = "failed_clearly" if msg else "silently_wrong"
        return Outcome(status, time.perf_counter() - t0, "", err.reached or 0.0, msg)
    except Exception as err:     # noqa: BLE001 - a crash is an outcome to count, not to hide
        return Outcome("crashed", time.perf_counter() - t0, "", 0.0, f"{type(err).__name__}: {err}")
    seconds = time.perf_counter() - t0
    try:
        failed = [c for c in verify_solution(model) if not c.passed]
    finally:
        scenario.move(model, start, final, 0.0)
        model.nlp.to_model(x0)
    if failed:
        return Outcome("silently_wrong", seconds, sol.info.get("reached_by", ""), 1.0,
                       "; ".join(f"{c.name} = {c.value:.3g} {c.detail}" for c in failed))
    how = sol.info.get("reached_by", "")
    if sol.info.get("attempt") == "bounded":
        how += " (bounded attempt)"
    return Outcome("converged", seconds, how)
