"""China's real exchange rate under china_process (central) and the elasticity of China's
factor supplies: the table of docs/findings.md "What it takes to get a real depreciation".

    python scripts/china_rer.py

One model with elastic Chinese labour and capital supply (Closure.supply_elasticity,
ln S = eps ln(W / P_f)) is compiled once; eps is a parameter of the compiled functions, so
each row only re-solves: the scenario's price targets at the benchmark, then the scenario.
eps = 0 is the scenario's own closure (fixed endowments). The secant search finds the common
elasticity at which China's real exchange rate is unchanged.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pyomo.environ as pyo

import cgetrade
from cgetrade._roots import secant
from cgetrade.data import load_default
from cgetrade.results import collect, exporter_headline
from cgetrade.scenario import Scenario

EXP = Path(str(resources.files("cgetrade.experiments")))
MANUF = ["LMF", "CHM", "MAC", "ELE"]
WEST = ["USA", "EU", "JPN"]
#: (label, labour eps, capital eps) of the rows; "evidence" = the published orders of magnitude
#: stated in docs/findings.md (extensive-margin labour supply about 0.25, Chetty et al. 2011;
#: capacity utilisation about 0.85, Smets and Wouters 2007)
ROWS = [("fixed endowments (the scenario's closure)", 0.0, 0.0),
        ("evidence: labour 0.25, capital utilisation 0.85", 0.25, 0.85),
        ("labour 1, capital 1", 1.0, 1.0),
        ("labour 2, capital 2", 2.0, 2.0),
        ("labour 5, capital 5", 5.0, 5.0),
        ("labour 20, capital 0", 20.0, 0.0),
        ("labour 0, capital 20", 0.0, 20.0),
        ("labour 20, capital 20", 20.0, 20.0)]


def setup(dataset=None):
    scen = Scenario.from_toml(EXP / "china_process.toml", variant="central")
    closure = scen.make_closure(supply_elasticity={"CHN": {"labour": 1.0, "capital": 1.0}})
    params = cgetrade.calibrate(dataset if dataset is not None else load_default(), **scen.calibration_options())
    model = cgetrade.CGEModel(params, closure)
    scen.validate(model)
    return model, scen


def solve_at(model, scen, eps_labour, eps_capital):
    """exporter_headline of china_process for CHN at the given supply elasticities, and the
    % changes of China's employed labour and capital services."""
    model.reset()
    m = model.pyomo
    for f, r in m.supply_eps:
        m.supply_eps[f, r] = eps_capital if f == "capital" else eps_labour
    scen.prepare(model)
    model.solve()
    base = collect(model)
    implied = scen.implied(model)
    implied.solve(model)
    scen_res = collect(model)
    head = exporter_headline(base, scen_res, "CHN", MANUF, WEST)
    supply = {f: 100 * (pyo.value(m.S[f, "CHN"]) - 1) for f in m.F}
    labour = sum(supply[h] * float(base.factor_supply.sel(factor=h, region="CHN")) for h in m.L) / \
        sum(float(base.factor_supply.sel(factor=h, region="CHN")) for h in m.L)
    return head, labour, supply["capital"]


def threshold(model, scen, lo=5.0, hi=20.0, steps=8):
    """Common eps (labour = capital) at which China's real exchange rate is unchanged (secant)."""
    def rer(e):
        return float(solve_at(model, scen, e, e)[0].real_exchange_rate_pct)
    return secant(rer, lo, hi, steps, tol=1e-4)


def table(model, scen):
    head = ("| Chinese factor supply elasticity | CHN RER % | export price index % | LMF % | CHM % | "
            "export volume LMF % | CHM % | CHN labour employed % | capital services % | "
            "US import price from CHN % |")
    out = [head, "|" + "---|" * 10]
    for label, el, ek in ROWS:
        h, lab, cap = solve_at(model, scen, el, ek)
        px, vx = h.export_price_pct, h.export_volume_pct
        out.append(f"| {label} | {float(h.real_exchange_rate_pct):+.2f} | {float(h.export_price_index_pct):+.2f} | "
                   f"{float(px.sel(sector='LMF')):+.2f} | {float(px.sel(sector='CHM')):+.2f} | "
                   f"{float(vx.sel(sector='LMF')):+.1f} | {float(vx.sel(sector='CHM')):+.1f} | "
                   f"{lab:+.1f} | {cap:+.1f} | {float(h.import_price_pct.sel(region='USA')):+.2f} |")
    return "\n".join(out)


#: China's property slump: investment in real estate development (NBS, Statistical
#: Communiqué on the National Economic and Social Development, 2021-2024): 14,760 bn yuan
#: (2021), 13,290 (2022, -10.0 %), 11,091 (2023, -9.6 %), 10,028 (2024, -10.6 %); GDP 121.0,
#: 126.1 and 134.9 trn yuan (2022-24). The shortfall against 2021, % of each year's GDP:
PROPERTY_SLUMP = {2022: 100 * (14.760 - 13.290) / 121.0, 2023: 100 * (14.760 - 11.091) / 126.1,
                  2024: 100 * (14.760 - 10.028) / 134.9}


