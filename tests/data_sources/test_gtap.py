"""GTAP data bases in header-array files (written here with harpy3) -> dataset + elasticities."""
import numpy as np
import pytest

import pyomo.environ as pyo

import cgetrade
from cgetrade.checks import homogeneity, walras
from cgetrade.model.trade import export_price
from cgetrade.data import DataValidationError
from cgetrade.scenario import Scenario, Shock

pytest.importorskip("harpy")
from cgetrade.data.gtap import from_gtap  # noqa: E402

from .samples import write_gtap  # noqa: E402


@pytest.fixture(scope="module")
def gtap(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gtap")
    flows = write_gtap(folder)
    return folder, flows


def test_gtap_data_base_calibrates_replicates_and_solves(gtap):
    folder, g = gtap
    raw = (folder / "basedata.har").read_bytes()
    ds, el = from_gtap(folder / "basedata.har", folder / "default.prm", folder / "sets.har")
    assert (folder / "basedata.har").read_bytes() == raw
    assert list(ds.factor.values) == ["land", "labour", "capital"]
    # tariffs = VMSB - VCIF on every route, the aggregate region "row"'s trade with itself
    # included (GTAP); margins travel with the good on every route; output = MAKB + export taxes
    assert float(ds.import_tariff.sum()) == pytest.approx(float((g["VMSB"] - g["VCIF"]).sum()), rel=1e-5)
    assert float(ds.import_tariff.sel(source="row", region="row").sum()) == pytest.approx(
        float((g["VMSB"] - g["VCIF"])[:, 2, 2].sum()), rel=1e-5)
    assert float(ds.transport_margins.sum()) == pytest.approx(float(g["VTWR"].sum()), rel=1e-5)
    assert float(ds.margin_exports.sum()) == pytest.approx(float(ds.transport_margins.sum()), rel=1e-12)
    # row's imports from itself, valued cif + tariff like its other imports (VMSB[i,row,row])
    intra = ds.intra_regional_intermediate.sum("sector") + ds.intra_regional_final_demand.sum("agent")
    np.testing.assert_allclose(intra.sel(region="row").values, g["VMSB"][:, 2, 2], rtol=1e-5)
    assert float(intra.sel(region=["usa", "chn"]).sum()) == 0.0
    makb = np.einsum("iir->ir", g["MAKB"]) + (g["VFOB"] - g["VXSB"]).sum(2)
    np.testing.assert_allclose(ds.gross_output.values, makb, rtol=1e-5)
    # labour = the two labour endowments at basic prices
    np.testing.assert_allclose(ds.factor_payments.sel(factor="labour").values, g["EVFB"][1:3].sum(0), rtol=1e-5)
    # elasticities: absorption-weighted ESBD; the margin commodity's own value
    assert el.value("sigma_d", "trs") == pytest.approx(1.9, rel=1e-6)
    assert 3.4 < el.value("sigma_d", "mfg") < 3.6 and el.final_demand["investment"] == 0.0
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, el))
    assert model.max_residual() <= 1e-8
    assert model.solve().iterations == 0
    assert all(c.passed for c in homogeneity(model))
    free_trade = Scenario("free trade", [Shock("tariff", 0.0, mode="set")])
    assert all(c.passed for c in walras(model, free_trade))
    # the global transport pool: margin demand follows trade, its price the suppliers' prices
    model.reset()
    free_trade.apply(model)
    model.solve()
    m = model.pyomo
    assert len(m.TW) > 0 and list(m.MG) == ["trs"]
    assert m.PT["trs"].value != pytest.approx(1.0, abs=1e-6)
    supply = sum(pyo.value(m.MARGIN_SUPPLY[k]) * pyo.value(export_price(m, "trs", k[1])) for k in m.MS)
    assert supply == pytest.approx(pyo.value(m.MARGIN_DEMAND["trs"] * m.PT["trs"]), rel=1e-10)


def test_trade_within_a_region_folded_into_domestic_use(gtap):
    """intra_regional=False: row's trade with itself is domestic use, its tariffs left out and
    its margins bought as services; only routes between regions keep tariffs and margins."""
    folder, g = gtap
    ds, el = from_gtap(folder / "basedata.har", folder / "default.prm", intra_regional=False)
    off = ~np.eye(3, dtype=bool)[None]
    assert "intra_regional_intermediate" not in ds
    assert float(ds.import_tariff.sum()) == pytest.approx(float(((g["VMSB"] - g["VCIF"]) * off).sum()), rel=1e-5)
    assert float(ds.transport_margins.sum()) == pytest.approx(float((g["VTWR"] * off).sum()), rel=1e-5)
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, el))
    assert model.max_residual() <= 1e-8 and ("mfg", "row", "row") not in model.pyomo.BT


def test_margins_bought_as_services_instead_of_by_route(gtap):
    folder, _ = gtap
    ds, el = from_gtap(folder / "basedata.har", folder / "default.prm", margins="purchases")
    assert "transport_margins" not in ds
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, el))
    assert len(model.pyomo.TW) == 0 and model.max_residual() <= 1e-8


def test_missing_header_and_wrong_shape_are_named(tmp_path):
    write_gtap(tmp_path / "a", drop=("VTWR",))
    with pytest.raises(DataValidationError, match=r"basedata.har: header VTWR is missing"):
        from_gtap(tmp_path / "a" / "basedata.har")
    from harpy import HarFileObj, HeaderArrayObj
    write_gtap(tmp_path / "b")
    har = HarFileObj.loadFromDisk(str(tmp_path / "b" / "default.prm"))
    har.removeHeaderArrayObjs("ESBV")
    har.addHeaderArrayObj(HeaderArrayObj.HeaderArrayFromData(
        name="ESBV", array=np.ones(3, dtype=np.float32), long_name="ESBV",
        sets=[{"name": "REG", "status": "k", "dim_type": "Set", "dim_desc": ["usa", "chn", "row"]}]))
    har.writeToDisk(str(tmp_path / "b" / "bad.prm"))
    with pytest.raises(DataValidationError, match=r"header ESBV has shape \(3,\) \(sets \['REG'\]\), expected sets \['ACTS', 'REG'\]"):
        from_gtap(tmp_path / "b" / "basedata.har", tmp_path / "b" / "bad.prm")


def test_inconsistent_gtap_accounts_are_refused(tmp_path):
    from harpy import HarFileObj
    write_gtap(tmp_path, intra_regional=False)
    har = HarFileObj.loadFromDisk(str(tmp_path / "basedata.har"))
    obj = har.getHeaderArrayObj("VST")
    obj["array"] = obj["array"] * np.float32(1.5)
    for name in har.getHeaderArrayNames():   # header names are four characters (VST, VKB)
        h = har.getHeaderArrayObj(name)
        h["name"] = h["name"].ljust(4)
    har.writeToDisk(str(tmp_path / "bad.har"))
    with pytest.raises(DataValidationError, match=r"world margin demand \(VTWR\) = supply \(VST\).*\(trs\)"):
        from_gtap(tmp_path / "bad.har")


def test_ev_decomposition_closes_with_transport_margins(gtap):
    from cgetrade.welfare import COMPONENTS, decompose_ev
    folder, _ = gtap
    ds, el = from_gtap(folder / "basedata.har", folder / "default.prm")
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, el))
    model.solve()
    w = decompose_ev(model, Scenario("free trade", [Shock("tariff", 0.0, mode="set")]), steps=4)
    assert float(abs(w.ev).max()) > 0.1
    assert float(abs(w.integration_error).max()) < 1e-5 * float(abs(w.ev).max())
    assert set(COMPONENTS) <= set(w.data_vars)
