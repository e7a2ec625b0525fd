"""Current-account, margin (pricing below cost) and production-subsidy shocks, the export
price index target, and the Shapley decomposition over drivers."""
import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario, Shock, ShockError
from cgetrade.welfare import decompose_ev

MANUF = ["LMF", "CHM", "MAC", "ELE"]


@pytest.fixture(scope="module")
def model(default_dataset):
    m = cgetrade.CGEModel(cgetrade.calibrate(default_dataset, skills=True))
    m.solve()
    return m


@pytest.fixture
def fresh(model):
    model.reset()
    model.solve()
    yield model
    model.reset()


def net_capital_income(model, r):
    m = model.pyomo
    pay = sum(pyo.value(m.W["capital", r] * m.FD["capital", j, r]) for j in m.I)
    return pay - sum(pyo.value(m.LOSS_K[j, r]) for j in m.I)


def check_walras_and_homogeneity(model):
    """At the current (shocked) solution: the dropped market clears, and doubling the
    numeraire doubles prices and leaves quantities unchanged."""
    assert model.max_residual() < 1e-8 and abs(model.walras_residual()) < 1e-8
    m = model.pyomo
    prices = {k: v.value for k, v in m.PY.items()}
    quantities = {k: v.value for k, v in m.Y.items()}
    x = model.nlp.x_from_model()
    m.pnum = 2 * pyo.value(m.pnum)
    try:
        model.solve()
        assert max(abs(m.PY[k].value / (2 * p) - 1) for k, p in prices.items()) < 1e-8
        assert max(abs(m.Y[k].value / q - 1) for k, q in quantities.items()) < 1e-8
        assert abs(model.walras_residual()) < 1e-8
    finally:
        m.pnum = pyo.value(m.pnum) / 2
        model.nlp.to_model(x)


def test_neutral_values_replicate_the_benchmark(fresh):
    neutral = Scenario("neutral", [Shock("margin", 0.0, region="CHN", sector=MANUF),
                                   Shock("margin", 0.0, region="USA", borne_by="state"),
                                   Shock("production_subsidy", 0.0, region="CHN"),
                                   Shock("current_account", 0.0, region="CHN")])
    neutral.apply(fresh)
    assert fresh.max_residual() < 1e-12 and abs(fresh.walras_residual()) < 1e-12
    assert fresh.solve().iterations == 0


def test_current_account_surplus_depreciates_and_raises_the_trade_balance(fresh):
    base = collect(fresh)
    fs0 = {r: pyo.value(fresh.pyomo.fsav[r]) for r in fresh.pyomo.R}
    gdp = float(fresh.params.data["income"].sel(region="CHN"))
    Scenario("ca", [Shock("current_account", 2.0, region="CHN")]).solve(fresh)
    fs1 = {r: pyo.value(fresh.pyomo.fsav[r]) for r in fresh.pyomo.R}
    assert fs1["CHN"] - fs0["CHN"] == pytest.approx(-0.02 * gdp, rel=1e-12)
    assert sum(fs1.values()) == pytest.approx(sum(fs0.values()), abs=1e-6)     # world closure
    # the counterpart in proportion to benchmark GDP
    inc = fresh.params.data["income"]
    others = [r for r in fs0 if r != "CHN"]
    for r in others:
        share = float(inc.sel(region=r)) / float(inc.sel(region=others).sum())
        assert fs1[r] - fs0[r] == pytest.approx(0.02 * gdp * share, rel=1e-10)
    res = compare(base, collect(fresh))
    assert float(res.real_exchange_rate_pct.sel(region="CHN")) < -0.5
    tb = res.trade_balance.sel(region="CHN")
    assert float(tb.sel(case="scenario") - tb.sel(case="baseline")) > 0.015 * gdp
    assert (res.export_price_pct.sel(region="CHN", sector=MANUF) < 0).all()
    check_walras_and_homogeneity(fresh)


def test_current_account_set_mode_and_usd_unit(fresh):
    Scenario("ca", [Shock("current_account", 400000.0, region="CHN", unit="usd_m", mode="set",
                          counterpart="absorption")]).apply(fresh)
    assert pyo.value(fresh.pyomo.fsav["CHN"]) == pytest.approx(-400000.0)


