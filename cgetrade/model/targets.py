"""Targets: parameters made endogenous against target equations (a closure swap).

``add_target`` turns a group of mutable parameters into an instrument. Every listed
parameter p_k of group g is replaced, in every equation and named expression of the
built model, by p_k * s_g, where s_g is a new variable (the instrument, 1 at the
benchmark), and one equation per group is added:

    on_g (M_g(x) / T_g - 1) + (1 - on_g) (s_g - s_fix_g) = 0

    on_g = 0   the instrument is exogenous, s_g = s_fix_g (s_fix = 1: the model is unchanged)
    on_g = 1   the measure M_g (an expression of the model) equals its target T_g and the
               instrument s_g is endogenous

``on``, ``T`` and ``s_fix`` are mutable parameters, so switching between the two closures
changes parameter values only: the compiled NLP keeps both terms and is not rebuilt. The
parameters p_k keep their own values and can still be shocked (the instrument multiplies
them). Examples: a region-wide labour-augmenting productivity shifter against a real GDP
target (the baseline calibration of a dynamic model); a sector's productivity against a
relative export price target.

Call before the model is compiled (``CGEModel.nlp`` is first used).
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo
from pyomo.core.expr.visitor import ExpressionReplacementVisitor


@dataclass
class Target:
    """Handles of one target block in a Pyomo model."""
    name: str
    groups: list
    instrument: pyo.Var          # s_g
    target: pyo.Param            # T_g
    fixed: pyo.Param             # s_fix_g
    on: pyo.Param                # 1: target binds, instrument free; 0: instrument fixed
    equation: pyo.Constraint

    def set_targets(self, values: dict) -> None:
        """Target values T_g and switch them on (instruments endogenous)."""
        for g, v in values.items():
            if not v > 0:
                raise ValueError(f"target {self.name}[{g}] must be positive, got {v}")
            self.target[g] = float(v)
            self.on[g] = 1.0

    def fix_instruments(self, values: dict) -> None:
        """Instruments exogenous at the given values (targets switched off)."""
        for g, v in values.items():
            self.fixed[g] = float(v)
            self.on[g] = 0.0

    def instrument_values(self) -> dict:
        return {g: float(pyo.value(self.instrument[g])) for g in self.groups}


def _substitute(m, smap) -> None:
    """Replace parameters by their substitutes in every named expression and equation (one
    replacement walker for all of them)."""
    walker = ExpressionReplacementVisitor(substitute=smap, descend_into_named_expressions=False,
                                          remove_named_expressions=False)
    for e in m.component_data_objects(pyo.Expression, descend_into=True):
        if e.expr is not None and not isinstance(e.expr, (int, float)):
            e.set_value(walker.walk_expression(e.expr))
    for c in m.component_data_objects(pyo.Constraint, descend_into=True):
        c.set_value(walker.walk_expression(c.expr))


def add_target(m, name: str, params: dict, measure, doc: str = "", substitute=None,
               start: float = 1.0, bounds: tuple = (0, None)) -> Target:
    """Add instrument ``name`` and its target equation to the built model ``m``.

    ``params``: group -> list of mutable parameter data objects that the instrument scales;
    ``measure(m, g)``: the Pyomo expression M_g held at its target when the target is on.
    ``substitute(q, s)``: the expression replacing parameter q given the instrument s
    (default q s); ``start``: the instrument's exogenous value that leaves the model
    unchanged (s_fix, 1 for a scale); ``bounds``: the instrument's bounds.
    """
    if hasattr(m, name):
        raise ValueError(f"the model already has a component named {name!r}")
    groups = list(params)
    if not groups:
        raise ValueError(f"target {name}: no groups")
    smap = {}
    for g, plist in params.items():
        if not plist:
            raise ValueError(f"target {name}[{g}]: no parameters to scale")
        for q in plist:
            if not getattr(q, "is_parameter_type", lambda: False)() or not q.parent_component().mutable:
                raise ValueError(f"target {name}[{g}]: {q} is not a mutable parameter")
            if id(q) in smap:
                raise ValueError(f"target {name}: parameter {q.name} listed twice")
    setattr(m, f"{name}_groups", pyo.Set(initialize=groups, ordered=True))
    G = getattr(m, f"{name}_groups")
    var = pyo.Var(G, initialize=start, bounds=bounds, doc=doc or f"instrument {name}")
    setattr(m, name, var)
    for g, plist in params.items():
        for q in plist:
            smap[id(q)] = substitute(q, var[g]) if substitute else q * var[g]
    _substitute(m, smap)
    target = pyo.Param(G, mutable=True, initialize=lambda m, g: float(pyo.value(measure(m, g))),
                       doc=f"target of {name}")
    fixed = pyo.Param(G, mutable=True, initialize=start, doc=f"exogenous value of {name}")
    on = pyo.Param(G, mutable=True, initialize=0.0, doc=f"1: target of {name} binds")
    setattr(m, f"{name}_target", target)
    setattr(m, f"{name}_fixed", fixed)
    setattr(m, f"{name}_on", on)
    eq = pyo.Constraint(G, rule=lambda m, g: on[g] * (measure(m, g) / target[g] - 1)
                        + (1 - on[g]) * (var[g] - fixed[g]) == 0,
                        doc=f"target equation of {name}: on (M/T - 1) + (1 - on)(s - s_fix) = 0")
    setattr(m, f"{name}_equation", eq)
    return Target(name, groups, var, target, fixed, on, eq)
