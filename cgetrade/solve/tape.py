"""Pyomo expression DAGs as one scalar casadi graph (the tape), and the sparse Jacobian of
such a graph row by row.

The scalar backend of the bridge compiles every equation this way; the families backend
(:mod:`cgetrade.solve.families`) uses it for the equations and expressions whose structure
is shared by too few others to be worth a template of their own.
"""
from __future__ import annotations

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr import numeric_expr as ne
from pyomo.core.expr.numvalue import native_numeric_types

_UNARY = {"exp": ca.exp, "log": ca.log, "log10": ca.log10, "sqrt": ca.sqrt, "sin": ca.sin,
          "cos": ca.cos, "tan": ca.tan, "tanh": ca.tanh}


def residual_expr(con):
    """lhs - rhs of an equality constraint (as written by the modeller)."""
    if not con.equality:
        raise ValueError(f"constraint {con.name} is not an equality; the bridge solves square systems")
    expr = con.expr
    lhs, rhs = expr.args
    return lhs - rhs


# operation codes of the tape
_X, _P, _C, _SUM, _TIMES, _DIV, _POW, _NEG, _ABS = range(9)
_UNARY_CODE = {name: 9 + k for k, name in enumerate(_UNARY)}
_UNARY_OF_CODE = {code: _UNARY[name] for name, code in _UNARY_CODE.items()}
_OP_OF_CLASS = ((ne.SumExpression, _SUM), (ne.ProductExpression, _TIMES),
                (ne.DivisionExpression, _DIV), (ne.PowExpression, _POW),
                (ne.NegationExpression, _NEG), (ne.AbsExpression, _ABS),
                (ne.UnaryFunctionExpression, "unary"))
_BINARY = {_TIMES: ca.times, _DIV: ca.rdivide, _POW: ca.power}
_NAMED, _VALUE = "named", "value"


