"""WIOD socio-economic accounts (SEA) -> value added, labour/capital split, persons and skills
of any aggregation of the WIOD world table (package data in ``cgetrade/data/wiod2013/``).

Two releases, both shipped: the 2013 release (July 2014; the world table's 40 countries and
35 industries, 2000-2011; skill splits up to 2009) and the 2016 release (ISIC rev. 4, 56
industries, 2000-2014), whose industries are mapped to the 35 world-table industries by
``sea2016_industries.csv`` (each rev. 4 industry to the rev. 3 industry holding most of it).
All ratios are of national-currency values of one country and year, so no exchange rates
are needed. For a country c, an aggregate sector J and SEA year y:

    VA/GO[c,J]  = sum_{n in J} VA[c,n,y] / sum_{n in J} GO[c,n,y]        (2013 release)
    LAB/VA[c,J] = sum_{n in J} LAB[c,n,y] / sum_{n in J} VA[c,n,y]       (2016 release)
    persons[c,J] = sum_{n in J} EMP[c,n,y]                              (2016 release)

Taiwan's 2016-release accounts are inconsistent (labour compensation 1.42 x value added):
its labour shares come from the 2013 release (latest year <= y with LAB) and its persons
from the 2013 release. The accounts start in 2000: for world tables of 1995-1999 the
accounts of 2000 are used (flagged in the dataset attribute ``sea_imputation``). Cells
without data take the value-weighted mean of donor countries (the other countries of the
same aggregate region; WIOD's rest of world RoW has no accounts and takes those of its
region's other countries; a region without donors takes all countries).
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .schema import SKILLS, DataValidationError

#: first and last year of the socio-economic accounts
SEA_FIRST, SEA_LAST = 2000, 2011
#: skill shares of the 2013-release SEA and the industry weights used to aggregate them
SKILL_VARS = {"labour": ("LAB", ["LABHS", "LABMS", "LABLS"]),
              "hours": ("H_EMP", ["H_HS", "H_MS", "H_LS"])}
ROW = "RoW"          # WIOD's rest-of-world model region (no socio-economic accounts)


def package_file(name: str) -> Path:
    """Path of a WIOD file shipped as package data (``cgetrade/data/wiod2013/``)."""
    return Path(str(resources.files("cgetrade.data") / "wiod2013" / name))


@lru_cache(maxsize=1)
def _industries() -> pd.DataFrame:
    return pd.read_csv(package_file("industries.csv"), dtype=str)


@lru_cache(maxsize=1)
def _sea2013() -> pd.DataFrame:
    s = pd.read_csv(package_file("sea2013.csv.gz"))
    names = {n: row.code for row in _industries().itertuples() for n in row.sea2013_names.split("|")}
    total = s.industry == "total industries"
    s["code"] = s.industry.map(names)
    unknown = sorted(set(s.industry[s.code.isna() & ~total]))
    if unknown:
        raise DataValidationError(f"SEA 2013: industries without a WIOD code: {unknown}")
    return s


@lru_cache(maxsize=1)
def _sea2016() -> pd.DataFrame:
    s = pd.read_csv(package_file("sea2016.csv.gz"))
    s["country"] = s.country.replace({"ROU": "ROM"})
    cw = pd.read_csv(package_file("sea2016_industries.csv"), dtype=str)
    s["wiod_code"] = s.code.map(dict(zip(cw.code, cw.wiod2013_code)))
    if s.wiod_code.isna().any():
        raise DataValidationError(f"SEA 2016: codes without a WIOD 2013 industry: "
                                  f"{sorted(set(s.code[s.wiod_code.isna()]))}")
    return s


def sea_year(year: int) -> int:
    """The SEA year used for a world table of ``year`` (the accounts start in 2000)."""
    return min(max(int(year), SEA_FIRST), SEA_LAST)


def peers(c: str, region_of: dict) -> list[str]:
    """Donor countries of c: the other countries of its aggregate region."""
    return [x for x, r in region_of.items() if r == region_of[c] and x != c]


def _ratio(tab, c, sec, num, den):
    if (c, sec) not in tab.index or num not in tab.columns:
        return np.nan
    n, d = tab.loc[(c, sec), num], tab.loc[(c, sec), den]
    return float(n / d) if pd.notna(n) and pd.notna(d) and d > 0 else np.nan


def factor_ratios(year: int, region_of: dict, sector_of: dict, sectors: list) -> tuple[pd.DataFrame, list]:
    """VA/GO, LAB/VA and persons engaged by country x aggregate sector (module doc)."""
    y = sea_year(year)
    s13 = _sea2013()
    s13 = s13[s13.industry != "total industries"].assign(sector=lambda d: d.code.map(sector_of))
    y13 = s13[s13.year == y].pivot_table(index=["country", "sector"], columns="variable",
                                         values="value", aggfunc="sum")
    s16 = _sea2016().assign(sector=lambda d: d.wiod_code.map(sector_of))
    y16 = s16[s16.year == y].groupby(["country", "sector"])[["LAB", "VA", "EMP", "GO"]].sum(min_count=1)
    rows, notes = [], []
    for c in [c for c in region_of if c != ROW]:
        for sec in sectors:
            va_go = _ratio(y13, c, sec, "VA", "GO")
            if c == "TWN":
                tw = s13[(s13.country == "TWN") & (s13.sector == sec)]
                with_lab = tw[(tw.variable == "LAB") & tw.value.notna()].year
                yr = int(with_lab[with_lab <= y].max() if (with_lab <= y).any() else with_lab.min())
                t = tw[tw.year == yr].groupby("variable").value.sum()
                lab_va = t["LAB"] / t["VA"] if t.get("VA", 0) > 0 else np.nan
                emp = y13.loc[(c, sec), "EMP"] if (c, sec) in y13.index else np.nan
                notes.append(f"TWN {sec}: labour share from the 2013-release SEA of {yr}")
            else:
                lab_va = _ratio(y16, c, sec, "LAB", "VA")
                emp = y16.loc[(c, sec), "EMP"] if (c, sec) in y16.index else np.nan
            rows.append((c, sec, va_go, lab_va, emp))
    return pd.DataFrame(rows, columns=["country", "sector", "va_go", "lab_va", "emp"]), notes


def _donors(df, k, region_of, mask):
    """Rows of the donor countries of row k (same sector, ``mask`` true); all countries when
    the region has none."""
    c, sec = df.country.iat[k], df.sector.iat[k]
    names = peers(c, region_of) if c in region_of else []
    d = df[df.country.isin(names) & (df.sector == sec) & mask]
    if d.empty:
        d = df[(df.country != c) & (df.sector == sec) & mask]
    return d


def factors_and_employment(go: pd.DataFrame, ratios: pd.DataFrame, region_of: dict, sectors, regions,
                           report: dict, donor_of: dict | None = None):
    """USD value added, labour compensation and persons by sector x region, with fallbacks.

    ``go``: WIOD gross output by (country, sector), column ``go``. Value added = GO x VA/GO,
    labour = VA x LAB/VA (clipped to [0.02, 0.98]); missing ratios take the donors' mean
    weighted by value added, missing persons the donors' persons per USD of labour
    compensation. Donors: the other countries of the same group of ``donor_of`` (default:
    of the same region). Returns (va, lab, emp, imputed labour share, imputed persons share,
    country table)."""
    donor_of = donor_of or region_of
    df = go.merge(ratios, on=["country", "sector"], how="left")
    df["region"] = df.country.map(region_of)
    df["va_imputed"] = df.va_go.isna()
    df["lab_imputed"] = df.lab_va.isna()
    df["emp_imputed"] = df.emp.isna()
    for col in ("va_go", "lab_va"):
        for k in np.flatnonzero(df[col].isna().values):
            d = _donors(df, k, donor_of, df[col].notna())
            w = d.go * d.va_go.fillna(d.va_go.mean())
            df.loc[df.index[k], col] = float(np.average(d[col], weights=w))
    clipped = df[(df.lab_va < 0.02) | (df.lab_va > 0.98)]
    report["labour_share_clipped"] = [(r.country, r.sector, float(r.lab_va)) for r in clipped.itertuples()]
    df["lab_va"] = df.lab_va.clip(0.02, 0.98)
    df["va"] = df.go * df.va_go
    df["lab"] = df.va * df.lab_va
    for k in np.flatnonzero(df.emp.isna().values):
        d = _donors(df, k, donor_of, ~df.emp_imputed)
        df.loc[df.index[k], "emp"] = float(d.emp.sum() / d.lab.sum() * df.lab.iat[k])
    report["imputed"] = df[df.va_imputed | df.lab_imputed | df.emp_imputed][
        ["country", "sector", "va_imputed", "lab_imputed", "emp_imputed"]].values.tolist()
    agg = df.groupby(["sector", "region"]).agg(va=("va", "sum"), lab=("lab", "sum"), emp=("emp", "sum"))
    df["lab_imp_usd"] = df.lab * df.lab_imputed
    df["emp_imp"] = df.emp * df.emp_imputed
    imp = df.groupby(["sector", "region"]).agg(lab_imp=("lab_imp_usd", "sum"), emp_imp=("emp_imp", "sum"))
    agg = agg.join(imp)

    def grid(col):
        return xr.DataArray.from_series(agg[col]).reindex(sector=sectors, region=regions).values
    va, lab, emp = grid("va"), grid("lab"), grid("emp")
    return va, lab, emp, _share_of(grid("lab_imp"), lab), _share_of(grid("emp_imp"), emp), df


def _share_of(part, total):
    """part / total, 0 where the total is 0."""
    return np.divide(part, total, out=np.zeros_like(part), where=total > 0)


def sea_skill_shares(year: int, sector_of: dict, report: dict) -> pd.DataFrame:
    """Skill shares of labour compensation and of hours by country x sector (2013-release SEA).

    For each country and WIOD industry n the latest year <= y (the SEA year of ``year``) in
    which the three shares are reported, non-negative and sum to 1 (within 1e-3); a sector's
    share of skill k is

        s[k,c,j] = sum_{n in j} w[c,n] s[k,c,n] / sum_{n in j} w[c,n]

    with w = labour compensation LAB (hours H_EMP for the hours shares) of that year in
    national currency. Also returns hours per person H_EMP/EMP of the country-sector (year
    of the hours shares) for the weights across countries.
    """
    y = sea_year(year)
    s13 = _sea2013()
    totals = s13[(s13.industry == "total industries") & (s13.year <= y)]
    s13 = s13[(s13.industry != "total industries") & (s13.year <= y)]
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
        latest = wide.reset_index().sort_values("year").groupby(["country", "code"]).tail(1)
        paid = latest[latest[weight].fillna(0) > 0].set_index(["country", "code"]).index
        report["skill_missing"] += [(c, n, kind) for c, n in paid.difference(
            d.set_index(["country", "code"]).index)]
        d["sector"] = d.code.map(sector_of)
        d["w"] = d[weight].fillna(0.0).clip(lower=0.0)
        d = d[d.w > 0]
        d[cols] = d[cols].mul(d.w, axis=0)
        g = d.groupby(["country", "sector"])
        agg = g[cols].sum().div(g.w.sum(), axis=0)
        agg.columns = [f"{kind}_{k}" for k in SKILLS]
        agg[f"{kind}_weight"] = g.w.sum()
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


def skill_shares(country: pd.DataFrame, sea: pd.DataFrame, region_of: dict, sectors, regions,
                 report: dict, donor_of: dict | None = None) -> dict:
    """Skill shares by sector x region and their provenance.

    Country shares are aggregated with the dataset's own weights: labour compensation (USD)
    for compensation shares, hours = persons x hours per person (SEA, year of the shares) for
    hours shares. A country-sector without skill data takes the weighted shares of its donor
    countries (``donor_of``, as for the factor split). Shares are renormalised to sum
    exactly to 1.
    """
    donor_of = donor_of or region_of
    df = country[["country", "sector", "region", "lab", "emp"]].merge(
        sea, on=["country", "sector"], how="left")
    kinds = list(SKILL_VARS)
    cols = {kind: [f"{kind}_{k}" for k in SKILLS] for kind in kinds}
    weight = {"labour": "lab", "hours": "hours"}
    df["imputed"] = np.column_stack([df[cols[k]].isna().any(axis=1) for k in kinds]).any(axis=1)
    df["hours"] = df.emp * df.hours_per_person
    imputed = np.flatnonzero(df.imputed.values)
    for k in imputed:
        d = _donors(df, k, donor_of, ~df.imputed)
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
        # a cell whose members all have zero weight (no persons) takes their unweighted mean
        mean = df[cols[kind]].assign(sector=df.sector, region=df.region).groupby(["sector", "region"]).mean()
        num = num.where(num.sum(axis=1) > 0, mean, axis=0)
        share = num.div(num.sum(axis=1), axis=0)                 # = sum w s / sum w, renormalised
        out[kind] = np.stack([xr.DataArray.from_series(share[c]).reindex(sector=sectors, region=regions).values
                              for c in cols[kind]])

    def grid(s):
        return xr.DataArray.from_series(s).reindex(sector=sectors, region=regions).values
    g = df.assign(lab_imp=df.lab * df.imputed,
                  year=df[[f"{k}_year" for k in kinds]].min(axis=1)).groupby(["sector", "region"])
    out["year"] = grid(g.year.min()).astype("int32")
    out["imputed"] = _share_of(grid(g.lab_imp.sum()), grid(g.lab.sum()))
    return out


def macro_indices(region_of: dict, years) -> xr.Dataset:
    """Real value added, persons engaged and real capital by region and year, as indices of
    the first year (the observed macro changes of a backcast), from the accounts.

    For a country c (national currency; 2016-release SEA, volume indices QI with 2010 = 100):

        real VA_c(t) = sum_n VA_n(2010) QI_n(t) / 100              (at 2010 prices)
        real K_c(t)  = K_c(t) / P_c(t),  P_c(t) = VA_c(t) / real VA_c(t)

    (the accounts have no capital-goods price index: the nominal stock K is deflated by the
    value-added deflator). Persons: EMP (Taiwan: 2013 release, as in the datasets). Regions
    sum their countries' indices with first-year USD weights from the WIOD table of that
    year (value added = output - intermediate inputs; capital = that x K/VA of the
    accounts); WIOD's rest of world (no accounts) is assumed to grow like the other
    countries of its region.
    """
    from .wiod import wiod_table
    years = [int(y) for y in years]
    t0 = years[0]
    if t0 < SEA_FIRST or years[-1] > SEA_LAST:
        raise DataValidationError(f"macro indices: the accounts cover {SEA_FIRST}-{SEA_LAST}, asked {years}")
    s = _sea2016()
    s = s[s.year.isin(set(years) | {2010})]
    base = s[s.year == 2010][["country", "code", "VA"]].rename(columns={"VA": "VA10"})
    s = s.merge(base, on=["country", "code"], how="left")
    s["real_va"] = s.VA10 * s.VA_QI / 100.0
    g = s.groupby(["country", "year"])[["VA", "real_va", "K", "EMP"]].sum(min_count=1)
    g["real_k"] = g.K / (g.VA / g.real_va)
    s13 = _sea2013()
    tw = s13[(s13.country == "TWN") & (s13.industry == "total industries") & (s13.variable == "EMP")]
    for y, v in zip(tw.year, tw.value):
        if ("TWN", y) in g.index:
            g.loc[("TWN", y), "EMP"] = v
    t = wiod_table(t0)
    va_usd = dict(zip(t["countries"], t["output"].sum(1) - t["intermediate"].astype(float).sum((0, 1, 3))))
    regions = list(dict.fromkeys(region_of.values()))
    out = {k: np.zeros((len(years), len(regions))) for k in ("real_va", "EMP", "real_k")}
    for k_r, reg in enumerate(regions):
        members = [c for c, r in region_of.items() if r == reg and c != ROW]
        if not members:
            raise DataValidationError(f"macro indices: region {reg!r} has no country with accounts")
        for var in out:
            first = np.array([g.loc[(c, t0), var] for c in members])
            if var == "EMP":
                w = np.ones(len(members))                  # persons add up
            elif var == "real_va":
                w = np.array([va_usd[c] for c in members]) / first
            else:
                w = np.array([va_usd[c] * g.loc[(c, t0), "K"] / g.loc[(c, t0), "VA"] for c in members]) / first
            level = np.array([[g.loc[(c, y), var] for c in members] for y in years])
            if not np.isfinite(level).all():
                raise DataValidationError(f"macro indices: missing {var} for {members} in {years}")
            out[var][:, k_r] = (level * w).sum(1) / (first * w).sum()
    coords = {"year": years, "region": regions}
    src = f"WIOD Socio-Economic Accounts, 2016 release (Taiwan's persons: 2013 release); {t0} = 1"
    return xr.Dataset({
        "real_value_added_index": (("year", "region"), out["real_va"], {
            "units": "1", "long_name": "real value added (2010 prices), index of the first year", "source": src}),
        "persons_index": (("year", "region"), out["EMP"], {
            "units": "1", "long_name": "persons engaged, index of the first year", "source": src}),
        "capital_index": (("year", "region"), out["real_k"], {
            "units": "1", "long_name": "real capital stock (nominal stock / value-added deflator), index "
                                       "of the first year", "source": src}),
    }, coords=coords)
