"""Historical simulation from the data year (2011) to 2024, MONASH style.

Observed variables are exogenous and the unobserved shifters that reproduce them are
endogenous (Dixon and Rimmer 2002, Dynamic General Equilibrium Modelling for Forecasting
and Policy, ch. 5). Two points are solved on the model calibrated to 2011, 2024 and 2022
(for the one target that is a change over 2022-24):

exogenous (imposed, ``IMPOSED`` rows of the targets file):
    labour endowment   E[l,j,r] = vfm[l,j,r] N_r                   (working-age population)
    tariffs            t_m[i,s,r] += dt  for goods i               (2018-25 US-China tariffs)

endogenous shifters u (one per fitted target kind and region, see ``shifters``):
    lambda_r     aug[l,j,r] = exp(u)          region-wide labour-augmenting productivity
    tfp_manuf_r  A[j,r] = exp(u), j in manufactures    manufacturing TFP (sector group)
    saving_r     CA_r = -FS_r rises by u % of benchmark GDP, the counterpart spread over the
                 regions without a balance target by benchmark GDP (sum_r FS_r unchanged)
    margin_r     m_K[j,r] = u, j in manufactures    pricing below cost ("involution": price wars
                 compressing profits), the loss borne by capital income, so value added at
                 current prices (factor payments less the loss) falls with the prices

Capital stocks adjust so that the real rate of return on capital (rental / price of
investment goods) stays at its 2011 level (GTAP's long-run closure, ``Closure.from_preset(
"long_run")``): thirteen years are long enough for capital to follow returns, and no
observed capital stocks are needed.

The 2022 point has the growth-type quantities (log endowments, lambda, TFP) and the saving
shifts at 11/13 of their 2011-24 change (constant growth), the tariffs in full (in force
since 2019) and no margin (the price wars of 2023-24).

Targets h_k (``FITTED``) are fitted by least squares over the compiled equilibrium:

    min_u  1/2 sum_k rho_k(u)^2,   rho_k = h_k(x_2024(u)[, x_2022(u)]) - T_k

(growth rates in 100 log points, shares and balances in percentage points) subject to
g(x_t, p_t(u)) = 0 at both points, solved by Ipopt (cyipopt) in the reduced space of u with
the Gauss-Newton Hessian J^T J and implicit-function derivatives (cgetrade.optimal):

    dh/du = dh/dp V_t - lambda^T (dg/dp V_t),   (dg/dx)^T lambda = (dh/dx)^T,
    V_t = dp_t/du.

:func:`benchmark_at` turns the solved 2024 point into a benchmark dataset (values at 2024
prices, the schema of cgetrade.data.schema), the 2024 base.
"""
from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from .errors import InputError, suggest

FIRST, LAST, MID = 2011, 2024, 2022
#: manufacturing sectors of the default aggregation
MANUFACTURES = ("LMF", "CHM", "MAC", "ELE")
GOODS = ("AGR", "ENE", "LMF", "CHM", "MAC", "ELE")
COLUMNS = ("target", "region", "value", "unit", "source")
#: fitted target kinds: unit
FITTED = {"real_gdp_growth": "% 2011-2024",
          "manufacturing_va_share_world": "% of world",
          "goods_balance": "% of GDP",
          "export_price_index_2022_2024": "% relative to world export prices",
          "real_exchange_rate_change": "% 2011-2024"}
#: observed variables imposed exogenously: unit
IMPOSED = {"labour_force_growth": "% 2011-2024",
           "tariff_on_imports_from_CHN": "pp", "tariff_on_imports_from_USA": "pp",
           "world_nominal_gdp": "USD bn"}
#: kinds stated for the world as a whole (region "world")
WORLD_KINDS = ("world_nominal_gdp",)
#: untargeted facts compared with the model (facts file): unit
FACTS = {"export_volume_growth": "% 2011-2024",
         "import_price_from_CHN_relative": "% 2011-2024",
         "import_share_of_CHN": "% of goods imports",
         "gdp_share_world": "% of world",
         "manufacturing_share_of_va": "% of GDP",
         "manufacturing_employment_growth": "% 2011-2024",
         "real_exchange_rate_2022_2024": "%"}
GROWTH_FRACTION = (MID - FIRST) / (LAST - FIRST)


class HistoryError(InputError):
    """A targets or facts file of the historical simulation is invalid, or the targets
    cannot be fitted."""


