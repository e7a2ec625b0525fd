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
5. labour by skill: compensation and hours shares of high/medium/low-skilled workers from the
   2013-release socio-economic accounts (latest year per country and industry), aggregated
   with compensation (resp. hours) weights, with the same donor fallback;
6. validate every accounting identity and write netCDF + report.
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
SKILLS = ["high", "medium", "low"]
#: skill shares of the 2013-release SEA and the industry weights used to aggregate them
SKILL_VARS = {"labour": ("LAB", ["LABHS", "LABMS", "LABLS"]),
              "hours": ("H_EMP", ["H_HS", "H_MS", "H_LS"])}


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
    return va, lab, emp, grid("lab_imp") / lab, grid("emp_imp") / emp, df


def services_trade_check(shared: Path, region_of, report):
    """China's share of each importer's imports of manufactures (c3-c16) and of some services
    industries (WIOT 2011, before aggregation), for the build report: outside the EU, China's
    shares of services imports track its share of imports of manufactures."""
    z = pd.read_csv(shared / "wiod2013" / "intermediate.csv.gz")
    f = pd.read_csv(shared / "wiod2013" / "final_demand.csv.gz")
    m = pd.concat([z[["orig_country", "orig_industry", "dest_country", "value"]],
                   f[["orig_country", "orig_industry", "dest_country", "value"]]])
    m = m[m.orig_country != m.dest_country]
    m["importer"] = m.dest_country.where(m.dest_country.map(region_of) != "EU", "EU")
    manufactures = [f"c{k}" for k in range(3, 17)]
    m["group"] = m.orig_industry.where(~m.orig_industry.isin(manufactures), "goods")
    t = m.groupby(["importer", "group", "orig_country"]).value.sum().unstack(fill_value=0.0)
    share = (t["CHN"] / t.sum(axis=1)).unstack()
    total = t.sum(axis=1).unstack()
    report["china_share"] = share.loc[["USA", "AUS", "CAN", "JPN", "KOR", "EU"],
                                      ["goods", "c30", "c25", "c21", "c28"]]
    report["china_c30"] = (float(t.loc[("USA", "c30"), "CHN"]), float(total.loc["USA", "c30"]),
                           float(m[(m.orig_country == "CHN") & (m.orig_industry == "c30")].value.sum()))


