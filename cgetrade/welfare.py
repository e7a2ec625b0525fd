"""Decomposition of the equivalent variation (EV) of each regional household.

Utility U = INC / P_U with P_U = prod_h P_H[h]^s_h (consumption, government, saving), so
EV = INC0 (U1/U0 - 1). Differentiating the regional income identity
INC = sum_h E_h + (exports - imports at world prices) and using the envelope conditions of
every CES nest (cost minimisation), zero profits and factor-market clearing gives, for
region r, dW = INC dU/U =

    technology   sum_j Y X0 (1 - t_o0) [ (C/A)(p, theta_old) - (C/A)(p, theta_new) ]
                 (unit-cost saving at current prices from TFP, factor-augmenting and
                 task-share changes), and for importers the saving from cheaper trade,
                 - sum_s P_w (X / tau) dtau (iceberg trade costs; X shipped, X / tau delivered),
                 and for every agent the change of its Armington price at current prices
                 from a home-bias shift, - sum_(i,a) V0_ia Q_A [P_A(p, b_new) - P_A(p, b_old)]
                 (a preference shift: for final agents a change of tastes, valued by the
                 cost-of-living index of the new preferences)
    allocative   sum_j t_o P_Y X0 dY + sum t_m P_w dX_in + sum t_x P_Y dX_out
                 (tax wedges times quantity changes; Harberger; the share rho of an export
                 quota's rent held by the importer counts for the importer, with its change
                 X d(t_x P_E) moved from the exporter's terms of trade to the importer's)
    terms of trade   sum X_out dP_w,out - sum X_in dP_cif,in + sum QS dP_E,margin
                 (world prices P_w = P_E (1 + t_x), P_E the export price: P_Y without a CET;
                 P_cif = P_w + transport margins per unit, QS margin services sold; tariffs
                 are levied on the cif value)
    endowment    sum_f W d(E_f S_f e_f)   (employed factor supply: endowment changes, the
                 employment effect of unemployment changes, capital accumulated in the long
                 run and surplus labour drawn in; as in GTAP no cost of the saving that
                 finances a larger capital stock is deducted)
    investment-saving   (FS P_W / P_I) dP_I   (foreign saving finances investment at P_I)

(cf. Huff and Hertel 2000, "Decomposing welfare changes in the GTAP model", GTAP Technical
Paper 5). The components are integrated along the path from the baseline to the shock in
``steps`` equal steps, each solved, with the trapezoid rule on that grid and on the grid of
every other step, combined by Richardson extrapolation, and converted to money-metric EV
units (dEV = INC0 (U/U0) dW / INC). Their sum equals EV up to the integration error, which is
reported (``integration_error``) and shrinks with the fourth power of the step count.
"""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from .model.factors import employed_share
from .model.trade import export_price

COMPONENTS = ("technology", "allocative", "terms_of_trade", "endowment", "investment_saving")
TECH_PARAMS = ("tfp", "aug", "va_share", "auto_share", "auto_cost")


def _values(comp):
    return {k: pyo.value(v) for k, v in comp.items()}


def _snapshot(model) -> dict:
    m, par = model.pyomo, model.params
    R, I = par.regions, par.sectors
    snap = {"PY": _values(m.PY), "PE": {(i, r): pyo.value(export_price(m, i, r)) for i in m.I for r in m.R},
            "Y": _values(m.Y), "X": _values(m.X), "INC": _values(m.INC),
            "PH": _values(m.P_H), "tm": _values(m.tm), "tx": _values(m.tx),
            "tx_rent": _values(m.tx_rent), "to": _values(m.to),
            "margin": {k: pyo.value(m.margin[k] + m.margin_state[k]) for k in m.margin},
            "tau": _values(m.tau), "home_bias": _values(m.home_bias),
            "QA": {k: pyo.value(m.QA[k]) for k in m.USE if k[::2] in m.IM},
            "endowment": _values(m.endowment), "PW": pyo.value(m.PW), "fsav": _values(m.fsav),
            "W": {(f, j, r): pyo.value(m.WS[f, j, r] if f in m.F_SPECIFIC else m.W[f, r])
                  for f in m.F for j in I for r in R},
            # employed supply of each factor: E S e (sector-specific: E e_j), see factors.py
            "supply": {(f, j, r): pyo.value(m.endowment[f, j, r] * (
                employed_share(m, f, r, j) if f in m.F_SPECIFIC else m.S[f, r] * employed_share(m, f, r)))
                for f in m.F for j in I for r in R},
            "x": model.nlp.x_from_model(),
            "PT": _values(m.PT), "QS": _values(m.MARGIN_SUPPLY)}
    snap["tech"] = {name: _values(getattr(m, name)) for name in TECH_PARAMS}
    return snap