@dataclass(frozen=True)
class Row:
    target: str
    region: str
    value: float
    unit: str
    source: str


def read_rows(path, regions, kinds: dict) -> list[Row]:
    """Rows of a targets (or facts) file, columns ``COLUMNS``, validated against the regions
    of the dataset and the known ``kinds`` {name: unit}; every row needs a source."""
    path = Path(path)
    if not path.exists():
        raise HistoryError(f"targets file not found: {path}")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise HistoryError(f"{path.name}: columns must be {', '.join(COLUMNS)}, got "
                               f"{', '.join(reader.fieldnames or ())}")
        raw = list(reader)
    rows, seen = [], set()
    for n, r in enumerate(raw, 2):
        where = f"{path.name} line {n} ({r['target']}, {r['region']})"
        if r["target"] not in kinds:
            raise HistoryError(f"{where}: unknown target {r['target']!r}{suggest(r['target'], kinds)}; "
                               f"known: {', '.join(kinds)}")
        if r["target"] in WORLD_KINDS:
            if r["region"] != "world":
                raise HistoryError(f"{where}: {r['target']} is stated for region 'world'")
        elif r["region"] not in regions:
            raise HistoryError(f"{where}: unknown region {r['region']!r}{suggest(r['region'], regions)}; "
                               f"regions of the dataset: {', '.join(regions)}")
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            raise HistoryError(f"{where}: value must be a number, got {r['value']!r}") from None
        if not math.isfinite(value):
            raise HistoryError(f"{where}: value must be finite, got {value}")
        if r["unit"] != kinds[r["target"]]:
            raise HistoryError(f"{where}: unit must be {kinds[r['target']]!r}, got {r['unit']!r}")
        if not (r["source"] or "").strip():
            raise HistoryError(f"{where}: every value needs its source")
        if (r["target"], r["region"]) in seen:
            raise HistoryError(f"{where}: stated twice")
        seen.add((r["target"], r["region"]))
        rows.append(Row(r["target"], r["region"], value, r["unit"], r["source"].strip()))
    return rows


def read_targets(path, regions) -> tuple[list[Row], list[Row]]:
    """(fitted targets, imposed observations) of a targets file."""
    rows = read_rows(path, regions, {**FITTED, **IMPOSED})
    fitted = [r for r in rows if r.target in FITTED]
    imposed = [r for r in rows if r.target in IMPOSED]
    if not fitted:
        raise HistoryError(f"{Path(path).name} has no fitted target ({', '.join(FITTED)})")
    bal = [r.region for r in fitted if r.target == "goods_balance"]
    if bal and len(bal) == len(regions):
        raise HistoryError("goods_balance targets for every region: the counterpart of the saving "
                           "shifters needs at least one region without a balance target")
    for r in imposed:
        if r.target == "world_nominal_gdp" and not r.value > 0:
            raise HistoryError(f"world_nominal_gdp must be positive, got {r.value}")
        if r.target == "labour_force_growth" and not r.value > -100:
            raise HistoryError(f"labour_force_growth of {r.region} must be > -100 %, got {r.value}")
    return fitted, imposed


@dataclass
class Shifter:
    """An endogenous shifter: ``cells`` [(ParamData, weight)] move as value = exo exp(c u w)
    (``how = "log"``) or exo + c u w (``"add"``), c the point's coefficient (``at``)."""
    name: str
    region: str
    how: str
    cells: list
    at: dict               # year -> coefficient c
    lower: float
    upper: float


