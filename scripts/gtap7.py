"""GTAP's standard model (cgetrade.gtap7) on the sample GTAP-format data base that the test suite
writes (tests/data_sources/samples.py write_gtap: 3 regions x 3 commodities, 4 endowments,
random flows that satisfy GTAP's accounting identities, INCPAR/SUBPAR/ETRAE/SLUG/RORFLEX/RORDELTA
in default.prm, VKB/VDEP in basedata.har): the validation checks and a uniform 10 % tariff on
every route under three variants (docs/gtap_gams.md, "The GTAP v7 standard model").

    python scripts/gtap7.py        # prints the markdown tables

tests/test_docs_generated.py checks that the page holds exactly what this script prints.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import cgetrade  # noqa: E402
from cgetrade import gtap7  # noqa: E402
from cgetrade.checks import homogeneity, walras  # noqa: E402
from cgetrade.model import Closure  # noqa: E402
from cgetrade.results import collect, gtap_names  # noqa: E402
from cgetrade.scenario import Scenario, Shock  # noqa: E402
from data_sources.samples import write_gtap  # noqa: E402

TARIFF = Scenario("uniform tariff", [Shock("tariff", 0.10, mode="set")])


def number(x: float, digits: int = 3) -> str:
    s = f"{x:.{digits}f}"
    return s.lstrip("-") if float(s) == 0 else s


def small(x: float) -> str:
    """A check value: below 1e-12 (rounding noise, which differs between machines) or the value."""
    return "< 1e-12" if abs(x) < 1e-12 else f"{x:.1e}"


def run(params, closure):
    model = cgetrade.CGEModel(params, closure)
    model.solve()
    base = collect(model)
    TARIFF.apply(model)
    model.solve()
    return model, gtap_names(base, collect(model))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_gtap(folder)
        files = (folder / "basedata.har", folder / "default.prm", folder / "sets.har")
        params, closure = gtap7.load(*files)
        params_cd, _ = gtap7.load(*files, private_demand="ces")
    model = cgetrade.CGEModel(params, closure)
    res0 = model.max_residual()
    its = model.solve().iterations
    hom = max(c.value for c in homogeneity(model))
    wal = max(c.value for c in walras(model, TARIFF))
    print(f"Closure: {closure.label}.\n")
    print("| check | value |\n|---|---|")
    print(f"| benchmark replication: largest residual | {small(res0)} |")
    print(f"| benchmark replication: Newton iterations | {its} |")
    print(f"| homogeneity (numeraire x 2): largest relative deviation | {small(hom)} |")
    print(f"| Walras' law: dropped market after the tariff | {small(wal)} |")
    variants = {
        "gtap7 (CDE, RORDELTA = 1)": (params, closure),
        "Cobb-Douglas households": (params_cd, closure),
        "CDE, RORDELTA = 0": (params, Closure.from_gtap(params, investment_allocation="shares")),
    }
    print("\nA uniform 10 % tariff on every route (GTAP names, % changes; EV in USD million):\n")
    print("| variant | region | qgdp | u | EV | y | tot | qfd investment |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, (par, cl) in variants.items():
        _, out = run(par, cl)
        for r in par.regions:
            o = out.sel(region=r)
            print(f"| {name} | {r} | {number(float(o.qgdp))} | {number(float(o.u))} | "
                  f"{number(float(o.EV), 2)} | {number(float(o.y))} | {number(float(o.tot))} | "
                  f"{number(float(o.qfd.sel(final='investment')))} |")


if __name__ == "__main__":
    main()
