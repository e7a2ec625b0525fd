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


def write_icio(path, ds, negative_inventory: bool = False, china_split: bool = False):
    """Write a dataset's flows in the OECD ICIO CSV layout (COUNTRY_INDUSTRY rows and columns,
    COUNTRY_HFCE/NPISH/GGFC/GFCF/INVNT final-demand columns, TLS, VA and OUT rows, OUT
    column). Household demand is split 90/10 into HFCE and NPISH, investment 95/5 into GFCF
    and INVNT; with ``china_split`` the first region is written as CN1 and CN2 (60/40)."""
    regions, sectors = [str(r) for r in ds.region.values], [str(s) for s in ds.sector.values]
    Z = ds.intermediate.transpose("source", "commodity", "region", "sector").values
    F = ds.final_demand.transpose("source", "commodity", "region", "agent").values
    R, I = len(regions), len(sectors)
    names = regions
    if china_split:                       # split the first region's rows and columns 60/40
        w = np.array([0.6, 0.4])
        names = ["CN1", "CN2"] + regions[1:]
        Z = np.concatenate([Z[:1] * w[:, None, None, None], Z[1:]], axis=0)
        Z = np.concatenate([Z[:, :, :1] * w[None, None, :, None], Z[:, :, 1:]], axis=2)
        F = np.concatenate([F[:1] * w[:, None, None, None], F[1:]], axis=0)
    labels = [f"{r}_{s}" for r in names for s in sectors]
    n = len(names)
    zmat = Z.reshape(n * I, n * I)
    cols = {}
    fd_regions = regions if not china_split else ["CHN"] + regions[1:]
    for k, r in enumerate(fd_regions):
        hh, gov, inv = F[:, :, k, 0].ravel(), F[:, :, k, 1].ravel(), F[:, :, k, 2].ravel()
        cols[f"{r}_HFCE"], cols[f"{r}_NPISH"] = 0.9 * hh, 0.1 * hh
        cols[f"{r}_GGFC"] = gov
        cols[f"{r}_GFCF"], cols[f"{r}_INVNT"] = 0.95 * inv, 0.05 * inv
        if negative_inventory and k == 0:
            cols[f"{r}_GFCF"] = cols[f"{r}_GFCF"] + 0.5 * inv
            cols[f"{r}_INVNT"] = cols[f"{r}_INVNT"] - 0.5 * inv
    df = pd.DataFrame(zmat, index=labels, columns=labels)
    for c, v in cols.items():
        df[c] = v
    df["OUT"] = df.sum(axis=1)
    va = ds.factor_payments.sum("factor").transpose("region", "sector").values
    tls = ds.production_tax.transpose("region", "sector").values
    if china_split:
        va = np.concatenate([va[:1] * w[:, None], va[1:]])
        tls = np.concatenate([tls[:1] * w[:, None], tls[1:]])
    extra = pd.DataFrame(0.0, index=["TLS", "VA", "OUT"], columns=df.columns)
    extra.loc["TLS", labels] = tls.ravel()
    extra.loc["VA", labels] = va.ravel()
    extra.loc["OUT", labels] = zmat.sum(0) + tls.ravel() + va.ravel()
    pd.concat([df, extra]).to_csv(path, index_label="V1")
