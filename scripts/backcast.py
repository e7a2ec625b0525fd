"""Backcast on real tables: calibrate to the WIOD table of 2000, drive the model to 2011 with
the observed macro changes, compare its 2011 trade structure with the 2011 table.

    python scripts/backcast.py [--first 2000] > backcast.md

Steps:
1. the WIOD tables of ``first`` and 2011, aggregated like the default dataset (6 regions x 8
   sectors, calibration/concordances), by :func:`cgetrade.data.wiod.build_wiod`;
2. the observed macro changes by region and year (:func:`cgetrade.data.sea.macro_indices`):
   real value added (the GDP target), persons engaged (labour endowment) and the real capital
   stock (capital endowment);
3. the dynamics' two-step baseline machinery (:class:`cgetrade.dynamics.DynamicModel`, step
   1): the model calibrated to ``first``, one solve per year, labour and capital endowments
   on their observed paths, region-wide labour-augmenting productivity endogenous so that
   real GDP follows the observed path; no tariff, trade-cost or sectoral shock;
4. indicators of the 2011 trade structure in the model and in the 2011 table: China's
   export shares by destination and sector, import penetration (imports / absorption) of
   manufactures in the USA, the EU and Japan, and China's share of their imports of
   manufactures; fit of the predicted changes against the observed changes, and against a
   no-change forecast (the ``first`` structure).

Writes the tables of docs/findings.md, "Backcast 2000 -> 2011" (the test suite checks the
page against this output).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from cgetrade import calibrate
from cgetrade.calibrate import Elasticities
from cgetrade.data.sea import macro_indices
from cgetrade.data.wiod import build_wiod
from cgetrade.dynamics import DynamicModel, Periods
from cgetrade.dynamics.projections import Projections

REPO = Path(__file__).resolve().parents[1]
CONC = REPO / "calibration" / "concordances"
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
SECTORS = ["AGR", "ENE", "LMF", "CHM", "MAC", "ELE", "TTS", "SRV"]
MANUF = ["LMF", "CHM", "MAC", "ELE"]
IMPORTERS = ["USA", "EU", "JPN"]
LAST = 2011


def concordances():
    reg = pd.read_csv(CONC / "regions.csv")
    sec = pd.read_csv(CONC / "sectors_wiod2013.csv")
    return dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector))


def dataset(year):
    region_of, sector_of = concordances()
    ds = build_wiod(year, region_of, sector_of)
    return ds.sel(region=REGIONS, source=REGIONS, sector=SECTORS, commodity=SECTORS)


def projections(ind: xr.Dataset, first: int) -> Projections:
    """Annual growth of real value added (GDP targets) and persons (labour) from the indices.
    Depreciation and the capital-output ratio are the default dynamics data's; with the
    observed capital path they do not enter the results (the endowment is the benchmark
    endowment times the capital index)."""
    default = Projections.from_toml()

    def growth(var):
        x = ind[var].sel(region=REGIONS)
        return {int(y): {r: float(x.sel(year=y, region=r) / x.sel(year=y - 1, region=r) - 1) for r in REGIONS}
                for y in range(first + 1, LAST + 1)}
    return Projections(first, default.delta, default.capital_output, growth("persons_index"),
                       growth("real_value_added_index"),
                       {"capital": "observed real capital stock (WIOD SEA 2016 release, deflated by the "
                                   "value-added deflator)",
                        "labour_force": "persons engaged (WIOD SEA)",
                        "gdp": "real value added at 2010 prices (WIOD SEA 2016 release)"})


# -- indicators ------------------------------------------------------------------------------
def _frame(values, dom):
    """Indicators from bilateral values (commodity, source, region) at users' prices and the
    value of domestic use (commodity, region)."""
    own = xr.DataArray(np.equal.outer(REGIONS, REGIONS), dims=("source", "region"),
                       coords={"source": REGIONS, "region": REGIONS})
    trade = values.where(~own, 0.0)
    chn = trade.sel(source="CHN").drop_sel(region="CHN")
    exp_share = chn / chn.sum("region")                                    # (commodity, region)
    imp = trade.sum("source")
    man_imp, man_dom = imp.sel(commodity=MANUF), dom.sel(commodity=MANUF)
    pen = (man_imp / (man_dom + man_imp)).sel(region=IMPORTERS)
    pen_all = (man_imp.sum("commodity") / (man_dom + man_imp).sum("commodity")).sel(region=IMPORTERS)
    from_chn = trade.sel(source="CHN", commodity=MANUF)
    chn_share = (from_chn / man_imp).sel(region=IMPORTERS)
    chn_all = (from_chn.sum("commodity") / man_imp.sum("commodity")).sel(region=IMPORTERS)
    exp_man = chn.sel(commodity=MANUF).sum("commodity")
    return {"export_share": exp_share, "export_share_manuf": exp_man / exp_man.sum("region"),
            "penetration": pen, "penetration_manuf": pen_all,
            "china_import_share": chn_share, "china_import_share_manuf": chn_all}


def data_indicators(ds: xr.Dataset) -> dict:
    flows = ds["intermediate"].sum("sector") + ds["final_demand"].sum("agent")   # (commodity, source, region)
    dom = xr.concat([flows.sel(source=r, region=r, drop=True) for r in REGIONS], dim="region") \
        .assign_coords(region=REGIONS).transpose("commodity", "region")
    return _frame(flows, dom)


def model_indicators(res: xr.Dataset) -> dict:
    """Values at the model's prices: bilateral trade at exporter prices (no tariffs or margins
    in WIOD, so also at the user's price), domestic use x domestic price."""
    values = res["bilateral_trade_value"].sel(source=REGIONS, region=REGIONS)
    dom = (res["domestic_use"] * res["domestic_price"].rename(sector="commodity")).sel(region=REGIONS)
    return _frame(values, dom)