def test_margin_lowers_the_export_price_and_capital_income_without_productivity(fresh):
    base = collect(fresh)
    k0 = net_capital_income(fresh, "CHN")
    tfp0 = {k: pyo.value(v) for k, v in fresh.pyomo.tfp.items()}
    Scenario("involution", [Shock("margin", 0.05, region="CHN", sector="ELE")]).solve(fresh)
    assert {k: pyo.value(v) for k, v in fresh.pyomo.tfp.items()} == tfp0
    res = compare(base, collect(fresh))
    assert float(res.export_price_pct.sel(region="CHN", sector="ELE")) < -4
    assert net_capital_income(fresh, "CHN") < k0
    loss = sum(pyo.value(fresh.pyomo.LOSS_K[j, "CHN"]) for j in fresh.pyomo.I)
    assert loss > 0 and pyo.value(fresh.pyomo.LOSS_G["ELE", "CHN"]) == 0
    check_walras_and_homogeneity(fresh)


def test_state_borne_margin_is_paid_from_tax_revenue(fresh):
    m = fresh.pyomo
    tax0 = pyo.value(m.TAXREV["CHN"])
    Scenario("involution", [Shock("margin", 0.05, region="CHN", sector="ELE", borne_by="state")]).solve(fresh)
    loss = pyo.value(m.LOSS_G["ELE", "CHN"])
    assert loss > 0 and pyo.value(m.LOSS_K["ELE", "CHN"]) == 0
    assert pyo.value(m.TAXREV["CHN"]) < tax0 - 0.9 * loss
    check_walras_and_homogeneity(fresh)


def test_production_subsidy_is_a_negative_production_tax(fresh):
    to0 = pyo.value(fresh.pyomo.to["ELE", "CHN"])
    Scenario("sub", [Shock("production_subsidy", 0.02, region="CHN", sector="ELE")]).solve(fresh)
    assert pyo.value(fresh.pyomo.to["ELE", "CHN"]) == pytest.approx(to0 - 0.02)
    check_walras_and_homogeneity(fresh)


def test_ev_decomposition_adds_up_with_margins_and_current_account(fresh):
    scen = Scenario("both", [Shock("margin", 0.03, region="CHN", sector=MANUF),
                             Shock("current_account", 1.0, region="CHN")])
    ev = decompose_ev(fresh, scen, steps=4)
    assert float(np.abs(ev.integration_error).max()) < 1e-3 * float(np.abs(ev.ev).max())


def test_export_price_index_target_for_margins(fresh):
    from cgetrade.pricetargets import export_price_index, export_weights
    scen = Scenario("t", [Shock("margin", region="CHN", sector=MANUF,
                                target={"measure": "export_price_index", "value": -0.03})])
    scen.prepare(fresh)
    fresh.solve()
    w = export_weights(fresh)
    before = pyo.value(export_price_index(fresh.pyomo, w, MANUF, "CHN"))
    implied = scen.implied(fresh)
    values = {x["sector"]: x["implied_value"] for x in implied.implied_shocks}
    assert set(values) == set(MANUF) and len(set(values.values())) == 1      # one common margin
    assert 0 < values["ELE"] < 0.2
    implied.solve(fresh)
    after = pyo.value(export_price_index(fresh.pyomo, w, MANUF, "CHN"))
    assert after / before - 1 == pytest.approx(-0.03, abs=1e-8)


@pytest.mark.parametrize("kwargs,match", [
    (dict(kind="margin", value=1.0), "m < 1"),
    (dict(kind="margin", value=0.1, borne_by="labour"), "borne_by"),
    (dict(kind="margin", value=0.1, unit="usd_m"), "unit does not apply"),
    (dict(kind="current_account", value=1.0, region=["CHN", "USA"]), "one region"),
    (dict(kind="current_account", value=1.0, region="CHN", unit="pct"), "unit of a current_account"),
    (dict(kind="current_account", value=1.0, region="CHN", counterpart="world"), "counterpart"),
    (dict(kind="current_account", value=1.0, region="CHN", borne_by="state"), "borne_by does not apply"),
    (dict(kind="production_subsidy", value=1.2), "subsidy rate < 1"),
    (dict(kind="current_account", value=1.0, region="CHN", target={"value": -0.1}), "target can be stated"),
])
def test_bad_new_shocks(kwargs, match):
    with pytest.raises(ShockError, match=match):
        Shock(**kwargs)


