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
import pyomo.environ as pyo
import xarray as xr

from .calibrate import Elasticities, calibrate
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


def _check_balanced(sam: xr.DataArray, what: str) -> None:
    gap = sam.sum("col").values - sam.sum("row").values
    if np.any(np.abs(gap) > 1e-9 * float(abs(sam).sum())):
        bad = {str(a): float(g) for a, g in zip(sam["row"].values, gap) if abs(g) > 1e-9}
        raise DataValidationError(f"SAM {what} is not balanced (row - column totals): {bad}")


def sam_dataset(sams: dict, rest_of_world: str | None = None) -> xr.Dataset:
    """Benchmark dataset (cgetrade.data.schema) from textbook SAMs, one per region.

    Every user of good i buys the same import share, (EXT_i + TRF_i) / Q_i (the textbook's
    single Armington composite). Imports come from ``rest_of_world`` (an exogenous rest of
    the world, single-region SAMs) or, for two regions, from the other region, whose EXT
    column (exports) must equal this region's EXT row (imports at world prices).
    """
    regions = list(sams)
    if rest_of_world is None and len(regions) > 2:
        raise DataValidationError("without a rest of the world the SAMs must be one closed economy "
                                  "or two regions trading with each other")
    for r, sam in sams.items():
        _check_balanced(sam, r)
    sources = regions + ([rest_of_world] if rest_of_world else [])
    nI, nS, nR = len(GOODS), len(sources), len(regions)
    Z = np.zeros((nI, nS, nI, nR))
    F = np.zeros((nI, nS, len(AGENTS), nR))
    V = np.zeros((len(FACTOR_ACCOUNTS), nI, nR))
    TM = np.zeros((nI, nS, nR))
    XW = np.zeros((nI, nR))
    T, X, TD = np.zeros((nI, nR)), np.zeros((nI, nR)), np.zeros(nR)
    goods = list(GOODS)
    for r, region in enumerate(regions):
        sam = sams[region]
        accounts = set(map(str, sam["row"].values))

        def val(a, b, sam=sam, accounts=accounts):
            return float(sam.sel(row=a, col=b)) if a in accounts and b in accounts else 0.0
        src = sources.index(rest_of_world) if rest_of_world else (1 - r if nR == 2 else None)
        for i, g in enumerate(goods):
            uses = [val(g, j) for j in goods] + [val(g, acc) for acc in AGENT_ACCOUNTS.values()]
            imports = val("EXT", g) + val("TRF", g)
            share = imports / sum(uses) if sum(uses) > 0 else 0.0
            if src is None:
                if imports or val(g, "EXT"):
                    raise DataValidationError(f"SAM {region} trades {g} but has no trading partner "
                                              "(give rest_of_world)")
                src = r                                # closed economy: everything is domestic
            for j in range(nI):
                Z[i, r, j, r] += uses[j] * (1 - share)
                Z[i, src, j, r] += uses[j] * share
            for a in range(len(AGENTS)):
                F[i, r, a, r] += uses[nI + a] * (1 - share)
                F[i, src, a, r] += uses[nI + a] * share
            TM[i, src, r] += val("TRF", g)
            if rest_of_world:
                XW[i, r] = val(g, "EXT")
            for f, acc in enumerate(FACTOR_ACCOUNTS):
                V[f, i, r] = val(acc, g)
            T[i, r] = val("IDT", g)
            X[i, r] = sum(val(k, g) for k in goods) + V[:, i, r].sum() + T[i, r]
        TD[r] = val("GOV", "HOH")
    if rest_of_world is None and nR == 2:          # one region's exports are the other's imports
        for r, region in enumerate(regions):
            other = sams[regions[1 - r]]
            for g in goods:
                exp, imp = float(sams[region].sel(row=g, col="EXT")), float(other.sel(row="EXT", col=g))
                if abs(exp - imp) > 1e-9 * max(1.0, abs(exp)):
                    raise DataValidationError(f"exports of {g} from {region} ({exp}) differ from "
                                              f"imports of {g} into {regions[1 - r]} ({imp})")
    lab = V[list(FACTOR_ACCOUNTS.values()).index("labour")]
    ds = xr.Dataset(
        {
            "intermediate": (("commodity", "source", "sector", "region"), Z),
            "final_demand": (("commodity", "source", "agent", "region"), F),
            "factor_payments": (("factor", "sector", "region"), V),
            "production_tax": (("sector", "region"), T),
            "gross_output": (("sector", "region"), X),
            "employment": (("sector", "region"), lab,
                           {"units": "labour units (benchmark wage = 1): the SAMs have no persons"}),
            "import_tariff": (("commodity", "source", "region"), TM),
            "direct_tax": ("region", TD),
        },
        coords={"commodity": goods, "sector": goods, "source": sources, "region": regions,
                "agent": list(AGENTS), "factor": list(FACTOR_ACCOUNTS.values())},
        attrs={"description": "Hosoe-Gasawa-Hashimoto textbook SAM",
               "units": "SAM units (benchmark prices = 1)"},
    )
    if rest_of_world:
        ds["exports_rest_of_world"] = (("commodity", "region"), XW)
        ds.attrs["rest_of_world"] = rest_of_world
    return ds


