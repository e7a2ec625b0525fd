"""WIOD world input-output tables (long CSV layout) -> tables for :func:`from_tables`.

Layout (the 2013-release world table for 2011 as kept in ``wiod2013/``; any year in the same
layout): ``intermediate.csv.gz`` (orig_country, orig_industry, dest_country, dest_industry,
value), ``final_demand.csv.gz`` (orig_country, orig_industry, dest_country, category, value;
category household, npish, government, gfcf, inventories) and ``output.csv`` (country,
industry, value: gross output at basic prices), current USD million, zero cells omitted.
The world table has no value-added split: :func:`from_wiod` takes value added as the column
residual and a labour share.

The 2013-release world tables of 1995-2011 ship with the package (exact values, one
compressed array file per year in ``cgetrade/data/wiod2013/``, with the socio-economic accounts):
:func:`build_wiod` builds a dataset of any year and any aggregation from them, with value
added, the labour/capital split, persons and skills from the socio-economic accounts
(:mod:`cgetrade.data.sea`), as the default dataset (``calibration/build_default_dataset.py``
is one call of it). WIOD data: CC BY 4.0, cite Timmer et al. (2015).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .schema import AGENTS, SKILLS, DataValidationError

WIOD_CITATION = ("Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
                 "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
                 "Automotive Production, Review of International Economics 23: 575-605")


def read_wiod(folder):
    """(Z, Y, output) of a WIOD world table in the long CSV layout (see the module doc)."""
    folder = Path(folder)
    files = {k: folder / f for k, f in (("z", "intermediate.csv.gz"), ("f", "final_demand.csv.gz"),
                                        ("x", "output.csv"))}
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"WIOD files not found: {missing}")
    z, f, x = (pd.read_csv(files[k], dtype={"value": float}) for k in ("z", "f", "x"))
    rows = pd.MultiIndex.from_frame(x[["country", "industry"]].astype(str), names=["region", "sector"])
    Z = z.pivot_table(index=["orig_country", "orig_industry"], columns=["dest_country", "dest_industry"],
                      values="value", aggfunc="sum", fill_value=0.0)
    Z = Z.reindex(index=rows, columns=rows, fill_value=0.0).astype(float)
    Y = f.pivot_table(index=["orig_country", "orig_industry"], columns=["dest_country", "category"],
                      values="value", aggfunc="sum", fill_value=0.0)
    Y = Y.reindex(index=rows, fill_value=0.0).astype(float)
    unknown = sorted((set(map(str, z.orig_country)) | set(map(str, z.dest_country))) - set(x.country.astype(str)))
    if unknown:
        raise DataValidationError(f"WIOD: countries without output rows: {unknown}")
    out = pd.Series(x["value"].to_numpy(dtype=float), index=rows)
    return Z, Y, out


def from_wiod(folder, labour_share, regions=None, sectors=None, **options):
    """Benchmark dataset from a WIOD world table (value added = column residual split by
    ``labour_share``), optionally aggregated by concordances of countries and industries."""
    from .mrio import from_tables
    Z, Y, X = read_wiod(folder)
    attrs = {"title": f"WIOD world input-output table ({Path(folder).name})",
             "source": "World Input-Output Database (WIOD), world input-output table",
             "currency": "USD million, current prices", "licence": "CC BY 4.0 (WIOD); changes were made",
             "citation": WIOD_CITATION}
    attrs.update(options.pop("attrs", {}) or {})
    return from_tables(Z, Y, None, X, labour_share=labour_share, regions=regions, sectors=sectors,
                       attrs=attrs, **options)


# ------------------------------------------------------------------------------------------
# The WIOD 2013 release shipped with the package: world tables 1995-2011 + SEA
# ------------------------------------------------------------------------------------------
#: years of the packaged world input-output tables (2013 release)
WIOD_YEARS = tuple(range(1995, 2012))
#: final-demand category of the world table -> agent
AGENT_OF_CATEGORY = {"household": "household", "npish": "household", "government": "government",
                     "gfcf": "investment", "inventories": "investment"}
WIOD_LICENCE = "CC BY 4.0 (WIOD); aggregated, balanced and combined by cgetrade - changes were made"
WIOD_CITATIONS = (WIOD_CITATION + "; Dietzenbacher, E., Los, B., Stehrer, R., Timmer, M. P. and de Vries, "
                  "G. J. (2013), The Construction of World Input-Output Tables in the WIOD Project, "
                  "Economic Systems Research 25(1): 71-98; Timmer, M. P., Los, B., Stehrer, R. and de "
                  "Vries, G. J. (2016), An Anatomy of the Global Trade Slowdown based on the WIOD 2016 "
                  "Release, GGDC Research Memorandum 162")


def wiod_source_year(name) -> int | None:
    """The year of a packaged-table source name ``wiod1995`` ... ``wiod2011`` (else None)."""
    m = re.fullmatch(r"wiod(\d{4})", str(name).strip().lower())
    return int(m.group(1)) if m else None


def wiod_table(year: int) -> dict:
    """The packaged WIOD world table of ``year`` (exact whole USD millions) as arrays:
    ``intermediate`` (C, N, C, N) = (orig country, orig industry, dest country, dest
    industry), ``final_demand`` (C, N, C, K) by category, ``output`` (C, N), and the labels
    ``countries``, ``industries`` (c1 ... c35), ``categories``."""
    from .sea import package_file
    if int(year) not in WIOD_YEARS:
        raise DataValidationError(f"WIOD year {year}: the packaged world tables cover "
                                  f"{WIOD_YEARS[0]}-{WIOD_YEARS[-1]}")
    with np.load(package_file(f"wiot{int(year)}.npz")) as d:
        out = {k: d[k] for k in d.files}
    for k in ("countries", "industries", "categories"):
        out[k] = [str(x) for x in out[k]]
    return out


def wiod_concordances(regions, sectors, countries, industries) -> tuple[dict, dict]:
    """({country: region}, {industry c1..c35: sector}) from user concordances (dict, CSV or
    TOML; :func:`cgetrade.data.aggregate.read_concordance`), checked against the world table:
    every country and industry mapped once, nothing else. Industries may be given by their
    WIOD codes (AtB, 15t16, ...) instead of c1..c35."""
    from .aggregate import check_concordance, read_concordance
    from .sea import _industries
    if regions is None or sectors is None:
        raise DataValidationError("a WIOD build needs both concordances: regions (country -> region) "
                                  "and sectors (industry c1..c35 -> sector)")
    region_of = read_concordance(regions, "regions", table="regions")
    sector_of = read_concordance(sectors, "sectors", table="sectors")
    codes = dict(zip(_industries().wiod_code, _industries().code))
    if sector_of and all(k in codes for k in sector_of) and not any(k in industries for k in sector_of):
        sector_of = {codes[k]: v for k, v in sector_of.items()}
    check_concordance(region_of, countries, "region")
    check_concordance(sector_of, industries, "sector")
    return ({c: region_of[c] for c in countries}, {n: sector_of[n] for n in industries})


def _indicator(labels, mapping, targets) -> np.ndarray:
    M = np.zeros((len(labels), len(targets)))
    for k, lab in enumerate(labels):
        M[k, targets.index(mapping[lab])] = 1.0
    return M


def build_wiod(year: int, regions, sectors, report: dict | None = None,
               donors: dict | None = None, intra_regional: bool = False) -> xr.Dataset:
    """Benchmark dataset from the packaged WIOD world table of ``year`` (1995-2011) and the
    socio-economic accounts, aggregated by the concordances ``regions`` (WIOD country ->
    region) and ``sectors`` (c1..c35 or WIOD codes -> sector).

    The steps of the default dataset's build (docs/data.md, "Construction"):

    1. the world table summed over the concordances; final demand by agent (households +
       NPISH, government, GFCF + inventories);
    2. negative folded final-demand cells set to 0 and the use table [Z | F] balanced by RAS
       (:func:`cgetrade.data.mrio.balance_use_table`) to published gross output;
    3. value added = output x VA/GO, labour = value added x LAB/VA by country and sector from
       the socio-economic accounts (:mod:`cgetrade.data.sea`); the net production tax is the
       column residual;
    4. persons engaged from the accounts; 5. skill shares of labour compensation and hours;
    6. validation of every accounting identity.

    ``donors`` ({WIOD country: group}) chooses the donor countries of cells without data:
    the other countries of the same group (default: of the same region; e.g. the same donors
    for WIOD's rest-of-world region whatever the aggregation).
    ``intra_regional``: keep the purchases of a region's members from its other members as
    the region's trade with itself (dataset variables ``intra_regional_intermediate`` and
    ``intra_regional_final_demand``: the share of each balanced diagonal cell that the
    world table records between different countries of the region; WIOD has no tariffs and
    no separate transport margins); default: folded into domestic use.
    Aggregate labels are ordered by first appearance in the concordances. ``report`` (a
    dict) receives the details of every step (the default build writes them as
    calibration/build_report.md).
    """
    from .mrio import balance_use_table
    from .schema import validate
    from . import sea
    report = {} if report is None else report
    t = wiod_table(year)
    countries, industries = t["countries"], t["industries"]
    region_of, sector_of = wiod_concordances(regions, sectors, countries, industries)
    R_ = list(dict.fromkeys(region_of.values()))
    S_ = list(dict.fromkeys(sector_of.values()))
    H_ = list(AGENTS)
    donor_of = {**region_of, **(donors or {})}
    row_donors = " ".join(sea.peers(sea.ROW, donor_of)) or "all WIOD countries"
    # 1. aggregation
    Rm, Sm = _indicator(countries, region_of, R_), _indicator(industries, sector_of, S_)
    Hm = _indicator(t["categories"], AGENT_OF_CATEGORY, H_)
    Z = np.einsum("cndm,cs,ni,dr,mj->isjr", t["intermediate"].astype(float), Rm, Sm, Rm, Sm, optimize=True)
    F = np.einsum("cndk,cs,ni,dr,kh->ishr", t["final_demand"].astype(float), Rm, Sm, Rm, Hm, optimize=True)
    GO = np.einsum("cn,cr,nj->jr", t["output"].astype(float), Rm, Sm, optimize=True)
    if intra_regional:      # purchases from the other countries of the same region
        Zi = np.einsum("irjr->ijr", Z) - np.einsum("cncm,cr,ni,mj->ijr", t["intermediate"].astype(float),
                                                   Rm, Sm, Sm, optimize=True)
        Fi = np.einsum("irhr->ihr", F) - np.einsum("cnck,cr,ni,kh->ihr", t["final_demand"].astype(float),
                                                   Rm, Sm, Hm, optimize=True)
    zero = [(S_[j], R_[r]) for j, r in zip(*np.nonzero(GO <= 0))]
    if zero:
        raise DataValidationError(f"WIOD {year}: gross output is zero for {zero[:8]}: merge those sectors "
                                  "or regions in the concordances")
    # 2. balancing
    neg = F < 0
    report["negative_investment_cells"] = [(S_[i], R_[s], R_[r], float(F[i, s, h, r]))
                                           for i, s, h, r in zip(*np.nonzero(neg))]
    F = np.where(neg, 0.0, F)
    Zb, Fb, bal = balance_use_table(Z, F, GO, (S_, R_, H_))
    report["fd_factor"] = bal["fd_factor"]
    report["row_gaps"] = [(*label.split("@"), gap, rel) for label, gap, rel in bal["row_gaps"]]
    if bal["ras"] is not None:
        report["largest_changes"] = [
            (f"{'F' if c.split('@')[0] in H_ else 'Z'}[{r.replace('@', ',')} -> {c.replace('@', ',')}]",
             before, after - before, (after - before) / before if before else float("nan"))
            for r, c, before, after in bal["ras"].largest_changes]
    else:
        report["largest_changes"] = []
    report["max_abs_change"] = max((abs(c[2]) for c in report["largest_changes"]), default=0.0)
    # 3.-5. socio-economic accounts
    go = pd.DataFrame({"country": np.repeat(countries, len(industries)),
                       "industry": np.tile(industries, len(countries)),
                       "go": t["output"].astype(float).ravel()})
    go["sector"] = go.industry.map(sector_of)
    go = go.groupby(["country", "sector"]).go.sum().reset_index()
    ratios, report["notes"] = sea.factor_ratios(year, region_of, sector_of, S_)
    va, lab, emp, lab_imp, emp_imp, country = sea.factors_and_employment(go, ratios, region_of, S_, R_, report,
                                                                              donor_of)
    skill = sea.skill_shares(country, sea.sea_skill_shares(year, sector_of, report), region_of, S_, R_,
                             report, donor_of)
    intra = {}
    if intra_regional:      # the intra-regional share of each diagonal cell, kept through RAS
        for name, raw, bal, user in (("intra_regional_intermediate", Zi, Zb, "sector"),
                                     ("intra_regional_final_demand", Fi, Fb, "agent")):
            diag0 = np.einsum("irar->iar", Z if user == "sector" else F)
            share = np.clip(np.divide(raw, diag0, out=np.zeros_like(raw), where=diag0 > 0), 0.0, 1.0)
            intra[name] = (("commodity", user, "region"), share * np.einsum("irar->iar", bal), {
                "units": "USD million", "long_name": f"{'intermediate' if user == 'sector' else 'final'} use "
                "bought from the other members of the region (its imports from itself)"})
        within = sum(v[1].sum() for v in intra.values())
        report["intra_regional_share"] = float(within / (Zb.sum() + Fb.sum()))
    tax = GO - Zb.sum((0, 1)) - va
    report["tax_share"] = (float((tax / GO).min()), float((tax / GO).max()))
    sy = sea.sea_year(year)
    imputation = ("none: the socio-economic accounts of the table's year" if sy == year else
                  f"the socio-economic accounts start in {sea.SEA_FIRST}: value-added ratios (VA/GO), labour "
                  f"shares, persons engaged (levels) and skill shares of {sy} are used for the {year} table")
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
                               "whose shares are those of donor countries (WIOD RoW: "
                               f"{row_donors}, weighted by labour compensation resp. hours)"}),
        },
        coords={"region": R_, "source": R_, "sector": S_, "commodity": S_,
                "agent": H_, "factor": ["labour", "capital"], "skill": list(SKILLS)},
        attrs={
            "title": f"WIOD {year} world input-output table, {len(R_)} regions x {len(S_)} sectors",
            "source": f"World Input-Output Database (WIOD): 2013 release world input-output table for {year}; "
                      "Socio-Economic Accounts, 2013 release (July 2014) and 2016 release",
            "year": int(year),
            "currency": "USD million, current prices",
            "licence": WIOD_LICENCE,
            "citation": WIOD_CITATIONS,
            "build_function": "cgetrade.data.wiod.build_wiod",
            "balancing": f"RAS (ipfn) of [intermediate | final demand] to published gross output; final-demand "
                         f"columns scaled by {report['fd_factor']:.6f}; largest cell change "
                         f"{report['max_abs_change']:.1f} USD million",
            "fallbacks": f"labour shares: 2016-release SEA {sy} (TWN: 2013 release, latest year with LAB); "
                         f"WIOD RoW: VA/GO and labour share of {row_donors} (VA-weighted), "
                         "persons = labour compensation x persons per USD of labour compensation of those "
                         "countries; see employment_imputed and factor_split_imputed",
            "sea_year": int(sy),
            "sea_imputation": imputation,
        },
    )
    for name, var in intra.items():
        ds[name] = var
    if intra_regional:
        ds.attrs["intra_regional_trade"] = ("trade between countries of the same region kept as the region's "
                                            f"trade with itself: {report['intra_regional_share']:.2%} of all "
                                            "uses; no tariffs or separate margins in WIOD")
    return validate(ds)
