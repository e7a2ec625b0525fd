"""Build cgetrade's default benchmark (WIOD 2011, 6 regions x 8 sectors) from the sources.

    python calibration/build_default_dataset.py [--shared ../shared/data] [--out PATH]

Steps (each a function below; documented in docs/data.md, report in build_report.md):
1. aggregate the WIOD 2011 world input-output table over the concordances;
2. fold inventories into investment (negative cells set to 0) and balance the use table by
   RAS (iterative proportional fitting, `ipfn`, through cgetrade.data.mrio.balance_use_table,
   the same step as cgetrade.data.from_tables) to published gross output;
3. value added and its labour/capital split from the WIOD socio-economic accounts (ratios,
   so no exchange rates are needed); net production taxes are the column residual;
4. persons engaged from the socio-economic accounts, with a documented fallback for WIOD's
   rest-of-world model region;
5. validate every accounting identity and write netCDF + report.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from cgetrade.data.mrio import balance_use_table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
SECTORS = ["AGR", "ENE", "LMF", "CHM", "MAC", "ELE", "TTS", "SRV"]
AGENT_OF_CATEGORY = {"household": "household", "npish": "household", "government": "government",
                     "gfcf": "investment", "inventories": "investment"}
AGENTS = ["household", "government", "investment"]
ROW_SEA = ["AUS", "BRA", "CAN", "IDN", "IND", "MEX", "RUS", "TUR"]   # ROW countries with SEA
YEAR = 2011


def concordances():
    reg = pd.read_csv(HERE / "concordances" / "regions.csv")
    s13 = pd.read_csv(HERE / "concordances" / "sectors_wiod2013.csv")
    s16 = pd.read_csv(HERE / "concordances" / "sectors_wiod2016.csv")
    names = {n: row.code for row in s13.itertuples() for n in row.sea2013_names.split("|")}
    return (dict(zip(reg.country, reg.region)), dict(zip(s13.code, s13.sector)),
            dict(zip(s16.code, s16.sector)), names)


# -- 1. aggregation ------------------------------------------------------------------------
def aggregate_table(shared: Path, region_of, sector_of):
    z = pd.read_csv(shared / "wiod2013" / "intermediate.csv.gz")
    f = pd.read_csv(shared / "wiod2013" / "final_demand.csv.gz")
    out = pd.read_csv(shared / "wiod2013" / "output.csv")
    for df, cols in ((z, ["orig_country", "dest_country"]), (f, ["orig_country", "dest_country"]),
                     (out, ["country"])):
        for c in cols:
            unknown = set(df[c]) - set(region_of)
            if unknown:
                raise ValueError(f"countries without a region: {sorted(unknown)}")
    z = z.assign(i=z.orig_industry.map(sector_of), s=z.orig_country.map(region_of),
                 j=z.dest_industry.map(sector_of), r=z.dest_country.map(region_of))
    f = f.assign(i=f.orig_industry.map(sector_of), s=f.orig_country.map(region_of),
                 h=f.category.map(AGENT_OF_CATEGORY), r=f.dest_country.map(region_of))
    out = out.assign(j=out.industry.map(sector_of), r=out.country.map(region_of))
    for df in (z, f, out):
        if df.isna().any().any():
            raise ValueError("unmapped industry or category in the WIOD table")
    Z = z.groupby(["i", "s", "j", "r"]).value.sum()
    F = f.groupby(["i", "s", "h", "r"]).value.sum()
    GO = out.groupby(["j", "r"]).value.sum()
    Zx = xr.DataArray.from_series(Z).reindex(i=SECTORS, s=REGIONS, j=SECTORS, r=REGIONS).fillna(0.0)
    Fx = xr.DataArray.from_series(F).reindex(i=SECTORS, s=REGIONS, h=AGENTS, r=REGIONS).fillna(0.0)
    GOx = xr.DataArray.from_series(GO).reindex(j=SECTORS, r=REGIONS).fillna(0.0)
    return Zx.values.astype(float), Fx.values.astype(float), GOx.values.astype(float), out


# -- 2. balancing --------------------------------------------------------------------------
def balance(Z, F, GO, report):
    """RAS on U = [Z | F] (rows (i,s); columns industries (j,r) and final uses (h,r)), by the
    library's cgetrade.data.mrio.balance_use_table (ipfn)."""
    neg = F < 0
    report["negative_investment_cells"] = [
        (SECTORS[i], REGIONS[s], REGIONS[r], float(F[i, s, h, r]))
        for i, s, h, r in zip(*np.nonzero(neg))]
    F = np.where(neg, 0.0, F)
    Zb, Fb, bal = balance_use_table(Z, F, GO, (SECTORS, REGIONS, AGENTS))
    if bal["ras"] is None:
        raise RuntimeError("the WIOD use table was expected not to balance before RAS")
    report["fd_factor"] = bal["fd_factor"]
    report["row_gaps"] = [(*label.split("@"), gap, rel) for label, gap, rel in bal["row_gaps"]]
    report["largest_changes"] = [
        (f"{'F' if c.split('@')[0] in AGENTS else 'Z'}[{r.replace('@', ',')} -> {c.replace('@', ',')}]",
         before, after - before, (after - before) / before if before else float("nan"))
        for r, c, before, after in bal["ras"].largest_changes]
    report["max_abs_change"] = max(abs(c[2]) for c in report["largest_changes"])
    return Zb, Fb


