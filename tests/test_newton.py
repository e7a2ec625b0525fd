"""Newton's method with a sparse LU agrees with Ipopt, reuses factors, and falls back to Ipopt."""
import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade.data import synthetic_dataset
from cgetrade.model import Closure
from cgetrade.scenario import Scenario, Shock
from cgetrade.solve import SolveError
from cgetrade.solve.bridge import residual_expr
from cgetrade.solve.newton import available_linear_solvers

#: Ipopt driven to the rounding floor so that its solution can be compared to 1e-10
TIGHT = {"tol": 1e-13, "constr_viol_tol": 1e-13}

SHOCKS = [
    [Shock("tfp", 0.1, region="*", sector="*")],
    [Shock("tariff", 0.25, region="USA", source="CHN")],
    [Shock("tfp", -0.2, region="CHN", sector="*"), Shock("tariff", 0.1, region="EU")],
]


def _solve_both(model, shocks, **newton_kw):
    """Solutions (x) of the shocked model by Newton and by Ipopt from the same point; the
    model is left as it was."""
    scen = Scenario("s", shocks)
    x0 = model.nlp.x_from_model()
    start, final = scen.endpoints(model)
    out = {}
    try:
        for method, kw in (("newton", newton_kw), ("ipopt", {"ipopt_options": TIGHT})):
            model.nlp.to_model(x0)
            scen.move(model, start, final, 1.0)
            sol = model.solve(method=method, **kw)
            assert sol.info["solver"] == method and sol.max_residual <= 1e-8
            out[method] = model.nlp.x_from_model()
    finally:
        scen.move(model, start, final, 0.0)
        model.nlp.to_model(x0)
    return out


@pytest.mark.parametrize("shocks", SHOCKS)
def test_newton_agrees_with_ipopt_on_the_default_dataset(default_model, shocks):
    x = _solve_both(default_model, shocks)
    assert np.max(np.abs(x["newton"] - x["ipopt"])) <= 1e-10
    assert np.max(np.abs(x["newton"] - 1)) > 1e-3          # the shock moved the economy


@pytest.fixture(scope="module")
def model_10x10():
    return cgetrade.CGEModel(cgetrade.calibrate(synthetic_dataset(10, 10, seed=0)))


SHOCKS_10x10 = [[Shock("tfp", 0.1, region="R01", sector=["S01", "S02"])],
                [Shock("tariff", 0.3, region="R02")],
                [Shock("endowment", -0.1, factor="capital")]]


@pytest.mark.parametrize("case", range(3))
def test_newton_agrees_with_ipopt_on_a_synthetic_10x10(model_10x10, case):
    """Each shock with another sparse LU (every available one is used)."""
    solvers = available_linear_solvers()
    model_10x10.nlp._newton_cache = None
    x = _solve_both(model_10x10, SHOCKS_10x10[case], linear_solver=solvers[case % len(solvers)])
    assert np.max(np.abs(x["newton"] - x["ipopt"])) <= 1e-10


def test_repeated_shocks_reuse_the_factorisation(fresh_default):
    """A sweep: after the first point no Jacobian is factorised, and the answers equal those
    of cold Newton solves."""
    model = fresh_default
    x_bench = model.nlp.x_from_model()
    sweep = [Scenario("s", [Shock("tfp", v, region="CHN")]) for v in (0.01, 0.02, 0.03)]
    moves = [scen.endpoints(model) for scen in sweep]       # from the benchmark parameters
    warm, factorisations = [], []
    for scen, (start, final) in zip(sweep, moves):           # warm: from the last point
        scen.move(model, start, final, 1.0)
        sol = model.solve(method="newton")
        factorisations.append(sol.info["factorisations"])
        warm.append(model.nlp.x_from_model())
        scen.move(model, start, final, 0.0)
    assert factorisations[1:] == [0, 0]
    for scen, (start, final), xw in zip(sweep, moves, warm):
        model.nlp.to_model(x_bench)
        scen.move(model, start, final, 1.0)
        sol = model.solve(method="newton", reuse=False)
        assert sol.info["factorisations"] >= 1
        np.testing.assert_allclose(model.nlp.x_from_model(), xw, rtol=0, atol=1e-12)
        scen.move(model, start, final, 0.0)


def test_auto_falls_back_to_ipopt_where_newton_fails(fresh_small):
    """A starting point far from equilibrium where the damped Newton line search stalls."""
    nlp = fresh_small.nlp
    x0 = nlp.x_from_model()
    far = x0 * np.exp(np.random.default_rng(10).normal(0, 0.3, nlp.n))
    nlp.to_model(far)
    with pytest.raises(SolveError) as err:
        fresh_small.solve(method="newton", reuse=False)
    assert "Newton" in str(err.value) and err.value.worst
    nlp.to_model(far)
    sol = fresh_small.solve(method="auto", reuse=False)
    assert sol.info["solver"] == "ipopt" and "Newton" in sol.info["newton"]
    assert np.max(np.abs(nlp.x_from_model() - x0)) <= 1e-9     # the benchmark, found by Ipopt


