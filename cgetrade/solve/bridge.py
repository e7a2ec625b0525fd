"""Pyomo model -> compiled sparse NLP (casadi) for Ipopt.

Every active equality constraint ``lhs == rhs`` becomes a residual g_k(x; p) = lhs - rhs.
Free variables form x; fixed variables and mutable Pyomo Params become symbolic parameters
p, so shocks and numeraire changes re-solve without recompiling. casadi builds the sparse
constraint Jacobian and the lower triangle of the Hessian of the Lagrangian by algorithmic
differentiation on a shared expression graph (named Pyomo expressions are converted once):
the Jacobian row by row in reverse mode (cost proportional to each equation's own graph,
as in AMPL's solver library), the Hessian on demand.
The choice of casadi over the alternatives is measured in benchmarks/derivative_backends.py.
"""
from __future__ import annotations

import math
import time

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numvalue import native_numeric_types
from pyomo.core.expr.numeric_expr import UnaryFunctionExpression, AbsExpression

_UNARY = {"exp": ca.exp, "log": ca.log, "log10": ca.log10, "sqrt": ca.sqrt, "sin": ca.sin,
          "cos": ca.cos, "tan": ca.tan, "tanh": ca.tanh}


def residual_expr(con):
    """lhs - rhs of an equality constraint (as written by the modeller)."""
    if not con.equality:
        raise ValueError(f"constraint {con.name} is not an equality; the bridge solves square systems")
    expr = con.expr
    lhs, rhs = expr.args
    return lhs - rhs


class _ToCasadi:
    """Rebuild Pyomo expression trees as casadi SX expressions.

    Variables and mutable parameters map to SX symbols; every named Pyomo Expression is
    converted once and shared, so the casadi graph has the structure the modeller wrote.
    """

    def __init__(self, leaf):
        self.leaf = leaf          # id(VarData or ParamData) -> SX
        self.cache = {}           # id(named expression) -> SX

    def __call__(self, node):
        if type(node) in native_numeric_types:
            return float(node)
        sym = self.leaf.get(id(node))
        if sym is not None:
            return sym
        if not node.is_expression_type():
            return float(pyo.value(node))
        if node.is_named_expression_type():
            key = id(node)
            out = self.cache.get(key)
            if out is None:
                out = self.cache[key] = self(node.expr)
            return out
        args = [self(a) for a in node.args]
        if isinstance(node, UnaryFunctionExpression):
            return _UNARY[node.getname()](args[0])
        if isinstance(node, AbsExpression):
            return ca.fabs(args[0])
        return node._apply_operation(args)


class CompiledNLP:
    """Residuals, sparse Jacobian and Lagrangian Hessian of a Pyomo model's equalities."""

    def __init__(self, model: pyo.ConcreteModel):
        t0 = time.perf_counter()
        self.model = model
        cons = [c for c in model.component_data_objects(pyo.Constraint, active=True,
                                                         descend_into=True)]
        self.constraints = cons
        self.constraint_labels = [(c.parent_component().name, c.index()) for c in cons]
        # variables and parameters in a stable order
        free, fixed, params = [], [], []
        for v in model.component_data_objects(pyo.Var, descend_into=True):
            (fixed if v.fixed else free).append(v)
        for prm in model.component_objects(pyo.Param, descend_into=True):
            if prm.mutable:
                params.extend(prm.values())
        self.variables = free
        self.variable_labels = [(v.parent_component().name, v.index()) for v in free]
        self.param_data = fixed + params
        self.x = ca.SX.sym("x", len(free))
        self.p = ca.SX.sym("p", len(self.param_data))
        xs = ca.vertsplit(self.x)
        leaf = {id(v): xs[k] for k, v in enumerate(free)}
        leaf.update({id(q): sym for q, sym in zip(self.param_data, ca.vertsplit(self.p))})
        to_casadi = _ToCasadi(leaf)
        g = [ca.SX(to_casadi(residual_expr(c))) for c in cons]
        self.g = ca.vertcat(*g)
        self.n, self.m = len(free), len(cons)
        self.convert_time = time.perf_counter() - t0

        # sparse Jacobian: reverse-mode gradient of each equation w.r.t. its own variables
        t1 = time.perf_counter()
        column = {x.element_hash(): k for k, x in enumerate(xs)}
        rows, cols, entries = [], [], []
        for k, gk in enumerate(g):
            own = [v for v in ca.symvar(gk) if v.element_hash() in column]
            if not own:
                continue
            grad = ca.vertsplit(ca.gradient(gk, ca.vertcat(*own)))
            for v, d in zip(own, grad):
                rows.append(k)
                cols.append(column[v.element_hash()])
                entries.append(d)
        order = np.lexsort((cols, rows))
        self.jac_structure = (np.asarray(rows, np.int64)[order], np.asarray(cols, np.int64)[order])
        self.f_g = ca.Function("g", [self.x, self.p], [self.g])
        self.f_jac = ca.Function("jac_g", [self.x, self.p], [ca.vertcat(*[entries[k] for k in order])])
        self.nnz_jac = len(entries)
        self.compile_time = time.perf_counter() - t1
        self._hess = None

    @property
    def hess_structure(self):
        return self._hessian()[1]

    @property
    def nnz_hess(self) -> int:
        return len(self.hess_structure[0])

    def _hessian(self):
        """Lower triangle of the Hessian of the Lagrangian (compiled on first use)."""
        if self._hess is None:
            t = time.perf_counter()
            lam = ca.SX.sym("lam", self.m)
            hess = ca.tril(ca.hessian(ca.dot(lam, self.g), self.x)[0])
            f = ca.Function("hess_l", [self.x, self.p, lam], [hess])
            self._hess = (f, tuple(np.asarray(s, np.int64) for s in hess.sparsity().get_triplet()))
            self.hessian_compile_time = time.perf_counter() - t
        return self._hess

    # -- values --------------------------------------------------------------
    def x_from_model(self) -> np.ndarray:
        return np.array([v.value if v.value is not None else 1.0 for v in self.variables], float)

    def p_from_model(self) -> np.ndarray:
        return np.array([pyo.value(q) for q in self.param_data], float)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lb = np.array([-math.inf if v.lb is None else v.lb for v in self.variables], float)
        ub = np.array([math.inf if v.ub is None else v.ub for v in self.variables], float)
        return lb, ub

    def to_model(self, x: np.ndarray) -> None:
        for v, val in zip(self.variables, x):
            v.set_value(float(val), skip_validation=True)

    def residuals(self, x, p) -> np.ndarray:
        return np.asarray(self.f_g(x, p)).ravel()

    def residuals_at_model(self) -> np.ndarray:
        return self.residuals(self.x_from_model(), self.p_from_model())

    def jacobian_values(self, x, p) -> np.ndarray:
        return np.asarray(self.f_jac(x, p).nonzeros())

    def hessian_values(self, x, p, lam) -> np.ndarray:
        return np.asarray(self._hessian()[0](x, p, lam).nonzeros())

    def worst(self, r: np.ndarray, n: int = 10) -> list[tuple[str, tuple, float]]:
        """The n equations with the largest |residual|: (name, index, residual)."""
        order = np.argsort(-np.abs(r))[:n]
        return [(self.constraint_labels[k][0], self.constraint_labels[k][1], float(r[k]))
                for k in order]
