"""Shocks and scenarios (Python objects; TOML files map onto the same objects).

Shock kinds (``value`` semantics):

* ``tfp``                  Hicks-neutral productivity A[j,r] *= 1 + value        (value > -1)
                           with ``basis = "aggregate"`` the value is a target for the region's
                           aggregate TFP (Hulten): each selected sector gets
                           g = value * GDP_r / sum_selected output_jr
* ``factor_productivity``  factor-augmenting lambda[f,j,r] *= 1 + value      (needs ``factor``)
* ``automation``           labour-saving task shift (Acemoglu and Restrepo 2018, 2019): a share
                           ``value`` in [0, 1) of the tasks of each labour type in ``factor``
                           (default: medium skill, the routine tasks, with labour by skill;
                           else "labour") moves to capital, alpha_h *= 1 - value,
                           a_h += value * alpha_h, performed at a unit cost lower by
                           ``cost_saving`` in [0, 1) (productivity effect; 0 = a pure task
                           shift); ``reinstatement`` in [0, 1) moves that share of capital's
                           tasks to the labour types (new labour-intensive tasks)
* ``endowment``            factor endowment E[f,r] *= 1 + value               (needs ``factor``)
* ``tariff``               import tariff t_m[i,s,r] += value   (``region`` importers, ``source``;
                           the source may be the dataset's exogenous rest of the world, and
                           the region itself where trade within regions is kept bilateral)
* ``export_tax``           export tax t_x[i,s,r] += value  (``region`` exporters, ``destination``;
                           a prohibitive rate is an export restriction)
* ``production_tax``       production tax t_o[j,r] += value (a subsidy is a negative value)
* ``trade_cost``           iceberg trade cost tau[i,s,r] *= 1 + value (``region`` importers,
                           ``source`` exporters; value < 0: cheaper trade)
* ``home_bias``            preference shift toward the domestic variety in the Armington nest
                           of every agent of ``region`` for the commodities ``sector``:
                           b[i,r] *= 1 + value, value the import-price equivalent e (at given
                           prices the domestic / imported quantity ratio moves by
                           (1 + e)^sigma_d, as an ad-valorem charge e on imports would, but no
                           revenue is raised and no resources are used: customer proximity,
                           individualised production, trust in quality; value > -1, negative
                           toward imports; see cgetrade.model.trade)
* ``production_subsidy``   the production subsidy as a named kind: t_o[j,r] -= value
                           (value > 0 is a subsidy rate on output; ``mode = "set"``: t_o = -value).
                           It is the instrument for state support of capacity and upgrading: a
                           capacity (investment) subsidy would need an investment demand by
                           sector, which the static model does not have
* ``margin``               pricing below full unit cost ("involution": price wars compressing
                           margins): P_Y (1 - t_o) = (1 - m) unit cost, m += value (m < 1);
                           ``borne_by = "capital"`` (default): the loss, m unit cost Y, comes out
                           of the region's capital income (rental rates unaffected);
                           ``borne_by = "state"``: it is paid out of the regional household's tax
                           revenue like a production subsidy (see cgetrade.model.production)
* ``current_account``      the region's current account CA_r = -FS_r (foreign saving, in the
                           closure's foreign-saving unit, P_W by default) as a target:
                           ``unit = "pct_gdp"`` (default; % of the region's benchmark GDP, i.e.
                           its regional income) or ``"usd_m"`` (USD m at benchmark prices);
                           ``mode = "add"`` changes the current account by ``value``,
                           ``"set"`` sets it. The counterpart is spread over the other regions in
                           proportion to their benchmark GDP (``counterpart = "gdp"``) or
                           absorption (``"absorption"``), so sum_r FS_r (zero, or the exogenous
                           rest of the world's balance) is unchanged. Needs
                           ``foreign_saving_rule = "fixed"``; a target that would leave some
                           region with negative investment at benchmark saving is refused with
                           the closest reachable value

Tax shocks take ``mode = "set"`` to set the rate instead of adding to it (``value = 0`` with
``mode = "set"`` abolishes the tax, whatever its benchmark rate).

Export quotas: an ``export_tax`` shock with ``target = {measure = "bilateral_trade",
value = -0.5}`` cuts each selected flow X[i,s,d] by half; the export tax is the instrument
and the implied tax equivalent is reported. ``rent`` says who holds the quota rent
t_x P_E X: ``"exporter"`` (default; the exporting region: licensed exporters or the state that
auctions the licences) or ``"importer"`` (the importing region, whose buyers pay the world
price while the scarcity of the goods raises their marginal value: the rent share tx_rent = 1).

Shocks may name the ``driver`` they belong to (any label): cgetrade.decompose splits a
scenario's effect between its drivers (Shapley values).

Price-target shocks: a ``tfp``, ``automation``, ``margin`` or ``production_subsidy`` shock with
``target = {measure = "export_price", value = -0.3}`` is stated as its effect: the
instrument (the TFP level, or the share of the labour types' tasks automated at the given
cost saving) of each selected (sector, region) is endogenous and the measure of that
(sector, region), relative to the world export price index, changes by ``value`` against
the point the scenario starts from (measures: ``export_price`` P_E / P_W,
``producer_price`` P_Y / P_W, and for ``tfp``, ``margin`` and ``production_subsidy``
``export_price_index``: one instrument common to the selected sectors of each region against
the region's Laspeyres export price index over those sectors, benchmark export values as
weights, relative to P_W: sum_j w_j P_E[j,r] / (P_W sum_j w_j)).
:meth:`Scenario.implied` solves for the instruments and
returns the scenario with the implied shocks stated directly (see cgetrade.model.targets).

Labels may be region/sector labels, group names (``groups.toml`` or the scenario's
``[groups]`` table) or ``"*"``. Everything is validated before any parameter changes.
A value may be a table of variants, e.g. ``value = {low = 0.02, central = 0.05, high = 0.1}``;
``include = ["other.toml"]`` adds another scenario file's shocks (same variant).

``path`` (used by recursive-dynamic runs, see cgetrade.paths) phases a shock in over the
years: ``path = {logistic = {start = 2025, midpoint = 2030, speed = 0.8, end = 2035}}``,
``{linear = {start = 2025, end = 2035}}`` or ``{table = {2025 = 0.01, 2030 = 0.028}}``
(year -> value; ``value`` may then be omitted and is the last entry). Static runs apply the
full ``value``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pyomo.environ as pyo

from .paths import PathError, Table, parse_path
from .errors import InputError, ShockError, check_keys, read_toml, suggest
from .pricetargets import BORNE_BY, RENT_HOLDERS
from .pricetargets import prepare as _prepare_targets
from .pricetargets import resolve_targets as _resolve_targets

import tomllib

KINDS = ("tfp", "factor_productivity", "automation", "endowment", "tariff", "export_tax",
         "production_tax", "trade_cost", "production_subsidy", "margin", "current_account", "home_bias")
TAXES = ("tariff", "export_tax", "production_tax", "production_subsidy")
#: kinds whose ``mode`` may be "set"
SETTABLE = TAXES + ("margin", "current_account")
CA_UNITS = ("pct_gdp", "usd_m")
CA_COUNTERPARTS = ("gdp", "absorption")
#: observables a target shock can be stated for, by shock kind: (sector, region) -> price / P_W
#: for productivity shocks, the bilateral flow X[i,s,d] for an export tax (an export quota)
TARGET_MEASURES = {"tfp": ("export_price", "producer_price", "export_price_index"),
                   "automation": ("export_price", "producer_price"),
                   "margin": ("export_price", "producer_price", "export_price_index"),
                   "production_subsidy": ("export_price", "producer_price", "export_price_index"),
                   "export_tax": ("bilateral_trade",)}
#: keys a shock of each kind accepts (besides kind, value, region, note and path)
KIND_KEYS = {"tfp": ("sector", "basis", "target"), "factor_productivity": ("sector", "factor"),
             "automation": ("sector", "factor", "cost_saving", "reinstatement", "target"),
             "endowment": ("factor",),
             "tariff": ("sector", "source", "mode"), "export_tax": ("sector", "destination", "mode", "target", "rent"),
             "production_tax": ("sector", "mode"), "trade_cost": ("sector", "source"),
             "production_subsidy": ("sector", "mode", "target"),
             "margin": ("sector", "mode", "borne_by", "target"),
             "current_account": ("mode", "unit", "counterpart"), "home_bias": ("sector",)}
SHOCK_KEYS = ("kind", "value", "region", "sector", "factor", "source", "destination", "basis",
              "mode", "note", "cost_saving", "reinstatement", "path", "target", "origin",
              "driver", "borne_by", "unit", "counterpart", "rent")
SCENARIO_KEYS = ("name", "description", "source", "variants", "default_variant", "include",
                 "groups", "shock", "closure", "model", "dynamics")
DEFAULT_GROUPS = Path(str(resources.files("cgetrade.data") / "default" / "groups.toml"))


def default_groups() -> dict:
    with open(DEFAULT_GROUPS, "rb") as f:
        raw = tomllib.load(f)
    return {"sector": dict(raw.get("sector", {})), "region": dict(raw.get("region", {}))}


def _as_list(x):
    if x is None:
        return ["*"]
    return [x] if isinstance(x, str) else list(x)


@dataclass
class Shock:
    kind: str
    value: float | None = None
    region: list = field(default_factory=lambda: ["*"])
    sector: list = field(default_factory=lambda: ["*"])
    factor: list | None = None
    source: list = field(default_factory=lambda: ["*"])
    destination: list = field(default_factory=lambda: ["*"])
    basis: str = "sector"
    mode: str = "add"
    note: str = ""
    cost_saving: float = 0.0
    reinstatement: float = 0.0
    path: object = None
    target: dict | None = None
    origin: str = ""            # the file the shock is stated in (price targets are reached
                                # together with the other shocks of the same file)
    driver: str = ""            # the driver the shock belongs to (cgetrade.decompose)
    borne_by: str | None = None     # margin: "capital" (default) or "state"
    unit: str | None = None         # current_account: "pct_gdp" (default) or "usd_m"
    counterpart: str | None = None  # current_account: "gdp" (default) or "absorption"
    rent: str | None = None         # export_tax: who holds the rent, "exporter" or "importer"

    def __post_init__(self):
        if self.target is not None:
            self._check_target()
        try:
            self.path = parse_path(self.path)
        except PathError as err:
            raise ShockError(f"{self.kind} shock: {err}") from None
        if self.value is None and isinstance(self.path, Table):
            self.value = self.path.final
        self.region, self.sector = _as_list(self.region), _as_list(self.sector)
        self.source, self.destination = _as_list(self.source), _as_list(self.destination)
        if self.factor is not None:
            self.factor = _as_list(self.factor)
        if self.kind not in KINDS:
            raise ShockError(f"unknown shock kind {self.kind!r}{suggest(self.kind, KINDS)}; "
                             f"known kinds: {', '.join(KINDS)}")
        if isinstance(self.value, (str, bytes, bool)):
            raise ShockError(f"{self.kind} shock value must be a number, got {self.value!r}")
        try:
            self.value = float(self.value)
        except (TypeError, ValueError):
            raise ShockError(f"{self.kind} shock value must be a number, got {self.value!r}") from None
        for key in ("region", "sector", "source", "destination", "factor"):
            labels = getattr(self, key)
            if labels is not None and not labels:
                raise ShockError(f"empty {key} list in {self.kind} shock (use \"*\" for all)")
            if labels is not None and not all(isinstance(x, str) for x in labels):
                raise ShockError(f"{key} of a {self.kind} shock must be labels (strings), got {labels!r}")
        given = {"sector": self.sector != ["*"], "factor": self.factor is not None,
                 "source": self.source != ["*"], "destination": self.destination != ["*"],
                 "basis": self.basis != "sector", "mode": self.mode != "add",
                 "borne_by": self.borne_by is not None, "unit": self.unit is not None,
                 "counterpart": self.counterpart is not None, "rent": self.rent is not None}
        if not isinstance(self.driver, str):
            raise ShockError(f"driver of a {self.kind} shock must be a label (string), got {self.driver!r}")
        stray = [k for k, v in given.items() if v and k not in KIND_KEYS[self.kind]]
        if stray:
            raise ShockError(f"{', '.join(stray)} does not apply to a {self.kind} shock; "
                             f"it takes kind, value, region, {', '.join(KIND_KEYS[self.kind])}, note")
        if not np.isfinite(self.value):
            raise ShockError(f"shock value must be finite, got {self.value}")
        if self.kind in ("tfp", "factor_productivity", "endowment", "trade_cost", "home_bias") \
                and self.value <= -1:
            raise ShockError(f"{self.kind} shock {self.value} would make the level <= 0 (need > -1)")
        if self.kind == "automation" and not 0 <= self.value < 1:
            raise ShockError(f"automation moves a share of labour's tasks: need 0 <= value < 1, "
                             f"got {self.value}")
        for key in ("cost_saving", "reinstatement"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
                raise ShockError(f"{key} must be a number in [0, 1), got {v!r}")
            if v and self.kind != "automation":
                raise ShockError(f"{key} applies to automation shocks only, not {self.kind}")
        if self.kind in ("factor_productivity", "endowment") and not self.factor:
            raise ShockError(f"a {self.kind} shock needs 'factor'")
        if self.mode not in ("add", "set") or (self.mode == "set" and self.kind not in SETTABLE):
            raise ShockError(f"mode must be 'add' (or 'set' for {', '.join(SETTABLE)} shocks), got {self.mode!r}")
        if self.kind == "margin":
            if self.borne_by is None:
                self.borne_by = "capital"
            if self.borne_by not in BORNE_BY:
                raise ShockError(f"borne_by of a margin shock must be one of {', '.join(BORNE_BY)}, "
                                 f"got {self.borne_by!r}{suggest(str(self.borne_by), BORNE_BY)}")
            if self.value >= 1:
                raise ShockError(f"margin {self.value} would price at or below zero: a margin m below "
                                 f"unit cost needs m < 1 (P_Y = (1 - m) unit cost)")
        if self.rent is not None and self.rent not in RENT_HOLDERS:
            raise ShockError(f"rent of an export_tax shock must be one of {', '.join(RENT_HOLDERS)}, "
                             f"got {self.rent!r}{suggest(str(self.rent), RENT_HOLDERS)}")
        if self.kind == "production_subsidy" and self.value >= 1:
            raise ShockError(f"production_subsidy {self.value} would pay producers their whole sales "
                             f"or more: need a subsidy rate < 1")
        if self.kind == "current_account":
            self.unit = self.unit or "pct_gdp"
            self.counterpart = self.counterpart or "gdp"
            if self.unit not in CA_UNITS:
                raise ShockError(f"unit of a current_account shock must be one of {', '.join(CA_UNITS)}, "
                                 f"got {self.unit!r}{suggest(str(self.unit), CA_UNITS)}")
            if self.counterpart not in CA_COUNTERPARTS:
                raise ShockError(f"counterpart of a current_account shock must be one of "
                                 f"{', '.join(CA_COUNTERPARTS)}, got {self.counterpart!r}")
            if self.region == ["*"] or len(self.region) != 1:
                raise ShockError(f"a current_account shock names one region (the others bear the "
                                 f"counterpart), got {self.region}")
            if self.unit == "pct_gdp" and abs(self.value) >= 100:
                raise ShockError(f"current_account {self.value} % of GDP is not a current account")
        if self.basis not in ("sector", "aggregate") or (self.basis == "aggregate" and self.kind != "tfp"):
            raise ShockError(f"basis must be 'sector' (or 'aggregate' for tfp), got {self.basis!r}")

    def _check_target(self):
        t = self.target
        if not isinstance(t, dict) or set(t) - {"measure", "value"} or "value" not in t:
            raise ShockError(f"target must be a table {{measure = ..., value = ...}}, got {t!r}")
        if self.kind not in TARGET_MEASURES:
            raise ShockError(f"a target can be stated for {', '.join(TARGET_MEASURES)} shocks, not {self.kind}")
        known = TARGET_MEASURES[self.kind]
        measure = t.get("measure", known[0])
        if measure not in known:
            raise ShockError(f"unknown target measure {measure!r} of a {self.kind} shock; known: {', '.join(known)}")
        if self.mode != "add":
            raise ShockError("a target shock adds its implied change (mode = 'add')")
        v = t["value"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not -1 < v < 10:
            raise ShockError(f"target value is a relative change > -1, got {v!r}")
        if self.path is not None:
            raise ShockError("a price-target shock cannot have a path: resolve it with "
                             "Scenario.implied and give the implied shock a path")
        if self.basis != "sector":
            raise ShockError("a price-target shock is stated by sector (basis = 'sector')")
        self.target = {"measure": measure, "value": float(v)}
        if self.value is None:
            self.value = 0.0

    def _pick(self, requested, known, what, groups):
        if requested == ["*"]:
            return list(known)
        out = []
        for x in requested:
            members = groups.get(x, [x])
            unknown = [y for y in members if y not in known]
            if unknown:
                raise ShockError(f"unknown {what} {unknown} in {self.kind} shock; known: "
                                 f"{list(known)} and groups {sorted(groups)}")
            out.extend(y for y in members if y not in out)
        return out

    def _current_account(self, model, regions) -> list[tuple]:
        """("fsav", (r,), (size, {s: weight}), "current_account"): the change of r's foreign
        saving (or its new level) in the foreign-saving unit and the counterpart weights."""
        if getattr(model.closure, "foreign_saving_rule", "fixed") != "fixed":
            raise ShockError(f"a current_account shock sets foreign saving, which is endogenous under "
                             f"foreign_saving_rule = {model.closure.foreign_saving_rule!r}; use 'fixed'")
        par, (r,) = model.params, regions
        others = [s for s in par.regions if s != r]
        if not others:
            raise ShockError("a current_account shock needs another region to bear the counterpart")
        gdp = {s: float(par.data["income"].sel(region=s)) for s in par.regions}
        size = self.value * (gdp[r] / 100 if self.unit == "pct_gdp" else 1.0)
        if self.counterpart == "gdp":
            w = {s: gdp[s] for s in others}
        else:
            w = {s: float(par.data["fd_exp"].sel(region=s).sum()) for s in others}
        total = sum(w.values())
        return [("fsav", (r,), (size, {s: v / total for s, v in w.items()}, self), "current_account")]

    def resolve(self, model, groups: dict | None = None) -> list[tuple]:
        """(param name, index, factor or increment, "mul" | "add" | "set" | "automate") tuples."""
        groups = groups or default_groups()
        m = model.pyomo
        R, I, F = list(m.R), list(m.I), list(m.F)
        regions = self._pick(self.region, R, "region", groups["region"])
        sectors = self._pick(self.sector, I, "sector", groups["sector"])
        if self.kind == "tfp":
            if self.basis == "sector":
                return [("tfp", (j, r), 1 + self.value, "mul") for j in sectors for r in regions]
            par = model.params
            out = []
            for r in regions:
                vom = par.data["vom"].sel(region=r, sector=sectors).sum().item()
                g = self.value * par.data["income"].sel(region=r).item() / vom
                out += [("tfp", (j, r), 1 + g, "mul") for j in sectors]
            return out
        if self.kind == "factor_productivity":
            fs = self._pick(self.factor, F, "factor", {})
            return [("aug", (f, j, r), 1 + self.value, "mul") for f in fs for j in sectors for r in regions]
        if self.kind == "automation":
            labour = list(m.L)
            default = ["labour_medium"] if "labour_medium" in labour else labour
            fs = self._pick(self.factor or default, labour, "labour type", {"labour": labour})
            return [("va_share", (h, j, r), (self.value, self.cost_saving, self.reinstatement), "automate")
                    for h in fs for j in sectors for r in regions]
        if self.kind == "endowment":
            fs = self._pick(self.factor, F, "factor", {})
            return [("endowment", (f, j, r), 1 + self.value, "mul") for f in fs for j in I for r in regions]
        if self.kind == "production_tax":
            return [("to", (j, r), self.value, self.mode) for j in sectors for r in regions]
        if self.kind == "production_subsidy":
            return [("to", (j, r), -self.value, self.mode) for j in sectors for r in regions]
        if self.kind == "margin":
            return [(BORNE_BY[self.borne_by], (j, r), self.value, self.mode) for j in sectors for r in regions]
        if self.kind == "current_account":
            return self._current_account(model, regions)
        if self.kind == "home_bias":
            cells = [("home_bias", (i, r), 1 + self.value, "mul") for i in sectors for r in regions
                     if (i, r) in m.IM]
            if not cells:
                raise ShockError(f"home_bias shock: no imports of {sectors} into {regions} to shift from")
            return cells
        if self.kind == "trade_cost":
            sources = self._pick(self.source, R, "source region", groups["region"])
            return [("tau", (i, s, r), 1 + self.value, "mul") for i in sectors for s in sources
                    for r in regions if (i, s, r) in m.BT]
        if self.kind == "tariff":
            sources = self._pick(self.source, R + list(m.ROW), "source region", groups["region"])
            return ([("tm", (i, s, r), self.value, self.mode) for i in sectors for s in sources
                     for r in regions if (i, s, r) in m.BT]
                    + [("tm_row", (i, r), self.value, self.mode) for i in sectors for r in regions
                       if (i, r) in m.MW and set(sources) & set(m.ROW)])
        dests = self._pick(self.destination, R, "destination region", groups["region"])
        flows = [(i, s, d) for i in sectors for s in regions for d in dests if (i, s, d) in m.BT]
        out = [("tx", f, self.value, self.mode) for f in flows]
        if self.rent is not None:
            out += [("tx_rent", f, RENT_HOLDERS[self.rent], "set") for f in flows]
        return out


@dataclass
class Scenario:
    name: str
    shocks: list
    description: str = ""
    source: str = ""
    groups: dict = field(default_factory=default_groups)
    variant: str = ""
    closure: dict = field(default_factory=dict)      # [closure]: preset and Closure fields
    model: dict = field(default_factory=dict)        # [model]: skills, va_nest
    implied_shocks: list = field(default_factory=list)   # price targets and what hit them

    MODEL_KEYS = ("skills", "va_nest", "private_demand")

    def make_closure(self, dataset=None, **overrides):
        """The scenario's closure (``[closure]`` table: ``preset`` and any Closure field),
        with ``overrides`` (e.g. from the command line) taking precedence. Preset ``gtap7`` with
        a GTAP ``dataset`` takes its ETRAE, SLUG and RORDELTA (Closure.from_gtap)."""
        from .model import Closure
        spec = {**self.closure, **{k: v for k, v in overrides.items() if v is not None}}
        preset = spec.pop("preset", None)
        known = set(Closure.__dataclass_fields__) - {"preset"}
        unknown = sorted(set(spec) - known)
        if unknown:
            import difflib
            hints = [difflib.get_close_matches(k, known, n=1) for k in unknown]
            raise ShockError(f"unknown closure key(s) {unknown} in scenario {self.name}"
                             + "".join(f" (did you mean {h[0]!r}?)" for h in hints if h)
                             + f"; known: preset, {', '.join(sorted(known))}")
        for key in ("sector_specific",):
            if key in spec:
                spec[key] = tuple(spec[key])
        try:
            if preset == "gtap7" and dataset is not None:
                return Closure.from_gtap(dataset, **spec)
            return Closure.from_preset(preset, **spec) if preset else Closure(**spec)
        except (TypeError, ValueError) as err:
            raise ShockError(f"invalid closure in scenario {self.name}: {err}") from None

    def calibration_options(self, **overrides) -> dict:
        """``calibrate`` keyword arguments from the ``[model]`` table and ``overrides``."""
        spec = {**self.model, **{k: v for k, v in overrides.items() if v is not None}}
        unknown = sorted(set(spec) - set(self.MODEL_KEYS))
        if unknown:
            raise ShockError(f"unknown [model] key(s) {unknown} in scenario {self.name}; "
                             f"known: {', '.join(self.MODEL_KEYS)}")
        if "skills" in spec and not isinstance(spec["skills"], (bool, int)):
            raise ShockError(f"[model] skills in scenario {self.name} must be true or false, "
                             f"got {spec['skills']!r}")
        if "va_nest" in spec and spec["va_nest"] not in ("flat", "capital_skill"):
            raise ShockError(f"[model] va_nest in scenario {self.name} must be 'flat' or "
                             f"'capital_skill', got {spec['va_nest']!r}")
        if "private_demand" in spec and spec["private_demand"] not in ("ces", "cde"):
            raise ShockError(f"[model] private_demand in scenario {self.name} must be 'ces' or "
                             f"'cde', got {spec['private_demand']!r}")
        return spec

    @classmethod
    def from_toml(cls, path: str | Path, variant: str | None = None, _including=()) -> "Scenario":
        """Read a scenario file; ``variant`` picks one value of every variant table."""
        path = Path(path)
        if path.resolve() in _including:
            chain = " -> ".join(p.name for p in (*_including, path.resolve()))
            raise ShockError(f"scenario {path.name} includes itself: {chain}")
        raw = read_toml(path, ShockError)
        check_keys(raw, SCENARIO_KEYS, f"scenario file {path.name}", ShockError)
        check_keys(raw.get("groups", {}), ("sector", "region"), f"[groups] of {path.name}", ShockError)
        groups = default_groups()
        for kind in ("sector", "region"):
            groups[kind].update(raw.get("groups", {}).get(kind, {}))
        variants = raw.get("variants", [])
        if variant and not variants and not raw.get("include"):
            raise ShockError(f"scenario {path.name} has no variants; got variant {variant!r}")
        chosen = variant or raw.get("default_variant", variants[0] if variants else "")
        if variants and chosen not in variants:
            raise ShockError(f"unknown variant {chosen!r} of {path.name}; known: {variants}")
        shocks, closure, model = [], {}, {}
        for inc in raw.get("include", []):
            if not isinstance(inc, str):
                raise ShockError(f"include in {path.name} must be a list of file names, got {inc!r}")
            part = cls.from_toml(path.parent / inc, variant=chosen, _including=(*_including, path.resolve()))
            shocks.extend(part.shocks)
            closure.update(part.closure)
            model.update(part.model)
            for kind in ("sector", "region"):
                groups[kind].update(part.groups[kind])
        for n, s in enumerate(raw.get("shock", []), 1):
            if not isinstance(s, dict):
                raise ShockError(f"'shock' in {path.name} must be [[shock]] tables")
            check_keys(s, SHOCK_KEYS, f"[[shock]] {n} of {path.name}", ShockError)
            s = dict(s)
            if isinstance(s.get("value"), dict):
                if chosen not in s["value"]:
                    raise ShockError(f"shock {s.get('kind')} in {path.name} has no value for "
                                     f"variant {chosen!r}")
                s["value"] = s["value"][chosen]
            if isinstance(s.get("target"), dict) and isinstance(s["target"].get("value"), dict):
                if chosen not in s["target"]["value"]:
                    raise ShockError(f"target of shock {s.get('kind')} in {path.name} has no value "
                                     f"for variant {chosen!r}")
                s["target"] = {**s["target"], "value": s["target"]["value"][chosen]}
            s.setdefault("origin", path.name)
            try:
                shocks.append(Shock(**s))
            except TypeError as err:
                raise ShockError(f"invalid shock in {path.name}: {err}") from None
        if not shocks:
            raise ShockError(f"scenario {path} has no [[shock]] entries")
        name = raw.get("name", path.stem)
        return cls(name=name, shocks=shocks, description=raw.get("description", ""),
                   source=raw.get("source", ""), groups=groups, variant=chosen,
                   closure={**closure, **raw.get("closure", {})}, model={**model, **raw.get("model", {})})

    def targets(self, model) -> dict:
        """Final values of every shocked parameter, validated before anything is changed."""
        if self.has_targets:
            raise ShockError(f"scenario {self.name} has price-target shocks: resolve them with "
                             "Scenario.implied(model) first (cgetrade run does)")
        return self._final_values(model)

    @property
    def has_targets(self) -> bool:
        return any(s.target for s in self.shocks)

    def validate(self, model) -> None:
        """Check every label and value against the model (price-target shocks included)."""
        for s in self.shocks:
            if s.target:
                s.resolve(model, self.groups)
        Scenario(self.name, [s for s in self.shocks if not s.target] or [],
                 groups=self.groups)._final_values(model)

    def prepare(self, model) -> None:
        """Add the target blocks of the price-target shocks to the model (call before it is
        compiled, else it is compiled again)."""
        if self.has_targets:
            _prepare_targets(self, model)

    def implied(self, model, **solve_options) -> "Scenario":
        """The scenario with every price-target shock replaced by the shock that delivers its
        target (from the model's current solved point); see cgetrade.pricetargets."""
        return _resolve_targets(self, model, **solve_options)

    def _final_values(self, model) -> dict:
        m = model.pyomo
        current: dict = {}

        def now(name, idx):
            return current.get((name, idx), pyo.value(getattr(m, name)[idx]))
        for shock in self.shocks:
            for name, idx, val, how in shock.resolve(model, self.groups):
                if how == "automate":
                    self._automate(m, now, current, idx, *val)
                    continue
                if how == "current_account":
                    self._current_account(model, now, current, idx[0], *val)
                    continue
                new = {"mul": lambda: now(name, idx) * val, "add": lambda: now(name, idx) + val,
                       "set": lambda: val}[how]()
                if name in ("tm", "tx", "tm_row") and new <= -1:
                    raise ShockError(f"{name}{idx} would become {new} (<= -100 %)")
                if name == "to" and not -1 < new < 1:
                    raise ShockError(f"production tax rate t_o{idx} would become {new} (need -1 < t_o < 1)")
                if name in ("margin", "margin_state"):
                    other = "margin_state" if name == "margin" else "margin"
                    total = new + now(other, idx)
                    if not -1 < total < 1:
                        raise ShockError(f"the margin below unit cost of {idx} would become {total:g} "
                                         f"(need -1 < m < 1: P_Y = (1 - m) unit cost > 0)")
                current[(name, idx)] = new
        return current

    @staticmethod
    def _current_account(model, now, current, r, size, weights, shock):
        """CA_r = -FS_r changes by ``size`` (or is set to it); the others' foreign saving
        moves by weight_s times the change, so sum_s FS_s is unchanged. Refuses a target
        that would leave a region with negative investment at benchmark domestic saving,
        I_s = S0_s + FS_s, naming the closest reachable value."""
        par = model.params
        fs_now = {s: now("fsav", (s,)) for s in par.regions}
        delta = size if shock.mode == "add" else size + fs_now[r]        # change of CA_r (FS_r: -delta)
        inv = {s: float(par.data["saving"].sel(region=s)) + fs_now[s] for s in par.regions}
        hi = inv[r]                                        # r's investment stays >= 0
        lo = max(-inv[s] / w for s, w in weights.items() if w > 0)
        if not lo < delta < hi:
            unit = 100 / float(par.data["income"].sel(region=r)) if shock.unit == "pct_gdp" else 1.0
            base = 0.0 if shock.mode == "add" else -fs_now[r]
            edge = hi if delta >= hi else lo
            what = "% of GDP" if shock.unit == "pct_gdp" else "USD m"
            who = r if delta >= hi else max((s for s in weights if weights[s] > 0),
                                            key=lambda s: -inv[s] / weights[s])
            raise ShockError(
                f"current_account target {shock.value:g} {what} for {r} (mode {shock.mode!r}) is outside "
                f"what world saving allows: it would leave {who} with negative investment at "
                f"benchmark saving; the closest reachable value is (just inside) "
                f"{(base + edge) * unit:.4g} {what}")
        current[("fsav", (r,))] = fs_now[r] - delta
        for s, w in weights.items():
            current[("fsav", (s,))] = fs_now[s] + w * delta

    @staticmethod
    def _automate(m, now, current, idx, share, cost_saving, reinstatement):
        """Task shift of labour type h in (j, r): alpha_h -> (1 - share) alpha_h, the moved
        tasks performed by capital at unit cost c = 1 - cost_saving; reinstatement moves a
        share of capital's own tasks to h."""
        h, j, r = idx
        alpha, a_old = now("va_share", idx), now("auto_share", idx)
        c_old, c_new = now("auto_cost", idx), 1.0 - cost_saving
        if a_old > 0 and share > 0 and abs(c_old - c_new) > 1e-12:
            raise ShockError(f"automation of {h} in ({j}, {r}) at cost saving {cost_saving} on top of "
                             f"automated tasks at cost {c_old}: one cost saving per cell")
        moved = alpha * share
        current[("va_share", idx)] = alpha - moved
        current[("auto_share", idx)] = a_old + moved
        if share > 0:
            current[("auto_cost", idx)] = c_new
        if reinstatement and "capital" in m.F:
            cap = ("capital", j, r)
            new_tasks = now("va_share", cap) * reinstatement
            current[("va_share", cap)] = now("va_share", cap) - new_tasks
            current[("va_share", idx)] += new_tasks

    def automation_effects(self, model):
        """Productivity and displacement effects of the scenario's technology shocks by sector
        and region, at benchmark factor prices (Acemoglu and Restrepo 2019): the % change of
        the unit cost of value added and the change of labour's share of value added (pp),
        displacement from automation and reinstatement from new tasks separately. The model
        is left unchanged."""
        import xarray as xr

        from .model.production import va_at_benchmark_prices
        m = model.pyomo
        cells = [(j, r) for j in m.I for r in m.R]
        displacement_only = Scenario(self.name, [
            Shock(**{**s.__dict__, "reinstatement": 0.0}) for s in self.shocks if s.kind == "automation"],
            groups=self.groups)
        stages = [{}, displacement_only.targets(model) if displacement_only.shocks else {}, self.targets(model)]
        saved = {k: pyo.value(getattr(m, k[0])[k[1]]) for k in stages[-1]}
        values = []
        try:
            for target in stages:
                for (name, idx), v in saved.items():
                    getattr(m, name)[idx] = target.get((name, idx), v)
                values.append(va_at_benchmark_prices(m, cells))
        finally:
            for (name, idx), v in saved.items():
                getattr(m, name)[idx] = v
        grid = lambda k, a, b: [[100 * (values[b][j, r][k] / values[a][j, r][k] - 1) if k == 0  # noqa: E731
                                 else 100 * (values[b][j, r][k] - values[a][j, r][k]) for r in m.R] for j in m.I]
        coords = {"sector": list(m.I), "region": list(m.R)}
        return xr.Dataset({
            "productivity_effect": (("sector", "region"), grid(0, 0, 2),
                                    {"units": "%", "long_name": "change of the unit cost of value added at "
                                     "benchmark factor prices (negative = cost saving)"}),
            "displacement": (("sector", "region"), grid(1, 0, 1),
                             {"units": "pp", "long_name": "change of labour's share of value added at "
                              "benchmark factor prices from automation"}),
            "reinstatement": (("sector", "region"), grid(1, 1, 2),
                              {"units": "pp", "long_name": "change of labour's share of value added at "
                               "benchmark factor prices from new labour tasks"}),
        }, coords=coords)

    def endpoints(self, model) -> tuple[dict, dict]:
        """Current and final values of every shocked parameter (validated)."""
        final = self.targets(model)
        m = model.pyomo
        return {k: pyo.value(getattr(m, k[0])[k[1]]) for k in final}, final

    @staticmethod
    def move(model, start: dict, final: dict, fraction: float) -> None:
        """Set every shocked parameter to start + fraction (final - start)."""
        m = model.pyomo
        for (name, idx), v0 in start.items():
            getattr(m, name)[idx] = v0 + fraction * (final[(name, idx)] - v0)

    def apply(self, model, fraction: float = 1.0) -> None:
        """Move the shocked parameters a ``fraction`` of the way from their current values."""
        self.move(model, *self.endpoints(model), fraction)

    def solve(self, model, max_steps: int = 8, time_limit: float | None = None,
              step_max_iter: int = 50, **solve_options):
        """Apply and solve; if the direct solve fails, reach the shock by continuation: each
        step is warm-started from the last solution, a failed step is halved (down to
        1/``max_steps`` of the shock) and a successful one doubled; each step after the
        direct solve gets at most ``step_max_iter`` Ipopt iterations (a warm-started step
        that converges needs about 5) and no bounded retry. When the path reaches a point
        with no economically valid equilibrium (NoEquilibriumError) smaller steps cannot
        cross it: bisection then locates the point (to 1/``max_steps``) and the error says
        where. Everything stops when ``time_limit`` seconds have passed. Returns the final Solution with
        ``info["reached_by"]``; on failure the SolveError says how much of the shock was
        reached (``err.reached``, 0-1) and the model is back at its starting point."""
        import time

        from .solve import NoEquilibriumError, SolveError
        start, final = self.endpoints(model)
        x0 = model.nlp.x_from_model()
        t0 = time.perf_counter()
        done, step, finest, solves = 0.0, 1.0, 1, 0
        x_done, sol, err = x0, None, None
        while done < 1.0:
            target = min(1.0, done + step)
            self.move(model, start, final, target)
            model.nlp.to_model(x_done)
            opts = dict(solve_options)
            if solves:          # continuation steps: short, warm-started, no bounded retry
                opts["max_iter"] = min(step_max_iter, opts.get("max_iter") or step_max_iter)
                opts.setdefault("retry_bounded", False)
            if time_limit is not None:
                opts["time_limit"] = time_limit - (time.perf_counter() - t0)
            solves += 1
            try:
                if opts.get("time_limit", 1.0) <= 0:
                    raise SolveError(f"time limit of {time_limit:g} s reached")
                sol = model.solve(**opts)
            except NoEquilibriumError as e:
                # locate where the path leaves the economic domain (bisection, warm starts)
                err, lo, hi = e, done, target
                while hi - lo > 1.0 / max_steps and (time_limit is None
                                                    or time.perf_counter() - t0 < time_limit):
                    mid = 0.5 * (lo + hi)
                    self.move(model, start, final, mid)
                    model.nlp.to_model(x_done)
                    solves += 1
                    try:
                        model.solve(**{"retry_bounded": False, **solve_options, "max_iter": min(
                            step_max_iter, solve_options.get("max_iter") or step_max_iter)})
                    except NoEquilibriumError as e2:
                        err, hi = e2, mid
                        continue
                    except SolveError:
                        break
                    lo, x_done = mid, model.nlp.x_from_model()
                done, target = lo, hi
                break
            except SolveError as e:
                err = e
                step /= 2
                finest = max(finest, round(1 / step))
                out_of_time = time_limit is not None and time.perf_counter() - t0 >= time_limit
                if step * max_steps < 1 - 1e-12 or out_of_time:
                    why = (f"time limit of {time_limit:g} s reached" if out_of_time else
                           f"no convergence even in steps of 1/{max_steps} of the shock")
                    break
                continue
            done, x_done, err = target, model.nlp.x_from_model(), None
            step = min(2 * step, 1.0)
        if err is None:
            sol.info["reached_by"] = "direct solve" if solves == 1 else f"continuation in {finest} steps"
            sol.info["solves"] = solves
            return sol
        self.move(model, start, final, 0.0)
        model.nlp.to_model(x0)
        elapsed = time.perf_counter() - t0
        if isinstance(err, NoEquilibriumError):
            raise NoEquilibriumError(f"scenario {self.name}: solved up to {100 * done:.4g} % of the "
                                     f"shock, then {err} (at {100 * target:.4g} %; {solves} solves, "
                                     f"{elapsed:.1f} s)", worst=err.worst, reached=done)
        first = str(err).splitlines()[0]
        raise SolveError(f"scenario {self.name}: reached {100 * done:.4g} % of the shock in "
                         f"{solves} solves and {elapsed:.1f} s; {why}; last error: {first}",
                         worst=err.worst, status=err.status, reached=done)