class _Tape:
    """Pyomo expression DAG -> flat tape -> casadi SX graph built level by level.

    Scalar casadi operations from Python cost tens of microseconds each, so the tape is
    recorded in pure Python (named Expressions and shared subtrees once, as integer codes
    and argument positions) and then every level of the DAG is built with one vectorised
    casadi call per operation type (sums as one sparse matrix-vector product).
    """

    def __init__(self, n_x: int, leaves: dict):
        """``leaves``: {id(VarData/ParamData): tape position}; positions 0..n_x-1 are the
        free variables x, the rest the parameters p (in order)."""
        n = len(leaves)
        self.n_x = n_x
        self.code = [_X] * n_x + [_P] * (n - n_x)
        self.a0 = list(range(n_x)) + list(range(n - n_x))     # leaves: position in x or p
        self.a1 = [-1] * n
        self.level = [0] * n
        self.sum_args = {}                 # tape position of a sum -> positions of its terms
        self.memo = dict(leaves)
        self.consts = {}
        self.alive = []                    # temporaries whose id() is memoised stay alive
        self._kind = {}                    # expression type -> code | "unary" | named | value

    def __len__(self):
        return len(self.code)

    def _classify(self, node):
        if node.is_named_expression_type():
            return _NAMED
        if not node.is_expression_type():
            return _VALUE
        kind = next((code for cls, code in _OP_OF_CLASS if isinstance(node, cls)), None)
        if kind is None:
            raise TypeError(f"expression type {type(node).__name__} is not supported by the bridge")
        return kind

    def walk(self, roots) -> list[int]:
        """Record the expressions ``roots``; their tape positions."""
        code, a0, a1, level = self.code, self.a0, self.a1, self.level
        memo, consts, alive, kinds, sum_args = self.memo, self.consts, self.alive, self._kind, self.sum_args
        native = native_numeric_types

        def const(v):
            nid = consts.get(v)
            if nid is None:
                nid = consts[v] = len(code)
                code.append(_C), a0.append(-1), a1.append(-1), level.append(0)
            return nid

        def new(c, x0, x1, lev):
            nid = len(code)
            code.append(c), a0.append(x0), a1.append(x1), level.append(lev)
            return nid

        def visit(node):
            t = type(node)
            if t in native:
                return const(float(node))
            nid = memo.get(id(node))
            if nid is not None:
                return nid
            kind = kinds.get(t)
            if kind is None:
                kind = kinds[t] = self._classify(node)
            if kind is _NAMED:
                nid = visit(node.expr)
            elif kind is _VALUE:
                nid = const(float(pyo.value(node)))
            elif kind == _SUM:
                args = [visit(a) for a in node.args]
                nid = new(_SUM, -1, -1, 1 + max([level[a] for a in args]))
                sum_args[nid] = args
            elif kind in _BINARY:
                x0, x1 = node.args
                x0, x1 = visit(x0), visit(x1)
                l0, l1 = level[x0], level[x1]
                nid = new(kind, x0, x1, 1 + (l0 if l0 > l1 else l1))
            else:
                x0 = visit(node.args[0])
                c = _UNARY_CODE[node.getname()] if kind == "unary" else kind
                nid = new(c, x0, -1, 1 + level[x0])
            memo[id(node)] = nid
            alive.append(node)
            return nid

        try:
            return [visit(r) for r in roots]
        finally:
            del visit      # the recursive closure refers to itself: break the cycle so that
            #                the tape's temporaries are freed without the cyclic collector

    def build(self, x, p, roots) -> ca.SX:
        """The casadi SX column of the root nodes' values."""
        code = np.asarray(self.code, dtype=np.int64)
        level = np.asarray(self.level, dtype=np.int64)
        a0 = np.asarray(self.a0, dtype=np.int64)
        a1 = np.asarray(self.a1, dtype=np.int64)
        n = len(code)
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
            order = np.argsort(b, kind="stable")
            bounds = np.flatnonzero(np.diff(b[order])) + 1
            pieces = [blocks[b[sel[0]]][off[ids[sel]].tolist(), 0]
                      for sel in np.split(order, bounds)]
            inverse = np.empty_like(order)
            inverse[order] = np.arange(len(order))
            return ca.vertcat(*pieces)[inverse.tolist(), 0]

        n_x = self.n_x
        add_block(x, np.arange(n_x))
        n_leaf = int(np.count_nonzero(code == _P)) + n_x
        if n_leaf > n_x:
            add_block(p, np.arange(n_x, n_leaf))
        cids = np.flatnonzero(code == _C)
        if len(cids):
            values = {nid: v for v, nid in self.consts.items()}
            add_block(ca.SX(ca.DM([values[k] for k in cids.tolist()])), cids)
        ops = np.flatnonzero(level > 0)
        ops = ops[np.lexsort((code[ops], level[ops]))]
        bounds = np.flatnonzero(np.diff(level[ops]) | np.diff(code[ops])) + 1
        for ids in np.split(ops, bounds) if len(ops) else ():      # (roots that are leaves)
            op = int(code[ids[0]])
            if op == _SUM:
                args = [self.sum_args[k] for k in ids.tolist()]
                counts = [len(a) for a in args]
                flat = np.fromiter((a for arg in args for a in arg), dtype=np.int64, count=sum(counts))
                rows = np.repeat(np.arange(len(ids)), counts)
                S = ca.DM(ca.Sparsity.triplet(len(ids), len(rows), rows.tolist(),
                                              list(range(len(rows)))), 1.0)
                block = ca.mtimes(S, gather(flat))
            elif op in _BINARY:
                block = _BINARY[op](gather(a0[ids]), gather(a1[ids]))
            else:
                a = gather(a0[ids])
                block = -a if op == _NEG else (ca.fabs(a) if op == _ABS else _UNARY_OF_CODE[op](a))
            add_block(block, ids)
        return gather(roots)


def row_jacobian(g: ca.SX, x: ca.SX, p: ca.SX):
    """Nonzeros of dg/dx row by row (SX column) and their (rows, cols): the structure by
    casadi's sparsity propagation, the values by reverse mode of each equation with respect
    to its own variables only (cost proportional to the equation's own subgraph, as in
    AMPL's solver library)."""
    f = ca.Function("g", [x, p], [g])
    spt = f.sparsity_jac(0, 0).T                  # column k: the variables of equation k
    colind, var = np.asarray(spt.colind(), np.int64), np.asarray(spt.row(), np.int64)
    rows_of = np.repeat(np.arange(g.shape[0], dtype=np.int64), np.diff(colind))
    xs, rows = ca.vertsplit(x), []
    for k, gk in enumerate(ca.vertsplit(g)):
        own = var[colind[k]:colind[k + 1]].tolist()
        if own:                                   # dense: symbolic zeros keep their slot
            rows.append(ca.vec(ca.densify(ca.jacobian(gk, ca.vertcat(*[xs[j] for j in own])))))
    return (ca.vertcat(*rows) if rows else ca.SX(0, 1)), (rows_of, var)
