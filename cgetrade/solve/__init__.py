"""Solving a CGE model on the compiled NLP: Newton with a sparse LU, or Ipopt (cyipopt).

A square system (equations = free variables) is solved by Newton's method (cgetrade.solve.newton)
or by Ipopt as a feasibility problem: objective 0, constraints g(x; p) = 0. Either way the
result is accepted only if every residual, including the market dropped by Walras' law, is
below ``tol`` at the returned point; otherwise SolveError names the worst equations with
their indices.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import cyipopt
import numpy as np

#: acceptance tolerance on the max |residual| (equations are scaled by benchmark values)
TOL = 1e-8

DEFAULT_IPOPT = {
    "tol": 1e-10,
    "constr_viol_tol": 1e-10,
    "max_iter": 200,
    "print_level": 0,
    "sb": "yes",
    "mu_strategy": "adaptive",
    "nlp_scaling_method": "none",
    "linear_solver": "mumps",
}

#: Hessian of the Lagrangian used by Ipopt. For a square system with a nonsingular Jacobian
#: the Newton step J dx = -g does not depend on it, so the default is Ipopt's limited-memory
#: approximation (no Hessian compile); "exact" compiles the casadi Hessian.
HESSIAN = "limited-memory"


class SolveError(RuntimeError):
    """The solver did not reach a point where every equation holds to tolerance."""

    def __init__(self, message, worst=None, status=None, iterations=None):
        super().__init__(message)
        self.worst = worst or []
        self.status = status
        self.iterations = iterations


@dataclass
class Solution:
    status: str
    status_code: int
    iterations: int
    max_residual: float
    walras_residual: float
    solve_time: float
    compile_time: float = 0.0
    info: dict = field(default_factory=dict)


class _Problem:
    """cyipopt callbacks for a square feasibility problem."""

    def __init__(self, nlp, p):
        self.nlp, self.p = nlp, p
        self.zero = np.zeros(nlp.n)
        self.iterations = 0

    def intermediate(self, alg_mod, iter_count, *args):
        self.iterations = iter_count
        return True

    def objective(self, x):
        return 0.0

    def gradient(self, x):
        return self.zero

    def constraints(self, x):
        return self.nlp.residuals(x, self.p)

    def jacobianstructure(self):
        return self.nlp.jac_structure

    def jacobian(self, x):
        return self.nlp.jacobian_values(x, self.p)



class _ProblemExactHessian(_Problem):
    """Adds the compiled Hessian of the Lagrangian (hessian_approximation=exact)."""

    def hessianstructure(self):
        return self.nlp.hess_structure

    def hessian(self, x, lagrange, obj_factor):
        return self.nlp.hessian_values(x, self.p, lagrange)


def _outside(x, lb, ub, tol=1e-9):
    return (x < lb - tol) | (x > ub + tol)


def _format_worst(worst) -> str:
    return "\n".join(f"  {name}[{', '.join(map(str, idx if isinstance(idx, tuple) else (idx,)))}]"
                     f" residual {res:+.3e}" if idx is not None else f"  {name} residual {res:+.3e}"
                     for name, idx, res in worst)


def run_ipopt(nlp, x0, p, options=None, bounds=False, hessian=HESSIAN):
    """Run Ipopt once; returns (x, info dict, wall time)."""
    lb, ub = nlp.bounds() if bounds else (np.full(nlp.n, -1e20), np.full(nlp.n, 1e20))
    zeros = np.zeros(nlp.m)
    callbacks = (_ProblemExactHessian if hessian == "exact" else _Problem)(nlp, p)
    problem = cyipopt.Problem(n=nlp.n, m=nlp.m, problem_obj=callbacks,
                              lb=lb, ub=ub, cl=zeros, cu=zeros)
    opts = {**DEFAULT_IPOPT, "hessian_approximation": hessian, **(options or {})}
    for key, val in opts.items():
        problem.add_option(key, val)
    t0 = time.perf_counter()
    x, info = problem.solve(np.asarray(x0, float))
    info["iter_count"] = callbacks.iterations
    return x, info, time.perf_counter() - t0


#: solution method of CGEModel.solve: "auto" (Newton, falling back to Ipopt), "newton", "ipopt"
METHOD = "auto"
METHODS = ("auto", "newton", "ipopt")


def _check_square(nlp):
    if nlp.n != nlp.m:
        raise SolveError(f"system is not square: {nlp.m} equations for {nlp.n} free variables")


def _solve_ipopt(model, x0, p, tol, ipopt_options, hessian):
    """Ipopt without bounds, then (if needed) with the variables' bounds; the better attempt."""
    nlp = model.nlp
    lb, ub = nlp.bounds()

    def attempt(bounds):
        x, info, t = run_ipopt(nlp, x0, p, ipopt_options, bounds=bounds, hessian=hessian)
        r = nlp.residuals(x, p)
        res = float(np.max(np.abs(r))) if np.all(np.isfinite(r)) and np.all(np.isfinite(x)) else np.inf
        return {"x": x, "info": info, "t": t, "r": r, "res": res,
                "ok": res <= tol and not _outside(x, lb, ub).any()}
    first = attempt(bounds=False)
    chosen, t = first, first["t"]
    if not first["ok"]:
        # second attempt: keep prices, quantities and rates in their economic domain
        second = attempt(bounds=True)
        t += second["t"]
        if second["ok"] or (not first["ok"] and second["res"] < first["res"]):
            chosen = second
    info = chosen["info"]
    status_msg = info["status_msg"].decode() if isinstance(info["status_msg"], bytes) else str(info["status_msg"])
    return chosen["x"], chosen["r"], {
        "solver": "ipopt", "status": status_msg, "status_code": int(info["status"]),
        "iterations": int(info["iter_count"]), "time": t,
        "failure": f"Ipopt status {info['status']}: {status_msg}"}


