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


def write_gtap(folder, seed: int = 11, intra_regional: bool = True, drop=(), n_regions: int = 3,
               n_commodities: int = 3, activities: dict | None = None):
    """A GTAP-format data base (basedata.har, default.prm, sets.har) written with harpy3:
    by default 3 regions (the last an aggregate with trade inside it) and 3 commodities (trs
    is the margin commodity); ``n_regions`` x ``n_commodities`` for larger sets (extra regions
    r04, r05, ..., extra commodities c04, ... between mfg and trs); 4 endowments,
    purchase/output/factor/export taxes, tariffs and margins; GTAP's accounting identities
    hold; GTAP standard-model parameters (INCP, SUBP, ETRE, SLUG, RFLX, RDLT in default.prm;
    VKB, VDEP in basedata.har: Land sluggish with ETRAE = -1, RORDELTA = 1). ``drop``: headers
    left out. ``activities``: {activity: {commodity: share}} for a data base with activities
    other than the commodities: each commodity's technology (inputs, factors, make) is split
    over the activities by the shares (they sum to 1 over activities for each commodity), so
    an activity with several commodities is a multi-product activity (non-diagonal MAKB)
    and GTAP's identities still hold."""
    from harpy import HarFileObj, HeaderArrayObj
    rng = np.random.default_rng(seed)
    REG = ["usa", "chn", "row"] + [f"r{k:02d}" for k in range(4, n_regions + 1)]
    COMM = ["agr", "mfg"] + [f"c{k:02d}" for k in range(4, n_commodities + 1)] + ["trs"]
    ENDW, MARG = ["Land", "UnSkLab", "SkLab", "Capital"], ["trs"]
    R, I = len(REG), len(COMM)
    aggregate = np.ones(R)
    aggregate[REG.index("row")] = 0.7              # row: an aggregate with trade inside it
    d = {}
    d["VDFB"], d["VMFB"] = rng.uniform(2, 8, (I, I, R)), rng.uniform(0.5, 3, (I, I, R))
    if I > 3:                                      # input shares, not amounts, stay as at 3 x 3
        d["VDFB"], d["VMFB"] = d["VDFB"] * 3 / I, d["VMFB"] * 3 / I
    for a, (lo, hi, mlo, mhi) in {"P": (30, 60, 5, 15), "G": (5, 15, 0.5, 2), "I": (10, 25, 2, 8)}.items():
        d[f"VD{a}B"], d[f"VM{a}B"] = rng.uniform(lo, hi, (I, R)), rng.uniform(mlo, mhi, (I, R))
    for k in [k for k in list(d) if k.endswith("B")]:
        d[k[:-1] + "P"] = d[k] * (1 + rng.uniform(0, 0.1, d[k].shape))
    imports = d["VMFB"].sum(1) + d["VMPB"] + d["VMGB"] + d["VMIB"]              # (i, r)
    share = rng.dirichlet(np.ones(R), (I, R)).transpose(0, 2, 1)                # (i, s, d)
    if not intra_regional:
        share = share * (1 - np.eye(R))[None]
    else:
        share = share * (1 - np.eye(R) * aggregate)[None]
    share /= share.sum(1, keepdims=True)
    d["VMSB"] = imports[:, None, :] * share
    tm = np.where(np.eye(R, dtype=bool)[None], 0.02, rng.uniform(0.02, 0.1, (I, R, R)))
    d["VCIF"] = d["VMSB"] / (1 + tm)
    margins = 0.06 * d["VCIF"]
    d["VTWR"] = margins[None]
    d["VFOB"] = d["VCIF"] - margins
    tx = np.zeros((I, R, R))
    tx[1] = 0.01
    d["VXSB"] = d["VFOB"] / (1 + tx)
    d["VST"] = margins.sum() * rng.dirichlet(np.ones(R))[None, :]
    dom = d["VDFB"].sum(1) + d["VDPB"] + d["VDGB"] + d["VDIB"]
    supply = dom + d["VXSB"].sum(2)
    supply[COMM.index("trs")] += d["VST"][0]
    d["MAKB"] = np.einsum("ir,ij->ijr", supply, np.eye(I))
    maks = supply / (1 + rng.uniform(0, 0.05, (I, R)))
    d["MAKS"] = np.einsum("ir,ij->ijr", maks, np.eye(I))
    evfp_total = maks - (d["VDFP"] + d["VMFP"]).sum(0)                        # (j, r)
    assert (evfp_total > 0).all()
    shares = np.zeros((4, I, R))
    shares[0, 0] = 0.1
    shares[1], shares[2] = 0.35, 0.2
    shares[3] = 1 - shares[:3].sum(0)
    d["EVFP"] = shares * evfp_total[None]
    d["EVFB"] = d["EVFP"] / 1.02
    d["EVOS"] = d["EVFB"] * 0.9
    # standard-model parameters, drawn from their own stream (the flows above do not change)
    rng7 = np.random.default_rng(seed + 1000)
    capital = d["EVFB"][3].sum(0)                                               # (r,)
    d["VKB"] = capital / rng7.uniform(0.10, 0.16, R)                           # gross return 10-16 %
    d["VDEP"] = 0.04 * d["VKB"]
    d["INCP"] = rng7.uniform(0.6, 1.3, (I, R))
    d["SUBP"] = rng7.uniform(0.2, 0.8, (I, R))
    d["ETRE"] = np.array([[-1.0] * R, [-2.0] * R, [-2.0] * R, [-2.0] * R])
    d["SLUG"] = np.array([1.0, 0.0, 0.0, 0.0])
    d["RFLX"], d["RDLT"] = np.full(R, 10.0), np.array([1.0])
    ACTS, top = COMM, list(range(I))
    if activities is not None:
        ACTS = list(activities)
        M = np.array([[activities[a].get(c, 0.0) for c in COMM] for a in ACTS])   # (a, c)
        assert np.allclose(M.sum(0), 1.0), "each commodity's shares must sum to 1 over activities"
        for k in ("VDFB", "VDFP", "VMFB", "VMFP", "EVFB", "EVFP", "EVOS"):
            d[k] = np.einsum("ac,xcr->xar", M, d[k])
        for k in ("MAKB", "MAKS"):
            d[k] = np.einsum("ac,ccr->car", M, d[k])
        top = [int(np.argmax(M[n])) for n in range(len(ACTS))]     # ESBV/ESBT of the main product
    sets = {"COMM": COMM, "ACTS": ACTS, "REG": REG, "ENDW": ENDW, "MARG": MARG, "ONE": ["1"]}
    dims = {"VDFB": ("COMM", "ACTS", "REG"), "VMFB": ("COMM", "ACTS", "REG"), "VDFP": ("COMM", "ACTS", "REG"),
            "VMFP": ("COMM", "ACTS", "REG"), "EVFB": ("ENDW", "ACTS", "REG"), "EVFP": ("ENDW", "ACTS", "REG"),
            "EVOS": ("ENDW", "ACTS", "REG"), "MAKB": ("COMM", "ACTS", "REG"), "MAKS": ("COMM", "ACTS", "REG"),
            "VXSB": ("COMM", "REG", "REG"), "VFOB": ("COMM", "REG", "REG"), "VCIF": ("COMM", "REG", "REG"),
            "VMSB": ("COMM", "REG", "REG"), "VST": ("MARG", "REG"), "VTWR": ("MARG", "COMM", "REG", "REG")}
    dims.update({f"V{x}{a}{p}": ("COMM", "REG") for x in "DM" for a in "PGI" for p in "BP"})
    dims.update({"VKB": ("REG",), "VDEP": ("REG",)})

    def header(name, arr, ds_):
        return HeaderArrayObj.HeaderArrayFromData(
            name=name, array=np.asarray(arr, dtype=np.float32), long_name=name,
            sets=[{"name": s, "status": "k", "dim_type": "Set", "dim_desc": sets[s]} for s in ds_])
    folder.mkdir(parents=True, exist_ok=True)
    base = HarFileObj()
    for name, ds_ in dims.items():
        if name not in drop:
            base.addHeaderArrayObj(header(name, d[name], ds_))
    base.writeToDisk(str(folder / "basedata.har"))
    prm = HarFileObj()
    def by_commodity(rows):                        # agr, mfg (also every c..), trs; regions cycle
        rows = np.asarray(rows)
        pick = [0] + [1] * (I - 2) + [2]
        return rows[pick][:, [k % 3 for k in range(R)]]
    params = {"ESBD": (by_commodity([[2.4, 2.5, 2.3], [3.5, 3.6, 3.4], [1.9, 1.9, 1.9]]), ("COMM", "REG")),
              "ESBM": (by_commodity([[4.8, 5.0, 4.6], [7.0, 7.2, 6.8], [3.8, 3.8, 3.8]]), ("COMM", "REG")),
              "ESBV": (by_commodity([[0.24, 0.24, 0.24], [1.26, 1.26, 1.26], [1.68, 1.68, 1.68]])[top], ("ACTS", "REG")),
              "ESBT": (np.zeros((len(ACTS), R)), ("ACTS", "REG")),
              "ESBG": (np.ones(R), ("REG",)), "ESBI": (np.zeros(R), ("REG",)),
              **{k: (d[k], ds_) for k, ds_ in (("INCP", ("COMM", "REG")), ("SUBP", ("COMM", "REG")),
                                               ("ETRE", ("ENDW", "REG")), ("SLUG", ("ENDW",)),
                                               ("RFLX", ("REG",)), ("RDLT", ("ONE",)))}}
    for name, (arr, ds_) in params.items():
        if name not in drop:
            prm.addHeaderArrayObj(header(name, arr, ds_))
    prm.writeToDisk(str(folder / "default.prm"))
    st = HarFileObj()
    for name, labels in sets.items():
        st.addHeaderArrayObj(HeaderArrayObj.HeaderArrayFromData(name=name, array=np.array(labels), long_name=f"set {name}"))
    st.writeToDisk(str(folder / "sets.har"))
    return d
