"""Shipped experiments and the shock API: groups, automation, aggregate targets, variants,
continuation, welfare."""
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade

from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock, ShockError

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"


@pytest.mark.parametrize("name", ["china_ai", "west_automation", "combined", "reshoring",
                                  "china_manufacturing_tfp"])
def test_shipped_experiments_solve_on_default_data(fresh_default, default_dataset, name):
    scen = Scenario.from_toml(EXPERIMENTS / f"{name}.toml")
    options = scen.calibration_options()
    model = cgetrade.CGEModel(cgetrade.calibrate(default_dataset, **options), scen.make_closure()) \
        if options or scen.closure else fresh_default
    sol = scen.solve(model)
    assert sol.max_residual <= 1e-8 and abs(sol.walras_residual) <= 1e-8


def test_variants_are_ordered_and_validated():
    vals = [Scenario.from_toml(EXPERIMENTS / "china_ai.toml", v).shocks[0].value
            for v in ("low", "central", "high")]
    assert vals == sorted(vals) and vals[0] == pytest.approx(0.0066)
    with pytest.raises(ShockError, match="unknown variant 'extreme'"):
        Scenario.from_toml(EXPERIMENTS / "china_ai.toml", "extreme")
    combined = Scenario.from_toml(EXPERIMENTS / "combined.toml", "high")
    assert {s.kind for s in combined.shocks} == {"tfp", "automation"}
    assert combined.calibration_options() == {"skills": True}


def test_aggregate_tfp_target_follows_hulten(fresh_default):
    """A 1 % aggregate TFP target for China raises its real GDP by about 1 %."""
    base = collect(fresh_default)
    Scenario("agg", [Shock("tfp", 0.01, region="CHN", sector="manufacturing", basis="aggregate")]
             ).solve(fresh_default)
    scen = collect(fresh_default)
    growth = float(scen.real_gdp.sel(region="CHN") / base.real_gdp.sel(region="CHN")) - 1
    assert growth == pytest.approx(0.01, rel=0.1)


def test_uniform_productivity_everywhere_scales_real_gdp_exactly(fresh_small):
    """Labour- and capital-augmenting gain g in every sector and region (foreign saving
    scaled alike) multiplies every real GDP by 1 + g and leaves relative prices unchanged."""
    base = collect(fresh_small)
    m = fresh_small.pyomo
    for r in m.R:
        m.fsav[r] = 1.05 * pyo.value(m.fsav[r])
    Scenario("u", [Shock("factor_productivity", 0.05, factor=["labour", "capital"])]).solve(fresh_small)
    scen = collect(fresh_small)
    np.testing.assert_allclose(scen.real_gdp / base.real_gdp, 1.05, rtol=1e-9)
    np.testing.assert_allclose(scen.producer_price, base.producer_price, rtol=1e-9)
    np.testing.assert_allclose(scen.ev_pct_income, 5.0, rtol=1e-8)


def test_automation_displaces_labour_and_raises_capital_share(fresh_default):
    base = collect(fresh_default)
    Scenario("a", [Shock("automation", 0.2, region="west", sector="manufacturing")]).solve(fresh_default)
    scen = collect(fresh_default)
    man, west = ["LMF", "CHM", "MAC", "ELE"], ["USA", "EU", "JPN"]
    jobs0 = base.employment.sel(sector=man, region=west).sum("sector")
    jobs1 = scen.employment.sel(sector=man, region=west).sum("sector")
    assert (jobs1 < 0.95 * jobs0).all()
    # the wage falls relative to the capital rental rate in every automating region
    rel0 = base.factor_price.sel(factor="labour", region=west) / base.factor_price.sel(factor="capital", region=west)
    rel1 = scen.factor_price.sel(factor="labour", region=west) / scen.factor_price.sel(factor="capital", region=west)
    assert (rel1 < rel0).all()
    m = fresh_default.pyomo
    # task shares (own tasks plus automated tasks) still add up to one
    assert pyo.value(m.va_share["labour", "MAC", "USA"]) + pyo.value(m.va_share["capital", "MAC", "USA"]) \
        + pyo.value(m.auto_share["labour", "MAC", "USA"]) == pytest.approx(1.0, abs=1e-12)


def test_groups_and_impossible_values(fresh_default):
    s = Shock("tfp", 0.1, region="west", sector="manufacturing")
    changes = s.resolve(fresh_default, Scenario("x", [s]).groups)
    assert len(changes) == 3 * 4
    with pytest.raises(ShockError, match="unknown sector \\['robots'\\]"):
        Shock("tfp", 0.1, sector="robots").resolve(fresh_default)
    with pytest.raises(ShockError, match="0 <= value < 1"):
        Shock("automation", 1.2)


def test_large_shock_is_reached_by_continuation(fresh_small):
    scen = Scenario("big", [Shock("tfp", 1.5, region="R01")])
    sol = scen.solve(fresh_small, method="ipopt", ipopt_options={"max_iter": 4})
    assert sol.info["reached_by"].startswith("continuation")
    assert pyo.value(fresh_small.pyomo.tfp["S01", "R01"]) == pytest.approx(2.5)


def test_welfare_and_prices_at_zero_shock(fresh_default):
    fresh_default.solve()
    res = collect(fresh_default)
    np.testing.assert_allclose(res.ev, 0.0, atol=1e-6)
    np.testing.assert_allclose(res.cpi_laspeyres, 1.0, atol=1e-12)
    np.testing.assert_allclose(res.import_source_share.sum("source"), 1.0, atol=1e-12)


@pytest.mark.parametrize("shocks", [
    [Shock("tfp", 0.05, region="CHN", sector="manufacturing")],
    [Shock("automation", 0.1, region="west", sector="manufacturing"),
     Shock("factor_productivity", 0.1, factor="capital", region="west", sector="manufacturing")],
    [Shock("tariff", 0.2, region="USA", source="CHN", sector="manufacturing")],
])
def test_ev_decomposition_adds_up(fresh_default, shocks):
    from cgetrade.welfare import COMPONENTS, decompose_ev
    fresh_default.solve()
    base = collect(fresh_default)
    d = decompose_ev(fresh_default, Scenario("d", shocks), steps=8)
    total = sum(d[c] for c in COMPONENTS)
    np.testing.assert_allclose(total, d.ev, rtol=1e-5, atol=0.1)          # USD m
    # the EV is the one reported in the results
    np.testing.assert_allclose(d.ev, collect(fresh_default).ev, rtol=1e-10)
    # technology gains accrue only where technology changed
    shocked = {r for s in shocks if s.kind != "tariff" for r in
               (["USA", "EU", "JPN"] if s.region == ["west"] else s.region)}
    for r in set(d.region.values) - shocked:
        assert abs(float(d.technology.sel(region=r))) < 1e-6
    assert float(base.ev.sum()) == pytest.approx(0.0, abs=1e-6)


def test_tariff_welfare_signs(fresh_default):
    """A US tariff on Chinese manufactures: China's terms of trade worsen and its EV falls;
    the US gains terms of trade but loses allocative efficiency."""
    from cgetrade.welfare import decompose_ev
    fresh_default.solve()
    d = decompose_ev(fresh_default, Scenario("t", [Shock("tariff", 0.2, region="USA", source="CHN",
                                                         sector="manufacturing")]), steps=8)
    assert float(d.terms_of_trade.sel(region="CHN")) < 0 and float(d.ev.sel(region="CHN")) < 0
    assert float(d.terms_of_trade.sel(region="USA")) > 0
    assert float(d.allocative.sel(region="USA")) < 0
