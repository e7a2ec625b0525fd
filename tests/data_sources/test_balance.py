"""Balancing as a library call: RAS and cross-entropy with diagnostics and refusals."""
import numpy as np
import pandas as pd
import pytest

from cgetrade.data import BalanceError, balance_sam, cross_entropy, ras


@pytest.fixture
def table():
    rng = np.random.default_rng(3)
    A0 = rng.uniform(1, 10, (5, 6))
    A0[0, 2] = A0[3, 1] = 0.0
    u = A0.sum(1) * rng.uniform(0.9, 1.1, 5)
    v = A0.sum(0) * rng.uniform(0.9, 1.1, 6)
    return A0, u, v / v.sum() * u.sum()


def test_ras_and_cross_entropy_agree_and_report(table):
    A0, u, v = table
    before = A0.copy()
    a, rep_a = ras(A0, u, v, row_labels=list("abcde"))
    b, rep_b = cross_entropy(A0, u, v)
    np.testing.assert_array_equal(A0, before)
    for x in (a, b):
        np.testing.assert_allclose(x.sum(1), u, rtol=1e-10)
        np.testing.assert_allclose(x.sum(0), v, rtol=1e-10)
        assert x[0, 2] == 0 and x[3, 1] == 0                     # zero cells stay zero
    np.testing.assert_allclose(a, b, rtol=1e-7)                  # RAS solves the entropy problem
    assert rep_a.max_gap_after < 1e-9 < rep_a.max_gap_before
    assert rep_a.cross_entropy == pytest.approx(rep_b.cross_entropy, rel=1e-6)
    r, c, x0, x1 = rep_a.largest_changes[0]
    assert r in "abcde" and abs(x1 - x0) == pytest.approx(np.abs(a - A0).max())
    assert len(rep_a.binding) == 11 and "largest changes" in str(rep_a)
    assert list(rep_a.table().columns) == ["row", "column", "before", "after", "change", "relative"]


def test_cross_entropy_keeps_fixed_cells(table):
    A0, u, v = table
    fixed = np.zeros_like(A0, dtype=bool)
    fixed[1, 1] = True
    b, _ = cross_entropy(A0, u, v, fixed=fixed)
    assert b[1, 1] == A0[1, 1]
    np.testing.assert_allclose(b.sum(1), u, rtol=1e-10)


def test_tables_that_cannot_be_balanced_are_refused_with_reasons(table):
    A0, u, v = table
    with pytest.raises(BalanceError, match="row targets sum to .* but column targets to"):
        ras(A0, u * 2, v)
    z = A0.copy()
    z[2] = 0.0
    with pytest.raises(BalanceError, match="row 2 has no non-zero cell but a target"):
        ras(z, u, v)
    neg = A0.copy()
    neg[1, 3] = -1.0
    with pytest.raises(BalanceError, match=r"non-negative cells; negative at \[r1, c3\]"):
        cross_entropy(neg, u, v, row_labels=[f"r{k}" for k in range(5)], col_labels=[f"c{k}" for k in range(6)])


def test_sam_balancing_keeps_negative_cells_and_balances_every_account():
    labels = ["ACT", "COM", "LAB", "HH", "GOV", "INV"]
    sam = pd.DataFrame(0.0, index=labels, columns=labels)
    sam.loc["COM", ["ACT", "HH", "GOV", "INV"]] = [30, 50, 12, 10]
    sam.loc["ACT", "COM"] = 100
    sam.loc["LAB", "ACT"] = 65
    sam.loc["GOV", ["ACT", "HH"]] = [5, 8]
    sam.loc["HH", "LAB"] = 66
    sam.loc["INV", ["HH", "GOV"]] = [9, -4]                     # government dissaving
    ce, _ = balance_sam(sam)
    with pytest.raises(BalanceError, match="RAS needs the account totals"):
        balance_sam(sam, method="ras")
    for method, totals in (("cross_entropy", None), ("ras", ce.sum(axis=1).round(3))):
        out, rep = balance_sam(sam, method=method, totals=totals)
        gap = (out.sum(axis=1) - out.sum(axis=0)).abs().max()
        assert gap < 1e-9 * out.to_numpy().sum(), method
        assert out.loc["INV", "GOV"] < 0 and out.loc["GOV", "INV"] == 0
        assert rep.distance > 0
