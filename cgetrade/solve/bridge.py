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

from .._gc import long_lived_build
from .families import CompiledFamilies
from .tape import _Tape, residual_expr, row_jacobian

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
        # {id(VarData/ParamData): position in (x, p)}: the leaves of every graph of the model
        self._leaf_index = {id(v): k for k, v in enumerate(free + self.param_data)}
        return self._leaf_index

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
                tape = _Tape(self.n, self._leaf_index)
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
        self.convert_time = time.perf_counter() - t0

        t1 = time.perf_counter()
        self.f_g = ca.Function("g", [self.x, self.p], [self.g])
        jac_nz, self.jac_structure = row_jacobian(self._g, self._x, self._p)
        self.f_jac = ca.Function("jac_g", [self.x, self.p], [jac_nz])
        self.nnz_jac = int(len(self.jac_structure[1]))
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
            tape = _Tape(self.n, self._leaf_index)
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
                tape = _Tape(self.n, self._leaf_index)
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
            with _SYMBOLIC, long_lived_build(collect_first=False):
                cache[names] = (_Expressions(self._families, objs), offsets)
        return cache[names]

    def _leaf_values(self, name):
        """(indices, source 0 = x / 1 = p / 2 = constant, position, constants) of a Var or
        Param component; None for anything else."""
        cache = self.__dict__.setdefault("_leaf_cache", {})
        if name not in cache:
            comp = self.model.find_component(name)
            if not isinstance(comp, (pyo.Var, pyo.Param)):
                return None
            n, leaf_index = self.n, self._leaf_index
            idx, where, pos, const = [], [], [], []
            for k, d in comp.items():
                q = leaf_index.get(id(d), -1)
                w = 2 if q < 0 else (0 if q < n else 1)
                idx.append(k), where.append(w), pos.append(q if w == 0 else q - n if w == 1 else 0)
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


class _Expressions:
    """(x, p) -> values of named expressions (families backend): evaluated numerically by
    their families on the first calls (nothing to compile: one set of results costs no
    compile), by a compiled function from the third call on (sweeps and SSA collect results
    at every draw)."""
    COMPILE_AFTER = 2

    def __init__(self, families, objs):
        self.families, self.objs, self.calls = families, objs, 0
        self.numeric = families.expression_evaluator(objs)
        self.compiled = None

    def __call__(self, x, p):
        if self.compiled is not None:
            return np.asarray(self.compiled(x, p)).ravel()
        self.calls += 1
        if self.calls > self.COMPILE_AFTER:
            fam = self.families
            with _SYMBOLIC, long_lived_build(collect_first=False):
                self.compiled = ca.Function("expressions", [fam.X, fam.P], [fam.expression_values(self.objs)])
            return np.asarray(self.compiled(x, p)).ravel()
        return self.numeric(x, p)

