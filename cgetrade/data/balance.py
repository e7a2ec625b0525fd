"""Balancing tables: RAS (biproportional scaling) and cross-entropy, with diagnostics.

Two problems occur when a table is brought into a benchmark:

* a matrix ``A0`` must be adjusted to given row totals ``u`` and column totals ``v``
  (:func:`ras`, :func:`cross_entropy`);
* a square social accounting matrix must be made to balance, row total = column total for
  every account, without fixing the totals (:func:`balance_sam`).

RAS finds ``A = diag(r) A0 diag(s)`` with ``A 1 = u`` and ``1' A = v`` (iterative proportional
fitting, package ``ipfn``). It is the solution of the cross-entropy problem

    min_A  sum_ij A_ij ln(A_ij / A0_ij)   s.t. the row and column constraints,

which :func:`cross_entropy` solves directly with Ipopt (cyipopt, exact Hessian), so that the
totals of a SAM can be left free (balance only: row total = column total) and cells can be
fixed. Zero cells stay zero in both methods. Every call returns the balanced table and a
:class:`BalanceReport`: the largest changes by label, the distance moved and the constraints
that bind; a table that cannot be balanced is refused with the reasons
(:class:`BalanceError`). The input is never modified.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


class BalanceError(ValueError):
    """The table cannot be balanced to the requested totals (the reasons are listed)."""


@dataclass
class BalanceReport:
    """What balancing changed.

    ``largest_changes``: (row label, column label, before, after) of the largest absolute
    changes; ``max_gap_before`` / ``max_gap_after``: the largest violation of the constraints
    relative to its target; ``distance``: sum |A - A0| / sum |A0|; ``cross_entropy``:
    sum A ln(A/A0) - A + A0 (0 when nothing moved); ``binding``: constraints that had to be
    met by moving cells (violated before, relative gap above 1e-12), by label.
    """
    method: str
    iterations: int
    max_gap_before: float
    max_gap_after: float
    distance: float
    cross_entropy: float
    largest_changes: list = field(default_factory=list)
    binding: list = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Largest changes as a table (row, column, before, after, change, relative)."""
        df = pd.DataFrame(self.largest_changes, columns=["row", "column", "before", "after"])
        df["change"] = df["after"] - df["before"]
        df["relative"] = df["change"] / df["before"].where(df["before"] != 0)
        return df

    def __str__(self) -> str:
        head = (f"{self.method}: {self.iterations} iterations; largest constraint gap "
                f"{self.max_gap_before:.3g} before, {self.max_gap_after:.3g} after (relative); "
                f"distance moved {self.distance:.3g} (sum |change| / sum |cells|); "
                f"cross-entropy {self.cross_entropy:.3g}; {len(self.binding)} binding constraints")
        lines = [head, "largest changes:"]
        for r, c, a, b in self.largest_changes:
            rel = f"{(b - a) / a:+.3%}" if a else "new"
            lines.append(f"  [{r}, {c}]: {a:.6g} -> {b:.6g} ({rel})")
        return "\n".join(lines)


def _labels(n, labels, prefix):
    return [str(x) for x in labels] if labels is not None else [f"{prefix}{k}" for k in range(n)]


def _check_input(A0: np.ndarray, rows, cols, method: str) -> None:
    problems = []
    if not np.all(np.isfinite(A0)):
        bad = np.argwhere(~np.isfinite(A0))[:5]
        problems.append("non-finite cells at " + ", ".join(f"[{rows[i]}, {cols[j]}]" for i, j in bad))
    if np.any(A0 < 0):
        bad = np.argwhere(A0 < 0)[:5]
        problems.append(f"{method} keeps signs and needs non-negative cells; negative at "
                        + ", ".join(f"[{rows[i]}, {cols[j]}] = {A0[i, j]:.6g}" for i, j in bad))
    if problems:
        raise BalanceError("cannot balance the table:\n  - " + "\n  - ".join(problems))