# --------------------------------------------------------------------------------------
# published values (only numbers read in the cited sources; see docs/reference.md)
# --------------------------------------------------------------------------------------
SOURCES = {
    "gamspy": "GAMS-dev/gamspy, tests/integration/models/stdcge.py: assertions on the objective "
              "UU of the GAMS STDCGE model solved with CONOPT (benchmark and tariffs abolished)",
    "nlp2mcp": "jeffreyhorn/nlp2mcp, data/gamslib/gamslib_status.json: objective value of the "
               "GAMS run of each Model Library entry (last solve of the file)",
    "nlp2mcp-docs": "jeffreyhorn/nlp2mcp documentation: TWOCGE benchmark objective SW = 55.508 "
                    "(model status 1)",
}


@dataclass(frozen=True)
class Published:
    """A published value compared to ``digits`` significant digits: as many as the source
    prints, at most 10 (values printed to 17 digits come from a solver whose own
    convergence tolerance leaves about 10 of them meaningful)."""
    model: str
    quantity: str
    case: str                 # "benchmark" | "tariffs abolished"
    value: float
    digits: int
    source: str

    @property
    def tolerance(self) -> float:
        """Half a unit in the last printed digit."""
        return 0.5 * 10.0 ** (np.floor(np.log10(abs(self.value))) - self.digits + 1)


