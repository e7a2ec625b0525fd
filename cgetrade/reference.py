"""Reference replications: the Hosoe-Gasawa-Hashimoto textbook models (GAMS Model Library).

SPLCGE (simple CGE), STDCGE (standard single-country CGE) and TWOCGE (two countries) are
built with the library's own API: their social accounting matrices are turned into a
benchmark dataset (:func:`sam_dataset`), calibrated with the textbook's elasticities and
solved with its closure and numeraire; the textbook experiment abolishes import tariffs.
:func:`run` returns a table of model, quantity, published value, ours and difference; the
published values and where they come from are in :data:`PUBLISHED` and docs/reference.md.

Correspondence with the textbook's variables (levels at benchmark prices 1):

    UU_r = UU0_r Q_H[household,r]          (UU0 = prod_i Xp0_i^alpha_i, Cobb-Douglas utility)
    EV_r = E0_hh,r (Q_H[household,r] - 1)   (= (UU1 - UU0) prod_i alpha_i^-alpha_i at p0 = 1)
    Z = Y (activity), E = exports, M = imports (world prices), Xp = household demand Q_A,
    pq = P_A, pd = P_D, pe = P_E, pm = price of imports before tariffs, epsilon = exchange rate,
    all prices in the country's own currency (its labour price = 1, as in the textbook).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import xarray as xr

from .calibrate import Elasticities, calibrate
from .data.sam import from_sam
from .data.schema import AGENTS, DataValidationError
from .model import CGEModel, Closure
from .scenario import Scenario, Shock

TEXTBOOK = Path(str(resources.files("cgetrade.data") / "textbook"))
GOODS = ("BRD", "MLK")
FACTOR_ACCOUNTS = {"CAP": "capital", "LAB": "labour"}
AGENT_ACCOUNTS = {"household": "HOH", "government": "GOV", "investment": "INV"}

#: the textbook's elasticities: Armington 2, CET 2, Cobb-Douglas value added, Leontief
#: between value added and intermediates, Cobb-Douglas final demand
HGH_ELASTICITIES = Elasticities(default={"sigma_d": 2.0, "sigma_m": 2.0, "sigma_va": 1.0,
                                         "sigma_top": 0.0, "sigma_t": 2.0},
                                final_demand={a: 1.0 for a in AGENTS})


def read_sam(path: str | Path) -> xr.DataArray:
    """A square SAM from CSV (first column: row labels; rows receive, columns pay)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    cols = [c.strip() for c in rows[0][1:]]
    labels = [r[0].strip() for r in rows[1:]]
    if labels != cols:
        raise DataValidationError(f"{Path(path).name}: row labels {labels} differ from column labels {cols}")
    values = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    return xr.DataArray(values, dims=("row", "col"), coords={"row": labels, "col": cols},
                        attrs={"file": Path(path).name})


#: account types of the textbook SAMs (cgetrade.data.from_sam): BRD and MLK are goods (an
#: activity and its commodity in one account), IDT the production tax, TRF the import tariff
ACCOUNTS = {"BRD": "good", "MLK": "good", "CAP": "capital", "LAB": "labour",
            "IDT": "production_tax", "TRF": "import_tariff", "HOH": "household",
            "GOV": "government", "INV": "investment", "EXT": "rest_of_world"}


def sam_dataset(sams: dict, rest_of_world: str | None = None) -> xr.Dataset:
    """Benchmark dataset (cgetrade.data.schema) from textbook SAMs, one per region, built by
    :func:`cgetrade.data.from_sam` with the textbook's account types (:data:`ACCOUNTS`).

    Every user of good i buys the same import share, (EXT_i + TRF_i) / Q_i (the textbook's
    single Armington composite). Imports come from ``rest_of_world`` (an exogenous rest of
    the world, single-region SAMs) or, for two regions, from the other region, whose EXT
    column (exports) must equal this region's EXT row (imports at world prices).
    """
    present = {str(a) for sam in sams.values() for a in sam["row"].values}
    ds = from_sam(sams, {a: t for a, t in ACCOUNTS.items() if a in present},
                  rest_of_world=rest_of_world)
    ds.attrs.update({"description": "Hosoe-Gasawa-Hashimoto textbook SAM",
                     "units": "SAM units (benchmark prices = 1)"})
    ds["employment"].attrs["units"] = "labour units (benchmark wage = 1): the SAMs have no persons"
    return ds


