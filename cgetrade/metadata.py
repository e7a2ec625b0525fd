"""Metadata of result variables and coordinates (CF conventions), from one table.

Every result variable is described once in :data:`VARIABLES` by name:

    name: (long_name, units, kind, cell_methods)

``units`` may use the placeholders ``{money}`` (nominal value in the dataset's currency,
e.g. "USD m"), ``{volume}`` (value at benchmark prices, e.g. "USD m at 2011 prices") and
``{persons}``. ``kind`` says how a change between two solutions is measured:

* ``level``   a positive level or price index: % change (``<name>_pct``)
* ``count``   persons: % change and difference (``<name>_change``, thousand persons)
* ``rate``    a rate or share (fraction): difference in percentage points (``<name>_change``)
* ``balance`` a balance that can change sign: difference in money (``<name>_change``)
* ``change``  already a change from the benchmark (EV): no derived variable

A new result variable gets its metadata by adding one line here (or by calling
:func:`register`); :func:`describe` applies the table to a dataset, including the derived
``_pct`` / ``_change`` variables and the coordinates (with full sector and region names).
"""
from __future__ import annotations

from importlib import resources

import numpy as np
import xarray as xr

import tomllib

CONVENTIONS = "CF-1.10"
KINDS = ("level", "count", "rate", "balance", "change")

