"""The dynamic monetary block's path: the static model with the nominal block
(cgetrade/dynamics/nominal.py) solved year by year, lagged values set as mutable
parameters, gaps measured against the natural path (the same scenario with flexible wages).

``monetary_paths`` runs a scenario under named sets of regimes; ``experiment`` runs the
``[dynamic]`` table of a policy file (tables and plots: cgetrade/report/monetary.py).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from ..model import CGEModel, Closure
from ..paths import PathError, parse_path
from ..policy import cpi_decomposition
from .accumulation import capital_next, real_investment
from .nominal import (AREAS, GROUPS, REGIMES, STATIC_ONLY, Area, NominalError, Settings,  # noqa: F401
                      areas_for, build, commodity_groups, import_weights, parse_regime,
                      resolve_regimes, settings_from)
from .projections import DynamicsError, Periods
from .recursive import DynamicModel


def natural_closure() -> Closure:
    """Flexible wages (unemployment at its benchmark rate), no nominal side."""
    return Closure()


class MonetaryModel(DynamicModel):
    """The static model with the dynamic nominal block (cgetrade/dynamics/nominal.py; built
    and compiled once per set of regimes). ``run(scenario, natural, start, baseline)`` solves
    the years from ``start`` on. ``groups``: commodity groups of price setting and
    pass-through ({commodity: group}; default nominal.commodity_groups)."""

    def __init__(self, params, regimes: dict, areas: dict | None = None,
                 settings: Settings | None = None, projections=None, periods: Periods | None = None,
                 anchor: str = "USA", flexible_wages: bool = False, groups: dict | None = None):
        self.settings = settings or Settings()
        self.settings.check()
        self.regimes = resolve_regimes(regimes, params.regions, anchor)
        self.areas = areas_for(params.regions, areas)
        self.groups = commodity_groups(params, groups)
        self.anchor = anchor
        self.flexible_wages = flexible_wages
        closure = Closure(labour="wage_curve", monetary={"*": "cpi"}, anchor=anchor)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            super().__init__(params, projections, periods, closure)

    def _extend(self, m):
        build(self, m)

    # -- the path ---------------------------------------------------------------------------
    def run(self, scenario, natural: xr.Dataset, start: int, baseline: xr.Dataset,
            demand_shock: dict | None = None) -> xr.Dataset:
        """Years ``start``..end of ``scenario`` with the nominal block, from the natural path
        (same scenario, flexible wages and prices; ``natural_path``) in the year before
        ``start``. ``demand_shock``: {region: {year: d}}, the share of consumption spending
        saved instead in that year (a domestic demand shortfall; the natural path is not
        affected)."""
        years = self.years
        check_start(start, years[0], years[-1], self.periods.step)
        self._check_paths(scenario)
        self._restore_benchmark()
        m, p, R, L = self.model.pyomo, self.params, self.params.regions, list(self.model.pyomo.L)
        A, a = self.anchor, self.areas
        shocks = dict(demand_shock or {})
        unknown = sorted(set(shocks) - set(R))
        if unknown:
            raise NominalError(f"demand shock for unknown region(s) {unknown}; known: {R}")
        k0 = years.index(start)
        nat = _natural_arrays(natural, p, L, A, a, k0, m, self.groups)
        nat["gw"] = _natural_arrays(baseline, p, L, A, a, k0)["gw"]    # the trend: no shocks
        touched = [getattr(m, name)[idx] for name, idx in scenario.targets(self.model)]
        lam = baseline["labour_productivity"].transpose("year", "region").values
        # warm start: the natural baseline's solution of the year before start, by label
        labels = [f"{n}[{i}]" for n, i in self.nlp.variable_labels]
        x = self.nlp.x_from_model()
        ref = dict(zip(map(str, baseline["nlp_variable"].values), baseline["solution"].values[k0 - 1]))
        x = np.array([ref.get(lab, v) for lab, v in zip(labels, x)])
        self.nlp.to_model(x)
        for r in R:
            m.IR[r].set_value(a[r].start_rate)
        I, G = list(m.I), list(m.PTG)
        lags = {"cpi": {r: nat["P"][k0 - 1, R.index(r)] for r in R},
                "w": {(h, r): nat["W"][k0 - 1, L.index(h), R.index(r)] for h in L for r in R},
                "pi": {r: a[r].start_inflation for r in R}, "i": {r: a[r].start_rate for r in R},
                "ngdp": {r: nat["ngdp"][k0 - 1, R.index(r)] for r in R},
                "py": {(j, r): nat["PY"][k0 - 1, I.index(j), R.index(r)] for j in I for r in R},
                "border": {gr: nat["B"][gr][k0 - 1] for gr in G},
                "dollar": {gr: nat["B"][gr][k0 - 1] for gr in G}}
        K = nat["K"][k0].copy()
        self._first_lag_record = natural.isel(year=k0 - 1)
        recs = []
        for k in range(k0, len(years)):
            year = years[k]
            for i, r in enumerate(R):
                self.target.fixed[r] = float(lam[k, i])
            n = self.labour_index[k]
            new = self._endowments(K, n)
            new.update(self._shock_params(scenario, year, touched, new))
            vals = _ById()
            for i, r in enumerate(R):
                chi = a[r].anchoring
                vals[m.pi_e[r]] = chi * a[r].inflation_target + (1 - chi) * lags["pi"][r]
                vals[m.cpi_lag[r]] = lags["cpi"][r]
                vals[m.i_lag[r]] = lags["i"][r]
                vals[m.e_nat[r]] = nat["e"][k, i]
                vals[m.inv_nat[r]] = nat["I"][k, i]
                vals[m.inv_gap[r]] = self.settings.capital_adjustment * (nat["K"][k, i] - K[i])
                vals[m.ngdp_lag[r]] = lags["ngdp"][r]
                vals[m.ngdp_path[r]] = nat["ngdp"][k, i]
                vals[m.ngdp_path_lag[r]] = nat["ngdp"][k - 1, i]
                vals[m.cpi_path[r]] = nat["cpi"][k, i]
                vals[m.ur_nat[r]] = nat["ur"][k, i]
                vals[m.demand_shock[r]] = float(shocks.get(r, {}).get(year, 0.0))
                for h in L:
                    vals[m.w_lag[h, r]] = lags["w"][h, r]
                    vals[m.g_w[h, r]] = nat["gw"][k, L.index(h), i]
                    vals[m.u_nat[h, r]] = nat["u"][k, L.index(h), i]
                for j in I:
                    vals[m.py_lag[j, r]] = lags["py"][j, r]
            for gr in G:
                vals[m.border_lag[gr]] = lags["border"][gr]
                vals[m.dollar_lag[gr]] = lags["dollar"][gr]
            new.update({key: (q, float(v)) for key, (q, v) in vals.items()})
            if self.flexible_wages:
                for h in L:
                    for r in R:
                        new[id(m.U[h, r])] = (m.U[h, r], float(vals[id(m.u_nat[h, r])][1]))
            sol = self._solve_year(year, new)
            inv = real_investment(self.model)
            rec = self._record(year, K, n, inv, sol)
            rec = self._record_monetary(rec)
            recs.append(rec)
            # lags for next year: this year's values in this year's deflated units (the
            # inflation equations add the unit's trend back)
            for r in R:
                lags["cpi"][r] = pyo.value(m.ER[r] * m.P_H["household", r])
                lags["pi"][r] = pyo.value(m.PI[r])
                lags["i"][r] = pyo.value(m.IR[r])
                lags["ngdp"][r] = pyo.value(m.ER[r] * m.INC[r])
                for h in L:
                    lags["w"][h, r] = pyo.value(m.ER[r] * m.W[h, r])
                for j in I:
                    lags["py"][j, r] = pyo.value(m.ER[r] * m.PY[j, r])
            for gr in G:
                lags["border"][gr] = pyo.value(m.ER[gr[1]] * m.BORDER[gr])
                lags["dollar"][gr] = pyo.value(m.BORDER[gr])
            K = capital_next(K, inv, self.delta, 1)
        return self._assemble(recs, years[k0:], natural, scenario, shocks)

    def _record_monetary(self, rec) -> xr.Dataset:
        m, R, I = self.model.pyomo, self.params.regions, list(self.model.pyomo.I)
        v = lambda comp: np.array([pyo.value(comp[r]) for r in R])  # noqa: E731
        D = ("region",)
        omega = np.full((len(GROUPS), len(R)), 1.0)
        for (g, r) in m.PTG:
            omega[GROUPS.index(g), R.index(r)] = pyo.value(m.OMEGA[g, r])
        rec.update({                    # one update: each assignment would copy rec
            "inflation": (D, 100 * v(m.PI)),
            "inflation_expected": (D, 100 * v(m.pi_e)),
            "policy_rate": (D, 100 * v(m.IR)),
            "shadow_rate": (D, 100 * v(m.RULE_TARGET)),
            "real_rate": (D, 100 * (v(m.IR) - v(m.pi_e))),
            "unemployment_regional": (D, v(m.UR)),
            "unemployment_natural": (D, v(m.ur_nat)),
            "exchange_rate_natural": (D, v(m.e_nat)),
            "foreign_saving_response": (D, v(m.FSR)),
            "consumption_gap": (D, -100 * v(m.CGAP)),
            "demand_shock": (D, 100 * v(m.demand_shock)),
            "import_price_wedge": (("commodity_group", "region"), omega),
            "markup": (("sector", "region"), np.array([[pyo.value(m.MARKUP[j, r]) for r in R] for j in I])),
        })
        return rec.assign_coords(commodity_group=list(GROUPS))

    def _assemble(self, recs, years, natural, scenario, shocks=None) -> xr.Dataset:
        ds = xr.concat(recs, dim=xr.DataArray(years, dims="year", name="year"))
        R = self.params.regions
        a = self.areas
        tr = pyo.value(self.model.pyomo.trend)
        new = {}                        # added in one update: each assignment would copy ds
        new["employment_total"] = ds["employment"].sum("sector").assign_attrs(
            {"long_name": "employment, all sectors", "units": "thousand persons"})
        new["inflation_target"] = xr.DataArray([100 * a[r].inflation_target for r in R], dims="region",
                                               coords={"region": ds.region})
        new["lower_bound"] = xr.DataArray([100 * a[r].elb for r in R], dims="region", coords={"region": ds.region})
        gap = new["inflation_gap"] = ds["inflation"] - new["inflation_target"]
        ugap = new["unemployment_gap"] = 100 * (ds["unemployment_regional"] - ds["unemployment_natural"])
        nat_gdp = natural["real_gdp"].sel(year=years)
        new["output_gap"] = 100 * np.log(ds["real_gdp"] / nat_gdp)
        new["at_lower_bound"] = ds["shadow_rate"] < new["lower_bound"]
        new["target_missed"] = abs(gap) > 100 * self.settings.band
        # sources of inflation in undeflated local currency: the unit's deflator
        # D_t = exp(tau (t - t0 + 1)) multiplies every world price alike
        parts = {k: np.full((len(years), len(R)), np.nan) for k in ("imp", "dom", "mid", "er_imp", "er_mid")}
        used = [v for v in ("household_budget_share", "household_domestic_share", "exchange_rate",
                            "domestic_price", "import_price", "cpi_local", "intermediate_cost_share_domestic",
                            "intermediate_cost_share_imported") if v in recs[0]]

        def undeflate(rec, j):
            d = math.exp(tr * (j + 1))
            rec = rec[used]
            return rec.assign(domestic_price=rec.domestic_price * d, import_price=rec.import_price * d,
                              cpi_local=rec.cpi_local * d)
        first = self._first_lag_record
        for j in range(len(years)):
            prev = undeflate(recs[j - 1], j - 1) if j else first
            dec = cpi_decomposition(prev, undeflate(recs[j], j))
            parts["imp"][j], parts["dom"][j] = dec["cpi_import_pct"].values, dec["cpi_domestic_pct"].values
            parts["mid"][j] = dec["cpi_imported_intermediates_pct"].values
            parts["er_imp"][j] = dec["cpi_exchange_rate_import_pct"].values
            parts["er_mid"][j] = dec["cpi_exchange_rate_intermediates_pct"].values
        YR = ("year", "region")
        new["inflation_import"] = (YR, parts["imp"])
        new["inflation_domestic"] = (YR, parts["dom"])
        # the domestic part: import content of domestic prices (input-output price model on
        # the two years' average cost shares) and domestic value added (the rest)
        new["inflation_imported_intermediates"] = (YR, parts["mid"])
        new["inflation_domestic_value_added"] = (YR, parts["dom"] - parts["mid"])
        # the exchange rate against the anchor currency in the two imported parts
        new["inflation_exchange_rate"] = (YR, parts["er_imp"] + parts["er_mid"])
        new["inflation_import_foreign"] = (YR, parts["imp"] - parts["er_imp"])
        new["inflation_imported_intermediates_foreign"] = (YR, parts["mid"] - parts["er_mid"])
        beta = self.settings.beta
        disc = xr.DataArray(beta ** np.arange(len(years)), dims="year", coords={"year": years})
        new["loss_inflation"] = (disc * gap ** 2).sum("year")
        new["loss_unemployment"] = (disc * ugap ** 2).sum("year")
        lams = xr.DataArray(list(self.settings.loss_lambdas), dims="loss_lambda")
        new["loss"] = new["loss_inflation"] + lams * new["loss_unemployment"]
        ds.update(new)
        ds = ds.assign_coords(loss_lambda=lams.values)
        ds.attrs.update({
            "run": "monetary", "scenario": scenario.name, "variant": scenario.variant,
            "anchor": self.anchor,
            "regimes": "; ".join(f"{r}: {self.regimes[r]}" for r in R),
            "flexible_wages": int(self.flexible_wages),
            "commodity_groups": ", ".join(f"{i}: {g}" for i, g in self.groups.items()),
            "demand_shock": "; ".join(f"{r}: {v}" for r, v in (shocks or {}).items()) or "none",
            "nominal_unit": f"nominal levels in {self.anchor} currency deflated by its target path "
                            f"exp({tr:g} t); inflation rates add the trend back",
            "gaps": "against the natural path: the same scenario with flexible wages and prices",
            **{f"setting_{k}": str(v) for k, v in self.settings.__dict__.items()},
        })
        from ..metadata import describe
        return describe(ds, override=False)


class _ById(dict):
    """{id(q): (q, value)} filled by ``d[q] = value`` (Pyomo data objects are unhashable)."""

    def __setitem__(self, q, v):
        super().__setitem__(id(q), (q, v))


def check_start(start, first, last, step=1):
    """The monetary path starts after the base (data) year and not after the last year."""
    if step != 1:
        raise NominalError(f"the monetary path needs yearly periods, got a step of {step} years")
    if not first < start <= last:
        raise NominalError(f"the monetary path's start year {start} must be after the base (data) year "
                           f"{first} and not after the last year {last}")


def _natural_arrays(natural: xr.Dataset, p, L, A, areas, k0, m=None, groups=None) -> dict:
    """Natural-path arrays by year index: CPI P^n, wages W^n (labour, region), real-wage
    growth, investment, capital, unemployment, natural exchange rates, local nominal income
    and CPI, producer prices (sector, region) in deflated units (the anchor's CPI on its
    target path from year k0 - 1) and border import price indices by commodity group."""
    R = p.regions
    years = natural.year.values
    P = natural["cpi"].transpose("year", "region").values
    W = natural["factor_price"].sel(factor=L).transpose("year", "factor", "region").values
    rw = np.log(W / P[:, None, :])
    gw = np.zeros_like(rw)
    gw[1:] = rw[1:] - rw[:-1]
    ia = R.index(A)
    scale = P[k0 - 1, ia] / P[:, ia]                      # world unit -> deflated anchor currency
    t = np.arange(len(years)) - (k0 - 1)
    pis = np.array([areas[r].inflation_target for r in R])
    e = np.exp(np.outer(t, pis - areas[A].inflation_target)) * P[k0 - 1] / (P * scale[:, None])
    inc = natural["income"].transpose("year", "region").values / p["income"]
    u = natural["unemployment_rate_by_skill"].sel(labour=L).transpose("year", "labour", "region").values \
        if "unemployment_rate_by_skill" in natural else \
        np.repeat(natural["unemployment_rate"].transpose("year", "region").values[:, None, :], len(L), 1)
    PY = natural["producer_price"].transpose("year", "sector", "region").values
    out = {"P": P, "W": W, "gw": gw, "e": e, "ngdp": e * scale[:, None] * inc, "cpi": e * scale[:, None] * P,
           "PY": PY * (e * scale[:, None])[:, None, :],
           "I": natural["investment"].transpose("year", "region").values,
           "K": natural["capital_stock"].transpose("year", "region").values,
           "u": u, "ur": natural["unemployment_rate"].transpose("year", "region").values}
    if m is not None:             # border prices by group in world units (lag year: e = 1, scale = 1)
        PM = natural["import_price"].transpose("year", "commodity", "region")
        w = import_weights(p, groups, m)
        out["B"] = {(g, r): sum(x * PM.sel(commodity=i, region=r).values for i, x in wi.items())
                    for (g, r), wi in w.items()}
    return out


def natural_path(params, scenario, periods: Periods, projections=None, baseline=None):
    """The natural path: ``scenario`` with flexible wages (and the baseline it starts from)."""
    dyn = DynamicModel(params, projections, periods, natural_closure())
    base = baseline if baseline is not None else dyn.baseline()
    return base, dyn.run(scenario, base)


def monetary_paths(params, scenario, regimes: dict, start: int, periods: Periods,
                   areas: dict | None = None, settings: Settings | None = None, projections=None,
                   anchor: str = "USA", natural=None, baseline=None, progress=None,
                   groups: dict | None = None, demand_shock: dict | None = None) -> xr.Dataset:
    """``scenario`` under each named set of regimes ({name: {region: regime}}), years
    ``start``..``periods.end``; results with a ``regime`` dimension. ``demand_shock``:
    {region: {year: d}} as in :meth:`MonetaryModel.run`. Every regime set is checked before
    anything is solved."""
    for name, spec in regimes.items():
        try:
            resolve_regimes(spec, params.regions, anchor)
        except DynamicsError as err:
            raise NominalError(f"regime set {name!r}: {err}") from None
    areas_for(params.regions, areas)
    commodity_groups(params, groups)
    if natural is None:
        baseline, natural = natural_path(params, scenario, periods, projections, baseline)
    runs = []
    for name, spec in regimes.items():
        if progress is not None:
            progress(f"regime {name}")
        mon = MonetaryModel(params, spec, areas, settings, projections, periods, anchor, groups=groups)
        runs.append(mon.run(scenario, natural, start, baseline, demand_shock).expand_dims(regime=[name]))
    out = xr.concat(runs, dim="regime", combine_attrs="drop_conflicts")
    out.attrs["regimes"] = " | ".join(f"{n}: {v}" for n, v in regimes.items())
    return out


# -- the shipped experiment: regimes for a group of regions ---------------------------------
def regime_sets(regimes: dict, regions, anchor: str, others="flexible_it",
                anchor_under_peg="strict_it") -> dict:
    """{name: regime} for ``regions`` -> {name: {region: regime}}; other regions keep
    ``others``; under a peg the anchor keeps ``anchor_under_peg`` (it cannot peg)."""
    out = {}
    for name, spec in regimes.items():
        spec = spec if isinstance(spec, str) else tuple(spec)
        kind = spec if isinstance(spec, str) else spec[0]
        one = {"*": others}
        for r in regions:
            one[r] = anchor_under_peg if (kind == "peg" and r == anchor) else spec
        out[name] = one
    return out


def combine(scenarios, name: str | None = None):
    """One scenario with the shocks of several (their [model] tables must agree)."""
    from ..scenario import Scenario
    first = scenarios[0]
    for s in scenarios[1:]:
        if s.model != first.model:
            raise NominalError(f"scenarios {first.name} and {s.name} need different models "
                                f"({first.model} vs {s.model})")
    groups = {k: dict(v) for k, v in first.groups.items()}
    for s in scenarios[1:]:
        for k, v in s.groups.items():
            groups.setdefault(k, {}).update(v)
    return Scenario(name or "+".join(s.name for s in scenarios), [x for s in scenarios for x in s.shocks],
                    description=" ".join(s.description.strip() for s in scenarios),
                    source=" ".join(s.source.strip() for s in scenarios), groups=groups,
                    variant=first.variant, model=dict(first.model))


def rule_frontier(params, scenario, regions, start, periods, phi_u=(0.0, 0.5, 1.0, 2.0, 4.0),
                  phi_pi: float = 1.5, others="flexible_it", natural=None, baseline=None,
                  **kw) -> xr.Dataset:
    """Discounted squared inflation and unemployment gaps for rules with a rising response
    to the unemployment gap (the inflation-unemployment frontier over lambda)."""
    sets = {f"phi_u={x:g}": {"*": others, **{r: ("rule", phi_pi, x) for r in regions}} for x in phi_u}
    res = monetary_paths(params, scenario, sets, start, periods, natural=natural, baseline=baseline, **kw)
    out = res[["loss_inflation", "loss_unemployment"]].rename(regime="rule_phi_u")
    return out.assign_coords(rule_phi_u=list(phi_u))


def with_path(scenario, params, path=None):
    """``scenario`` for a path: its price-target shocks replaced by the shocks that deliver the
    targets at the benchmark (Scenario.implied on the static model with the scenario's
    closure), and ``path`` ({linear = {...}}, {logistic = {...}} or {table = {...}}) given to
    every shock without one."""
    from dataclasses import replace
    if scenario.has_targets:
        model = CGEModel(params, scenario.make_closure())
        scenario.validate(model)
        scenario.prepare(model)
        model.solve()
        scenario = scenario.implied(model)
    if path is None:
        return scenario
    p = parse_path(path)
    return replace(scenario, shocks=[s if s.path is not None else replace(s, path=p) for s in scenario.shocks])


#: keys of the [dynamic] table of a policy file
DYNAMIC_KEYS = ("years", "regions", "anchor", "others", "anchor_under_peg", "reference", "frontier_phi_u",
                "scenarios", "regimes", "settings", "areas", "projections", "variant", "commodity_groups")


# -- the [dynamic] table of a policy file ---------------------------------------------------
@dataclass
class ExperimentPlan:
    """A checked ``[dynamic]`` table: everything needed to run it, nothing solved yet."""
    name: str
    first: int
    last: int
    regions: list
    anchor: str
    sets: dict
    scenarios: dict
    settings: Settings
    areas: dict | None
    periods: Periods
    projections: object
    dataset: object
    reference: bool
    frontier_phi_u: list | None
    others: object
    groups: dict | None = None


@dataclass
class ExperimentRun:
    """One scenario of an experiment under every regime set (and the no-shock reference and
    the rule frontier, when asked for)."""
    name: str
    scenario: object
    result: xr.Dataset
    reference: xr.Dataset | None
    frontier: xr.Dataset | None


def plan_experiment(spec: dict, base_dir, ds, years=None, variant=None) -> ExperimentPlan:
    """Check the ``[dynamic]`` table of a policy file against the dataset: years, regions,
    regimes, area parameters, settings and scenario files; clear errors before any solve."""
    from pathlib import Path
    from ..scenario import Scenario
    from ..errors import check_keys
    dyn = spec.get("dynamic")
    if not dyn:
        raise NominalError("the policy file has no [dynamic] table")
    check_keys(dyn, DYNAMIC_KEYS, "the [dynamic] table", NominalError)
    first, last = years or dyn.get("years", (2025, 2035))
    data_year = int(ds.attrs.get("year", 2011))
    if not data_year < first <= last:
        raise NominalError(f"years {first}:{last}: the first year must be after the base (data) year "
                            f"{data_year} and not after the last")
    regions = dyn.get("regions", ["USA", "EU", "JPN"])
    anchor = dyn.get("anchor", "USA")
    known = sorted(map(str, ds["region"].values))
    if set(regions) - set(known) or anchor not in known:
        raise NominalError(f"unknown region(s) {sorted(set(regions + [anchor]) - set(known))}; known {known}")
    others = dyn.get("others", "flexible_it")
    sets = regime_sets(dyn["regimes"], regions, anchor, others, dyn.get("anchor_under_peg", "strict_it"))
    for name, one in sets.items():
        try:
            resolve_regimes(one, known, anchor)
        except DynamicsError as err:
            raise NominalError(f"regime {name!r}: {err}") from None
    settings = settings_from(dyn.get("settings"))
    if dyn.get("commodity_groups"):
        from .. import calibrate
        commodity_groups(calibrate(ds), dyn["commodity_groups"])
    areas = dyn.get("areas")
    areas_for(known, areas)
    if not dyn.get("scenarios"):
        raise NominalError("[dynamic.scenarios] is empty")
    scens = {}
    for name, entry in dyn["scenarios"].items():
        path = demand = None
        if isinstance(entry, dict):           # {files = [...], path = {linear = {...}}, demand_shock = {...}}
            bad = sorted(set(entry) - {"files", "path", "demand_shock"})
            if bad or "files" not in entry:
                raise NominalError(f"[dynamic.scenarios] {name}: a list of scenario files or a table with "
                                   f"'files' and an optional 'path' and 'demand_shock'; got keys {sorted(entry)}")
            path = entry.get("path")
            demand = demand_shock_from(entry.get("demand_shock"), known, first, last,
                                       f"[dynamic.scenarios] {name}")
            entry = entry["files"]
            try:
                parse_path(path)
            except PathError as err:
                raise NominalError(f"[dynamic.scenarios] {name}: {err}") from None
        files = [entry] if isinstance(entry, str) else list(entry)
        parts = [Scenario.from_toml(Path(base_dir) / f, variant=variant or dyn.get("variant")) for f in files]
        scens[name] = (combine(parts, name), path, demand)
    projections = None                     # the shipped projections (default dataset)
    if dyn.get("projections") == "constant":   # uniform drivers, no growth (other datasets)
        from .projections import Projections
        projections = Projections.constant(known, data_year, last)
    elif dyn.get("projections") not in (None, "default"):
        raise NominalError(f"projections must be 'default' or 'constant', got {dyn['projections']!r}")
    return ExperimentPlan(spec.get("name", "inflation_targeting"), first, last, regions, anchor, sets,
                          scens, settings, areas, Periods(data_year, last), projections, ds,
                          dyn.get("reference", True), dyn.get("frontier_phi_u"), others, dyn.get("commodity_groups"))


def demand_shock_from(spec, regions, first: int, last: int, where: str) -> dict | None:
    """A checked ``demand_shock`` table {region: {year: d}} (d: the share of consumption
    spending saved instead, -0.5 < d < 0.5; years first..last): {region: {int year: d}}."""
    if spec is None:
        return None
    if not isinstance(spec, dict) or not spec:
        raise NominalError(f"{where}: demand_shock must be a table {{region = {{year = share}}}}, got {spec!r}")
    out = {}
    for r, by_year in spec.items():
        if r not in regions:
            raise NominalError(f"{where}: demand shock for unknown region {r!r}; known: {list(regions)}")
        if not isinstance(by_year, dict) or not by_year:
            raise NominalError(f"{where}: demand_shock.{r} must be a table {{year = share}}, got {by_year!r}")
        out[r] = {}
        for y, d in by_year.items():
            try:
                year, d = int(y), float(d)
            except (TypeError, ValueError):
                raise NominalError(f"{where}: demand_shock.{r}: {y!r} = {d!r} is not year = number") from None
            if not first <= year <= last:
                raise NominalError(f"{where}: demand_shock.{r}: year {year} is outside the run {first}-{last}")
            if not np.isfinite(d) or abs(d) >= 0.5:
                raise NominalError(f"{where}: demand_shock.{r}.{year} = {d}: a share of consumption "
                                   f"spending between -0.5 and 0.5")
            out[r][year] = d
    return out


def experiment(plan: ExperimentPlan, log=print):
    """Run a checked experiment; yields an ExperimentRun per scenario and writes one
    progress line per step to ``log`` (calibration, baseline, natural path, each regime)."""
    import time
    from .. import calibrate
    from ..scenario import Scenario
    t0 = time.perf_counter()

    def progress(what):
        log(f"[{time.perf_counter() - t0:6.1f} s] {what}")
    cache = {}
    for name, (scen, path, demand) in plan.scenarios.items():
        key = tuple(sorted(scen.calibration_options().items()))
        if key not in cache:
            progress(f"calibrating ({', '.join(f'{k}={v}' for k, v in key) or 'default model'}); "
                     f"baseline {plan.periods.start}-{plan.last}")
            params = calibrate(plan.dataset, **scen.calibration_options())
            base = DynamicModel(params, plan.projections, plan.periods, natural_closure()).baseline()
            ref = None
            if plan.reference:
                none = Scenario("no_shock", [], groups=scen.groups)
                ref = monetary_paths(params, none, plan.sets, plan.first, plan.periods, plan.areas,
                                     plan.settings, plan.projections, anchor=plan.anchor, natural=base,
                                     baseline=base, progress=lambda g: progress(f"no shock: {g}"), groups=plan.groups)
                ref.attrs["scenario"] = "no_shock"
            cache[key] = (params, base, ref)
        params, base, ref = cache[key]
        if scen.has_targets or path is not None:
            progress(f"{name}: price targets and paths of the shocks")
            scen = with_path(scen, params, path)
        progress(f"{name}: natural path (flexible wages and prices)")
        _, natural = natural_path(params, scen, plan.periods, plan.projections, baseline=base)
        res = monetary_paths(params, scen, plan.sets, plan.first, plan.periods, plan.areas, plan.settings,
                             plan.projections, anchor=plan.anchor, natural=natural, baseline=base,
                             progress=lambda g: progress(f"{name}: {g}"), groups=plan.groups,
                             demand_shock=demand)
        res.attrs.update({"scenario": name, "variant": scen.variant})
        front = None
        if plan.frontier_phi_u:
            progress(f"{name}: rule frontier over phi_u = {list(plan.frontier_phi_u)}")
            front = rule_frontier(params, scen, plan.regions, plan.first, plan.periods, plan.frontier_phi_u,
                                  others=plan.others, natural=natural, baseline=base, areas=plan.areas,
                                  settings=plan.settings, projections=plan.projections, anchor=plan.anchor,
                                  groups=plan.groups, demand_shock=demand)
            front.attrs.update({"scenario": name, "variant": scen.variant})
        progress(f"{name}: done")
        yield ExperimentRun(name, scen, res, ref, front)
