"""The WIOD 2013 release shipped as package data: exact tables, any year and aggregation with
persons, skills and the labour/capital split (cgetrade.data.wiod.build_wiod)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cgetrade
from cgetrade.cli import main
from cgetrade.data import DataValidationError, load, load_default
from cgetrade.data.sea import package_file
from cgetrade.data.wiod import WIOD_YEARS, build_wiod, wiod_table

REPO = Path(__file__).resolve().parents[2]
CONC = REPO / "calibration" / "concordances"
SERIES = REPO.parent / "shared" / "data" / "wiod2013_series"
PACKAGE = Path(cgetrade.__file__).resolve().parent


def _default_concordances():
    reg = pd.read_csv(CONC / "regions.csv")
    sec = pd.read_csv(CONC / "sectors_wiod2013.csv")
    return dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector))


def _three_by_four(tmp_path):
    region_of, sector_of = _default_concordances()
    regions = {c: "CHN" if c == "CHN" else "NAM" if c in ("USA", "CAN", "MEX") else "OTH" for c in region_of}
    group = {"AGR": "PRIM", "ENE": "PRIM", "LMF": "MAN", "CHM": "MAN", "MAC": "MAN", "ELE": "ELE",
             "TTS": "SRV", "SRV": "SRV"}
    pd.DataFrame({"country": list(regions), "region": list(regions.values())}).to_csv(tmp_path / "r.csv", index=False)
    pd.DataFrame({"industry": list(sector_of), "sector": [group[s] for s in sector_of.values()]}).to_csv(
        tmp_path / "s.csv", index=False)
    return tmp_path / "r.csv", tmp_path / "s.csv"


def test_the_tables_and_accounts_are_read_from_the_package():
    for name in [f"wiot{y}.npz" for y in WIOD_YEARS] + ["sea2013.csv.gz", "sea2016.csv.gz", "README.md"]:
        p = package_file(name)
        assert p.exists() and PACKAGE in p.resolve().parents, name
    assert "CC BY 4.0" in package_file("README.md").read_text()
    assert "Timmer" in package_file("README.md").read_text()


@pytest.mark.skipif(not SERIES.exists(), reason="WIOD source files not present")
@pytest.mark.parametrize("year", [1995, 2011])
def test_packaged_tables_equal_the_exact_source_cell_by_cell(year):
    t = wiod_table(year)
    ci = {c: k for k, c in enumerate(t["countries"])}
    ii = {c: k for k, c in enumerate(t["industries"])}
    z = pd.read_csv(SERIES / str(year) / "intermediate.csv.gz")
    got = t["intermediate"][z.orig_country.map(ci), z.orig_industry.map(ii), z.dest_country.map(ci),
                            z.dest_industry.map(ii)]
    np.testing.assert_array_equal(got, z.value.to_numpy())
    assert np.count_nonzero(t["intermediate"]) == np.count_nonzero(z.value)
    x = pd.read_csv(SERIES / str(year) / "output.csv")
    np.testing.assert_array_equal(t["output"][x.country.map(ci), x.industry.map(ii)], x.value.to_numpy())


def test_user_concordance_builds_persons_skills_and_factor_split_that_check_replicates(tmp_path, capsys):
    r, s = _three_by_four(tmp_path)
    out = tmp_path / "my.nc"
    assert main(["data", "build", "--source", "wiod2005", "--regions", str(r), "--sectors", str(s),
                 "--out", str(out)]) == 0
    ds = load(out)
    assert list(ds.region.values) == ["OTH", "NAM", "CHN"]        # order of first appearance
    assert set(ds.sector.values) == {"PRIM", "MAN", "ELE", "SRV"} and ds.attrs["year"] == 2005
    # gross output is WIOD's, summed over the concordance
    t = wiod_table(2005)
    assert float(ds.gross_output.sum()) == pytest.approx(float(t["output"].sum()), rel=1e-12)
    # persons: China's are the 2016-release SEA's persons engaged of 2005, all industries
    sea16 = pd.read_csv(package_file("sea2016.csv.gz"))
    emp_chn = sea16[(sea16.country == "CHN") & (sea16.year == 2005)].EMP.sum()
    assert float(ds.employment.sel(region="CHN").sum()) == pytest.approx(emp_chn, rel=1e-12)
    assert ds.employment.attrs["units"] == "thousand persons"
    assert float(ds.employment_imputed.sel(region="CHN").max()) == 0.0
    # labour shares by region differ (no single labour share) and lie inside (0, 1)
    lab = ds.factor_payments.sel(factor="labour") / ds.factor_payments.sum("factor")
    assert 0.02 <= float(lab.min()) and float(lab.max()) <= 0.98
    assert float(lab.sel(sector="MAN").max() - lab.sel(sector="MAN").min()) > 0.05
    # skills: shares sum to 1, and the high-skilled share of compensation is larger in North
    # America than in China (SEA 2013 release)
    np.testing.assert_allclose(ds.labour_skill_share.sum("skill"), 1.0, atol=1e-12)
    high = ds.labour_skill_share.sel(skill="high", sector="MAN")
    assert float(high.sel(region="NAM")) > float(high.sel(region="CHN"))
    assert int(ds.skill_share_year.max()) == 2005
    capsys.readouterr()
    assert main(["check", "--dataset", str(out)]) == 0
    assert "all checks passed" in capsys.readouterr().out


def test_default_build_is_the_shipped_dataset_up_to_the_rounding_of_the_old_source():
    """The shipped file was built from the 2011 table rounded to six significant digits; the
    library builds it from the exact table: flows agree to 5e-6, shares to 1e-12."""
    region_of, sector_of = _default_concordances()
    d = load_default()
    ds = build_wiod(2011, region_of, sector_of)
    ds = ds.sel(region=d.region.values, source=d.source.values, sector=d.sector.values,
                commodity=d.commodity.values)
    for v in ("intermediate", "final_demand", "factor_payments", "gross_output", "employment"):
        np.testing.assert_allclose(ds[v].transpose(*d[v].dims), d[v], rtol=5e-6, err_msg=v)
    for v in ("labour_skill_share", "hours_skill_share"):
        np.testing.assert_allclose(ds[v].transpose(*d[v].dims), d[v], rtol=1e-12, atol=1e-14, err_msg=v)
    np.testing.assert_array_equal(ds.skill_share_year.transpose(*d.skill_share_year.dims), d.skill_share_year)
    assert ds.attrs["sea_imputation"].startswith("none")


ROUNDED = REPO.parent / "shared" / "data" / "wiod2013"
DOC = REPO / "docs" / "data.md"


def _max_rel(a, b):
    a, b = a.values.astype(float), b.values.astype(float)
    return float(np.max(np.abs(a - b) / np.where(b == 0, 1.0, np.abs(b))))


def test_docs_state_the_rebuild_difference_and_the_package_size():
    region_of, sector_of = _default_concordances()
    d = load_default()
    ds = build_wiod(2011, region_of, sector_of).sel(region=d.region.values, source=d.source.values,
                                                   sector=d.sector.values, commodity=d.commodity.values)
    flows = max(_max_rel(ds[v].transpose(*d[v].dims), d[v]) for v in
                ("intermediate", "final_demand", "factor_payments", "gross_output", "employment"))
    tax = _max_rel(ds.production_tax, d.production_tax)
    tax_abs = float(abs(ds.production_tax - d.production_tax).max())
    text = " ".join(DOC.read_text().split())
    fmt = lambda x: f"{x:.1e}".replace("e-0", "e-")  # noqa: E731
    assert f"by at most {fmt(flows)} (relative) in the flows" in text
    assert f"{fmt(tax)} relative ({tax_abs:.1f} USD m) in the small net production taxes" in text
    size = sum(p.stat().st_size for p in package_file("README.md").parent.iterdir() if p.is_file())
    assert f"{size / 1e6:.1f} MB of package data" in text


@pytest.mark.skipif(not ROUNDED.exists(), reason="WIOD source files not present")
def test_library_route_reproduces_the_shipped_file_from_the_rounded_copy(monkeypatch):
    """The shipped default was built (by the former script) from the rounded 2011 copy; the
    library, given that copy, reproduces it: the rebuild difference is the rounding alone."""
    import cgetrade.data.wiod as W
    exact = W.wiod_table

    def rounded(year):
        t = exact(year)
        ci = {c: k for k, c in enumerate(t["countries"])}
        ii = {c: k for k, c in enumerate(t["industries"])}
        ki = {c: k for k, c in enumerate(t["categories"])}
        z = pd.read_csv(ROUNDED / "intermediate.csv.gz")
        f = pd.read_csv(ROUNDED / "final_demand.csv.gz")
        x = pd.read_csv(ROUNDED / "output.csv")
        Z, F, X = (np.zeros(t[k].shape) for k in ("intermediate", "final_demand", "output"))
        Z[z.orig_country.map(ci), z.orig_industry.map(ii), z.dest_country.map(ci), z.dest_industry.map(ii)] = z.value
        F[f.orig_country.map(ci), f.orig_industry.map(ii), f.dest_country.map(ci), f.category.map(ki)] = f.value
        X[x.country.map(ci), x.industry.map(ii)] = x.value
        return {**t, "intermediate": Z, "final_demand": F, "output": X}
    monkeypatch.setattr(W, "wiod_table", rounded)
    region_of, sector_of = _default_concordances()
    d = load_default()
    ds = W.build_wiod(2011, region_of, sector_of).sel(region=d.region.values, source=d.source.values,
                                                     sector=d.sector.values, commodity=d.commodity.values)
    for v in d.data_vars:
        np.testing.assert_allclose(ds[v].transpose(*d[v].dims), d[v], rtol=1e-12, atol=1e-6, err_msg=v)


def test_sea2016_crosswalk_reproduces_the_default_sector_concordance():
    cw = pd.read_csv(package_file("sea2016_industries.csv"))
    _, sector_of = _default_concordances()
    s16 = pd.read_csv(CONC / "sectors_wiod2016.csv")
    mapped = dict(zip(cw.code, cw.wiod2013_code.map(sector_of)))
    assert mapped == dict(zip(s16.code, s16.sector))


def test_years_before_the_accounts_use_and_flag_the_2000_accounts():
    region_of, sector_of = _default_concordances()
    ds = build_wiod(1995, {c: "CHN" if c == "CHN" else "OTH" for c in region_of},
                    {n: "MAN" if s in ("LMF", "CHM", "MAC", "ELE") else "OTH" for n, s in sector_of.items()})
    assert ds.attrs["sea_year"] == 2000 and "of 2000 are used for the 1995 table" in ds.attrs["sea_imputation"]
    assert int(ds.skill_share_year.min()) == 2000
    t = wiod_table(1995)
    assert float(ds.gross_output.sum()) == pytest.approx(float(t["output"].sum()), rel=1e-12)


@pytest.mark.parametrize("regions, sectors, year, message", [
    ("dup", None, 2005, r"labels mapped to more than one aggregate: \['CHN'\]"),
    ("missing", None, 2005, r"region labels without an aggregate: \['KOR'\]"),
    ("unknown", None, 2005, r"maps labels the data does not have: \['XXX'\]"),
    (None, "missing", 2005, r"sector labels without an aggregate: \['c35'\]"),
    (None, None, 1994, r"WIOD year 1994: the packaged world tables cover 1995-2011"),
])
def test_bad_concordances_and_years_are_clear_errors(tmp_path, capsys, regions, sectors, year, message):
    r, s = _three_by_four(tmp_path)
    rc, sc = pd.read_csv(r), pd.read_csv(s)
    if regions == "dup":
        rc = pd.concat([rc, pd.DataFrame({"country": ["CHN"], "region": ["OTH"]})])
    elif regions == "missing":
        rc = rc[rc.country != "KOR"]
    elif regions == "unknown":
        rc = pd.concat([rc, pd.DataFrame({"country": ["XXX"], "region": ["OTH"]})])
    if sectors == "missing":
        sc = sc[sc.industry != "c35"]
    rc.to_csv(r, index=False)
    sc.to_csv(s, index=False)
    assert main(["data", "build", "--source", f"wiod{year}", "--regions", str(r), "--sectors", str(s),
                 "--out", str(tmp_path / "x.nc")]) == 1
    import re
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "x.nc").exists()


def test_wiod_codes_are_accepted_and_zero_output_cells_are_named():
    region_of, _ = _default_concordances()
    ind = pd.read_csv(package_file("industries.csv"))
    by_wiod_code = {w: ("MAN" if 3 <= int(c[1:]) <= 16 else "OTH") for w, c in zip(ind.wiod_code, ind.code)}
    ds = build_wiod(2008, {c: "A" if c == "USA" else "B" for c in region_of}, by_wiod_code)
    assert set(ds.sector.values) == {"MAN", "OTH"}
    with pytest.raises(DataValidationError, match=r"gross output is zero for .*\('c5', 'LUX'\)"):
        build_wiod(2011, {c: c for c in region_of}, {f"c{k}": f"c{k}" for k in range(1, 36)})
