"""Price-target shocks, trade-cost, tariff, subsidy and export-restriction shocks, the shipped
china_process / industrial_policy / ai_trade_costs scenarios, and headline deflators."""
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade.model.trade import export_price
from cgetrade.results import HeadlineError, collect, compare, headline_deflator, provenance
from cgetrade.scenario import Scenario, Shock, ShockError

EXPERIMENTS = Path(str(resources.files("cgetrade.experiments")))


@pytest.fixture(scope="module")
def model(default_dataset):
    """A model of its own: price-target blocks are added to it."""
    m = cgetrade.CGEModel(cgetrade.calibrate(default_dataset, skills=True))
    m.solve()
    return m


@pytest.fixture
def fresh(model):
    model.reset()
    model.solve()
    yield model
    model.reset()


def relative_export_price(model, j, r):
    m = model.pyomo
    return pyo.value(export_price(m, j, r) / m.PW)


def test_price_target_is_hit_and_its_implied_shock_reproduces_the_equilibrium(fresh):
    scen = Scenario("target", [
        Shock("automation", 0.3, region="CHN", sector="ELE", factor="labour_medium", cost_saving=0.3),
        Shock("tfp", region="CHN", sector=["ELE", "MAC"], target={"measure": "export_price", "value": -0.2})])
    with pytest.raises(ShockError, match="price-target"):
        scen.targets(fresh)                     # never applied silently as a plain shock
    scen.prepare(fresh)
    fresh.solve()
    before = {j: relative_export_price(fresh, j, "CHN") for j in ("ELE", "MAC")}
    implied = scen.implied(fresh)
    # the model is back at its starting point, the target shocks replaced by plain TFP shocks
    assert relative_export_price(fresh, "ELE", "CHN") == pytest.approx(before["ELE"], abs=1e-12)
    assert not implied.has_targets and len(implied.shocks) == 3
    values = {x["sector"]: x["implied_value"] for x in implied.implied_shocks}
    assert values["ELE"] > 0.05 and values["MAC"] > 0.05       # productivity rises
    implied.solve(fresh)                                        # applied directly
    for j in ("ELE", "MAC"):
        assert relative_export_price(fresh, j, "CHN") / before[j] - 0.8 == pytest.approx(0, abs=1e-8)
    assert fresh.max_residual() < 1e-8 and abs(fresh.walras_residual()) < 1e-8
    direct = collect(fresh)
    # the same equilibrium as with the targets binding (instruments endogenous)
    from cgetrade.pricetargets import prepare
    fresh.reset()
    fresh.solve()
    blocks = prepare(scen, fresh)
    try:
        Scenario("plain", [scen.shocks[0]]).apply(fresh)
        for _, t, _ in blocks:
            t.set_targets({g: 0.8 * before[g.split("@")[0]] for g in t.groups})
        fresh.solve()
        with_targets = collect(fresh)
    finally:
        for _, t, _ in blocks:
            t.fix_instruments({g: 1.0 for g in t.groups})
    for v in ("producer_price", "output", "bilateral_trade", "factor_price", "ev"):
        a, b = direct[v].values, with_targets[v].values
        assert np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)) < 1e-7, v


def test_automation_price_target_solves_for_the_automated_share(fresh):
    scen = Scenario("auto", [Shock("automation", region="CHN", sector="MAC", cost_saving=0.3,
                                   factor=["labour_medium", "labour_low"],
                                   target={"measure": "producer_price", "value": -0.01})])
    scen.prepare(fresh)
    fresh.solve()
    p0 = pyo.value(fresh.pyomo.PY["MAC", "CHN"] / fresh.pyomo.PW)
    implied = scen.implied(fresh)
    share = implied.implied_shocks[0]["implied_value"]
    assert 0 < share < 1
    assert implied.shocks[0].kind == "automation" and implied.shocks[0].cost_saving == 0.3
    implied.solve(fresh)
    p1 = pyo.value(fresh.pyomo.PY["MAC", "CHN"] / fresh.pyomo.PW)
    assert p1 / p0 - 0.99 == pytest.approx(0, abs=1e-8)


def test_unreachable_automation_target_is_a_clear_error(fresh):
    scen = Scenario("auto", [Shock("automation", region="CHN", sector="MAC", cost_saving=0.3,
                                   target={"measure": "export_price", "value": -0.5})])
    scen.prepare(fresh)
    fresh.solve()
    with pytest.raises(ShockError, match="cannot be reached"):
        scen.implied(fresh, max_steps=2)


@pytest.mark.parametrize("bad, match", [
    (dict(kind="tariff", value=0.1, target={"measure": "export_price", "value": -0.1}), "a target can be stated"),
    (dict(kind="tfp", target={"measure": "cpi", "value": -0.1}), "unknown target measure"),
    (dict(kind="tfp", target={"value": -1.5}), "relative change"),
    (dict(kind="production_tax", value=0.1, mode="multiply"), "mode"),
    (dict(kind="trade_cost", value=-1.0), "need > -1"),
])
def test_bad_shocks_are_refused(bad, match):
    with pytest.raises(ShockError, match=match):
        Shock(**bad)