# -- 3. value added and factor split --------------------------------------------------------
def sea_ratios(shared: Path, region_of, names13, sector13, sector16):
    """VA/GO (2013 release, 2011) and LAB/VA (2016 release, 2011; TWN 2013 release) by
    country x sector; persons engaged (2016 release; TWN 2013 release)."""
    s13 = pd.read_csv(shared / "wiod_sea2013" / "sea2013.csv.gz")
    s13 = s13[s13.industry != "total industries"].copy()
    s13["code"] = s13.industry.map(names13)
    if s13.code.isna().any():
        raise ValueError(f"unmapped SEA 2013 industries: {sorted(set(s13.industry[s13.code.isna()]))}")
    s13["sector"] = s13.code.map(sector13)
    y13 = s13[s13.year == YEAR].pivot_table(index=["country", "sector"], columns="variable",
                                            values="value", aggfunc="sum")
    s16 = pd.read_csv(shared / "wiod_sea2016" / "sea2016.csv.gz")
    s16["country"] = s16.country.replace({"ROU": "ROM"})
    s16["sector"] = s16.code.map(sector16)
    if s16.sector.isna().any():
        raise ValueError(f"unmapped SEA 2016 codes: {sorted(set(s16.code[s16.sector.isna()]))}")
    y16 = s16[s16.year == YEAR].groupby(["country", "sector"])[["LAB", "VA", "EMP", "GO"]].sum(min_count=1)

    countries = [c for c in region_of if c != "RoW"]
    rows, notes = [], []
    for c in countries:
        for sec in SECTORS:
            va_go = _ratio(y13, c, sec, "VA", "GO")
            if c == "TWN":
                # the 2016 release is defective for TWN: latest 2013-release year with LAB
                tw = s13[(s13.country == "TWN") & (s13.sector == sec)]
                yr = int(tw[tw.variable == "LAB"].year.max())
                t = tw[tw.year == yr].groupby("variable").value.sum()
                lab_va = t["LAB"] / t["VA"] if t.get("VA", 0) > 0 else np.nan
                emp = y13.loc[(c, sec), "EMP"] if (c, sec) in y13.index else np.nan
                notes.append(f"TWN {sec}: labour share from the 2013-release SEA of {yr}")
            else:
                lab_va = _ratio(y16, c, sec, "LAB", "VA")
                emp = y16.loc[(c, sec), "EMP"] if (c, sec) in y16.index else np.nan
            rows.append((c, sec, va_go, lab_va, emp))
    df = pd.DataFrame(rows, columns=["country", "sector", "va_go", "lab_va", "emp"])
    return df, notes


