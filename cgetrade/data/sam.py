"""Social accounting matrices of any size -> benchmark dataset.

A SAM is square: rows receive, columns pay, and every account's row total equals its column
total. Each account is declared with one of the types in :data:`ACCOUNT_TYPES`:

==================  =======================================================================
``activity``        produces; its column pays commodities, factors and production taxes
``commodity``       a market; its column pays the activity that makes it, imports, tariffs
``good``            an activity and its commodity in one account (the textbook layout)
``labour``          factor ``labour`` (several labour accounts are summed)
``capital``         factor ``capital``
``factor``          another primary factor (land, natural resources), named by its label
``household``       final consumption; receives factor income, pays direct tax, saves
``government``      final consumption; receives taxes, saves
``investment``      final demand for investment goods; receives saving
``rest_of_world``   receives imports, pays exports and foreign saving
``production_tax``  tax paid by activities (output or input taxes, net of subsidies)
``import_tariff``   tax paid by commodities on their imports
``direct_tax``      tax paid by households
``tax``             any tax account, classified by who pays it (activity or good: production
                    tax, household: direct tax)
==================  =======================================================================

Accounts of the same type are summed (two household accounts become the one household).
Activities and commodities are paired by the make matrix: each activity makes one commodity
and each commodity is made by one activity (the sector and commodity label is the
commodity's). Flows the model does not represent (e.g. transfers from the rest of the world
to households, taxes on products other than tariffs) are refused with the cells named.

Imports of a commodity are used in the same proportion by every user (the single Armington
composite of a SAM): imported share = (imports + tariffs) / domestic uses. A single-region
SAM with a rest-of-the-world account maps to a one-region dataset with an exogenous rest of
the world (``rest_of_world`` attribute, ``exports_rest_of_world``); two SAMs without a
rest-of-the-world label trade with each other. The input is never modified.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .schema import AGENTS, DataValidationError, validate

ACCOUNT_TYPES = ("activity", "commodity", "good", "labour", "capital", "factor", "household",
                 "government", "investment", "rest_of_world", "production_tax", "import_tariff",
                 "direct_tax", "tax")
_ALIASES = {"activities": "activity", "commodities": "commodity", "goods": "good",
            "labor": "labour", "factors": "factor", "households": "household",
            "taxes": "tax", "rest_of_the_world": "rest_of_world", "row": "rest_of_world",
            "world": "rest_of_world", "savings": "investment", "saving": "investment",
            "tariff": "import_tariff", "tariffs": "import_tariff", "indirect_tax": "production_tax"}
FINAL = {"household": "household", "government": "government", "investment": "investment"}


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------
def read_sam(source, layout: str | None = None, sheet=0, columns=("row", "col", "value")) -> pd.DataFrame:
    """A SAM as a square DataFrame (rows receive, columns pay) from a file or an object.

    ``source``: a CSV or Excel file (``.xlsx``/``.xls``), a DataFrame, an
    :class:`xarray.DataArray` with dims (row, col), or a dict of dicts {row: {col: value}}.
    ``layout``: ``"square"`` (first column and header row are the account labels) or
    ``"long"`` (one cell a line; the column names given by ``columns``, default row, col,
    value); by default recognised from the file. Missing cells of a long SAM are 0.
    """
    if isinstance(source, xr.DataArray):
        if set(source.dims) != {"row", "col"}:
            raise DataValidationError(f"a SAM DataArray needs dims (row, col), got {source.dims}")
        da = source.transpose("row", "col")
        df = pd.DataFrame(da.values, index=[str(x) for x in da["row"].values],
                          columns=[str(x) for x in da["col"].values])
        return _square(df, "SAM")
    if isinstance(source, dict):
        return _square(pd.DataFrame(source).T.fillna(0.0), "SAM")
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        name = "SAM"
    else:
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"SAM file not found: {path}")
        name = path.name
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, sheet_name=sheet, header=0)
        elif path.suffix.lower() in (".csv", ".txt"):
            df = pd.read_csv(path, header=0)
        else:
            raise DataValidationError(f"{name}: unknown SAM file type {path.suffix!r} (CSV or Excel)")
    lower = {str(c).strip().lower(): c for c in df.columns}
    is_long = layout == "long" or (layout is None and all(c in lower for c in columns)
                                   and len(df.columns) == 3)
    if is_long:
        missing = [c for c in columns if c not in lower]
        if missing:
            raise DataValidationError(f"{name}: a long-format SAM needs columns {list(columns)}; "
                                      f"missing {missing}")
        r, c, v = (lower[k] for k in columns)
        long = df[[r, c, v]].copy()
        long[r], long[c] = long[r].astype(str).str.strip(), long[c].astype(str).str.strip()
        values = pd.to_numeric(long[v], errors="coerce")
        if values.isna().any():
            bad = long[values.isna()].head(5)
            raise DataValidationError(f"{name}: non-numeric or missing values at "
                                      + ", ".join(f"[{a}, {b}]" for a, b in zip(bad[r], bad[c])))
        dup = long[long.duplicated([r, c], keep=False)]
        if len(dup):
            raise DataValidationError(f"{name}: duplicate cells "
                                      + ", ".join(f"[{a}, {b}]" for a, b in zip(dup[r], dup[c]))[:400])
        labels = list(dict.fromkeys(list(long[r]) + list(long[c])))
        pos = {lab: k for k, lab in enumerate(labels)}
        cells = np.zeros((len(labels), len(labels)))
        cells[[pos[a] for a in long[r]], [pos[b] for b in long[c]]] = values.to_numpy(float)
        return pd.DataFrame(cells, index=labels, columns=labels)
    if layout not in (None, "square"):
        raise ValueError(f"unknown SAM layout {layout!r}; use 'square' or 'long'")
    if not isinstance(source, pd.DataFrame) or not all(str(i) == str(c) for i, c in
                                                      zip(df.index, df.columns)):
        df = df.set_index(df.columns[0]) if not isinstance(source, pd.DataFrame) else df
    df.index = [str(x).strip() for x in df.index]
    df.columns = [str(x).strip() for x in df.columns]
    return _square(df, name)


def _square(df: pd.DataFrame, name: str) -> pd.DataFrame:
    rows, cols = list(df.index), list(df.columns)
    if rows != cols:
        only_r, only_c = [x for x in rows if x not in cols], [x for x in cols if x not in rows]
        if only_r or only_c or len(rows) != len(cols):
            raise DataValidationError(f"{name}: row labels and column labels differ (a SAM is square); "
                                      f"only in rows: {only_r}, only in columns: {only_c}")
        df = df.loc[:, rows]
    dup = sorted({x for x in rows if rows.count(x) > 1})
    if dup:
        raise DataValidationError(f"{name}: duplicate account labels {dup}")
    values = df.apply(pd.to_numeric, errors="coerce")
    bad = np.argwhere(values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan)))
    if len(bad):
        raise DataValidationError(f"{name}: missing, NaN or non-numeric cells at "
                                  + ", ".join(f"[{rows[i]}, {rows[j]}]" for i, j in bad[:8]))
    return values.astype(float)


def read_accounts(accounts) -> dict[str, str]:
    """{account label: type} from a dict (label -> type, or type -> list of labels) or a CSV
    file with columns account, type."""
    if isinstance(accounts, (str, Path)):
        df = pd.read_csv(accounts)
        cols = {c.strip().lower(): c for c in df.columns}
        if not {"account", "type"} <= set(cols):
            raise DataValidationError(f"{Path(accounts).name}: account types need columns account, type")
        accounts = dict(zip(df[cols["account"]].astype(str).str.strip(), df[cols["type"]].astype(str)))
    out: dict[str, str] = {}
    for key, val in accounts.items():
        if isinstance(val, (list, tuple, set)):                 # type -> labels
            for label in val:
                _add(out, str(label), _type(key))
        else:
            _add(out, str(key), _type(val))
    return out


def _type(name) -> str:
    t = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    t = _ALIASES.get(t, t)
    if t not in ACCOUNT_TYPES:
        raise DataValidationError(f"unknown account type {name!r}; known: {list(ACCOUNT_TYPES)}")
    return t


def _add(out, label, t):
    if label in out and out[label] != t:
        raise DataValidationError(f"account {label!r} declared twice: {out[label]} and {t}")
    out[label] = t


# ------------------------------------------------------------------------------------------
# balance
# ------------------------------------------------------------------------------------------
def sam_balance(sam) -> pd.DataFrame:
    """Row total, column total and gap (row - column) of every account, worst first."""
    sam = read_sam(sam)
    rt, ct = sam.sum(axis=1), sam.sum(axis=0)
    df = pd.DataFrame({"row_total": rt, "column_total": ct, "gap": rt - ct})
    df["relative"] = df["gap"].abs() / np.maximum(np.maximum(rt.abs(), ct.abs()), 1e-300)
    return df.sort_values("relative", ascending=False, kind="stable")


def check_balanced(sam, tolerance: float = 1e-9, what: str = "") -> None:
    """Raise :class:`DataValidationError` naming the worst accounts when a row total differs
    from its column total by more than ``tolerance`` (relative to the account's total)."""
    bal = sam_balance(sam)
    bad = bal[bal["relative"] > tolerance]
    if len(bad):
        worst = "; ".join(f"{k}: {g:+.6g} (row {r:.6g}, column {c:.6g})" for k, g, r, c in
                          zip(bad.index[:5], bad["gap"], bad["row_total"], bad["column_total"]))
        raise DataValidationError(f"SAM {what} is not balanced (row - column totals, tolerance "
                                  f"{tolerance:g} relative); worst accounts: {worst}"
                                  + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""))