def property_slump(first, last, dataset=None) -> dict:
    """The slump as the monetary block's demand shock for CHN, {"CHN": {year: d}}: the
    shortfalls of 2022-24 (PROPERTY_SLUMP, % of GDP) in the first three years of the run, on
    the scenario's linear phase-in over three years, and the 2024 level after that (real
    estate investment did not recover); d = shortfall x GDP0 / C0, the share of Chinese
    household spending that falls short (benchmark GDP and household consumption)."""
    ds = dataset if dataset is not None else load_default()
    p = cgetrade.calibrate(ds)
    r, h = p.regions.index("CHN"), p.final_agents.index("household")
    gdp0 = float(collect(cgetrade.CGEModel(p)).real_gdp.sel(region="CHN"))
    c0 = float(p["fd_exp"][h, r])
    sizes = list(PROPERTY_SLUMP.values())
    return {"CHN": {y: round(sizes[min(k, 2)] / 100 * gdp0 / c0, 5)
                    for k, y in enumerate(range(first, last + 1))}}


def nominal_path(first=2025, last=2029):
    """China's real exchange rate, CPI and nominal exchange rate along the dynamic monetary
    block (cgetrade policy --years) under china_process, alone and with China's property
    slump as a demand shock, with the renminbi under flexible inflation targeting or pegged to
    the dollar; % against the no-shock run of the same regime."""
    import tomllib
    from cgetrade.dynamics.monetary import experiment, plan_experiment
    spec = tomllib.loads((EXP / "inflation_targeting.toml").read_text())
    dyn = spec["dynamic"]
    slump = {"CHN": {str(y): d for y, d in property_slump(first, last)["CHN"].items()}}
    process = dyn["scenarios"]["china_process"]
    dyn.update(regions=["CHN"], years=[first, last], regimes={"flexible_it": "flexible_it", "peg_usd": ["peg", "USA"]},
               scenarios={"china_process": process,
                          "china_process + property slump": {**process, "demand_shock": slump}})
    out = ["| scenario | renminbi regime | year | CHN RER % | CHN CPI % | renminbi per dollar % | "
           "CHN unemployment gap, pp | demand shortfall, % of consumption |",
           "|---|---|---|---|---|---|---|---|"]
    end = {}                                    # (scenario, regime) -> (RER %, CPI %) in the last year
    for run in experiment(plan_experiment(spec, EXP, load_default()), log=lambda line: None):
        for g in map(str, run.result.regime.values):
            s, r = run.result.sel(regime=g, region="CHN"), run.reference.sel(regime=g, region="CHN")
            for y in map(int, run.result.year.values):
                a, b = s.sel(year=y), r.sel(year=y)
                d = float(slump["CHN"][str(y)]) if "slump" in run.name else 0.0
                rer, cpi = (100 * float(a.real_exchange_rate / b.real_exchange_rate - 1),
                            100 * float(a.cpi_local / b.cpi_local - 1))
                out.append(f"| {run.name} | {g} | {y} | {rer:+.2f} | {cpi:+.2f} | "
                           f"{100 * float(a.exchange_rate / b.exchange_rate - 1):+.2f} | "
                           f"{float(a.unemployment_gap):+.2f} | {100 * d:.2f} |")
                end[run.name, g] = rer, cpi
    gap = PROPERTY_SLUMP[2024]
    parts = []
    for g, label in (("flexible_it", "flexible inflation targeting"), ("peg_usd", "the dollar peg")):
        (r0, c0), (r1, c1) = end["china_process", g], end["china_process + property slump", g]
        parts.append(f"under {label} the real appreciation by {last} is {r1:+.2f} % instead of {r0:+.2f} % "
                     f"and the Chinese CPI {c1:+.2f} % instead of {c0:+.2f} %")
    out += ["", f"Property slump: investment in real estate development {gap:.2f} % of 2024 GDP below its "
                f"2021 level (NBS), a demand shortfall of {100 * max(slump['CHN'].values()):.2f} % of Chinese "
                f"household spending; " + "; ".join(parts) + "."]
    return "\n".join(out)


def main():
    model, scen = setup()
    print(table(model, scen))
    print()
    e = threshold(model, scen)
    _, lab, cap = solve_at(model, scen, e, e)
    print(f"Common elasticity of Chinese labour and capital supply at which china_process central leaves "
          f"China's real exchange rate unchanged: {e:.1f}; China's employed labour then rises by {lab:.0f} % "
          f"and its capital services by {cap:.0f} %.")
    print()
    print(nominal_path())


if __name__ == "__main__":
    main()