def _ratio(tab, c, sec, num, den):
    if (c, sec) not in tab.index or num not in tab.columns:
        return np.nan
    n, d = tab.loc[(c, sec), num], tab.loc[(c, sec), den]
    return float(n / d) if pd.notna(n) and pd.notna(d) and d > 0 else np.nan


def factors_and_employment(out, ratios, region_of, report):
    """USD value added, labour compensation and persons by country x sector, with fallbacks."""
    go = out.assign(sector=out.industry.map(dict(zip(out.industry, out.j))))
    go = go.groupby(["country", "j"]).value.sum().rename("go").reset_index().rename(columns={"j": "sector"})
    df = go.merge(ratios, on=["country", "sector"], how="left")
    df["region"] = df.country.map(region_of)
    df["va_imputed"] = df.va_go.isna()
    df["lab_imputed"] = df.lab_va.isna()
    df["emp_imputed"] = df.emp.isna()
    # fallback for missing ratios: same sector, VA-weighted mean of the other countries in the
    # same region (WIOD RoW: the ROW countries with socio-economic accounts)
    for col in ("va_go", "lab_va"):
        for k in np.flatnonzero(df[col].isna().values):
            c, sec, reg = df.country.iat[k], df.sector.iat[k], df.region.iat[k]
            donors = ROW_SEA if c == "RoW" else [x for x, r in region_of.items() if r == reg and x != c]
            d = df[df.country.isin(donors) & (df.sector == sec) & df[col].notna()]
            w = d.go * d.va_go.fillna(d.va_go.mean())
            df.loc[df.index[k], col] = float(np.average(d[col], weights=w))
    # WIOD returns clipped labour shares to [0.02, 0.98] only if needed
    clipped = df[(df.lab_va < 0.02) | (df.lab_va > 0.98)]
    report["labour_share_clipped"] = [(r.country, r.sector, float(r.lab_va)) for r in clipped.itertuples()]
    df["lab_va"] = df.lab_va.clip(0.02, 0.98)
    df["va"] = df.go * df.va_go
    df["lab"] = df.va * df.lab_va
    # employment fallback: persons per USD of labour compensation of the donor countries
    for k in np.flatnonzero(df.emp.isna().values):
        c, sec, reg = df.country.iat[k], df.sector.iat[k], df.region.iat[k]
        donors = ROW_SEA if c == "RoW" else [x for x, r in region_of.items() if r == reg and x != c]
        d = df[df.country.isin(donors) & (df.sector == sec) & ~df.emp_imputed]
        df.loc[df.index[k], "emp"] = float(d.emp.sum() / d.lab.sum() * df.lab.iat[k])
    report["imputed"] = df[df.va_imputed | df.lab_imputed | df.emp_imputed][
        ["country", "sector", "va_imputed", "lab_imputed", "emp_imputed"]].values.tolist()
    agg = df.groupby(["sector", "region"]).agg(va=("va", "sum"), lab=("lab", "sum"), emp=("emp", "sum"))
    df["lab_imp_usd"] = df.lab * df.lab_imputed
    df["emp_imp"] = df.emp * df.emp_imputed
    imp = df.groupby(["sector", "region"]).agg(lab_imp=("lab_imp_usd", "sum"), emp_imp=("emp_imp", "sum"))
    agg = agg.join(imp)
    grid = lambda col: xr.DataArray.from_series(agg[col]).rename(sector="sector", region="region") \
        .reindex(sector=SECTORS, region=REGIONS).values  # noqa: E731
    va, lab, emp = grid("va"), grid("lab"), grid("emp")
    return va, lab, emp, grid("lab_imp") / lab, grid("emp_imp") / emp