# ------------------------------------------------------------------------------------------
# SAM -> dataset
# ------------------------------------------------------------------------------------------
#: (row type, column type) of every flow the model represents
_SUPPORTED = {
    ("commodity", "activity"), ("commodity", "household"), ("commodity", "government"),
    ("commodity", "investment"), ("commodity", "rest_of_world"),
    ("activity", "commodity"), ("activity", "rest_of_world"),
    ("factor", "activity"), ("household", "factor"),
    ("production_tax", "activity"), ("tax", "activity"), ("government", "activity"),
    ("import_tariff", "commodity"), ("rest_of_world", "commodity"),
    ("direct_tax", "household"), ("tax", "household"), ("government", "household"),
    ("government", "production_tax"), ("government", "import_tariff"),
    ("government", "direct_tax"), ("government", "tax"),
    ("household", "government"),
    ("investment", "household"), ("investment", "government"), ("investment", "rest_of_world"),
    ("household", "household"), ("government", "government"), ("investment", "investment"),
}
#: cells that may be negative (net taxes, transfers, saving)
_SIGNED = {("production_tax", "activity"), ("tax", "activity"), ("government", "activity"),
           ("direct_tax", "household"), ("tax", "household"), ("government", "household"),
           ("government", "production_tax"), ("government", "import_tariff"),
           ("government", "direct_tax"), ("government", "tax"), ("household", "government"),
           ("investment", "household"), ("investment", "government"),
           ("investment", "rest_of_world"), ("household", "household"),
           ("government", "government"), ("investment", "investment")}


