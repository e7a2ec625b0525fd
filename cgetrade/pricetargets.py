"""Price-target shocks: a productivity shock stated as its effect on an observable price.

A ``tfp`` or ``automation`` shock with ``target = {measure, value}`` says what the shock
does, not how large it is: e.g. "China's export price of ELE falls 30 % relative to the
world export price index". For every selected (sector j, region r) the instrument s_jr is
made endogenous with the targets mechanism (cgetrade.model.targets) and the target equation

    M_jr(x) / M_jr(x_0) = 1 + value,    M_jr = P_E[j,r] / P_W  (export_price)
                                         or  P_Y[j,r] / P_W  (producer_price)

holds instead (x_0: the point the scenario starts from, normally the calibrated benchmark).
Instruments:

    tfp          A[j,r] -> A[j,r] s_jr                     (Hicks-neutral TFP; s = 1: no shock)
    automation   alpha_h -> alpha_h (1 - s_jr),  a_h -> a_h + alpha_h s_jr  for each listed
                 labour type h, at the shock's cost saving (s = share of h's tasks automated;
                 s = 0: no shock)

    margin       m[j,r] -> m[j,r] + s_jr   (pricing below unit cost, capital- or state-borne;
                 s = 0: no shock)
    production_subsidy   t_o[j,r] -> t_o[j,r] - s_jr   (s = the subsidy rate, 0: no shock)

    export_price_index (tfp, margin, production_subsidy): one instrument s_r common to the
                 selected sectors J of region r against the Laspeyres export price index
                 sum_(j in J) w_jr P_E[j,r] / (P_W sum_(j in J) w_jr), w = benchmark exports

    export_tax   t_x[i,s,d] -> t_x[i,s,d] + s_isd against the target X[i,s,d] / X_0 = 1 + value
                 (an export quota on the flow of i from s to d, its rent going to the exporter;
                 s = the tax equivalent, 0: no shock)

The other shocks of the scenario are applied at the same time, so the instrument is what
delivers the target given them. The target is reached by continuation in equal steps of
the target and the other shocks when a direct solve fails. The result is the scenario with
each price-target shock replaced by the implied shocks, stated directly (one per cell),
and a record of targets and instruments (``Scenario.implied_shocks``); solving that
scenario reproduces the same equilibrium.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

import pyomo.environ as pyo

from .errors import ShockError
from .model.targets import add_target
from .model.trade import export_price

# Scenarios (cgetrade.scenario) import this module; it works on the scenario objects it is
# given and never imports cgetrade.scenario (one-way dependency).

#: margin shock ``borne_by`` -> the model parameter it moves
BORNE_BY = {"capital": "margin", "state": "margin_state"}
#: export_tax shock ``rent`` -> tx_rent (share of the quota rent accruing to the importer)
RENT_HOLDERS = {"exporter": 0.0, "importer": 1.0}

#: automation share the instrument may reach (a_h < 1 keeps every task nest non-empty)
MAX_AUTOMATION = 0.999
#: margin below cost or subsidy rate an instrument may reach (prices stay positive)
MAX_MARGIN = 0.95


def _key(*cell) -> str:
    """Group label of a cell in a target block ("ELE@CHN", "ELE@USA@CHN"; a group of sectors
    sharing one instrument: "LMF+CHM@CHN")."""
    return "@".join("+".join(c) if isinstance(c, tuple) else c for c in cell)


def _unkey(g) -> tuple:
    """Inverse of _key: (j, r[, d]) with j a tuple of sectors for a sector group."""
    parts = g.split("@")
    return tuple([tuple(parts[0].split("+")) if "+" in parts[0] else parts[0]] + parts[1:])


def export_weights(model) -> dict:
    """Benchmark export values w[j, r] (bilateral, to the rest of the world and margin
    services), the weights of P_W and of the export price index of a group of sectors."""
    par, m = model.params, model.pyomo
    w = par["vxmd"].sum(2) + par["x_row"] + par["vst"]
    return {(j, r): float(w[m.I_idx[j], m.R_idx[r]]) for j in m.I for r in m.R}


def export_price_index(m, weights, sectors, r):
    """Laspeyres export price index of ``sectors`` of r relative to the world export price
    index: sum_j w_jr P_E[j,r] / (P_W sum_j w_jr)."""
    total = sum(weights[j, r] for j in sectors)
    if total <= 0:
        raise ShockError(f"export_price_index target: {r} exports none of {list(sectors)}")
    return sum(weights[j, r] / total * export_price(m, j, r) for j in sectors if weights[j, r] > 0) / m.PW


def _measure(kind, model=None):
    if kind == "export_price":
        return lambda m, g: export_price(m, *g.split("@")) / m.PW
    if kind == "bilateral_trade":
        return lambda m, g: m.X[tuple(g.split("@"))]
    if kind == "export_price_index":
        weights = export_weights(model)

        def index(m, g):
            js, r = _unkey(g)
            return export_price_index(m, weights, js if isinstance(js, tuple) else (js,), r)
        return index
    return lambda m, g: m.PY[tuple(g.split("@"))] / m.PW


def _cells(shock, model, groups):
    """(groups [(j, r)], labour types or None) of a price-target shock; with the
    export_price_index measure j is the tuple of the selected sectors."""
    cells = shock.resolve(model, groups)
    if shock.kind in ("tfp", "export_tax", "margin", "production_subsidy"):
        idx = [idx for _, idx, _, _ in cells]
        if shock.target["measure"] == "export_price_index":
            by_region = {}
            for j, r in idx:
                by_region.setdefault(r, []).append(j)
            return [(tuple(js), r) for r, js in by_region.items()], None
        return idx, None
    js = []
    for _, (h, j, r), _, _ in cells:
        if (j, r) not in js:
            js.append((j, r))
    labour = list(dict.fromkeys(idx[0] for _, idx, _, _ in cells))
    return js, labour


def prepare(scenario, model) -> list:
    """Add the target block of every price-target shock to the model (once per distinct
    shock); returns [(shock, Target, labour types)]. Adding a block to a compiled model
    discards the compiled NLP (it is compiled again on next use)."""
    registry = model.__dict__.setdefault("_price_targets", {})
    m = model.pyomo
    out = []
    for shock in scenario.shocks:
        if not shock.target:
            continue
        if shock.reinstatement:
            raise ShockError("a price-target automation shock cannot have reinstatement")
        groups, labour = _cells(shock, model, scenario.groups)
        key = repr((shock.kind, shock.target["measure"], groups, labour, shock.borne_by))
        if key not in registry:
            name = f"price_target_{shock.kind}_{hashlib.sha1(key.encode()).hexdigest()[:8]}"
            measure = _measure(shock.target["measure"], model)
            if not groups:
                raise ShockError(f"{shock.kind} target shock selects no cell")

            def params(comp):
                return {_key(*g): [comp[j, g[1]] for j in (g[0] if isinstance(g[0], tuple) else (g[0],))]
                        for g in groups}
            if shock.kind == "tfp":
                target = add_target(m, name, params(m.tfp), measure,
                                    doc="TFP level delivering the price target")
            elif shock.kind == "margin":
                comp = getattr(m, BORNE_BY[shock.borne_by])
                target = add_target(m, name, params(comp), measure,
                                    doc="margin below unit cost delivering the price target",
                                    substitute=lambda q, s: q + s, start=0.0, bounds=(-0.9, MAX_MARGIN))
            elif shock.kind == "production_subsidy":
                target = add_target(m, name, params(m.to), measure,
                                    doc="production subsidy rate delivering the price target",
                                    substitute=lambda q, s: q - s, start=0.0, bounds=(-0.9, MAX_MARGIN))
            elif shock.kind == "export_tax":
                target = add_target(m, name, {_key(*g): [m.tx[g]] for g in groups}, measure,
                                    doc="export tax equivalent of the export quota",
                                    substitute=lambda q, s: q + s, start=0.0, bounds=(-0.9, None))
            else:
                def substitute(q, s):
                    if q.parent_component() is m.va_share:
                        return q * (1 - s)
                    return q + m.va_share[q.index()] * s            # auto_share[h, j, r]
                target = add_target(
                    m, name, {_key(j, r): [c[(h, j, r)] for h in labour for c in (m.va_share, m.auto_share)]
                              for j, r in groups},
                    measure, doc="share of tasks automated delivering the price target",
                    substitute=substitute, start=0.0, bounds=(0.0, MAX_AUTOMATION))
            registry[key] = target
            model._nlp = None
        out.append((shock, registry[key], labour))
    return out


def resolve_targets(scenario, model, max_steps: int = 16, **solve_options):
    """The scenario with its price-target shocks replaced by the implied shocks (see module
    docstring). Starts from, and leaves the model at, its current solved point. A target is
    reached together with the other shocks stated in the same file (``Shock.origin``): a
    scenario that includes china_process_technology resolves its targets as
    china_process_technology does, and applies its own shocks on top."""
    if not scenario.has_targets:
        return scenario
    prepare(scenario, model)
    done = {}
    for origin in dict.fromkeys(s.origin for s in scenario.shocks if s.target):
        part = replace(scenario, shocks=[s for s in scenario.shocks if s.origin == origin])
        done.update(_solve(part, model, max_steps, **solve_options))
    shocks, record = [], []
    for s in scenario.shocks:
        if not s.target:
            shocks.append(s)
            continue
        for g, v in done[id(s)].items():
            j, r, *dest = _unkey(g)
            implied = v - 1.0 if s.kind == "tfp" else v
            if isinstance(j, tuple):               # export_price_index: one value, every sector
                note = (f"implied by the target: export price index of {'+'.join(j)} in {r} relative "
                        f"to the world export price index {100 * s.target['value']:+g} %")
                shocks += [replace(s, value=implied, region=[r], sector=[k], target=None, note=note) for k in j]
                record += [{"kind": s.kind, "sector": k, "region": r, "destination": "",
                            "measure": s.target["measure"], "target_pct": 100 * s.target["value"],
                            "implied_value": implied, "factor": [], "cost_saving": s.cost_saving,
                            "stated_in": s.origin} for k in j]
                continue
            if dest:
                note = (f"implied by the target: {s.target['measure']} of {j} from {r} to {dest[0]} "
                        f"{100 * s.target['value']:+g} %")
                shocks.append(replace(s, value=implied, region=[r], sector=[j], destination=dest,
                                      target=None, note=note))
            else:
                note = (f"implied by the target: {s.target['measure']} of {j} in {r} relative to the "
                        f"world export price index {100 * s.target['value']:+g} %")
                shocks.append(replace(s, value=implied, region=[r], sector=[j], target=None, note=note))
            record.append({"kind": s.kind, "sector": j, "region": r, "destination": dest[0] if dest else "",
                           "measure": s.target["measure"],
                           "target_pct": 100 * s.target["value"], "implied_value": implied,
                           "factor": list(s.factor or []) if s.kind == "automation" else [],
                           "cost_saving": s.cost_saving, "stated_in": s.origin})
    return replace(scenario, shocks=shocks, implied_shocks=scenario.implied_shocks + record)


def _solve(scenario, model, max_steps, **solve_options) -> dict:
    """{id(shock): {group: instrument}} for the price-target shocks of ``scenario``, solved
    together with its other shocks; the model is restored afterwards."""
    from .solve import SolveError
    blocks = prepare(scenario, model)
    m, nlp = model.pyomo, model.nlp
    x0 = nlp.x_from_model()
    plain = replace(scenario, shocks=[s for s in scenario.shocks if not s.target])
    final = plain._final_values(model)
    for shock, _, labour in blocks:
        if shock.kind == "export_tax" and shock.rent is not None:      # who holds the quota rent
            for g in _cells(shock, model, scenario.groups)[0]:
                final[("tx_rent", g)] = RENT_HOLDERS[shock.rent]
        if shock.kind == "automation":
            for j, r in _cells(shock, model, scenario.groups)[0]:
                for h in labour:
                    final[("auto_cost", (h, j, r))] = 1.0 - shock.cost_saving
    start = {k: pyo.value(getattr(m, k[0])[k[1]]) for k in final}
    m0 = [{g: pyo.value(_measure(s.target["measure"], model)(m, g)) for g in t.groups} for s, t, _ in blocks]

    def set_targets(frac):
        for (shock, t, _), base in zip(blocks, m0):
            t.set_targets({g: base[g] * (1 + frac * shock.target["value"]) for g in t.groups})

    def restore():
        scenario.move(model, start, final, 0.0)
        for shock, t, _ in blocks:
            t.fix_instruments({g: 1.0 if shock.kind == "tfp" else 0.0 for g in t.groups})
        nlp.to_model(x0)

    steps, err = 1, None
    while steps <= max_steps:
        nlp.to_model(x0)
        try:
            for k in range(1, steps + 1):
                scenario.move(model, start, final, k / steps)
                set_targets(k / steps)
                model.solve(**solve_options)
            break
        except SolveError as e:
            err, steps = e, steps * 2
    else:
        restore()
        raise ShockError(f"scenario {scenario.name}: the price targets cannot be reached "
                         f"({err}); an automation instrument is bounded by the tasks there are "
                         "to automate, a TFP instrument is not")
    out = {id(s): t.instrument_values() for s, t, _ in blocks}
    restore()
    return out
