"""Pyomo model -> compiled sparse NLP (casadi) for Ipopt.

Every active equality constraint ``lhs == rhs`` becomes a residual g_k(x; p) = lhs - rhs.
Free variables form x; fixed variables and mutable Pyomo Params become symbolic parameters
p, so shocks and numeraire changes re-solve without recompiling. casadi builds the sparse
constraint Jacobian and the lower triangle of the Hessian of the Lagrangian by algorithmic
differentiation on a shared expression graph (named Pyomo expressions are converted once).
The choice of casadi over the alternatives is measured in benchmarks/derivative_backends.py.
"""
from __future__ import annotations

import math
import time

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numvalue import native_numeric_types
from pyomo.core.expr.visitor import StreamBasedExpressionVisitor
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


class _ToCasadi(StreamBasedExpressionVisitor):
    """Walk a Pyomo expression tree and rebuild it as a casadi SX expression."""

    def __init__(self, leaf, cache):
        super().__init__()
        self.leaf = leaf          # id(VarData or ParamData) -> SX
        self.cache = cache        # id(named expression) -> SX

    def _leaf_value(self, node):
        key = id(node)
        if key in self.leaf:
            return self.leaf[key]
        return float(pyo.value(node))

    def initializeWalker(self, expr):
        if type(expr) in native_numeric_types:
            return False, float(expr)
        if not expr.is_expression_type():
            return False, self._leaf_value(expr)
        if expr.is_named_expression_type() and id(expr) in self.cache:
            return False, self.cache[id(expr)]
        return True, None

    def beforeChild(self, node, child, child_idx):
        if type(child) in native_numeric_types:
            return False, float(child)
        if not child.is_expression_type():
            return False, self._leaf_value(child)
        if child.is_named_expression_type() and id(child) in self.cache:
            return False, self.cache[id(child)]
        return True, None

    def exitNode(self, node, data):
        if node.is_named_expression_type():
            self.cache[id(node)] = data[0]
            return data[0]
        if isinstance(node, UnaryFunctionExpression):
            return _UNARY[node.getname()](data[0])
        if isinstance(node, AbsExpression):
            return ca.fabs(data[0])
        return node._apply_operation(data)


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
        leaf = {id(v): self.x[k] for k, v in enumerate(free)}
        leaf.update({id(q): self.p[k] for k, q in enumerate(self.param_data)})
        walker = _ToCasadi(leaf, cache={})
        g = [walker.walk_expression(residual_expr(c)) for c in cons]
        self.g = ca.vertcat(*[ca.SX(gi) if not isinstance(gi, ca.SX) else gi for gi in g])
        self.n, self.m = len(free), len(cons)
        self.convert_time = time.perf_counter() - t0

        t1 = time.perf_counter()
        lam = ca.SX.sym("lam", self.m)
        jac = ca.jacobian(self.g, self.x)
        hess = ca.tril(ca.hessian(ca.dot(lam, self.g), self.x)[0])
        self.f_g = ca.Function("g", [self.x, self.p], [self.g])
        self.f_jac = ca.Function("jac_g", [self.x, self.p], [jac])
        self.f_hess = ca.Function("hess_l", [self.x, self.p, lam], [hess])
        self.jac_structure = tuple(np.asarray(s, dtype=np.int64) for s in jac.sparsity().get_triplet())
        self.hess_structure = tuple(np.asarray(s, dtype=np.int64) for s in hess.sparsity().get_triplet())
        self.compile_time = time.perf_counter() - t1
        self.nnz_jac = len(self.jac_structure[0])
        self.nnz_hess = len(self.hess_structure[0])

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
        return np.asarray(self.f_hess(x, p, lam).nonzeros())

    def worst(self, r: np.ndarray, n: int = 10) -> list[tuple[str, tuple, float]]:
        """The n equations with the largest |residual|: (name, index, residual)."""
        order = np.argsort(-np.abs(r))[:n]
        return [(self.constraint_labels[k][0], self.constraint_labels[k][1], float(r[k]))
                for k in order]
