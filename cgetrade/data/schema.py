"""Benchmark dataset schema and validation.

A benchmark is an :class:`xarray.Dataset` of value flows (millions of USD of the base year,
basic prices) with dimensions

* ``region`` (r) and ``source`` (s, same labels): where a flow is used / where it comes from;
* ``sector`` (j, the producing or using activity) and ``commodity`` (i, same labels);
* ``agent``: final demand agents ``household``, ``government``, ``investment``;
* ``factor``: primary factors, at least ``labour`` and ``capital``.

Required variables::

    intermediate(commodity, source, sector, region)   Z[i,s,j,r]
    final_demand(commodity, source, agent, region)    F[i,s,h,r]
    factor_payments(factor, sector, region)           V[f,j,r]
    production_tax(sector, region)                    T[j,r]   (net; may be negative)
    gross_output(sector, region)                      X[j,r]
    employment(sector, region)                        persons (thousands)

Optional variables::

    import_tariff(commodity, source, region)          TM[i,s,r] tariff revenue on imports of i
                                                      from s into r (included in Z and F, which
                                                      are valued at the importer's prices)
    exports_rest_of_world(commodity, region)          XW[i,r] exports to an exogenous rest of
                                                      the world (small open economy)
    direct_tax(region)                                TD[r] household direct tax (used by the
                                                      household-government final-demand option)
    labour_skill_share(skill, sector, region)         share of labour compensation by skill
    hours_skill_share(skill, sector, region)          share of hours worked by skill (persons by
                                                      skill = employment x hours share)

Labour by skill comes as both share variables together, over a ``skill`` coordinate with the
labels ``high``, ``medium``, ``low``; each share lies in [0, 1] and sums to 1 over skill
wherever the sector pays labour (compensation shares) resp. employs persons (hours shares).

    transport_margins(margin, commodity, source, region)
                                                      VTWR[m,i,s,r] international transport
                                                      margins (service m) on imports of i from s
                                                      into r, included in Z and F (valued at cif
                                                      + tariff); ``margin`` labels are commodities
    margin_exports(margin, region)                    VST[m,r] sales of margin services by r to
                                                      international transport
    intra_regional_intermediate(commodity, sector, region)
    intra_regional_final_demand(commodity, agent, region)
                                                      ZI[i,j,r], FI[i,h,r] the part of Z[i,r,j,r]
                                                      and F[i,r,h,r] bought from the other
                                                      members of an aggregated region r (its
                                                      imports from itself), valued like imports

Parameters of GTAP's standard model (``cgetrade.data.gtap.from_gtap`` writes them from
default.prm and basedata.har; used by ``calibrate(private_demand="cde")`` and
``Closure.from_gtap``)::

    cde_incpar(commodity, region), cde_subpar(commodity, region)
                                                      CDE expansion e_i > 0 and substitution
                                                      0 < b_i < 1 parameters (INCPAR, SUBPAR)
    etrae(factor), sluggish(factor)                   |ETRAE| >= 0 of sluggish factors (0:
                                                      sector-specific) and 1/0 sluggish/mobile
    capital_stock(region), depreciation(region), rorflex(region)
                                                      VKB > 0, VDEP >= 0, RORFLEX >= 0

Trade within a region (both ``intra_regional_*`` variables together): an aggregated region's
purchases from its own members are bilateral trade of the region with itself (source ==
region), with their own tariffs import_tariff[i,r,r] and margins transport_margins[m,i,r,r];
the rest of the diagonal cells is domestic supply. Without the variables the diagonal is
domestic supply and its tariffs and margins must be zero.

An exogenous rest of the world (world prices given) is declared by the dataset attribute
``rest_of_world = "<label>"``: that label is then an extra ``source`` (imports from the rest of
the world in Z and F); it is not a region.

Accounting identities (MODEL.md section 1), checked by :func:`validate`:

* market balance (rows):  X[i,s] = sum_{j,r} Z[i,s,j,r] + sum_{h,r} F[i,s,h,r] - sum_r TM[i,s,r]
  - sum_{m,r} VTWR[m,i,s,r] + XW[i,s] + VST[i,s]
* cost balance (columns): X[j,r] = sum_{i,s} Z[i,s,j,r] + sum_f V[f,j,r] + T[j,r]
* regional income = expenditure:  sum_f V + T + sum TM + (imports - exports) = sum_{i,s,h} F
  (imports at cif, net of tariffs; exports fob plus margin services; a region's trade with
  itself counts as both).

Bilateral exports and imports are the same flows (source s, destination r), so world exports
equal world imports between the dataset's regions by construction.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import InputError

AGENTS = ("household", "government", "investment")
FACTORS_REQUIRED = ("labour", "capital")
FACTORS = FACTORS_REQUIRED

REQUIRED_VARS = {
    "intermediate": ("commodity", "source", "sector", "region"),
    "final_demand": ("commodity", "source", "agent", "region"),
    "factor_payments": ("factor", "sector", "region"),
    "production_tax": ("sector", "region"),
    "gross_output": ("sector", "region"),
    "employment": ("sector", "region"),
}
OPTIONAL_VARS = {
    "import_tariff": ("commodity", "source", "region"),
    "exports_rest_of_world": ("commodity", "region"),
    "direct_tax": ("region",),
    "labour_skill_share": ("skill", "sector", "region"),
    "hours_skill_share": ("skill", "sector", "region"),
    "transport_margins": ("margin", "commodity", "source", "region"),
    "margin_exports": ("margin", "region"),
    "intra_regional_intermediate": ("commodity", "sector", "region"),
    "intra_regional_final_demand": ("commodity", "agent", "region"),
}
#: parameters of GTAP's standard model (parameters, not flows: aggregation does not sum them)
GTAP_VARS = {
    "cde_incpar": ("commodity", "region"), "cde_subpar": ("commodity", "region"),
    "etrae": ("factor",), "sluggish": ("factor",),
    "capital_stock": ("region",), "depreciation": ("region",), "rorflex": ("region",),
}
#: the variables that keep trade within aggregated regions bilateral (they go together)
INTRA_VARS = ("intra_regional_intermediate", "intra_regional_final_demand")
SKILLS = ("high", "medium", "low")
#: skill share variables and the quantity each splits (shares must sum to 1 where it is > 0)
SKILL_SHARES = {"labour_skill_share": "labour compensation", "hours_skill_share": "persons engaged"}
#: absolute tolerance of the skill shares' sum over skill
SKILL_ATOL = 1e-9
NONNEGATIVE = ("intermediate", "final_demand", "factor_payments", "gross_output", "employment",
               "exports_rest_of_world", "transport_margins", "margin_exports", *INTRA_VARS)

#: relative tolerance of the accounting identities (share of the row/column total)
RTOL = 1e-6


class DataValidationError(InputError):
    """The benchmark dataset is malformed, unreadable or violates an accounting identity."""


def _worst(da: xr.DataArray, scale: xr.DataArray, n: int = 5,
           above: float = 0.0) -> list[tuple[dict, float, float]]:
    """The n largest |violations| of ``da`` (relative size > ``above``) with their labels."""
    rel = abs(da) / abs(scale).where(abs(scale) > 0, 1.0)
    flat = rel.stack(_k=rel.dims)
    order = np.argsort(-flat.values, kind="stable")[:n]
    out = []
    for k in order[flat.values[order] > above]:
        item = flat.isel(_k=int(k))
        labels = {d: str(item[d].item()) for d in rel.dims}
        out.append((labels, float(da.sel(labels)), float(item)))
    return out


def _fmt(rows) -> str:
    return "; ".join(
        ", ".join(f"{k}={v}" for k, v in lab.items()) + f": {a:+.6g} ({r:.3g} relative)"
        for lab, a, r in rows)


def check_structure(ds: xr.Dataset) -> list[str]:
    """Structural problems: missing variables/dims, mismatched labels, NaN, negative flows."""
    problems: list[str] = []
    if not isinstance(ds, xr.Dataset):
        return [f"expected an xarray.Dataset, got {type(ds).__name__}"]
    for name, dims in REQUIRED_VARS.items():
        if name not in ds:
            problems.append(f"missing variable '{name}' with dims {dims}")
        elif tuple(ds[name].dims) != dims and set(ds[name].dims) != set(dims):
            problems.append(f"variable '{name}' has dims {tuple(ds[name].dims)}, expected {dims}")
    for name, dims in OPTIONAL_VARS.items():
        if name in ds and set(ds[name].dims) != set(dims):
            problems.append(f"variable '{name}' has dims {tuple(ds[name].dims)}, expected {dims}")
    for name, dims in GTAP_VARS.items():
        if name in ds and set(ds[name].dims) != set(dims):
            problems.append(f"variable '{name}' has dims {tuple(ds[name].dims)}, expected {dims}")
    for name in [k for k in [*REQUIRED_VARS, *OPTIONAL_VARS, *GTAP_VARS] if k in ds]:
        dtype = ds[name].dtype
        if dtype == bool or not np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.complexfloating):
            problems.append(f"variable '{name}' must hold real numbers, got dtype {dtype}")
    for d in ("region", "sector", "commodity", "source", "agent", "factor"):
        if d in ds.dims and ds.sizes[d] == 0:
            problems.append(f"dimension '{d}' is empty")
    if problems:
        return problems
    problems += _gtap_problems(ds)
    row_label = rest_of_world(ds)
    la, lb = list(map(str, ds["region"].values)), list(map(str, ds["source"].values))
    if row_label is not None:
        if row_label in la:
            problems.append(f"rest_of_world label {row_label!r} is also a region")
        if row_label not in lb:
            problems.append(f"rest_of_world label {row_label!r} (dataset attribute) is not a label of "
                            f"'source' {lb}")
        lb = [x for x in lb if x != row_label]
    if la != lb:
        problems.append(f"labels of 'region' {la} do not match labels of 'source' {lb}"
                        + ("" if row_label is None else f" (besides the rest of the world {row_label!r})"))
    la, lb = list(map(str, ds["sector"].values)), list(map(str, ds["commodity"].values))
    if la != lb:
        problems.append(f"labels of 'sector' {la} do not match labels of 'commodity' {lb}")
    for d in ("region", "sector", "commodity", "source", "agent", "factor"):
        labels = list(map(str, ds[d].values))
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            problems.append(f"duplicate labels in '{d}': {dup}")
    agents = set(map(str, ds["agent"].values))
    if agents != set(AGENTS):
        problems.append(f"agent labels must be {list(AGENTS)}, got {sorted(agents)}")
    missing_f = set(FACTORS_REQUIRED) - set(map(str, ds["factor"].values))
    if missing_f:
        problems.append(f"factor labels must include {sorted(missing_f)}")
    for name in [*REQUIRED_VARS, *(k for k in OPTIONAL_VARS if k in ds)]:
        v = ds[name]
        nan = v.isnull()
        if bool(nan.any()):
            where = nan.where(nan, drop=True).stack(_k=v.dims)
            first = [{d: str(where[d].values[k]) for d in v.dims} for k in range(min(3, where.sizes["_k"]))]
            problems.append(f"'{name}' has {int(nan.sum())} NaN value(s), e.g. at {first}")
        elif not bool(np.isfinite(v).all()):
            problems.append(f"'{name}' has infinite values")
        elif v.dtype.kind == "f" and v.size and float(np.abs(v).max()) > MAX_VALUE:
            problems.append(f"'{name}' has values up to {float(np.abs(v).max()):.3g}, beyond "
                            f"{MAX_VALUE:.0e}: sums of such flows overflow (wrong units?)")
    for name in (k for k in NONNEGATIVE if k in ds):
        v = ds[name]
        if bool((v < 0).any()):
            rows = _worst(v.where(v < 0, 0.0), xr.ones_like(v), n=5, above=0.0)
            problems.append(f"negative values in '{name}': " + _fmt(rows))
    if not problems:
        out = ds["gross_output"]
        if bool((out <= 0).any()):
            zero = out.where(out <= 0, drop=True).stack(_k=out.dims)
            problems.append("gross output must be positive for every sector and region; zero at "
                            + str([{d: str(zero[d].values[k]) for d in out.dims}
                                   for k in range(zero.sizes["_k"])][:5]))
        lab = ds["factor_payments"].sel(factor="labour").sum("sector")
        if bool((lab <= 0).any()):
            problems.append("every region needs positive labour payments")
        problems += _intra_problems(ds)
        if "import_tariff" in ds:
            tm = ds["import_tariff"]
            own = tm.where(tm["source"] == tm["region"], 0.0)
            if has_intra_regional_trade(ds):
                if bool((own > intra_regional_use(ds) * (1 + RTOL)).any()):
                    problems.append("import_tariff on a region's imports from itself exceeds the "
                                    "intra-regional imports it is levied on")
            elif bool((abs(own) > 0).any()):
                problems.append("import_tariff must be zero on a region's own supplies (source == region)")
            uses = ds["intermediate"].sum("sector") + ds["final_demand"].sum("agent")
            if bool((tm > uses).any()):
                problems.append("import_tariff exceeds the value of the imports it is levied on")
        problems += check_skills(ds)
        if ("transport_margins" in ds) != ("margin_exports" in ds):
            problems.append("transport_margins and margin_exports go together")
        elif "transport_margins" in ds:
            problems += _margin_problems(ds)
    return problems


def check_skills(ds: xr.Dataset) -> list[str]:
    """Labour by skill: both share variables, skill labels high/medium/low, shares in [0, 1]
    with sum_k share[k,j,r] = 1 wherever sector j in r pays labour (resp. employs persons)."""
    present = [v for v in SKILL_SHARES if v in ds]
    if not present and "skill" not in ds.dims:
        return []
    missing = [v for v in SKILL_SHARES if v not in ds]
    if missing:
        return [f"labour by skill needs both {list(SKILL_SHARES)}; missing {missing}"]
    labels = list(map(str, ds["skill"].values))
    dup = sorted({x for x in labels if labels.count(x) > 1})
    unknown, absent = sorted(set(labels) - set(SKILLS)), sorted(set(SKILLS) - set(labels))
    if dup or unknown or absent:
        return [f"skill labels must be {list(SKILLS)}, got {labels}"
                + "".join(f"; {what} {x}" for what, x in (("duplicate", dup), ("unknown", unknown),
                                                         ("missing", absent)) if x)]
    problems = []
    base = {"labour_skill_share": ds["factor_payments"].sel(factor="labour", drop=True),
            "hours_skill_share": ds["employment"]}
    for name, what in SKILL_SHARES.items():
        v = ds[name]
        outside = (-v).clip(min=0) + (v - 1).clip(min=0)
        if bool((outside > 0).any()):
            rows = _worst(outside, xr.ones_like(v), above=0.0)
            problems.append(f"'{name}' outside [0, 1]; worst: " + "; ".join(
                ", ".join(f"{k}={x}" for k, x in lab.items()) + f": {float(v.sel(lab)):+.6g}"
                for lab, _, _ in rows))
            continue
        total = v.sum("skill")
        # where nothing is paid (employed), shares may be all zero
        dev = (total - 1).where((base[name] > 0) | (abs(total) > SKILL_ATOL), 0.0)
        if float(abs(dev).max()) > SKILL_ATOL:
            problems.append(f"'{name}' must sum to 1 over skill where {what} > 0 (tolerance "
                            f"{SKILL_ATOL:g}); worst (sum - 1): "
                            + _fmt(_worst(dev, xr.ones_like(dev), above=SKILL_ATOL)))
    return problems


def _gtap_problems(ds: xr.Dataset) -> list[str]:
    """Ranges of GTAP's standard-model parameters (regular CDE: e > 0, 0 < b < 1)."""
    rules = {"cde_incpar": (lambda v: v > 0, "> 0"), "cde_subpar": (lambda v: (v > 0) & (v < 1), "in (0, 1)"),
             "etrae": (lambda v: np.isnan(v) | (v >= 0), ">= 0"),
             "sluggish": (lambda v: (v == 0) | (v == 1), "0 or 1"),
             "capital_stock": (lambda v: v > 0, "> 0"), "depreciation": (lambda v: v >= 0, ">= 0"),
             "rorflex": (lambda v: v >= 0, ">= 0")}
    out = []
    for name, (ok, rng) in rules.items():
        if name not in ds:
            continue
        v = ds[name]
        bad = ~ok(v.values)
        if name != "etrae":
            bad |= ~np.isfinite(v.values)
        if bad.any():
            k = np.unravel_index(int(np.argmax(bad)), bad.shape)
            at = ", ".join(f"{d}={v[d].values[i]}" for d, i in zip(v.dims, k))
            out.append(f"'{name}' must be {rng}: {int(bad.sum())} value(s) are not, e.g. "
                       f"{float(v.values[k]):.6g} at {at}")
    return out


