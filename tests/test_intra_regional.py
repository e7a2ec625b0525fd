"""Trade within an aggregated region kept as the region's trade with itself (the EU of a WIOD
aggregate, an aggregate of GTAP regions): its own Armington source, tariffs and margins."""
import sys
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

import cgetrade
from cgetrade.checks import benchmark_replication, homogeneity, verify_solution, walras
from cgetrade.cli import main
from cgetrade.data import DataValidationError, validate
from cgetrade.data.aggregate import aggregate
from cgetrade.data.formats import describe
from cgetrade.data.wiod import build_wiod
from cgetrade.model.trade import export_price
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
from make_golden_intra_off import SHOCK, VARIABLES, concordances  # noqa: E402

INTRA = ["intra_regional_intermediate", "intra_regional_final_demand"]
MANUF = "MAN"


@pytest.fixture(scope="module")
def wiod():
    """WIOD 2011, 4 regions (CHN, USA, EU of 27 members, ROW of 11) x 3 sectors, both ways."""
    regions, sectors = concordances()
    return build_wiod(2011, regions, sectors), build_wiod(2011, regions, sectors, intra_regional=True)


def _solved(ds, shock=SHOCK):
    model = cgetrade.CGEModel(cgetrade.calibrate(ds))
    model.solve()
    base = collect(model)
    shock.solve(model)
    return model, base, collect(model)


def test_the_option_only_splits_the_diagonal_cells(wiod):
    off, on = wiod
    assert not any(v in off for v in INTRA)
    folded = on.drop_vars(INTRA)
    folded.attrs = dict(off.attrs)
    xr.testing.assert_identical(off, folded)
    diag = xr.concat([on.intermediate.sel(source=r, region=r, drop=True) for r in on.region.values], "region")
    intra = on.intra_regional_intermediate
    assert float((intra - diag.transpose(*intra.dims)).max()) <= 0.0
    # a one-country region has no trade with itself; the EU and ROW have a lot
    assert float(intra.sel(region=["CHN", "USA"]).sum()) == 0.0
    eu = describe(on)["trade"].loc["EU"]
    assert 0.5 < eu["EU"] < 0.65 and describe(off)["trade"].loc["EU", "EU"] == 0.0


def test_option_off_reproduces_the_stored_results(wiod):
    """A dataset without intra-regional trade gives the results of the model before the
    option existed (tests/data/make_golden_intra_off.py), for a tariff on the EU's imports."""
    golden = xr.load_dataset(DATA / "golden_intra_off_4x3.nc", engine="h5netcdf")
    _, _, res = _solved(wiod[0])
    for v in VARIABLES:
        np.testing.assert_allclose(res[v].values, golden[v].values, rtol=1e-10, atol=1e-9, err_msg=v)
    assert "intra_regional_trade" not in res.attrs


def test_replication_homogeneity_walras_with_trade_within_regions(wiod):
    params = cgetrade.calibrate(wiod[1])
    assert float(params.data.vxmd.sel(source="EU", region="EU").sum()) > 1e6       # USD m
    model = cgetrade.CGEModel(params)
    checks = benchmark_replication(model) + homogeneity(model) + walras(model, SHOCK)
    assert all(c.passed for c in checks), [(c.name, c.value) for c in checks if not c.passed]
    model.reset()
    SHOCK.solve(model)
    assert all(c.passed for c in verify_solution(model))


