"""Elastic factor supply (idle capacity): ln S[f,r] = eps (ln W[f,r] - ln P_f[r]) with
P_f the household price index for labour and the price of capital goods for capital."""
import math

import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade import checks
from cgetrade.data import synthetic_dataset
from cgetrade.errors import ClosureError
from cgetrade.model import Closure
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario, Shock
from cgetrade.solve.bridge import CompiledNLP

SHOCK = Scenario("t", [Shock("tfp", 0.05, region="R01")])


@pytest.fixture(scope="module")
def params():
    return cgetrade.calibrate(synthetic_dataset(3, 4, seed=1, skills=True), skills=True)


@pytest.fixture(scope="module")
def elastic(params):
    return cgetrade.CGEModel(params, Closure(supply_elasticity={"R01": {"labour": 0.5, "capital": 1.0}}))


def _shocked(model, **eps):
    """Baseline and TFP-shocked results; ``eps`` sets supply elasticities after the reset
    (``reset`` restores every parameter to its built value)."""
    model.reset()
    for key, value in eps.get("eps", {}).items():
        model.pyomo.supply_eps[key] = value
    model.solve()
    base = collect(model)
    SHOCK.solve(model)
    return base, collect(model)


def test_benchmark_homogeneity_and_walras_with_elastic_supply(elastic):
    for check in checks.run_all(elastic, SHOCK):
        assert check.passed, (check.name, check.value, check.detail)
    elastic.reset()


def test_supply_follows_its_real_price(params, elastic):
    _, _ = _shocked(elastic)
    m = elastic.pyomo
    for h in m.L:
        real = pyo.value(m.W[h, "R01"] / m.P_H["household", "R01"])
        assert pyo.value(m.S[h, "R01"]) == pytest.approx(real ** 0.5, rel=1e-9)
        assert pyo.value(m.S[h, "R01"]) > 1.0        # TFP raises the real wage and draws labour in
        assert pyo.value(m.S[h, "R02"]) == 1.0       # other regions keep their endowments
    real_rental = pyo.value(m.W["capital", "R01"] / m.P_H["investment", "R01"])
    assert pyo.value(m.S["capital", "R01"]) == pytest.approx(real_rental, rel=1e-9)
    elastic.reset()


def test_zero_elasticity_is_the_fixed_endowment(params, elastic):
    fixed = cgetrade.CGEModel(params)
    b0, s0 = _shocked(fixed)
    elastic.nlp                                     # compiled (once) before the change
    before = CompiledNLP.compiles
    b1, s1 = _shocked(elastic, eps=dict.fromkeys(elastic.pyomo.supply_eps, 0.0))
    assert CompiledNLP.compiles == before          # eps is a parameter of the compiled functions
    elastic.reset()
    r0, r1 = compare(b0, s0), compare(b1, s1)
    for v in ("output_pct", "factor_price_pct", "real_exchange_rate_pct", "persons_change"):
        np.testing.assert_allclose(r1[v], r0[v], atol=1e-9)


def test_more_elastic_supply_takes_more_of_a_boom_in_quantities(params):
    """Along eps the real wage rises less and employment more; at a large eps the model
    approaches the surplus-labour closure (real wage fixed)."""
    gains = {}
    for eps in (0.5, 2.0, 1e4):
        model = cgetrade.CGEModel(params, Closure(supply_elasticity={"R01": {"labour": eps}}))
        base, scen = _shocked(model)
        res = compare(base, scen)
        gains[eps] = (float(res.real_wage_by_skill_pct.sel(region="R01").mean()),
                      float(res.persons_change.sel(region="R01").sum()))
    assert gains[0.5][0] > gains[2.0][0] > gains[1e4][0] > 0
    assert gains[0.5][1] < gains[2.0][1] < gains[1e4][1]
    lewis = cgetrade.CGEModel(params, Closure(labour={"R01": "surplus_labour", "*": "flexible"}))
    base, scen = _shocked(lewis)
    res = compare(base, scen)
    assert gains[1e4][1] == pytest.approx(float(res.persons_change.sel(region="R01").sum()), rel=2e-3)
    assert math.isclose(float(res.real_wage_by_skill_pct.sel(region="R01").mean()), 0.0, abs_tol=1e-7)


@pytest.mark.parametrize("spec, match", [
    ({"R01": -1.0}, "must be a number >= 0"),
    ({"R01": {"land": 1.0}}, "unknown factor"),
    ({"R09": 1.0}, "unknown region"),
    ([1.0], "must be a dict"),
])
def test_bad_supply_elasticities_are_refused(params, spec, match):
    with pytest.raises(ClosureError, match=match):
        cgetrade.CGEModel(params, Closure(supply_elasticity=spec))


def test_conflicting_closures_are_refused(params):
    with pytest.raises(ClosureError, match="conflicts"):
        cgetrade.CGEModel(params, Closure(labour={"R01": "surplus_labour", "*": "flexible"},
                                          supply_elasticity={"R01": {"labour": 1.0}}))
    with pytest.raises(ClosureError, match="conflicts"):
        cgetrade.CGEModel(params, Closure(capital="rate_of_return", supply_elasticity={"R01": 1.0}))
    with pytest.raises(ClosureError, match="sector-specific"):
        cgetrade.CGEModel(params, Closure(mobility={"capital": "specific"},
                                          supply_elasticity={"R01": {"capital": 1.0}}))
