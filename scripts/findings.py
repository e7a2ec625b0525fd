"""Tables of docs/findings.md: the essay scenarios on the shipped dataset.

    python scripts/findings.py > findings_tables.md

Each run is the `cgetrade run` pipeline (calibrate, baseline, price targets resolved, the
scenario solved along the EV decomposition path); prices of real runs are relative to the
world export price index (the numeraire), those of monetary runs are in local currency.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np

import cgetrade
from cgetrade.calibrate import Elasticities
from cgetrade.data import load_default
from cgetrade.policy import cpi_decomposition
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario
from cgetrade.welfare import COMPONENTS, decompose_ev

EXP = Path(str(resources.files("cgetrade.experiments")))
MANUF = ["LMF", "CHM", "MAC", "ELE"]
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
#: the default nominal anchor of the monetary runs: NGDP targeting everywhere (USD the unit of
#: account), wages on a wage curve with partial indexation (kappa = 0.5, phi = 0.1)
MONETARY = dict(monetary={"*": "ngdp"}, labour="wage_curve")


def scaled(factor, keys=("sigma_d", "sigma_m")):
    e = Elasticities.from_toml()
    default = {k: (v * factor if k in keys else v) for k, v in e.default.items()}
    sector = {j: {k: (v * factor if k in keys else v) for k, v in d.items()} for j, d in e.sector.items()}
    return Elasticities(default=default, sector=sector, final_demand=e.final_demand)


def run(name, variant="central", closure=None, elasticities=None, va_nest="flat"):
    scen = Scenario.from_toml(EXP / f"{name}.toml", variant=variant)
    c = scen.make_closure()
    if closure:
        c = replace(c, **closure)
    params = cgetrade.calibrate(load_default(), elasticities, **{**scen.calibration_options(), "va_nest": va_nest})
    model = cgetrade.CGEModel(params, c)
    scen.validate(model)
    scen.prepare(model)
    model.solve()
    base = collect(model)
    scen = scen.implied(model)
    welfare = decompose_ev(model, scen, steps=8)
    res = compare(base, collect(model))
    for k in COMPONENTS:
        res[f"ev_{k}"] = welfare[k]
    res.attrs["implied"] = scen.implied_shocks
    return res, base, collect(model)


def china_import_price(res, local):
    """% change of the price of manufactures imported from China (benchmark trade weights)."""
    w = res.bilateral_trade.sel(case="baseline", source="CHN", commodity=MANUF)
    p = res.bilateral_import_price.sel(source="CHN", commodity=MANUF)
    if local:
        p = p * res.exchange_rate
    idx = (w * p.sel(case="scenario") / p.sel(case="baseline")).sum("commodity") / w.sum("commodity")
    return 100 * (idx - 1)


def headline(res, base, scen, local=False):
    dec = cpi_decomposition(base, scen)
    imp_chn = res.bilateral_trade.sel(source="CHN").sum("commodity")
    exp_chn = res.bilateral_trade.sel(region="CHN").sum("commodity").rename(source="r")
    jobs = res.persons_change.sel(sector=MANUF).sum("sector")
    cpi_col = "CPI local %" if local else "RER %"
    rows = ["| region | Chinese manuf. import price % | " + cpi_col + " | CPI/P_W % | imported CPI pp | "
            "imports from CHN % | exports to CHN % | manuf. jobs high / medium / low (th.) | EV % income | "
            "EV tech / alloc / ToT / endow. / I-S (USD m) |", "|" + "---|" * 10]
    for r in REGIONS:
        cpi = float(res.cpi_local_pct.sel(region=r)) if local else float(res.real_exchange_rate_pct.sel(region=r))
        ip = china_import_price(res, local).sel(region=r)
        im = imp_chn.sel(region=r)
        ex = exp_chn.sel(r=r)
        j = jobs.sel(region=r)
        evs = " / ".join(f"{float(res['ev_' + k].sel(region=r)):,.0f}" for k in
                         ("technology", "allocative", "terms_of_trade", "endowment", "investment_saving"))
        ipc = "" if r == "CHN" else f"{float(ip):+.2f}"
        imc = "" if r == "CHN" else f"{100 * float(im.sel(case='scenario') / im.sel(case='baseline') - 1):+.1f}"
        exc = "" if r == "CHN" else f"{100 * float(ex.sel(case='scenario') / ex.sel(case='baseline') - 1):+.1f}"
        rows.append(
            f"| {r} | {ipc} | {cpi:+.2f} | {float(res.cpi_pct.sel(region=r)):+.2f} | "
            f"{float(dec.cpi_import_pct.sel(region=r)):+.2f} | {imc} | {exc} | "
            + " / ".join(f"{float(j.sel(labour=h)):+,.0f}" for h in res.labour.values)
            + f" | {float(res.ev_pct_income.sel(case='scenario', region=r)):+.2f} | {evs} |")
    implied = "; ".join(f"{x['kind']} {x['sector']}/{x['region']} {x['implied_value']:+.4f}"
                        for x in res.attrs["implied"])
    return "\n".join(rows) + (f"\n\nImplied shocks: {implied}." if implied else "")


def details(res, local=False):
    """Consumer prices of ELE and MAC, imports by partner, jobs by sector and skill."""
    west = ["USA", "EU", "JPN"]
    hp = res.household_price
    if local:
        hp = hp * res.exchange_rate
    hp = 100 * (hp.sel(case="scenario") / hp.sel(case="baseline") - 1)
    out = ["Consumer (household Armington) prices, % " + ("(local currency)" if local else "(relative to P_W)")
           + ":\n", "| region | " + " | ".join(MANUF) + " |", "|---|" + "---|" * len(MANUF)]
    for r in REGIONS:
        out.append(f"| {r} | " + " | ".join(f"{float(hp.sel(commodity=i, region=r)):+.2f}" for i in MANUF) + " |")
    imp = res.bilateral_trade.sum("commodity")
    pct = 100 * (imp.sel(case="scenario") / imp.sel(case="baseline") - 1)
    out += ["", "Imports by partner (volume, all commodities), %:\n",
            "| importer | " + " | ".join(f"from {s}" for s in REGIONS) + " |", "|---|" + "---|" * len(REGIONS)]
    for r in REGIONS:
        out.append(f"| {r} | " + " | ".join("" if s == r else f"{float(pct.sel(source=s, region=r)):+.1f}"
                                          for s in REGIONS) + " |")
    d = res.persons_change
    sectors = [str(j) for j in res.sector.values]
    out += ["", "Jobs by sector and skill, change in thousand persons:\n",
            "| region | skill | " + " | ".join(sectors) + " |", "|---|---|" + "---|" * len(sectors)]
    for r in ["CHN"] + west:
        for h in res.labour.values:
            out.append(f"| {r} | {str(h).replace('labour_', '')} | "
                       + " | ".join(f"{float(d.sel(labour=h, sector=j, region=r)):+,.0f}" for j in sectors) + " |")
    return "\n".join(out)


def main():
    cases = [
        ("china_process central, medium run, flexible wages", "china_process", {}),
        ("china_process low", "china_process", dict(variant="low")),
        ("china_process high", "china_process", dict(variant="high")),
        ("china_process central, Armington elasticities x 0.5", "china_process", dict(elasticities=scaled(0.5))),
        ("china_process central, Armington elasticities x 2", "china_process", dict(elasticities=scaled(2.0))),
        ("china_process central, capital-skill nest", "china_process", dict(va_nest="capital_skill")),
        ("china_process_surplus central (China surplus labour)", "china_process_surplus", {}),
        ("industrial_policy central", "industrial_policy", {}),
        ("ai_trade_costs central", "ai_trade_costs", {}),
        ("china_process central, monetary: NGDP targeting, wage curve", "china_process", dict(closure=MONETARY)),
        ("industrial_policy central, monetary: NGDP targeting, wage curve", "industrial_policy", dict(closure=MONETARY)),
    ]
    only = sys.argv[1:]
    for title, name, kw in cases:
        if only and not any(o in title for o in only):
            continue
        res, base, scen = run(name, **kw)
        print(f"### {title}\n")
        print(headline(res, base, scen, local="closure" in kw) + "\n", flush=True)
        if "central" in title and ("Armington" not in title and "capital-skill" not in title):
            print(details(res, local="closure" in kw) + "\n", flush=True)


if __name__ == "__main__":
    main()
