"""Nominal side, labour-market closures and monetary regimes."""
import warnings

import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade.model import Closure
from cgetrade.policy import cpi_decomposition, evaluate, inflation_frontier
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock

SHOCK = Scenario("cn", [Shock("tfp", 0.1, region="CHN", sector="manufacturing"),
                        Shock("automation", 0.1, region="west", sector="manufacturing")])
REAL = ("Y", "M", "U")


@pytest.fixture(scope="module")
def params(default_dataset):
    return cgetrade.calibrate(default_dataset)


def _solve(params, labour, regime, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cgetrade.CGEModel(params, Closure(labour=labour, monetary={"*": regime, "USA": "cpi"}, **kw))
    model.solve()
    base = collect(model)
    SHOCK.solve(model)
    return model, base, collect(model)


def _real(model):
    m = model.pyomo
    return np.concatenate([[v.value for v in getattr(m, n).values()] for n in REAL])


def test_neutrality_with_flexible_wages(params):
    reals = [_real(_solve(params, "flexible", reg)[0]) for reg in ("cpi", "ngdp", ("peg", "USA"), "money")]
    for r in reals[1:]:
        np.testing.assert_allclose(r, reals[0], rtol=1e-8, atol=1e-10)


def test_non_neutrality_with_sticky_wages(params):
    u = {reg: collect(_solve(params, "wage_curve", reg)[0]).unemployment_rate.sel(region=["EU", "JPN"]).values
         for reg in ("cpi", ("peg", "USA"))}
    assert np.max(np.abs(u["cpi"] - u[("peg", "USA")])) > 1e-4


def test_strict_cpi_targeting_holds_cpi(params):
    model, base, scen = _solve(params, "wage_curve", "cpi")
    np.testing.assert_allclose(scen.cpi_local, 1.0, atol=1e-9)
    assert float(abs(scen.unemployment_rate - base.unemployment_rate).max()) > 1e-5


def test_peg_keeps_exchange_rate(params):
    model, base, scen = _solve(params, "wage_curve", ("peg", "USA"))
    np.testing.assert_allclose(scen.exchange_rate, 1.0, atol=1e-12)
    assert float(abs(scen.cpi_local - 1).max()) > 1e-4


def test_cpi_decomposition_adds_up(params):
    model, base, scen = _solve(params, "wage_curve", "ngdp")
    d = cpi_decomposition(base, scen)
    np.testing.assert_allclose(d.cpi_import_pct + d.cpi_domestic_pct, d.cpi_pct, atol=1e-9)
    assert float(abs(d.cpi_pct).max()) > 1e-3


def test_wage_curve_holds(params):
    model, base, scen = _solve(params, "wage_curve", "ngdp", kappa=0.3, phi=0.12)
    lhs = np.log(scen.wage_local.values)
    rhs = 0.3 * np.log(scen.cpi_local.values) - 0.12 * np.log(scen.unemployment_rate.values /
                                                               base.unemployment_rate.values)
    np.testing.assert_allclose(lhs, rhs, atol=1e-9)


def test_frontier_is_monotone_in_lambda(params):
    fr = inflation_frontier(params, SHOCK, lambdas=(0.0, 0.5, 2.0, 10.0))
    pi, u = fr.cpi_pct.values, fr.unemployment_gap_pp.values          # (lambda, region)
    assert np.all(np.diff(np.abs(pi), axis=0) >= -1e-9)
    assert np.all(np.diff(np.abs(u), axis=0) <= 1e-9)
    assert np.all(np.abs(pi[0]) < 1e-7)                                  # lambda 0 = strict CPI


def test_invalid_regimes_are_rejected(params):
    with pytest.raises(ValueError, match="anchor"):
        cgetrade.CGEModel(params, Closure(labour="wage_curve", monetary={"*": ("peg", "USA")}))
    with pytest.raises(ValueError, match="unknown monetary regime"):
        cgetrade.CGEModel(params, Closure(labour="wage_curve", monetary={"*": "gold"}))
    with pytest.raises(ValueError, match="missing for region"):
        cgetrade.CGEModel(params, Closure(labour="wage_curve", monetary={"USA": "cpi"}))
    with pytest.warns(UserWarning, match="neutrality"):
        cgetrade.CGEModel(params, Closure(monetary={"*": "cpi"}))


def test_benchmark_replicates_with_nominal_side(params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cgetrade.CGEModel(params, Closure(labour="wage_curve", monetary={"*": "ngdp", "USA": "cpi"}))
    assert model.max_residual() < 1e-12
    assert model.solve().iterations == 0
    assert pyo.value(model.pyomo.U["labour", "USA"]) == pytest.approx(0.089)


def test_short_run_sector_specific_labour_unemployment_by_sector(params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cgetrade.CGEModel(params, Closure(labour="wage_curve", sector_specific=("labour", "capital"),
                                                  monetary={"*": "cpi"}))
    assert model.solve().iterations == 0
    Scenario("a", [Shock("automation", 0.1, region="west", sector="manufacturing")]).solve(model)
    res = collect(model)
    u = res.unemployment_rate_sector.sel(region="EU")
    # automation displaces labour in manufacturing, where the short-run wage cannot fall enough
    assert float(u.sel(sector=["MAC", "ELE"]).min()) > float(u.sel(sector=["AGR", "SRV"]).max())
    # the regional rate is the labour-force-weighted mean of the sector rates
    lf = res.unemployed_sector.sel(region="EU") / u
    assert float(res.unemployment_rate.sel(region="EU")) == pytest.approx(float((u * lf).sum() / lf.sum()), rel=1e-9)
