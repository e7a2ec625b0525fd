"""Equation families evaluated as arrays: one compiled template per family, mapped over its
index set.

The Pyomo model stays the one declaration of every equation. The equations of one indexed
constraint have the same expression tree for each index (the same CES demand, the same
zero-profit condition); only the variables, parameters and numbers at the leaves differ. So
the scalar expressions are read once, each equation (and each named Expression: a price
index, a CES aggregate) is reduced to

* its **structure**: the tree of operations with every leaf replaced by its kind (free
  variable, parameter, number, named expression), hash-consed so that equal subtrees get
  equal integer ids;
* its **leaves** in tree order, and the pattern of which leaf positions hold the same
  variable or parameter (x_j x_j is not x_j x_k).

Equations with equal structure and pattern form a family. For each family one representative
is compiled as a casadi function of its own leaves,

    g_f(z_x, z_e, z_p)  and its derivatives  dg_f/dz_x, dg_f/dz_e  (structural nonzeros),

and its algorithm is replayed once with every scalar replaced by the column of the members'
values, gathered as ``Z_x = x[IX_f]``, ``Z_e = e[IE_f]`` and ``Z_p = (p, c)[IP_f]`` (c the
numbers), so every operation runs over an array. Named expressions e are intermediate
arrays: evaluated level by level (a level uses only lower ones), their total derivatives
by the chain rule as sparse matrix products,

    de_k/dx = D^x_k + D^e_k de_{<k}/dx,      dg/dx = G^x + G^e de/dx,

so a shared subexpression is evaluated and differentiated once, as in the scalar graph.
The derivative work is done once per family instead of once per equation. Families of fewer
than ``CompiledFamilies.MIN_MEMBERS`` members are compiled together on one scalar graph
(:mod:`cgetrade.solve.tape`) that takes the intermediate arrays as inputs.

Numbers in the trees (calibrated shares, benchmark values) are inputs of the templates, one
per position, so members differ only in data. ``tests/test_families.py`` checks the array
evaluation against the Pyomo expressions at random points for every block, closure and option.
"""
from __future__ import annotations

import sys
import time
from collections import defaultdict
from itertools import chain

import casadi as ca
import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numvalue import native_numeric_types

from .tape import _ABS, _BINARY, _NEG, _OP_OF_CLASS, _SUM, _UNARY, _Tape, row_jacobian

_SID_X, _SID_P, _SID_C, _SID_E = 0, 1, 2, 3
#: references to an operation node while the walk visits it when it has one parent (the
#: parent's argument list, a copy of it, the loop variable, the argument and getrefcount's
#: own): nodes with more are shared, and only those are remembered. A node with two parents
#: whose arguments are tuples also counts 5; it is then read once per parent (a cost only:
#: templates build each occurrence from its own leaves)
_UNSHARED = 5
_NUMBER, _EXPR = 0, 1


