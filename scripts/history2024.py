"""The historical simulation 2011 -> 2024 and the 2024 base: targets hit, untargeted facts.

    python scripts/history2024.py > history2024.md

Fits the history afresh from calibration/history2024/targets.csv (cgetrade.history: Ipopt
least squares over the compiled equilibrium, a few seconds), checks that the shipped 2024
base (cgetrade/data/default/base2024.nc) is the dataset of that fit, and prints the tables
of docs/history2024.md (the test suite checks the page against this output). Exits with an
error naming the build command when the shipped base is stale.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from cgetrade.data import load, load_default
from cgetrade.history import FACTS, LAST, build_base, facts, read_rows, read_targets, stored

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "calibration" / "history2024"
#: relative tolerance of the comparison of the shipped base with the fresh fit
RTOL = 1e-6
LABELS = {"real_gdp_growth": "real GDP growth 2011-24",
          "manufacturing_va_share_world": "share of world manufacturing value added 2024",
          "goods_balance": "goods trade balance 2024",
          "export_price_index_2022_2024": "export prices of manufactures 2022-24, relative to world",
          "real_exchange_rate_change": "real exchange rate 2011-24",
          "export_volume_growth": "volume of goods exports 2011-24",
          "import_price_from_CHN_relative": "import prices from China relative to all import prices 2011-24",
          "import_share_of_CHN": "China's share of goods imports 2024",
          "gdp_share_world": "share of world GDP (current USD) 2024",
          "manufacturing_share_of_va": "manufacturing share of value added 2024",
          "manufacturing_employment_growth": "manufacturing employment 2011-24",
          "real_exchange_rate_2022_2024": "real exchange rate 2022-24"}
SHIFTERS = {"lambda": "labour-augmenting productivity, all sectors (log change)",
            "tfp": "TFP of manufactures (LMF, CHM, MAC, ELE; log change)",
            "saving": "current account, change in % of 2011 GDP (counterpart: EU, ROW by GDP)",
            "margin": "pricing below unit cost in manufactures 2023-24 (loss borne by capital), share of cost"}


def compare(fresh, shipped) -> float:
    """Largest relative difference of the flows (share of each variable's largest value)."""
    worst = 0.0
    for k in ("intermediate", "final_demand", "factor_payments", "production_tax", "gross_output",
              "employment", "import_tariff"):
        a, b = np.asarray(fresh[k].values), np.asarray(shipped[k].values)
        worst = max(worst, float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)))
    return worst


def fmt(v, unit):
    """One decimal (no negative zero); changes signed."""
    if v is None:
        return ""
    v = round(v, 1) + 0.0
    return f"{v:+.1f}" if unit.startswith("%") and "of" not in unit else f"{v:.1f}"


def main():
    base = load_default()
    regions = [str(r) for r in base["region"].values]
    fitted, imposed = read_targets(FOLDER / "targets.csv", regions)
    fact_rows = read_rows(FOLDER / "facts.csv", regions, FACTS)
    shipped = load("base2024")
    ds, hist, fit = build_base(base, fitted, imposed, {})
    u = fit["shifters"]
    stale = compare(ds, shipped)
    if stale > RTOL or not np.allclose(u, stored(shipped)[2], rtol=0, atol=1e-6):
        sys.exit(f"the shipped base2024 differs from the fit of {FOLDER.name}/targets.csv (relative "
                 f"difference {stale:.2g}): rebuild it with python calibration/build_base2024.py")
    table = hist.table(u)
    L = [f"Fitted targets: {len(table)}, shifters: {len(u)} (least squares, Ipopt); the shipped 2024 base "
         f"is this fit's {LAST} equilibrium (relative difference of every flow below {RTOL:g}).", "",
         "| target | region | unit | model 2011 | target | model | miss |", "|---|---|---|---:|---:|---:|---:|"]
    for t in table:
        L.append(f"| {LABELS[t['target']]} | {t['region']} | {t['unit']} | {fmt(t['model_2011'], t['unit'])} | "
                 f"{fmt(t['value'], t['unit'])} | {fmt(t['model'], t['unit'])} | {round(t['model'] - t['value'], 1) + 0.0:+.1f} |")
    L += ["", "Observed variables imposed: labour force (population aged 15-64) growth by region "
          + ", ".join(f"{r.region} {r.value:+.1f} %" for r in imposed if r.target == "labour_force_growth")
          + "; tariffs on goods: USA on China "
          + ", ".join(f"{r.value:+.1f} pp" for r in imposed if r.target == "tariff_on_imports_from_CHN")
          + ", China on the USA "
          + ", ".join(f"{r.value:+.1f} pp" for r in imposed if r.target == "tariff_on_imports_from_USA")
          + ".", "", "Fitted shifters:", "", "| shifter | region | meaning | value |", "|---|---|---|---:|"]
    for s, v in zip(hist.shifters, u):
        L.append(f"| {s.name.rsplit('_', 1)[0]} | {s.region} | {SHIFTERS[s.name.split('_')[0]]} | {v:+.3f} |")
    L += ["", "Model 2011: the calibrated benchmark (WIOD 2011) where the target is a level.", "",
          "Untargeted facts (observed values entered by hand from the sources of "
          "calibration/history2024/facts.csv):", "",
          "| fact | region | unit | observed | model 2011 | model |", "|---|---|---|---:|---:|---:|"]
    for f in facts(hist, u, fact_rows):
        L.append(f"| {LABELS[f['target']]} | {f['region']} | {f['unit']} | {fmt(f['value'], f['unit'])} | "
                 f"{fmt(f['model_2011'], f['unit'])} | {fmt(f['model'], f['unit'])} |")
    print("\n".join(L))


if __name__ == "__main__":
    main()
