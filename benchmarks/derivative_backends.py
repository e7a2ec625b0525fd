"""Measure candidate derivative backends for the Pyomo -> Ipopt bridge on the same model.

    python benchmarks/derivative_backends.py [--sizes 6x8 10x10]

(a) cgetrade's bridge: casadi SX graph from a tape, per-equation reverse-mode Jacobian with
    respect to each equation's own variables;
(b) casadi whole-vector symbolic Jacobian ca.jacobian(g, x) on the same graph;
(c) Pyomo's own differentiation (reverse_numeric), constraint by constraint;
(d) JAX, only if installed (not a dependency).
Reported: set-up time, time per Jacobian evaluation, and the max |difference| of the
Jacobian values from (a) at a perturbed point.
"""
from __future__ import annotations

import argparse
import time

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.calculus.derivatives import Modes, differentiate

import cgetrade
from cgetrade.data import synthetic_dataset
from cgetrade.solve.bridge import CompiledNLP, residual_expr


def _timed(fn, repeat=3):
    t = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return out, (time.perf_counter() - t) / repeat


def measure(R: int, I: int):
    model = cgetrade.CGEModel(cgetrade.calibrate(synthetic_dataset(R, I, seed=0)))
    rows = []
    t = time.perf_counter()
    nlp = CompiledNLP(model.pyomo)
    setup = time.perf_counter() - t
    rng = np.random.default_rng(0)
    x = nlp.x_from_model() * (1 + 0.01 * rng.standard_normal(nlp.n))
    p = nlp.p_from_model()
    ref, per = _timed(lambda: nlp.jacobian_values(x, p), 20)
    J_ref = np.zeros((nlp.m, nlp.n))
    J_ref[nlp.jac_structure] = ref
    rows.append(("casadi per-equation (bridge)", setup, per, 0.0))

    t = time.perf_counter()
    J_sym = ca.jacobian(nlp.g, nlp.x)
    f = ca.Function("J", [nlp.x, nlp.p], [J_sym])
    setup_b = time.perf_counter() - t + nlp.convert_time
    Jb, per_b = _timed(lambda: np.asarray(ca.densify(f(x, p))), 5)
    rows.append(("casadi whole-vector ca.jacobian", setup_b, per_b, float(np.abs(Jb - J_ref).max())))

    nlp.to_model(x)
    cons = nlp.constraints
    col = {id(v): k for k, v in enumerate(nlp.variables)}
    exprs = [residual_expr(c) for c in cons]

    def pyomo_jac():
        J = np.zeros((nlp.m, nlp.n))
        for k, e in enumerate(exprs):
            for v, d in differentiate(e, mode=Modes.reverse_numeric).items():
                if id(v) in col:
                    J[k, col[id(v)]] = d
        return J
    Jc, per_c = _timed(pyomo_jac, 1)
    rows.append(("Pyomo differentiate (reverse_numeric)", 0.0, per_c, float(np.abs(Jc - J_ref).max())))
    try:
        import jax  # noqa: F401
        rows.append(("JAX", float("nan"), float("nan"), float("nan")))
    except ImportError:
        rows.append(("JAX: not installed (not a dependency)", float("nan"), float("nan"), float("nan")))
    return nlp, rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["6x8", "10x10"])
    args = ap.parse_args(argv)
    for size in args.sizes:
        R, I = map(int, size.split("x"))
        nlp, rows = measure(R, I)
        print(f"\n{size}: {nlp.m} equations, {nlp.nnz_jac} Jacobian nonzeros")
        print(f"{'backend':<40} {'setup s':>9} {'per Jacobian s':>15} {'max |dJ|':>10}")
        for name, setup, per, diff in rows:
            print(f"{name:<40} {setup:>9.3f} {per:>15.5f} {diff:>10.2e}")


if __name__ == "__main__":
    main()