def test_compiled_residuals_equal_the_pyomo_declaration(small_model):
    """The compiled residual path evaluates exactly the Pyomo equations (random points)."""
    nlp = small_model.nlp
    rng = np.random.default_rng(3)
    saved = nlp.x_from_model()
    try:
        for _ in range(3):
            x = np.exp(rng.normal(0, 0.2, nlp.n)) * np.where(saved > 0, saved, 1.0)
            nlp.to_model(x)
            pyomo_values = np.array([pyo.value(residual_expr(c)) for c in nlp.constraints])
            compiled = nlp.residuals(x, nlp.p_from_model())
            scale = np.maximum(1.0, np.abs(pyomo_values))
            assert np.max(np.abs(compiled - pyomo_values) / scale) <= 1e-12
    finally:
        nlp.to_model(saved)


def test_compiled_path_equals_pyomo_with_logs_nests_and_automation(default_dataset):
    """Every operation the tape records (logs of the wage curve, powers of the capital-skill
    nest, automation's task shares, sums, quotients) evaluates as Pyomo evaluates it."""
    params = cgetrade.calibrate(default_dataset, skills=True, va_nest="capital_skill")
    model = cgetrade.CGEModel(params, Closure.from_preset("medium_run", labour="wage_curve"))
    m = model.pyomo
    h, j, r = "labour_medium", params.sectors[0], params.regions[0]
    m.auto_share[h, j, r], m.auto_cost[h, j, r] = 0.2, 0.7
    nlp = model.nlp
    assert "log" in _unary_names(nlp)
    rng = np.random.default_rng(5)
    x0 = nlp.x_from_model()
    for _ in range(2):
        x = np.exp(rng.normal(0, 0.2, nlp.n)) * np.where(x0 > 0, x0, 1.0)
        nlp.to_model(x)
        pyomo_values = np.array([pyo.value(residual_expr(c)) for c in nlp.constraints])
        compiled = nlp.residuals(x, nlp.p_from_model())
        assert np.max(np.abs(compiled - pyomo_values) / np.maximum(1.0, np.abs(pyomo_values))) <= 1e-12
    nlp.to_model(x0)


def _unary_names(nlp):
    """Names of the unary functions in the model's equations (log, exp, ...)."""
    from pyomo.core.expr import numeric_expr as ne
    from pyomo.core.expr.visitor import StreamBasedExpressionVisitor
    names = set()

    class Visitor(StreamBasedExpressionVisitor):
        def exitNode(self, node, data):
            if isinstance(node, ne.UnaryFunctionExpression):
                names.add(node.getname())
    for c in nlp.constraints:
        Visitor().walk_expression(residual_expr(c))
    return names


def test_compiled_jacobian_equals_pyomo_differentiation(small_model):
    """The compiled sparse Jacobian (used by Newton and Ipopt) equals Pyomo's own
    differentiation of the declared equations at a random point."""
    from pyomo.core.expr.calculus.derivatives import Modes, differentiate
    nlp = small_model.nlp
    saved = nlp.x_from_model()
    col = {id(v): k for k, v in enumerate(nlp.variables)}
    try:
        x = saved * np.exp(np.random.default_rng(4).normal(0, 0.2, nlp.n))
        nlp.to_model(x)
        J = np.zeros((nlp.m, nlp.n))
        rows, cols = nlp.jac_structure
        J[rows, cols] = nlp.jacobian_values(x, nlp.p_from_model())
        ref = np.zeros_like(J)
        for i, c in enumerate(nlp.constraints):
            for v, d in differentiate(residual_expr(c), mode=Modes.reverse_numeric).items():
                if id(v) in col:
                    ref[i, col[id(v)]] += d
        assert np.max(np.abs(J - ref)) <= 1e-12 * max(1.0, np.abs(ref).max())
    finally:
        nlp.to_model(saved)


@pytest.mark.parametrize("backend", available_linear_solvers())
def test_sparse_lu_solves_and_reports_singular_matrices(backend):
    import scipy.sparse as sp
    from cgetrade.solve.newton import SparseLU
    A = sp.csr_matrix(np.array([[4.0, 1.0, 0.0], [0.0, 3.0, 2.0], [1.0, 0.0, 5.0]]))
    lu = SparseLU(A.indptr, A.indices, 3, backend).factor(A.data)
    b = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(A @ lu.solve(b), b, atol=1e-14)
    S = sp.csr_matrix(np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises((ArithmeticError, RuntimeError)):
        SparseLU(S.indptr, S.indices, 3, backend).factor(S.data).solve(b)