class History:
    """The historical simulation on ``model`` (calibrated to 2011 with one labour type, the
    long-run closure): imposed observations, shifters, the two points and their least-squares
    fit."""

    def __init__(self, model, fitted: list[Row], imposed: list[Row]):
        self.model, self.fitted, self.imposed = model, fitted, imposed
        par = model.params
        self.regions = par.regions
        labour = [f for f in par.factors if f != "capital"]
        if labour != ["labour"]:
            raise HistoryError("the historical simulation runs on the model with one labour type "
                               f"(calibrate without skills), got factors {par.factors}")
        inc0 = par.data["income"]
        self.inc0 = {r: float(inc0.sel(region=r)) for r in self.regions}
        self._exogenous(imposed)
        self.shifters = self._shifters(fitted)
        self.names = [s.name for s in self.shifters]
        self._outputs()
        self._state = {}
        self.evaluations = 0

    # -- the exogenous parameters of each point ---------------------------------------------
    def _exogenous(self, imposed):
        m, par = self.model.pyomo, self.model.params
        vfm, F, I = par["vfm"], par.factors, par.sectors
        n = {r: 1.0 for r in self.regions}
        tariffs = {}
        for row in imposed:
            if row.target == "labour_force_growth":
                n[row.region] = 1 + row.value / 100
            elif row.target in WORLD_KINDS:
                continue
            else:
                src = row.target.rsplit("_", 1)[1]
                if src not in self.regions:
                    raise HistoryError(f"{row.target}: unknown source region {src!r}")
                tariffs[(row.region, src)] = row.value / 100
        self.labour_index = n
        exo = {LAST: {}, MID: {}}                 # year -> {id: (ParamData, value)}
        for k, r in enumerate(self.regions):
            for jj, j in enumerate(I):
                q = m.endowment["labour", j, r]
                v0 = float(vfm[F.index("labour"), jj, k])
                exo[LAST][id(q)] = (q, v0 * n[r])
                exo[MID][id(q)] = (q, v0 * n[r] ** GROWTH_FRACTION)
        for (r, s), dt in tariffs.items():
            for i in GOODS:
                if (i, s, r) in m.BT:
                    q = m.tm[i, s, r]
                    exo[LAST][id(q)] = exo[MID][id(q)] = (q, pyo.value(q) + dt)
        self.tariffs = tariffs
        self.exo = exo

    def _shifters(self, fitted) -> list[Shifter]:
        m = self.model.pyomo
        out = []
        manuf = [j for j in MANUFACTURES if j in m.I_idx]
        grow = {LAST: 1.0, MID: GROWTH_FRACTION}
        bal = [r.region for r in fitted if r.target == "goods_balance"]
        others = [r for r in self.regions if r not in bal]
        gdp_others = sum(self.inc0[s] for s in others)
        for row in fitted:
            r = row.region
            if row.target == "real_gdp_growth":
                out.append(Shifter(f"lambda_{r}", r, "log", [(m.aug["labour", j, r], 1.0) for j in m.I],
                                   grow, -1.0, 2.5))
            elif row.target == "manufacturing_va_share_world":
                out.append(Shifter(f"tfp_manuf_{r}", r, "log", [(m.tfp[j, r], 1.0) for j in manuf],
                                   grow, -1.0, 1.5))
            elif row.target == "goods_balance":
                unit = self.inc0[r] / 100                 # u in % of r's benchmark GDP
                cells = [(m.fsav[r], -unit)] + [(m.fsav[s], unit * self.inc0[s] / gdp_others) for s in others]
                out.append(Shifter(f"saving_{r}", r, "add", cells, grow, -15.0, 15.0))
            elif row.target == "export_price_index_2022_2024":
                out.append(Shifter(f"margin_{r}", r, "add", [(m.margin[j, r], 1.0) for j in manuf],
                                   {LAST: 1.0, MID: 0.0}, -0.2, 0.3))
        return out

    def params_at(self, year, u) -> dict:
        """{id: (ParamData, value)} of the point ``year`` at shifters ``u``."""
        val = dict(self.exo[year])
        for s, uk in zip(self.shifters, u):
            c = s.at[year]
            for q, w in s.cells:
                base = val[id(q)][1] if id(q) in val else self._bench[id(q)]
                val[id(q)] = (q, base * math.exp(c * w * uk) if s.how == "log" else base + c * w * uk)
        return val

    def _directions(self, year, values) -> np.ndarray:
        """V = dp/du (parameters of the compiled NLP x shifters) at the point's values."""
        V = np.zeros((len(self.model.nlp.param_data), len(self.shifters)))
        for k, s in enumerate(self.shifters):
            c = s.at[year]
            for q, w in s.cells:
                V[self._position[id(q)], k] = c * w * (values[id(q)][1] if s.how == "log" else 1.0)
        return V

    # -- outputs: the targeted measures as expressions of the model ------------------------
    def _outputs(self):
        from .model.factors import factor_price
        from .model.trade import export_price
        from .pricetargets import export_price_index, export_weights
        m, par = self.model.pyomo, self.model.params
        from .dynamics.recursive import real_gdp_measure
        gdp = real_gdp_measure(par)
        manuf = [j for j in MANUFACTURES if j in m.I_idx]
        goods = [i for i in GOODS if i in m.I_idx]
        weights = export_weights(self.model)
        w_inc = {r: self.inc0[r] / sum(self.inc0.values()) for r in self.regions}

        def mva(r):
            return sum(factor_price(m, f, j, r) * m.FD[f, j, r] for f in m.F for j in manuf) \
                - sum(m.LOSS_K[j, r] for j in manuf)
        exprs, self.rows = [], []
        for row in self.fitted:
            r = row.region
            if row.target == "real_gdp_growth":
                e = gdp(m, r) / float(pyo.value(gdp(m, r)))
            elif row.target == "manufacturing_va_share_world":
                e = mva(r) / sum(mva(s) for s in m.R)
            elif row.target == "goods_balance":
                exp_ = sum(export_price(m, i, r) * m.X[i, r, s] for i in goods for s in m.R if (i, r, s) in m.BT)
                imp = sum(export_price(m, i, s) * m.X[i, s, r] for i in goods for s in m.R if (i, s, r) in m.BT)
                e = 100 * (exp_ - imp) / (m.INC[r] * self.inc0[r])
            elif row.target == "export_price_index_2022_2024":
                e = export_price_index(m, weights, manuf, r)
            else:                                             # real_exchange_rate_change
                e = m.P_H["household", r] / sum(w_inc[s] * m.P_H["household", s] for s in m.R)
            exprs.append(e)
        nlp = self.model.nlp
        self._position = {id(q): k for k, q in enumerate(nlp.param_data)}
        self._bench = {id(q): pyo.value(q) for q in nlp.param_data}
        self._bench_x = nlp.x_from_model()
        self.f, self.f_dir = nlp.outputs(exprs)

    def residuals(self, h24, h22) -> np.ndarray:
        """rho_k: 100 log points for growth rates and price changes, pp for shares and balances."""
        out = []
        for row, a, b in zip(self.fitted, h24, h22):
            if row.target == "manufacturing_va_share_world":
                out.append(100 * a - row.value)
            elif row.target == "goods_balance":
                out.append(a - row.value)
            elif row.target == "export_price_index_2022_2024":
                out.append(100 * (math.log(a / b) - math.log1p(row.value / 100)))
            else:
                out.append(100 * (math.log(a) - math.log1p(row.value / 100)))
        return np.array(out)

    def model_value(self, row, a, b) -> float:
        """The model's value of a fitted target in the target's unit."""
        if row.target == "manufacturing_va_share_world":
            return 100 * a
        if row.target == "goods_balance":
            return a
        if row.target == "export_price_index_2022_2024":
            return 100 * (a / b - 1)
        return 100 * (a - 1)

    # -- one equilibrium per point ------------------------------------------------------------
    def solve_point(self, year, u, max_steps: int = 64):
        """Set the point's parameters at ``u`` and solve, warm-started from the last solution
        of the same point; continuation in equal steps from it when a direct solve fails."""
        from .solve import SolveError
        nlp = self.model.nlp
        target = self.params_at(year, u)
        last_p, last_x = self._state.get(year, ({}, self._bench_x))
        start = {k: last_p[k][1] if k in last_p else self._bench[k] for k in target}
        steps, err = 1, None
        while steps <= max_steps:
            nlp.to_model(last_x)
            try:
                for n in range(1, steps + 1):
                    for k, (q, v) in target.items():
                        q.set_value(start[k] + n / steps * (v - start[k]))
                    self.model.solve()
                break
            except SolveError as e:
                err, steps = e, steps * 2
        else:
            for k, (q, _) in target.items():
                q.set_value(start[k])
            nlp.to_model(last_x)
            raise HistoryError(f"the {year} point cannot be solved at shifters "
                               + ", ".join(f"{n} {v:+.4f}" for n, v in zip(self.names, u))
                               + f" even in {max_steps} steps: {str(err).splitlines()[0]}")
        self._state[year] = (target, nlp.x_from_model())
        return target

    def evaluate(self, u):
        """(rho, d rho / du) at shifters u (both points solved)."""
        from scipy.sparse import csc_matrix
        from scipy.sparse.linalg import splu
        u = np.asarray(u, float)
        if getattr(self, "_at", None) is not None and np.array_equal(self._at[0], u):
            return self._at[1], self._at[2]
        nlp = self.model.nlp
        vals, grads = {}, {}
        for year in (MID, LAST):
            values = self.solve_point(year, u)
            x, p = nlp.x_from_model(), nlp.p_from_model()
            h, hx = (np.asarray(a) for a in self.f(x, p))
            V = self._directions(year, values)
            hp, gp = (np.asarray(a) for a in self.f_dir(x, p, V))
            rows, cols = nlp.jac_structure
            J = csc_matrix((nlp.jacobian_values(x, p), (rows, cols)), shape=(nlp.m, nlp.n))
            lam = splu(J.T.tocsc()).solve(np.ascontiguousarray(hx.T))
            vals[year], grads[year] = h.ravel(), hp - lam.T @ gp
        self.evaluations += 1
        h24, h22 = vals[LAST], vals[MID]
        rho = self.residuals(h24, h22)
        # d rho / dh: 100/h for log terms (and -100/h22 for the 2022-24 price change)
        d24, d22 = np.zeros(len(rho)), np.zeros(len(rho))
        for k, row in enumerate(self.fitted):
            if row.target == "manufacturing_va_share_world":
                d24[k] = 100.0
            elif row.target == "goods_balance":
                d24[k] = 1.0
            else:
                d24[k] = 100.0 / h24[k]
                if row.target == "export_price_index_2022_2024":
                    d22[k] = -100.0 / h22[k]
        jac = d24[:, None] * grads[LAST] + d22[:, None] * grads[MID]
        self._at = (u.copy(), rho, jac, h24, h22)
        return rho, jac

    # -- cyipopt callbacks: min 1/2 |rho|^2 --------------------------------------------------
    def objective(self, u):
        rho, _ = self.evaluate(u)
        return 0.5 * float(rho @ rho)

    def gradient(self, u):
        rho, jac = self.evaluate(u)
        return jac.T @ rho

    def constraints(self, u):
        return np.zeros(0)

    def jacobian(self, u):
        return np.zeros(0)

    def jacobianstructure(self):
        return (np.zeros(0, int), np.zeros(0, int))

    def hessianstructure(self):
        return np.tril_indices(len(self.shifters))

    def hessian(self, u, lagrange, obj_factor):
        _, jac = self.evaluate(u)
        return obj_factor * (jac.T @ jac)[np.tril_indices(len(self.shifters))]

    def intermediate(self, alg_mod, iter_count, *args):
        self.iterations = iter_count
        return True

    def fit(self, start=None, tol: float = 1e-9, max_iter: int = 200) -> dict:
        """Ipopt on the least-squares problem; the fitted shifters and the fit record."""
        import cyipopt
        t0 = time.perf_counter()
        n = len(self.shifters)
        lo = np.array([s.lower for s in self.shifters])
        hi = np.array([s.upper for s in self.shifters])
        u0 = np.zeros(n) if start is None else np.clip(np.asarray(start, float), lo, hi)
        self.iterations = 0
        problem = cyipopt.Problem(n=n, m=0, problem_obj=self, lb=lo, ub=hi, cl=[], cu=[])
        for key, val in {"tol": tol, "max_iter": max_iter, "print_level": 0, "sb": "yes",
                         "mu_strategy": "adaptive", "acceptable_tol": 1e-6}.items():
            problem.add_option(key, val)
        u, info = problem.solve(u0)
        if info["status"] not in (0, 1):
            msg = info["status_msg"]
            raise HistoryError(f"the historical targets were not fitted (Ipopt status {info['status']}: "
                               f"{msg.decode() if isinstance(msg, bytes) else msg}); shifters reached: "
                               + ", ".join(f"{k} {v:+.4f}" for k, v in zip(self.names, u)))
        u = np.clip(u, lo, hi)
        at_bound = [k for k, v, a, b in zip(self.names, u, lo, hi) if min(v - a, b - v) < 1e-6]
        if at_bound:
            raise HistoryError(f"shifter(s) {at_bound} at their bounds "
                               + ", ".join(f"[{s.lower:g}, {s.upper:g}]" for s in self.shifters if s.name in at_bound)
                               + ": the targets cannot be reached together; closest reachable values: "
                               + self.format_fit(u))
        self.evaluate(u)
        return {"shifters": u, "iterations": self.iterations, "evaluations": self.evaluations,
                "seconds": time.perf_counter() - t0}

    def table(self, u) -> list[dict]:
        """Target vs model at shifters ``u`` (evaluates both points); ``model_2011``: the
        benchmark's value of a level target (shares, balances), None for changes."""
        self.evaluate(u)
        _, rho, _, h24, h22 = self._at
        p0 = np.array([self._bench[id(q)] for q in self.model.nlp.param_data])
        h0 = np.asarray(self.f(self._bench_x, p0)[0]).ravel()
        level = ("manufacturing_va_share_world", "goods_balance")
        return [{"target": row.target, "region": row.region, "unit": row.unit, "value": row.value,
                 "model": self.model_value(row, a, b), "residual": r, "source": row.source,
                 "model_2011": self.model_value(row, c, c) if row.target in level else None}
                for row, a, b, c, r in zip(self.fitted, h24, h22, h0, rho)]

    def format_fit(self, u) -> str:
        return "; ".join(f"{t['target']} {t['region']} {t['model']:.3g} (target {t['value']:g})"
                         for t in self.table(u))