def test_uniform_tariff_reaches_intra_regional_imports_only_with_the_option(wiod):
    """A 10 % tariff on every import of the EU: with the option the EU's imports from its own
    members pay it (the self-source's price rises by 10 %, intra-EU trade falls, the EU
    collects the revenue); without it those flows are domestic supply, untaxed."""
    off, base_off, res_off = _solved(wiod[0])
    on, base_on, res_on = _solved(wiod[1])
    m = on.pyomo
    assert (MANUF, "EU", "EU") in m.BT and (MANUF, "EU", "EU") not in off.pyomo.BT
    for i in m.I:
        assert pyo.value(m.tm[i, "EU", "EU"]) == pytest.approx(0.10, abs=1e-15)
        assert pyo.value(m.P_MS[i, "EU", "EU"] / export_price(m, i, "EU")) == pytest.approx(1.10, rel=1e-12)
        assert pyo.value(m.tm[i, "ROW", "ROW"]) == 0.0          # other regions' trade untaxed
    intra0 = float(base_on.bilateral_trade.sel(source="EU", region="EU").sum())
    intra1 = float(res_on.bilateral_trade.sel(source="EU", region="EU").sum())
    assert intra1 < 0.97 * intra0
    revenue = sum(pyo.value(m.TARIFF_REVENUE[i, "EU"]) for i in m.I if (i, "EU") in m.IM)
    on_intra = sum(pyo.value(0.10 * export_price(m, i, "EU") * m.X[i, "EU", "EU"]) for i in m.I)
    off_revenue = sum(pyo.value(off.pyomo.TARIFF_REVENUE[i, "EU"]) for i in off.pyomo.I)
    assert on_intra > 0.5 * revenue and revenue > 2 * off_revenue
    # the tariff now protects the members' supplies to themselves against each other's too:
    # the EU's imports from outside fall by less, its output of manufactures rises by less
    ext = lambda b, r: float(r.bilateral_trade.sel(region="EU").drop_sel(source="EU").sum()  # noqa: E731
                             / b.bilateral_trade.sel(region="EU").drop_sel(source="EU").sum())
    assert ext(base_on, res_on) > ext(base_off, res_off)
    assert res_on.attrs["intra_regional_trade"].startswith("trade between the members")
    # exports and imports include the EU's trade with itself (GTAP convention), the balance not
    assert float(res_on.exports.sel(region="EU").sum()) == pytest.approx(
        float(res_on.bilateral_trade.sel(source="EU").sum()), rel=1e-12)
    np.testing.assert_allclose(res_on.trade_balance.sum(), 0.0, atol=1e-6 * float(res_on.income.sum()))


def test_merging_regions_adds_their_mutual_trade_to_the_trade_within(wiod):
    on = wiod[1]
    west = aggregate(on, regions={"EU": "WEST", "USA": "WEST", "CHN": "CHN", "ROW": "ROW"})
    assert all(v in west for v in INTRA)         # kept: the dataset has trade within regions
    use = on.intermediate.sum("sector") + on.final_demand.sum("agent")
    intra = lambda d: (d.intra_regional_intermediate.sum("sector")  # noqa: E731
                       + d.intra_regional_final_demand.sum("agent"))
    expected = (intra(on).sel(region=["EU", "USA"]).sum("region")
                + use.sel(source="EU", region="USA") + use.sel(source="USA", region="EU"))
    np.testing.assert_allclose(intra(west).sel(region="WEST"), expected, rtol=1e-12)
    folded = aggregate(on, regions={"EU": "WEST", "USA": "WEST", "CHN": "CHN", "ROW": "ROW"},
                       intra_regional=False)
    assert not any(v in folded for v in INTRA)
    xr.testing.assert_allclose(folded.intermediate, west.intermediate, rtol=1e-14)
    assert cgetrade.CGEModel(cgetrade.calibrate(west)).max_residual() <= 1e-8


def _gtap(tmp_path):
    pytest.importorskip("harpy")
    from cgetrade.data.gtap import from_gtap
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from data_sources.samples import write_gtap
    write_gtap(tmp_path)
    return from_gtap(tmp_path / "basedata.har", tmp_path / "default.prm")


