"""Labelled results (xarray) from a solved model: levels, and % changes between cases.

Volumes are in benchmark value units (millions of base-year USD at benchmark prices), prices
are indices (1 at the benchmark, relative to the numeraire). Every variable's long_name,
units and cell_methods come from one table, :data:`cgetrade.metadata.VARIABLES` (CF
conventions); :func:`provenance` gives the global attributes of a run (scenario, shocks,
closure, dataset, library version, solver statistics).

    real GDP_r   = C + G + I + exports - imports, all at benchmark prices
    CPI_r        = P_H[household, r], the household's exact (true cost-of-living) price index
    Laspeyres CPI_r = sum_i c0_i P_A[i,household,r] / sum_i c0_i   (benchmark basket)
    EV_r         = INC0_r (U_r / U0_r - 1), U = INC / prod_h P_H[h]^s_h: the regional household's
                   Cobb-Douglas utility over consumption, government and saving (exact EV)
    real exchange rate_r = CPI_r / income-weighted world mean of CPI
    domestic share[i,r]  = domestic / (domestic + imported) use of i, all agents (volumes)
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone

import numpy as np
import xarray as xr

from . import metadata
from ._gc import long_lived_build
from .data.schema import has_intra_regional_trade

#: how results treat a region's trade with itself (datasets with intra-regional trade)
INTRA_REGIONAL_NOTE = (
    "trade between the members of an aggregated region is the region's trade with itself: "
    "bilateral_trade[i,r,r] (source = region); as in GTAP (VXWD, VIWS include r -> r) it is "
    "part of exports, imports, export_share, import_source_share and the terms of trade; "
    "trade_balance and real_gdp are unaffected (it is both an export and an import of r)")


#: model components collect() reads, evaluated together as arrays (CompiledNLP.component_values)
_COMPONENTS = ("PY", "Y", "PD", "PE", "PM", "M", "X", "P_MS", "W", "WS", "FD", "S", "endowment",
               "persons", "labour_force", "P_H", "Q_H", "INC", "D", "MA", "P_VA", "QVA", "P_A",
               "ev_base", "UTILITY", "U", "UR", "US", "labour_force_sector", "ppu", "XEW", "XMW",
               "EXR", "pwm", "PW", "QA", "UTIL_INDEX", "PFACTWLD")


class _Values:
    """Values of model components at the current point as labelled grids."""

    def __init__(self, model, coords):
        m = model.pyomo
        names = _COMPONENTS + tuple(n for n in ("ER", "UP") if hasattr(m, n))
        self.nlp = model.nlp
        self.values = self.nlp.component_values(names)
        self.coords = coords

    def grid(self, name, dims, fill=0.0):
        """Array over ``dims`` (coordinate names) holding the component's values; ``fill``
        where it has no element."""
        idx, vals = self.values[name]
        shape = tuple(len(self.coords[d]) for d in dims)
        cache = self.nlp.__dict__.setdefault("_grid_positions", {})
        key = (name, dims)
        if key not in cache:             # flat positions of the component's elements (once per model)
            pos = [{lab: k for k, lab in enumerate(self.coords[d])} for d in dims]
            keys = idx if not idx or isinstance(idx[0], tuple) else [(i,) for i in idx]
            sub = np.array([[p[k] for p, k in zip(pos, i)] for i in keys], np.int64).reshape(len(keys), len(dims))
            cache[key] = np.ravel_multi_index(tuple(sub.T), shape) if len(keys) else np.zeros(0, np.int64)
        out = np.full(shape, float(fill))
        out.flat[cache[key]] = vals
        return out

    def scalar(self, name):
        idx, vals = self.values[name]
        return float(vals[0]) if len(vals) else float("nan")

    def of(self, name) -> dict:
        idx, vals = self.values[name]
        return dict(zip(idx, vals.tolist()))


def collect(model) -> xr.Dataset:
    """Levels of prices, quantities, trade, employment and income at the model's current point."""
    with long_lived_build(collect_first=False):   # no full collection over the model's objects
        return _collect(model)


