"""Trade within the EU kept bilateral or folded into domestic use: the default aggregation
(WIOD 2011, 6 regions x 8 sectors, built from the exact table by build_wiod) both ways, and
the china_manufacturing_tfp experiment on each (docs/data.md, "Trade within a region").

    python scripts/intra_regional.py        # prints the markdown table

tests/test_docs_generated.py checks that the page holds exactly what this script prints.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

import cgetrade
from cgetrade.data.wiod import build_wiod
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario

CONC = Path(__file__).resolve().parents[1] / "calibration" / "concordances"
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
MANUF = ["LMF", "CHM", "MAC", "ELE"]


def dataset(intra: bool):
    reg = pd.read_csv(CONC / "regions.csv")
    sec = pd.read_csv(CONC / "sectors_wiod2013.csv")
    ds = build_wiod(2011, dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector)),
                    intra_regional=intra)
    return ds.sel(region=REGIONS, source=REGIONS)


def run(ds):
    scen = Scenario.from_toml(resources.files("cgetrade.experiments") / "china_manufacturing_tfp.toml")
    model = cgetrade.CGEModel(cgetrade.calibrate(ds))
    model.solve()
    base = collect(model)
    scen.solve(model)
    return compare(base, collect(model))


def eu_imports(par):
    """EU imports at world prices (fob, all commodities; manufactures) and the intra-EU part."""
    vx = par.data["vxmd"].sel(region="EU")
    return (float(vx.sum()), float(vx.sel(source="EU").sum()),
            float(vx.sel(commodity=MANUF).sum()), float(vx.sel(commodity=MANUF, source="EU").sum()))


def rows(ds):
    res = run(ds)
    total, intra, manuf, manuf_intra = eu_imports(cgetrade.calibrate(ds))
    base, scen = res.sel(case="baseline"), res.sel(case="scenario")
    w = base.imports.sel(region="EU", commodity=MANUF)                 # benchmark import volumes

    def index(ds_, var):
        return float((w * ds_[var].sel(region="EU", commodity=MANUF)).sum() / w.sum())
    pm = 100 * (index(scen, "import_price") / index(base, "import_price") - 1)
    tw = base.bilateral_trade.sel(source="CHN", region="EU", commodity=MANUF)
    pm_chn = 100 * float((tw * scen.bilateral_import_price.sel(source="CHN", region="EU", commodity=MANUF)).sum()
                         / (tw * base.bilateral_import_price.sel(source="CHN", region="EU", commodity=MANUF)).sum() - 1)
    x_chn = 100 * float(scen.bilateral_trade.sel(source="CHN", region="EU", commodity=MANUF).sum() / tw.sum() - 1)
    return [f"{total / 1e3:,.0f}", f"{100 * intra / total:.1f} %", f"{100 * manuf_intra / manuf:.1f} %",
            f"{pm:+.3f}", f"{pm_chn:+.3f}", f"{x_chn:+.2f}",
            f"{float(res.terms_of_trade_pct.sel(region='EU')):+.3f}",
            f"{float(res.real_gdp_pct.sel(region='EU')):+.4f}",
            f"{float(res.ev.sel(case='scenario', region='EU')):+,.0f}",
            f"{float(res.employment_change.sel(region='EU', sector=MANUF).sum()):+.1f}"]


def main():
    labels = ["EU imports, USD bn (world prices)", "intra-EU share of EU imports",
              "intra-EU share of EU imports of manufactures",
              "china_manufacturing_tfp: EU import price of manufactures, %",
              "EU price of manufactures imported from CHN, %",
              "EU imports of manufactures from CHN (volume), %",
              "EU terms of trade, %", "EU real GDP, %", "EU EV, USD m",
              "EU manufacturing jobs, thousand"]
    off, on = rows(dataset(False)), rows(dataset(True))
    print("| WIOD 2011, 6 x 8 | trade within the EU folded into domestic use (default) "
          "| kept as the EU's trade with itself |")
    print("|---|---:|---:|")
    for label, a, b in zip(labels, off, on):
        print(f"| {label} | {a} | {b} |")


if __name__ == "__main__":
    main()
