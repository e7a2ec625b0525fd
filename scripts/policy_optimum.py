"""Tables of docs/experiments/industrial_policy_optimum.md: the optimal-policy problem.

    python scripts/policy_optimum.py > block.md

The page holds this script's output between its markers; tests/test_optimal.py checks that
they agree, so the page cannot drift from the code.
"""
from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np

import cgetrade
from cgetrade.calibrate import Elasticities
from cgetrade.optimal import Instrument, PolicyProblem, solve_problem
from cgetrade.report.optimal import optimum_markdown
from cgetrade.scenario import Shock

PROBLEM = Path(str(resources.files("cgetrade.experiments"))) / "industrial_policy_optimum.toml"


def scaled(factor, keys=("sigma_d", "sigma_m")):
    """The shipped elasticities with the Armington elasticities times ``factor``."""
    e = Elasticities.from_toml()
    scale = lambda d: {k: (v * factor if k in keys else v) for k, v in d.items()}  # noqa: E731
    return replace(e, default=scale(e.default), sector={j: scale(d) for j, d in e.sector.items()})


def benchmark_gradient() -> dict:
    """dW_USA / d(production tax) of US sectors at the 2011 benchmark (% of income per unit
    rate): the wedges of the data, before any shock."""
    params = cgetrade.calibrate(cgetrade.data.load_default(), skills=True)
    model = cgetrade.CGEModel(params)
    model.solve()
    sectors = list(params.sectors)
    ins = [Instrument(Shock("production_tax", 0.0, region="USA", sector=j), -0.5, 0.5) for j in sectors]
    _, grad = PolicyProblem(model, ins, ["USA"], sectors).evaluate(np.zeros(len(ins)))
    return dict(zip(sectors, grad[0]))


def main():
    ds = solve_problem(PROBLEM)
    print(optimum_markdown(ds) + "\n")
    print(f"Ipopt: welfare optimum in {ds.attrs['welfare_optimum_iterations']} iterations "
          f"({ds.attrs['welfare_optimum_evaluations']} equilibria), jobs-kept optimum in "
          f"{ds.attrs['jobs_optimum_iterations']} iterations ({ds.attrs['jobs_optimum_evaluations']} equilibria).\n")
    rows = ["| Armington elasticities | mean optimal US tariff % | mean optimal EU tariff % | "
            "US ELE subsidy % | EU ELE subsidy % | USA, EU EV % income: enacted | optimum |",
            "|---|---|---|---|---|---|---|"]
    for label, el in (("x 0.5", scaled(0.5)), ("shipped", None), ("x 2", scaled(2.0))):
        d = ds if el is None else solve_problem(PROBLEM, elasticities=el, jobs=False)
        rate = d["rate"].sel(policy="welfare_optimum")
        names = [str(x) for x in d.instrument.values]
        mean = lambda who: 100 * float(np.mean([rate.sel(instrument=n) for n in names  # noqa: E731
                                                if n.startswith("tariff") and f" {who}<-" in n]))
        sub = lambda who: -100 * float(rate.sel(instrument=f"production_tax ELE {who}"))  # noqa: E731
        w = d["group_welfare"]
        rows.append(f"| {label} | {mean('USA'):.2f} | {mean('EU'):.2f} | {sub('USA'):.2f} | {sub('EU'):.2f} | "
                    f"{float(w.sel(policy='enacted')):+.3f} | {float(w.sel(policy='welfare_optimum')):+.3f} |")
    print("\n".join(rows) + "\n")
    g = benchmark_gradient()
    print("Welfare gradient of a US production tax at the 2011 benchmark, before any shock "
          "(dEV_USA in % of income per unit of the tax rate; negative: a subsidy raises welfare):\n")
    print("| " + " | ".join(g) + " |\n|" + "---|" * len(g) + "\n| "
          + " | ".join(f"{v:+.3f}" for v in g.values()) + " |")


if __name__ == "__main__":
    main()
