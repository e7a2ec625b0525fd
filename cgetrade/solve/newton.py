"""Newton's method for the square CGE system g(x; p) = 0 with a sparse LU of the Jacobian.

    J(x_k) dx = -g(x_k),    x_{k+1} = x_k + t dx

with a backtracking line search on ||g||_2 (t = 1, 1/2, 1/4, ... until ||g|| decreases by the
Armijo condition ||g(x + t dx)||^2 <= (1 - 1e-4 t) ||g(x)||^2 and every residual is finite).

Factorisation reuse (chord / Shamanskii iterations): the last LU factors are kept with the
compiled NLP. A new solve (another shock, a continuation step, the next point of a sweep)
first iterates with the stored factors, dx = -J(x_old)^-1 g(x); as long as each step
contracts ||g|| by at least ``CHORD_CONTRACTION`` no Jacobian is evaluated or factorised.
Otherwise the Jacobian is factorised at the current point and, again, reused while it keeps
contracting. Near a solution the chord step is as good as a Newton step, so small shocks need
no factorisation at all.

The sparse LU comes from SuiteSparse's UMFPACK (``kvxopt``, symbolic analysis once per model
structure) when installed, else SciPy's SuperLU; the choice is measured in
benchmarks/newton_solvers.py. Failure is reported to the caller, which falls back to Ipopt.
"""
from __future__ import annotations

import time

import numpy as np

from .._lazy import keep_scipy_stats_lazy

keep_scipy_stats_lazy()                # before scipy's first import (Pyomo's hook on it loads scipy.stats)
import scipy.sparse as sp              # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402

try:                                   # SuiteSparse UMFPACK/KLU (pip: kvxopt)
    import kvxopt
    from kvxopt import klu as _klu
    from kvxopt import umfpack as _umfpack
except ImportError:                    # pragma: no cover - exercised where kvxopt is missing
    kvxopt = None

#: Newton iterates until max |g| <= this (far below the acceptance tolerance, so that the
#: solution agrees with Ipopt's to about 1e-12)
FTOL = 1e-13
#: a chord step (stored factors) is kept only if it reduces ||g|| at least by this factor
CHORD_CONTRACTION = 0.5
MAX_ITER = 60
#: linear solvers by preference
LINEAR_SOLVERS = ("umfpack", "superlu", "klu")


def available_linear_solvers() -> list[str]:
    return [s for s in LINEAR_SOLVERS if s == "superlu" or kvxopt is not None]


def default_linear_solver() -> str:
    return available_linear_solvers()[0]


class SparseLU:
    """LU factors of the Jacobian J (given row by row: CSR arrays) for one model structure.

    ``backend``: "umfpack" or "klu" (SuiteSparse via kvxopt; symbolic analysis once, numeric
    factorisation per Jacobian) or "superlu" (scipy.sparse.linalg.splu, COLAMD ordering).
    """

    def __init__(self, indptr, indices, n, backend=None):
        self.backend = backend or default_linear_solver()
        if self.backend not in available_linear_solvers():
            raise ValueError(f"linear solver {self.backend!r} is not available; "
                             f"choose from {available_linear_solvers()}")
        self.n = n
        self.indptr, self.indices = np.asarray(indptr), np.asarray(indices)
        # the CSR arrays of J are the CSC arrays of J^T: factorise J^T and solve transposed
        self._A = None
        self._symbolic = None
        self._numeric = None
        self.factorisations = 0
        self.factor_time = 0.0

    def factor(self, values) -> "SparseLU":
        t = time.perf_counter()
        if self.backend == "superlu":
            At = sp.csc_matrix((values, self.indices, self.indptr), shape=(self.n, self.n))
            self._numeric = spla.splu(At, permc_spec="COLAMD")
        else:
            lib = _umfpack if self.backend == "umfpack" else _klu
            if self._A is None:
                cols = np.repeat(np.arange(self.n), np.diff(self.indptr))
                self._A = kvxopt.spmatrix(kvxopt.matrix(np.asarray(values, float)),
                                          kvxopt.matrix(self.indices.astype(int).tolist(), tc="i"),
                                          kvxopt.matrix(cols.tolist(), tc="i"), (self.n, self.n))
            else:
                self._A.V = kvxopt.matrix(np.asarray(values, float))
            if self._symbolic is None:
                self._symbolic = lib.symbolic(self._A)
            self._numeric = lib.numeric(self._A, self._symbolic)
        self.factorisations += 1
        self.factor_time += time.perf_counter() - t
        return self

    def solve(self, rhs) -> np.ndarray:
        """x with J x = rhs."""
        if self.backend == "superlu":
            return self._numeric.solve(np.asarray(rhs, float), trans="T")
        b = kvxopt.matrix(np.asarray(rhs, float))
        if self.backend == "umfpack":
            _umfpack.solve(self._A, self._numeric, b, trans="T")
        else:
            _klu.solve(self._A, self._symbolic, self._numeric, b, trans="T")
        return np.array(b).ravel()