def _margin_problems(ds: xr.Dataset) -> list[str]:
    out = []
    vt, vst = ds["transport_margins"], ds["margin_exports"]
    bad = sorted(set(map(str, vt["margin"].values)) - set(map(str, ds["commodity"].values)))
    if bad:
        out.append(f"margin labels {bad} are not commodities")
        return out
    regions = list(map(str, ds["region"].values))
    if sorted(map(str, vt["source"].values)) != sorted(regions) or \
            list(map(str, vst["region"].values)) != regions:
        out.append("transport margins are defined on routes between the dataset's regions only")
        return out
    own = vt.where(vt["source"] == vt["region"], 0.0)
    if has_intra_regional_trade(ds):
        own_tm = optional(ds, "import_tariff").sel(source=regions)
        own_tm = own_tm.where(own_tm["source"] == own_tm["region"], 0.0).sum("source")
        if bool((own.sum(("margin", "source")) > (intra_regional_use(ds) - own_tm) * (1 + RTOL)).any()):
            out.append("transport margins on a region's imports from itself exceed the intra-regional "
                       "imports they are paid on")
    elif bool((abs(own) > 0).any()):
        out.append("transport_margins must be zero on a region's own supplies (source == region)")
    uses = (ds["intermediate"].sum("sector") + ds["final_demand"].sum("agent")).sel(source=regions)
    tm = optional(ds, "import_tariff").sel(source=regions)
    over = vt.sum("margin") > uses - tm
    if bool(over.any()):
        out.append("transport margins exceed the value of the imports they are paid on")
    total_d, total_s = vt.sum(("commodity", "source", "region")), vst.sum("region")
    gap = abs(total_d - total_s) / total_s.where(total_s > 0, 1.0)
    if bool((gap > RTOL).any()):
        worst = str(gap["margin"].values[int(np.argmax(gap.values))])
        out.append(f"world demand for margin services differs from their supply (margin {worst}: "
                   f"{float(total_d.sel(margin=worst)):.6g} vs {float(total_s.sel(margin=worst)):.6g})")
    return out