def fit(pred, obs, base) -> dict:
    """Fit of predicted changes (pred - base) to observed changes (obs - base), and of the
    no-change forecast (base)."""
    dp, do = (np.asarray(pred - base).ravel(), np.asarray(obs - base).ravel())
    return {"n": dp.size, "corr": float(np.corrcoef(dp, do)[0, 1]),
            "mae_model": float(np.mean(np.abs(dp - do))), "mae_none": float(np.mean(np.abs(do))),
            "signs": float(np.mean(np.sign(dp) == np.sign(do)))}


# -- the backcast ----------------------------------------------------------------------------
def armington(factor: float) -> Elasticities:
    """The default elasticities with sigma_d and sigma_m scaled by ``factor``."""
    e = Elasticities.from_toml()
    keys = ("sigma_d", "sigma_m")
    default = {k: (v * factor if k in keys else v) for k, v in e.default.items()}
    sector = {j: {k: (v * factor if k in keys else v) for k, v in d.items()} for j, d in e.sector.items()}
    return Elasticities(default=default, sector=sector, final_demand=e.final_demand)


def run(first: int = 2000, armington_factor: float = 1.0) -> dict:
    d0, d1 = dataset(first), dataset(LAST)
    region_of, _ = concordances()
    years = list(range(first, LAST + 1))
    ind = macro_indices(region_of, years)
    params = calibrate(d0, armington(armington_factor))
    dyn = DynamicModel(params, projections(ind, first), Periods(first, LAST),
                       capital_index=ind["capital_index"].sel(region=REGIONS).values)
    base = dyn.baseline()
    res0, res1 = base.sel(year=first), base.sel(year=LAST)
    gdp = res1["real_gdp"] / res0["real_gdp"]
    return {"first": first, "indices": ind.sel(region=REGIONS), "gdp_model": gdp,
            "lambda": res1["labour_productivity"],
            "data0": data_indicators(d0), "data1": data_indicators(d1),
            "model0": model_indicators(res0), "model1": model_indicators(res1),
            "iterations": int(base["iterations"].sum()), "baseline": base}


FITS = (("China's export shares by destination, 8 sectors x 5 destinations", "export_share"),
        ("import penetration of manufactures, 4 sectors x USA/EU/JPN", "penetration"),
        ("China's share of manufactured imports, 4 sectors x USA/EU/JPN", "china_import_share"))