def test_unreachable_current_account_names_the_closest_value(fresh):
    fs = {r: pyo.value(fresh.pyomo.fsav[r]) for r in fresh.pyomo.R}
    with pytest.raises(ShockError, match=r"current_account target 80 % of GDP for CHN .* closest "
                                         r"reachable value is \(just inside\) [0-9.]+ % of GDP"):
        Scenario("big", [Shock("current_account", 80.0, region="CHN")]).apply(fresh)
    assert {r: pyo.value(fresh.pyomo.fsav[r]) for r in fresh.pyomo.R} == fs     # nothing changed
    with pytest.raises(ShockError, match="world saving allows"):
        Scenario("big", [Shock("current_account", -5e7, unit="usd_m", region="USA")]).apply(fresh)


def test_margins_that_add_up_to_one_are_refused(fresh):
    with pytest.raises(ShockError, match="margin below unit cost"):
        Scenario("two", [Shock("margin", 0.6, region="CHN", sector="ELE"),
                         Shock("margin", 0.5, region="CHN", sector="ELE", borne_by="state")]).apply(fresh)


def test_benchmark_surplus_of_china_stated_in_the_docs(default_dataset):
    from pathlib import Path
    par = cgetrade.calibrate(default_dataset)
    fs = float(par.data["foreign_saving"].sel(region="CHN"))
    gdp = float(par.data["income"].sel(region="CHN"))
    text = (Path(__file__).parents[1] / "docs" / "experiments.md").read_text()
    assert f"USD {-fs / 1000:.0f} bn, {-100 * fs / gdp:.2f} % of its GDP" in text


# --- Shapley decomposition over drivers -----------------------------------------------------
def three_drivers():
    return Scenario("three", [
        Shock("tfp", 0.05, region="CHN", sector=["MAC", "ELE"], driver="technology"),
        Shock("margin", 0.02, region="CHN", sector=MANUF, driver="involution"),
        Shock("current_account", 1.0, region="CHN", driver="saving")])


def test_shapley_parts_add_up_to_the_total_and_the_total_is_the_full_solve(fresh):
    from cgetrade.decompose import exporter_drivers, shapley_weights
    from cgetrade.results import exporter_headline
    base = collect(fresh)
    x0 = fresh.nlp.x_from_model()
    dec = exporter_drivers(fresh, three_drivers(), base, "CHN", MANUF, ["USA", "EU", "JPN"])
    assert list(dec.driver.values) == ["technology", "involution", "saving"]
    assert np.abs(fresh.nlp.x_from_model() - x0).max() == 0          # left at its start
    assert sum(shapley_weights(3)[k] * {0: 1, 1: 2, 2: 1}[k] for k in range(3)) == pytest.approx(1)
    for k in [v for v in dec.data_vars if not v.endswith("_total")]:
        np.testing.assert_allclose(dec[k].sum("driver"), dec[f"{k}_total"], rtol=1e-12, atol=1e-9)
    three_drivers().solve(fresh)
    direct = exporter_headline(base, collect(fresh), "CHN", MANUF, ["USA", "EU", "JPN"])
    for k in direct.data_vars:
        np.testing.assert_allclose(dec[f"{k}_total"], direct[k], rtol=1e-7, atol=1e-6)
    # only the saving driver moves the trade balance; the margin lowers the export price index
    tb = dec.trade_balance_change
    assert float(tb.sel(driver="saving")) > 0
    assert abs(float(tb.sel(driver="involution"))) < 1e-3 and abs(float(tb.sel(driver="technology"))) < 1e-3
    assert float(dec.export_price_index_pct.sel(driver="involution")) < 0