PUBLISHED = (
    Published("SPLCGE", "UU", "benchmark", 27.1441, 6, "nlp2mcp"),
    Published("STDCGE", "UU", "benchmark", 25.508490012515818, 10, "gamspy"),
    Published("STDCGE", "UU", "tariffs abolished", 26.092634381288686, 10, "gamspy"),
    Published("STDCGE", "UU", "tariffs abolished", 26.0926, 6, "nlp2mcp"),
    Published("TWOCGE", "SW = UU[JPN] + UU[USA]", "benchmark", 55.508, 5, "nlp2mcp-docs"),
    Published("TWOCGE", "SW = UU[JPN] + UU[USA]", "tariffs abolished", 56.7778, 6, "nlp2mcp"),
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
    """{(name, index): level} of the textbook's variables at the model's current point, prices
    in each country's own currency (labour price = 1)."""
    m, par = model.pyomo, model.params
    use = par["use_dom"] + par["use_imp"]
    nI = len(par.sectors)
    hh = nI + par.final_agents.index("household")
    x_row, vrow = par["x_row"], par["vxmd_row"]
    out = {}
    for r in m.R:
        rr = par.regions.index(r)
        c0 = use[:, hh, rr]
        alpha = c0 / c0.sum()
        uu0 = float(np.prod(c0 ** alpha))
        q = pyo.value(m.Q_H["household", r])
        out[("UU", r)] = uu0 * q
        out[("EV", r)] = float(par["fd_exp"][0, rr]) * (q - 1.0)
        local = 1.0 / pyo.value(m.W["labour", r])               # own currency per numeraire unit
        if len(m.ROW):
            out[("epsilon", r)] = pyo.value(m.EXR[m.ROW.first()]) * local
        elif len(par.regions) > 1:
            out[("epsilon", r)] = local
        for i in m.I:
            ii = par.sectors.index(i)
            out[("Z", i, r)] = pyo.value(m.Y[i, r]) * float(par["vom"][ii, rr])
            out[("Xp", i, r)] = pyo.value(m.QA[i, "household", r]) * float(c0[ii])
            out[("pq", i, r)] = pyo.value(m.P_A[i, "household", r]) * local
            exports = sum(pyo.value(m.X[i, r, s]) for s in m.R if (i, r, s) in m.BT)
            exports += float(x_row[ii, rr]) * pyo.value(m.XEW[i, r]) if (i, r) in m.EW else 0.0
            imports = sum(pyo.value(m.X[i, s, r]) for s in m.R if (i, s, r) in m.BT)
            imports += pyo.value(m.XMW[i, r]) if (i, r) in m.MW else 0.0
            if exports or (i, r) in m.CET:
                out[("E", i, r)] = exports
                out[("pe", i, r)] = pyo.value(m.PE[i, r] if (i, r) in m.CET else m.PY[i, r]) * local
                out[("pd", i, r)] = pyo.value(m.PD[i, r] if (i, r) in m.CET else m.PY[i, r]) * local
            if (i, r) in m.IM:
                out[("M", i, r)] = imports
                # price of imports before tariffs: world price x exchange rate
                if (i, r) in m.MW:
                    pm = pyo.value(m.EXR[m.ROW.first()] * m.pwm[i, r])
                else:
                    pm = sum(pyo.value(m.PE[i, s] if (i, s) in m.CET else m.PY[i, s]) * pyo.value(m.X[i, s, r])
                             for s in m.R if (i, s, r) in m.BT) / imports
                out[("pm", i, r)] = pm * local
    return out


def _label(key) -> str:
    name, *idx = key
    return f"{name}[{','.join(idx)}]"


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
    """Benchmark replication and the textbook experiment of one reference model."""
    spec = MODELS[name]
    model = spec.build()
    rows = [Row(name, "max |residual| at the benchmark", "benchmark", 0.0,
                model.max_residual(), 1e-8, "replication requirement")]
    sol = model.solve(**solve_options)
    rows.append(Row(name, "Ipopt iterations from the benchmark", "benchmark", 0.0,
                    float(sol.iterations), 0.0, "replication requirement"))
    from .checks import homogeneity
    for check in homogeneity(model):
        rows.append(Row(name, check.name.replace("homogeneity: ", "homogeneity, "), "benchmark", 0.0,
                        check.value, check.tolerance, "model requirement"))
    model.solve(**solve_options)
    base = textbook_variables(model)
    cases = [("benchmark", base)]
    if spec.experiment is not None:
        spec.experiment.solve(model, **solve_options)
        rows.append(Row(name, "Walras' law: dropped market residual", "tariffs abolished", 0.0,
                        abs(model.walras_residual()), 1e-8, "model requirement"))
        cases.append(("tariffs abolished", textbook_variables(model)))
    for case, values in cases:
        regions = model.params.regions
        ours = {"UU": values[("UU", regions[0])],
                "SW = UU[JPN] + UU[USA]": sum(values[("UU", r)] for r in regions)}
        for pub in PUBLISHED:
            if pub.model == name and pub.case == case:
                rows.append(Row(name, pub.quantity, case, pub.value, ours[pub.quantity],
                                pub.tolerance, pub.source))
    if spec.experiment is not None:
        after = cases[-1][1]
        for key in base:
            if key[0] in ("EV", "UU"):
                rows.append(Row(name, _label(key), "tariffs abolished", None, after[key]))
            else:
                rows.append(Row(name, f"% change {_label(key)}", "tariffs abolished", None,
                                100.0 * (after[key] / base[key] - 1.0)))
    return rows


def run_all(**solve_options) -> list[Row]:
    return [row for name in MODELS for row in run(name, **solve_options)]


def format_table(rows: list[Row]) -> str:
    head = f"{'model':<7} {'quantity':<46} {'case':<17} {'published':>14} {'ours':>14} {'difference':>11}  result"
    lines = [head, "-" * len(head)]
    for r in rows:
        pub = "n/a" if r.published is None else f"{r.published:.10g}"
        diff = "" if r.difference is None else f"{r.difference:.2e}"
        res = {None: "(no published value)", True: "MATCH", False: "DIFFERS"}[r.passed]
        lines.append(f"{r.model:<7} {r.quantity:<46} {r.case:<17} {pub:>14} {r.ours:>14.8g} {diff:>11}  {res}")
    lines.append("")
    lines.append("sources: " + "; ".join(f"[{k}] {v}" for k, v in SOURCES.items()))
    return "\n".join(lines)