_IDX = "1"          # index, 1 at the benchmark (dimensionless)
#: name -> (long_name, units, kind, cell_methods)
VARIABLES: dict[str, tuple[str, str, str, str]] = {
    # prices (indices, benchmark = 1, relative to the numeraire)
    "producer_price": ("producer (basic) price index P_Y", _IDX, "level", ""),
    "domestic_price": ("price index of the domestic variety P_D", _IDX, "level", ""),
    "export_price": ("export price index before export taxes P_E", _IDX, "level", ""),
    "import_price": ("import composite price index P_M", _IDX, "level", ""),
    "bilateral_import_price": ("price index of imports from source at the destination border P_MS",
                               _IDX, "level", ""),
    "factor_price": ("factor price index (wage, rental rate; sector-specific factors: average)",
                     _IDX, "level", ""),
    "cpi": ("consumer price index relative to the numeraire (true cost of living, household price index "
            "P_H; a relative price: without a nominal side it is not a currency's price level)", _IDX,
            "level", ""),
    "cpi_laspeyres": ("Laspeyres consumer price index relative to the numeraire (benchmark basket)", _IDX,
                      "level", ""),
    "final_price_index": ("price index of each final demand agent's basket P_H", _IDX, "level", ""),
    "world_price_index": ("world export price index P_W", _IDX, "level", ""),
    "terms_of_trade": ("terms of trade: export price index / import price index (fob)", _IDX, "level",
                       ""),
    "household_price": ("Armington price index paid by households P_A", _IDX, "level", ""),
    "real_exchange_rate": ("real exchange rate: CPI relative to the income-weighted world CPI",
                           _IDX, "level", ""),
    "exchange_rate": ("exchange rate: local currency per unit of the anchor currency", _IDX, "level", ""),
    "exchange_rate_rest_of_world": ("exchange rate of the rest of the world's currency EXR "
                                    "(NaN without an exogenous rest of the world)", _IDX, "level", ""),
    "cpi_local": ("consumer price index in local currency", _IDX, "level", ""),
    "wage_local": ("nominal wage index in local currency", _IDX, "level", ""),
    "real_wage": ("real wage index: wage / CPI", _IDX, "level", ""),
    "activity": ("activity index Y (output / benchmark output)", _IDX, "level", ""),
    # volumes (values at benchmark prices)
    "output": ("gross output volume", "{volume}", "level", ""),
    "bilateral_trade": ("imports of commodity from source into region (volume)", "{volume}", "level", ""),
    "exports": ("exports of commodity by region (volume), to all destinations and the rest of "
                "the world", "{volume}", "level", "region: sum (over destinations)"),
    "imports": ("imports of commodity into region (volume), from all sources and the rest of the "
                "world", "{volume}", "level", "region: sum (over sources)"),
    "exports_rest_of_world": ("exports to the exogenous rest of the world (volume)", "{volume}",
                              "level", ""),
    "imports_rest_of_world": ("imports from the exogenous rest of the world (volume)", "{volume}",
                              "level", ""),
    "import_composite": ("import composite M (volume)", "{volume}", "level", ""),
    "factor_demand": ("factor demand (volume, efficiency units at benchmark prices)", "{volume}",
                      "level", ""),
    "final_demand": ("real final demand by agent", "{volume}", "level", ""),
    "domestic_use": ("use of the domestic variety by all agents (volume)", "{volume}", "level",
                     "region: sum (over agents)"),
    "imported_use": ("use of the imported variety by all agents (volume)", "{volume}", "level",
                     "region: sum (over agents)"),
    "real_gdp": ("real GDP (expenditure side: C + G + I + exports - imports at benchmark prices)",
                 "{volume}", "level", "region: sum (over final demand and trade)"),
    # nominal values (in numeraire units)
    "bilateral_trade_value": ("bilateral trade at exporter prices (value)", "{money}", "level", ""),
    "income": ("regional household income (nominal)", "{money}", "level", ""),
    "ngdp_local": ("nominal income in local currency (at benchmark exchange rates)",
                   "local currency m", "level", ""),
    "trade_balance": ("trade balance: exports - imports at world prices (value)", "{money}", "balance",
                      "region: sum (over commodities and partners)"),
    # welfare
    "ev": ("equivalent variation of the regional household (or of the household with "
           "final_demand = household_government)", "{money}", "change", ""),
    "ev_pct_income": ("equivalent variation in % of benchmark regional income", "%", "change", ""),
    "ev_technology": ("EV component: technology (unit-cost savings from productivity and task shifts)",
                      "{money}", "change", ""),
    "ev_allocative": ("EV component: allocative efficiency (tax wedges x quantity changes)", "{money}",
                      "change", ""),
    "ev_terms_of_trade": ("EV component: terms of trade (world price changes)", "{money}", "change", ""),
    "ev_endowment": ("EV component: factor endowment changes", "{money}", "change", ""),
    "ev_investment_saving": ("EV component: investment-saving (price of investment vs foreign saving)",
                             "{money}", "change", ""),
    "ev_integration_error": ("EV minus the sum of its components (path-integration error)", "{money}",
                             "change", ""),
    "utility": ("utility index of the regional household (GTAP's u; 1 at the benchmark)", _IDX, "level", ""),
    "private_utility": ("per-capita private utility (CDE UP; else real household consumption index)",
                        _IDX, "level", ""),
    "world_factor_price_index": ("world factor price index pfactwld (benchmark-payment weights)", _IDX,
                                 "level", ""),
    # GTAP's names of changes (cgetrade.results.gtap_names; Corong et al. 2017)
    "qo": ("qo: % change of industry output", "%", "change", ""),
    "ps": ("ps: % change of the producer (basic) price", "%", "change", ""),
    "pds": ("pds: % change of the price of the domestic variety", "%", "change", ""),
    "qxs": ("qxs: % change of exports of commodity from source to region", "%", "change", ""),
    "pms": ("pms: % change of the price of imports from source at the destination", "%", "change", ""),
    "qxw": ("qxw: % change of aggregate exports", "%", "change", ""),
    "qiw": ("qiw: % change of aggregate imports", "%", "change", ""),
    "pim": ("pim: % change of the import composite price", "%", "change", ""),
    "qfe": ("qfe: % change of factor demand by sector", "%", "change", ""),
    "pfactor": ("pfactor: % change of the factor price", "%", "change", ""),
    "qe": ("qe: % change of the factor endowment", "%", "change", ""),
    "ppriv": ("ppriv: % change of the private consumption price index", "%", "change", ""),
    "pfd": ("pfd: % change of the final agents' price indices (ppriv, pgov, pcgds)", "%", "change", ""),
    "qfd": ("qfd: % change of real final demand by agent (qpriv, qgov, qcgds)", "%", "change", ""),
    "y": ("y: % change of regional income", "%", "change", ""),
    "qgdp": ("qgdp: % change of real GDP", "%", "change", ""),
    "tot": ("tot: % change of the terms of trade", "%", "change", ""),
    "u": ("u: % change of per-capita utility of the regional household", "%", "change", ""),
    "up": ("up: % change of per-capita private utility", "%", "change", ""),
    "pfactwld": ("pfactwld: % change of the world factor price index", "%", "change", ""),
    "EV": ("EV: equivalent variation of the regional household", "{money}", "change", ""),
    "DTBAL": ("DTBAL: change of the trade balance", "{money}", "change", ""),
    # shares and rates (fractions)
    "domestic_share": ("domestic share of absorption (volumes)", "1", "rate", ""),
    "export_share": ("share of world exports of the commodity (value)", "1", "rate", ""),
    "import_source_share": ("share of source in the region's imports of the commodity (volume)", "1",
                            "rate", ""),
    "household_domestic_share": ("domestic share of household spending on the commodity (value)", "1",
                                 "rate", ""),
    "household_budget_share": ("household budget share of the commodity", "1", "rate", ""),
    "intermediate_cost_share_domestic": ("cost share of the domestic commodity in the sector's input "
                                         "bundle (intermediates + value added, current prices)", "1",
                                         "rate", ""),
    "intermediate_cost_share_imported": ("cost share of the imported commodity in the sector's input "
                                         "bundle (intermediates + value added, current prices)", "1",
                                         "rate", ""),
    "unemployment_rate": ("unemployment rate (unemployed / labour force)", "1", "rate", ""),
    "unemployment_rate_sector": ("unemployment rate by sector (sector-specific labour; else the "
                                 "regional rate)", "1", "rate", ""),
    # persons
    "employment": ("employment (persons engaged)", "{persons}", "count", ""),
    "unemployed": ("unemployed persons", "{persons}", "count", "region: sum (over sectors)"),
    "unemployed_sector": ("unemployed persons attached to the sector", "{persons}", "count", ""),
    # labour by type (skill), capital
    "persons": ("persons employed by labour type, sector and region", "{persons}", "count", ""),
    "labour_force": ("labour force by labour type (changes only under the surplus-labour closure "
                     "or endowment shocks)", "{persons}", "count", ""),
    "unemployed_by_skill": ("unemployed persons by labour type", "{persons}", "count", ""),
    "headcount_ratio": ("persons moved per efficiency unit of the sector's labour (benchmark persons per "
                        "wage unit; blended with the region's pooled ratio where persons are imputed)",
                        "thousand persons per benchmark USD m", "change", ""),
    "persons_imputed_share": ("imputed share of the benchmark persons (dataset employment_imputed, "
                              "skill_share_imputed)", "1", "change", ""),
    "persons_imputed": ("flag: benchmark persons of the cell (partly) imputed", "1", "change", ""),
    "sector_wage": ("wage by labour type and sector (index per efficiency unit; the regional wage of "
                    "mobile labour)", "1", "level", ""),
    "labour_force_sector": ("labour force attached to the sector (sector-specific labour; else the "
                            "benchmark split of the labour type's labour force)", "{persons}", "count", ""),
    "unemployed_by_skill_sector": ("unemployed persons by labour type and sector of attachment",
                                   "{persons}", "count", ""),
    "unemployment_rate_by_skill": ("unemployment rate by labour type", "1", "rate", ""),
    "jobs_gained": ("jobs gained: sum of the sector increases of persons employed", "{persons}",
                    "change", "sector: sum"),
    "jobs_lost": ("jobs lost: sum of the sector decreases of persons employed", "{persons}",
                  "change", "sector: sum"),
    "gross_reallocation": ("gross job reallocation: jobs gained + jobs lost across sectors and labour "
                           "types", "{persons}", "change", "labour: sum sector: sum"),
    "wage": ("wage index by labour type (per efficiency unit; specific or sluggish labour: average "
             "over sectors)", _IDX, "level", ""),
    "real_wage_by_skill": ("real wage index by labour type: wage / CPI", _IDX, "level", ""),
    "skill_premium": ("skill premium: high-skill / low-skill wage (NaN without labour by skill)",
                      "1", "level", ""),
    "labour_share": ("labour's share of value added at factor cost", "1", "rate", ""),
    "labour_share_total": ("labour's share of value added at factor cost, all sectors", "1", "rate",
                           "sector: sum"),
    "factor_supply": ("factor supply (capital stock at benchmark rental; labour in efficiency units)",
                      "{volume}", "level", ""),
    "rental_rate": ("rental rate of capital (index)", _IDX, "level", ""),
    "capital_stock": ("capital stock (value at benchmark rental)", "{volume}", "level", ""),
    "automation_productivity_effect": ("automation: change of the unit cost of value added at benchmark "
                                       "factor prices (negative = cost saving)", "%", "change", ""),
    "automation_displacement": ("automation: change of labour's share of value added at benchmark "
                                "factor prices (displacement effect)", "pp", "change", ""),
    "automation_reinstatement": ("automation: change of labour's share of value added at benchmark "
                                 "factor prices from new labour tasks (reinstatement effect)", "pp",
                                 "change", ""),
    # dynamic monetary block (dynamics/monetary.py); gaps against the natural path
    "inflation": ("CPI inflation, local currency (100 x log change on the year before)", "% per year",
                  "change", ""),
    "inflation_expected": ("expected inflation pi^e = chi pi* + (1 - chi) pi(t-1)", "% per year",
                           "change", ""),
    "inflation_target": ("inflation target pi*", "% per year", "change", ""),
    "inflation_gap": ("inflation minus its target", "pp", "change", ""),
    "inflation_import": ("import-price contribution to CPI inflation (Sato-Vartia split)", "% per year",
                         "change", ""),
    "inflation_domestic": ("domestic-price contribution to CPI inflation (Sato-Vartia split)",
                           "% per year", "change", ""),
    "inflation_imported_intermediates": ("contribution of imported intermediates to CPI inflation: "
                                         "import content of domestic prices (Leontief pass-through, part "
                                         "of inflation_domestic)", "% per year", "change", ""),
    "inflation_domestic_value_added": ("contribution of domestic value added (wages, capital returns, "
                                       "taxes, productivity) to CPI inflation: inflation_domestic minus "
                                       "imported intermediates", "% per year", "change", ""),
    "inflation_mean": ("mean CPI inflation over the years", "% per year", "change", "year: mean"),
    "inflation_import_mean": ("mean contribution of directly imported consumer goods to CPI inflation",
                              "pp per year", "change", "year: mean"),
    "inflation_imported_intermediates_mean": ("mean contribution of imported intermediates to CPI "
                                              "inflation", "pp per year", "change", "year: mean"),
    "inflation_domestic_value_added_mean": ("mean contribution of domestic value added to CPI inflation",
                                            "pp per year", "change", "year: mean"),
    "inflation_import_shock": ("mean contribution of directly imported consumer goods to CPI inflation "
                               "minus the no-shock run's (the shock's contribution)", "pp per year",
                               "change", "year: mean"),
    "inflation_imported_intermediates_shock": ("mean contribution of imported intermediates to CPI "
                                               "inflation minus the no-shock run's (the shock's "
                                               "contribution)", "pp per year", "change", "year: mean"),
    "inflation_domestic_value_added_shock": ("mean contribution of domestic value added to CPI inflation "
                                             "minus the no-shock run's (the shock's contribution)",
                                             "pp per year", "change", "year: mean"),
    # CPI decomposition of a static comparison (cgetrade.policy.cpi_decomposition) and of a path
    "cpi_imported_intermediates_pct": ("contribution of imported intermediates to the local-currency CPI: "
                                       "import content of domestic prices (100 x log change, part of "
                                       "cpi_domestic_pct)", "%", "change", ""),
    "cpi_domestic_value_added_pct": ("contribution of domestic value added to the local-currency CPI "
                                     "(100 x log change; cpi_domestic_pct minus imported intermediates)",
                                     "%", "change", ""),
    "cpi_relative_change_imported_intermediates": ("contribution of imported intermediates to the change of the "
                                                   "CPI relative to the numeraire (100 dln per year)",
                                                   "% per year", "change", ""),
    "cpi_relative_change_domestic_value_added": ("contribution of domestic value added to the change of the "
                                                 "CPI relative to the numeraire (100 dln per year)",
                                                 "% per year", "change", ""),
    "policy_rate": ("policy rate i", "% per year", "change", ""),
    "shadow_rate": ("rate prescribed by the rule before the lower bound (peg: the policy rate)",
                    "% per year", "change", ""),
    "real_rate": ("real policy rate i - pi^e", "% per year", "change", ""),
    "lower_bound": ("effective lower bound of the policy rate", "% per year", "change", ""),
    "at_lower_bound": ("the rule's rate is below the lower bound (the bound binds)", "1", "change", ""),
    "target_missed": ("|inflation - target| above the band", "1", "change", ""),
    "unemployment_regional": ("unemployment rate, all labour types", "1", "rate", ""),
    "unemployment_natural": ("natural unemployment rate (flexible-wage path of the scenario)", "1",
                             "rate", ""),
    "unemployment_gap": ("unemployment rate minus the natural path's", "pp", "change", ""),
    "output_gap": ("real GDP against the natural path, 100 x log", "%", "change", ""),
    "exchange_rate_natural": ("natural-path exchange rate (local CPIs on their target paths)", _IDX,
                              "level", ""),
    "foreign_saving_response": ("change of foreign saving dFS (capital inflow; sums to 0 over regions)",
                                "{money}", "balance", ""),
    "loss_inflation": ("discounted sum of squared inflation gaps, sum_t beta^t pi_gap^2", "pp2",
                       "change", "year: sum"),
    "loss_unemployment": ("discounted sum of squared unemployment gaps, sum_t beta^t u_gap^2", "pp2",
                          "change", "year: sum"),
    "loss": ("discounted loss sum_t beta^t (pi_gap^2 + lambda u_gap^2)", "pp2", "change", "year: sum"),
    "inflation_exchange_rate": ("contribution of the exchange rate against the anchor currency to CPI "
                                "inflation (its part of imported goods and imported intermediates)",
                                "% per year", "change", ""),
    "inflation_import_foreign": ("contribution of directly imported consumer goods at their prices in the "
                                 "anchor currency (the import contribution net of the exchange rate)",
                                 "% per year", "change", ""),
    "inflation_imported_intermediates_foreign": ("contribution of imported intermediates at their prices in "
                                                 "the anchor currency (net of the exchange rate)",
                                                 "% per year", "change", ""),
    "consumption_gap": ("household consumption spending against the natural path's share of income: "
                        "-100 (sigma_c (i - pi^e - r*) + d)", "%", "change", ""),
    "demand_shock": ("demand shock d: share of consumption spending saved instead", "%", "change", ""),
    "markup": ("markup wedge mu: producer price over the cost-based price (1 = flexible prices)", "1",
               "level", ""),
    "import_price_wedge": ("import-price wedge omega by commodity group: local-currency import prices over "
                           "border prices (1 = full pass-through within the year)", "1", "level", ""),
    "inflation_exchange_rate_mean": ("mean contribution of the exchange rate to CPI inflation",
                                     "pp per year", "change", "year: mean"),
    "inflation_import_foreign_mean": ("mean contribution of imported consumer goods at anchor-currency "
                                      "prices to CPI inflation", "pp per year", "change", "year: mean"),
    "inflation_imported_intermediates_foreign_mean": ("mean contribution of imported intermediates at "
                                                      "anchor-currency prices to CPI inflation",
                                                      "pp per year", "change", "year: mean"),
    "inflation_exchange_rate_shock": ("mean contribution of the exchange rate to CPI inflation minus the "
                                      "no-shock run's (the shock's contribution)", "pp per year",
                                      "change", "year: mean"),
    "inflation_import_foreign_shock": ("mean contribution of imported consumer goods at anchor-currency "
                                       "prices minus the no-shock run's", "pp per year", "change",
                                       "year: mean"),
    "inflation_imported_intermediates_foreign_shock": ("mean contribution of imported intermediates at "
                                                       "anchor-currency prices minus the no-shock run's",
                                                       "pp per year", "change", "year: mean"),
}

