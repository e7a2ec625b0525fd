"""Balanced synthetic benchmark datasets of any size (for benchmarks and tests).

The flows are random but satisfy every accounting identity of :mod:`cgetrade.data.schema`
exactly: gross output is drawn first, input-output columns are drawn as shares of it, rows are
closed by final demand, and value added is the column residual.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import OptionsError
from .schema import AGENTS, validate


def synthetic_dataset(n_regions: int = 4, n_sectors: int = 5, seed: int = 0,
                      home_bias: float = 0.75, skills: bool = False) -> xr.Dataset:
    """A random, exactly balanced benchmark with ``n_regions`` x ``n_sectors``; with
    ``skills`` also labour compensation and hours shares by skill (high, medium, low)."""
    if n_regions < 2 or n_sectors < 2:
        raise OptionsError(f"a synthetic dataset needs at least 2 regions and 2 sectors, got "
                           f"{n_regions} x {n_sectors}")
    rng = np.random.default_rng(seed)
    R, I = n_regions, n_sectors
    regions = [f"R{k + 1:02d}" for k in range(R)]
    sectors = [f"S{k + 1:02d}" for k in range(I)]
    size = rng.lognormal(0.0, 0.6, R)
    X = rng.lognormal(0.0, 0.5, (I, R)) * size * 1000.0               # output (j, r)

    # sourcing weights (s, r): home bias, the rest split across partners by partner size
    src = np.tile(size[:, None], (1, R)) * rng.uniform(0.5, 1.5, (R, R))
    np.fill_diagonal(src, 0.0)
    src = (1 - home_bias) * src / src.sum(0, keepdims=True)
    np.fill_diagonal(src, home_bias)

    # intermediate inputs: column share 0.3-0.55 of output, split over commodities and sources
    a_int = rng.uniform(0.3, 0.55, (I, R))
    comm = rng.dirichlet(np.full(I, 2.0), (I, R))                     # (j, r, i)
    Z = np.einsum("jr,jri,sr->isjr", a_int * X, comm, src)
    # keep every row's intermediate sales below 60 % of its output
    row = Z.sum((2, 3))
    Z *= np.minimum(1.0, 0.6 * X / row)[:, :, None, None]
    # final demand closes the rows: F[i,s,h,r]
    fd_total = X - Z.sum((2, 3))                                      # (i, s)
    agent_w = rng.dirichlet(np.array([6.0, 2.0, 2.5]), (I, R))       # (i, r, h)
    F = np.einsum("is,sr,irh->ishr", fd_total, src / src.sum(1, keepdims=True), agent_w)
    # value added and production tax are the column residual
    resid = X - Z.sum((0, 1))
    tax = rng.uniform(0.0, 0.05, (I, R)) * resid
    # keep household + government consumption below 80 % of regional income (positive saving);
    # moving spending to investment within a cell leaves every row total unchanged
    income = resid.sum(0)
    cons = F[:, :, :2, :].sum((0, 1, 2))
    k = np.minimum(1.0, 0.8 * income / cons)
    moved = F[:, :, :2, :] * (1 - k)
    F[:, :, :2, :] -= moved
    F[:, :, 2, :] += moved.sum(2)

    va = resid - tax
    lab_share = rng.uniform(0.4, 0.7, (I, R))
    V = np.stack([lab_share * va, (1 - lab_share) * va])
    persons = lab_share * va / rng.uniform(5.0, 80.0, R)              # thousand persons
    ds = xr.Dataset(
        {
            "intermediate": (("commodity", "source", "sector", "region"), Z),
            "final_demand": (("commodity", "source", "agent", "region"), F),
            "factor_payments": (("factor", "sector", "region"), V),
            "production_tax": (("sector", "region"), tax),
            "gross_output": (("sector", "region"), X),
            "employment": (("sector", "region"), persons),
        },
        coords={"region": regions, "source": regions, "sector": sectors, "commodity": sectors,
                "agent": list(AGENTS), "factor": ["labour", "capital"]},
        attrs={"title": f"synthetic balanced benchmark {R}x{I} (seed {seed})",
               "source": "cgetrade.data.synthetic_dataset", "currency": "arbitrary units"},
    )
    ds["employment"].attrs["units"] = "thousand persons"
    if skills:
        srng = np.random.default_rng(seed + 7919)
        comp = srng.dirichlet(np.array([3.0, 5.0, 2.0]), (I, R)).transpose(2, 0, 1)
        # hours shares: high-skill hours are paid more, so their hours share is smaller
        pay = np.array([2.0, 1.0, 0.6])[:, None, None] * srng.uniform(0.8, 1.2, (3, I, R))
        hours = comp / pay
        hours /= hours.sum(0)
        ds = ds.assign_coords(skill=["high", "medium", "low"])
        ds["labour_skill_share"] = (("skill", "sector", "region"), comp)
        ds["hours_skill_share"] = (("skill", "sector", "region"), hours)
    return validate(ds)


#: account types of :func:`synthetic_sam` (the textbook STDCGE layout, cgetrade.data.from_sam)
SAM_ACCOUNTS = {"CAP": "capital", "LAB": "labour", "IDT": "production_tax", "TRF": "import_tariff",
                "HOH": "household", "GOV": "government", "INV": "investment", "EXT": "rest_of_world"}


def synthetic_sam(n_goods: int = 30, seed: int = 0):
    """A random, exactly balanced single-country SAM in the Hosoe-Gasawa-Hashimoto STDCGE
    layout (goods G01..Gn as activity-and-commodity accounts, CAP, LAB, IDT, TRF, HOH, GOV,
    INV, EXT): (DataFrame, account types for :func:`cgetrade.data.from_sam`).

    Each good's column (its costs) is drawn as shares of its total supply T_i: intermediates
    (30-50 %), labour and capital, production tax (3-8 %), imports (5-25 %) and tariffs
    (5-15 % of imports); its row's remainder after intermediate sales is final demand and
    exports, split by RAS so that the institutions close with positive saving:

        HOH: C + Td + Sp = CAP + LAB,   GOV: G + Sg = IDT + TRF + Td,
        INV: I = Sp + Sg + Sf,          EXT: exports + Sf = imports.
    """
    if n_goods < 2:
        raise OptionsError(f"a synthetic SAM needs at least 2 goods, got {n_goods}")
    rng = np.random.default_rng(seed)
    n = n_goods
    goods = [f"G{k + 1:0{len(str(n))}d}" for k in range(n)]
    T = rng.lognormal(0.0, 0.6, n) * 100.0                            # total supply (column total)
    X = rng.dirichlet(np.full(n, 1.5), n).T * rng.uniform(0.3, 0.5, n) * T     # X[i, j]: i used by j
    X *= np.minimum(1.0, 0.6 * T / X.sum(1))[:, None]                 # intermediate sales < 60 % of T
    imp = rng.uniform(0.05, 0.25, n) * T
    trf = rng.uniform(0.05, 0.15, n) * imp
    idt = rng.uniform(0.03, 0.08, n) * T
    va = T - X.sum(0) - imp - trf - idt                               # column residual (> 0)
    lab = rng.uniform(0.35, 0.65, n) * va
    cap = va - lab
    rest = T - X.sum(1)                                               # final demand + exports of i
    income = lab.sum() + cap.sum()
    td = rng.uniform(0.05, 0.15) * income
    sp = rng.uniform(0.1, 0.2) * income
    cons = income - td - sp
    gov_in = idt.sum() + trf.sum() + td
    sg = rng.uniform(0.05, 0.2) * gov_in
    gov = gov_in - sg
    exports = rng.uniform(0.7, 0.95) * imp.sum()
    sf = imp.sum() - exports
    inv = sp + sg + sf
    totals = np.array([cons, gov, inv, exports])                      # = rest.sum()
    F = rng.uniform(0.2, 1.0, (n, 4))
    for _ in range(500):                                              # RAS to row and column totals
        F *= (rest / F.sum(1))[:, None]
        F *= totals / F.sum(0)
    F[:, 2] = rest - F[:, [0, 1, 3]].sum(1)                           # rows exact
    labels = goods + list(SAM_ACCOUNTS)
    k = {a: p for p, a in enumerate(labels)}
    S = np.zeros((len(labels), len(labels)))
    S[:n, :n] = X
    for i in range(n):
        S[k["CAP"], i], S[k["LAB"], i], S[k["IDT"], i] = cap[i], lab[i], idt[i]
        S[k["TRF"], i], S[k["EXT"], i] = trf[i], imp[i]
    S[:n, k["HOH"]], S[:n, k["GOV"]], S[:n, k["INV"]], S[:n, k["EXT"]] = F.T
    S[k["HOH"], k["CAP"]], S[k["HOH"], k["LAB"]] = cap.sum(), lab.sum()
    S[k["GOV"], k["IDT"]], S[k["GOV"], k["TRF"]], S[k["GOV"], k["HOH"]] = idt.sum(), trf.sum(), td
    S[k["INV"], k["HOH"]], S[k["INV"], k["GOV"]], S[k["INV"], k["EXT"]] = sp, sg, sf
    import pandas as pd
    sam = pd.DataFrame(S, index=labels, columns=labels)
    return sam, {**{g: "good" for g in goods}, **SAM_ACCOUNTS}