def _unit_costs(model, x, tech) -> dict:
    """(C/A)[j,r] at the prices in x under technology parameters ``tech``."""
    m = model.pyomo
    saved_x = model.nlp.x_from_model()
    saved = {name: _values(getattr(m, name)) for name in TECH_PARAMS}
    model.nlp.to_model(x)
    for name, vals in tech.items():
        getattr(m, name).store_values(vals)
    out = {(j, r): pyo.value(m.C[j, r]) / pyo.value(m.tfp[j, r]) for j in m.I for r in m.R}
    for name, vals in saved.items():
        getattr(m, name).store_values(vals)
    model.nlp.to_model(saved_x)
    return out


def _armington_prices(model, x, bias) -> dict:
    """P_A[i,a,r] (agents with imports) at the prices in x under home-bias values ``bias``."""
    m = model.pyomo
    saved_x, saved = model.nlp.x_from_model(), _values(m.home_bias)
    model.nlp.to_model(x)
    m.home_bias.store_values(bias)
    out = {k: pyo.value(m.P_A[k]) for k in m.USE if k[::2] in m.IM}
    m.home_bias.store_values(saved)
    model.nlp.to_model(saved_x)
    return out


def _step(model, a: dict, b: dict) -> dict:
    """Component increments dW (current money units) between snapshots a and b."""
    par, m = model.params, model.pyomo
    R, I = par.regions, par.sectors
    vom, to0 = par.data["vom"], par.data["to"]
    mid = lambda d, k: 0.5 * (a[d][k] + b[d][k])  # noqa: E731
    out = {c: dict.fromkeys(R, 0.0) for c in COMPONENTS}
    x_mid = 0.5 * (a["x"] + b["x"])
    c_old, c_new = _unit_costs(model, x_mid, a["tech"]), _unit_costs(model, x_mid, b["tech"])
    for j in I:
        for r in R:
            x0 = float(vom.sel(sector=j, region=r))
            out["technology"][r] += mid("Y", (j, r)) * x0 * (1 - float(to0.sel(sector=j, region=r))) \
                * (c_old[j, r] - c_new[j, r])
            # the wedge between price and cost: production tax and pricing below cost together,
            # an effective rate t_e = (t_o - m) / (1 - m) on sales (production.py)
            t_e = [(d["to"][j, r] - d["margin"][j, r]) / (1 - d["margin"][j, r]) for d in (a, b)]
            out["allocative"][r] += 0.5 * sum(t_e) * mid("PY", (j, r)) * x0 * (b["Y"][j, r] - a["Y"][j, r])
    vtwr, vxmd = par["vtwr"], par["vxmd"]
    I_, R_ = {i: k for k, i in enumerate(I)}, {r: k for k, r in enumerate(R)}
    for (i, s, r) in m.BT:
        pw = lambda d: d["PE"][i, s] * (1 + d["tx"][i, s, r])  # noqa: E731
        # price at the importer's border before tariffs: pw plus transport margins (cif)
        pcif = lambda d: pw(d) + sum(d["PT"][g] * vtwr[I_[g], I_[i], R_[s], R_[r]]  # noqa: E731
                                     / vxmd[I_[i], R_[s], R_[r]] for g in m.MG if (g, i, s, r) in m.TW)
        dX = b["X"][i, s, r] - a["X"][i, s, r]
        X_mid, dpw = mid("X", (i, s, r)), pw(b) - pw(a)
        out["allocative"][r] += mid("tm", (i, s, r)) * 0.5 * (pcif(a) + pcif(b)) * dX   # tariff, importer
        # export tax, or the rent of an export quota: a share rho of it held by the importer
        rho = mid("tx_rent", (i, s, r))
        wedge = mid("tx", (i, s, r)) * mid("PE", (i, s)) * dX
        out["allocative"][s] += (1 - rho) * wedge
        out["allocative"][r] += rho * wedge
        out["terms_of_trade"][s] += X_mid * dpw
        out["terms_of_trade"][r] -= X_mid * (pcif(b) - pcif(a))
        if rho:                   # the importer's rent moves with the tax part of the world price
            rent = X_mid * (b["tx"][i, s, r] * b["PE"][i, s] - a["tx"][i, s, r] * a["PE"][i, s])
            out["terms_of_trade"][s] -= rho * rent
            out["terms_of_trade"][r] += rho * rent
        dtau = b["tau"][i, s, r] - a["tau"][i, s, r]
        if dtau:                                                        # iceberg trade costs
            out["technology"][r] -= 0.5 * (pcif(a) + pcif(b)) * X_mid / mid("tau", (i, s, r)) * dtau
    if a["home_bias"] != b["home_bias"]:    # preference shift in the Armington nests
        pa_old, pa_new = (_armington_prices(model, x_mid, d["home_bias"]) for d in (a, b))
        use = par["use_dom"] + par["use_imp"]
        for (i, g, r), p_old in pa_old.items():
            out["technology"][r] -= use[m.I_idx[i], m.A_idx[g], m.R_idx[r]] * mid("QA", (i, g, r)) * (pa_new[i, g, r] - p_old)
    for (g, k) in m.MS:                     # margin services sold to international transport
        out["terms_of_trade"][k] += mid("QS", (g, k)) * (b["PE"][g, k] - a["PE"][g, k])
    for (f, j, r), w in a["W"].items():
        out["endowment"][r] += 0.5 * (w + b["W"][f, j, r]) * (b["supply"][f, j, r] - a["supply"][f, j, r])
    for r in R:
        fs = 0.5 * (a["fsav"][r] * a["PW"] + b["fsav"][r] * b["PW"])
        pi = mid("PH", ("investment", r))
        out["investment_saving"][r] += fs / pi * (b["PH"]["investment", r] - a["PH"]["investment", r])
    return out


