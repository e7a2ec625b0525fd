"""Solve tests: benchmark replication, homogeneity, Walras' law and known economic properties."""
import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade import checks
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock, ShockError
from cgetrade.solve import SolveError

MANUF = ["LMF", "CHM", "MAC", "ELE"]


def test_benchmark_replication_small(fresh_small):
    assert fresh_small.max_residual() <= 1e-12
    assert abs(fresh_small.walras_residual()) <= 1e-12
    sol = fresh_small.solve()
    assert sol.iterations == 0


def test_all_checks_pass_on_default_dataset(fresh_default):
    shock = Scenario("cn", [Shock("tfp", 0.1, region="CHN", sector=MANUF)])
    results = checks.run_all(fresh_default, shock)
    failed = [r for r in results if not r.passed]
    assert not failed, checks.format_table(results)


def test_homogeneity_with_factor_numeraire(small_dataset):
    model = cgetrade.CGEModel(cgetrade.calibrate(small_dataset),
                              cgetrade.Closure(numeraire=("factor", "labour", "R02"),
                                               walras_market=("factor", "capital", "R01")))
    Scenario("s", [Shock("tfp", 0.2, region="R01", sector="S01")]).apply(model)
    model.solve()
    y0 = np.array([v.value for v in model.pyomo.Y.values()])
    p0 = np.array([v.value for v in model.pyomo.PY.values()])
    assert model.pyomo.W["labour", "R02"].value == pytest.approx(1.0, abs=1e-12)
    model.pyomo.pnum = 2.0
    model.solve()
    np.testing.assert_allclose([v.value for v in model.pyomo.Y.values()], y0, rtol=1e-9)
    np.testing.assert_allclose([v.value for v in model.pyomo.PY.values()], 2 * p0, rtol=1e-9)


def test_constant_returns_scaling(fresh_small):
    """+10 % of every endowment (and foreign saving) everywhere scales every quantity by 1.1
    and leaves every price unchanged: constant returns and consistent accounting."""
    m = fresh_small.pyomo
    for idx in m.endowment:
        m.endowment[idx] = 1.1 * pyo.value(m.endowment[idx])
    for r in m.R:
        m.fsav[r] = 1.1 * pyo.value(m.fsav[r])
    fresh_small.solve()
    np.testing.assert_allclose([v.value for v in m.Y.values()], 1.1, rtol=1e-9)
    np.testing.assert_allclose([v.value for v in m.M.values()], 1.1, rtol=1e-9)
    np.testing.assert_allclose([v.value for v in m.PY.values()], 1.0, rtol=1e-9)
    np.testing.assert_allclose([v.value for v in m.INC.values()], 1.1, rtol=1e-9)


def test_zero_shock_reproduces_baseline(fresh_small):
    base = collect(fresh_small)
    Scenario("zero", [Shock("tfp", 0.0), Shock("tariff", 0.0)]).apply(fresh_small)
    sol = fresh_small.solve()
    assert sol.iterations == 0
    after = collect(fresh_small)
    for name in base.data_vars:
        np.testing.assert_allclose(after[name].values, base[name].values, rtol=1e-12, atol=1e-12)