#: coordinate -> long_name
COORDINATES: dict[str, str] = {
    "region": "region (the importer, user or producer)",
    "source": "source region (exporter)",
    "sector": "producing sector",
    "commodity": "commodity (product of the sector of the same label)",
    "factor": "primary factor of production",
    "final": "final demand agent",
    "case": "model solution: baseline (calibrated benchmark) or scenario",
    "skill": "skill level of labour (ISCED-based education groups)",
    "labour": "labour type (one labour factor, or labour by skill: high, medium, low)",
    "year": "year",
    "draw": "draw of the sensitivity analysis (parameter set)",
    "sweep_case": "case of the scenario sweep",
    "statistic": "statistic over the draws (mean, standard deviation, percentiles)",
    "regime": "monetary regime",
    "it_lambda": "weight of the unemployment gap in flexible inflation targeting",
    "loss_lambda": "weight lambda of the unemployment gap in the loss",
    "rule_phi_u": "response of the policy rule to the unemployment gap",
    "commodity_group": "commodity group of price setting and import pass-through",
    "variant": "variant of the currency areas (lower bound, Phillips curves, expectations)",
    "shock": "source of the disinflation: foreign supply shock or domestic demand shortfall",
}
#: coordinates whose labels get a ``<coord>_name`` auxiliary coordinate with full names
NAMED = {"region": "region", "source": "region", "sector": "sector", "commodity": "sector",
         "factor": "factor", "final": "final", "skill": "skill"}


