"""Multi-regional input-output tables -> benchmark dataset (pymrio, OECD ICIO, any MRIO).

:func:`from_tables` is the common route: an inter-industry matrix ``Z`` (rows and columns
labelled (region, sector)), final demand ``Y`` (rows (region, sector), columns (region,
category)), value-added rows ``value_added`` (columns (region, sector)) and, optionally,
gross output. :func:`from_mrio` takes a pymrio ``IOSystem`` (pymrio parses WIOD, OECD ICIO,
EXIOBASE, Eora and others), :func:`from_icio` an OECD ICIO CSV file.

Construction (each step reported in the dataset attribute ``construction``):

1. optional aggregation by concordance (regions, sectors) of the raw tables;
2. final-demand categories -> agents (households and NPISH -> household, government ->
   government, gross fixed capital formation, inventories and valuables -> investment),
   summed cell by cell; cells negative after that (inventory drawdowns) are set to 0;
3. the use table [Z | F] is balanced by RAS (:func:`cgetrade.data.ras`) to row totals =
   gross output and column totals = the industries' observed intermediate inputs and the
   final-demand columns scaled by one common factor (skipped when rows already balance);
4. value added = gross output - intermediate inputs - net taxes on products (the column
   residual, ``value_added="residual"``), split into labour and capital in the proportions
   of the table's compensation and surplus rows, or by ``labour_share`` when the table has
   a single value-added row; with ``value_added="table"`` the table's factor payments are
   kept and the net production tax is the column residual;
5. employment from a persons row if given, else labour compensation (labour units).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .balance import ras
from .schema import AGENTS, DataValidationError, validate

#: final-demand category -> agent, by pattern (case-insensitive), first match wins
FINAL_DEMAND_PATTERNS = (
    ("household", r"household|hfce|npish|non-profit|\bnps\b|dpabr|dirp|direct purchases|\bp33\b"),
    ("government", r"government|ggfc"),
    ("investment", r"capital formation|gfcf|inventor|invnt|valuables|\bdisc\b|discrepanc"),
    ("exports", r"export"),
)
#: value-added row -> role, by pattern (case-insensitive), first match wins
VALUE_ADDED_PATTERNS = (
    ("labour", r"compensation|labou?r|wages|\bcomp\b|\blab\b"),
    ("capital", r"operating surplus|mixed income|capital|\bgos\b|\bcap\b|rents on land|royalties"),
    ("production_tax", r"tax|\btls\b|subsid"),
    ("value_added", r"value added|^va$|^valu$"),
)
ROLES = ("labour", "capital", "production_tax", "value_added", "ignore")


def _classify(labels, given, patterns, what, roles) -> dict:
    out, unknown = {}, []
    for lab in labels:
        if given is not None and lab in given:
            role = given[lab]
        else:
            role = next((r for r, pat in patterns if re.search(pat, str(lab), re.I)), None)
        if role is None:
            unknown.append(lab)
        elif role not in roles:
            raise DataValidationError(f"{what} {lab!r}: unknown role {role!r}; known {list(roles)}")
        else:
            out[lab] = role
    if unknown:
        raise DataValidationError(f"{what}s without a role: {unknown}; give them in the mapping "
                                  f"(roles {list(roles)})")
    return out


def _grid(index, what) -> tuple[list, list]:
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise DataValidationError(f"{what} must be labelled by (region, sector) pairs")
    regions = list(dict.fromkeys(str(x) for x in index.get_level_values(0)))
    sectors = list(dict.fromkeys(str(x) for x in index.get_level_values(1)))
    pairs = [(str(a), str(b)) for a, b in index]
    dup = sorted({p for p in pairs if pairs.count(p) > 1}) if len(set(pairs)) < len(pairs) else []
    if dup:
        raise DataValidationError(f"{what}: duplicate labels {dup[:5]}")
    missing = [(r, s) for r in regions for s in sectors if (r, s) not in set(pairs)]
    if missing:
        raise DataValidationError(f"{what}: every region needs every sector; missing {missing[:5]}")
    return regions, sectors


def _frame(df, what) -> pd.DataFrame:
    df = df.copy()
    values = df.apply(pd.to_numeric, errors="coerce") if isinstance(df, pd.DataFrame) else df
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        raise DataValidationError(f"{what}: NaN or non-numeric cells at "
                                  + ", ".join(f"[{df.index[i]}, {df.columns[j]}]" for i, j in bad[:5]))
    return values.astype(float)


def _str_index(idx):
    if isinstance(idx, pd.MultiIndex):
        return pd.MultiIndex.from_tuples([tuple(str(x) for x in t) for t in idx], names=idx.names)
    return pd.Index([str(x) for x in idx], name=idx.name)


def _relabel(df: pd.DataFrame, axis: int, level_maps: dict) -> pd.DataFrame:
    """Map labels of MultiIndex levels (0: region, 1: sector/category) and sum duplicates."""
    idx = df.index if axis == 0 else df.columns
    if not isinstance(idx, pd.MultiIndex):
        return df
    new = pd.MultiIndex.from_tuples([tuple(level_maps.get(k, {}).get(x, x) if level_maps.get(k) else x
                                           for k, x in enumerate(t)) for t in idx])
    order = list(dict.fromkeys(new))
    out = df.copy()
    if axis == 0:
        out.index = new
        out = out.groupby(level=[0, 1], sort=False).sum()
        return out.reindex(pd.MultiIndex.from_tuples(order))
    out.columns = new
    out = out.T.groupby(level=[0, 1], sort=False).sum().T
    return out.reindex(columns=pd.MultiIndex.from_tuples(order))


def balance_use_table(Z: np.ndarray, F: np.ndarray, X: np.ndarray, labels=None, tol: float = 1e-12):
    """RAS on U = [Z | F] (rows (i,s); columns industries (j,r) and final uses (h,r)) to row
    totals X and column totals = observed intermediate inputs and final-demand columns
    scaled by one common factor. Z (I,R,I,R), F (I,R,H,R), X (I,R). Returns (Z, F, report)
    with report a dict (fd_factor, row_gaps, ras: BalanceReport)."""
    I, R = X.shape
    H = F.shape[2]
    U = np.concatenate([Z.reshape(I * R, I * R), F.reshape(I * R, H * R)], axis=1)
    row_target = X.reshape(I * R)
    col = U.sum(0)
    n_ind = I * R
    fd_factor = (row_target.sum() - col[:n_ind].sum()) / col[n_ind:].sum()
    col_target = np.concatenate([col[:n_ind], col[n_ind:] * fd_factor])
    sec, reg, agents = labels if labels is not None else ([f"{k}" for k in range(I)],
                                                           [f"{k}" for k in range(R)],
                                                           [f"{k}" for k in range(H)])
    rows = [f"{sec[k // R]}@{reg[k % R]}" for k in range(I * R)]
    cols = rows + [f"{agents[k // R]}@{reg[k % R]}" for k in range(H * R)]
    gap = U.sum(1) - row_target
    report = {"fd_factor": float(fd_factor),
              "row_gaps": sorted(((rows[k], float(gap[k]), float(gap[k] / row_target[k]))
                                  for k in range(I * R) if row_target[k] > 0), key=lambda t: -abs(t[1]))[:10]}
    if np.max(np.abs(gap) / np.maximum(row_target, 1e-300)) <= tol and abs(fd_factor - 1) <= tol:
        report["ras"] = None
        return Z, F, report
    B, rep = ras(U, row_target, col_target, rows, cols, tol=1e-13, max_iter=5000)
    report["ras"] = rep
    return B[:, :n_ind].reshape(I, R, I, R), B[:, n_ind:].reshape(I, R, H, R), report


def from_tables(Z: pd.DataFrame, Y: pd.DataFrame, value_added: pd.DataFrame | None = None,
                output: pd.Series | None = None, *, final_demand: dict | None = None,
                factors: dict | None = None, labour_share=None, value_added_mode: str = "residual",
                employment: pd.Series | None = None, regions=None, sectors=None,
                attrs: dict | None = None) -> xr.Dataset:
    """Benchmark dataset from MRIO tables (see the module doc for the construction).

    ``final_demand``: {category: agent or "exports"} for categories the default patterns
    (:data:`FINAL_DEMAND_PATTERNS`) do not recognise; ``factors``: {value-added row: role}
    (roles labour, capital, production_tax, value_added, ignore; defaults by
    :data:`VALUE_ADDED_PATTERNS`). ``labour_share``: labour's share of value added when the
    table has no compensation row (a number, or a Series by sector or by (region, sector)).
    ``employment``: persons (thousands) by (region, sector). ``regions``/``sectors``:
    concordances (:func:`cgetrade.data.aggregate.read_concordance`) applied to the raw tables.
    """
    from .aggregate import check_concordance, read_concordance
    Z = _frame(Z, "Z")
    Y = _frame(Y, "Y")
    Z.index, Z.columns, Y.index, Y.columns = (_str_index(Z.index), _str_index(Z.columns),
                                              _str_index(Y.index), _str_index(Y.columns))
    regions0, sectors0 = _grid(Z.index, "Z rows")
    if list(Z.columns) != list(Z.index):
        if set(Z.columns) != set(Z.index):
            raise DataValidationError("Z: column labels differ from row labels")
        Z = Z.loc[:, Z.index]
    if set(Y.index) != set(Z.index):
        raise DataValidationError("Y: row labels differ from the rows of Z")
    Y = Y.loc[Z.index]
    if not isinstance(Y.columns, pd.MultiIndex) or Y.columns.nlevels != 2:
        raise DataValidationError("Y: columns must be (region, category) pairs")
    neg = np.argwhere(Z.to_numpy() < 0)
    if len(neg):
        raise DataValidationError("Z: negative intermediate flows at " + ", ".join(
            f"[{Z.index[i]}, {Z.columns[j]}] = {Z.iat[i, j]:.6g}" for i, j in neg[:5]))
    unknown_reg = sorted({str(r) for r, _ in Y.columns} - set(regions0))
    if unknown_reg:
        raise DataValidationError(f"Y: final-demand regions {unknown_reg} are not regions of Z")
    notes = []
    # 2. final-demand categories -> agents
    cats = list(dict.fromkeys(str(c) for _, c in Y.columns))
    agent_of = _classify(cats, final_demand, FINAL_DEMAND_PATTERNS, "final-demand category",
                         AGENTS + ("exports", "ignore"))
    exp_cols = [c for c in Y.columns if agent_of[c[1]] == "exports"]
    if exp_cols and float(np.abs(Y[exp_cols].to_numpy()).sum()) > 0:
        raise DataValidationError(f"Y: exports outside the table's regions ({exp_cols[:3]}...) are not "
                                  "represented; aggregate them into a region or drop the category")
    Y = Y[[c for c in Y.columns if agent_of[c[1]] in AGENTS]]
    Y.columns = pd.MultiIndex.from_tuples([(r, agent_of[c]) for r, c in Y.columns])
    Y = Y.T.groupby(level=[0, 1], sort=False).sum().T
    # value added rows
    if value_added is not None:
        VA = _frame(value_added, "value added")
        VA.columns = _str_index(VA.columns)
        VA.index = [str(x) for x in VA.index]
        if set(VA.columns) != set(Z.columns):
            raise DataValidationError("value added: columns differ from the columns of Z")
        VA = VA.loc[:, Z.columns]
        role = _classify(list(VA.index), factors, VALUE_ADDED_PATTERNS, "value-added row", ROLES)
    else:
        VA, role = pd.DataFrame(columns=Z.columns, dtype=float), {}
    X_given = None
    if output is not None:
        out = output.iloc[:, 0] if isinstance(output, pd.DataFrame) else output
        out = _frame(out.to_frame("x"), "output")["x"]
        out.index = _str_index(out.index)
        if set(out.index) != set(Z.index):
            raise DataValidationError("output: labels differ from the rows of Z")
        X_given = out.loc[Z.index]
    emp = None
    if employment is not None:
        emp = _frame(employment.to_frame("e") if isinstance(employment, pd.Series) else employment, "employment").iloc[:, 0]
        emp.index = _str_index(emp.index)
        emp = emp.reindex(Z.index)
        if emp.isna().any():
            raise DataValidationError(f"employment: missing for {list(emp.index[emp.isna()])[:5]}")
    # 1. aggregation of the raw tables
    maps = {}
    if regions is not None:
        maps[0] = read_concordance(regions, "regions", table="regions")
        check_concordance(maps[0], regions0, "region")
    if sectors is not None:
        maps[1] = read_concordance(sectors, "sectors", table="sectors")
        check_concordance(maps[1], sectors0, "sector")
    if maps:
        Z = _relabel(_relabel(Z, 0, maps), 1, maps)
        Y = _relabel(_relabel(Y, 0, maps), 1, {0: maps.get(0, {})})
        if len(VA):
            VA = _relabel(VA, 1, maps)
        if X_given is not None:
            X_given = _relabel(X_given.to_frame("x"), 0, maps)["x"]
        if emp is not None:
            emp = _relabel(emp.to_frame("e"), 0, maps)["e"]
        notes.append("aggregated by concordance")
    regions_, sectors_ = _grid(Z.index, "Z rows")
    R, I, H = len(regions_), len(sectors_), len(AGENTS)
    idx = pd.MultiIndex.from_tuples([(r, s) for r in regions_ for s in sectors_])
    Z = Z.loc[idx, idx]
    Yc = pd.MultiIndex.from_tuples([(r, h) for r in regions_ for h in AGENTS])
    Y = Y.reindex(index=idx, columns=Yc, fill_value=0.0)
    # arrays: (region, sector) order -> (sector, region)
    Z4 = Z.to_numpy().reshape(R, I, R, I).transpose(1, 0, 3, 2)           # (i, s, j, r)
    F4 = Y.to_numpy().reshape(R, I, R, H).transpose(1, 0, 3, 2)           # (i, s, h, r)
    neg = F4 < 0
    if neg.any():
        cells = [(sectors_[i], regions_[s], AGENTS[h], regions_[r], float(F4[i, s, h, r]))
                 for i, s, h, r in zip(*np.nonzero(neg))]
        notes.append(f"{len(cells)} negative final-demand cells set to 0 (largest "
                     + ", ".join(f"{c[0]} from {c[1]} to {c[2]} in {c[3]}: {c[4]:.6g}"
                                 for c in sorted(cells, key=lambda c: c[4])[:3]) + ")")
        F4 = np.where(neg, 0.0, F4)
    X = (X_given.loc[idx].to_numpy().reshape(R, I).T if X_given is not None
         else Z4.sum((2, 3)) + F4.sum((2, 3)))
    zero = [(sectors_[i], regions_[r]) for i, r in zip(*np.nonzero(X <= 0))]
    if zero:
        raise DataValidationError(f"gross output must be positive; zero or negative for {zero[:8]} "
                                  "(aggregate those sectors)")
    # 3. balance the use table to gross output
    Z4, F4, bal = balance_use_table(Z4, F4, X, (sectors_, regions_, list(AGENTS)))
    if bal["ras"] is not None:
        notes.append(f"use table balanced by RAS to gross output (final demand scaled by "
                     f"{bal['fd_factor']:.8f}); {bal['ras']}")
    # 4. value added and production taxes
    def rows_of(k):
        names = [n for n, r_ in role.items() if r_ == k]
        if not names:
            return None
        return VA.loc[names].to_numpy().sum(0).reshape(R, I).T
    lab, cap, tax, va_tot = (rows_of(k) for k in ("labour", "capital", "production_tax", "value_added"))
    zcol = Z4.sum((0, 1))
    if lab is not None and cap is not None:
        split = np.divide(lab, lab + cap, out=np.full_like(lab, np.nan), where=(lab + cap) > 0)
        if np.isnan(split).any():          # no value added in the table: region's mean share
            mean = lab.sum(0) / np.maximum((lab + cap).sum(0), 1e-300)
            split = np.where(np.isnan(split), mean[None, :], split)
        table_va = lab + cap + (va_tot if va_tot is not None else 0.0)
    elif va_tot is not None or value_added_mode == "residual":
        if labour_share is None:
            raise DataValidationError("the table has no compensation and surplus rows: give "
                                      "labour_share (labour's share of value added)")
        split = _share(labour_share, sectors_, regions_)
        table_va = va_tot if va_tot is not None else np.zeros_like(X)
    else:
        raise DataValidationError("value_added_mode='table' needs value-added rows")
    tax = np.zeros_like(X) if tax is None else tax
    if value_added_mode == "residual":
        va = X - zcol - tax
        bad = [(sectors_[i], regions_[r], float(va[i, r])) for i, r in zip(*np.nonzero(va <= 0))]
        if bad:
            raise DataValidationError("value added (output - intermediate inputs - taxes) is not "
                                      f"positive for {bad[:8]}")
        if va_tot is not None or lab is not None:
            dev = np.abs(va - table_va) / X
            k = np.unravel_index(np.argmax(dev), dev.shape)
            notes.append(f"value added is the column residual; largest difference from the table's "
                         f"value added {dev[k]:.3%} of output ({sectors_[k[0]]}, {regions_[k[1]]})")
    elif value_added_mode == "table":
        va = table_va
        tax = X - zcol - va
        notes.append("factor payments from the table; net production tax is the column residual")
    else:
        raise ValueError(f"unknown value_added_mode {value_added_mode!r}: 'residual' or 'table'")
    V = np.stack([split * va, (1 - split) * va])
    if emp is not None:
        persons = emp.loc[idx].to_numpy().reshape(R, I).T
        emp_attrs = {"units": "thousand persons", "long_name": "persons engaged"}
    else:
        persons = V[0]
        emp_attrs = {"units": "labour units (benchmark wage = 1): the table has no persons",
                     "long_name": "employment"}
    units = (attrs or {}).get("currency", "table units")
    ds = xr.Dataset(
        {
            "intermediate": (("commodity", "source", "sector", "region"), Z4,
                             {"units": units, "long_name": "intermediate use of commodity from source by sector in region"}),
            "final_demand": (("commodity", "source", "agent", "region"), F4,
                             {"units": units, "long_name": "final use of commodity from source by agent in region"}),
            "factor_payments": (("factor", "sector", "region"), V, {"units": units, "long_name": "labour and capital compensation"}),
            "production_tax": (("sector", "region"), tax, {"units": units, "long_name": "net taxes on products used and other items (column residual)"}),
            "gross_output": (("sector", "region"), X, {"units": units, "long_name": "gross output at basic prices"}),
            "employment": (("sector", "region"), persons, emp_attrs),
        },
        coords={"region": regions_, "source": regions_, "sector": sectors_, "commodity": sectors_,
                "agent": list(AGENTS), "factor": ["labour", "capital"]},
        attrs={**(attrs or {}), "construction": "; ".join(notes) or "no adjustment"},
    )
    return validate(ds)


def _share(share, sectors, regions) -> np.ndarray:
    if np.isscalar(share):
        s = np.full((len(sectors), len(regions)), float(share))
    else:
        ser = pd.Series(share)
        if isinstance(ser.index, pd.MultiIndex):
            s = np.array([[float(ser.loc[(r, j)]) for r in regions] for j in sectors])
        else:
            missing = [j for j in sectors if j not in ser.index]
            if missing:
                raise DataValidationError(f"labour_share missing for sectors {missing}")
            s = np.array([[float(ser.loc[j])] * len(regions) for j in sectors])
    if np.any((s < 0) | (s > 1)) or np.isnan(s).any():
        raise DataValidationError("labour_share must be between 0 and 1")
    return s


# ------------------------------------------------------------------------------------------
# pymrio
# ------------------------------------------------------------------------------------------
def from_mrio(io, value_added: str = "factor_inputs", employment=None, **options) -> xr.Dataset:
    """Benchmark dataset from a pymrio ``IOSystem`` (``pymrio.load_test()``, ``parse_wiod``,
    ``parse_oecd``, ``parse_exiobase3``, ...).

    ``value_added``: name of the extension holding the value-added rows (pymrio's
    ``factor_inputs``). ``employment``: (extension, row) of persons in thousands, or a
    Series by (region, sector). Other options as :func:`from_tables`.
    """
    if not hasattr(io, "Z") or io.Z is None or io.Y is None:
        raise DataValidationError("the IOSystem needs Z and Y (call io.calc_system() for a "
                                  "system given by coefficients)")
    ext = getattr(io, value_added, None) if value_added else None
    if value_added and ext is None:
        raise DataValidationError(f"the IOSystem has no extension {value_added!r}; its extensions: "
                                  f"{list(io.get_extensions())}")
    va = ext.F if ext is not None else None
    if va is not None and isinstance(va.index, pd.MultiIndex):
        va = va.copy()
        va.index = [" ".join(map(str, t)) if len(t) > 1 else str(t[0]) for t in va.index]
    if isinstance(employment, tuple):
        e_ext, row = employment
        F = getattr(io, e_ext).F
        employment = F.loc[row] if row in F.index else None
        if employment is None:
            raise DataValidationError(f"no row {row!r} in extension {e_ext!r}")
    x = getattr(io, "x", None)
    currency = _one_unit(getattr(io, "unit", None), "the system (Z, Y)")
    if ext is not None and getattr(ext, "unit", None) is not None:
        va_unit = _one_unit(ext.unit, f"extension {value_added!r}")
        if currency and va_unit and va_unit != currency:
            raise DataValidationError(f"mixed currencies: the system is in {currency!r}, extension "
                                      f"{value_added!r} in {va_unit!r}")
    attrs = {"title": f"{getattr(io, 'name', '') or 'MRIO'} (pymrio)",
             "source": str(getattr(io.meta, "description", "")) if getattr(io, "meta", None) else "",
             "currency": currency or "table units"}
    attrs.update(options.pop("attrs", {}) or {})
    return from_tables(io.Z, io.Y, va, None if x is None else x, employment=employment,
                       attrs=attrs, **options)


def _one_unit(unit, what) -> str | None:
    """The single unit of a pymrio unit table; mixed units are an error naming them."""
    if unit is None:
        return None
    values = sorted({str(v) for v in np.asarray(unit).ravel() if str(v) not in ("", "nan", "None")})
    if len(values) > 1:
        raise DataValidationError(f"mixed currencies in {what}: {values}")
    return values[0] if values else None


# ------------------------------------------------------------------------------------------
# OECD ICIO
# ------------------------------------------------------------------------------------------
ICIO_OUTPUT = ("OUT", "OUTPUT", "TOTAL")
ICIO_VALUE_ADDED = {"TLS": "production_tax", "TAXSUB": "production_tax", "VA": "value_added",
                    "VALU": "value_added"}
#: OECD ICIO final-demand codes (column label COUNTRY_CODE; the 2016 edition CODE_COUNTRY)
ICIO_FINAL = {"HFCE": "household", "NPISH": "household", "NPS": "household",
              "DPABR": "household", "DIRP": "household", "NONRES": "household", "P33": "household",
              "GGFC": "government", "GFCF": "investment", "INVNT": "investment",
              "DISC": "investment"}
ICIO_SPLITS = {r"CN\d": "CHN", r"MX\d": "MEX"}


def read_icio(path, merge_splits: bool = True):
    """Tables of an OECD ICIO CSV file: (Z, Y, value_added, output) for :func:`from_tables`.

    Layout (OECD Inter-Country Input-Output tables, 2016-2023 editions): the first column
    holds the row labels. Industry rows and columns are ``COUNTRY_INDUSTRY`` (e.g.
    ``AUS_01T02``, ``CHN_C26``: ISO3 country, ``_``, industry code); final-demand columns are
    ``COUNTRY_CODE`` with codes HFCE (households), NPISH, GGFC (government), GFCF, INVNT
    (inventories), DPABR/DIRP and NONRES/P33 (direct purchases abroad / by non-residents),
    DISC (discrepancy); the 2016 edition writes ``CODE_COUNTRY``. Rows after the industries:
    TLS (TAXSUB) net taxes on products, VA (VALU) value added at basic prices, OUT (OUTPUT)
    output; column OUT (TOTAL) is total use. The China and Mexico splits (CN1, CN2, MX1,
    MX2) are merged into CHN and MEX (``merge_splits``). Values in million USD.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"ICIO file not found: {path}")
    raw = pd.read_csv(path, index_col=0)
    raw.index = [str(x).strip() for x in raw.index]
    raw.columns = [str(x).strip() for x in raw.columns]
    out_col = next((c for c in ICIO_OUTPUT if c in raw.columns), None)
    out_row = next((c for c in ICIO_OUTPUT if c in raw.index), None)
    va_rows = [r for r in raw.index if r in ICIO_VALUE_ADDED]
    ind_rows = [r for r in raw.index if r not in va_rows and r not in ICIO_OUTPUT]
    bad = [r for r in ind_rows if "_" not in r]
    if bad:
        raise DataValidationError(f"{path.name}: rows not of the form COUNTRY_INDUSTRY and not "
                                  f"{sorted(ICIO_VALUE_ADDED) + list(ICIO_OUTPUT)}: {bad[:8]}")

    def split(label):
        a, b = label.split("_", 1)
        return a, b
    countries = list(dict.fromkeys(split(r)[0] for r in ind_rows))
    fd_cols, z_cols = [], []
    for c in raw.columns:
        if c in ICIO_OUTPUT:
            continue
        if "_" not in c:
            raise DataValidationError(f"{path.name}: column {c!r} is not COUNTRY_INDUSTRY or COUNTRY_CODE")
        a, b = split(c)
        if b in ICIO_FINAL:
            fd_cols.append((c, a, b))
        elif a in ICIO_FINAL and b in countries:          # 2016 edition: CODE_COUNTRY
            fd_cols.append((c, b, a))
        else:
            z_cols.append(c)
    if set(z_cols) != set(ind_rows):
        only_r, only_c = sorted(set(ind_rows) - set(z_cols)), sorted(set(z_cols) - set(ind_rows))
        raise DataValidationError(f"{path.name}: industry rows and columns differ; only rows: "
                                  f"{only_r[:5]}, only columns: {only_c[:5]}")
    values = _frame(raw.fillna(0.0), path.name)

    def mi(labels):
        return pd.MultiIndex.from_tuples([split(x) for x in labels], names=["region", "sector"])
    Z = values.loc[ind_rows, ind_rows]
    Z.index, Z.columns = mi(ind_rows), mi(ind_rows)
    Y = values.loc[ind_rows, [c for c, _, _ in fd_cols]]
    Y.index = mi(ind_rows)
    Y.columns = pd.MultiIndex.from_tuples([(a, b) for _, a, b in fd_cols], names=["region", "category"])
    VA = values.loc[va_rows, ind_rows]
    VA.columns = mi(ind_rows)
    if out_col is not None:
        X = values.loc[ind_rows, out_col]
    elif out_row is not None:
        X = values.loc[out_row, ind_rows]
    else:
        X = None
    if X is not None:
        X = pd.Series(X.to_numpy(), index=mi(ind_rows))
    if merge_splits:
        rmap = {c: tgt for c in countries for pat, tgt in ICIO_SPLITS.items() if re.fullmatch(pat, c)}
        if rmap:
            maps = {0: rmap}
            Z = _relabel(_relabel(Z, 0, maps), 1, maps)
            Y = _relabel(_relabel(Y, 0, maps), 1, {0: rmap})
            VA = _relabel(VA, 1, maps)
            X = _relabel(X.to_frame("x"), 0, maps)["x"] if X is not None else None
    return Z, Y, VA, X


def from_icio(path, labour_share=None, merge_splits: bool = True, **options) -> xr.Dataset:
    """Benchmark dataset from an OECD ICIO CSV file (layout in :func:`read_icio`).

    ICIO tables have one value-added row, so ``labour_share`` (labour's share of value added:
    a number or a Series by sector or by (region, sector)) is required. Other options as
    :func:`from_tables` (e.g. ``regions``, ``sectors`` concordances).
    """
    Z, Y, VA, X = read_icio(path, merge_splits)
    attrs = {"title": f"OECD ICIO {Path(path).stem}", "source": f"OECD Inter-Country Input-Output "
             f"tables, file {Path(path).name}", "currency": "USD million",
             "licence": "OECD terms and conditions", "citation": "OECD (2023), OECD Inter-Country "
             "Input-Output Database, http://oe.cd/icio"}
    attrs.update(options.pop("attrs", {}) or {})
    factors = {"TLS": "production_tax", "TAXSUB": "production_tax", "VA": "value_added", "VALU": "value_added"}
    return from_tables(Z, Y, VA, X, factors=factors, labour_share=labour_share, attrs=attrs, **options)
