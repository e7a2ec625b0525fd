"""Optimal policy over the equilibrium (cgetrade.optimal): derivatives, optima, bad input
(its page is checked by tests/test_docs_generated.py)."""
from pathlib import Path

import numpy as np
import pytest

import cgetrade
from cgetrade.optimal import Instrument, PolicyError, PolicyProblem, read_problem, solve_problem
from cgetrade.scenario import Shock

MANUF = ["LMF", "CHM", "MAC", "ELE"]


@pytest.fixture(scope="module")
def model():
    m = cgetrade.CGEModel(cgetrade.calibrate(cgetrade.data.load_default()))
    m.solve()
    return m


def _instruments():
    return [Instrument(Shock("tariff", 0.0, region="USA", source="CHN", sector=MANUF), 0.0, 1.0),
            Instrument(Shock("tariff", 0.0, region="USA", source="EU", sector="*"), 0.0, 1.0),
            Instrument(Shock("production_tax", 0.0, region="USA", sector="ELE"), -0.2, 0.0)]


def test_gradient_equals_finite_differences(model):
    prob = PolicyProblem(model, _instruments(), ["USA"], MANUF, jobs_floor={"USA": 0.0})
    u = np.array([0.05, 0.03, -0.02])
    h, grad = prob.evaluate(u)
    for k in range(len(u)):
        e = np.zeros_like(u)
        e[k] = 1e-5
        fd = (prob.evaluate(u + e)[0] - prob.evaluate(u - e)[0]) / 2e-5
        np.testing.assert_allclose(grad[:, k], fd, rtol=1e-5, atol=1e-8)
    prob.set_rates(np.zeros_like(u))
    model.solve()


def test_optimal_tariff_is_positive_and_interior(model):
    """A large importer facing Armington supply gains from a small tariff (terms of trade):
    the optimum is interior, beats free trade and its neighbours."""
    ins = [Instrument(Shock("tariff", 0.0, region="USA", source="CHN", sector=MANUF), 0.0, 1.0)]
    prob = PolicyProblem(model, ins, ["USA"], MANUF)
    opt = prob.solve()
    u = opt.rates[0]
    assert 0.01 < u < 0.5
    w = lambda x: prob.evaluate(np.array([x]))[0][0]  # noqa: E731
    assert opt.welfare > w(0.0) + 1e-4
    assert opt.welfare >= max(w(u - 0.02), w(u + 0.02))
    prob.set_rates([0.0])
    model.solve()


def test_jobs_floor_holds_at_the_optimum(model):
    ins = _instruments()
    base_jobs = sum(float(np.asarray(model.pyomo.employment[j, "USA"]())) for j in MANUF)
    prob = PolicyProblem(model, ins, ["USA"], MANUF, jobs_floor={"USA": base_jobs + 50.0})
    opt = prob.solve()
    assert opt.jobs[0] >= base_jobs + 50.0 - 1e-4
    free = PolicyProblem(model, ins, ["USA"], MANUF).solve()
    assert free.welfare >= opt.welfare - 1e-9      # a constraint cannot raise welfare
    prob.set_rates(np.zeros(len(ins)))
    model.solve()


def test_bad_input(model, tmp_path):
    ins = _instruments()
    with pytest.raises(PolicyError, match="unknown region"):
        PolicyProblem(model, ins, ["XYZ"], MANUF)
    with pytest.raises(PolicyError, match="outside the policy group"):
        PolicyProblem(model, ins, ["USA"], MANUF, jobs_floor={"EU": 1.0})
    with pytest.raises(PolicyError, match="not a policy instrument"):
        Instrument(Shock("tfp", 0.0, region="USA"), 0.0, 1.0)
    with pytest.raises(PolicyError, match="bounds"):
        Instrument(Shock("tariff", 0.0, region="USA"), 0.5, 0.1)
    bad = tmp_path / "p.toml"
    bad.write_text('scenario = "missing.toml"\nregions = ["USA"]\n[[instrument]]\nkind = "tariff"\n')
    with pytest.raises(PolicyError, match="not found"):
        read_problem(bad)
    bad.write_text('scenario = "x.toml"\nregions = ["USA"]\n[[instrument]]\nkind = "subsidy"\n')
    with pytest.raises(PolicyError, match="kind must be one of"):
        read_problem(bad)


def test_enacted_rates_must_be_uniform(tmp_path):
    """An instrument whose parameters the scenario moves by different amounts is refused."""
    (tmp_path / "s.toml").write_text(
        '[[shock]]\nkind = "tariff"\nregion = "USA"\nsource = "CHN"\nsector = "ELE"\nvalue = 0.2\n'
        '[[shock]]\nkind = "tariff"\nregion = "USA"\nsource = "CHN"\nsector = "MAC"\nvalue = 0.1\n')
    (tmp_path / "p.toml").write_text(
        'scenario = "s.toml"\nregions = ["USA"]\n[[instrument]]\nkind = "tariff"\nregion = "USA"\n'
        'source = "CHN"\nsector = ["ELE", "MAC"]\nupper = 1.0\n')
    with pytest.raises(PolicyError, match="different amounts"):
        solve_problem(tmp_path / "p.toml")