# -- 4./5. assemble, validate, write ---------------------------------------------------------
def build(shared: Path):
    region_of, sector13, sector16, names13 = concordances()
    report = {}
    Z, F, GO, out = aggregate_table(shared, region_of, sector13)
    Zb, Fb = balance(Z, F, GO, report)
    ratios, notes = sea_ratios(shared, region_of, names13, sector13, sector16)
    report["notes"] = notes
    va, lab, emp, lab_imp, emp_imp = factors_and_employment(out, ratios, region_of, report)
    tax = GO - Zb.sum((0, 1)) - va
    report["tax_share"] = (float((tax / GO).min()), float((tax / GO).max()))
    ds = xr.Dataset(
        {
            "intermediate": (("commodity", "source", "sector", "region"), Zb,
                             {"units": "USD million", "long_name": "intermediate use of commodity from source by sector in region"}),
            "final_demand": (("commodity", "source", "agent", "region"), Fb,
                             {"units": "USD million", "long_name": "final use of commodity from source by agent in region"}),
            "factor_payments": (("factor", "sector", "region"), np.stack([lab, va - lab]),
                                {"units": "USD million", "long_name": "labour and capital compensation"}),
            "production_tax": (("sector", "region"), tax,
                               {"units": "USD million", "long_name": "net taxes on products of inputs, margins and other (output - inputs - value added)"}),
            "gross_output": (("sector", "region"), GO, {"units": "USD million", "long_name": "gross output at basic prices"}),
            "employment": (("sector", "region"), emp, {"units": "thousand persons", "long_name": "persons engaged"}),
            "employment_imputed": (("sector", "region"), emp_imp, {"units": "1", "long_name": "share of persons imputed by fallback"}),
            "factor_split_imputed": (("sector", "region"), lab_imp, {"units": "1", "long_name": "share of labour compensation with an imputed labour share"}),
        },
        coords={"region": REGIONS, "source": REGIONS, "sector": SECTORS, "commodity": SECTORS,
                "agent": AGENTS, "factor": ["labour", "capital"]},
        attrs={
            "title": "WIOD 2011 world input-output table, 6 regions x 8 sectors (cgetrade default)",
            "source": "World Input-Output Database (WIOD): 2013 release world input-output table for 2011; "
                      "Socio-Economic Accounts, 2013 release (July 2014) and 2016 release",
            "year": YEAR,
            "currency": "USD million, current prices",
            "licence": "CC BY 4.0 (WIOD); aggregated, balanced and combined by cgetrade - changes were made",
            "citation": "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
                        "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
                        "Automotive Production, Review of International Economics 23: 575-605; "
                        "Dietzenbacher, E., Los, B., Stehrer, R., Timmer, M. P. and de Vries, G. J. (2013), "
                        "The Construction of World Input-Output Tables in the WIOD Project, Economic Systems "
                        "Research 25(1): 71-98; Timmer, M. P., Los, B., Stehrer, R. and de Vries, G. J. (2016), "
                        "An Anatomy of the Global Trade Slowdown based on the WIOD 2016 Release, GGDC Research "
                        "Memorandum 162",
            "build_script": "calibration/build_default_dataset.py",
            "balancing": f"RAS (ipfn) of [intermediate | final demand] to published gross output; final-demand "
                         f"columns scaled by {report['fd_factor']:.6f}; largest cell change "
                         f"{report['max_abs_change']:.1f} USD million",
            "fallbacks": "labour shares: 2016-release SEA 2011 (TWN: 2013 release, latest year with LAB); "
                         "WIOD RoW: VA/GO and labour share of AUS BRA CAN IDN IND MEX RUS TUR (VA-weighted), "
                         "persons = labour compensation x persons per USD of labour compensation of those "
                         "countries; see employment_imputed and factor_split_imputed",
        },
    )
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
    Path(path).write_text("\n".join(L) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(REPO / "cgetrade" / "data" / "default" / "wiod2011_6x8.nc"))
    ap.add_argument("--report", default=str(HERE / "build_report.md"))
    args = ap.parse_args(argv)
    ds, report = build(Path(args.shared))
    from cgetrade.data import validate
    validate(ds)
    ds.to_netcdf(args.out, engine="h5netcdf")
    write_report(ds, report, args.report)
    print(f"wrote {args.out} and {args.report}")


if __name__ == "__main__":
    main()