# -- 5. labour by skill ----------------------------------------------------------------------
def sea_skill_shares(shared: Path, names13, sector13, report):
    """Skill shares of labour compensation and of hours by country x sector (2013-release SEA).

    For each country and WIOD industry n the latest year <= YEAR in which the three shares are
    reported, non-negative and sum to 1 (within 1e-3); a sector's share of skill k is

        s[k,c,j] = sum_{n in j} w[c,n] s[k,c,n] / sum_{n in j} w[c,n]

    with w = labour compensation LAB (hours H_EMP for the hours shares) of that year in
    national currency (ratios, so no exchange rates are needed). Also returns hours per person
    H_EMP/EMP of the country-sector (year of the hours shares) for the weights across countries.
    """
    s13 = pd.read_csv(shared / "wiod_sea2013" / "sea2013.csv.gz")
    totals = s13[(s13.industry == "total industries") & (s13.year <= YEAR)]
    s13 = s13[(s13.industry != "total industries") & (s13.year <= YEAR)].copy()
    s13["code"] = s13.industry.map(names13)
    # summing over the spellings of an industry joins the rows in which IDN, IND and RUS report
    # compensation shares and hours shares of the transport industries under different names
    wide = s13.pivot_table(index=["country", "code", "year"], columns="variable", values="value",
                           aggfunc="sum")
    parts, report["skill_sum_deviation"], report["skill_missing"] = [], {}, []
    for kind, (weight, cols) in SKILL_VARS.items():
        sh = wide[cols]
        total = sh.sum(axis=1, min_count=len(cols))
        ok = sh.notna().all(axis=1) & (sh >= 0).all(axis=1) & ((total - 1).abs() < 1e-3)
        d = wide[ok].reset_index().sort_values("year").groupby(["country", "code"]).tail(1).copy()
        report["skill_sum_deviation"][kind] = float((d[cols].sum(axis=1) - 1).abs().max())
        # industries that pay labour but report no usable shares in any year
        latest = wide.reset_index().sort_values("year").groupby(["country", "code"]).tail(1)
        paid = latest[latest[weight].fillna(0) > 0].set_index(["country", "code"]).index
        report["skill_missing"] += [(c, n, kind) for c, n in paid.difference(
            d.set_index(["country", "code"]).index)]
        d["sector"] = d.code.map(sector13)
        d["w"] = d[weight].fillna(0.0).clip(lower=0.0)
        d = d[d.w > 0]
        d[cols] = d[cols].mul(d.w, axis=0)
        g = d.groupby(["country", "sector"])
        agg = g[cols].sum().div(g.w.sum(), axis=0)
        agg.columns = [f"{kind}_{k}" for k in SKILLS]
        agg[f"{kind}_weight"] = g.w.sum()                         # national currency / hours
        agg[f"{kind}_year"] = g.year.min()
        agg[f"{kind}_year_max"] = g.year.max()
        parts.append(agg)
        if kind == "hours":
            parts.append((g.H_EMP.sum() / g.EMP.sum()).rename("hours_per_person"))
    shares = pd.concat(parts, axis=1).reset_index()
    # cross-check: the sector shares, weighted back to the country total, against the SEA's own
    # total-economy row of the same year
    check = []
    for kind, (_, cols) in SKILL_VARS.items():
        tot = totals[totals.variable.isin(cols)].pivot_table(index=["country", "year"], columns="variable",
                                                            values="value")[cols]
        for c, d in shares.dropna(subset=[f"{kind}_high"]).groupby("country"):
            yr = int(d[f"{kind}_year_max"].max())
            w = d[f"{kind}_weight"]
            ours = d[[f"{kind}_{k}" for k in SKILLS]].mul(w, axis=0).sum().values / w.sum()
            if (c, yr) in tot.index:
                check.append((c, kind, yr, *ours, *tot.loc[(c, yr)].values))
    report["skill_total_check"] = pd.DataFrame(check, columns=[
        "country", "kind", "year", *SKILLS, *(f"sea_{k}" for k in SKILLS)])
    return shares


def skill_shares(country, sea, region_of, report):
    """Skill shares by sector x region and their provenance.

    Country shares are aggregated with the dataset's own weights: labour compensation (USD,
    2011) for compensation shares, hours = persons (2011) x hours per person (SEA, year of
    the shares) for hours shares. A country-sector without skill data takes the weighted
    shares of donor countries (WIOD RoW: the ROW countries with socio-economic accounts;
    otherwise the other countries of its region), as for the factor split. Shares are
    renormalised to sum exactly to 1 (the reported ones deviate from 1 by at most 1e-3).
    """
    df = country[["country", "sector", "region", "lab", "emp"]].merge(
        sea, on=["country", "sector"], how="left")
    kinds = list(SKILL_VARS)
    cols = {kind: [f"{kind}_{k}" for k in SKILLS] for kind in kinds}
    weight = {"labour": "lab", "hours": "hours"}
    df["imputed"] = np.column_stack([df[cols[k]].isna().any(axis=1) for k in kinds]).any(axis=1)

    def donors(k):
        c, sec, reg = df.country.iat[k], df.sector.iat[k], df.region.iat[k]
        names = ROW_SEA if c == "RoW" else [x for x, r in region_of.items() if r == reg and x != c]
        return df[df.country.isin(names) & (df.sector == sec) & ~df.imputed]

    df["hours"] = df.emp * df.hours_per_person
    imputed = np.flatnonzero(df.imputed.values)
    for k in imputed:
        d = donors(k)
        df.loc[df.index[k], "hours"] = df.emp.iat[k] * d.hours.sum() / d.emp.sum()
        for kind in kinds:
            df.loc[df.index[k], cols[kind]] = np.average(d[cols[kind]], weights=d[weight[kind]], axis=0)
            df.loc[df.index[k], f"{kind}_year"] = d[f"{kind}_year"].min()
            df.loc[df.index[k], f"{kind}_year_max"] = d[f"{kind}_year_max"].max()
    report["skill_imputed"] = [(df.country.iat[k], df.sector.iat[k]) for k in imputed]
    report["skill_years"] = {kind: sorted({int(y) for y in df[f"{kind}_year"]} |
                                          {int(y) for y in df[f"{kind}_year_max"]}) for kind in kinds}
    report["skill_country"] = df
    out = {}
    for kind in kinds:
        w = df[weight[kind]]
        num = df[cols[kind]].mul(w, axis=0).assign(sector=df.sector, region=df.region)
        num = num.groupby(["sector", "region"]).sum()
        share = num.div(num.sum(axis=1), axis=0)                 # = sum w s / sum w, renormalised
        out[kind] = np.stack([xr.DataArray.from_series(share[c]).reindex(sector=SECTORS, region=REGIONS).values
                              for c in cols[kind]])
    grid = lambda s: xr.DataArray.from_series(s).reindex(sector=SECTORS, region=REGIONS).values  # noqa: E731
    g = df.assign(lab_imp=df.lab * df.imputed,
                  year=df[[f"{k}_year" for k in kinds]].min(axis=1)).groupby(["sector", "region"])
    out["year"] = grid(g.year.min()).astype("int32")
    out["imputed"] = grid(g.lab_imp.sum() / g.lab.sum())
    return out