# -- the solved 2024 point as a benchmark dataset -------------------------------------------------
def benchmark_at(model, base: xr.Dataset, scale: float, attrs: dict) -> xr.Dataset:
    """The benchmark dataset of the model's current (solved) point: every flow valued at the
    point's prices, times ``scale`` (money units of the point -> USD m of its year).

        Z[i,s,a,r] = P_D D (s = r),  P_M MA share_s (s != r),  share_s = P_E X (1 + t_m) / sum
        V[f,j,r]   = W_f FD (capital less LOSS_K),   X[j,r] = P_Y Y vom,
        T[j,r]     = X[j,r] - sum Z - sum V          (production tax net of LOSS_G)
        TM[i,s,r]  = t_m P_E X,   persons from the model

    Carried over from ``base`` (the dataset the model was calibrated to): the skill shares and
    the imputation flags. The result is validated (cgetrade.data.schema)."""
    from .data.schema import validate
    from .model.factors import factor_price
    from .model.trade import domestic_price, export_price
    m, par = model.pyomo, model.params
    R, I, F, H = par.regions, par.sectors, par.factors, par.final_agents
    if len(m.ROW) or len(m.MG) or len(m.CET):
        raise HistoryError("benchmark_at: models with an exogenous rest of the world, transport "
                           "margins or a CET are not supported")
    if any(abs(pyo.value(m.tau[k]) - 1) > 1e-12 or abs(pyo.value(m.tx[k])) > 1e-12 for k in m.BT):
        raise HistoryError("benchmark_at: iceberg trade costs and export taxes have no place in a "
                           "benchmark dataset")
    val = pyo.value
    vom = par["vom"]
    nI, nR = len(I), len(R)
    Z = np.zeros((nI, nR, nI, nR))
    FDm = np.zeros((nI, nR, len(H), nR))
    TM = np.zeros((nI, nR, nR))
    for r in R:
        rr = R.index(r)
        for i in I:
            ii = I.index(i)
            src = [(s, export_price(m, i, s), m.X[i, s, r], m.tm[i, s, r]) for s in R if (i, s, r) in m.BT]
            value = {s: val(pe * x * (1 + t)) for s, pe, x, t in src}
            for s, pe, x, t in src:
                TM[ii, R.index(s), rr] = val(t * pe * x)
            tot = sum(value.values())
            for a in I + H:
                if (i, a, r) not in m.USE:
                    continue
                dom = val(domestic_price(m, i, r) * m.D[i, a, r])
                imp = val(m.PM[i, r] * m.MA[i, a, r]) if (i, r) in m.IM else 0.0
                target = Z[ii, :, I.index(a), rr] if a in I else FDm[ii, :, H.index(a), rr]
                target[rr] += dom
                for s, v in value.items():
                    target[R.index(s)] += imp * v / tot
    V = np.array([[[val(factor_price(m, f, j, r) * m.FD[f, j, r]) for r in R] for j in I] for f in F])
    V[F.index("capital")] -= np.array([[val(m.LOSS_K[j, r]) for r in R] for j in I])
    X = np.array([[val(m.PY[j, r] * m.Y[j, r]) * vom[I.index(j), R.index(r)] for r in R] for j in I])
    T = X - Z.sum((0, 1)) - V.sum(0)
    persons = np.array([[sum(val(m.persons[h, j, r]) for h in m.L) for r in R] for j in I])
    c = {"commodity": I, "source": R, "sector": I, "region": R, "agent": list(H), "factor": F}
    ds = xr.Dataset({
        "intermediate": (("commodity", "source", "sector", "region"), Z * scale),
        "final_demand": (("commodity", "source", "agent", "region"), FDm * scale),
        "factor_payments": (("factor", "sector", "region"), V * scale),
        "production_tax": (("sector", "region"), T * scale),
        "gross_output": (("sector", "region"), X * scale),
        "employment": (("sector", "region"), persons),
        "import_tariff": (("commodity", "source", "region"), TM * scale),
    }, coords=c)
    for k in ("employment_imputed", "factor_split_imputed", "labour_skill_share", "hours_skill_share",
              "skill_share_year", "skill_share_imputed"):
        if k in base:
            ds[k] = base[k]
    if "region_name" in base.coords:
        ds = ds.assign_coords(region_name=base["region_name"])
    ds.attrs.update(attrs)
    validate(ds)
    return ds