def test_aggregating_gtap_regions_keeps_their_tariffs_and_margins_as_trade_with_itself(tmp_path):
    ds, el = _gtap(tmp_path)
    merged = aggregate(ds, regions={"usa": "NORTH", "chn": "SOUTH", "row": "SOUTH"})
    assert all(v in merged for v in INTRA)            # GTAP data: kept by default
    # the tariffs chn <-> row and row -> row become SOUTH's tariffs on itself, nothing is lost
    south = merged.import_tariff.sel(source="SOUTH", region="SOUTH").sum()
    inside = ds.import_tariff.sel(source=["chn", "row"], region=["chn", "row"]).sum()
    assert float(south) == pytest.approx(float(inside), rel=1e-12) and float(south) > 0
    assert float(merged.import_tariff.sum()) == pytest.approx(float(ds.import_tariff.sum()), rel=1e-12)
    assert float(merged.transport_margins.sum()) == pytest.approx(float(ds.transport_margins.sum()), rel=1e-12)
    assert float(merged.transport_margins.sel(source="SOUTH", region="SOUTH").sum()) > 0
    model = cgetrade.CGEModel(cgetrade.calibrate(merged, el))
    checks = benchmark_replication(model) + homogeneity(model) + walras(
        model, Scenario("SOUTH tariff", [Shock("tariff", 0.10, region="SOUTH")]))
    assert all(c.passed for c in checks), [(c.name, c.value) for c in checks if not c.passed]
    # folding it into domestic use is refused: it would tax the region's own supplies
    with pytest.raises(DataValidationError, match="intra_regional=True"):
        aggregate(ds, regions={"usa": "NORTH", "chn": "SOUTH", "row": "SOUTH"}, intra_regional=False)
    with pytest.raises(DataValidationError, match=r"merged into one aggregate region .*\('row', 'row'\)"):
        aggregate(ds, intra_regional=False)           # row's margins on its trade with itself


def test_bad_intra_regional_data_are_named(wiod):
    on = wiod[1]
    with pytest.raises(DataValidationError, match="needs both"):
        validate(on.drop_vars("intra_regional_final_demand"))
    bad = on.copy(deep=True)
    bad["intra_regional_intermediate"].loc[dict(commodity="MAN", sector="MAN", region="EU")] *= 3.0
    with pytest.raises(DataValidationError, match=r"'intra_regional_intermediate' exceeds .*commodity=MAN, "
                                                  r"sector=MAN, region=EU"):
        validate(bad)
    taxed = wiod[0].copy(deep=True)
    taxed["import_tariff"] = xr.zeros_like(taxed.intermediate.sum(("sector",)))
    taxed["import_tariff"].loc[dict(commodity="MAN", source="EU", region="EU")] = 1.0
    with pytest.raises(DataValidationError, match=r"zero on a region's own supplies"):
        validate(taxed)


def test_data_build_flag(tmp_path, capsys):
    regions, sectors = concordances()
    (tmp_path / "r.csv").write_text("country,region\n" + "".join(f"{c},{r}\n" for c, r in regions.items()))
    (tmp_path / "s.csv").write_text("industry,sector\n" + "".join(f"{c},{s}\n" for c, s in sectors.items()))
    out = tmp_path / "eu.nc"
    args = ["data", "build", "--source", "wiod2011", "--regions", str(tmp_path / "r.csv"),
            "--sectors", str(tmp_path / "s.csv"), "--out", str(out)]
    assert main(args + ["--intra-regional-trade"]) == 0
    ds = cgetrade.data.load(out)
    assert all(v in ds for v in INTRA) and float(ds.intra_regional_intermediate.sel(region="EU").sum()) > 0
    assert main(args) == 0                         # WIOD: off by default
    assert not any(v in cgetrade.data.load(out) for v in INTRA)
    # tables aggregated before balancing (ICIO, WIOD long CSV) cannot keep it: said so
    from cgetrade.data import synthetic_dataset
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from data_sources.samples import write_icio
    write_icio(tmp_path / "icio.csv", synthetic_dataset(3, 3, seed=4))
    (tmp_path / "r3.csv").write_text("country,region\nR01,A\nR02,B\nR03,B\n")
    capsys.readouterr()
    assert main(["data", "build", "--source", str(tmp_path / "icio.csv"), "--labour-share", "0.6",
                 "--regions", str(tmp_path / "r3.csv"), "--intra-regional-trade", "--out", str(tmp_path / "i.nc")]) == 1
    assert "--intra-regional-trade" in capsys.readouterr().err and not (tmp_path / "i.nc").exists()
