"""Build cgetrade's default benchmark (WIOD 2011, 6 regions x 8 sectors) from the packaged
WIOD tables (exact 2013-release world table for 2011 and socio-economic accounts).

    python calibration/build_default_dataset.py [--out PATH] [--report PATH]

The dataset is one call of the library's :func:`cgetrade.data.wiod.build_wiod` with the
concordances of ``calibration/concordances/`` (steps documented there and in docs/data.md):
1. aggregate the WIOD 2011 world input-output table over the concordances;
2. fold inventories into investment (negative cells set to 0) and balance the use table by
   RAS (iterative proportional fitting, `ipfn`, cgetrade.data.mrio.balance_use_table) to
   published gross output;
3. value added and its labour/capital split from the WIOD socio-economic accounts (ratios,
   so no exchange rates are needed); net production taxes are the column residual;
4. persons engaged from the socio-economic accounts, with a documented fallback for WIOD's
   rest-of-world model region;
5. labour by skill: compensation and hours shares of high/medium/low-skilled workers from the
   2013-release socio-economic accounts (latest year per country and industry);
6. validate every accounting identity. This script orders the labels, adds the data checks
   of the build report and writes netCDF + report (calibration/build_report.md).

The shipped file (and build_report.md) were built from a copy of the 2011 table rounded to
six significant digits; this build reads the exact table and differs from it by the
rounding alone (at most 3e-6 relative in the flows; docs/data.md). It is kept so that
published results stay comparable: pass --out elsewhere to compare.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from cgetrade.data.wiod import build_wiod, wiod_table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
SECTORS = ["AGR", "ENE", "LMF", "CHM", "MAC", "ELE", "TTS", "SRV"]
YEAR = 2011
SKILLS = ["high", "medium", "low"]


def concordances():
    """({country: region}, {industry c1..c35: sector}) of the default dataset."""
    reg = pd.read_csv(HERE / "concordances" / "regions.csv")
    s13 = pd.read_csv(HERE / "concordances" / "sectors_wiod2013.csv")
    return dict(zip(reg.country, reg.region)), dict(zip(s13.code, s13.sector))


# -- data checks for the report ------------------------------------------------------------
def services_trade_check(region_of, report):
    """China's share of each importer's imports of manufactures (c3-c16) and of some services
    industries (WIOT 2011, before aggregation), for the build report: outside the EU, China's
    shares of services imports track its share of imports of manufactures."""
    t = wiod_table(YEAR)
    countries, industries = t["countries"], t["industries"]
    # imports by (orig country, orig industry, dest country): intermediate + final uses
    m = t["intermediate"].astype(float).sum(3) + t["final_demand"].astype(float).sum(3)
    m[np.arange(len(countries)), :, np.arange(len(countries))] = 0.0
    importer = [c if region_of[c] != "EU" else "EU" for c in countries]
    manufactures = [f"c{k}" for k in range(3, 17)]
    group = [n if n not in manufactures else "goods" for n in industries]
    long = pd.DataFrame({"orig_country": np.repeat(countries, len(industries) * len(countries)),
                         "group": np.tile(np.repeat(group, len(countries)), len(countries)),
                         "importer": np.tile(importer, len(countries) * len(industries)),
                         "value": m.ravel()})
    tab = long.groupby(["importer", "group", "orig_country"]).value.sum().unstack(fill_value=0.0)
    share = (tab["CHN"] / tab.sum(axis=1)).unstack()
    total = tab.sum(axis=1).unstack()
    report["china_share"] = share.loc[["USA", "AUS", "CAN", "JPN", "KOR", "EU"],
                                      ["goods", "c30", "c25", "c21", "c28"]]
    chn, c30 = countries.index("CHN"), industries.index("c30")
    report["china_c30"] = (float(tab.loc[("USA", "c30"), "CHN"]), float(total.loc["USA", "c30"]),
                           float(m[chn, c30].sum()))


# -- build -----------------------------------------------------------------------------------
def build():
    """The default dataset (labels in the order of REGIONS and SECTORS) and its build report."""
    region_of, sector_of = concordances()
    report = {}
    ds = build_wiod(YEAR, region_of, sector_of, report=report)
    services_trade_check(region_of, report)
    ds = ds.sel(region=REGIONS, source=REGIONS, sector=SECTORS, commodity=SECTORS)
    ds.attrs.update({
        "title": "WIOD 2011 world input-output table, 6 regions x 8 sectors (cgetrade default)",
        "build_script": "calibration/build_default_dataset.py"})
    return ds, report


def write_report(ds, report, path):
    L = ["# Build report: default dataset (WIOD 2011, 6 x 8)", "",
         "Generated by `calibration/build_default_dataset.py`.", "",
         "## Balancing (RAS)", "",
         f"Inventories folded into investment; {len(report['negative_investment_cells'])} negative "
         "investment cells set to 0 before balancing:", ""]
    L += [f"- {i} from {s} in {r}: {v:,.0f}" for i, s, r, v in report["negative_investment_cells"]]
    L += ["", f"Final-demand column totals scaled by {report['fd_factor']:.6f} so that the "
          "column totals match the published gross output total.", "",
          "Largest row gaps before balancing (row sum - published output):", "",
          "| sector | region | gap (USD m) | relative |", "|---|---|---:|---:|"]
    L += [f"| {a} | {b} | {g:,.0f} | {rel:.3%} |" for a, b, g, rel in report["row_gaps"]]
    L += ["", "Largest cell changes:", "", "| cell | before | change | relative |", "|---|---:|---:|---:|"]
    L += [f"| {n} | {b:,.0f} | {c:+,.1f} | {rel:+.3%} |" for n, b, c, rel in report["largest_changes"]]
    L += ["", "## Value added, factor split and employment", "",
          f"Net production tax / output ranges from {report['tax_share'][0]:.2%} to {report['tax_share'][1]:.2%}.",
          f"Labour shares clipped to [0.02, 0.98]: {report['labour_share_clipped'] or 'none'}.", ""]
    L += [f"- {n}" for n in report["notes"]]
    L += ["", "Country-sectors with a fallback (country, sector, VA/GO imputed, labour share imputed, "
          "persons imputed):", ""]
    L += [f"- {c} {s}: {a}, {b}, {e}" for c, s, a, b, e in report["imputed"]]
    L += ["", "## Region totals", "", "| region | gross output (USD bn) | value added (USD bn) | labour share | persons (m) |",
          "|---|---:|---:|---:|---:|"]
    for r in REGIONS:
        go = float(ds.gross_output.sel(region=r).sum()) / 1e3
        va = float(ds.factor_payments.sel(region=r).sum()) / 1e3
        ls = float(ds.factor_payments.sel(region=r, factor="labour").sum()) / 1e3 / va
        emp = float(ds.employment.sel(region=r).sum()) / 1e3
        L.append(f"| {r} | {go:,.0f} | {va:,.0f} | {ls:.3f} | {emp:,.1f} |")
    L += _skill_report(ds, report) + _checks_report(ds, report)
    Path(path).write_text("\n".join(L) + "\n")


def _skill_report(ds, report):
    lab = ds.factor_payments.sel(factor="labour")
    L = ["", "## Labour by skill", "",
         "Skill shares from the 2013-release SEA (LABHS/LABMS/LABLS, H_HS/H_MS/H_LS), latest year per "
         f"country and industry: compensation shares from {report['skill_years']['labour']}, hours shares "
         f"from {report['skill_years']['hours']} (the release reports skills up to 2009). Largest deviation "
         "of the reported shares from a sum of 1: "
         f"{report['skill_sum_deviation']['labour']:.1e} (compensation), "
         f"{report['skill_sum_deviation']['hours']:.1e} (hours); shares are renormalised.",
         f"Industries paying labour without usable skill shares: {report['skill_missing'] or 'none'}.",
         "Country-sectors with donor skill shares: "
         + (", ".join(f"{c} {s}" for c, s in report["skill_imputed"]) or "none") + ".", ""]
    for title, sectors in (("all sectors", list(ds.sector.values)),
                           ("manufacturing (LMF, CHM, MAC, ELE)", ["LMF", "CHM", "MAC", "ELE"])):
        share = ((ds.labour_skill_share * lab).sel(sector=sectors).sum("sector")
                 / lab.sel(sector=sectors).sum("sector"))
        L += [f"Share of labour compensation by skill, {title}:", "",
              "| skill | " + " | ".join(ds.region.values) + " |", "|---|" + "---:|" * ds.sizes["region"]]
        L += [f"| {k} | " + " | ".join(f"{float(share.sel(skill=k, region=r)):.3f}" for r in ds.region.values)
              + " |" for k in ds.skill.values]
        L.append("")
    persons = (ds.hours_skill_share * ds.employment).sum("sector") / 1e3
    L += ["Persons engaged by skill (million; employment x hours share):", "",
          "| skill | " + " | ".join(ds.region.values) + " |", "|---|" + "---:|" * ds.sizes["region"]]
    L += [f"| {k} | " + " | ".join(f"{float(persons.sel(skill=k, region=r)):,.1f}" for r in ds.region.values)
          + " |" for k in ds.skill.values]
    chk = report["skill_total_check"].copy()
    chk["dev"] = np.abs(chk[SKILLS].values - chk[[f"sea_{k}" for k in SKILLS]].values).max(axis=1)
    chk = chk.sort_values("dev", ascending=False)
    L += ["", "Cross-check: country sector shares weighted back with the SEA's own weights vs the SEA's "
          f"total-economy row (same year). Median largest deviation {chk.dev.median():.4f}; "
          f"{int((chk.dev <= 0.01).sum())} of {len(chk)} within 0.01. The SEA's total rows are not "
          "always the weighted means of its industry rows; the largest gaps:", "",
          "| country | shares | year | ours (high, medium, low) | SEA total row |", "|---|---|---:|---|---|"]
    L += [f"| {r.country} | {r.kind} | {r.year} | {r.high:.3f}, {r.medium:.3f}, {r.low:.3f} | "
          f"{r.sea_high:.3f}, {r.sea_medium:.3f}, {r.sea_low:.3f} |" for r in chk.head(8).itertuples()]
    return L


def _checks_report(ds, report):
    sh = report["china_share"]
    usd, tot, chn_c30 = report["china_c30"]
    imp = (ds.intermediate.sum("sector") + ds.final_demand.sum("agent")).sel(region="USA", commodity="SRV")
    imp = imp.drop_sel(source="USA")
    L = ["", "## Data checks", "",
         f"China's share of US imports of SRV in this dataset: {float(imp.sel(source='CHN') / imp.sum()):.1%} "
         f"({float(imp.sel(source='CHN')):,.0f} of {float(imp.sum()):,.0f} USD m). It is WIOD's: China supplies "
         f"{usd:,.0f} of the USA's {tot:,.0f} USD m imports of c30 (renting of machinery, other business "
         f"services), {usd / chn_c30:.0%} of China's c30 exports ({chn_c30:,.0f}). China's share of imports "
         "by importer (WIOT 2011):", "",
         "| importer | manufactures | c30 business services | c25 air transport | c21 retail | c28 finance |",
         "|---|---:|---:|---:|---:|---:|"]
    L += [f"| {i} | " + " | ".join(f"{v:.1%}" for v in row) + " |" for i, row in zip(sh.index, sh.values)]
    L += ["", "Outside the EU (which reports bilateral services trade), China's share of services imports "
          "tracks its share of imports of manufactures, as if WIOD split services imports across "
          "partners like goods where bilateral services statistics are missing. The dataset keeps WIOD's "
          "allocation (docs/data.md, data checks)."]
    emp = ds.employment.sum("sector") / 1e3
    row_imp = float((ds.employment * ds.employment_imputed).sel(region="ROW").sum()) / 1e3
    L += ["", f"Persons engaged: world {float(emp.sum()):,.0f} m; ROW {float(emp.sel(region='ROW')):,.0f} m, "
          f"of which {row_imp:,.0f} m imputed for WIOD's rest-of-world region and "
          f"{float(emp.sel(region='ROW')) - row_imp:,.0f} m reported by the ROW countries with SEA. "
          "Without the imputation the world would employ "
          f"{float(emp.sum()) - row_imp:,.0f} m, against about 3.0 bn in the ILO's estimates for 2010-2011."]
    return L


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "cgetrade" / "data" / "default" / "wiod2011_6x8.nc"))
    ap.add_argument("--report", default=str(HERE / "build_report.md"))
    args = ap.parse_args(argv)
    ds, report = build()
    from cgetrade.data import validate
    validate(ds)
    ds.to_netcdf(args.out, engine="h5netcdf")
    write_report(ds, report, args.report)
    print(f"wrote {args.out} and {args.report}")


if __name__ == "__main__":
    main()