# --------------------------------------------------------------------------------------
# published values (only numbers read in the cited sources; see docs/reference.md)
# --------------------------------------------------------------------------------------
SOURCES = {
    "stdcge.lst": "GAMS 47.4.0 / CONOPT 4.35 listing of the Model Library STDCGE (SEQ=276): "
                  "ounokoya/gams-cge, stdcge.lst (commit 8c6e93c), display of line 347 (% changes, "
                  "3 decimals) and line 362 (EV)",
    "gamspy": "GAMS-dev/gamspy, tests/integration/models/stdcge.py (commit 27a3766): assertions on "
              "the objective UU of STDCGE solved with CONOPT, benchmark and tariffs abolished",
    "twocge.lst": "GAMS 54.2.1 / CONOPT listing of the Model Library TWOCGE quoted in "
                  "jeffreyhorn/nlp2mcp, tests/unit/sprint_audit/test_mcp_solve_attribution.py: "
                  "objective SW of the solves at lines 634 (benchmark) and 641 (tariffs abolished)",
    "nlp2mcp": "jeffreyhorn/nlp2mcp, data/gamslib/gamslib_status.json and "
               "tests/e2e/test_gamslib_match.py: reference NLP objective of each Model Library entry",
}


@dataclass(frozen=True)
class Published:
    """A published value and the tolerance its printed precision allows (half a unit in the
    last printed digit; at most 10 significant digits for values printed to 17, whose
    solver tolerance leaves about 10 meaningful)."""
    model: str
    quantity: str             # the textbook's name, e.g. dE(BRD)
    key: tuple                # textbook_variables key (or "SW"); "d" names are % changes
    case: str                 # "benchmark" | "tariffs abolished"
    value: float
    tolerance: float
    source: str


def _sig(value: float, digits: int) -> float:
    return 0.5 * 10.0 ** (np.floor(np.log10(abs(value))) - digits + 1)


#: STDCGE, tariffs abolished: the listing's display of % changes (3 decimals) and EV
_STDCGE_LISTING = """
dY BRD 2.169 MLK -1.380
dF CAP,BRD 2.130 CAP,MLK -1.420 LAB,BRD 2.221 LAB,MLK -1.332
dX BRD,BRD 2.169 BRD,MLK -1.380 MLK,BRD 2.169 MLK,MLK -1.380
dZ BRD 2.169 MLK -1.380
dXp BRD 1.961 MLK 2.510
dXg BRD -6.850 MLK -6.349
dXv BRD 3.851 MLK 4.411
dE BRD 17.929 MLK 12.458
dM BRD -1.082 MLK 18.848
dQ BRD 0.062 MLK 0.906
dD BRD 0.291 MLK -2.177
dpf CAP 0.089
dpy BRD 0.051 MLK 0.048
dpz BRD -1.074 MLK -0.471
dpq BRD -1.875 MLK -2.400
dpe BRD 6.282 MLK 6.282
dpm BRD 6.282 MLK 6.282
dpd BRD -1.987 MLK -0.874
depsilon - 6.282
dTd - 0.049
dTz BRD 1.072 MLK -1.845
dTm BRD -100.000 MLK -100.000
dSp - 0.049
dSg - -8.597
EV - 1.145
"""


def _listing(model: str, region: str, text: str, source: str) -> list:
    out = []
    for line in text.strip().splitlines():
        name, *rest = line.split()
        for idx, val in zip(rest[::2], rest[1::2]):
            index = () if idx == "-" else tuple(idx.split(","))
            var = name[1:] if name.startswith("d") else name
            quantity = name + (f"({idx})" if index else "")
            out.append(Published(model, quantity, (var, *index, region), "tariffs abolished",
                                 float(val), 0.0005, source))
    return out