# -- the 2024 base: fit, dataset, and its reproduction from the stored shifters -------------
def _setup(base: xr.Dataset, fitted, imposed):
    from . import CGEModel, calibrate
    from .model import Closure
    model = CGEModel(calibrate(base), Closure.from_preset("long_run"))
    model.solve()
    return History(model, fitted, imposed)


def _dataset(hist: History, u, base: xr.Dataset, imposed, attrs: dict) -> xr.Dataset:
    """The 2024 point at shifters u as a benchmark dataset in USD m of 2024."""
    import json
    hist.solve_point(LAST, u)
    m, inc0 = hist.model.pyomo, hist.inc0
    world = [r.value for r in imposed if r.target == "world_nominal_gdp"]
    income = sum(pyo.value(m.INC[r]) * inc0[r] for r in hist.regions)
    scale = world[0] * 1e3 / income if world else 1.0
    record = {"history_shifters": json.dumps(dict(zip(hist.names, map(float, u)))),
              "history_imposed": json.dumps([[r.target, r.region, r.value] for r in imposed]),
              "history_fitted": json.dumps([[r.target, r.region, r.value] for r in hist.fitted]),
              "money_scale": float(scale)}
    return benchmark_at(hist.model, base, scale, {**attrs, **record})


def build_base(base: xr.Dataset, fitted, imposed, attrs: dict, start=None):
    """Fit the history on ``base`` (the 2011 dataset) and return (2024 dataset, History, fit)."""
    hist = _setup(base, fitted, imposed)
    fit = hist.fit(start)
    ds = _dataset(hist, fit["shifters"], base, imposed, {
        **{k: v for k, v in base.attrs.items() if k in ("licence", "citation")},
        **attrs, "year": LAST,
        "history_fit": f"least squares (Ipopt, Gauss-Newton Hessian): {fit['iterations']} iterations, "
                       f"{fit['evaluations']} evaluations"})
    return ds, hist, fit


