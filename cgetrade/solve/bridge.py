"""Pyomo model -> compiled sparse NLP (casadi) for Ipopt.

Every active equality constraint ``lhs == rhs`` becomes a residual g_k(x; p) = lhs - rhs.
Free variables form x; fixed variables and mutable Pyomo Params become symbolic parameters
p, so shocks and numeraire changes re-solve without recompiling.

Two backends build the residuals and the sparse constraint Jacobian:

* ``"families"`` (default, :mod:`cgetrade.solve.families`): equations with one structure
  (the members of an indexed constraint) form a family; one template per family is
  differentiated and replayed over the family's index set as array operations; named
  expressions are intermediate arrays with the chain rule as sparse matrix products;
* ``"scalar"``: one casadi SX graph of every equation (named Pyomo expressions converted
  once), the Jacobian's structure by casadi's sparsity propagation and its values row by row
  in reverse mode with respect to each equation's own variables.

Both agree to rounding (tests/test_families.py). The Hessian of the Lagrangian (Ipopt with
exact second derivatives) and the outputs of :meth:`CompiledNLP.outputs` come from the scalar
graph, built on first use. The choice of casadi over the alternatives is measured in
benchmarks/derivative_backends.py, the backends in benchmarks/run_benchmarks.py.
"""
from __future__ import annotations

import math
import threading
import time

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numvalue import native_numeric_types
from pyomo.core.expr import numeric_expr as ne

from .._gc import long_lived_build
from .families import CompiledFamilies

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
        for ids in np.split(ops, bounds):
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


# casadi releases the GIL, but its symbolic core is not thread-safe (reference-counted SX
# nodes, a global cache of constants): building, differentiating and freeing symbolic
# graphs happens under this lock, so models can be compiled in several threads (Dask's
# threaded scheduler). Numerical evaluation of compiled functions does not take it.
_SYMBOLIC = threading.RLock()