class NewtonResult:
    def __init__(self, x, r, converged, iterations, factorisations, message, history):
        self.x, self.r = x, r
        self.converged, self.iterations = converged, iterations
        self.factorisations, self.message, self.history = factorisations, message, history


def _norm(r):
    return float(np.dot(r, r)) if np.all(np.isfinite(r)) else np.inf


def newton(nlp, x0, p, ftol: float = FTOL, max_iter: int = MAX_ITER, reuse: bool = True,
           linear_solver: str | None = None, start_tol: float = FTOL) -> NewtonResult:
    """Damped Newton / chord iterations from x0; never raises on non-convergence.

    A starting point with max |g| <= ``start_tol`` is returned as it is (0 iterations: a
    benchmark replication is a residual check, not a factorisation)."""
    cache = getattr(nlp, "_newton_cache", None)
    backend = linear_solver or default_linear_solver()
    if cache is None or cache["lu"].backend != backend:
        indptr = np.concatenate([[0], np.cumsum(np.bincount(nlp.jac_structure[0], minlength=nlp.m))])
        cache = nlp._newton_cache = {"lu": SparseLU(indptr, nlp.jac_structure[1], nlp.n, backend),
                                     "valid": False}
    lu = cache["lu"]
    x = np.array(x0, float)
    r = nlp.residuals(x, p)
    f = _norm(r)
    have = reuse and cache["valid"]
    n_fact0 = lu.factorisations
    history = [float(np.max(np.abs(r))) if np.isfinite(f) else np.inf]
    if not np.isfinite(f):
        return NewtonResult(x, r, False, 0, 0, "residuals not finite at the starting point", history)
    if history[0] <= start_tol:
        return NewtonResult(x, r, True, 0, 0, "converged", history)
    for it in range(1, max_iter + 1):
        if np.max(np.abs(r)) <= ftol:
            return NewtonResult(x, r, True, it - 1, lu.factorisations - n_fact0, "converged", history)
        if have:
            # chord step with the stored factors; keep it only if it contracts enough
            dx = lu.solve(-r)
            x_try = x + dx
            r_try = nlp.residuals(x_try, p)
            f_try = _norm(r_try)
            if f_try <= CHORD_CONTRACTION ** 2 * f:
                x, r, f = x_try, r_try, f_try
                history.append(float(np.max(np.abs(r))))
                continue
        try:
            dx = lu.factor(nlp.jacobian_values(x, p)).solve(-r)
            cache["valid"] = have = True
        except (ArithmeticError, RuntimeError) as err:     # singular (UMFPACK, KLU, SuperLU)
            cache["valid"] = False
            return NewtonResult(x, r, False, it, lu.factorisations - n_fact0,
                                f"singular Jacobian ({err})", history)
        if not np.all(np.isfinite(dx)):
            cache["valid"] = False
            return NewtonResult(x, r, False, it, lu.factorisations - n_fact0,
                                "singular Jacobian", history)
        t = 1.0
        while True:
            x_try = x + t * dx
            r_try = nlp.residuals(x_try, p)
            f_try = _norm(r_try)
            if f_try <= (1 - 1e-4 * t) * f:
                break
            t *= 0.5
            if t < 1e-10:
                # no descent: at the floor of rounding (done) or stuck (failure)
                conv = np.max(np.abs(r)) <= 1e3 * ftol
                return NewtonResult(x, r, conv, it, lu.factorisations - n_fact0,
                                    "converged (rounding floor)" if conv else "line search failed",
                                    history)
        x, r, f = x_try, r_try, f_try
        history.append(float(np.max(np.abs(r))))
    conv = np.max(np.abs(r)) <= ftol
    return NewtonResult(x, r, conv, max_iter, lu.factorisations - n_fact0,
                        "converged" if conv else "iteration limit", history)