class FamilyWalk:
    """One pass over Pyomo expression DAGs: structure ids and leaf sequences.

    Leaf ids: free variables 0..n_x-1, parameters n_x..n_leaf-1 (``leaves``); from n_leaf on
    the *extras*, in order of appearance: numbers (one per position in the DAG, values in
    ``numbers``) and named expressions (``exprs``, each with its own record and level).
    """

    def __init__(self, n_x: int, leaves: dict):
        self.n_x = n_x
        self.n_leaf = len(leaves)
        self._leaf = {i: (pos, _SID_X if pos < n_x else _SID_P) for i, pos in leaves.items()}
        self.extra_kind: list[int] = []      # _NUMBER | _EXPR
        self.extra_ref: list[int] = []       # index in numbers | exprs
        self.numbers: list[float] = []
        self.exprs: list = []                # named expression data objects
        self.expr_records: list[tuple[int, tuple]] = []
        self.expr_extra: list[int] = []      # extra id of each expression
        self._intern = {("x",): _SID_X, ("p",): _SID_P, ("c",): _SID_C, ("e",): _SID_E}
        self._op = {}          # id(operation) -> (structure id, {arg position: number id})
        self._named = {}       # id(named expression) -> extra id
        self._value = {}       # id(immutable value object) -> number id
        self._kind = {}
        self._reads = [0]      # operation nodes read (shared ones once)
        self.alive = []        # nodes whose id() is memoised stay alive

    def _extra(self, kind, ref) -> int:
        self.extra_kind.append(kind)
        self.extra_ref.append(ref)
        return self.n_leaf + len(self.extra_kind) - 1

    def _number(self, v) -> int:
        self.numbers.append(float(v))
        return self._extra(_NUMBER, len(self.numbers) - 1)

    def _classify(self, t, node):
        kind = self._kind.get(t)
        if kind is None:
            if node.is_named_expression_type():
                kind = "named"
            elif not node.is_expression_type():
                kind = "value"
            else:
                kind = next((k for cls, k in _OP_OF_CLASS if isinstance(node, cls)), None)
                if kind is None:
                    raise TypeError(f"expression type {t.__name__} is not supported by the bridge")
            self._kind[t] = kind
        return kind

    @property
    def nodes(self) -> int:
        """Operation nodes read by the walk (a node with several parents once when the walk
        remembers it: see ``_UNSHARED``)."""
        return self._reads[0]

    def walk(self, roots) -> list[tuple[int, tuple]]:
        """(structure id, leaf ids in tree order) of each root expression; named expressions
        met on the way are recorded once each (``exprs``)."""
        leaf_of, named, ops, values, intern = self._leaf, self._named, self._op, self._value, self._intern
        native, alive = native_numeric_types, self.alive
        classify, number = self._classify, self._number
        refcount, reads = sys.getrefcount, self._reads

        def body(expr) -> tuple[int, tuple]:
            sub = []
            if type(expr) in native:
                sub.append(number(expr))
                return _SID_C, tuple(sub)
            return visit(expr, sub), tuple(sub)

        kinds, exprs, expr_records, expr_extra = self._kind, self.exprs, self.expr_records, self.expr_extra
        extra_kind, extra_ref, numbers = self.extra_kind, self.extra_ref, self.numbers
        base = self.n_leaf

        def visit(node, out) -> int:
            t = type(node)
            kind = kinds.get(t)
            if kind is None:
                kind = classify(t, node)
            if kind == "value":                    # variables, parameters, other constants
                leaf = leaf_of.get(id(node))
                if leaf is not None:
                    out.append(leaf[0])
                    return leaf[1]
                nid = values.get(id(node))
                if nid is None:
                    nid = values[id(node)] = number(pyo.value(node))
                    alive.append(node)
                out.append(nid)
                return _SID_C
            if kind == "named":
                eid = named.get(id(node))
                if eid is None:
                    rec = body(node.expr)
                    eid = self._extra(_EXPR, len(exprs))
                    exprs.append(node)
                    expr_records.append(rec)
                    expr_extra.append(eid)
                    named[id(node)] = eid
                    alive.append(node)
                out.append(eid)
                return _SID_E
            args = node.args
            hit = ops.get(id(node))
            if hit is not None:                # a shared anonymous subtree: its leaves again
                sid, nums = hit
                if nums:
                    for q, a in enumerate(args):
                        if q in nums:
                            out.append(nums[q])
                        else:
                            visit(a, out)
                else:
                    for a in args:
                        visit(a, out)
                return sid
            nums, sids = None, []
            for q, a in enumerate(args):
                if type(a) in native:              # _number, inlined on this hot path
                    numbers.append(float(a))
                    extra_kind.append(_NUMBER)
                    extra_ref.append(len(numbers) - 1)
                    nid = base + len(extra_kind) - 1
                    if nums is None:
                        nums = {}
                    nums[q] = nid
                    out.append(nid)
                    sids.append(_SID_C)
                else:
                    sids.append(visit(a, out))
            key = (("u", node.getname()) if kind == "unary" else kind, *sids)
            sid = intern.get(key)
            if sid is None:
                sid = intern[key] = len(intern)
            reads[0] += 1
            if refcount(node) > _UNSHARED:     # held by another parent too: remember it
                ops[id(node)] = (sid, nums)
                alive.append(node)
            return sid

        try:
            return [body(r) for r in roots]
        finally:
            del visit, body      # break the closures' reference cycle

    def named_ids(self, exprs) -> list[int]:
        """Expression indices of named expression objects (recording those not yet met)."""
        missing = [e for e in exprs if id(e) not in self._named]
        if missing:
            self.walk(missing)
        return [self.extra_ref[self._named[id(e)] - self.n_leaf] for e in exprs]

    def inline(self, inlined: np.ndarray) -> None:
        """Inline the named expressions marked in ``inlined`` (by expression index) into the
        records that use them: their leaves spliced in, the structure id extended by the
        positions and structures of the inlined subtrees. ``expanded`` then holds each
        expression's record with its inlined children expanded."""
        n_leaf, intern = self.n_leaf, self._intern
        kind = np.asarray(self.extra_kind, np.int8)
        ref = np.asarray(self.extra_ref, np.int64)
        is_inl = np.zeros(len(kind), bool)                 # by extra id - n_leaf
        e = kind == _EXPR
        is_inl[e] = inlined[ref[e]]
        self.inlined = inlined
        self._is_inlined = is_inl
        expanded = list(self.expr_records)

        inl_ids = set((np.flatnonzero(is_inl) + n_leaf).tolist())

        def expand(rec):
            sid, leaves = rec
            hit = [q for q, lid in enumerate(leaves) if lid in inl_ids]
            if not hit:
                return rec
            out, subs, last = [], [], 0
            for q in hit:
                child = expanded[ref[leaves[q] - n_leaf]]
                out.extend(leaves[last:q])
                out.extend(child[1])
                subs.append((q, child[0]))
                last = q + 1
            out.extend(leaves[last:])
            key = ("inline", sid, tuple(subs))
            new = intern.get(key)
            if new is None:
                new = intern[key] = len(intern)
            return new, tuple(out)

        for j in range(len(expanded)):                      # children come first
            expanded[j] = expand(expanded[j])
        self.expanded = expanded
        self._expand = expand

    def levels(self) -> np.ndarray:
        """Level of each named expression kept as an intermediate array (after
        :meth:`inline`): 1 + the highest level of those it uses (0: none); -1 if inlined."""
        n_leaf, ref = self.n_leaf, self.extra_ref
        expr_of = {int(e): int(ref[e - n_leaf]) for e in self.expr_extra}
        level = [-1] * len(self.exprs)
        inlined = self.inlined.tolist()
        for j, (_, leaves) in enumerate(self.expanded):     # children come first
            if not inlined[j]:
                level[j] = 1 + max((level[expr_of[lid]] for lid in leaves if lid in expr_of), default=-1)
        return np.asarray(level, np.int64)

    # -- templates -------------------------------------------------------------------
    def template(self, root, slot_of: dict, leaves, zx, ze, zz):
        """casadi SX of ``root`` (an equation's residual or a named expression's body) with
        leaf id -> symbol by ``slot_of`` ({leaf id: (0|1|2, k)} for z_x[k] | z_e[k] | z_z[k]);
        ``leaves`` is the root's (expanded) record: its leaf ids in tree order, which the
        tree is read against, leaf by leaf, as :meth:`walk` wrote them. A subtree met twice
        is built twice, each time from its own leaves: the walk remembers only shared nodes,
        so two occurrences may hold different number ids (and members of the family different
        numbers there)."""
        native = native_numeric_types
        syms = (zx, ze, zz)
        inlined, named, kinds = self._is_inlined, self._named, self._kind
        n_leaf = self.n_leaf
        cursor = [0]

        def take():
            w, k = slot_of[leaves[cursor[0]]]
            cursor[0] += 1
            return syms[w][k]

        def build(node):
            kind = kinds[type(node)]
            if kind == "value":
                return take()
            if kind == "named":
                if inlined[named[id(node)] - n_leaf]:
                    body = node.expr
                    return take() if type(body) in native else build(body)
                return take()
            args = [take() if type(a) in native else build(a) for a in node.args]
            if kind == _SUM:
                return args[0] if len(args) == 1 else (
                    args[0] + args[1] if len(args) == 2 else ca.sum1(ca.vertcat(*args)))
            if kind in _BINARY:
                return _BINARY[kind](args[0], args[1])
            if kind == _NEG:
                return -args[0]
            if kind == _ABS:
                return ca.fabs(args[0])
            return _UNARY[node.getname()](args[0])

        try:
            out = take() if type(root) in native else build(root)
            if cursor[0] != len(leaves):         # pragma: no cover - the walk and the tree disagree
                raise RuntimeError("a template read a different number of leaves than recorded")
            return out
        finally:
            del build, take


