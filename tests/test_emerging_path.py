"""The recursive-dynamic path of the 13-region dataset wiod2011_13x8: its own projections
(cgetrade/data/default/wiod2011_13x8_dynamics.toml), the baseline and china_process_diffusion
to 2040, headcounts, and datasets whose regions the projections do not cover."""
import re
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import cgetrade
from cgetrade.cli import main
from cgetrade.dynamics import DEFAULT_PROJECTIONS, DynamicModel, DynamicsError, Periods, Projections
from cgetrade.dynamics.projections import projections_path
from cgetrade.scenario import Scenario

EXP = Path(str(resources.files("cgetrade.experiments")))
SHIPPED = Path(str(resources.files("cgetrade.data") / "default"))
DEFAULT_REGIONS = ["CHN", "USA", "EU", "JPN", "EAS"]


@pytest.fixture(scope="module")
def emerging():
    return cgetrade.data.load("wiod2011_13x8")


@pytest.fixture(scope="module")
def paths(emerging):
    """Baseline 2011-2040 and china_process_diffusion on wiod2011_13x8 (labour by skill)."""
    scen = Scenario.from_toml(EXP / "china_process_diffusion.toml")
    dyn = DynamicModel(cgetrade.calibrate(emerging, **scen.calibration_options()),
                       periods=Periods(2011, 2040), closure=scen.make_closure())
    base = dyn.baseline()
    return dyn, base, dyn.run(scen, base)


def test_projections_are_found_beside_the_dataset_and_cover_every_region(emerging):
    assert projections_path(emerging) == SHIPPED / "wiod2011_13x8_dynamics.toml"
    assert projections_path(cgetrade.data.load_default()) == DEFAULT_PROJECTIONS
    p = Projections.for_dataset(emerging)
    regions = list(emerging.region.values)
    p.check(regions, Periods(2011, 2040))                   # raises if anything is missing
    assert set(p.delta) == set(p.capital_output) == set(regions)
    for table in (p.labour_growth, p.gdp_growth):
        assert sorted(table) == list(range(2012, 2041))
        assert all(set(row) == set(regions) for row in table.values())
    assert all(0.02 < p.delta[r] < 0.12 and 2 < p.capital_output[r] < 4.5 for r in regions)
    assert all(p.sources[k] for k in ("capital", "labour_force", "gdp"))
    assert "World Population Prospects 2024" in p.sources["labour_force"]
    assert "October 2024" in p.sources["gdp"] and "convergence" in p.sources["gdp"]
    # the default regions keep the default file's numbers exactly
    d = Projections.from_toml()
    for r in DEFAULT_REGIONS:
        assert (p.delta[r], p.capital_output[r]) == (d.delta[r], d.capital_output[r])
        assert all(p.gdp_growth[y][r] == d.gdp_growth[y][r] for y in range(2012, 2041))
        assert all(p.labour_growth[y][r] == d.labour_growth[y][r] for y in range(2012, 2041))
    # India's working-age population grows, Russia's shrinks; India grows faster than Brazil
    assert p.labour_growth[2020]["IND"] > 0 > p.labour_growth[2020]["RUS"]
    assert p.index("gdp_growth", ["IND", "BRA"], [2040])[0, 0] > p.index("gdp_growth", ["IND", "BRA"], [2040])[0, 1]


def test_convergence_rule_after_the_weo_horizon(emerging):
    """From 2030, g = n + p_F + (p(2029) - p_F(2029)) exp(-0.02 (t - 2029)) with p_F the USA's."""
    p = Projections.for_dataset(emerging)
    g, n = p.gdp_growth, p.labour_growth
    pF = {t: g[t]["USA"] - n[t]["USA"] for t in range(2029, 2041)}
    for r in ["IND", "IDN", "BRA", "MEX", "RUS", "TUR"]:
        gap = g[2029][r] - n[2029][r] - pF[2029]
        for t in (2030, 2035, 2040):
            assert g[t][r] == pytest.approx(n[t][r] + pF[t] + gap * np.exp(-0.02 * (t - 2029)), abs=1e-5)


def test_13_region_path_solves_to_2040(paths, emerging):
    dyn, base, res = paths
    assert list(base.region.values) == list(emerging.region.values)
    assert [int(y) for y in base.year] == list(range(2011, 2041))
    for d in (base, res):
        assert float(d.max_residual.max()) <= 1e-8
    # the baseline's real GDP is on its projected path in every year and region
    np.testing.assert_allclose(base.real_gdp.transpose("year", "region").values,
                               base.gdp_target.transpose("year", "region").values, rtol=1e-7)
    np.testing.assert_allclose(base.labour_force_index.transpose("year", "region").values,
                               dyn.labour_index, rtol=1e-12)
    # China's process raises China's real GDP above the baseline by 2040
    assert float(res.real_gdp_dev_pct.sel(region="CHN", year=2040)) > 1


