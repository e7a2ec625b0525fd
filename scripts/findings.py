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
from cgetrade.decompose import exporter_drivers
from cgetrade.report.drivers import driver_table
from cgetrade.results import exporter_headline

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


WEST = ["USA", "EU", "JPN"]


def drivers(name="china_process", variant="central", closure=None, elasticities=None, deflator="world"):
    """Shapley decomposition of results.exporter_headline over the scenario's drivers, the
    model (left at the baseline), the implied scenario and the baseline results."""
    scen = Scenario.from_toml(EXP / f"{name}.toml", variant=variant)
    c = scen.make_closure()
    if closure:
        c = replace(c, **closure)
    params = cgetrade.calibrate(load_default(), elasticities, **scen.calibration_options())
    model = cgetrade.CGEModel(params, c)
    scen.validate(model)
    scen.prepare(model)
    model.solve()
    base = collect(model)
    scen = scen.implied(model)
    return exporter_drivers(model, scen, base, "CHN", MANUF, WEST, deflator=deflator), model, scen, base


def surplus_for_no_appreciation(model, scen, base):
    """The rise of China's current account (% of GDP) at which the central case leaves China's
    real exchange rate unchanged (secant iterations on the saving driver's size, each a full
    solve of the scenario from the baseline)."""
    x0 = model.nlp.x_from_model()

    def rer(v):
        shocks = [replace(s, value=v) if s.kind == "current_account" else s for s in scen.shocks]
        trial = replace(scen, shocks=shocks)
        start, _ = trial.endpoints(model)
        trial.solve(model)
        out = float(exporter_headline(base, collect(model), "CHN", MANUF, WEST).real_exchange_rate_pct)
        Scenario.move(model, start, start, 0.0)
        model.nlp.to_model(x0)
        return out
    a, b = 1.2, 10.0
    fa, fb = rer(a), rer(b)
    for _ in range(8):
        a, b, fa = b, b - fb * (b - a) / (fb - fa), fb
        fb = rer(b)
        if abs(fb) < 1e-6:
            break
    return b


def sign_row(title, dec):
    t = lambda k: dec[f"{k}_total"]  # noqa: E731
    cells = ([f"{float(v):+.2f}" for v in t("export_price_pct").values] + [f"{float(t('export_price_index_pct')):+.2f}",
             f"{float(t('trade_balance_change_pct_gdp')):+.2f}", f"{float(t('real_exchange_rate_pct')):+.2f}",
             f"{float(dec.real_exchange_rate_pct.sel(driver='saving')):+.2f}",
             f"{float(t('import_price_pct').sel(region='USA')):+.2f}"]
             + [f"{float(v):+,.0f}" for v in t("jobs_change").values])
    return f"| {title} | " + " | ".join(cells) + " |"


def drivers_section(full=True):
    """Markdown of the china_process driver decomposition and its sensitivity."""
    dec, model, scen, base = drivers()
    out = ["### Drivers of china_process central (Shapley values)\n", driver_table(dec, markdown=True), ""]
    if not full:
        return "\n".join(out)
    out += [f"Rise of China's current account at which the central case leaves China's real exchange "
            f"rate unchanged: {surplus_for_no_appreciation(model, scen, base):+.1f} % of GDP.\n"]
    cases = [("central", {}), ("low", dict(variant="low")), ("high", dict(variant="high")),
             ("Armington x 0.5", dict(elasticities=scaled(0.5))), ("Armington x 2", dict(elasticities=scaled(2.0))),
             ("numeraire US CPI, foreign saving in it, prices / US CPI",
              dict(closure=dict(numeraire=("cpi", "USA"), foreign_saving="numeraire"), deflator="USA")),
             ("China surplus labour (china_process_surplus)", dict(name="china_process_surplus")),
             ("monetary: renminbi pegged to USD, NGDP targeting elsewhere, wage curve",
              dict(closure=dict(monetary={"CHN": ("peg", "USA"), "*": "ngdp"}, labour="wage_curve")))]
    out += ["### Sign check: totals across variants, elasticities, numeraire and closure\n",
            "| case | CHN export price LMF % | CHM % | MAC % | ELE % | manuf. index % | CHN trade balance, "
            "pp of GDP | CHN RER % | of which saving driver | US import price from CHN % | manuf. jobs USA "
            "(th.) | EU | JPN |", "|" + "---|" * 13]
    for title, kw in cases:
        out.append(sign_row(title, dec if title == "central" else drivers(**kw)[0]))
    return "\n".join(out)


def main():
    cases = [
        ("china_process central (four drivers), medium run, flexible wages", "china_process", {}),
        ("china_process_technology central, medium run, flexible wages", "china_process_technology", {}),
        ("china_process_technology low", "china_process_technology", dict(variant="low")),
        ("china_process_technology high", "china_process_technology", dict(variant="high")),
        ("china_process_technology central, Armington elasticities x 0.5", "china_process_technology",
         dict(elasticities=scaled(0.5))),
        ("china_process_technology central, Armington elasticities x 2", "china_process_technology",
         dict(elasticities=scaled(2.0))),
        ("china_process_technology central, capital-skill nest", "china_process_technology",
         dict(va_nest="capital_skill")),
        ("china_process_surplus central (China surplus labour)", "china_process_surplus", {}),
        ("industrial_policy central", "industrial_policy", {}),
        ("ai_trade_costs central", "ai_trade_costs", {}),
        ("china_process_technology central, monetary: NGDP targeting, wage curve", "china_process_technology",
         dict(closure=MONETARY)),
        ("industrial_policy central, monetary: NGDP targeting, wage curve", "industrial_policy", dict(closure=MONETARY)),
    ]
    only = sys.argv[1:]
    if not only or "drivers" in only:
        print(drivers_section() + "\n", flush=True)
    for title, name, kw in cases:
        if only and not any(o in title for o in only):
            continue
        res, base, scen = run(name, **kw)
        print(f"### {title}\n")
        print(headline(res, base, scen, local="closure" in kw) + "\n", flush=True)
        if "central" in title and ("Armington" not in title and "capital-skill" not in title
                                   and "four drivers" not in title):
            print(details(res, local="closure" in kw) + "\n", flush=True)


if __name__ == "__main__":
    main()