def _roles(t: str) -> tuple[str, ...]:
    """Roles an account type plays in the flow table (a good is activity and commodity)."""
    if t == "good":
        return ("activity", "commodity")
    if t in ("labour", "capital", "factor"):
        return ("factor",)
    return (t,)


def _unsupported(sam: pd.DataFrame, types: dict, name: str) -> None:
    bad, negative = [], []
    rows = list(sam.index)
    A = sam.to_numpy()
    for i, j in zip(*np.nonzero(A)):
        a, b = rows[i], rows[j]
        ta, tb = types[a], types[b]
        pairs = [(x, y) for x in _roles(ta) for y in _roles(tb)]
        if ta == "good" and tb == "good":
            pairs = [("commodity", "activity")]          # goods pay goods: intermediate use
        elif ta == "good" and tb == "rest_of_world":
            pairs = [("commodity", "rest_of_world")]
        elif ta == "good":                               # a good's row receives as a commodity
            pairs = [("commodity", y) for y in _roles(tb)]
        elif tb == "good":                               # ... and its column pays as both
            pairs = [(x, y) for x in _roles(ta) for y in ("activity", "commodity")
                     if (x, y) in _SUPPORTED]
            if ta in ("tax", "government", "production_tax"):
                pairs = [(x, "activity") for x in _roles(ta)]
            elif ta == "import_tariff" or ta == "rest_of_world":
                pairs = [(ta, "commodity")]
        ok = [p for p in pairs if p in _SUPPORTED]
        if not ok:
            bad.append(f"[{a} ({ta}), {b} ({tb})] = {A[i, j]:.6g}")
        elif A[i, j] < 0 and not any(p in _SIGNED for p in ok):
            negative.append(f"[{a}, {b}] = {A[i, j]:.6g}")
    problems = []
    if bad:
        problems.append("flows the model does not represent (row receives, column pays): "
                        + "; ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else ""))
    if negative:
        problems.append("negative flows where none are allowed: " + "; ".join(negative[:10]))
    if problems:
        raise DataValidationError(f"SAM {name}:\n  - " + "\n  - ".join(problems))


def _pair_goods(sam: pd.DataFrame, types: dict, name: str) -> list[tuple[str, str]]:
    """(activity, commodity) pairs: goods are their own pair; separate accounts are paired by
    the make matrix, which must be one-to-one."""
    labels = list(sam.index)
    goods = [(a, a) for a in labels if types[a] == "good"]
    acts = [a for a in labels if types[a] == "activity"]
    coms = [c for c in labels if types[c] == "commodity"]
    if not acts and not coms:
        return goods
    make = sam.loc[acts, coms]
    problems = []
    pairs = []
    for a in acts:
        made = [c for c in coms if make.loc[a, c] != 0]
        if len(made) != 1:
            problems.append(f"activity {a} makes {made or 'nothing'} (one commodity each is needed)")
        else:
            pairs.append((a, made[0]))
    for c in coms:
        by = [a for a in acts if make.loc[a, c] != 0]
        if len(by) > 1:
            problems.append(f"commodity {c} is made by several activities {by}")
        elif not by:
            problems.append(f"commodity {c} is made by no activity (gross output must be positive)")
    if problems:
        raise DataValidationError(f"SAM {name}: the make matrix must pair activities and "
                                  "commodities one-to-one:\n  - " + "\n  - ".join(problems))
    return goods + sorted(pairs, key=lambda p: labels.index(p[1]))


def from_sam(sam, accounts, region: str = "REG", rest_of_world: str | None = None,
             employment=None, tolerance: float = 1e-9, balance: str | None = None,
             units="SAM units (benchmark prices = 1)", year=None, **read_options) -> xr.Dataset:
    """Benchmark dataset from one SAM or several (a dict {region: SAM}).

    ``sam``: anything :func:`read_sam` reads (file, DataFrame, DataArray, dict) or a dict of
    them by region; ``accounts``: the type of every account (see the module doc; a dict
    label -> type or type -> labels, or a CSV file account,type), shared by all regions.
    ``region``: the region label of a single SAM. ``rest_of_world``: label of the exogenous
    rest of the world; by default the SAM's rest-of-the-world account of a single SAM, and
    none for two SAMs (they trade with each other). ``employment``: persons by sector (dict
    or Series for one region, DataFrame sector x region) - without it employment is
    measured in labour units. ``tolerance``: largest relative gap between an account's row
    and column totals; ``balance="cross_entropy"`` balances the SAM first with its totals
    free (:func:`cgetrade.data.balance_sam`; report in the attribute ``balancing``). Raises :class:`DataValidationError` naming the
    accounts or cells at fault.
    """
    sams = sam if isinstance(sam, dict) and sam and all(
        isinstance(v, (str, Path, pd.DataFrame, xr.DataArray, dict)) for v in sam.values()) \
        and not _is_cell_dict(sam) else {region: sam}
    types = read_accounts(accounts)
    for what, given in (("currencies", units), ("years", year)):
        if isinstance(given, dict):
            distinct = sorted({str(v) for v in given.values()})
            if len(distinct) > 1:
                raise DataValidationError(f"mixed {what}: " + ", ".join(f"{r}: {v}" for r, v in given.items())
                                          + "; convert the SAMs to one before combining them")
    units = next(iter(units.values())) if isinstance(units, dict) else units
    year = next(iter(year.values())) if isinstance(year, dict) else year
    tables, reports = {}, {}
    for r, s in sams.items():
        t = read_sam(s, **read_options)
        unknown = [a for a in t.index if a not in types]
        if unknown:
            raise DataValidationError(f"SAM {r}: accounts without a declared type: {unknown}; "
                                      f"declare each as one of {list(ACCOUNT_TYPES)}")
        if balance is not None:
            from .balance import balance_sam
            t, rep = balance_sam(t, method=balance)
            reports[r] = str(rep)
        check_balanced(t, tolerance, str(r))
        _unsupported(t, types, str(r))
        tables[r] = t
    present = set().union(*(set(t.index) for t in tables.values()))
    absent = sorted(set(types) - present)
    if absent:
        raise DataValidationError(f"declared accounts not found in any SAM: {absent}")
    regions = [str(r) for r in tables]
    row_accounts = sorted({a for t in tables.values() for a in t.index if types[a] == "rest_of_world"})

    def trades_with_world(t):
        w = [a for a in t.index if types[a] == "rest_of_world"]
        return bool(w) and float(np.abs(t.loc[w].to_numpy()).sum() + np.abs(t[w].to_numpy()).sum()) > 0
    trades = any(trades_with_world(t) for t in tables.values())
    if rest_of_world is None and len(regions) == 1 and trades:
        rest_of_world = row_accounts[0]
    if rest_of_world is None and trades and len(regions) != 2:
        raise DataValidationError("without a rest of the world the SAMs must be one closed economy "
                                  "or two regions trading with each other (give rest_of_world)")
    if rest_of_world is not None and rest_of_world in regions:
        raise DataValidationError(f"rest_of_world label {rest_of_world!r} is also a region")

    pairs = {r: _pair_goods(t, types, r) for r, t in tables.items()}
    goods = [c for _, c in pairs[regions[0]]]
    for r in regions[1:]:
        if [c for _, c in pairs[r]] != goods:
            raise DataValidationError(f"SAMs {regions[0]} and {r} have different commodities: "
                                      f"{goods} and {[c for _, c in pairs[r]]}")
    factor_of = {}
    for a in [a for t in tables.values() for a in t.index]:
        if types[a] in ("labour", "capital"):
            factor_of[a] = types[a]
        elif types[a] == "factor":
            factor_of[a] = a
    factors = list(dict.fromkeys(factor_of.values()))
    missing = {"labour", "capital"} - set(factors)
    if missing:
        raise DataValidationError(f"the SAM needs factor accounts of type {sorted(missing)} "
                                  "(declare which factor accounts are labour and capital)")
    sources = regions + ([rest_of_world] if rest_of_world else [])
    nI, nS, nR, nF = len(goods), len(sources), len(regions), len(factors)
    Z = np.zeros((nI, nS, nI, nR))
    F = np.zeros((nI, nS, len(AGENTS), nR))
    V = np.zeros((nF, nI, nR))
    TM = np.zeros((nI, nS, nR))
    XW = np.zeros((nI, nR))
    T, X, TD = np.zeros((nI, nR)), np.zeros((nI, nR)), np.zeros(nR)
    exports = np.zeros((nI, nR))
    imports = np.zeros((nI, nR))
    for r, reg in enumerate(regions):
        t = tables[reg]
        of = {k: [a for a in t.index if types[a] == k] for k in ACCOUNT_TYPES}
        A = t.to_numpy(dtype=float)
        pos = {a: k for k, a in enumerate(t.index)}

        def rows_of(accounts):
            return [pos[a] for a in accounts]

        def block(rows, cols):
            """Row sums over the accounts ``rows`` of the columns ``cols`` (positions)."""
            return A[np.ix_(rows, cols)].sum(0) if rows and cols else np.zeros(len(cols))
        acts = rows_of([a for a, _ in pairs[reg]])
        coms = rows_of([c for _, c in pairs[reg]])
        comlike = rows_of(of["commodity"] + of["good"])
        world = rows_of(of["rest_of_world"])
        if rest_of_world:
            src = sources.index(rest_of_world)
        elif nR == 2:
            src = 1 - r
        else:
            src = r                                   # closed economy
        uses = A[np.ix_(coms, acts)]                  # commodity i used by activity j
        final = np.column_stack([A[np.ix_(coms, rows_of(of[h]))].sum(1) for h in AGENTS])
        imp_w = block(world, coms)
        tariff = block(rows_of(of["import_tariff"]), coms)
        total = uses.sum(1) + final.sum(1)
        share = np.divide(imp_w + tariff, total, out=np.zeros(nI), where=total > 0)
        unused = (imp_w + tariff > 0) & (total <= 0)
        if unused.any():
            raise DataValidationError(f"SAM {reg}: {goods[int(np.flatnonzero(unused)[0])]} is imported but not used")
        Z[:, r, :, r] += uses * (1 - share)[:, None]
        Z[:, src, :, r] += uses * share[:, None]
        F[:, r, :, r] += final * (1 - share)[:, None]
        F[:, src, :, r] += final * share[:, None]
        TM[:, src, r] += tariff
        own = np.array([a != c for a, c in zip(acts, coms)])
        exports[:, r] = (A[np.ix_(coms, world)].sum(1) if world else 0.0) \
            + np.where(own, A[np.ix_(acts, world)].sum(1) if world else 0.0, 0.0)
        imports[:, r] = imp_w
        if rest_of_world:
            XW[:, r] = exports[:, r]
        for a in factor_of:
            if a in pos:
                V[factors.index(factor_of[a]), :, r] += A[pos[a], acts]
        T[:, r] = block(rows_of(of["production_tax"] + of["tax"] + of["government"]), acts)
        X[:, r] = block(comlike, acts) + V[:, :, r].sum(0) + T[:, r]

        def S(rows, cols):
            return float(A[np.ix_(rows_of(rows), rows_of(cols))].sum()) if rows and cols else 0.0
        TD[r] = S(of["direct_tax"] + of["tax"] + of["government"], of["household"]) \
            - S(of["household"], of["government"])
        if not rest_of_world and nR == 1 and (exports[:, r].any() or imports[:, r].any()):
            raise DataValidationError(f"SAM {reg} trades but has no trading partner (give rest_of_world)")
    if rest_of_world is None and nR == 2:          # one region's exports are the other's imports
        for r, reg in enumerate(regions):
            for i, g in enumerate(goods):
                exp, imp = exports[i, r], imports[i, 1 - r]
                if abs(exp - imp) > tolerance * max(1.0, abs(exp)):
                    raise DataValidationError(f"exports of {g} from {reg} ({exp}) differ from "
                                              f"imports of {g} into {regions[1 - r]} ({imp})")
    lab = V[factors.index("labour")]
    if employment is None:
        emp = xr.DataArray(lab, dims=("sector", "region"),
                           attrs={"units": "labour units (benchmark wage = 1): the SAM has no persons",
                                  "long_name": "employment"})
    else:
        emp = _employment(employment, goods, regions)
    ds = xr.Dataset(
        {
            "intermediate": (("commodity", "source", "sector", "region"), Z,
                             {"units": units, "long_name": "intermediate use of commodity from source by sector in region"}),
            "final_demand": (("commodity", "source", "agent", "region"), F,
                             {"units": units, "long_name": "final use of commodity from source by agent in region"}),
            "factor_payments": (("factor", "sector", "region"), V, {"units": units, "long_name": "factor payments"}),
            "production_tax": (("sector", "region"), T, {"units": units, "long_name": "net production tax"}),
            "gross_output": (("sector", "region"), X, {"units": units, "long_name": "gross output"}),
            "employment": emp,
            "import_tariff": (("commodity", "source", "region"), TM, {"units": units, "long_name": "tariff revenue"}),
            "direct_tax": ("region", TD, {"units": units, "long_name": "direct tax net of transfers to households"}),
        },
        coords={"commodity": goods, "sector": goods, "source": sources, "region": regions,
                "agent": list(AGENTS), "factor": factors},
        attrs={"title": "social accounting matrix " + ", ".join(regions), "source": _describe(sams),
               "units": units},
    )
    if year is not None:
        ds.attrs["year"] = year
    if rest_of_world:
        ds["exports_rest_of_world"] = (("commodity", "region"), XW,
                                       {"units": units, "long_name": "exports to the rest of the world"})
        ds.attrs["rest_of_world"] = rest_of_world
    if reports:
        ds.attrs["balancing"] = "\n".join(f"{r}: {rep}" for r, rep in reports.items())
    return validate(ds)


def _is_cell_dict(d: dict) -> bool:
    """A dict of dicts of numbers is one SAM {row: {col: value}}, not SAMs by region."""
    return all(isinstance(v, dict) and all(isinstance(x, (int, float)) for x in v.values())
               for v in d.values())


def _describe(sams) -> str:
    return "; ".join(f"{r}: {s}" if isinstance(s, (str, Path)) else f"{r}: table"
                     for r, s in sams.items())


def _employment(employment, goods, regions) -> xr.DataArray:
    if isinstance(employment, xr.DataArray):
        da = employment
    else:
        if isinstance(employment, dict) and all(not isinstance(v, dict) for v in employment.values()):
            df = pd.Series(employment).to_frame(regions[0])          # one region: {sector: persons}
        elif isinstance(employment, pd.Series):
            df = employment.to_frame(regions[0])
        else:
            df = pd.DataFrame(employment)
        da = xr.DataArray(df.to_numpy(dtype=float), dims=("sector", "region"),
                          coords={"sector": [str(x) for x in df.index], "region": [str(x) for x in df.columns]})
    missing = sorted(set(goods) - set(map(str, da["sector"].values))) + \
        sorted(set(regions) - set(map(str, da["region"].values)))
    if missing:
        raise DataValidationError(f"employment is missing labels {missing}")
    out = da.sel(sector=goods, region=regions).astype(float)
    out.attrs = {"units": "thousand persons", "long_name": "employment", **dict(da.attrs)}
    return out.drop_vars([c for c in out.coords if c not in ("sector", "region")])