def has_intra_regional_trade(ds: xr.Dataset) -> bool:
    """Whether the dataset keeps trade within its regions bilateral (``intra_regional_*``)."""
    return all(v in ds for v in INTRA_VARS)


def intra_regional_use(ds: xr.Dataset) -> xr.DataArray:
    """Imports of each region from its own members, all users (commodity, region): zero
    without intra-regional trade."""
    if not has_intra_regional_trade(ds):
        return xr.zeros_like(ds["gross_output"].rename(sector="commodity"), dtype=float)
    return (ds["intra_regional_intermediate"].sum("sector")
            + ds["intra_regional_final_demand"].sum("agent")).transpose("commodity", "region")


def _intra_problems(ds: xr.Dataset) -> list[str]:
    """Intra-regional imports: both variables, each within its diagonal cell of Z resp. F."""
    present = [v for v in INTRA_VARS if v in ds]
    if not present:
        return []
    if len(present) < len(INTRA_VARS):
        return [f"trade within regions needs both {list(INTRA_VARS)}; missing "
                f"{[v for v in INTRA_VARS if v not in ds]}"]
    out = []
    for name, total, user in (("intra_regional_intermediate", "intermediate", "sector"),
                              ("intra_regional_final_demand", "final_demand", "agent")):
        regions = list(ds["region"].values)
        diag = xr.concat([ds[total].sel(source=r, region=r, drop=True) for r in regions],
                         dim=ds["region"]).transpose("commodity", user, "region")
        over = ds[name].transpose("commodity", user, "region") - diag
        tol = RTOL * abs(diag).where(abs(diag) > 0, 1.0)
        if bool((over > tol).any()):
            rows = _worst(over.where(over > tol, 0.0), diag, above=0.0)
            out.append(f"'{name}' exceeds the region's purchases from itself in '{total}' "
                       f"(source == region): " + _fmt(rows))
    return out