def _solve_newton(model, x0, p, tol, linear_solver, reuse, options):
    """Newton / chord iterations (cgetrade.solve.newton); never raises on non-convergence."""
    from .newton import newton
    nlp = model.nlp
    t0 = time.perf_counter()
    res = newton(nlp, x0, p, linear_solver=linear_solver, reuse=reuse,
                 **{"start_tol": DEFAULT_IPOPT["tol"], **(options or {})})
    lb, ub = nlp.bounds()
    ok = res.converged and float(np.max(np.abs(res.r))) <= tol and not _outside(res.x, lb, ub).any()
    return res.x, res.r, ok, {
        "solver": "newton", "status": f"Newton: {res.message}", "status_code": 0 if ok else -1,
        "iterations": res.iterations, "time": time.perf_counter() - t0,
        "factorisations": res.factorisations, "linear_solver": nlp._newton_cache["lu"].backend,
        "failure": f"Newton: {res.message} after {res.iterations} iterations"}


def solve_model(model, tol: float = TOL, ipopt_options: dict | None = None,
                hessian: str = HESSIAN, method: str | None = None,
                linear_solver: str | None = None, reuse: bool = True,
                newton_options: dict | None = None):
    """Solve ``model`` (a CGEModel) from its current point and load the solution into it.

    ``method``: "newton" (damped Newton / chord iterations with a sparse LU, reusing the last
    factorisation: cgetrade.solve.newton), "ipopt" (cyipopt; the reference solver), or "auto"
    (default: Newton, and Ipopt from the same starting point if Newton fails or ends outside
    the variables' bounds). Every solution passes the same acceptance test. ``linear_solver``
    ("superlu", "umfpack", "klu"), ``reuse`` (start from the last LU factors) and
    ``newton_options`` (e.g. ``{"max_iter": 20}``) tune Newton; ``ipopt_options`` and
    ``hessian`` tune Ipopt.
    """
    method = method or METHOD
    if method not in METHODS:
        raise ValueError(f"unknown solve method {method!r}; choose from {METHODS}")
    nlp = model.nlp
    _check_square(nlp)
    x0, p = nlp.x_from_model(), nlp.p_from_model()
    lb, ub = nlp.bounds()
    t = 0.0
    info = {}
    if method in ("auto", "newton"):
        x, r, ok, info = _solve_newton(model, x0, p, tol, linear_solver, reuse,
                                       newton_options)
        t += info["time"]
        if not ok and method == "auto":
            newton_info = info
            x, r, info = _solve_ipopt(model, x0, p, tol, ipopt_options, hessian)
            info["newton"] = newton_info["failure"]
            t += info["time"]
    else:
        x, r, info = _solve_ipopt(model, x0, p, tol, ipopt_options, hessian)
        t += info["time"]
    iters = info["iterations"]
    maxres = float(np.max(np.abs(r))) if np.all(np.isfinite(r)) else float("inf")
    if not (maxres <= tol):
        worst = nlp.worst(np.nan_to_num(r, nan=np.inf))
        raise SolveError(
            f"CGE solve did not converge ({info['failure']}"
            + (f"; before that {info['newton']}" if "newton" in info else "")
            + f"); max residual {maxres:.3e} > {tol:.0e}. Worst equations:\n" + _format_worst(worst),
            worst=worst, status=info["status_code"], iterations=iters)
    out = _outside(x, lb, ub)
    if out.any():
        bad = [(nlp.variable_labels[k][0], nlp.variable_labels[k][1], float(x[k]))
               for k in np.flatnonzero(out)[:10]]
        raise SolveError("no equilibrium inside the variables' bounds (e.g. unemployment must stay "
                         "in [0, 1], prices and quantities >= 0); the closest point has\n"
                         + "\n".join(f"  {n}[{i}] = {v:+.4g}" for n, i, v in bad),
                         worst=bad, status=info["status_code"], iterations=iters)
    nlp.to_model(x)
    walras = model.walras_residual()
    if abs(walras) > tol:
        raise SolveError(f"Walras' law violated: dropped market residual {walras:.3e} > {tol:.0e}",
                         worst=[("walras", None, walras)], status=info["status_code"])
    extra = {k: info[k] for k in ("solver", "factorisations", "linear_solver", "newton") if k in info}
    return Solution(status=info["status"], status_code=info["status_code"], iterations=iters,
                    max_residual=maxres, walras_residual=walras, solve_time=t,
                    compile_time=nlp.compile_time + nlp.convert_time, info=extra)