def _first_occurrence(A: np.ndarray) -> np.ndarray:
    """For each row of A, the column of the first occurrence of each entry's value."""
    n, L = A.shape
    order = np.argsort(A, axis=1, kind="stable")
    S = np.take_along_axis(A, order, 1)
    start = np.ones((n, L), bool)
    start[:, 1:] = S[:, 1:] != S[:, :-1]
    col = np.where(start, np.arange(L)[None, :], 0)
    np.maximum.accumulate(col, axis=1, out=col)
    first_sorted = np.take_along_axis(order, col, 1)
    F = np.empty_like(first_sorted)
    np.put_along_axis(F, order, first_sorted, 1)
    return F


class Family:
    """Equations or named expressions with one structure: ``members`` (their positions: rows
    of the residual vector, or ranks of the expressions), gather indices ``ix`` (variables),
    ``ie`` (expression ranks) and ``iz`` (positions in [p; numbers]), each slots x members,
    and the compiled template."""

    def __init__(self, members, ix, ie, iz, rep_root, slot_of, rep_leaves, walk: FamilyWalk,
                 jacobian: bool):
        self.members = np.asarray(members, np.int64)
        self.ix, self.ie, self.iz = ix, ie, iz
        zx = ca.SX.sym("zx", ix.shape[0])
        ze = ca.SX.sym("ze", ie.shape[0])
        zz = ca.SX.sym("zz", iz.shape[0])
        g = walk.template(rep_root, slot_of, rep_leaves, zx, ze, zz)
        outs = [g]
        self.jac_x = self.jac_e = np.zeros(0, np.int64)
        if jacobian:
            for wrt, name in ((zx, "jac_x"), (ze, "jac_e")):
                if wrt.shape[0] == 0:
                    continue
                J = ca.jacobian(g, wrt)
                slots = np.asarray(J.sparsity().get_col(), np.int64)
                setattr(self, name, slots)
                if len(slots):
                    outs.append(ca.vertcat(*J.nonzeros()))
        self.f = ca.Function("family", [zx, ze, zz], outs)

    def mapped(self, X, E, Z) -> list:
        """casadi MX outputs for every member as columns (one entry per member): the values,
        then the Jacobian nonzeros wrt z_x and wrt z_e, slot by slot (those that exist).

        The template's algorithm is replayed once with every scalar replaced by the column of
        its values over the members, so each operation runs over contiguous arrays."""
        f = self.f
        cols = [[_take(X, r) for r in self.ix], [_take(E, r) for r in self.ie],
                [_take(Z, r) for r in self.iz]]
        outs = [[None] * f.nnz_out(k) for k in range(f.n_out())]
        work = {}
        INPUT, OUTPUT, CONST = ca.OP_INPUT, ca.OP_OUTPUT, ca.OP_CONST
        binary, unary = ca.MX.binary, ca.MX.unary
        for k in range(f.n_instructions()):
            op = f.instruction_id(k)
            o, i = f.instruction_output(k), f.instruction_input(k)
            if op == INPUT:
                work[o[0]] = cols[i[0]][i[1]]
            elif op == OUTPUT:
                outs[o[0]][o[1]] = work[i[0]]
            elif op == CONST:
                work[o[0]] = ca.MX(f.instruction_constant(k))
            elif len(i) == 2:
                work[o[0]] = binary(op, work[i[0]], work[i[1]])
            else:
                work[o[0]] = unary(op, work[i[0]])
        N = len(self.members)
        return [ca.vertcat(*[v if v.shape[0] == N else ca.repmat(v, N, 1) for v in out])
                for out in outs]