def margins(ds: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """Transport margins by route summed over services (commodity, source, region) and margin
    exports by commodity (commodity, region): zeros when the dataset has none."""
    src = [str(x) for x in ds["source"].values]
    reg = [str(x) for x in ds["region"].values]
    route = xr.DataArray(np.zeros((ds.sizes["commodity"], len(src), len(reg))),
                         dims=("commodity", "source", "region"),
                         coords={"commodity": ds["commodity"], "source": ds["source"], "region": ds["region"]})
    supply = xr.DataArray(np.zeros((ds.sizes["commodity"], len(reg))), dims=("commodity", "region"),
                          coords={"commodity": ds["commodity"], "region": ds["region"]})
    if "transport_margins" in ds:
        vt = ds["transport_margins"].sum("margin").transpose("commodity", "source", "region")
        route = route + vt.reindex(source=src, fill_value=0.0)
        vst = ds["margin_exports"].rename(margin="commodity").transpose("commodity", "region")
        supply = supply + vst.reindex(commodity=ds["commodity"].values, fill_value=0.0)
    return route, supply


#: largest absolute value of a dataset entry (USD m of a world table are below 1e9; sums and
#: products of values above this overflow double precision)
MAX_VALUE = 1e150


def rest_of_world(ds: xr.Dataset) -> str | None:
    """Label of the exogenous rest of the world (a ``source`` that is not a region), if any."""
    label = ds.attrs.get("rest_of_world")
    return None if label in (None, "") else str(label)


def optional(ds: xr.Dataset, name: str) -> xr.DataArray:
    """An optional variable, or zeros with its dimensions when the dataset does not have it."""
    if name in ds:
        return ds[name].transpose(*OPTIONAL_VARS[name])
    dims = OPTIONAL_VARS[name]
    return xr.DataArray(np.zeros([ds.sizes[d] for d in dims]), dims=dims,
                        coords={d: ds[d] for d in dims})


def identity_residuals(ds: xr.Dataset) -> dict[str, tuple[xr.DataArray, xr.DataArray]]:
    """Residual and scale of each accounting identity, as labelled arrays."""
    Z, F = ds["intermediate"], ds["final_demand"]
    V, T, X = ds["factor_payments"], ds["production_tax"], ds["gross_output"]
    TM, XW = optional(ds, "import_tariff"), optional(ds, "exports_rest_of_world")
    regions = list(ds["region"].values)
    X_is = X.rename(sector="commodity", region="source")
    uses = Z.sum("sector") + F.sum("agent")                      # (commodity, source, region)
    world_value = uses - TM                                      # at world prices (cif)
    route, vst = margins(ds)
    fob = world_value - route                                    # exporter's receipts
    row = (fob.sum("region").sel(source=regions) + XW.rename(region="source")
           + vst.rename(region="source") - X_is)
    col = Z.sum(("commodity", "source")) + V.sum("factor") + T - X
    # regional income = expenditure, with the trade balance from the bilateral flows
    own = xr.DataArray(np.equal.outer(ds["source"].values, ds["region"].values).astype(float),
                       coords={"source": ds["source"], "region": ds["region"]},
                       dims=("source", "region"))
    # trade of a region with itself (intra-regional): imports at cif, exports fob
    intra_cif = intra_regional_use(ds) - (TM * own).sum("source")
    intra_fob = intra_cif - (route * own).sum("source")
    imports = (world_value * (1 - own)).sum(("commodity", "source")) + intra_cif.sum("commodity")
    bilateral = (fob * (1 - own)).sel(source=regions)
    exports = (bilateral.sum(("commodity", "region")).rename(source="region") + XW.sum("commodity")
               + vst.sum("commodity") + intra_fob.sum("commodity"))
    income = V.sum(("factor", "sector")) + T.sum("sector") + TM.sum(("commodity", "source"))
    absorption = F.sum(("commodity", "source", "agent"))
    inc = income + imports - exports - absorption
    return {
        "market balance X[i,s] = sum Z + sum F": (row, X_is),
        "cost balance X[j,r] = sum Z + sum V + T": (col, X),
        "income + imports - exports = absorption": (inc, absorption),
    }


def validate(ds: xr.Dataset, rtol: float = RTOL) -> xr.Dataset:
    """Check a benchmark dataset; raise :class:`DataValidationError` listing every problem.

    The dataset is not modified. Returns it unchanged for chaining.
    """
    problems = check_structure(ds)
    if problems:
        raise DataValidationError("invalid benchmark dataset:\n  - " + "\n  - ".join(problems))
    for name, (res, scale) in identity_residuals(ds).items():
        rel = abs(res) / abs(scale).where(abs(scale) > 0, 1.0)
        if float(rel.max()) > rtol:
            if res.ndim:
                problems.append(f"{name} violated (tolerance {rtol:g} relative); worst: "
                                + _fmt(_worst(res, scale, above=rtol)))
            else:
                problems.append(f"{name} violated: {float(res):+.6g}")
    if problems:
        raise DataValidationError("unbalanced benchmark dataset:\n  - " + "\n  - ".join(problems))
    return ds