def test_tariff_on_chinese_ele_raises_us_import_price_and_cuts_chinese_exports(fresh):
    base = collect(fresh)
    Scenario("tariff", [Shock("tariff", 0.25, region="USA", source="CHN", sector="ELE")]).solve(fresh)
    res = compare(base, collect(fresh))
    assert float(res.import_price_pct.sel(commodity="ELE", region="USA")) > 0.5
    assert float(res.bilateral_trade_pct.sel(commodity="ELE", source="CHN", region="USA")) < -10


def test_production_subsidy_lowers_the_price_and_raises_output(fresh):
    base = collect(fresh)
    Scenario("subsidy", [Shock("production_tax", -0.05, region="USA", sector="ELE")]).solve(fresh)
    res = compare(base, collect(fresh))
    assert float(res.producer_price_pct.sel(sector="ELE", region="USA")) < -1
    assert float(res.output_pct.sel(sector="ELE", region="USA")) > 1
    assert float(res.exports_pct.sel(commodity="ELE", region="USA")) > 1
    with pytest.raises(ShockError, match="production tax"):
        Scenario("x", [Shock("production_tax", -1.5, region="USA", sector="ELE")]).targets(fresh)


def test_export_restriction_cuts_the_restricted_flow(fresh):
    base = collect(fresh)
    Scenario("controls", [Shock("export_tax", 1.0, region="USA", destination="CHN", sector="ELE")]).solve(fresh)
    res = compare(base, collect(fresh))
    assert float(res.bilateral_trade_pct.sel(commodity="ELE", source="USA", region="CHN")) < -50


def test_lower_trade_costs_raise_trade_and_leave_the_benchmark_alone(fresh):
    m = fresh.pyomo
    assert all(pyo.value(v) == 1.0 for v in m.tau.values())       # benchmark: tau = 1
    base = collect(fresh)
    Scenario("ai", [Shock("trade_cost", -0.05, sector="goods")]).solve(fresh)
    res = compare(base, collect(fresh))
    world = res.bilateral_trade.sum(("commodity", "source", "region"))
    assert float(world.sel(case="scenario") / world.sel(case="baseline")) > 1.05
    goods = ["AGR", "ENE", "LMF", "CHM", "MAC", "ELE"]
    by_good = res.bilateral_trade.sel(commodity=goods).sum(("source", "region"))
    assert (by_good.sel(case="scenario") > 1.03 * by_good.sel(case="baseline")).all()
    assert (res.import_price_pct.sel(commodity="MAC") < 0).all()
    assert fresh.max_residual() < 1e-8 and abs(fresh.walras_residual()) < 1e-8


def test_headline_tables_refuse_a_cpi_without_its_deflator(fresh):
    from cgetrade.report.tables import summary_table
    base = collect(fresh)
    scen = Scenario("t", [Shock("tfp", 0.05, region="CHN", sector="ELE")])
    scen.solve(fresh)
    res = compare(base, collect(fresh))
    res["employment_change"] = res["employment"].sel(case="scenario") - res["employment"].sel(case="baseline")
    with pytest.raises(HeadlineError, match="deflator"):
        summary_table(res, ["USA"])
    res.attrs.update(provenance(fresh, scen))
    text, monetary = headline_deflator(res)
    assert "world export price index" in text and not monetary
    table = summary_table(res, ["USA"])
    assert table.splitlines()[0].startswith("prices: relative to the world export price index")
    assert "RER %" in table and "CPI %" not in table


def test_monetary_headline_states_anchor_and_closure(default_dataset):
    from dataclasses import replace
    closure = replace(cgetrade.Closure(), monetary={"*": "ngdp"}, labour="wage_curve")
    model = cgetrade.CGEModel(cgetrade.calibrate(default_dataset), closure)
    attrs = provenance(model)
    text, monetary = headline_deflator(attrs_only(attrs))
    assert monetary and "USA ngdp" in text and "wage_curve" in text and "local currency" in text


def attrs_only(attrs):
    import xarray as xr
    return xr.Dataset(attrs=attrs)


