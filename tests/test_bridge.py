"""The compiled derivatives agree with finite differences."""
import numpy as np


def _fd_jacobian(nlp, x, p, h=1e-7):
    g0 = nlp.residuals(x, p)
    J = np.zeros((nlp.m, nlp.n))
    for k in range(nlp.n):
        xk = x.copy()
        xk[k] += h
        J[:, k] = (nlp.residuals(xk, p) - g0) / h
    return J


def test_jacobian_matches_finite_differences(small_model):
    nlp = small_model.nlp
    rng = np.random.default_rng(0)
    x = 1 + 0.05 * rng.standard_normal(nlp.n)
    p = nlp.p_from_model()
    J = np.zeros((nlp.m, nlp.n))
    rows, cols = nlp.jac_structure
    J[rows, cols] = nlp.jacobian_values(x, p)
    np.testing.assert_allclose(J, _fd_jacobian(nlp, x, p), atol=2e-5, rtol=1e-4)


def test_hessian_matches_finite_differences_of_jacobian(small_model):
    nlp = small_model.nlp
    rng = np.random.default_rng(1)
    x = 1 + 0.05 * rng.standard_normal(nlp.n)
    p, lam = nlp.p_from_model(), rng.standard_normal(nlp.m)
    rows, cols = nlp.hess_structure
    H = np.zeros((nlp.n, nlp.n))
    H[rows, cols] = nlp.hessian_values(x, p, lam)
    H = H + np.tril(H, -1).T
    jr, jc = nlp.jac_structure

    def grad_lagr(xx):
        J = np.zeros((nlp.m, nlp.n))
        J[jr, jc] = nlp.jacobian_values(xx, p)
        return J.T @ lam
    h = 1e-6
    g0 = grad_lagr(x)
    Hfd = np.column_stack([(grad_lagr(x + h * np.eye(nlp.n)[k]) - g0) / h for k in range(nlp.n)])
    np.testing.assert_allclose(H, Hfd, atol=1e-4, rtol=1e-3)


def test_parameters_change_without_recompiling(fresh_small):
    nlp = fresh_small.nlp
    m = fresh_small.pyomo
    m.tfp["S01", "R01"] = 1.2
    assert abs(nlp.residuals_at_model()).max() > 1e-3   # the new parameter value is seen
    fresh_small.solve()
    assert fresh_small.nlp is nlp