PUBLISHED = (
    Published("SPLCGE", "UU", ("UU", "SPL"), "benchmark", 27.1441, _sig(27.1441, 6), "nlp2mcp"),
    Published("STDCGE", "UU", ("UU", "STD"), "benchmark", 25.508490012515818,
              _sig(25.5, 10), "gamspy"),
    Published("STDCGE", "UU", ("UU", "STD"), "tariffs abolished", 26.092634381288686,
              _sig(26.1, 10), "gamspy"),
    *_listing("STDCGE", "STD", _STDCGE_LISTING, "stdcge.lst"),
    Published("TWOCGE", "SW = UU(JPN) + UU(USA)", ("SW",), "benchmark", 55.5085, _sig(55.5085, 6),
              "twocge.lst"),
    Published("TWOCGE", "SW = UU(JPN) + UU(USA)", ("SW",), "tariffs abolished", 56.7778,
              _sig(56.7778, 6), "twocge.lst"),
)


# --------------------------------------------------------------------------------------
# the three models
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReferenceModel:
    """A textbook model: SAM files by region, rest of the world, closure and experiment."""
    name: str
    title: str
    sams: dict
    closure: Closure
    rest_of_world: str | None = None
    experiment: Scenario | None = None
    elasticities: Elasticities = field(default_factory=lambda: HGH_ELASTICITIES)

    def dataset(self) -> xr.Dataset:
        return sam_dataset({r: read_sam(TEXTBOOK / f) for r, f in self.sams.items()},
                           rest_of_world=self.rest_of_world)

    def build(self) -> CGEModel:
        return CGEModel(calibrate(self.dataset(), self.elasticities), self.closure)


def _abolish_tariffs(note: str) -> Scenario:
    return Scenario("abolish import tariffs", [Shock("tariff", 0.0, mode="set", note=note)],
                    groups={"sector": {}, "region": {}})


HGH = "household_government"
MODELS = {
    "SPLCGE": ReferenceModel(
        "SPLCGE", "simple CGE (closed economy, household only; Ch. 5)", {"SPL": "splcge_sam.csv"},
        Closure(numeraire=("factor", "labour", "SPL"), final_demand=HGH, unemployment={"SPL": 0.05})),
    "STDCGE": ReferenceModel(
        "STDCGE", "standard CGE (small open economy; Ch. 6)", {"STD": "stdcge_sam.csv"},
        Closure(numeraire=("factor", "labour", "STD"), final_demand=HGH, foreign_saving="rest_of_world",
                unemployment={"STD": 0.05}),
        rest_of_world="EXT", experiment=_abolish_tariffs("taum(i) = 0")),
    "TWOCGE": ReferenceModel(
        "TWOCGE", "two-country CGE (JPN, USA; Ch. 10.3)",
        {"JPN": "twocge_sam_jpn.csv", "USA": "twocge_sam_usa.csv"},
        # the USA's labour price and exchange rate are 1, so foreign saving (in US dollars)
        # is in units of the numeraire; JPN's own currency is its labour price
        Closure(numeraire=("factor", "labour", "USA"), final_demand=HGH, foreign_saving="numeraire"),
        experiment=_abolish_tariffs("taum(i,r) = 0 in both countries")),
}