class CompiledNLP:
    """Residuals, sparse Jacobian and Lagrangian Hessian of a Pyomo model's equalities."""

    #: models compiled in this process (a sensitivity analysis should not add to it per draw)
    compiles = 0
    #: the default backend ("families" or "scalar")
    BACKEND = "families"

    def __init__(self, model: pyo.ConcreteModel, backend: str | None = None):
        backend = backend or CompiledNLP.BACKEND
        if backend not in ("families", "scalar"):
            raise ValueError(f"unknown bridge backend {backend!r}; choose 'families' or 'scalar'")
        self.backend = backend
        # millions of short-lived graph nodes: the cyclic garbage collector would rescan them
        # again and again (Pyomo's writers pause it too)
        with _SYMBOLIC, long_lived_build(collect_first=False):
            (self._compile_families if backend == "families" else self._compile)(model)

    def __del__(self):
        lock = _SYMBOLIC
        if lock is None:                 # interpreter shutdown
            return
        with lock:                       # casadi objects release their SX nodes here
            self.__dict__.clear()

    def _setup(self, model):
        """Equations, free variables x and parameters p (fixed variables, mutable Params) in
        a stable order; {id(leaf): position in (x, p)}."""
        CompiledNLP.compiles += 1
        self.model = model
        cons = [c for c in model.component_data_objects(pyo.Constraint, active=True,
                                                         descend_into=True)]
        self.constraints = cons
        self.constraint_labels = [(c.parent_component().name, c.index()) for c in cons]
        free, fixed, params = [], [], []
        for v in model.component_data_objects(pyo.Var, descend_into=True):
            (fixed if v.fixed else free).append(v)
        for prm in model.component_objects(pyo.Param, descend_into=True):
            if prm.mutable:
                params.extend(prm.values())
        self.variables = free
        self.variable_labels = [(v.parent_component().name, v.index()) for v in free]
        self.param_data = fixed + params
        self.n, self.m = len(free), len(cons)
        self._hess = None
        return {id(v): k for k, v in enumerate(free + self.param_data)}

    def _compile_families(self, model):
        t0 = time.perf_counter()
        leaves = self._setup(model)
        comps = [(comp.name, list(comp.items()))
                 for comp in model.component_objects(pyo.Expression, descend_into=True)]
        fam = CompiledFamilies(self.n, len(self.param_data), leaves,
                               [residual_expr(c) for c in self.constraints],
                               exprs=[e for _, items in comps for _, e in items])
        self._families = fam
        self.tape_size = fam.walk.nodes
        self._expr_layout, objs = {}, []
        for name, items in comps:
            try:                                     # not recordable: evaluated on request
                fam.walk.named_ids([e for _, e in items])
            except (TypeError, ValueError, AttributeError):
                continue
            self._expr_layout[name] = ([k for k, _ in items], len(objs), len(objs) + len(items))
            objs.extend(e for _, e in items)
        self._expr_objects = objs
        self.convert_time = fam.walk_time
        self.f_g = ca.Function("g", [fam.X, fam.P], [fam.g])
        self.f_jac = ca.Function("jac_g", [fam.X, fam.P], [fam.jac])
        self.jac_structure = fam.jac_structure
        self.nnz_jac = int(len(fam.jac_structure[0]))
        self.compile_time = time.perf_counter() - t0 - self.convert_time

    def _scalar(self):
        """The scalar casadi graph (x, p, g) of a model compiled by families (built on
        first use: the Hessian and :meth:`outputs` differentiate it)."""
        if "_g" not in self.__dict__:
            with _SYMBOLIC, long_lived_build(collect_first=False):
                self._x = ca.SX.sym("x", self.n)
                self._p = ca.SX.sym("p", len(self.param_data))
                leaves = {id(v): k for k, v in enumerate(self.variables + self.param_data)}
                tape = _Tape(self.n, leaves)
                roots = tape.walk([residual_expr(c) for c in self.constraints])
                self._g = tape.build(self._x, self._p, roots)
        return self._x, self._p, self._g

    x = property(lambda self: self._scalar()[0], doc="free variables (casadi SX)")
    p = property(lambda self: self._scalar()[1], doc="parameters (casadi SX)")
    g = property(lambda self: self._scalar()[2], doc="residuals (casadi SX of x and p)")

    def _compile(self, model):
        t0 = time.perf_counter()
        leaves = self._setup(model)
        cons, free = self.constraints, self.variables
        self._x = ca.SX.sym("x", len(free))
        self._p = ca.SX.sym("p", len(self.param_data))
        tape = _Tape(len(free), leaves)
        roots = tape.walk([residual_expr(c) for c in cons])
        # the model's named expressions on the same graph (mostly subtrees of the equations):
        # results are then one evaluation of a compiled function (component_values)
        self._expr_layout, n_eq = {}, len(roots)
        for comp in model.component_objects(pyo.Expression, descend_into=True):
            items = list(comp.items())
            try:
                pos = tape.walk([e for _, e in items])
            except (TypeError, ValueError, AttributeError):   # not recordable: evaluated on request
                continue
            self._expr_layout[comp.name] = ([k for k, _ in items], len(roots) - n_eq,
                                            len(roots) - n_eq + len(items))
            roots.extend(pos)
        self.tape_size = len(tape)
        both = tape.build(self._x, self._p, roots)
        self._g = both[:n_eq] if len(roots) > n_eq else both
        self._expr_sx = both[n_eq:] if len(roots) > n_eq else ca.SX(0, 1)
        g = ca.vertsplit(self._g)
        xs = ca.vertsplit(self._x)
        self.convert_time = time.perf_counter() - t0

        # sparse Jacobian: the structure by casadi's sparsity propagation, then reverse-mode
        # derivatives of each equation with respect to its own variables only (cost
        # proportional to the equation's own subgraph, no per-equation cost in the model size)
        t1 = time.perf_counter()
        self.f_g = ca.Function("g", [self.x, self.p], [self.g])
        spt = self.f_g.sparsity_jac(0, 0).T         # column k: the variables of equation k
        colind, var = np.asarray(spt.colind(), np.int64), np.asarray(spt.row(), np.int64)
        self.jac_structure = (np.repeat(np.arange(self.m, dtype=np.int64), np.diff(colind)), var)
        rows = []
        for k, gk in enumerate(g):
            own = var[colind[k]:colind[k + 1]].tolist()
            if own:                          # dense: symbolic zeros keep their slot
                rows.append(ca.vec(ca.densify(ca.jacobian(gk, ca.vertcat(*[xs[j] for j in own])))))
        jac_nz = ca.vertcat(*rows) if rows else ca.SX(0, 1)
        self.f_jac = ca.Function("jac_g", [self.x, self.p], [jac_nz])
        self.nnz_jac = int(len(var))
        self.compile_time = time.perf_counter() - t1

    @property
    def hess_structure(self):
        return self._hessian()[1]

    @property
    def nnz_hess(self) -> int:
        return len(self.hess_structure[0])

    def _hessian(self):
        """Lower triangle of the Hessian of the Lagrangian (compiled on first use)."""
        if self._hess is None:
            with _SYMBOLIC:
                self._hess = self._compile_hessian()
        return self._hess

    def _compile_hessian(self):
        t = time.perf_counter()
        lam = ca.SX.sym("lam", self.m)
        hess = ca.tril(ca.hessian(ca.dot(lam, self.g), self.x)[0])
        f = ca.Function("hess_l", [self.x, self.p, lam], [hess])
        self.hessian_compile_time = time.perf_counter() - t
        return f, tuple(np.asarray(s, np.int64) for s in hess.sparsity().get_triplet())

    def outputs(self, exprs) -> tuple:
        """Further Pyomo expressions of the model's variables and parameters (objectives,
        side constraints), compiled on the same x and p: casadi Functions
        (x, p) -> (h, dh/dx) and (x, p, V) -> ((dh/dp) V, (dg/dp) V), h the expressions'
        values, V parameter directions (one per column) and g the equilibrium residuals, for
        implicit differentiation of h(x(p), p) subject to g(x, p) = 0."""
        with _SYMBOLIC:
            leaves = {id(v): k for k, v in enumerate(self.variables + self.param_data)}
            tape = _Tape(self.n, leaves)
            h = tape.build(self.x, self.p, tape.walk(list(exprs)))
            V = ca.SX.sym("V", len(self.param_data), 1)
            values = ca.Function("outputs", [self.x, self.p], [h, ca.jacobian(h, self.x)])
            directional = ca.Function("outputs_dp", [self.x, self.p, V],
                                      [ca.jtimes(h, self.p, V), ca.jtimes(self.g, self.p, V)])
            return values, directional

    def component_function(self, names) -> tuple:
        """One compiled casadi function (x, p) -> values of every element of the model's
        components ``names`` (named Expressions, Vars, Params), and for each component its
        indices: (function, [(name, indices, start, stop)]). Compiled on first use per tuple
        of names and kept with the model."""
        key = tuple(names)
        cache = self.__dict__.setdefault("_components", {})
        if key not in cache:
            with _SYMBOLIC, long_lived_build(collect_first=False):
                layout, roots = [], []
                for name in key:
                    comp = self.model.find_component(name)
                    items = list(comp.items())
                    layout.append((name, [k for k, _ in items], len(roots), len(roots) + len(items)))
                    roots.extend(v for _, v in items)
                leaves = {id(v): k for k, v in enumerate(self.variables + self.param_data)}
                tape = _Tape(self.n, leaves)
                h = tape.build(self.x, self.p, tape.walk(roots)) if roots else ca.SX(0, 1)
                cache[key] = (ca.Function("components", [self.x, self.p], [h]), layout)
        return cache[key]

    def component_values(self, names, x=None, p=None) -> dict:
        """{name: (indices, values)} of the model's components ``names`` (named Expressions,
        Vars, Params) at (x, p) (default: the model's current point): the expressions from one
        evaluation of the compiled function of all of them, variables and parameters from x
        and p; components added after compiling by :meth:`component_function`."""
        x = self.x_from_model() if x is None else np.asarray(x, float)
        p = self.p_from_model() if p is None else np.asarray(p, float)
        out, later = {}, []
        wanted = tuple(name for name in names if name in self._expr_layout)
        if wanted:
            exprs, offsets = self._expressions(wanted)
            exprs = exprs(x, p)
        for name in names:
            if name in self._expr_layout:
                idx = self._expr_layout[name][0]
                a, b = offsets[name]
                out[name] = (idx, exprs[a:b])
            else:
                leaf = self._leaf_values(name)
                if leaf is None:
                    later.append(name)
                else:
                    idx, where, pos, const = leaf
                    vals = const.copy()
                    vals[where == 0] = x[pos[where == 0]]
                    vals[where == 1] = p[pos[where == 1]]
                    out[name] = (idx, vals)
        if later:
            f, layout = self.component_function(later)
            v = np.asarray(f(x, p)).ravel()
            out.update({name: (idx, v[a:b]) for name, idx, a, b in layout})
        return {name: out[name] for name in names}

    def _expressions(self, names):
        """(x, p) -> values of the named expression components ``names`` and {name: (start,
        stop)} in that vector (compiled on first use of each set of names; the scalar backend
        evaluates every named expression at once)."""
        if self.backend != "families":
            f = self.__dict__.get("_f_expr")
            if f is None:
                with _SYMBOLIC:
                    f = self._f_expr = ca.Function("expressions", [self.x, self.p], [self._expr_sx])
            return (lambda x, p: np.asarray(f(x, p)).ravel()), \
                {name: self._expr_layout[name][1:] for name in names}
        cache = self.__dict__.setdefault("_f_exprs", {})
        if names not in cache:
            objs, offsets = [], {}
            for name in names:
                _, a, b = self._expr_layout[name]
                offsets[name] = (len(objs), len(objs) + b - a)
                objs.extend(self._expr_objects[a:b])
            fam = self._families
            with _SYMBOLIC, long_lived_build(collect_first=False):
                f = ca.Function("expressions", [fam.X, fam.P], [fam.expression_values(objs)])
            cache[names] = ((lambda x, p: np.asarray(f(x, p)).ravel()), offsets)
        return cache[names]

    def _leaf_values(self, name):
        """(indices, source 0 = x / 1 = p / 2 = constant, position, constants) of a Var or
        Param component; None for anything else."""
        cache = self.__dict__.setdefault("_leaf_cache", {})
        if name not in cache:
            comp = self.model.find_component(name)
            if not isinstance(comp, (pyo.Var, pyo.Param)):
                return None
            if "_leaf_pos" not in self.__dict__:
                self._leaf_pos = {**{id(v): (0, k) for k, v in enumerate(self.variables)},
                                  **{id(v): (1, k) for k, v in enumerate(self.param_data)}}
            idx, where, pos, const = [], [], [], []
            for k, d in comp.items():
                w, q = self._leaf_pos.get(id(d), (2, 0))
                idx.append(k), where.append(w), pos.append(q)
                const.append(float(pyo.value(d)) if w == 2 else 0.0)
            cache[name] = (idx, np.array(where, np.int8), np.array(pos, np.int64), np.array(const, float))
        return cache[name]

    # -- values --------------------------------------------------------------
    def x_from_model(self) -> np.ndarray:
        return np.array([v.value if v.value is not None else 1.0 for v in self.variables], float)

    def p_from_model(self) -> np.ndarray:
        try:                             # fixed VarData and mutable ParamData: their stored value
            vals = [q._value for q in self.param_data]    # (the public .value costs 3x more)
        except AttributeError:           # pragma: no cover - another Pyomo layout
            vals = [q.value for q in self.param_data]
        if None in vals:                 # pyo.value names the one without a value
            vals = [pyo.value(q) for q in self.param_data]
        return np.array(vals, float)

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
        """Nonzeros of the Jacobian in the order of ``jac_structure`` (row by row)."""
        return np.asarray(self.f_jac(x, p).nonzeros())

    def hessian_values(self, x, p, lam) -> np.ndarray:
        return np.asarray(self._hessian()[0](x, p, lam).nonzeros())

    def worst(self, r: np.ndarray, n: int = 10) -> list[tuple[str, tuple, float]]:
        """The n equations with the largest |residual|: (name, index, residual)."""
        order = np.argsort(-np.abs(r))[:n]
        return [(self.constraint_labels[k][0], self.constraint_labels[k][1], float(r[k]))
                for k in order]
