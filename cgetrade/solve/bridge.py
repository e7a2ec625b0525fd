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
from pyomo.core.expr import numeric_expr as ne

_UNARY = {"exp": ca.exp, "log": ca.log, "log10": ca.log10, "sqrt": ca.sqrt, "sin": ca.sin,
          "cos": ca.cos, "tan": ca.tan, "tanh": ca.tanh}


def residual_expr(con):
    """lhs - rhs of an equality constraint (as written by the modeller)."""
    if not con.equality:
        raise ValueError(f"constraint {con.name} is not an equality; the bridge solves square systems")
    expr = con.expr
    lhs, rhs = expr.args
    return lhs - rhs


_OP_OF_CLASS = ((ne.SumExpression, "sum"), (ne.ProductExpression, "times"),
                (ne.DivisionExpression, "rdivide"), (ne.PowExpression, "power"),
                (ne.NegationExpression, "neg"), (ne.AbsExpression, "fabs"),
                (ne.UnaryFunctionExpression, "unary"))
_BINARY = {"times": ca.times, "rdivide": ca.rdivide, "power": ca.power}


class _Tape:
    """Pyomo expression DAG -> flat tape -> casadi SX graph built level by level.

    Scalar casadi operations from Python cost tens of microseconds each, so the tape is
    recorded in pure Python (named Expressions and shared subtrees once) and then every
    level of the DAG is built with one vectorised casadi call per operation type (sums as
    one sparse matrix-vector product).
    """

    def __init__(self, leaf):
        self.leaf = leaf                  # id(VarData/ParamData) -> ("x" | "p", position)
        self.op, self.arg, self.level = [], [], []
        self.memo, self.consts = {}, {}
        self.alive = []                   # temporaries whose id() is memoised stay alive
        self._op_cache = {}

    def _new(self, op, arg, level):
        self.op.append(op)
        self.arg.append(arg)
        self.level.append(level)
        return len(self.op) - 1

    def _const(self, v):
        nid = self.consts.get(v)
        if nid is None:
            nid = self.consts[v] = self._new("c", v, 0)
        return nid

    def _op_name(self, node):
        t = type(node)
        op = self._op_cache.get(t)
        if op is None:
            op = next((name for cls, name in _OP_OF_CLASS if isinstance(node, cls)), None)
            if op is None:
                raise TypeError(f"expression type {t.__name__} is not supported by the bridge")
            self._op_cache[t] = op
        return op

    def visit(self, node) -> int:
        if type(node) in native_numeric_types:
            return self._const(float(node))
        key = id(node)
        nid = self.memo.get(key)
        if nid is not None:
            return nid
        leaf = self.leaf.get(key)
        if leaf is not None:
            nid = self._new(leaf[0], leaf[1], 0)
        elif not node.is_expression_type():
            nid = self._const(float(pyo.value(node)))
        elif node.is_named_expression_type():
            nid = self.visit(node.expr)
        else:
            op = self._op_name(node)
            args = tuple(self.visit(a) for a in node.args)
            if op == "unary":
                op = node.getname()
            nid = self._new(op, args, 1 + max(self.level[a] for a in args))
        self.memo[key] = nid
        self.alive.append(node)
        return nid

    def build(self, x, p, roots) -> ca.SX:
        """The casadi SX column of the root nodes' values."""
        level = np.asarray(self.level)
        n = len(self.op)
        blk = np.full(n, -1, dtype=np.int64)         # block holding each node's value
        off = np.full(n, -1, dtype=np.int64)         # offset inside that block
        blocks = []

        def add_block(sx, ids):
            blk[ids] = len(blocks)
            off[ids] = np.arange(len(ids))
            blocks.append(sx)

        def gather(ids) -> ca.SX:
            ids = np.asarray(ids, dtype=np.int64)
            b = blk[ids]
            if np.all(b == b[0]):
                # (rows, column 0): a 1x1 block indexed by a list would give a row vector
                return blocks[b[0]][off[ids].tolist(), 0]
            pieces, order = [], []
            for ub in np.unique(b):
                sel = np.flatnonzero(b == ub)
                pieces.append(blocks[ub][off[ids[sel]].tolist(), 0])
                order.append(sel)
            order = np.concatenate(order)
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            return ca.vertcat(*pieces)[inverse.tolist()]

        leaves = np.flatnonzero(level == 0)
        kinds = {"x": [], "p": [], "c": []}
        for k in leaves:
            kinds[self.op[k]].append(int(k))
        if kinds["x"]:
            add_block(x[[self.arg[k] for k in kinds["x"]]], kinds["x"])
        if kinds["p"]:
            add_block(p[[self.arg[k] for k in kinds["p"]]], kinds["p"])
        if kinds["c"]:
            add_block(ca.SX(ca.DM([self.arg[k] for k in kinds["c"]])), kinds["c"])
        by_level = {}
        for k in np.flatnonzero(level > 0):
            by_level.setdefault(int(level[k]), {}).setdefault(self.op[k], []).append(int(k))
        for lev in sorted(by_level):
            for op, ids in by_level[lev].items():
                if op == "sum":
                    counts = [len(self.arg[k]) for k in ids]
                    a = gather(np.concatenate([self.arg[k] for k in ids]))
                    rows = np.repeat(np.arange(len(ids)), counts)
                    S = ca.DM(ca.Sparsity.triplet(len(ids), len(rows), rows.tolist(),
                                                  list(range(len(rows)))), 1.0)
                    block = ca.mtimes(S, a)
                elif op in _BINARY:
                    block = _BINARY[op](gather([self.arg[k][0] for k in ids]),
                                        gather([self.arg[k][1] for k in ids]))
                else:
                    a = gather([self.arg[k][0] for k in ids])
                    block = -a if op == "neg" else (ca.fabs(a) if op == "fabs" else _UNARY[op](a))
                add_block(block, ids)
        return gather(roots)


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
        leaf = {id(v): ("x", k) for k, v in enumerate(free)}
        leaf.update({id(q): ("p", k) for k, q in enumerate(self.param_data)})
        tape = _Tape(leaf)
        roots = [tape.visit(residual_expr(c)) for c in cons]
        self.tape_size = len(tape.op)
        self.g = tape.build(self.x, self.p, roots)
        g = ca.vertsplit(self.g)
        xs = ca.vertsplit(self.x)
        self.n, self.m = len(free), len(cons)
        self.convert_time = time.perf_counter() - t0

        # sparse Jacobian: reverse-mode derivatives of each equation (its own subgraph only)
        t1 = time.perf_counter()
        # column k of Jt is the gradient of equation k; its CCS nonzeros are J row by row
        Jt = ca.vertcat(*[ca.jacobian(gk, self.x) for gk in g]).T
        sp = Jt.sparsity()
        self.jac_structure = (np.repeat(np.arange(self.m, dtype=np.int64), np.diff(sp.colind())),
                              np.asarray(sp.row(), dtype=np.int64))
        self.f_g = ca.Function("g", [self.x, self.p], [self.g])
        self.f_jac = ca.Function("jac_g", [self.x, self.p], [Jt])
        self.nnz_jac = Jt.nnz()
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