def _check_targets(A0, u, v, rows, cols) -> None:
    """Refuse targets no scaling of the non-zero pattern can reach."""
    problems = []
    if np.any(~np.isfinite(u)) or np.any(~np.isfinite(v)) or np.any(u < 0) or np.any(v < 0):
        problems.append("row and column targets must be finite and non-negative")
    tot_u, tot_v = float(np.sum(u)), float(np.sum(v))
    if abs(tot_u - tot_v) > 1e-9 * max(abs(tot_u), abs(tot_v), 1.0):
        problems.append(f"row targets sum to {tot_u:.10g} but column targets to {tot_v:.10g}")
    for k in np.flatnonzero((A0.sum(1) == 0) & (u > 0)):
        problems.append(f"row {rows[k]} has no non-zero cell but a target of {u[k]:.6g}")
    for k in np.flatnonzero((A0.sum(0) == 0) & (v > 0)):
        problems.append(f"column {cols[k]} has no non-zero cell but a target of {v[k]:.6g}")
    if problems:
        raise BalanceError("cannot balance the table:\n  - " + "\n  - ".join(problems))


def _report(method, iterations, A0, A, gaps_before, gaps_after, names, rows, cols, n=10):
    change = A - A0
    order = np.argsort(-np.abs(change), axis=None, kind="stable")[:n]
    largest = [(rows[k // A.shape[1]], cols[k % A.shape[1]], float(A0.flat[k]), float(A.flat[k]))
               for k in order if change.flat[k] != 0]
    pos = A0 > 0
    ce = float(np.sum(A[pos] * np.log(np.where(A[pos] > 0, A[pos], 1.0) / A0[pos]) - A[pos] + A0[pos]))
    binding = [nm for nm, g in zip(names, gaps_before) if g > 1e-12]
    return BalanceReport(method=method, iterations=int(iterations),
                         max_gap_before=float(np.max(gaps_before, initial=0.0)),
                         max_gap_after=float(np.max(gaps_after, initial=0.0)),
                         distance=float(np.abs(change).sum() / max(np.abs(A0).sum(), 1e-300)),
                         cross_entropy=ce, largest_changes=largest, binding=binding)


def _rel_gaps(A, u, v):
    ru = np.abs(A.sum(1) - u) / np.where(u > 0, u, 1.0)
    rv = np.abs(A.sum(0) - v) / np.where(v > 0, v, 1.0)
    return np.concatenate([ru, rv])


def ras(A0, row_totals, col_totals, row_labels=None, col_labels=None, tol: float = 1e-12,
        max_iter: int = 10000) -> tuple[np.ndarray, BalanceReport]:
    """RAS: scale rows and columns of the non-negative matrix ``A0`` to the given totals.

        A = diag(r) A0 diag(s),   sum_j A_ij = u_i,   sum_i A_ij = v_j

    Solved by iterative proportional fitting (``ipfn``). Returns (A, report); raises
    :class:`BalanceError` when the totals are inconsistent or unreachable.
    """
    A0 = np.array(A0, dtype=float)
    u, v = np.array(row_totals, dtype=float), np.array(col_totals, dtype=float)
    if A0.ndim != 2 or u.shape != (A0.shape[0],) or v.shape != (A0.shape[1],):
        raise BalanceError(f"shapes do not match: matrix {A0.shape}, row totals {u.shape}, "
                           f"column totals {v.shape}")
    rows, cols = _labels(A0.shape[0], row_labels, "row "), _labels(A0.shape[1], col_labels, "column ")
    _check_input(A0, rows, cols, "RAS")
    _check_targets(A0, u, v, rows, cols)
    import contextlib
    import io

    from ipfn import ipfn
    before = _rel_gaps(A0, u, v)
    solver = ipfn.ipfn(A0.copy(), [u, v], [[0], [1]], convergence_rate=tol, max_iteration=max_iter,
                       rate_tolerance=0.0, verbose=2)
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(invalid="ignore", divide="ignore"):
        A, _flag, info = solver.iteration()              # ipfn prints, and divides 0 by 0 on zero cells
    after = _rel_gaps(A, u, v)
    if np.max(after, initial=0.0) > 1e-9:
        worst = np.argsort(-after)[:5]
        names = [f"row {x}" for x in rows] + [f"column {x}" for x in cols]
        raise BalanceError("RAS did not converge (the zero pattern cannot reach the totals); "
                           "largest remaining gaps: "
                           + ", ".join(f"{names[k]}: {after[k]:.3g}" for k in worst))
    names = [f"row {x}" for x in rows] + [f"column {x}" for x in cols]
    return A, _report("RAS (ipfn)", len(info), A0, A, before, after, names, rows, cols)


def _solve_entropy(A0, C, b, fixed, ipopt_options=None):
    """min sum_k x_k ln(x_k/x0_k) - x_k + x0_k over the non-zero free cells, C x = b."""
    import cyipopt
    from scipy import sparse
    x0 = A0.ravel()
    free = (x0 > 0) & ~fixed.ravel()
    idx = np.flatnonzero(free)
    x0f = x0[idx]
    Cf = sparse.csr_matrix(C)[:, idx].tocoo()
    bf = b - sparse.csr_matrix(C)[:, np.flatnonzero(~free)] @ x0[~free]
    n, m = len(idx), C.shape[0]
    counter = [0]

    class Problem:
        def objective(self, x):
            return float(np.sum(x * np.log(x / x0f) - x + x0f))

        def gradient(self, x):
            return np.log(x / x0f)

        def constraints(self, x):
            return Cf @ x

        def jacobianstructure(self):
            return Cf.row, Cf.col

        def jacobian(self, x):
            return Cf.data

        def hessianstructure(self):
            return np.arange(n), np.arange(n)

        def hessian(self, x, lam, obj_factor):
            return obj_factor / x

        def intermediate(self, alg_mod, iter_count, *args):
            counter[0] = iter_count

    nlp = cyipopt.Problem(n=n, m=m, problem_obj=Problem(), lb=np.zeros(n),
                          ub=np.full(n, np.inf), cl=bf, cu=bf)
    opts = {"tol": 1e-12, "constr_viol_tol": 1e-10, "print_level": 0, "sb": "yes",
            "max_iter": 500, "bound_relax_factor": 0.0, **(ipopt_options or {})}
    for k, val in opts.items():
        nlp.add_option(k, val)
    x, info = nlp.solve(x0f.copy())
    info["iter_count"] = counter[0]
    out = x0.copy()
    out[idx] = x
    return out.reshape(A0.shape), info


def cross_entropy(A0, row_totals, col_totals, row_labels=None, col_labels=None,
                  fixed=None, ipopt_options=None) -> tuple[np.ndarray, BalanceReport]:
    """Cross-entropy balancing to given totals, with cells optionally held ``fixed``.

        min_A sum_ij A_ij ln(A_ij / A0_ij) - A_ij + A0_ij
        s.t.  sum_j A_ij = u_i,  sum_i A_ij = v_j,  A_ij = A0_ij where fixed, A_ij >= 0

    Without fixed cells the solution is the RAS solution. Solved with Ipopt (cyipopt).
    """
    A0 = np.array(A0, dtype=float)
    u, v = np.array(row_totals, dtype=float), np.array(col_totals, dtype=float)
    rows, cols = _labels(A0.shape[0], row_labels, "row "), _labels(A0.shape[1], col_labels, "column ")
    _check_input(A0, rows, cols, "cross-entropy")
    _check_targets(A0, u, v, rows, cols)
    nr, nc = A0.shape
    from scipy import sparse
    C = sparse.vstack([sparse.kron(sparse.eye(nr), np.ones((1, nc))),
                       sparse.kron(np.ones((1, nr)), sparse.eye(nc))]).tocsr()
    b = np.concatenate([u, v])
    fixed = np.zeros_like(A0, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    # one row/column constraint is implied by the others: drop the last column constraint
    keep = np.arange(nr + nc - 1)
    A, info = _solve_entropy(A0, C[keep], b[keep], fixed, ipopt_options)
    names = [f"row {x}" for x in rows] + [f"column {x}" for x in cols]
    after = _rel_gaps(A, u, v)
    if info["status"] not in (0, 1) or np.max(after) > 1e-9:
        worst = np.argsort(-after)[:5]
        raise BalanceError(f"cross-entropy balancing failed ({info['status_msg']!r}); "
                           "largest remaining gaps: " + ", ".join(f"{names[k]}: {after[k]:.3g}" for k in worst))
    return A, _report("cross-entropy (Ipopt)", info["iter_count"],
                      A0, A, _rel_gaps(A0, u, v), after, names, rows, cols)


def sam_gaps(sam: pd.DataFrame) -> pd.Series:
    """Row total - column total of every account of a square SAM (rows receive, columns pay)."""
    return sam.sum(axis=1) - sam.sum(axis=0)


def balance_sam(sam: pd.DataFrame, method: str = "cross_entropy", fixed=None, totals=None,
                ipopt_options=None) -> tuple[pd.DataFrame, BalanceReport]:
    """Balance a square SAM (row total = column total for every account).

    ``method="cross_entropy"`` leaves the totals free: min sum A ln(A/A0) s.t. A 1 = A' 1,
    with ``fixed`` cells (a boolean DataFrame or a list of (row, column) labels) kept.
    ``method="ras"`` scales rows and columns to given account ``totals`` (a Series or dict by
    account: each account's row and column total). Negative cells (e.g. subsidies) are refused: net them into the opposite
    cell first. Returns a new DataFrame and a :class:`BalanceReport`.
    """
    if list(sam.index) != list(sam.columns):
        raise BalanceError("a SAM must be square with the same account labels on rows and columns")
    labels = [str(x) for x in sam.index]
    S0 = sam.to_numpy(dtype=float)
    if not np.all(np.isfinite(S0)):
        _check_input(S0, labels, labels, "balancing")
    P, N = np.where(S0 > 0, S0, 0.0), np.where(S0 < 0, -S0, 0.0)
    A0 = P + N.T                                   # negative cells as opposite payments
    n = len(labels)
    if method == "ras":
        if totals is None:
            raise BalanceError("RAS needs the account totals (totals=...); without them use "
                               "method='cross_entropy', which leaves the totals free")
        t = pd.Series(totals, dtype=float)
        missing = [x for x in labels if x not in t.index]
        if missing:
            raise BalanceError(f"totals missing for accounts {missing}")
        target = t.loc[labels].to_numpy()
        A, rep = ras(A0, target, target, labels, labels)
    elif method == "cross_entropy":
        _check_input(A0, labels, labels, "cross-entropy")
        if isinstance(fixed, (list, tuple)):
            mask = pd.DataFrame(False, index=sam.index, columns=sam.columns)
            for r, c in fixed:
                mask.loc[r, c] = True
            fixed = mask
        fx = np.zeros_like(A0, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
        from scipy import sparse
        C = (sparse.kron(sparse.eye(n), np.ones((1, n))) - sparse.kron(np.ones((1, n)), sparse.eye(n))).tocsr()
        empty = [labels[k] for k in range(n) if A0[k].sum() + A0[:, k].sum() > 0
                 and (A0[k].sum() == 0 or A0[:, k].sum() == 0)]
        if empty:
            raise BalanceError("cannot balance the SAM: accounts with receipts but no payments or "
                               f"payments but no receipts: {empty}")
        A, info = _solve_entropy(A0, C[:-1], np.zeros(n - 1), fx, ipopt_options)
        gap = np.abs(A.sum(1) - A.sum(0)) / np.maximum(A.sum(1), 1e-300)
        if info["status"] not in (0, 1) or np.max(gap) > 1e-9:
            raise BalanceError("cross-entropy balancing of the SAM failed: "
                               + str(info["status_msg"]))
        tot0 = np.maximum(np.maximum(A0.sum(1), A0.sum(0)), 1e-300)
        before = np.abs(A0.sum(1) - A0.sum(0)) / tot0
        rep = _report("cross-entropy (Ipopt), totals free", info["iter_count"], A0, A,
                      before, gap, [f"account {x}" for x in labels], labels, labels)
    else:
        raise ValueError(f"unknown balancing method {method!r}; use 'ras' or 'cross_entropy'")
    K = np.divide(A, A0, out=np.zeros_like(A), where=A0 > 0)
    out = P * K - (N.T * K).T
    if N.any():
        rep.largest_changes = [(r, c, float(sam.loc[r, c]), float(out[labels.index(r), labels.index(c)]))
                               for r, c, _, _ in rep.largest_changes]
    return pd.DataFrame(out, index=sam.index, columns=sam.columns), rep