def _collect(model) -> xr.Dataset:
    m, par = model.pyomo, model.params
    R, I, F, H = par.regions, par.sectors, par.factors, par.final_agents
    L = list(m.L)
    c = {"region": R, "sector": I, "commodity": I, "source": R, "factor": F, "final": H, "labour": L,
         "agent": I + H}
    vom, vxmd = par["vom"], par["vxmd"]
    vim = par["use_imp"].sum(1)
    v = _Values(model, c)

    PY = v.grid("PY", ("sector", "region"))
    cet = v.grid("PD", ("sector", "region"), np.nan)
    PD = np.where(np.isnan(cet), PY, cet)          # domestic / export variety (CET), else P_Y
    cet = v.grid("PE", ("sector", "region"), np.nan)
    PE = np.where(np.isnan(cet), PY, cet)
    Y = v.grid("Y", ("sector", "region"))
    PM = v.grid("PM", ("commodity", "region"), 1.0)
    M = v.grid("M", ("commodity", "region")) * vim
    X = v.grid("X", ("commodity", "source", "region"))
    PMS = v.grid("P_MS", ("commodity", "source", "region"), 1.0)
    W = v.grid("W", ("factor", "region"))
    W[[F.index(f) for f in F if f not in m.F_MOBILE]] = 0.0
    FD = v.grid("FD", ("factor", "sector", "region"))
    WJ = np.tile(W[:, None, :], (1, len(I), 1))                   # price by sector (f, j, r)
    WS = v.grid("WS", ("factor", "sector", "region"))
    for f in m.F_SECTOR:         # average price of a specific or sluggish factor: payments / quantity
        k = F.index(f)
        WJ[k] = WS[k]
        W[k] = (WJ[k] * FD[k]).sum(0) / np.maximum(FD[k].sum(0), 1e-300)
    payments = WJ * FD                                             # (f, j, r)
    lab = [F.index(h) for h in L]
    supply = v.grid("S", ("factor", "region")) * v.grid("endowment", ("factor", "sector", "region")).sum(1)
    persons = v.grid("persons", ("labour", "sector", "region"))
    emp = persons.sum(0)
    labour_force = v.grid("labour_force", ("labour", "region"))
    PH = v.grid("P_H", ("final", "region"))
    QH = v.grid("Q_H", ("final", "region")) * par["fd_exp"]
    inc = v.grid("INC", ("region",)) * par["income"]

    # Armington split of every agent's use: domestic share of absorption by commodity
    D = v.grid("D", ("commodity", "agent", "region"))
    MA = v.grid("MA", ("commodity", "agent", "region"))
    dom, imp = D.sum(1), MA.sum(1)
    # intermediate cost shares at current prices: P_D D[i,j] and P_M MA[i,j] per unit of the
    # cost of j's input bundle (intermediates + P_VA QVA, before production taxes)
    nI = len(I)
    cost_dom = PD[:, None, :] * D[:, :nI, :]
    cost_imp = PM[:, None, :] * MA[:, :nI, :]
    bundle = cost_dom.sum(0) + cost_imp.sum(0) + v.grid("P_VA", ("sector", "region")) \
        * v.grid("QVA", ("sector", "region"))
    bundle = np.where(bundle > 0, bundle, 1.0)
    # consumer prices: Laspeyres (benchmark basket) and exact; welfare (equivalent variation)
    hh = nI + H.index("household")
    c0 = (par["use_dom"] + par["use_imp"])[:, hh, :]
    pa_hh = v.grid("P_A", ("commodity", "agent", "region"), 1.0)[:, hh, :]
    laspeyres = (c0 * pa_hh).sum(0) / c0.sum(0)
    qa_hh = v.grid("QA", ("commodity", "agent", "region"))[:, hh, :]
    # money-metric welfare EV = EV0 (U - 1) (cgetrade.model.demand.add_welfare)
    ev = v.grid("ev_base", ("region",)) * (v.grid("UTILITY", ("region",)) - 1.0)
    weights = par["income"] / par["income"].sum()
    rer = PH[0] / float((weights * PH[0]).sum())

    # nominal side: exchange rates, local-currency CPI and wages, unemployment
    er = v.grid("ER", ("region",)) if hasattr(m, "ER") else np.ones(len(R))
    U_h = v.grid("U", ("labour", "region"))
    U = v.grid("UR", ("region",))
    unemployed_h = U_h * labour_force
    # sector-specific labour: each sector's rate; else the labour type's regional rate
    U_sector = np.tile(U_h[:, None, :], (1, len(I), 1))
    us = v.grid("US", ("labour", "sector", "region"), np.nan)
    U_sector = np.where(np.isnan(us), U_sector, us)
    lf_sector = v.grid("labour_force_sector", ("labour", "sector", "region"))
    ppu = v.grid("ppu", ("labour", "sector", "region"))
    imputed_share = par.data["persons_imputed_share"].sel(factor=L).values \
        if "persons_imputed_share" in par.data else np.zeros_like(ppu)
    unemployed_sector = (U_sector * lf_sector).sum(0)
    eff = FD[lab].sum(0).sum(0)
    w_lab = payments[lab].sum((0, 1)) / np.maximum(eff, 1e-300)    # average wage per efficiency unit
    used = np.zeros((nI, len(R)), bool)                            # household domestic spending share
    for (i, a, r) in m.USE:
        if a == "household":
            used[I.index(i), R.index(r)] = True
    d_hh, m_hh = PD * D[:, hh, :], PM * MA[:, hh, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_hh = np.where(used, d_hh / (d_hh + m_hh), 0.0)

    # exogenous rest of the world: exports at world prices, imports at world prices x EXR
    exr = v.scalar("EXR") if len(m.ROW) else np.nan
    XEW = v.grid("XEW", ("commodity", "region")) * par["x_row"]
    XMW = v.grid("XMW", ("commodity", "region"))
    PMW = (exr if len(m.ROW) else 0.0) * v.grid("pwm", ("commodity", "region"))
    exports_vol = X.sum(2) + XEW                    # (commodity, source=exporter)
    imports_vol = X.sum(1) + XMW                    # (commodity, region)
    real_gdp = QH.sum(0) + exports_vol.sum(0) - imports_vol.sum(0)
    exports_val = (X * PE[:, :, None]).sum(2) + PE * XEW     # at exporter (world) prices
    imports_val = (X * PE[:, :, None]).sum(1) + PMW * XMW
    trade_balance = exports_val.sum(0) - imports_val.sum(0)
    pw = v.scalar("PW")
    up = v.grid("UP", ("region",)) if hasattr(m, "UP") else v.grid("Q_H", ("final", "region"))[0]
    c = {k: c[k] for k in ("region", "sector", "commodity", "source", "factor", "final", "labour")}

    ds = xr.Dataset(
        {
            "producer_price": (("sector", "region"), PY, {"long_name": "producer (basic) price index"}),
            "domestic_price": (("sector", "region"), PD, {"long_name": "price of the domestic variety"}),
            "export_price": (("sector", "region"), PE, {"long_name": "export price before export taxes"}),
            "import_price": (("commodity", "region"), PM, {"long_name": "import composite price index"}),
            "bilateral_import_price": (("commodity", "source", "region"), PMS,
                                       {"long_name": "price of imports from source at destination"}),
            "factor_price": (("factor", "region"), W, {"long_name": "factor price (wage, rental rate)"}),
            "cpi": ("region", PH[0], {"long_name": "consumer price index (true cost of living)"}),
            "final_price_index": (("final", "region"), PH),
            "world_price_index": ((), pw, {"long_name": "world export price index"}),
            "world_factor_price_index": ((), v.scalar("PFACTWLD"), {"long_name": "world factor price index"}),
            "utility": ("region", v.grid("UTIL_INDEX", ("region",)), {"long_name": "utility index"}),
            "private_utility": ("region", up, {"long_name": "private utility"}),
            "terms_of_trade": ("region", (exports_val.sum(0) / np.maximum(exports_vol.sum(0), 1e-300))
                               / (imports_val.sum(0) / np.maximum(imports_vol.sum(0), 1e-300)),
                               {"long_name": "export price index / import price index (fob)"}),
            "output": (("sector", "region"), Y * vom, {"long_name": "gross output volume", "units": "benchmark USD m"}),
            "activity": (("sector", "region"), Y),
            "bilateral_trade": (("commodity", "source", "region"), X,
                                {"long_name": "imports of commodity from source into region (volume)",
                                 "units": "benchmark USD m"}),
            "bilateral_trade_value": (("commodity", "source", "region"), X * PE[:, :, None],
                                      {"long_name": "bilateral trade at exporter prices", "units": "USD m (numeraire)"}),
            "exports": (("commodity", "region"), exports_vol, {"units": "benchmark USD m"}),
            "imports": (("commodity", "region"), imports_vol, {"units": "benchmark USD m"}),
            "exports_rest_of_world": (("commodity", "region"), XEW,
                                      {"long_name": "exports to the exogenous rest of the world (volume)",
                                       "units": "benchmark USD m"}),
            "imports_rest_of_world": (("commodity", "region"), XMW,
                                      {"long_name": "imports from the exogenous rest of the world (volume)",
                                       "units": "benchmark USD m"}),
            "exchange_rate_rest_of_world": ((), exr, {"long_name": "price of the rest of the world's "
                                                      "currency (NaN without one)"}),
            "import_composite": (("commodity", "region"), M, {"units": "benchmark USD m"}),
            "trade_balance": ("region", trade_balance, {"units": "USD m (numeraire)"}),
            "factor_demand": (("factor", "sector", "region"), FD, {"units": "benchmark USD m"}),
            "employment": (("sector", "region"), emp, {"units": "thousand persons"}),
            "final_demand": (("final", "region"), QH, {"long_name": "real final demand", "units": "benchmark USD m"}),
            "income": ("region", inc, {"long_name": "regional income (nominal)", "units": "USD m (numeraire)"}),
            "cpi_laspeyres": ("region", laspeyres, {"long_name": "Laspeyres consumer price index (benchmark basket)"}),
            "real_exchange_rate": ("region", rer, {"long_name": "CPI relative to the income-weighted world CPI"}),
            "ev": ("region", ev, {"long_name": "equivalent variation (regional household, or the "
                                               "household with final_demand='household_government')",
                                  "units": "benchmark USD m"}),
            "ev_pct_income": ("region", 100 * ev / par["income"], {"long_name": "EV in % of benchmark income",
                                                                   "units": "%"}),
            "domestic_use": (("commodity", "region"), dom, {"units": "benchmark USD m"}),
            "imported_use": (("commodity", "region"), imp, {"units": "benchmark USD m"}),
            "domestic_share": (("commodity", "region"), dom / np.maximum(dom + imp, 1e-300),
                               {"long_name": "domestic share of absorption (volumes)"}),
            "export_share": (("commodity", "region"), exports_val / np.maximum(exports_val.sum(1, keepdims=True), 1e-300),
                             {"long_name": "share of world exports (value)"}),
            "import_source_share": (("commodity", "source", "region"), X / np.maximum(X.sum(1, keepdims=True), 1e-300),
                                    {"long_name": "share of source in the region's imports (volume)"}),
            "exchange_rate": ("region", er, {"long_name": "local currency per unit of the anchor currency"}),
            "cpi_local": ("region", er * PH[0], {"long_name": "CPI in local currency"}),
            "wage_local": ("region", er * w_lab, {"long_name": "nominal wage in local currency"}),
            "real_wage": ("region", w_lab / PH[0], {"long_name": "wage / CPI"}),
            "ngdp_local": ("region", er * inc, {"long_name": "nominal income in local currency",
                                                "units": "local currency m"}),
            "unemployment_rate": ("region", U, {"units": "1", "long_name": "unemployment rate "
                                                "(all labour types)"}),
            "unemployed": ("region", unemployed_h.sum(0), {"units": "thousand persons"}),
            "unemployment_rate_sector": (("sector", "region"),
                                         (U_sector * lf_sector).sum(0) / np.maximum(lf_sector.sum(0), 1e-300),
                                         {"units": "1", "long_name": "unemployment rate by sector "
                                          "(sector-specific labour; else the regional rate)"}),
            "unemployed_sector": (("sector", "region"), unemployed_sector,
                                  {"units": "thousand persons"}),
            "unemployment_rate_by_skill": (("labour", "region"), U_h,
                                           {"units": "1", "long_name": "unemployment rate by labour type"}),
            "unemployed_by_skill": (("labour", "region"), unemployed_h,
                                    {"units": "thousand persons", "long_name": "unemployed persons by labour type"}),
            "labour_force_sector": (("labour", "sector", "region"), lf_sector,
                                    {"units": "thousand persons", "long_name": "labour force attached "
                                     "to the sector (sector-specific labour; else the benchmark split)"}),
            "unemployed_by_skill_sector": (("labour", "sector", "region"), U_sector * lf_sector,
                                           {"units": "thousand persons", "long_name": "unemployed "
                                            "persons by labour type and sector of attachment"}),
            "headcount_ratio": (("labour", "sector", "region"), ppu,
                                {"units": "thousand persons per benchmark USD m", "long_name":
                                 "persons moved per efficiency unit of the sector's labour"}),
            "persons_imputed_share": (("labour", "sector", "region"), imputed_share,
                                      {"units": "1", "long_name": "imputed share of the benchmark persons"}),
            "persons_imputed": (("labour", "sector", "region"), imputed_share > 0,
                                {"units": "1", "long_name": "benchmark persons (partly) imputed"}),
            "labour_force": (("labour", "region"), labour_force,
                             {"units": "thousand persons", "long_name": "labour force by labour type"}),
            "persons": (("labour", "sector", "region"), persons,
                        {"units": "thousand persons",
                         "long_name": "persons employed by labour type, sector and region"}),
            "wage": (("labour", "region"), W[lab],
                     {"long_name": "wage by labour type (per efficiency unit; average over sectors "
                                   "for specific or sluggish labour)"}),
            "sector_wage": (("labour", "sector", "region"), WJ[lab],
                            {"long_name": "wage by labour type and sector (per efficiency unit; the "
                                          "regional wage of mobile labour)"}),
            "real_wage_by_skill": (("labour", "region"), W[lab] / PH[0][None, :],
                                   {"long_name": "wage by labour type / CPI"}),
            "skill_premium": ("region", (W[F.index("labour_high")] / W[F.index("labour_low")])
                              if {"labour_high", "labour_low"} <= set(L) else np.full(len(R), np.nan),
                              {"long_name": "high-skill / low-skill wage (NaN without skills)"}),
            "labour_share": (("sector", "region"), payments[lab].sum(0) / np.maximum(payments.sum(0), 1e-300),
                             {"units": "1", "long_name": "labour's share of value added (factor cost)"}),
            "labour_share_total": ("region", payments[lab].sum((0, 1)) / payments.sum((0, 1)),
                                   {"units": "1", "long_name": "labour's share of value added, all sectors"}),
            "factor_supply": (("factor", "region"), supply,
                              {"units": "benchmark USD m", "long_name": "factor endowment (capital stock "
                               "at benchmark rental; labour in efficiency units)"}),
            "rental_rate": ("region", W[F.index("capital")] if "capital" in F else np.full(len(R), np.nan),
                            {"long_name": "rental rate of capital"}),
            "capital_stock": ("region", supply[F.index("capital")] if "capital" in F else np.full(len(R), np.nan),
                              {"units": "benchmark USD m", "long_name": "capital stock (value at benchmark rental)"}),
            "intermediate_cost_share_domestic": (("commodity", "sector", "region"), cost_dom / bundle[None]),
            "intermediate_cost_share_imported": (("commodity", "sector", "region"), cost_imp / bundle[None]),
            "household_price": (("commodity", "region"), pa_hh,
                                 {"long_name": "Armington price paid by households"}),
            "household_domestic_share": (("commodity", "region"), sd_hh,
                                         {"long_name": "domestic share of household spending (value)"}),
            "household_budget_share": (("commodity", "region"), _budget_shares(c0, pa_hh, qa_hh),
                                       {"long_name": "household budget shares"}),
            "real_gdp": ("region", real_gdp, {"long_name": "real GDP (expenditure, benchmark prices)",
                                              "units": "benchmark USD m"}),
        },
        coords={k: v for k, v in c.items()},
        attrs={"money_unit": metadata.money_unit(par.dataset.attrs),
               "persons_unit": metadata.persons_unit(par.dataset),
               "base_year": str(par.dataset.attrs.get("year", "")),
               **({"intra_regional_trade": INTRA_REGIONAL_NOTE} if has_intra_regional_trade(par.dataset) else {})},
    )
    return metadata.describe(ds, metadata.labels(par.dataset))


def _budget_shares(c0, prices, quantities):
    """Budget shares P_A Q_A c0 / sum_i P_A Q_A c0 (c0 benchmark spending, Q_A an index)."""
    w = c0 * prices * quantities
    return w / np.where(w.sum(0) > 0, w.sum(0), 1.0)


#: GTAP's names (Corong et al. 2017) of result variables: {GTAP name: (result variable, how)};
#: "pct": % change of the level, "diff": scenario minus baseline (money)
GTAP_NAMES = {
    "qo": ("output", "pct"), "ps": ("producer_price", "pct"), "pds": ("domestic_price", "pct"),
    "qxs": ("bilateral_trade", "pct"), "pms": ("bilateral_import_price", "pct"),
    "qxw": ("exports", "pct"), "qiw": ("imports", "pct"), "pim": ("import_price", "pct"),
    "qfe": ("factor_demand", "pct"), "pfactor": ("factor_price", "pct"),
    "qe": ("factor_supply", "pct"), "ppriv": ("cpi", "pct"), "pfd": ("final_price_index", "pct"),
    "qfd": ("final_demand", "pct"), "y": ("income", "pct"), "qgdp": ("real_gdp", "pct"),
    "tot": ("terms_of_trade", "pct"), "u": ("utility", "pct"), "up": ("private_utility", "pct"),
    "pfactwld": ("world_factor_price_index", "pct"), "EV": ("ev", "diff"),
    "DTBAL": ("trade_balance", "diff"),
}


def gtap_names(base: xr.Dataset, scen: xr.Dataset) -> xr.Dataset:
    """The changes from ``base`` to ``scen`` (two collect() results) as GTAP's variables with
    GTAP's names (GTAP_NAMES): % changes of levels (qo, qxs, pms, qgdp, u, pfactwld, ...), EV
    and DTBAL in money. Dimensions keep cgetrade's names: qxs(commodity, source=r, region=s)
    is GTAP's qxs(i,r,s); pfd and qfd are by final agent (GTAP's ppriv/pgov/pcgds and
    qpriv/qgov/qcgds)."""
    out = xr.Dataset(coords={k: v for k, v in base.coords.items()})
    for name, (var, how) in GTAP_NAMES.items():
        b, s = base[var], scen[var]
        out[name] = 100.0 * (s / b.where(b != 0) - 1.0) if how == "pct" else s - b
    out.attrs = {"variables": "GTAP standard model v7 names (Corong et al. 2017)",
                 **{k: v for k, v in scen.attrs.items() if k in ("money_unit", "base_year")}}
    return metadata.describe(out)


def percent_change(base: xr.Dataset, scen: xr.Dataset) -> xr.Dataset:
    """100 (scen / base - 1) for every variable (NaN where the base is zero)."""
    out = xr.Dataset(coords=base.coords)
    for name, da in base.data_vars.items():
        b = da.where(da != 0)
        out[name] = 100.0 * (scen[name] / b - 1.0)
        out[name].attrs = {"long_name": f"% change of {da.attrs.get('long_name', name)}", "units": "%"}
    return out


def compare(base: xr.Dataset, scen: xr.Dataset, attrs: dict | None = None) -> xr.Dataset:
    """One dataset with a ``case`` dimension (baseline, scenario) and the changes: ``<name>_pct``
    (% change) of levels and persons, ``<name>_change`` of rates and shares (percentage points),
    balances (money) and persons (the metadata table's ``kind`` of each variable)."""
    levels = xr.concat([base, scen], dim=xr.DataArray(["baseline", "scenario"], dims="case", name="case"),
                       combine_attrs="override")
    kinds = {k: metadata.kind(k) for k in base.data_vars}
    pct_vars = [k for k, kd in kinds.items() if kd in ("level", "count")]
    pct = percent_change(base[pct_vars], scen[pct_vars]).rename({k: f"{k}_pct" for k in pct_vars})
    out = xr.merge([levels, pct], combine_attrs="override")
    for k, kd in kinds.items():
        if kd in ("rate", "balance", "count"):
            out[f"{k}_change"] = (100.0 if kd == "rate" else 1.0) * (scen[k] - base[k])
    d = scen["persons"] - base["persons"]
    out["jobs_gained"] = d.clip(min=0).sum("sector")
    out["jobs_lost"] = (-d).clip(min=0).sum("sector")
    out["gross_reallocation"] = abs(d).sum(("labour", "sector"))
    out.attrs.update(attrs or {})
    return metadata.describe(out)


def provenance(model, scenario=None, solution=None, baseline_solution=None, **extra) -> dict:
    """Global attributes of a run: scenario and its shocks, closure and nominal anchor,
    dataset provenance, library version and solver statistics."""
    from . import __version__
    from .solve import DEFAULT_IPOPT, TOL
    ds, c = model.params.dataset, model.closure
    if c.monetary:
        regimes = c.regimes(model.params.regions)
        anchor = (f"monetary regimes ({', '.join(f'{r} ' + ' '.join(map(str, v)) for r, v in regimes.items())}); "
                  f"unit of account: the {c.anchor} currency (e = 1)")
    else:
        anchor = f"numeraire {'/'.join(map(str, c.numeraire))} = 1"
    attrs = {
        "title": f"cgetrade results: {scenario.name if scenario else 'model solution'}",
        "institution": "", "source": f"cgetrade {__version__} (CGE trade model, Pyomo; Newton with a sparse LU, Ipopt)",
        "history": f"{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')} created by cgetrade {__version__}",
        "cgetrade_version": __version__,
        "closure": json.dumps(asdict(c), default=str),
        "closure_label": c.label,
        "nominal_anchor": anchor,
        "numeraire": "/".join(map(str, c.numeraire)) + " = 1",
        "cpi_deflator": (f"local currency; {anchor}; labour {c.labour_closure(model.params.regions)}"
                         if c.monetary else REAL_DEFLATOR.get(c.numeraire[0], anchor)),
        "dataset": ds.attrs.get("title", ""), "dataset_source": ds.attrs.get("source", ""),
        "dataset_citation": ds.attrs.get("citation", ""), "dataset_licence": ds.attrs.get("licence", ""),
        "dataset_year": str(ds.attrs.get("year", "")), "dataset_currency": ds.attrs.get("currency", ""),
        "regions": len(model.params.regions), "sectors": len(model.params.sectors),
        "solver": "compiled NLP: Newton with a sparse LU, Ipopt (cyipopt) as fallback", "solver_tolerance": TOL,
        "ipopt_options": json.dumps(DEFAULT_IPOPT),
    }
    if scenario is not None:
        attrs.update({
            "scenario": scenario.name, "variant": scenario.variant,
            "scenario_description": scenario.description.strip(), "scenario_source": scenario.source.strip(),
            "shocks": json.dumps([{k: v for k, v in asdict(s).items() if v not in (None, "", ["*"])
                                   and k != "origin"
                                   and (s.kind == "automation" or k not in ("cost_saving", "reinstatement"))}
                                  for s in scenario.shocks]),
        })
    if baseline_solution is not None:
        attrs.update({"baseline_status": baseline_solution.status,
                      "baseline_iterations": baseline_solution.iterations})
    if solution is not None:
        attrs.update({"solver_status": solution.status, "solver_iterations": solution.iterations,
                      "solver_used": solution.info.get("solver", "ipopt"),
                      "solver_factorisations": solution.info.get("factorisations", 0),
                      "solve_time_s": solution.solve_time, "compile_time_s": solution.compile_time,
                      "reached_by": solution.info.get("reached_by", "direct solve"),
                      "max_residual": solution.max_residual, "walras_residual": solution.walras_residual})
    attrs.update(extra)
    return attrs


#: the deflator of every price in a real (non-monetary) run, by numeraire
REAL_DEFLATOR = {
    "world_price_index": "relative to the world export price index P_W (the numeraire, = 1); "
                         "no nominal anchor: the CPI is a relative price, compare regions by the "
                         "real exchange rate",
}


class HeadlineError(ValueError):
    """A headline table was asked to print a price index without a stated deflator."""


def headline_deflator(res: xr.Dataset) -> tuple[str, bool]:
    """(what the results' CPI is measured against, whether the run has a nominal side). A
    headline CPI is printed only with its deflator: a results dataset without the
    ``cpi_deflator`` (or ``nominal_anchor``) attribute is refused."""
    deflator = res.attrs.get("cpi_deflator") or ""
    anchor = res.attrs.get("nominal_anchor") or ""
    if not deflator and not anchor:
        raise HeadlineError("refusing to print a CPI without its deflator: the results carry neither "
                            "'cpi_deflator' nor 'nominal_anchor' (results.provenance sets them)")
    monetary = anchor.startswith("monetary")
    return (deflator or anchor), monetary


def save(ds: xr.Dataset, path) -> None:
    """Write results to netCDF (h5netcdf engine), described by the metadata table."""
    clean = metadata.cf_units(metadata.describe(ds.copy(), override=False))
    for k, v in list(clean.attrs.items()):
        if isinstance(v, bool):
            clean.attrs[k] = int(v)
        elif v is None:
            clean.attrs[k] = ""
    from ._io import atomic_path
    with atomic_path(path) as tmp:
        clean.to_netcdf(tmp, engine="h5netcdf")


def exporter_headline(base: xr.Dataset, scen: xr.Dataset, exporter: str, sectors, importers,
                      deflator: str = "world") -> xr.Dataset:
    """What an exporter's shocks do to the world, from two ``collect`` datasets: its export
    prices by sector and their Laspeyres index over ``sectors`` (benchmark export values as
    weights), its export volumes, trade balance and real exchange rate, and for each of
    ``importers`` the price of ``sectors`` imported from it (benchmark trade weights) and
    manufacturing jobs (persons in ``sectors``). Prices are deflated by the world export
    price index (``deflator = "world"``) or by a region's CPI (``deflator = region``)."""
    sectors, importers = list(sectors), list(importers)
    base, scen = base.reset_coords(drop=True), scen.reset_coords(drop=True)   # labels: no clashes

    def defl(ds):
        return ds.world_price_index if deflator == "world" else ds.cpi.sel(region=deflator)
    pe0 = base.export_price.sel(region=exporter, sector=sectors) / defl(base)
    pe1 = scen.export_price.sel(region=exporter, sector=sectors) / defl(scen)
    w = (base.exports.sel(region=exporter, commodity=sectors).rename(commodity="sector")
         * base.export_price.sel(region=exporter, sector=sectors))
    x0 = base.exports.sel(region=exporter, commodity=sectors).rename(commodity="sector")
    x1 = scen.exports.sel(region=exporter, commodity=sectors).rename(commodity="sector")
    tb = lambda ds: float(ds.trade_balance.sel(region=exporter) / defl(ds))  # noqa: E731
    gdp = float(base.income.sel(region=exporter) / defl(base))
    tw = base.bilateral_trade.sel(source=exporter, commodity=sectors, region=importers)
    pm = lambda ds: (tw * ds.bilateral_import_price.sel(source=exporter, commodity=sectors,  # noqa: E731
                                                          region=importers) / defl(ds)).sum("commodity")
    jobs = lambda ds: ds.persons.sel(sector=sectors, region=importers).sum(("labour", "sector"))  # noqa: E731
    label = "the world export price index" if deflator == "world" else f"the CPI of {deflator}"
    pct = lambda a, b: 100.0 * (b / a - 1.0)  # noqa: E731
    ds = xr.Dataset({
        "export_price_pct": (pct(pe0, pe1)).assign_attrs(
            units="%", long_name=f"export price of {exporter} relative to {label}"),
        "export_price_index_pct": ((), float(pct((w * pe0).sum(), (w * pe1).sum())),
                                   {"units": "%", "long_name": f"Laspeyres export price index of {exporter} "
                                    f"over {'+'.join(sectors)} relative to {label}"}),
        "export_volume_pct": (pct(x0, x1)).assign_attrs(units="%", long_name=f"export volume of {exporter}"),
        "trade_balance_change": ((), tb(scen) - tb(base), {
            "units": "benchmark USD m", "long_name": f"change of the trade balance of {exporter} "
            f"(exports - imports of goods and services) deflated by {label}"}),
        "trade_balance_change_pct_gdp": ((), 100 * (tb(scen) - tb(base)) / gdp, {
            "units": "% of benchmark GDP", "long_name": f"change of the trade balance of {exporter}"}),
        "real_exchange_rate_pct": ((), float(pct(base.real_exchange_rate.sel(region=exporter),
                                                 scen.real_exchange_rate.sel(region=exporter))), {
            "units": "%", "long_name": f"real exchange rate of {exporter} (CPI relative to the "
            "income-weighted world CPI; + = appreciation)"}),
        "import_price_pct": (pct(pm(base), pm(scen))).assign_attrs(
            units="%", long_name=f"price of {'+'.join(sectors)} imported from {exporter} relative to "
            f"{label} (benchmark trade weights)"),
        "jobs_change": (jobs(scen) - jobs(base)).assign_attrs(
            units="thousand persons", long_name=f"persons employed in {'+'.join(sectors)}"),
    })
    return ds.drop_vars([c for c in ("case",) if c in ds.coords])
