"""Disinflation made abroad against disinflation made at home: the same CPI deviation from a
foreign supply shock (e.g. China's process) and from a domestic demand shortfall, under
the same policy rule, and what it takes policy to return inflation to target.

For each variant of the currency areas (``VARIANTS``: as shipped, near the lower bound, flatter
Phillips curves, de-anchored expectations) and each studied region r:

    foreign   the scenario (natural path: the scenario with flexible wages and prices)
    domestic  a demand shock d_r,t (share of consumption spending saved instead) in the
              ``window`` years in region r alone (one run per region), with the natural path
              of no shock: a shortfall of demand that moves no natural quantity (the natural
              real rate falls instead). Its size is scaled by secant steps from a trial size
              until r's CPI deviation equals the foreign one, sum_t (pi_t - pi^0_t) over the
              horizon (``cpi_match`` reports the ratio reached)

Both are measured against the run without either shock (pi^0: same start values, same
rule). Per region and shock (sums over the horizon, "pp-years"):

    cpi_deviation        sum_t Dpi_t (pp): the price-level deviation at the end
    policy_rate_change   mean_t Di_t (pp) and its minimum (the deepest cut)
    unemployment_cost    sum_t Du_gap_t (pp-years)
    output_cost          -sum_t Dy_gap_t (%-years; a gain is negative)
    sacrifice_ratio      output_cost / (-cpi_deviation): output lost per pp of disinflation
    years_at_lower_bound years with the rule's rate below the bound
    imported_part        sum_t D(imported goods + imported intermediates at foreign-currency
                         prices) (pp): the part of the CPI deviation made abroad
    imported_share       imported_part / cpi_deviation
    overshoot_needed     -imported_part: domestic inflation (value added and exchange rate)
                         above its path needed to offset the imported part in full, i.e. the
                         part policy cannot offset without overshooting domestic inflation
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import xarray as xr

from .monetary import MonetaryModel, natural_path
from .nominal import GROUPS, NominalError, areas_for

#: the variants of the comparison: name -> (description, function(areas, regions) -> areas)
VARIANTS = {}


def _variant(name, description):
    def register(fn):
        VARIANTS[name] = (description, fn)
        return fn
    return register


@_variant("central", "currency areas as shipped (AREAS)")
def _central(areas, regions):
    return dict(areas)


@_variant("near_bound", "euro area and Japan at the lower bound (other datasets: every studied region): "
                        "start rate at the bound, neutral nominal rate r* + pi* 0.5 pp above it")
def _near_bound(areas, regions):
    out = dict(areas)
    for r in [r for r in regions if r in ("EU", "JPN")] or list(regions):
        a = out[r]
        out[r] = replace(a, start_rate=a.elb, neutral_rate=a.elb + 0.005 - a.inflation_target)
    return out


@_variant("flat_phillips", "Phillips curves half as steep: wage slope phi_w and the within-year price "
                           "adjustment zeta (energy aside) halved")
def _flat(areas, regions):
    out = dict(areas)
    for r in regions:
        a = out[r]
        zeta = {g: (a.zeta(g) if g == "energy" else a.zeta(g) / 2) for g in GROUPS}
        out[r] = replace(a, phillips_slope=a.phillips_slope / 2, price_adjustment=zeta)
    return out


@_variant("deanchored", "de-anchored expectations: weight of the target chi = 0.2")
def _deanchored(areas, regions):
    out = dict(areas)
    for r in regions:
        out[r] = replace(out[r], anchoring=0.2)
    return out


def _sums(res, ref, regions):
    d = {v: (res[v] - ref[v]).sel(region=regions)
         for v in ("inflation", "policy_rate", "unemployment_gap", "output_gap", "inflation_import_foreign",
                   "inflation_imported_intermediates_foreign", "inflation_exchange_rate",
                   "inflation_domestic_value_added")}
    cpi = d["inflation"].sum("year")
    imported = (d["inflation_import_foreign"] + d["inflation_imported_intermediates_foreign"]).sum("year")
    out = xr.Dataset({
        "cpi_deviation": cpi,
        "inflation_deviation_peak": d["inflation"].min("year"),
        "policy_rate_change_mean": d["policy_rate"].mean("year"),
        "policy_rate_change_min": d["policy_rate"].min("year"),
        "unemployment_cost": d["unemployment_gap"].sum("year"),
        "output_cost": -d["output_gap"].sum("year"),
        "years_at_lower_bound": res["at_lower_bound"].sel(region=regions).sum("year"),
        "imported_part": imported,
        "exchange_rate_part": d["inflation_exchange_rate"].sum("year"),
        "domestic_part": d["inflation_domestic_value_added"].sum("year"),
    })
    out["sacrifice_ratio"] = out.output_cost / -cpi.where(abs(cpi) > 1e-9)
    out["imported_share"] = imported / cpi.where(abs(cpi) > 1e-9)
    out["overshoot_needed"] = -imported
    return out


UNITS = {"cpi_deviation": ("CPI deviation: sum of the inflation deviations over the years (price level "
                           "at the end)", "pp"),
         "inflation_deviation_peak": ("largest fall of inflation in a year", "pp"),
         "policy_rate_change_mean": ("mean change of the policy rate", "pp"),
         "policy_rate_change_min": ("deepest cut of the policy rate", "pp"),
         "unemployment_cost": ("sum of the unemployment-gap changes over the years", "pp-years"),
         "output_cost": ("output lost: minus the sum of the output-gap changes over the years", "%-years"),
         "years_at_lower_bound": ("years with the rule's rate below the lower bound", "years"),
         "imported_part": ("part of the CPI deviation from import prices in foreign currency (imported "
                           "goods and intermediates)", "pp"),
         "exchange_rate_part": ("part of the CPI deviation from the exchange rate", "pp"),
         "domestic_part": ("part of the CPI deviation from domestic value added", "pp"),
         "sacrifice_ratio": ("output lost per pp of disinflation (negative: output gained)", "1"),
         "imported_share": ("share of the CPI deviation made abroad", "1"),
         "overshoot_needed": ("domestic inflation above its path needed to offset the imported part",
                              "pp"),
         "demand_shock": ("domestic demand shock: share of consumption spending saved instead, each "
                          "year of the window", "%"),
         "cpi_match": ("domestic CPI deviation over the foreign one (1: matched)", "1")}


def compare(params, scenario, regions, start: int, periods, regime="flexible_it", variants=None,
            window: tuple | None = None, areas: dict | None = None, settings=None, projections=None,
            anchor: str = "USA", baseline=None, natural=None, trial: float = 0.005, steps: int = 2,
            progress=None, runs: dict | None = None) -> xr.Dataset:
    """The comparison table (dims variant x shock x region; see the module docstring) for
    ``scenario`` under ``regime`` in every region. ``window``: (first, last) years of the
    domestic demand shock (default: the first three years). ``steps``: secant steps scaling
    the domestic shock (each one monetary run per region; the response is close to linear,
    so one step matches to a few per cent). ``runs``: a dict that receives each variant's
    monetary runs without and with the scenario, ``runs[variant, "no_shock" | "foreign"]``."""
    variants = list(variants or VARIANTS)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise NominalError(f"unknown comparison variant(s) {unknown}; known: {', '.join(VARIANTS)}")
    missing = sorted(set(regions) - set(params.regions))
    if missing:
        raise NominalError(f"unknown region(s) {missing}; known: {params.regions}")
    years = [y for y in periods.years if y >= start]
    window = window or (start, min(start + 2, years[-1]))
    if not (start <= window[0] <= window[1] <= years[-1]):
        raise NominalError(f"the demand-shock window {window} must lie within {start}-{years[-1]}")
    if not 0 < abs(trial) < 0.2 or steps < 1:
        raise NominalError(f"trial size must be in (0, 0.2) and steps >= 1, got {trial}, {steps}")
    base_areas = areas_for(params.regions, areas)
    if natural is None:
        baseline, natural = natural_path(params, scenario, periods, projections, baseline)
    from ..scenario import Scenario
    none = Scenario("no_shock", [], groups=scenario.groups)
    shock_years = [y for y in years if window[0] <= y <= window[1]]
    out = []
    for name in variants:
        desc, fn = VARIANTS[name]
        var_areas = fn(base_areas, list(regions))
        mon = MonetaryModel(params, {"*": regime}, var_areas, settings, projections, periods, anchor)

        def run(what, scen, nat, shock=None):
            if progress is not None:
                progress(f"{name}: {what}")
            return mon.run(scen, nat, start, baseline, demand_shock=shock)
        ref = run("no shock", none, baseline)
        foreign = run("foreign shock", scenario, natural)
        if runs is not None:
            runs[name, "no_shock"], runs[name, "foreign"] = ref, foreign
        target = (foreign.inflation - ref.inflation).sum("year")
        rows, size = [], {}
        for r in regions:                    # a shortfall at home, one region at a time
            t = float(target.sel(region=r))
            size[r] = trial * (1 if t < 0 else -1)
            for k in range(steps):
                dom = run(f"{r}: domestic demand shock, step {k + 1}", none, baseline,
                          {r: {y: size[r] for y in shock_years}})
                g = float((dom.inflation - ref.inflation).sel(region=r).sum())
                if abs(g) < 1e-9 or (g * t < 0 and abs(t) > 1e-9):
                    raise NominalError(f"{name}, {r}: a demand shock of {100 * size[r]:.2f} % of consumption "
                                       f"moves the CPI by {g:.4f} pp: it cannot be scaled to the foreign "
                                       f"deviation {t:.4f} pp")
                size[r] *= t / g
            dom = run(f"{r}: domestic demand shock, matched", none, baseline, {r: {y: size[r] for y in shock_years}})
            rows.append(_sums(dom, ref, [r]))
        table = xr.concat([_sums(foreign, ref, list(regions)), xr.concat(rows, dim="region")],
                          dim=xr.DataArray(["foreign", "domestic"], dims="shock", name="shock"))
        table["cpi_match"] = table.cpi_deviation.sel(shock="domestic") / table.cpi_deviation.sel(shock="foreign")
        table["demand_shock"] = xr.DataArray(
            [[0.0] * len(regions), [100 * size[r] for r in regions]], dims=("shock", "region"),
            coords={"shock": ["foreign", "domestic"], "region": list(regions)})
        out.append(table.expand_dims(variant=[name]))
    res = xr.concat(out, dim="variant")
    for k, (ln, u) in UNITS.items():
        res[k].attrs = {"long_name": ln, "units": u}
    res = res.assign_coords(variant_description=("variant", [VARIANTS[v][0] for v in variants]))
    res.attrs.update({"scenario": scenario.name, "regime": str(regime), "start": start,
                      "last_year": years[-1], "window": f"{window[0]}-{window[1]}",
                      "measured against": "the run without either shock (same start values and rule)"})
    return res


def literature_sizes(res: xr.Dataset, ref: xr.Dataset, region: str, years) -> dict:
    """Sizes of a run's imported disinflation comparable to published estimates (against the
    no-shock run ``ref``, pp per year, mean over ``years``): CPI inflation, import-price
    inflation (local currency, Tornqvist index of import prices incl. pass-through, import
    volumes as weights), and non-energy goods inflation of households (Tornqvist index of
    household prices of goods other than energy, budget shares as weights)."""
    sel = dict(region=region, year=list(years))
    d_cpi = float((res.inflation - ref.inflation).sel(**sel).mean())

    def tornqvist(w, p):
        """100 x sum_i (w_i,t + w_i,t-1)/2 dln p_i,t by year (weights normalised each year)."""
        w = w / w.sum("commodity")
        return 100 * (0.5 * (w + w.shift(year=1)) * np.log(p).diff("year")).sum("commodity", min_count=1)

    def import_inflation(ds):
        return tornqvist(ds.imports.sel(region=region),
                         ds.import_price.sel(region=region) * ds.exchange_rate.sel(region=region))
    groups = dict(x.split(": ") for x in res.attrs["commodity_groups"].split(", "))

    def goods_inflation(ds):
        goods = [i for i in ds.commodity.values if groups.get(str(i)) in ("consumer", "intermediate")]
        return tornqvist(ds.household_budget_share.sel(region=region, commodity=goods),
                         ds.household_price.sel(region=region, commodity=goods) * ds.exchange_rate.sel(region=region))
    ys = [y for y in years if y != int(res.year.values[0])]
    d_imp = float((import_inflation(res) - import_inflation(ref)).sel(year=ys).mean())
    d_goods = float((goods_inflation(res) - goods_inflation(ref)).sel(year=ys).mean())
    return {"cpi": d_cpi, "import_prices": d_imp, "non_energy_goods": d_goods}