def register(name: str, long_name: str, units: str, kind: str = "level", cell_methods: str = ""):
    """Add (or replace) the metadata of a result variable."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    VARIABLES[name] = (long_name, units, kind, cell_methods)


def kind(name: str) -> str:
    """How a change of ``name`` is measured (``level`` for variables not in the table)."""
    return VARIABLES.get(name, ("", "", "level", ""))[2]


def money_unit(attrs: dict) -> str:
    """Short money unit of a dataset's ``currency`` (or ``units``) attribute ("USD million, ..."
    -> "USD m"); a dataset that names none is in "money units of the data"."""
    cur = str(attrs.get("currency", "") or attrs.get("units", "")).split(",")[0].strip()
    if not cur:
        return "money units of the data"
    return cur.replace(" millions", " m").replace(" million", " m")


def persons_unit(dataset) -> str:
    """Unit of a dataset's employment: "thousand persons" where it has persons; where it has
    none (a SAM or a table with only labour compensation) employment is labour in wage units,
    and every head count of its results says so."""
    units = str(dataset["employment"].attrs.get("units", "thousand persons")) \
        if "employment" in getattr(dataset, "variables", {}) else "thousand persons"
    if not units or "person" in units and "no persons" not in units:
        return "thousand persons"
    return "labour units (benchmark wage = 1; no persons in the data)"


def units_context(attrs: dict) -> dict:
    money = attrs.get("money_unit") or money_unit(attrs)
    year = attrs.get("base_year") or attrs.get("year")
    return {"money": money, "volume": f"{money} at {year} prices" if year else f"{money} at benchmark prices",
            "persons": attrs.get("persons_unit") or "thousand persons"}


def labels(dataset: xr.Dataset | None = None) -> dict:
    """Full names of labels: {kind: {label: name}}. A dataset's ``<dim>_name`` coordinates
    win; the shipped table (default dataset's concordance) names a dimension only when it
    knows every label of it."""
    path = resources.files("cgetrade.data") / "default" / "labels.toml"
    with open(str(path), "rb") as f:
        table = {k: dict(v) for k, v in tomllib.load(f).items()}
    if dataset is None:
        return table
    out = {}
    for kind, names in table.items():
        dim = {"final": "agent"}.get(kind, kind)
        if f"{dim}_name" in dataset.coords:
            out[kind] = dict(zip(map(str, dataset[dim].values), map(str, dataset[f"{dim}_name"].values)))
        elif dim not in dataset.coords or set(map(str, dataset[dim].values)) <= set(names):
            out[kind] = names
    return out


def variable_attrs(name: str, context: dict) -> dict | None:
    """CF attributes of a variable, derived ones (``_pct``, ``_change``) included."""
    if name in VARIABLES:
        long_name, units, _, cell = VARIABLES[name]
        out = {"long_name": long_name, "units": units.format(**context)}
        if cell:
            out["cell_methods"] = cell
        return out
    for suffix, text in (("_sobol_first", "first-order Sobol index (variance share) of"),
                         ("_sobol_total", "total Sobol index (variance share with interactions) of")):
        inner = variable_attrs(name[: -len(suffix)], context) if name.endswith(suffix) else None
        if inner:
            return {"long_name": f"{text} {inner['long_name']}", "units": "1"}
    for suffix in ("_pct", "_change"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and base in VARIABLES:
            long_name, units, k, _ = VARIABLES[base]
            if suffix == "_pct":
                return {"long_name": f"% change of {long_name}", "units": "%"}
            if k == "rate":
                return {"long_name": f"change of {long_name} (percentage points)", "units": "pp"}
            return {"long_name": f"change of {long_name}", "units": units.format(**context)}
    return None


def describe(ds: xr.Dataset, names: dict | None = None, override: bool = True) -> xr.Dataset:
    """Apply the metadata table to ``ds`` in place (and return it): variables, coordinates with
    full names (``names``: {kind: {label: name}}, see :func:`labels`), ``Conventions``.
    Variables not in the table keep the attributes they have; with ``override=False`` derived
    variables (``_pct``, ``_change``) that already have a long_name and units keep them (the
    table's own entries always apply)."""
    context = units_context(ds.attrs)
    names = names or {}
    for name in ds.data_vars:
        da = ds.variables[name]          # the Variable itself: no DataArray per variable
        if not override and name not in VARIABLES and da.attrs.get("long_name") and "units" in da.attrs:
            continue
        attrs = variable_attrs(name, context)
        if attrs:
            keep = {k: v for k, v in da.attrs.items() if k not in ("long_name", "units", "cell_methods")}
            da.attrs = {**attrs, **keep}
    full_names = {}
    for coord, long_name in COORDINATES.items():
        if coord in ds.coords:
            ds.variables[coord].attrs.setdefault("long_name", long_name)
            table = names.get(NAMED.get(coord, ""), {})
            if table and f"{coord}_name" not in ds.coords:
                full = [str(table.get(str(lab), lab)) for lab in ds.variables[coord].values]
                full_names[f"{coord}_name"] = (coord, np.array(full, dtype=object),
                                               {"long_name": f"full name: {long_name}"})
    if full_names:                       # one update: each assignment would realign the dataset
        ds.coords.update(full_names)
    ds.attrs["Conventions"] = CONVENTIONS
    return ds



#: readable units of the screen tables -> their UDUNITS form in files (a change of a rate in
#: percentage points is a number in units of 1e-2, UDUNITS' percent)
UDUNITS = {"pp": "%", "pp per year": "% year-1", "% per year": "% year-1", "pp2": "1e-4",
           "%/yr": "% year-1"}
#: units written as they are although UDUNITS has no such unit (currencies, head counts)
NOT_UDUNITS = ("money (e.g. 'USD m': million US dollars; 'local currency m'; 'benchmark USD m': at "
               "benchmark prices) and persons ('thousand persons'): UDUNITS has no currencies or head "
               "counts; every other units attribute parses as UDUNITS")


def cf_units(ds: xr.Dataset) -> xr.Dataset:
    """Units of every variable in their UDUNITS form (``UDUNITS``) for writing, in place; the
    readable form stays in ``units_label``; the global ``units_note`` names the units that are
    not UDUNITS (money, persons)."""
    for da in ds.variables.values():
        u = da.attrs.get("units")
        if isinstance(u, str) and u in UDUNITS:
            da.attrs["units"] = UDUNITS[u]
            da.attrs.setdefault("units_label", u)
    ds.attrs["units_note"] = NOT_UDUNITS
    return ds


def missing(ds: xr.Dataset) -> list[str]:
    """Variables without a long_name or units (empty when the dataset is fully described)."""
    return [name for name, da in ds.data_vars.items()
            if not da.attrs.get("long_name") or "units" not in da.attrs]