def _take(v: ca.MX, idx) -> ca.MX:
    """The entries ``idx`` of the dense column ``v`` as a column (by nonzero position: the
    cost is that of ``idx``, not of ``v``)."""
    out = v.nz[np.asarray(idx, np.int64).tolist()]
    return out if out.shape[1] == 1 else ca.reshape(out, out.numel(), 1)


class _Bodies:
    """The bodies of named expressions by index, read on demand (only representatives are)."""

    def __init__(self, exprs):
        self.exprs = exprs

    def __getitem__(self, j):
        return self.exprs[j].expr


def _sparse(rows, cols, vals, shape) -> ca.MX:
    """The sparse MX matrix with nonzeros ``vals`` (MX column) at (rows, cols), no duplicates."""
    if len(rows) == 0:
        return ca.MX(*shape)
    order = np.lexsort((rows, cols))            # casadi stores column by column
    sp = ca.Sparsity.triplet(shape[0], shape[1], rows[order].tolist(), cols[order].tolist())
    if sp.nnz() != len(rows):                   # pragma: no cover - a duplicate slot
        raise ValueError("duplicate Jacobian entries in a family")
    return ca.MX(sp, _take(vals, order))


def _group(records, members_of) -> list:
    """Families of the records at positions ``members_of``: (members, leaf ids members x
    leaves, aliasing pattern) for each structure and pattern."""
    by_sid = defaultdict(list)
    for k in members_of:
        sid, leaves = records[k]
        by_sid[(sid, len(leaves))].append(k)
    out = []
    for (sid, L), members in by_sid.items():
        members = np.asarray(members, np.int64)
        A = np.array([records[k][1] for k in members], dtype=np.int64).reshape(len(members), L)
        F = _first_occurrence(A)
        if len(members) == 1:
            out.append((members, A, F[0]))
            continue
        rows_as_bytes = np.ascontiguousarray(F).view(np.dtype((np.void, F.dtype.itemsize * L))).ravel()
        _, first, inverse = np.unique(rows_as_bytes, return_index=True, return_inverse=True)
        for g in range(len(first)):
            rows = np.flatnonzero(inverse == g)
            out.append((members[rows], A[rows], F[first[g]]))
    return out