def test_shapley_of_a_single_driver_is_its_effect_and_interactions_are_split(fresh):
    from cgetrade.decompose import shapley
    out = lambda m: __import__("xarray").Dataset({"y": ((), pyo.value(m.pyomo.Y["ELE", "CHN"]))})  # noqa: E731
    scen = three_drivers()
    dec = shapley(fresh, scen, out)
    alone = {}
    for d in ("technology", "involution", "saving"):
        fresh.reset()
        fresh.solve()
        Scenario(d, [s for s in scen.shocks if s.driver == d]).solve(fresh)
        alone[d] = pyo.value(fresh.pyomo.Y["ELE", "CHN"]) - 1.0
    # with interactions the Shapley part differs from the driver alone, but the sum is exact
    assert float(dec.y_total) == pytest.approx(float(dec.y.sum()), abs=1e-12)
    assert float(dec.y.sel(driver="saving")) == pytest.approx(alone["saving"], rel=0.2)


def test_decomposition_refuses_shocks_without_drivers(fresh):
    from cgetrade.decompose import DecompositionError, shapley
    scen = Scenario("x", [Shock("tfp", 0.05, region="CHN", driver="technology"), Shock("margin", 0.01, region="CHN")])
    with pytest.raises(DecompositionError, match="needs a driver"):
        shapley(fresh, scen, lambda m: None)
    with pytest.raises(DecompositionError, match="price-target"):
        shapley(fresh, Scenario("t", [Shock("tfp", region="CHN", sector="ELE", driver="a",
                                            target={"measure": "export_price", "value": -0.1})]), lambda m: None)


# --- export controls as a quantity limit, the rent held by exporters or importers ----------
def test_export_quota_rent_to_the_importer_moves_income_not_the_quantity(fresh):
    quota = dict(kind="export_tax", region="USA", destination="CHN", sector="ELE",
                 target={"measure": "bilateral_trade", "value": -0.3})
    out = {}
    for rent in ("exporter", "importer"):
        fresh.reset()
        fresh.solve()
        x0 = pyo.value(fresh.pyomo.X["ELE", "USA", "CHN"])
        inc0 = {r: pyo.value(fresh.pyomo.INC[r]) for r in ("USA", "CHN")}
        scen = Scenario("controls", [Shock(**quota, rent=rent)])
        scen.prepare(fresh)
        fresh.solve()
        implied = scen.implied(fresh)
        implied.solve(fresh)
        m = fresh.pyomo
        assert pyo.value(m.X["ELE", "USA", "CHN"]) / x0 == pytest.approx(0.7, abs=1e-8)
        assert pyo.value(m.tx_rent["ELE", "USA", "CHN"]) == (1.0 if rent == "importer" else 0.0)
        check_walras_and_homogeneity(fresh)
        rent_value = pyo.value(m.tx["ELE", "USA", "CHN"] * m.PY["ELE", "USA"] * m.X["ELE", "USA", "CHN"])
        out[rent] = (rent_value, {r: pyo.value(m.INC[r]) / inc0[r] for r in inc0})
        ev = decompose_ev(fresh, implied, steps=4)
        assert float(np.abs(ev.integration_error).max()) < 1e-3 * float(np.abs(ev.ev).max())
    assert out["exporter"][0] > 0 and out["importer"][0] > 0
    # the rent held in China raises China's income and lowers the USA's relative to the exporter case
    assert out["importer"][1]["CHN"] > out["exporter"][1]["CHN"]
    assert out["importer"][1]["USA"] < out["exporter"][1]["USA"]


def test_bad_rent_holder():
    with pytest.raises(ShockError, match="rent of an export_tax"):
        Shock("export_tax", 0.1, region="USA", rent="government")
    with pytest.raises(ShockError, match="rent does not apply"):
        Shock("tariff", 0.1, region="USA", rent="importer")


def test_current_account_needs_fixed_foreign_saving(small_dataset):
    model = cgetrade.CGEModel(cgetrade.calibrate(small_dataset),
                              cgetrade.Closure(foreign_saving_rule="global_bank"))
    with pytest.raises(ShockError, match="foreign_saving_rule = 'global_bank'"):
        Scenario("ca", [Shock("current_account", 1.0, region="R01")]).apply(model)