# --------------------------------------------------------------------------------------
# the textbook's variables from a solved model
# --------------------------------------------------------------------------------------
def textbook_variables(model: CGEModel) -> dict:
    """{(name, *index, region): level} of the textbook's variables at the model's current point:
    quantities in benchmark value units, prices and values in each country's own currency
    (its labour price = 1), factor labels as in the SAM (CAP, LAB). The model's expressions
    are evaluated together as arrays (CompiledNLP.component_values)."""
    m, par = model.pyomo, model.params
    use = par["use_dom"] + par["use_imp"]
    sectors, regions = par.sectors, par.regions
    vom, to0, fd_exp = par["vom"], par["to"], par["fd_exp"]
    nI = len(sectors)
    agents = {h: nI + par.final_agents.index(h) for h in par.final_agents}
    column = {**{j: k for k, j in enumerate(sectors)}, **agents}      # agent -> column of use
    account = {v: k for k, v in FACTOR_ACCOUNTS.items()}
    hg = model.closure.final_demand == "household_government"
    names = ["Q_H", "W", "EXR", "QVA", "Y", "P_VA", "C", "to", "PY", "FD", "QA", "D", "P_A",
             "EXPORTS", "PE", "PD", "X", "XMW", "pwm", "TARIFF_REVENUE", "tx"] \
        + (["FI", "taud", "ssp", "ssg", "GREV"] if hg else [])
    val = {name: dict(zip(idx, vals.tolist()))
           for name, (idx, vals) in model.nlp.component_values(names).items()}
    exr = val["EXR"][m.ROW.first()] if len(m.ROW) else None
    out = {}
    for r in m.R:
        rr = regions.index(r)
        c0 = use[:, agents["household"], rr]
        alpha = c0 / c0.sum()
        q = val["Q_H"]["household", r]
        out[("UU", r)] = float(np.prod(c0 ** alpha)) * q
        out[("EV", r)] = float(fd_exp[0, rr]) * (q - 1.0)
        local = 1.0 / val["W"]["labour", r]                     # own currency per numeraire unit
        if len(m.ROW):
            out[("epsilon", r)] = exr * local
        elif len(regions) > 1:
            out[("epsilon", r)] = local
        for f in m.F:
            out[("pf", account[f], r)] = val["W"][f, r] * local
        if hg:
            fi = val["FI"][r] * local
            out[("Td", r)] = val["taud"][r] * fi
            out[("Sp", r)] = val["ssp"][r] * fi
            out[("Sg", r)] = val["ssg"][r] * val["GREV"][r] * local
        for j in m.I:
            jj = column[j]
            out[("Y", j, r)] = val["QVA"][j, r]
            # Z: output at producer prices before the production tax (Z0 = Y0 + sum_i X0)
            out[("Z", j, r)] = val["Y"][j, r] * float(vom[jj, rr] * (1 - to0[jj, rr]))
            out[("py", j, r)] = val["P_VA"][j, r] * local
            out[("pz", j, r)] = val["C"][j, r] * local
            out[("Tz", j, r)] = val["to"][j, r] * val["PY"][j, r] * val["Y"][j, r] \
                * float(vom[jj, rr]) * local
            for f in m.F:
                out[("F", account[f], j, r)] = val["FD"][f, j, r]
            for i in m.I:
                if (i, j, r) in m.USE:
                    out[("X", i, j, r)] = val["QA"][i, j, r] * float(use[column[i], jj, rr])
        for i in m.I:
            ii = column[i]
            for name, h in (("Xp", "household"), ("Xg", "government"), ("Xv", "investment")):
                if (i, h, r) in m.USE:
                    out[(name, i, r)] = val["QA"][i, h, r] * float(use[ii, agents[h], rr])
            out[("Q", i, r)] = sum(val["QA"][i, a, r] * float(use[ii, column[a], rr])
                                   for a in m.A if (i, a, r) in m.USE)
            out[("D", i, r)] = sum(val["D"][i, a, r] for a in m.A if (i, a, r) in m.USE)
            out[("pq", i, r)] = val["P_A"][i, "household", r] * local
            exports = val["EXPORTS"][i, r]
            if exports or (i, r) in m.CET:
                cet = (i, r) in m.CET
                out[("E", i, r)] = exports
                out[("pe", i, r)] = (val["PE"][i, r] if cet else val["PY"][i, r]) * local
                out[("pd", i, r)] = (val["PD"][i, r] if cet else val["PY"][i, r]) * local
            if (i, r) in m.IM:
                links = [s for s in m.R if (i, s, r) in m.BT]
                imports = sum(val["X"][i, s, r] for s in links)
                # price of imports before tariffs: the exporter's price incl. export taxes
                # (from the rest of the world: world price x exchange rate)
                world_value = sum((val["PE"][i, s] if (i, s) in m.CET else val["PY"][i, s])
                                  * (1 + val["tx"][i, s, r]) * val["X"][i, s, r] for s in links)
                if (i, r) in m.MW:
                    imports += val["XMW"][i, r]
                    world_value += exr * val["pwm"][i, r] * val["XMW"][i, r]
                out[("M", i, r)] = imports
                out[("pm", i, r)] = world_value / imports * local
                out[("Tm", i, r)] = val["TARIFF_REVENUE"][i, r] * local
    return out