def test_headcounts_add_up(paths, emerging):
    _, base, res = paths
    for d in (base, res):
        persons = d.persons.sum(["labour", "sector"])
        lf = d.labour_force.sum("labour")
        order = ("year", "region")
        np.testing.assert_allclose((persons + d.unemployed).transpose(*order).values,
                                   lf.transpose(*order).values, rtol=1e-9)
        # the labour force follows the working-age population index
        np.testing.assert_allclose(lf.transpose(*order).values,
                                   (lf.isel(year=0) * d.labour_force_index).transpose(*order).values, rtol=1e-9)
    # in 2011 the persons employed are the dataset's, and the world's are the default dataset's
    np.testing.assert_allclose(base.persons.isel(year=0).sum("labour").transpose("sector", "region").values,
                               emerging.employment.transpose("sector", "region").values, rtol=1e-8)
    world = float(cgetrade.data.load_default().employment.sum())
    assert float(base.persons.isel(year=0).sum()) == pytest.approx(world, rel=1e-5)
    # imputed persons: WIOD's rest of the world only
    imputed = (base.persons_imputed_share.isel(year=0) > 0).any(["labour", "sector"])
    assert [str(r) for r in base.region.values[imputed.values]] == ["ROW"]


@pytest.fixture
def copied(tmp_path):
    """The shipped 13-region dataset as a user's file, with its projections beside it."""
    nc = tmp_path / "emerging.nc"
    shutil.copy(SHIPPED / "wiod2011_13x8.nc", nc)
    toml = tmp_path / "emerging_dynamics.toml"
    shutil.copy(SHIPPED / "wiod2011_13x8_dynamics.toml", toml)
    return nc, toml


def test_a_user_dataset_reads_the_projections_beside_it(copied):
    nc, toml = copied
    assert projections_path(cgetrade.data.load(nc)) == toml
    toml.unlink()
    assert projections_path(cgetrade.data.load(nc)) == DEFAULT_PROJECTIONS


@pytest.mark.parametrize("drop", ["capital", "gdp_year", "no_file"])
def test_a_region_without_projections_is_named(copied, drop):
    nc, toml = copied
    text = toml.read_text()
    if drop == "capital":
        toml.write_text(re.sub(r"(?m)^TUR = \{ capital_output.*\n", "", text))
        expected = ["TUR"]
    elif drop == "gdp_year":
        toml.write_text(re.sub(r'(?m)^("2033" = \{.*), MEX = [-\d.]+', r"\1", text))
        expected = ["MEX"]
    else:
        toml.unlink()                     # the default projections: six regions
        expected = ["IND", "IDN", "BRA", "MEX", "RUS", "TUR", "ADV"]
    ds = cgetrade.data.load(nc)
    with pytest.raises(DynamicsError) as err:
        DynamicModel(cgetrade.calibrate(ds), periods=Periods(2011, 2040))
    msg = str(err.value)
    assert all(f"'{r}'" in msg for r in expected), msg
    assert not any(f"'{r}'" in msg.split("region(s)")[1] for r in DEFAULT_REGIONS)
    detail = {"capital": "TUR: no capital", "gdp_year": "MEX: no GDP 2033",
              "no_file": "IND: no capital, labour force, GDP"}[drop]
    assert detail in msg, msg


def test_cli_path_names_the_uncovered_region(copied, capsys):
    nc, toml = copied
    toml.write_text(re.sub(r"(?m)^IDN = \{ capital_output.*\n", "", toml.read_text()))
    assert main(["path", "china_process", "--dataset", str(nc), "--to", "2013", "--no-plot"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "'IDN'" in err and "emerging_dynamics.toml" in err


def test_cli_path_without_projections_names_where_they_belong(copied, capsys):
    nc, toml = copied
    toml.unlink()
    assert main(["path", "china_process", "--dataset", str(nc), "--to", "2013", "--no-plot"]) == 1
    err = capsys.readouterr().err
    assert "'ADV'" in err and str(toml) in err and "(dynamics.toml)" in err


def test_cli_path_of_the_shipped_13_region_dataset(tmp_path, capsys):
    out = tmp_path / "p.nc"
    assert main(["path", "china_process_diffusion", "--dataset", "wiod2011_13x8", "--to", "2013",
                 "--no-plot", "--out", str(out)]) == 0
    res = cgetrade.dynamics.load_baseline(out)
    assert res.sizes["region"] == 13 and [int(y) for y in res.year] == [2011, 2012, 2013]
    table = capsys.readouterr().out
    assert all(re.search(rf"(?m)^{r}\s", table) for r in ["IND", "IDN", "BRA", "MEX", "RUS", "TUR", "ADV"])