def test_china_manufacturing_tfp_signs(fresh_default):
    """A Chinese manufacturing TFP gain lowers Chinese manufacturing producer prices relative
    to the numeraire (output-weighted) and relative to every competitor in each shocked
    sector, raises Chinese exports of those goods, and lowers the price of imports from China
    everywhere (trade-weighted). Food and textiles (LMF) get slightly dearer even relative to
    competitors: Chinese factor prices rise by about a quarter and LMF's large agricultural
    inputs are unshocked, so its exports fall with the other unshocked tradables."""
    base = collect(fresh_default)
    Scenario("cn", [Shock("tfp", 0.1, region="CHN", sector=MANUF)]).apply(fresh_default)
    fresh_default.solve()
    scen = collect(fresh_default)
    w = base.output.sel(region="CHN", sector=MANUF)
    py = scen.producer_price.sel(sector=MANUF)
    assert float((py.sel(region="CHN") * w).sum() / w.sum()) < 0.98
    heavy = ["CHM", "MAC", "ELE"]
    relative = py.sel(region="CHN", sector=heavy) / py.sel(sector=heavy).drop_sel(region="CHN")
    assert (relative < 0.99).all()
    ex = scen.exports.sel(region="CHN") / base.exports.sel(region="CHN")
    assert (ex.sel(commodity=heavy) > 1.05).all()
    # real appreciation: unshocked tradables lose export market share
    assert (ex.sel(commodity=["AGR", "ENE"]) < 1.0).all()
    flows = base.bilateral_trade.sel(source="CHN", commodity=MANUF).drop_sel(region="CHN")
    pms = scen.bilateral_import_price.sel(source="CHN", commodity=MANUF).drop_sel(region="CHN")
    assert ((pms * flows).sum("commodity") / flows.sum("commodity") < 0.98).all()
    assert (pms.sel(commodity=["MAC", "ELE"]) < 0.97).all()
    # China's real GDP rises (Hulten: about the Domar weight of manufacturing x 10 %);
    # its terms of trade fall (it sells more of cheaper goods)
    domar = float(w.sum() / base.income.sel(region="CHN"))
    growth = float(scen.real_gdp.sel(region="CHN") / base.real_gdp.sel(region="CHN")) - 1
    assert 0.5 * domar * 0.1 < growth < 1.5 * domar * 0.1
    assert float(scen.terms_of_trade.sel(region="CHN")) < 1.0


def test_tariff_raises_bilateral_import_price_and_cuts_imports(fresh_small):
    base = collect(fresh_small)
    Scenario("t", [Shock("tariff", 0.25, region="R01", source="R02", sector="S01")]).apply(fresh_small)
    fresh_small.solve()
    scen = collect(fresh_small)
    sel = dict(commodity="S01", source="R02", region="R01")
    assert float(scen.bilateral_import_price.sel(**sel)) > 1.2
    assert float(scen.bilateral_trade.sel(**sel)) < float(base.bilateral_trade.sel(**sel))
    # tariff revenue enters R01's income
    assert pyo.value(fresh_small.pyomo.TAXREV["R01"]) > 0


def test_unknown_labels_rejected_before_any_change(fresh_small):
    m = fresh_small.pyomo
    before = {k: pyo.value(v) for k, v in m.tfp.items()}
    bad = Scenario("bad", [Shock("tfp", 0.1, region="R01", sector="S01"),
                           Shock("tfp", 0.1, region="MARS", sector="S01")])
    with pytest.raises(ShockError, match="unknown region \\['MARS'\\]"):
        bad.apply(fresh_small)
    assert {k: pyo.value(v) for k, v in m.tfp.items()} == before
    with pytest.raises(ShockError, match="> -1"):
        Shock("tfp", -1.5)
    with pytest.raises(ShockError, match="unknown shock kind"):
        Shock("magic", 0.1)


@pytest.mark.parametrize("method", ["ipopt", "newton", "auto"])
def test_non_convergence_names_worst_equations(fresh_small, method):
    Scenario("big", [Shock("tfp", 1.0, region="R01")]).apply(fresh_small)
    with pytest.raises(SolveError) as err:
        fresh_small.solve(method=method, ipopt_options={"max_iter": 1},
                          newton_options={"max_iter": 1})
    msg = str(err.value)
    assert "did not converge" in msg and "residual" in msg
    assert ("Newton" in msg) == (method != "ipopt") and ("Ipopt" in msg) == (method != "newton")
    assert err.value.worst and err.value.worst[0][0] in {
        c.name for c in fresh_small.pyomo.component_objects(pyo.Constraint)}
    assert "[" in msg  # equation indices are named
