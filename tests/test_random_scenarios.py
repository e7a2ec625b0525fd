"""Random shocks under several closures: every converged answer is verified independently of
the solver; every failure is a SolveError with a message, fast."""
import warnings

import numpy as np
import pytest

import cgetrade
from cgetrade.checks import verify_solution
from cgetrade.stress import closure_presets, random_scenario, run_scenario

CASES = [("default", 14), ("global_bank", 6), ("short_run", 4), ("wage_curve", 4), ("cpi_targeting", 4)]


@pytest.fixture(scope="module")
def default_params(default_dataset):
    return cgetrade.calibrate(default_dataset)


@pytest.mark.parametrize("preset,n", CASES)
def test_random_scenarios_are_verified_or_fail_clearly(default_params, preset, n):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cgetrade.CGEModel(default_params, closure_presets(default_params.regions)[preset])
    rng = np.random.default_rng(sum(map(ord, preset)))
    outcomes = [run_scenario(model, random_scenario(rng, default_params), time_limit=20.0)
                for _ in range(n)]
    for out in outcomes:
        assert out.status in ("converged", "failed_clearly"), out.message
        if out.status == "failed_clearly":
            assert out.message and out.seconds < 20.0
    assert sum(o.status == "converged" for o in outcomes) >= 0.75 * n
    # the model is back at its benchmark after every scenario
    assert model.max_residual() <= 1e-8 and model.solve().iterations == 0


def test_verification_catches_a_wrong_answer(fresh_default):
    """The verifier is not a restatement of the solver's acceptance: a point that violates
    the balance of payments or non-negativity fails it."""
    model = fresh_default
    assert all(c.passed for c in verify_solution(model))
    m = model.pyomo
    m.M["ELE", "USA"].set_value(1.1)           # 10 % more imports than anyone demands
    failed = {c.name.split(":")[0] for c in verify_solution(model) if not c.passed}
    assert {"recomputed equations", "balance of payments"} <= failed
    model.reset()
    m.PY["AGR", "CHN"].set_value(-0.1)
    assert any(c.name.startswith("non-negativity") and not c.passed for c in verify_solution(model))


def test_negative_investment_is_refused_with_its_cause(fresh_default):
    from cgetrade.scenario import Scenario, Shock
    from cgetrade.solve import NoEquilibriumError
    scen = Scenario("eas", [Shock("tfp", -0.3, region="EAS")])
    x0 = fresh_default.nlp.x_from_model()
    with pytest.raises(NoEquilibriumError, match=r"investment demand in EAS would be negative.*"
                       r"foreign saving fixed at -105,985.*exceeds regional saving"):
        scen.solve(fresh_default)
    np.testing.assert_allclose(fresh_default.nlp.x_from_model(), x0)     # back at the start


def test_global_bank_keeps_investment_non_negative(default_params):
    from cgetrade.scenario import Scenario, Shock
    model = cgetrade.CGEModel(default_params, cgetrade.Closure(foreign_saving_rule="global_bank"))
    Scenario("eas", [Shock("tfp", -0.3, region="EAS")]).solve(model)
    assert all(c.passed for c in verify_solution(model))
    import pyomo.environ as pyo
    m = model.pyomo
    inv = {r: pyo.value(m.E["investment", r]) for r in m.R}
    assert min(inv.values()) > 0
    # foreign saving adjusts and still sums to zero across the world
    assert abs(sum(pyo.value(m.FSAV[r]) for r in m.R)) < 1e-6 * sum(inv.values())
    assert pyo.value(m.FSAV["EAS"]) != pytest.approx(float(default_params.data.foreign_saving.sel(region="EAS")))
