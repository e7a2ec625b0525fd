"""How well can inflation targeting respond? Regime comparisons for a given shock.

For a scenario, ``compare_regimes`` solves the baseline and the shock under each monetary
regime (with a nominal rigidity in the labour market, by default the wage curve) and returns
an xarray Dataset (regime x region) with

* ``cpi_pct``: change of the local-currency CPI, and its exact decomposition
  ``cpi_import_pct`` + ``cpi_domestic_pct``: with Sato-Vartia weights (exact for CES;
  Sato 1976, Vartia 1976), dln CPI = dln e + sum_i w_i dln P_A,i and
  dln P_A,i = v_i dln P_D,i + (1 - v_i) dln P_M,i, so the import (pass-through) part is
  sum_i w_i (1 - v_i)(dln e + dln P_M,i) and the domestic part
  sum_i w_i v_i (dln e + dln P_D,i); reported as 100 x log changes; the domestic part splits
  further into ``cpi_imported_intermediates_pct`` (the import content of domestic prices:
  sum_i w_i v_i g_i, g = (I - A_d')^-1 A_m' (dln e + dln P_M), the input-output price model
  with Sato-Vartia averages A_d, A_m of both points' intermediate cost shares) and
  ``cpi_domestic_value_added_pct`` (the rest: wages, capital returns, taxes, productivity);
  the exchange rate's parts of the two imported contributions, ``cpi_exchange_rate_import_pct``
  = 100 sum_i w_i (1 - v_i) dln e and ``cpi_exchange_rate_intermediates_pct`` =
  100 sum_i w_i v_i (M dln e)_i (local import prices in the anchor currency times e);
* the instrument: ``exchange_rate_pct`` and the local nominal level ``ngdp_local_pct``;
* ``unemployment_gap_pp`` (U - U0, percentage points), ``unemployed_change`` (thousand
  persons), ``real_wage_pct``, ``real_gdp_pct``, ``ev_pct_income``;
* ``loss`` = pi_gap^2 + lambda u_gap^2 (pi_gap: 100 dln CPI minus the target; u_gap in pp).

``inflation_frontier`` sweeps the weight lambda of flexible inflation targeting and traces
the CPI-level / unemployment-gap frontier; cgetrade.report.monetary.plot_static_frontier
draws it.
"""
from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import xarray as xr

from . import metadata
from .model import CGEModel, Closure
from .results import collect

metadata.register("unemployment_gap_pp", "change of the unemployment rate (scenario - baseline)", "pp", "change")
metadata.register("loss", "loss: (100 dln CPI - target)^2 + lambda (unemployment gap in pp)^2", "1", "change")

#: regimes compared by default: name -> regime for the studied regions
DEFAULT_REGIMES = {
    "strict_cpi": "cpi",
    "flexible_it": ("flexible_it", 0.5),
    "peg_usd": ("peg", "USA"),
    "ngdp": "ngdp",
    "money": "money",
}