def utility_index(model, snap) -> dict:
    par = model.params
    shares = np.vstack([par["fd_exp"][:2], par["saving"][None, :]]) / par["income"]
    return {r: snap["INC"][r] / np.prod([snap["PH"][h, r] ** shares[k, n]
                                         for k, h in enumerate(par.final_agents)])
            for n, r in enumerate(par.regions)}


def decomposition_available(model) -> str:
    """'' if the EV decomposition applies to the model's closure, else the reason it does not
    (it is derived for the regional household with fixed foreign saving in world-price-index
    units and no exogenous rest of the world)."""
    c = model.closure
    if model.params.private_demand == "cde":
        return ("the EV decomposition is derived for homothetic (Cobb-Douglas or CES) household "
                "demand; this model's household demand is CDE (private_demand='cde')")
    if c.final_demand != "regional_household" or c.foreign_saving != "world_price_index" \
            or getattr(c, "foreign_saving_rule", "fixed") != "fixed" or len(model.pyomo.ROW):
        return ("the EV decomposition is derived for the regional household with foreign "
                "saving in world-price-index units and no exogenous rest of the world; "
                f"this model has final_demand={c.final_demand!r}, "
                f"foreign_saving={c.foreign_saving!r}, "
                f"foreign_saving_rule={getattr(c, 'foreign_saving_rule', 'fixed')!r}"
                + (", an exogenous rest of the world" if len(model.pyomo.ROW) else ""))
    return ""


def decompose_ev(model, scenario, steps: int = 8, **solve_options) -> xr.Dataset:
    """Solve ``scenario`` from the model's current (solved) point in ``steps`` steps and
    return EV and its components by region (benchmark USD m). Leaves the model at the
    fully shocked solution."""
    if steps < 2 or steps % 2:
        raise ValueError("steps must be an even number >= 2")
    why = decomposition_available(model)
    if why:
        raise ValueError(why)
    par = model.params
    R = par.regions
    start, final = scenario.endpoints(model)
    snaps = [_snapshot(model)]
    for k in range(1, steps + 1):
        scenario.move(model, start, final, k / steps)
        model.solve(**solve_options)
        snaps.append(_snapshot(model))
    inc0 = dict(zip(R, par["income"]))
    U = [utility_index(model, s) for s in snaps]

    def integrate(stride):
        comp = {c: dict.fromkeys(R, 0.0) for c in COMPONENTS}
        for k in range(0, steps, stride):
            a, b = snaps[k], snaps[k + stride]
            dW = _step(model, a, b)
            for r in R:
                # money-metric weight dEV/dW = INC0 (U/U0) / (INC0 INC) at the step's midpoint
                # (INC is the income index, dW is in value units)
                weight = 0.5 * (U[k][r] / a["INC"][r] + U[k + stride][r] / b["INC"][r]) / U[0][r]
                for c in COMPONENTS:
                    comp[c][r] += weight * dW[c][r]
        return comp
    fine, coarse = integrate(1), integrate(2)
    # Richardson extrapolation of the trapezoid rule (error O(h^2) -> O(h^4))
    comp = {c: {r: (4 * fine[c][r] - coarse[c][r]) / 3 for r in R} for c in COMPONENTS}
    ev = np.array([inc0[r] * (U[-1][r] / U[0][r] - 1) for r in R])
    ds = xr.Dataset({c: ("region", [comp[c][r] for r in R], {"units": "benchmark USD m"})
                     for c in COMPONENTS}, coords={"region": R})
    ds["ev"] = ("region", ev, {"units": "benchmark USD m", "long_name": "equivalent variation"})
    ds["integration_error"] = ("region", ev - sum(ds[c].values for c in COMPONENTS),
                               {"long_name": "EV minus the sum of components (quadrature error)"})
    ds.attrs["steps"] = steps
    return ds