def markdown(out: dict) -> str:
    f, d0, d1, m1 = out["first"], out["data0"], out["data1"], out["model1"]
    ind = out["indices"].sel(year=LAST)
    L = [f"Observed macro changes {f} -> {LAST} imposed on the model (indices, {f} = 1; WIOD SEA), and "
         "the region-wide labour-augmenting productivity the model needs to hit real GDP:", "",
         "| region | real GDP (value added) | persons engaged | real capital stock | productivity lambda |",
         "|---|---:|---:|---:|---:|"]
    L += [f"| {r} | {float(ind.real_value_added_index.sel(region=r)):.3f} | "
          f"{float(ind.persons_index.sel(region=r)):.3f} | {float(ind.capital_index.sel(region=r)):.3f} | "
          f"{float(out['lambda'].sel(region=r)):.3f} |" for r in REGIONS]
    L += ["", f"Fit of the predicted changes {f} -> {LAST} (model {LAST} minus table {f}) to the observed "
          f"changes (table {LAST} minus table {f}), shares in percentage points; the no-change forecast "
          f"predicts the {f} structure (its error is the mean absolute observed change):", "",
          "| indicator | n | correlation | MAE model (pp) | MAE no change (pp) | signs right |",
          "|---|---:|---:|---:|---:|---:|"]
    for label, key in FITS:
        for name, m in (("", m1), (", Armington x 2", out.get("model1_x2"))):
            if m is None:
                continue
            s = fit(m[key], d1[key], d0[key])
            L.append(f"| {label}{name} | {s['n']} | {s['corr']:.2f} | {100 * s['mae_model']:.2f} | "
                     f"{100 * s['mae_none']:.2f} | {s['signs']:.0%} |")
    def captured(key):
        return ", ".join(f"{float((m1[key] - d0[key]).sel(region=r) / (d1[key] - d0[key]).sel(region=r)):.0%} ({r})"
                         for r in IMPORTERS)
    L += ["", f"Of the observed rise {f} -> {LAST} in China's share of the imports of manufactures the model "
          f"produces {captured('china_import_share_manuf')}; of the rise in import penetration of "
          f"manufactures {captured('penetration_manuf')}."]
    L += ["", f"China's exports of manufactures (LMF, CHM, MAC, ELE) by destination, share in %:", "",
          f"| destination | table {f} | model {LAST} | table {LAST} |", "|---|---:|---:|---:|"]
    e0, em, e1 = (x["export_share_manuf"] for x in (d0, m1, d1))
    L += [f"| {r} | {100 * float(e0.sel(region=r)):.1f} | {100 * float(em.sel(region=r)):.1f} | "
          f"{100 * float(e1.sel(region=r)):.1f} |" for r in REGIONS if r != "CHN"]
    L += ["", "Import penetration (imports / absorption, values) of manufactures and China's share of the "
          "imports, in %:", "",
          f"| importer | sector | penetration {f} | model {LAST} | table {LAST} | "
          f"China's share {f} | model {LAST} | table {LAST} |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in IMPORTERS:
        for i in MANUF + ["all"]:
            if i == "all":
                p = [x["penetration_manuf"].sel(region=r) for x in (d0, m1, d1)]
                c = [x["china_import_share_manuf"].sel(region=r) for x in (d0, m1, d1)]
                name = "manufactures"
            else:
                p = [x["penetration"].sel(region=r, commodity=i) for x in (d0, m1, d1)]
                c = [x["china_import_share"].sel(region=r, commodity=i) for x in (d0, m1, d1)]
                name = i
            L.append(f"| {r} | {name} | " + " | ".join(f"{100 * float(v):.1f}" for v in p + c) + " |")
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=2000,
                    help="calibration year (2000 ... 2010, the years of the socio-economic accounts; default 2000)")
    args = ap.parse_args(argv)
    print(markdown(backcast(args.first)))


def backcast(first: int = 2000) -> dict:
    """The backcast with the default elasticities, and the fit with sigma_d and sigma_m doubled."""
    out = run(first)
    out["model1_x2"] = run(first, 2.0)["model1"]
    return out


if __name__ == "__main__":
    main()