def stored(ds: xr.Dataset) -> tuple[list[Row], list[Row], np.ndarray]:
    """(fitted targets, imposed observations, shifters) recorded in a 2024 base's attributes."""
    import json
    missing = [k for k in ("history_shifters", "history_imposed", "history_fitted") if k not in ds.attrs]
    if missing:
        raise HistoryError(f"the dataset has no record of a historical simulation (attributes {missing})")
    rows = lambda key, kinds: [Row(t, r, float(v), kinds[t], "") for t, r, v in json.loads(ds.attrs[key])]  # noqa: E731
    shifters = json.loads(ds.attrs["history_shifters"])
    return rows("history_fitted", FITTED), rows("history_imposed", IMPOSED), np.array(list(shifters.values()))


def reproduce(ds: xr.Dataset, base: xr.Dataset):
    """Re-solve the history on ``base`` at the shifters stored in ``ds`` (a 2024 base):
    (the dataset rebuilt from that solution, History). Its flows equal ``ds``'s when the
    stored base is current."""
    fitted, imposed, u = stored(ds)
    hist = _setup(base, fitted, imposed)
    if len(u) != len(hist.names):
        raise HistoryError(f"the dataset stores {len(u)} shifters, the targets define {len(hist.names)}")
    keep = {k: v for k, v in ds.attrs.items() if k not in ("history_shifters", "history_imposed",
                                                           "history_fitted", "money_scale")}
    return _dataset(hist, u, base, imposed, keep), hist