def _logmean(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    out = np.where(np.abs(a - b) > 1e-14 * np.maximum(a, b), (a - b) / np.where(
        np.abs(np.log(a) - np.log(b)) > 0, np.log(a) - np.log(b), 1.0), a)
    return out


def sato_vartia(s0, s1, axis=0):
    """Sato-Vartia weights from expenditure shares at two points (sum to one along axis)."""
    lm = _logmean(np.where(s0 > 0, s0, 1e-300), np.where(s1 > 0, s1, 1e-300)) * ((s0 > 0) | (s1 > 0))
    return lm / lm.sum(axis=axis, keepdims=True)


def import_content(a_dom, a_imp):
    """Import content of domestic prices in the input-output price model.

    With cost shares A_d[i, j] (domestic input i per unit of the cost of sector j) and
    A_m[i, j] (imported input i), unit costs move as dp_D = A_d' dp_D + A_m' dp_M + dv
    (log changes; dv: value added, productivity, taxes), so
        dp_D = (I - A_d')^-1 A_m' dp_M + (I - A_d')^-1 dv.
    Returns M = (I - A_d')^-1 A_m' with dims (sector j, commodity i, ...): the elasticity of
    the domestic price of j to the import price of i, direct and through domestic inputs.
    ``a_dom``, ``a_imp``: arrays (commodity, sector, ...) (e.g. region as the third axis)."""
    a_dom, a_imp = np.asarray(a_dom, float), np.asarray(a_imp, float)
    if a_dom.shape != a_imp.shape or a_dom.ndim < 2 or a_dom.shape[0] != a_dom.shape[1]:
        raise ValueError(f"cost shares must be (commodity, sector, ...) arrays of one shape with as "
                         f"many commodities as sectors; got {a_dom.shape} and {a_imp.shape}")
    if (a_dom < 0).any() or (a_imp < 0).any():
        raise ValueError("intermediate cost shares must be >= 0")
    n, rest = a_dom.shape[0], a_dom.shape[2:]
    d = a_dom.reshape(n, n, -1)
    mm = a_imp.reshape(n, n, -1)
    radius = max(np.abs(np.linalg.eigvals(d[:, :, k])).max() for k in range(d.shape[2]))
    if radius >= 1:           # Hawkins-Simon: a productive system has (I - A_d')^-1 >= 0
        raise ValueError(f"the domestic input-output matrix is not productive (spectral radius "
                         f"{radius:.4g} >= 1): the Leontief inverse (I - A_d')^-1 >= 0 does not exist")
    out = np.stack([np.linalg.solve(np.eye(n) - d[:, :, k].T, mm[:, :, k].T) for k in range(d.shape[2])], -1)
    return out.reshape((n, n) + rest)


def cpi_three_way(w, v, de, dpd, dpm, a_dom, a_imp):
    """Contributions to 100 dln CPI (local currency) of directly imported consumer goods,
    imported intermediates (import content of domestic prices) and domestic value added.

        import        100 sum_i w_i (1 - v_i) x_i,        x = dln e + dln P_M (local currency)
        domestic      100 sum_i w_i v_i (dln e + dln P_D,i)
        intermediates 100 sum_i w_i v_i g_i,              g = (I - A_d')^-1 A_m' x
        value added   domestic - intermediates

    ``w``, ``v``: (commodity, region) budget and domestic-share weights; ``de``: (region,);
    ``dpd``, ``dpm``: (commodity, region) log changes; ``a_dom``, ``a_imp``: (commodity,
    sector, region) cost shares. Returns (import, intermediates, value added) by region; the
    three add up to import + domestic exactly."""
    w, v, de = np.asarray(w, float), np.asarray(v, float), np.asarray(de, float)
    x = de[None] + np.asarray(dpm, float)
    g = np.einsum("jir,ir->jr", import_content(a_dom, a_imp), x)
    imp = 100 * (w * (1 - v) * x).sum(0)
    dom = 100 * (w * v * (de[None] + np.asarray(dpd, float))).sum(0)
    mid = 100 * (w * v * g).sum(0)
    return imp, mid, dom - mid


def average_cost_shares(base: xr.Dataset, scen: xr.Dataset):
    """Sato-Vartia averages (A_d, A_m) of the intermediate cost shares of two solutions: over
    each sector's whole input bundle (domestic inputs, imported inputs, value added); one
    solution's shares if only it has them; None if neither has."""
    have = [d for d in (base, scen) if "intermediate_cost_share_domestic" in d]
    if not have:
        return None

    def bundle(d):
        dom = d["intermediate_cost_share_domestic"].transpose("commodity", "sector", "region").values
        imp = d["intermediate_cost_share_imported"].transpose("commodity", "sector", "region").values
        va = np.clip(1 - dom.sum(0) - imp.sum(0), 0, None)
        return np.concatenate([dom, imp, va[None]], axis=0)
    s0, s1 = bundle(have[0]), bundle(have[-1])
    avg = sato_vartia(s0, s1, axis=0)
    n = s0.shape[1]
    return avg[:n], avg[n:2 * n]


def cpi_decomposition(base: xr.Dataset, scen: xr.Dataset) -> xr.Dataset:
    """Exact split of 100 dln CPI (local currency) into import and domestic contributions,
    and of the domestic one into imported intermediates and domestic value added (see the
    module docstring; NaN when neither solution has intermediate cost shares)."""
    w = sato_vartia(base.household_budget_share.values, scen.household_budget_share.values)
    v0, v1 = base.household_domestic_share.values, scen.household_domestic_share.values
    v = sato_vartia(np.stack([v0, 1 - v0]), np.stack([v1, 1 - v1]))[0]
    de = np.log(scen.exchange_rate.values / base.exchange_rate.values)
    dpd = np.log(scen.domestic_price.values / base.domestic_price.values)
    dpm = np.log(scen.import_price.values / base.import_price.values)
    imp = 100 * (w * (1 - v) * (de + dpm)).sum(0)
    dom = 100 * (w * v * (de + dpd)).sum(0)
    total = 100 * np.log(scen.cpi_local.values / base.cpi_local.values)
    shares = average_cost_shares(base, scen)
    if shares is None:
        mid = er_mid = np.full_like(dom, np.nan)
    else:
        mid = cpi_three_way(w, v, de, dpd, dpm, *shares)[1]
        # the exchange rate's part of the imported intermediates: M dln e (a uniform change of
        # every local import price by dln e)
        er_mid = cpi_three_way(w, v, de, np.zeros_like(dpd), np.zeros_like(dpm), *shares)[1]
    er_imp = 100 * (w * (1 - v) * de).sum(0)
    coords = {"region": base.region}
    log_pct = lambda what: {"long_name": f"{what} (100 x log change, Sato-Vartia)", "units": "%"}  # noqa: E731
    return xr.Dataset({"cpi_pct": ("region", total, log_pct("local-currency CPI")),
                       "cpi_import_pct": ("region", imp, log_pct("import contribution to the local-currency CPI")),
                       "cpi_domestic_pct": ("region", dom, log_pct("domestic contribution to the local-currency CPI")),
                       "cpi_imported_intermediates_pct": (
                           "region", mid, log_pct("imported intermediates' contribution to the local-currency "
                                                  "CPI, the import content of domestic prices")),
                       "cpi_domestic_value_added_pct": (
                           "region", dom - mid, log_pct("domestic value added's contribution to the "
                                                        "local-currency CPI: domestic minus imported intermediates")),
                       "cpi_exchange_rate_import_pct": (
                           "region", er_imp, log_pct("the exchange rate's part of the import contribution "
                                                     "(100 sum_i w_i (1 - v_i) dln e)")),
                       "cpi_exchange_rate_intermediates_pct": (
                           "region", er_mid, log_pct("the exchange rate's part of the imported "
                                                     "intermediates' contribution (100 sum_i w_i v_i (M dln e)_i)"))},
                      coords=coords)


def _closure(base_closure: Closure, regime, regions, others="cpi", anchor_regime="cpi"):
    monetary = {"*": others}
    for r in regions:
        monetary[r] = regime
    anchor = base_closure.anchor
    if isinstance(regime, tuple) and regime[0] == "peg" and anchor in regions:
        monetary[anchor] = anchor_regime        # the anchor cannot peg to itself
    return replace(base_closure, monetary=monetary)


def evaluate(model: CGEModel, scenario, regions, lam: float = 1.0, inflation_target: float = 0.0):
    """Solve baseline and shock on ``model``; the table for ``regions`` (one regime)."""
    model.solve()
    base = collect(model)
    sol = scenario.solve(model)
    scen = collect(model)
    dec = cpi_decomposition(base, scen)
    pct = lambda v: 100 * (scen[v] / base[v] - 1)  # noqa: E731
    out = dec.assign(
        exchange_rate_pct=pct("exchange_rate"), ngdp_local_pct=pct("ngdp_local"),
        unemployment_gap_pp=100 * (scen.unemployment_rate - base.unemployment_rate),
        unemployed_change=scen.unemployed - base.unemployed,
        real_wage_pct=pct("real_wage"), real_gdp_pct=pct("real_gdp"),
        ev_pct_income=scen.ev_pct_income)
    out["loss"] = (out.cpi_pct - 100 * inflation_target) ** 2 + lam * out.unemployment_gap_pp ** 2
    for v in out.data_vars:          # changes do not carry their levels' attributes; the
        if v not in dec:             # metadata table describes them when saved
            out[v].attrs = {}
    out.attrs["iterations"] = sol.iterations
    return out.sel(region=list(regions))


def resolved(params, scenario):
    """``scenario`` with its price-target shocks replaced by the shocks that deliver them at
    the benchmark with the scenario's own (real) closure, as ``cgetrade run`` does; a
    scenario without targets unchanged."""
    if not scenario.has_targets:
        return scenario
    model = CGEModel(params, scenario.make_closure())
    scenario.validate(model)
    scenario.prepare(model)
    model.solve()
    return scenario.implied(model)


def compare_regimes(params, scenario, regions=("USA", "EU", "JPN"), regimes=None,
                    closure: Closure | None = None, lam: float = 1.0) -> xr.Dataset:
    """Regime x region comparison table for ``scenario`` (see module docstring; price
    targets are resolved first, ``resolved``)."""
    regimes = regimes or DEFAULT_REGIMES
    closure = closure or Closure(labour="wage_curve")
    scenario = resolved(params, scenario)
    tables = []
    for name, regime in regimes.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # neutrality warnings for flexible-wage runs
            model = CGEModel(params, _closure(closure, regime, regions))
        t = evaluate(model, scenario, regions, lam)
        if isinstance(regime, tuple) and regime[0] == "peg" and closure.anchor in regions:
            # the anchor keeps its own (CPI) regime under a peg by the others
            t = t.where(t.region != closure.anchor)
        tables.append(t.expand_dims(regime=[name]))
    out = xr.concat(tables, dim="regime")
    out.attrs.update({"scenario": scenario.name, "labour_closure": str(closure.labour),
                      "kappa": closure.kappa, "phi": closure.phi, "loss_lambda": lam,
                      "anchor": closure.anchor,
                      "note": "peg_usd: the anchor (USA) keeps strict CPI targeting; its row is NaN"})
    return out


def inflation_frontier(params, scenario, regions=("USA", "EU", "JPN"),
                       lambdas=(0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
                       closure: Closure | None = None) -> xr.Dataset:
    """CPI level change and unemployment gap under flexible IT for each weight lambda."""
    closure = closure or Closure(labour="wage_curve")
    scenario = resolved(params, scenario)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CGEModel(params, _closure(closure, ("flexible_it", 0.0), regions))
    rows = []
    for lam in lambdas:
        model.reset()
        for r in regions:
            model.pyomo.it_lambda[r] = lam
        t = evaluate(model, scenario, regions, lam)
        rows.append(t[["cpi_pct", "unemployment_gap_pp", "exchange_rate_pct"]].expand_dims(it_lambda=[lam]))
    out = xr.concat(rows, dim="it_lambda")
    out.attrs["scenario"] = scenario.name
    return out
