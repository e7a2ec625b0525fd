"""Decomposition of a scenario's effect between its drivers (Shapley values).

The shocks of a scenario are grouped by their ``driver`` label (cgetrade.scenario). For
drivers N = {1..n} and an outcome f(S) (any numbers of the solution reached with the shocks
of the drivers in S only, f(empty) the starting point), driver i gets

    phi_i = sum_(S subset of N \\ {i}) |S|! (n - |S| - 1)! / n!  [f(S u {i}) - f(S)]

its marginal effect averaged over every order in which the drivers can be added (Shapley
1953). The parts add up exactly: sum_i phi_i = f(N) - f(empty), whatever the interactions.
It takes 2^n solves (16 for four drivers), each warm-started from the solution of the
subset without its last driver. Shocks stated as price targets must be resolved first
(``Scenario.implied``): the decomposition splits the implied shocks, whose sizes were
chosen with every driver present.
"""
from __future__ import annotations

from itertools import combinations
from math import factorial

import xarray as xr

from .errors import InputError


class DecompositionError(InputError):
    """A scenario cannot be decomposed: shocks without a driver, price targets unresolved."""


def drivers(scenario) -> dict:
    """{driver: [shocks]} in the order the drivers first appear."""
    out: dict = {}
    missing = [f"{s.kind} ({', '.join(s.sector)} / {', '.join(s.region)})" for s in scenario.shocks
               if not s.driver]
    if missing:
        raise DecompositionError(f"scenario {scenario.name}: every shock needs a driver label to be "
                                 f"decomposed; without one: {'; '.join(missing)}")
    if scenario.has_targets:
        raise DecompositionError(f"scenario {scenario.name} has price-target shocks: resolve them "
                                 "with Scenario.implied(model) first")
    for s in scenario.shocks:
        out.setdefault(s.driver, []).append(s)
    return out


def shapley_weights(n: int) -> dict:
    """{|S|: |S|! (n - |S| - 1)! / n!}, the weight of a coalition S not containing i."""
    return {k: factorial(k) * factorial(n - k - 1) / factorial(n) for k in range(n)}


def shapley(model, scenario, outcome, **solve_options) -> xr.Dataset:
    """Shapley decomposition of ``outcome`` over the drivers of ``scenario``.

    ``outcome(model)``: an xarray Dataset of the numbers to decompose at the model's current
    solution (changes against a fixed baseline, so f(empty) is zero, or levels). Starts from,
    and leaves the model at, its current solved point. Returns the Dataset with a ``driver``
    dimension (the parts phi_i) and the variables ``<name>_total`` (f(N) - f(empty));
    attributes of ``outcome``'s variables are kept."""
    from .scenario import Scenario
    groups = drivers(scenario)
    names = list(groups)
    n = len(names)
    nlp = model.nlp
    x0 = nlp.x_from_model()
    start, _ = scenario.endpoints(model)
    values, points = {}, {}
    try:
        for size in range(n + 1):
            for S in combinations(range(n), size):
                Scenario.move(model, start, start, 0.0)
                nlp.to_model(points[S[:-1]] if size else x0)
                if size:
                    chosen = {names[k] for k in S}
                    part = Scenario(f"{scenario.name}[{'+'.join(names[k] for k in S)}]",
                                    [s for s in scenario.shocks if s.driver in chosen], groups=scenario.groups)
                    part.solve(model, **solve_options)
                else:
                    model.solve(**solve_options)
                values[S], points[S] = outcome(model), nlp.x_from_model()
    finally:
        Scenario.move(model, start, start, 0.0)
        nlp.to_model(x0)
    weight = shapley_weights(n)
    parts = []
    for i in range(n):
        phi = None
        for size in range(n):
            for S in combinations([k for k in range(n) if k != i], size):
                with_i = tuple(sorted(S + (i,)))
                term = weight[size] * (values[with_i] - values[S])
                phi = term if phi is None else phi + term
        parts.append(phi)
    full, empty = values[tuple(range(n))], values[()]
    out = xr.concat(parts, dim="driver", coords="minimal", compat="override").assign_coords(driver=names)
    for k in full.data_vars:
        out[k].attrs = dict(full[k].attrs)
        out[f"{k}_total"] = full[k] - empty[k]
        out[f"{k}_total"].attrs = {**full[k].attrs, "long_name": "total: " + full[k].attrs.get("long_name", k)}
    out.attrs = {"method": "Shapley values over drivers (2^n solves)", "drivers": ", ".join(names),
                 "scenario": scenario.name}
    return out


def has_drivers(scenario) -> bool:
    """Every shock names a driver and there are at least two."""
    return all(s.driver for s in scenario.shocks) and len({s.driver for s in scenario.shocks}) > 1


def focus_region(scenario, regions) -> str | None:
    """The one region every shock of the scenario is stated for (None if there is none)."""
    found = {tuple(s.region) for s in scenario.shocks}
    if len(found) == 1 and len(next(iter(found))) == 1 and next(iter(found))[0] in regions:
        return next(iter(found))[0]
    return None


def exporter_drivers(model, scenario, base, exporter, sectors, importers, deflator="world",
                     **solve_options) -> xr.Dataset:
    """Shapley decomposition over the scenario's drivers of results.exporter_headline: the
    exporter's export prices, volumes, trade balance and real exchange rate, and the
    importers' prices of its goods and manufacturing jobs (``base``: the collected start)."""
    from .results import collect, exporter_headline
    return shapley(model, scenario, lambda m: exporter_headline(base, collect(m), exporter, sectors,
                                                                importers, deflator), **solve_options)