# -- untargeted facts -------------------------------------------------------------------------
def _indicators(model) -> dict:
    """Indicators of the model's current point behind the facts (FACTS), by region."""
    from .model.factors import factor_price
    from .model.trade import export_price
    m, par = model.pyomo, model.params
    val = pyo.value
    R = par.regions
    goods = [i for i in GOODS if i in m.I_idx]
    manuf = [j for j in MANUFACTURES if j in m.I_idx]
    x0 = par.data["vxmd"]
    va = {(j, r): val(sum(factor_price(m, f, j, r) * m.FD[f, j, r] for f in m.F) - m.LOSS_K[j, r])
          for j in m.I for r in R}
    pe = {(i, s): val(export_price(m, i, s)) for i in m.I for s in R}
    x = {k: val(m.X[k]) for k in m.BT}
    out = {}
    for r in R:
        imp_val = {s: sum(pe[i, s] * x[i, s, r] for i in goods if (i, s, r) in m.BT) for s in R}
        w_from = {(i, s): float(x0.sel(commodity=i, source=s, region=r)) for i in goods for s in R}
        chn = "CHN" if "CHN" in R else R[0]
        p_chn = sum(w_from[i, chn] * pe[i, chn] for i in goods) / max(sum(w_from[i, chn] for i in goods), 1e-300)
        p_all = sum(w * pe[k] for k, w in w_from.items()) / sum(w_from.values())
        out[r] = {
            "export_volume": sum(x[i, r, s] for i in goods for s in R if (i, r, s) in m.BT),
            "import_price_from_CHN_relative": p_chn / p_all,
            "import_share_of_CHN": 100 * imp_val[chn] / sum(imp_val.values()),
            "income": val(m.INC[r]) * float(par.data["income"].sel(region=r)),
            "manufacturing_share_of_va": 100 * sum(va[j, r] for j in manuf) / sum(va[j, r] for j in m.I),
            "manufacturing_employment": sum(val(m.persons[h, j, r]) for h in m.L for j in manuf),
            "cpi": val(m.P_H["household", r]),
        }
    world = sum(v["income"] for v in out.values())
    w_inc = {r: float(par.data["income"].sel(region=r)) / float(par.data["income"].sum()) for r in R}
    world_cpi = sum(w_inc[r] * out[r]["cpi"] for r in R)
    for r in R:
        out[r]["gdp_share_world"] = 100 * out[r]["income"] / world
        out[r]["rer"] = out[r]["cpi"] / world_cpi
    return out