@dataclass
class Row:
    model: str
    quantity: str
    case: str
    published: float | None
    ours: float
    tolerance: float | None = None
    source: str = ""

    @property
    def difference(self) -> float | None:
        return None if self.published is None else self.ours - self.published

    @property
    def passed(self) -> bool | None:
        if self.published is None:
            return None
        return bool(abs(self.difference) <= self.tolerance)


def run(name: str, **solve_options) -> list[Row]:
    """Benchmark replication and the textbook experiment of one reference model: model
    requirements, every published value, then our value of every other textbook variable."""
    from .checks import homogeneity
    spec = MODELS[name]
    model = spec.build()
    rows = [Row(name, "max |residual| at the benchmark", "benchmark", 0.0,
                model.max_residual(), 1e-8, "replication requirement")]
    sol = model.solve(**solve_options)
    rows.append(Row(name, "Ipopt iterations from the benchmark", "benchmark", 0.0,
                    float(sol.iterations), 0.0, "replication requirement"))
    for check in homogeneity(model):
        rows.append(Row(name, check.name, "benchmark", 0.0, check.value, check.tolerance,
                        "model requirement"))
    model.solve(**solve_options)
    cases = {"benchmark": textbook_variables(model)}
    if spec.experiment is not None:
        spec.experiment.solve(model, **solve_options)
        rows.append(Row(name, "Walras' law: dropped market residual", "tariffs abolished", 0.0,
                        abs(model.walras_residual()), 1e-8, "model requirement"))
        cases["tariffs abolished"] = textbook_variables(model)
    base = cases["benchmark"]

    def ours(key, case):
        values = cases[case]
        if key == ("SW",):
            return sum(values[("UU", r)] for r in model.params.regions)
        if key[0] in ("UU", "EV"):
            return values[key]
        # the textbook displays % changes from the benchmark (prices: from 1)
        return 100.0 * (values[key] / base[key] - 1.0)
    compared = set()
    for pub in PUBLISHED:
        if pub.model == name and pub.case in cases:
            rows.append(Row(name, pub.quantity, pub.case, pub.value, ours(pub.key, pub.case),
                            pub.tolerance, pub.source))
            compared.add((pub.key, pub.case))
    if spec.experiment is not None:
        single = len(model.params.regions) == 1
        for key in base:
            if (key, "tariffs abolished") in compared:
                continue
            idx = key[1:-1] if single else key[1:]
            label = ("" if key[0] in ("UU", "EV") else "d") + key[0] + (f"({','.join(idx)})" if idx else "")
            rows.append(Row(name, label, "tariffs abolished", None, ours(key, "tariffs abolished")))
    return rows


def run_all(**solve_options) -> list[Row]:
    return [row for name in MODELS for row in run(name, **solve_options)]


def format_table(rows: list[Row]) -> str:
    head = f"{'model':<7} {'quantity':<56} {'case':<17} {'published':>14} {'ours':>14} {'difference':>11}  result"
    lines = [head, "-" * len(head)]
    for r in rows:
        pub = "n/a" if r.published is None else f"{r.published:.10g}"
        diff = "" if r.difference is None else f"{r.difference:.2e}"
        res = {None: "(no published value)", True: "MATCH", False: "DIFFERS"}[r.passed]
        lines.append(f"{r.model:<7} {r.quantity:<56} {r.case:<17} {pub:>14} {r.ours:>14.8g} {diff:>11}  {res}")
    lines.append("")
    lines.append("sources: " + "; ".join(f"[{k}] {v}" for k, v in SOURCES.items()))
    return "\n".join(lines)