class CompiledFamilies:
    """Residuals g(x, p), their sparse Jacobian and the named expressions' values as casadi
    MX expressions assembled from families.

    ``roots``: the equations' residual expressions; ``exprs``: further named expressions whose
    values are wanted (results; those that cannot be recorded are left out). A named
    expression used once is inlined into its user's family; the others are intermediate
    arrays ``E`` evaluated level by level.
    """

    def __init__(self, n_x: int, n_p: int, leaves: dict, roots, exprs=(), jacobian: bool = True):
        t0 = time.perf_counter()
        walk = self.walk = FamilyWalk(n_x, leaves)
        records = walk.walk(roots)
        exprs = list(exprs)                     # results' expressions: recorded, not roots
        try:
            walk.walk(exprs)
        except (TypeError, ValueError, AttributeError):
            for e in exprs:
                try:
                    walk.walk([e])
                except (TypeError, ValueError, AttributeError):   # not recordable: left out
                    pass
        self.m, self.n_x, self.n_p, self.jacobian = len(roots), n_x, n_p, jacobian
        self._kinds = np.asarray(walk.extra_kind, np.int8)
        self._refs = np.asarray(walk.extra_ref, np.int64)
        n_leaf, n_expr = walk.n_leaf, len(walk.exprs)
        # uses of each named expression by the equations and by the expressions they reach
        # (expressions of the results only are not in the equations' derivatives)
        is_expr = self._kinds == _EXPR

        def edges(recs):
            """(owner record, expression used) for every use of a named expression."""
            lengths = np.fromiter((len(L) for _, L in recs), np.int64, len(recs))
            flat = np.fromiter(chain.from_iterable(L for _, L in recs), np.int64, int(lengths.sum()))
            owner = np.repeat(np.arange(len(recs)), lengths)
            keep = flat >= n_leaf
            flat, owner = flat[keep] - n_leaf, owner[keep]
            keep = is_expr[flat]
            return owner[keep], self._refs[flat[keep]]
        _, seeds = edges(records)
        parent, child = edges(walk.expr_records)
        reached = np.zeros(n_expr, bool)
        reached[seeds] = True
        while True:                                   # down the expression DAG, level by level
            new = child[reached[parent] & ~reached[child]]
            if not len(new):
                break
            reached[new] = True
        uses = np.bincount(seeds, minlength=n_expr) + np.bincount(child[reached[parent]], minlength=n_expr)
        walk.inline((uses <= 1) | ~reached)   # used once, or by no equation: inlined
        records = [walk._expand(r) for r in records]
        levels = walk.levels()
        self.walk_time = time.perf_counter() - t0           # reading the Pyomo expressions

        self.X = ca.MX.sym("x", n_x)
        self.P = ca.MX.sym("p", n_p)
        self._Z = ca.vertcat(self.P, ca.DM(walk.numbers)) if walk.numbers else self.P
        self.rank = np.full(n_expr, -1, np.int64)          # position of each intermediate in E
        self.families: list[Family] = []
        self.E = ca.MX(0, 1)
        T = ca.MX(0, n_x)                                  # dE/dx
        self._leaves = leaves
        bodies = _Bodies(walk.exprs)
        for lv in range(int(levels.max()) + 1 if n_expr and levels.max() >= 0 else 0):
            big, small, local = self._split(_group(walk.expanded, np.flatnonzero(levels == lv)))
            start = self.E.shape[0]                        # E and T hold the lower levels
            self.rank[local] = start + np.arange(len(local))   # ranks: family by family
            vals, D = self._compile(big, small, walk.exprs, bodies, walk.expanded,
                                    lambda mem: self.rank[mem] - start)
            self.E = ca.vertcat(self.E, *vals)             # rows in rank order
            if jacobian:
                T = ca.vertcat(T, self._total(len(local), D, T))
        # the equations
        big, small, pos = self._split(_group(records, range(len(records))))
        vals, D = self._compile(big, small, roots, roots, records, lambda mem: mem)
        inv = np.empty(self.m, np.int64)
        inv[pos] = np.arange(self.m)
        self.g = _take(ca.vertcat(*vals), inv)
        if jacobian:
            J = self._total(self.m, D, T)
            r, c = (np.asarray(v, np.int64) for v in J.sparsity().get_triplet())
            order = np.lexsort((c, r))                     # row by row, by column within a row
            self.jac = _take(J, order) if len(order) else ca.MX(0, 1)
            self.jac_structure = (r[order], c[order])

    #: families with fewer members are compiled on one scalar graph (``tape``) instead: a
    #: template and its replay cost more than the scalar graph of a few equations
    MIN_MEMBERS = 8

    def _split(self, groups):
        """Families with at least MIN_MEMBERS members; the members of the others; and the
        members in the order their values come out of :meth:`_compile` (big, then small)."""
        big = [g for g in groups if len(g[0]) >= self.MIN_MEMBERS]
        small = [g[0] for g in groups if len(g[0]) < self.MIN_MEMBERS]
        small = np.concatenate(small) if small else np.zeros(0, np.int64)
        return big, small, np.concatenate([mem for mem, _, _ in big] + [small])

    def _compile(self, big, small, objs, bodies, recs, rows_of, jacobian=None):
        """Values and direct derivatives of the families ``big`` (templates) and of the
        members ``small`` (one scalar graph); by member: ``objs`` the Pyomo expressions,
        ``bodies`` the trees their records describe, ``recs`` the records; ``rows_of``: their
        rows."""
        jacobian = self.jacobian if jacobian is None else jacobian
        vals, D = self._level(big, bodies, rows_of, jacobian)
        self._scalar_block([objs[k] for k in small], [recs[k] for k in small], rows_of(small),
                           vals, D, jacobian)
        return vals, D

    def _scalar_block(self, objs, recs, rows, vals, D, jacobian):
        """Pyomo expressions ``objs`` (residuals or named expressions, with their records
        ``recs``) on one scalar casadi graph of (x, p, e), e the intermediate arrays they use
        (the inlined expressions inside them are part of the graph): their values appended to
        ``vals``, their derivatives wrt x and e (rows ``rows``) to ``D``."""
        if not len(objs):
            return
        n_x = self.n_x
        f, used, rc = self._scalar_function(objs, recs, jacobian)
        res = f(self.X, self.P, _take(self.E, self.rank[used]))
        res = list(res) if isinstance(res, (list, tuple)) else [res]
        vals.append(res[0])
        rows = np.asarray(rows, np.int64)
        if jacobian:
            r, c = rc
            col_e = self.rank[used][np.clip(c - n_x, 0, len(used) - 1)] if len(used) else c
            for name, sel, col in (("x", c < n_x, c), ("e", c >= n_x, col_e)):
                if sel.any():
                    D[name][0].append(rows[r[sel]])
                    D[name][1].append(col[sel])
                    D[name][2].append(_take(res[1], np.flatnonzero(sel)))

    def _scalar_function(self, objs, recs, jacobian):
        """The scalar graph of :meth:`_scalar_block`: (casadi function (x, p, e) -> values
        [, Jacobian nonzeros], the expressions e (indices) it takes, (rows, cols) of the
        nonzeros or None)."""
        walk, n_x, n_p, n_leaf = self.walk, self.n_x, self.n_p, self.walk.n_leaf
        ext = np.fromiter({lid for _, L in recs for lid in L if lid >= n_leaf}, np.int64) - n_leaf
        used = np.sort(self._refs[ext[self._kinds[ext] == _EXPR]]) if len(ext) else ext
        leaves = dict(self._leaves)
        leaves.update({id(walk.exprs[j]): n_x + n_p + k for k, j in enumerate(used.tolist())})
        x, p, e = ca.SX.sym("x", n_x), ca.SX.sym("p", n_p), ca.SX.sym("e", len(used))
        tape = _Tape(n_x, leaves)
        g = tape.build(x, ca.vertcat(p, e), tape.walk(objs))
        outs, rc = [g], None
        if jacobian:
            nz, rc = row_jacobian(g, ca.vertcat(x, e), p)
            outs.append(nz)
        return ca.Function("scalar_block", [x, p, e], outs), used, rc

    def _level(self, groups, bodies, rows_of, jacobian):
        """Compile the families ``groups`` of one level: their values (one MX column per
        family, members in order) and the direct derivatives ((rows, cols, values) wrt x and
        wrt E)."""
        vals, D = [], {"x": ([], [], []), "e": ([], [], [])}
        for group in groups:
            fam = self._family(group, bodies, rows_of, jacobian)
            self.families.append(fam)
            out = fam.mapped(self.X, self.E, self._Z)
            vals.append(out[0])
            q = 1
            for name, slots_, idx in (("x", fam.jac_x, fam.ix), ("e", fam.jac_e, fam.ie)):
                if len(slots_):
                    D[name][0].append(np.tile(fam.members, len(slots_)))
                    D[name][1].append(idx[slots_].ravel())
                    D[name][2].append(out[q])
                    q += 1
        return vals, D

    def _family(self, group, bodies, rows_of, jacobian) -> Family:
        """The family of ``group`` = (members, leaf ids, aliasing pattern): its gathers and
        compiled template."""
        members, A, pat = group
        walk = self.walk
        n_x, n_p, n_leaf = self.n_x, self.n_p, walk.n_leaf
        kinds, refs, rank = self._kinds, self._refs, self.rank
        slots = np.flatnonzero(pat == np.arange(A.shape[1]))
        ids = A[:, slots].T                              # slots x members
        first = ids[:, 0]
        extra = np.maximum(first - n_leaf, 0)
        is_x = first < n_x
        is_e = (first >= n_leaf) & (kinds[extra] == _EXPR) if len(kinds) else np.zeros(len(first), bool)
        is_z = ~is_x & ~is_e
        ix = ids[is_x]
        ie = rank[refs[ids[is_e] - n_leaf]].reshape(-1, len(members))
        zid = ids[is_z]
        iz = zid - n_x
        num = zid >= n_leaf
        iz[num] = n_p + refs[zid[num] - n_leaf]
        slot_of = {}
        for w, mask in ((0, is_x), (1, is_e), (2, is_z)):
            for k, sl in enumerate(np.flatnonzero(mask)):
                slot_of[int(first[sl])] = (w, k)
        return Family(rows_of(members), ix, ie, iz, bodies[int(members[0])], slot_of,
                      A[0].tolist(), walk, jacobian)

    def _total(self, n_rows, D, T):
        """Total derivative wrt x of one level: D^x + D^e T (sparse)."""
        def matrix(name, n_cols):
            r, c, v = D[name]
            if not r:
                return None
            return _sparse(np.concatenate(r), np.concatenate(c), ca.vertcat(*v), (n_rows, n_cols))
        Dx, De = matrix("x", self.n_x), matrix("e", T.shape[0])
        if De is None:
            return Dx if Dx is not None else ca.MX(n_rows, self.n_x)
        return ca.mtimes(De, T) if Dx is None else Dx + ca.mtimes(De, T)

    def _expression_layout(self, exprs):
        """For the named expression objects ``exprs``: the inlined ones among them as families
        of their own (big, small members), their positions after E, and where each of
        ``exprs`` sits in [E; inlined values]."""
        walk = self.walk
        ids = np.asarray(walk.named_ids(exprs), np.int64)
        if (ids >= len(self.rank)).any():
            raise ValueError("a named expression was not recorded with the equations")
        inl = np.unique(ids[self.rank[ids] < 0])
        pos = np.full(len(self.rank), -1, np.int64)
        big, small = [], np.zeros(0, np.int64)
        if len(inl):
            big, small, order = self._split(_group(walk.expanded, inl))
            pos[order] = np.arange(len(order))
        where = np.where(self.rank[ids] >= 0, self.rank[ids], self.E.shape[0] + pos[ids])
        return big, small, pos, len(inl), where

    def expression_values(self, exprs) -> ca.MX:
        """MX of the values of named expression objects: intermediates from E, inlined ones by
        families of their own (values only), replayed symbolically (for a compiled function:
        dearer to build than :meth:`expression_evaluator`, cheaper to call)."""
        big, small, pos, n_inl, where = self._expression_layout(exprs)
        if not len(where):
            return ca.MX(0, 1)
        V = ca.MX(0, 1)
        if n_inl:
            walk = self.walk
            vals, _ = self._compile(big, small, walk.exprs, _Bodies(walk.exprs), walk.expanded,
                                    lambda mem: pos[mem], jacobian=False)
            V = ca.vertcat(*vals)
        return _take(ca.vertcat(self.E, V), where)

    def expression_evaluator(self, exprs):
        """(x, p) -> numpy values of the named expression objects ``exprs``, numerically: the
        intermediates from one evaluation of E, the inlined expressions by their families'
        templates mapped over the members (no symbolic replay, nothing compiled beyond the
        templates)."""
        walk = self.walk
        big, small, pos, n_inl, where = self._expression_layout(exprs)
        f_E = self.__dict__.get("_f_E")
        if f_E is None:
            f_E = self._f_E = ca.Function("intermediates", [self.X, self.P], [self.E])
        parts = []                                   # (positions, evaluate(x, p, z, e) -> values)
        bodies = _Bodies(walk.exprs)
        for group in big:
            fam = self._family(group, bodies, lambda mem: pos[mem], False)
            F = fam.f.map(len(fam.members))
            parts.append((fam.members, lambda x, p, z, e, F=F, fam=fam: F(x[fam.ix], e[fam.ie], z[fam.iz])))
        if len(small):
            f, used, _ = self._scalar_function([walk.exprs[k] for k in small],
                                               [walk.expanded[k] for k in small], False)
            parts.append((pos[small], lambda x, p, z, e, f=f, used=used: f(x, p, e[self.rank[used]])))
        n_E = self.E.shape[0]
        numbers = np.asarray(walk.numbers, float)

        def evaluate(x, p):
            x, p = np.asarray(x, float), np.asarray(p, float)
            e = np.asarray(f_E(x, p), float).ravel() if n_E else np.zeros(0)
            z = np.concatenate([p, numbers])
            out = np.empty(n_E + n_inl)
            out[:n_E] = e
            for rows, ev in parts:
                out[n_E + rows] = np.asarray(ev(x, p, z, e), float).ravel()
            return out[where]
        return evaluate


__all__ = ["FamilyWalk", "Family", "CompiledFamilies"]