def test_shipped_scenarios_parse_with_targets_and_policy_layers():
    cp = Scenario.from_toml(EXPERIMENTS / "china_process.toml", variant="high")
    targets = [s for s in cp.shocks if s.target]
    assert [s.target["value"] for s in targets] == [-0.18, -0.07]
    ip = Scenario.from_toml(EXPERIMENTS / "industrial_policy.toml")
    kinds = {s.kind for s in ip.shocks}
    assert {"tariff", "production_tax", "export_tax", "tfp", "automation"} <= kinds
    assert {s.origin for s in ip.shocks if s.target} == {"china_process_technology.toml", "export_controls.toml"}
    controls = [s for s in ip.shocks if s.kind == "export_tax"]
    assert [(s.target["measure"], s.rent) for s in controls] == [("bilateral_trade", "importer")]
    assert any(s.kind == "tariff" and s.region == ["CHN"] and s.source == ["USA"] for s in ip.shocks)
    assert {s.driver for s in cp.shocks} == {"technology", "involution", "saving", "subsidies"}
    assert not any(s.driver for s in ip.shocks if s.origin == "industrial_policy.toml")
    surplus = Scenario.from_toml(EXPERIMENTS / "china_process_surplus.toml")
    assert surplus.make_closure().labour_closures(["CHN", "USA"], ["labour_low"]) == {
        ("labour_low", "CHN"): "surplus_labour", ("labour_low", "USA"): "flexible"}
    tc = Scenario.from_toml(EXPERIMENTS / "ai_trade_costs.toml", variant="low")
    assert [s.value for s in tc.shocks] == [-0.025, -0.05]


def test_industrial_policy_resolves_china_process_targets_as_china_process_does(fresh):
    cp = Scenario.from_toml(EXPERIMENTS / "china_process.toml")
    ip = Scenario.from_toml(EXPERIMENTS / "industrial_policy.toml")
    cp.prepare(fresh)
    ip.prepare(fresh)
    fresh.solve()
    a = {(x["sector"], x["region"]): x["implied_value"] for x in cp.implied(fresh).implied_shocks}
    b = {(x["sector"], x["region"]): x["implied_value"] for x in ip.implied(fresh).implied_shocks
         if x["kind"] == "tfp"}
    assert a.keys() == b.keys() == {("ELE", "CHN"), ("MAC", "CHN")}
    for k in a:
        assert a[k] == pytest.approx(b[k], abs=1e-8)


def test_cli_runs_industrial_policy(tmp_path, capsys):
    from cgetrade.cli import main
    out = tmp_path / "ip.nc"
    assert main(["run", "industrial_policy", "--out", str(out), "--json"]) == 0
    head = json.loads(capsys.readouterr().out)
    assert "world export price index" in head["cpi_deflator"]
    import xarray as xr
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        implied = json.loads(ds.attrs["implied_shocks"])
        assert {x["sector"] for x in implied} == {"ELE", "MAC"}
        # the export controls: a positive tax equivalent cuts each Western ELE flow to China
        quota = [x for x in implied if x["kind"] == "export_tax"]
        assert {x["region"] for x in quota} == {"USA", "JPN", "EU"}
        assert all(0 < x["implied_value"] < 0.1 for x in quota)
        assert ds.attrs["scenario"] == "industrial_policy" and "closure" in ds.attrs
        assert "cgetrade_version" in ds.attrs and "nominal_anchor" in ds.attrs
        us = float(ds.bilateral_import_price_pct.sel(commodity="ELE", source="CHN", region="USA"))
        assert us > 20                                           # the tariff raises it
        assert np.isfinite(ds.ev_integration_error.values).all()


def test_export_quota_is_an_export_tax_target_on_the_flow(fresh):
    scen = Scenario("quota", [Shock("export_tax", region="USA", destination="CHN", sector="ELE",
                                    target={"measure": "bilateral_trade", "value": -0.4})])
    scen.prepare(fresh)
    fresh.solve()
    x0 = pyo.value(fresh.pyomo.X["ELE", "USA", "CHN"])
    implied = scen.implied(fresh)
    tax = implied.implied_shocks[0]["implied_value"]
    assert tax > 0 and implied.shocks[0].destination == ["CHN"]
    implied.solve(fresh)
    assert pyo.value(fresh.pyomo.X["ELE", "USA", "CHN"]) / x0 - 0.6 == pytest.approx(0, abs=1e-8)
    with pytest.raises(ShockError, match="unknown target measure"):
        Shock("tfp", target={"measure": "bilateral_trade", "value": -0.1})


def test_cli_run_china_process_prints_the_driver_decomposition(tmp_path, capsys):
    from cgetrade.cli import main
    assert main(["run", "china_process", "--out", str(tmp_path / "cp.nc")]) == 0
    text = capsys.readouterr().out
    assert "Drivers of china_process (Shapley values over 4 drivers, 16 solves" in text
    rows = {ln.split("  ")[0].strip(): ln.split()[-5:] for ln in text.splitlines()
            if ln.startswith(("trade balance, % of GDP", "export price index"))}
    tech, inv, saving, subs, total = map(float, rows["trade balance, % of GDP"])
    assert saving == pytest.approx(1.2, abs=0.005) and total == pytest.approx(1.2, abs=0.005)
    parts = list(map(float, rows["export price index, %"]))
    assert sum(parts[:4]) == pytest.approx(parts[4], abs=0.02) and all(p < 0 for p in parts)
    import xarray as xr
    with xr.open_dataset(tmp_path / "cp.nc", engine="h5netcdf") as ds:
        assert "| trade balance, % of GDP | +0.00 | +0.00 | +1.20 | +0.00 | +1.20 |" in ds.attrs["driver_decomposition"]