def facts(hist: History, u, rows: list[Row]) -> list[dict]:
    """Untargeted facts (rows of a facts file) against the model: the 2011 benchmark, the
    2022 and 2024 points at shifters ``u``. Changes 2011-2024 in %."""
    at = {}
    hist.model.nlp.to_model(hist._bench_x)
    saved = {k: pyo.value(q) for k, (q, _) in hist.params_at(LAST, u).items()}
    for year in (FIRST, MID, LAST):
        if year == FIRST:
            for k, (q, _) in hist.params_at(LAST, u).items():
                q.set_value(hist._bench[k])
            hist.model.nlp.to_model(hist._bench_x)
        else:
            hist.solve_point(year, u)
        at[year] = _indicators(hist.model)
    for k, (q, _) in hist.params_at(LAST, u).items():
        q.set_value(saved[k])
    out = []
    for row in rows:
        a, b, c = (at[y][row.region] for y in (FIRST, MID, LAST))
        if row.target == "export_volume_growth":
            v0, v1 = None, 100 * (c["export_volume"] / a["export_volume"] - 1)
        elif row.target == "import_price_from_CHN_relative":
            v0, v1 = None, 100 * (c[row.target] / a[row.target] - 1)
        elif row.target == "manufacturing_employment_growth":
            v0, v1 = None, 100 * (c["manufacturing_employment"] / a["manufacturing_employment"] - 1)
        elif row.target == "real_exchange_rate_2022_2024":
            v0, v1 = None, 100 * (c["rer"] / b["rer"] - 1)
        else:
            v0, v1 = a[row.target], c[row.target]
        out.append({"target": row.target, "region": row.region, "unit": row.unit, "value": row.value,
                    "model_2011": v0, "model": v1, "source": row.source})
    return out