# -- 6. assemble, validate, write ---------------------------------------------------------
def build(shared: Path):
    region_of, sector13, sector16, names13 = concordances()
    report = {}
    Z, F, GO, out = aggregate_table(shared, region_of, sector13)
    services_trade_check(shared, region_of, report)
    Zb, Fb = balance(Z, F, GO, report)
    ratios, notes = sea_ratios(shared, region_of, names13, sector13, sector16)
    report["notes"] = notes
    va, lab, emp, lab_imp, emp_imp, country = factors_and_employment(out, ratios, region_of, report)
    skill = skill_shares(country, sea_skill_shares(shared, names13, sector13, report), region_of, report)
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
            "labour_skill_share": (("skill", "sector", "region"), skill["labour"], {
                "units": "1", "long_name": "share of labour compensation by skill",
                "description": "compensation of high/medium/low-skilled workers (LABHS/LABMS/LABLS of the "
                               "WIOD SEA 2013 release, latest year per country and industry) as a share of "
                               "labour compensation; aggregated with labour compensation weights; sums to 1 "
                               "over skill; labour_high = factor_payments(labour) x share"}),
            "hours_skill_share": (("skill", "sector", "region"), skill["hours"], {
                "units": "1", "long_name": "share of hours worked by skill",
                "description": "hours worked by high/medium/low-skilled persons engaged (H_HS/H_MS/H_LS of "
                               "the WIOD SEA 2013 release, latest year per country and industry) as a share "
                               "of hours; aggregated with hours weights (persons x hours per person); sums to "
                               "1 over skill. Persons by skill = employment x hours share (assumes equal "
                               "hours per person across skill groups within a region-sector)"}),
            "skill_share_year": (("sector", "region"), skill["year"], {
                "units": "year", "long_name": "oldest year of socio-economic accounts data in the skill shares",
                "description": "earliest SEA year among the country-industries whose skill shares enter the "
                               "cell (the latest year with skill data is used for each; the 2013 release "
                               "reports skills up to 2009)"}),
            "skill_share_imputed": (("sector", "region"), skill["imputed"], {
                "units": "1", "long_name": "share of labour compensation with imputed skill shares",
                "description": "share of the cell's labour compensation in countries without skill data, "
                               "whose shares are those of donor countries (WIOD RoW: AUS BRA CAN IDN IND MEX "
                               "RUS TUR, weighted by labour compensation resp. hours)"}),
        },
        coords={"region": REGIONS, "source": REGIONS, "sector": SECTORS, "commodity": SECTORS,
                "agent": AGENTS, "factor": ["labour", "capital"], "skill": SKILLS},
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
