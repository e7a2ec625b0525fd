"""Small, exactly balanced input tables in the layouts users bring (written by the tests)."""
import numpy as np
import pandas as pd


def ten_sector_sam(seed: int = 7, n: int = 10) -> tuple[pd.DataFrame, dict]:
    """A single-country SAM with separate activity and commodity accounts, three factors,
    two households, a government with production tax, tariff and direct-tax accounts,
    investment and the rest of the world; balanced exactly. Returns (SAM, account types)."""
    rng = np.random.default_rng(seed)
    A = [f"A{k:02d}" for k in range(1, n + 1)]
    C = [f"C{k:02d}" for k in range(1, n + 1)]
    acc = A + C + ["LAB", "CAP", "LND", "HH1", "HH2", "GOV", "ITAX", "TARIFF", "DTAX", "S-I", "ROW"]
    sam = pd.DataFrame(0.0, index=acc, columns=acc)
    X = rng.uniform(80, 150, n)
    Z = X[None, :] * rng.uniform(0.5, 1.5, (n, n)) * 0.3 / n
    va_share = 1 - Z.sum(0) / X - 0.04
    lab, cap = 0.6 * va_share * X, 0.35 * va_share * X
    land = np.zeros(n)
    land[0] = 0.05 * va_share[0] * X[0]
    cap[1:] += 0.05 * va_share[1:] * X[1:]
    ptax = X - Z.sum(0) - lab - cap - land
    E, M = 0.2 * X, 0.15 * X * rng.uniform(0.5, 1.5, n)
    TM = 0.05 * M
    D = X + M + TM - E - Z.sum(1)
    assert (D > 0).all()
    sam.loc[C, A] = Z
    sam.loc["LAB", A], sam.loc["CAP", A], sam.loc["LND", A] = lab, cap, land
    sam.loc["ITAX", A] = ptax
    sam.loc[A, C] = np.diag(X)
    sam.loc["ROW", C], sam.loc["TARIFF", C] = M, TM
    sam.loc[C, "ROW"] = E
    sam.loc[C, "HH1"], sam.loc[C, "HH2"] = 0.4 * D, 0.2 * D
    sam.loc[C, "GOV"], sam.loc[C, "S-I"] = 0.15 * D, 0.25 * D
    for f in ("LAB", "CAP", "LND"):
        inc = sam.loc[f].sum()
        sam.loc["HH1", f], sam.loc["HH2", f] = 0.7 * inc, 0.3 * inc
    sam.loc["HH2", "GOV"] = 2.0
    for h in ("HH1", "HH2"):
        sam.loc["DTAX", h] = 0.1 * sam.loc[h].sum()
    sam.loc["GOV", ["ITAX", "TARIFF", "DTAX"]] = [sam.loc["ITAX"].sum(), TM.sum(), sam.loc["DTAX"].sum()]
    for h in ("HH1", "HH2", "GOV"):
        sam.loc["S-I", h] = sam.loc[h].sum() - sam[h].sum()
    sam.loc["S-I", "ROW"] = sam.loc["ROW"].sum() - sam["ROW"].sum()
    gap = sam.sum(axis=1) - sam.sum(axis=0)
    assert float(gap.abs().max()) < 1e-9 * float(sam.to_numpy().sum()), gap
    types = {"activity": A, "commodity": C, "labour": ["LAB"], "capital": ["CAP"], "factor": ["LND"],
             "household": ["HH1", "HH2"], "government": ["GOV"], "production_tax": ["ITAX"],
             "import_tariff": ["TARIFF"], "direct_tax": ["DTAX"], "investment": ["S-I"],
             "rest_of_world": ["ROW"]}
    return sam, types
