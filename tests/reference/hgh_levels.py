"""Independent levels-form transcription of the Hosoe-Gasawa-Hashimoto STDCGE and TWOCGE models.

This is a cross-check of :mod:`cgetrade.reference`, which builds the same textbook models with the
library's calibrated-share formulation. Here the textbook's GAMS equations are transcribed one by
one, in levels (GAMS Model Library stdcge.gms, as in GAMS-dev/gamspy
tests/integration/models/stdcge.py, and twocge.gms), with the parameters calibrated from the SAMs
exactly as the GAMS code does. Only the SAM reader and the Ipopt bridge are shared with the
library; nothing else of ``cgetrade`` is used.

The GAMS models are NLPs maximising the (fictitious) objective UU (STDCGE) or SW = sum_r UU(r)
(TWOCGE) subject to a system with redundant equations. Here the redundant equations are
deactivated, the remaining square system is solved with Ipopt, and the dropped equations are
checked at the solution (:attr:`LevelsModel.dropped_residual`):

* STDCGE: pf("LAB") = 1. 48 equations, 47 free variables; Walras' law makes one goods market
  redundant: eqpqd("MLK") is dropped.
* TWOCGE: pf("LAB", r) = 1 in both countries and epsilon("USA") = 1. 104 equations (the r = rr
  instances of eqpw/eqw are 0 = 0 and are not generated), 101 free variables. Each country's
  accounts (households, government, saving-investment, firms, balance of payments) give one
  Walras redundancy per country: eqpqd("MLK", r) is dropped in both. The third redundancy is the
  world's: given eqpw and eqw and sum_r Sf(r) = 0, the two balance-of-payments equations sum to
  an identity, so eqepsilon("USA") is dropped. The full 104 x 101 Jacobian has rank 101 and the
  square 101 x 101 one is nonsingular (:func:`jacobian_rank`).

Equations are divided by benchmark magnitudes for conditioning (the dropped ones are checked
both scaled and unscaled). UU(r) = prod_i Xp(i,r)^alpha(i,r); the equivalent variation at
benchmark prices is EV = (UU1 - UU0) prod_i alpha_i^-alpha_i.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from cgetrade.reference import TEXTBOOK, read_sam
from cgetrade.solve import run_ipopt
from cgetrade.solve.bridge import CompiledNLP

GOODS = ("BRD", "MLK")
FACTORS = ("CAP", "LAB")
SIGMA = 2.0        # Armington elasticity of substitution
PSI = 2.0          # CET elasticity of transformation
ETA = (SIGMA - 1) / SIGMA
PHI = (PSI + 1) / PSI

SAM_FILES = {"STDCGE": {"STD": "stdcge_sam.csv"},
             "TWOCGE": {"JPN": "twocge_sam_jpn.csv", "USA": "twocge_sam_usa.csv"}}

#: published GAMS objective values (see cgetrade.reference.PUBLISHED)
PUBLISHED_UU = {("STDCGE", False): 25.508490012515818, ("STDCGE", True): 26.092634381288686}
PUBLISHED_SW = {("TWOCGE", False): 55.508, ("TWOCGE", True): 56.7778}

IPOPT_OPTIONS = {"tol": 1e-12, "constr_viol_tol": 1e-12}


# ------------------------------------------------------------------------------------------
# calibration (as in the GAMS code)
# ------------------------------------------------------------------------------------------
def calibrate_region(sam) -> dict:
    """Benchmark values and parameters of one country from its SAM, as in stdcge.gms/twocge.gms."""
    def S(u, v):
        return float(sam.sel(row=u, col=v))
    i_, h_ = GOODS, FACTORS
    c = {}
    c["Td0"] = S("GOV", "HOH")
    c["Tz0"] = {j: S("IDT", j) for j in i_}
    c["Tm0"] = {j: S("TRF", j) for j in i_}
    c["F0"] = {(h, j): S(h, j) for h in h_ for j in i_}
    c["Y0"] = {j: sum(c["F0"][h, j] for h in h_) for j in i_}
    c["X0"] = {(i, j): S(i, j) for i in i_ for j in i_}
    c["Z0"] = {j: c["Y0"][j] + sum(c["X0"][i, j] for i in i_) for j in i_}
    c["M0"] = {i: S("EXT", i) for i in i_}
    c["tauz"] = {j: c["Tz0"][j] / c["Z0"][j] for j in i_}
    c["taum"] = {j: c["Tm0"][j] / c["M0"][j] for j in i_}
    c["Xp0"] = {i: S(i, "HOH") for i in i_}
    c["FF"] = {h: S("HOH", h) for h in h_}
    c["Xg0"] = {i: S(i, "GOV") for i in i_}
    c["Xv0"] = {i: S(i, "INV") for i in i_}
    c["E0"] = {i: S(i, "EXT") for i in i_}
    c["Q0"] = {i: c["Xp0"][i] + c["Xg0"][i] + c["Xv0"][i] + sum(c["X0"][i, j] for j in i_) for i in i_}
    c["D0"] = {i: (1 + c["tauz"][i]) * c["Z0"][i] - c["E0"][i] for i in i_}
    c["Sp0"] = S("INV", "HOH")
    c["Sg0"] = S("INV", "GOV")
    c["Sf"] = S("INV", "EXT")

    Xp0, F0, M0, D0, E0, taum = c["Xp0"], c["F0"], c["M0"], c["D0"], c["E0"], c["taum"]
    c["alpha"] = {i: Xp0[i] / sum(Xp0[j] for j in i_) for i in i_}
    c["beta"] = {(h, j): F0[h, j] / sum(F0[k, j] for k in h_) for h in h_ for j in i_}
    c["b"] = {j: c["Y0"][j] / math.prod(F0[h, j] ** c["beta"][h, j] for h in h_) for j in i_}
    c["ax"] = {(i, j): c["X0"][i, j] / c["Z0"][j] for i in i_ for j in i_}
    c["ay"] = {j: c["Y0"][j] / c["Z0"][j] for j in i_}
    c["mu"] = {i: c["Xg0"][i] / sum(c["Xg0"][j] for j in i_) for i in i_}
    c["lambda"] = {i: c["Xv0"][i] / (c["Sp0"] + c["Sg0"] + c["Sf"]) for i in i_}
    den = {i: (1 + taum[i]) * M0[i] ** (1 - ETA) + D0[i] ** (1 - ETA) for i in i_}
    c["deltam"] = {i: (1 + taum[i]) * M0[i] ** (1 - ETA) / den[i] for i in i_}
    c["deltad"] = {i: D0[i] ** (1 - ETA) / den[i] for i in i_}
    c["gamma"] = {i: c["Q0"][i] / (c["deltam"][i] * M0[i] ** ETA + c["deltad"][i] * D0[i] ** ETA) ** (1 / ETA)
                  for i in i_}
    den = {i: E0[i] ** (1 - PHI) + D0[i] ** (1 - PHI) for i in i_}
    c["xie"] = {i: E0[i] ** (1 - PHI) / den[i] for i in i_}
    c["xid"] = {i: D0[i] ** (1 - PHI) / den[i] for i in i_}
    c["theta"] = {i: c["Z0"][i] / (c["xie"][i] * E0[i] ** PHI + c["xid"][i] * D0[i] ** PHI) ** (1 / PHI)
                  for i in i_}
    c["ssp"] = c["Sp0"] / sum(c["FF"][h] for h in h_)
    c["ssg"] = c["Sg0"] / (c["Td0"] + sum(c["Tz0"][j] for j in i_) + sum(c["Tm0"][j] for j in i_))
    c["taud"] = c["Td0"] / sum(c["FF"][h] for h in h_)
    return c


# ------------------------------------------------------------------------------------------
# the levels model
# ------------------------------------------------------------------------------------------
@dataclass
class LevelsModel:
    name: str
    model: pyo.ConcreteModel
    cal: dict                        # region -> calibrated values and parameters
    dropped: list                    # deactivated (redundant) constraint data
    nlp: CompiledNLP = field(init=False)

    def __post_init__(self):
        self.nlp = CompiledNLP(self.model)

    @property
    def regions(self):
        return list(self.cal)

    def set_tariffs(self, abolish: bool) -> None:
        for r, c in self.cal.items():
            for i in GOODS:
                self.model.taum[i, r] = 0.0 if abolish else c["taum"][i]

    def set_benchmark(self) -> None:
        """Variables at their SAM (benchmark) values, prices 1."""
        m = self.model
        for r, c in self.cal.items():
            for j in GOODS:
                m.Y[j, r] = c["Y0"][j]
                m.Z[j, r] = c["Z0"][j]
                m.Tz[j, r] = c["Tz0"][j]
                m.Tm[j, r] = c["Tm0"][j]
                for h in FACTORS:
                    m.F[h, j, r] = c["F0"][h, j]
                for i in GOODS:
                    m.X[i, j, r] = c["X0"][i, j]
            for i in GOODS:
                for name in ("Xp", "Xg", "Xv", "E", "M", "Q", "D"):
                    getattr(m, name)[i, r] = c[name + "0"][i]
                for name in ("py", "pz", "pq", "pe", "pm", "pd", "pWe", "pWm"):
                    getattr(m, name)[i, r] = 1.0
            for h in FACTORS:
                m.pf[h, r] = 1.0
            m.epsilon[r] = 1.0
            m.Sp[r], m.Sg[r], m.Td[r] = c["Sp0"], c["Sg0"], c["Td0"]

    def residuals(self) -> np.ndarray:
        """Scaled residuals of the active (square) system at the model's current point."""
        return self.nlp.residuals_at_model()

    def dropped_residual(self, scaled: bool = True) -> float:
        """max |residual| of the deactivated redundant equations at the current point."""
        out = 0.0
        for con in self.dropped:
            lhs, rhs = con.expr.args
            res = pyo.value(lhs) - pyo.value(rhs)
            if not scaled:
                res *= self.model.scale[con.parent_component().name, con.index()]
            out = max(out, abs(res))
        return out

    def solve(self, abolish_tariffs: bool, start_at_benchmark: bool = True) -> dict:
        self.set_tariffs(abolish_tariffs)
        if start_at_benchmark:
            self.set_benchmark()
        nlp = self.nlp
        if nlp.n != nlp.m:
            raise RuntimeError(f"{self.name}: {nlp.m} equations for {nlp.n} free variables")
        p = nlp.p_from_model()
        x, info, _ = run_ipopt(nlp, nlp.x_from_model(), p, IPOPT_OPTIONS)
        res = float(np.max(np.abs(nlp.residuals(x, p))))
        if not res < 1e-9:
            raise RuntimeError(f"{self.name}: Ipopt status {info['status']}, max residual {res:.2e}")
        nlp.to_model(x)
        walras = self.dropped_residual(scaled=False)
        if not walras < 1e-8:
            raise RuntimeError(f"{self.name}: dropped (redundant) equations violated by {walras:.2e}")
        return self.textbook_levels()

    def utility(self, r, benchmark: bool = False) -> float:
        c = self.cal[r]
        xp = c["Xp0"] if benchmark else {i: pyo.value(self.model.Xp[i, r]) for i in GOODS}
        return math.prod(xp[i] ** c["alpha"][i] for i in GOODS)

    def textbook_levels(self) -> dict:
        """Levels keyed like cgetrade.reference.textbook_variables: (name, *GAMS index, region)
        for every GAMS variable (prices in own currency, labour price 1), plus UU and EV.
        pe = epsilon pWe (eqpe) and pm = epsilon pWm (eqpm) is the import price before the tariff."""
        out = {}
        for r, c in self.cal.items():
            uu = self.utility(r)
            out[("UU", r)] = uu
            out[("EV", r)] = (uu - self.utility(r, benchmark=True)) * math.prod(
                c["alpha"][i] ** -c["alpha"][i] for i in GOODS)
        for v in self.model.component_data_objects(pyo.Var):
            idx = v.index() if isinstance(v.index(), tuple) else (v.index(),)
            out[(v.parent_component().name, *idx)] = v.value
        return out


def _build(name: str) -> LevelsModel:
    cal = {r: calibrate_region(read_sam(TEXTBOOK / f)) for r, f in SAM_FILES[name].items()}
    R = list(cal)
    two = len(R) == 2
    m = pyo.ConcreteModel(name)
    m.R, m.I, m.H = pyo.Set(initialize=R), pyo.Set(initialize=GOODS), pyo.Set(initialize=FACTORS)
    I, H = GOODS, FACTORS
    m.taum = pyo.Param(m.I, m.R, mutable=True, initialize={(i, r): cal[r]["taum"][i] for r in R for i in I})

    def var(*sets):
        return pyo.Var(*sets, m.R, initialize=1.0)
    m.Y, m.Z, m.Xp, m.Xg, m.Xv = var(m.I), var(m.I), var(m.I), var(m.I), var(m.I)
    m.E, m.M, m.Q, m.D = var(m.I), var(m.I), var(m.I), var(m.I)
    m.F, m.X = var(m.H, m.I), var(m.I, m.I)
    m.pf = var(m.H)
    m.py, m.pz, m.pq, m.pe, m.pm, m.pd = var(m.I), var(m.I), var(m.I), var(m.I), var(m.I), var(m.I)
    m.pWe, m.pWm = var(m.I), var(m.I)         # world prices: exogenous (STDCGE) or endogenous (TWOCGE)
    m.epsilon, m.Sp, m.Sg, m.Td = var(), var(), var(), var()
    m.Tz, m.Tm = var(m.I), var(m.I)

    # numeraire and exogenous variables
    for r in R:
        m.pf["LAB", r].fix(1.0)
        if not two:
            for i in I:
                m.pWe[i, r].fix(1.0)          # pWe(i) = 1, pWm(i) = 1 (parameters in STDCGE)
                m.pWm[i, r].fix(1.0)
    if two:
        m.epsilon["USA"].fix(1.0)

    scale = {}

    def eq(cname, index, lhs, rhs, s):
        """lhs =e= rhs, divided by the benchmark magnitude s."""
        s = float(abs(s)) or 1.0
        scale[cname, index] = s
        return lhs / s == rhs / s

    def add(cname, sets, rule):
        """Constraint cname over the product of sets; rule(cname, *index) -> equation."""
        idx = [k if len(k) > 1 else k[0] for k in itertools.product(*sets)]
        setattr(m, cname, pyo.Constraint(idx, rule=lambda mm, *k: rule(cname, *k)))

    c = cal
    Y, Z, Xp, Xg, Xv, E, M, Q, D, F, X = m.Y, m.Z, m.Xp, m.Xg, m.Xv, m.E, m.M, m.Q, m.D, m.F, m.X
    pf, py, pz, pq, pe, pm, pd, pWe, pWm = m.pf, m.py, m.pz, m.pq, m.pe, m.pm, m.pd, m.pWe, m.pWm
    eps, Sp, Sg, Td, Tz, Tm, taum = m.epsilon, m.Sp, m.Sg, m.Td, m.Tz, m.Tm, m.taum

    def income(r):
        return sum(pf[h, r] * c[r]["FF"][h] for h in H)

    def revenue(r):
        return Td[r] + sum(Tz[j, r] for j in I) + sum(Tm[j, r] for j in I)

    # [domestic production]
    add("eqpy", (I, R), lambda n, j, r: eq(n, (j, r), Y[j, r],
        c[r]["b"][j] * pyo.prod(F[h, j, r] ** c[r]["beta"][h, j] for h in H), c[r]["Y0"][j]))
    add("eqX", (I, I, R), lambda n, i, j, r: eq(n, (i, j, r), X[i, j, r], c[r]["ax"][i, j] * Z[j, r],
                                                c[r]["X0"][i, j]))
    add("eqY", (I, R), lambda n, j, r: eq(n, (j, r), Y[j, r], c[r]["ay"][j] * Z[j, r], c[r]["Y0"][j]))
    add("eqF", (H, I, R), lambda n, h, j, r: eq(n, (h, j, r), F[h, j, r],
        c[r]["beta"][h, j] * py[j, r] * Y[j, r] / pf[h, r], c[r]["F0"][h, j]))
    add("eqpzs", (I, R), lambda n, j, r: eq(n, (j, r), pz[j, r],
        c[r]["ay"][j] * py[j, r] + sum(c[r]["ax"][i, j] * pq[i, r] for i in I), 1.0))
    # [government behaviour]
    add("eqTd", (R,), lambda n, r: eq(n, r, Td[r], c[r]["taud"] * income(r), c[r]["Td0"]))
    add("eqTz", (I, R), lambda n, i, r: eq(n, (i, r), Tz[i, r], c[r]["tauz"][i] * pz[i, r] * Z[i, r],
                                           c[r]["Tz0"][i]))
    add("eqTm", (I, R), lambda n, i, r: eq(n, (i, r), Tm[i, r], taum[i, r] * pm[i, r] * M[i, r],
                                           c[r]["Tm0"][i]))
    add("eqXg", (I, R), lambda n, i, r: eq(n, (i, r), Xg[i, r],
        c[r]["mu"][i] * (revenue(r) - Sg[r]) / pq[i, r], c[r]["Xg0"][i]))
    # [investment behaviour]
    add("eqXv", (I, R), lambda n, i, r: eq(n, (i, r), Xv[i, r],
        c[r]["lambda"][i] * (Sp[r] + Sg[r] + eps[r] * c[r]["Sf"]) / pq[i, r], c[r]["Xv0"][i]))
    # [savings]
    add("eqSp", (R,), lambda n, r: eq(n, r, Sp[r], c[r]["ssp"] * income(r), c[r]["Sp0"]))
    add("eqSg", (R,), lambda n, r: eq(n, r, Sg[r], c[r]["ssg"] * revenue(r), c[r]["Sg0"]))
    # [household consumption]
    add("eqXp", (I, R), lambda n, i, r: eq(n, (i, r), Xp[i, r],
        c[r]["alpha"][i] * (income(r) - Sp[r] - Td[r]) / pq[i, r], c[r]["Xp0"][i]))
    # [international trade]
    add("eqpe", (I, R), lambda n, i, r: eq(n, (i, r), pe[i, r], eps[r] * pWe[i, r], 1.0))
    add("eqpm", (I, R), lambda n, i, r: eq(n, (i, r), pm[i, r], eps[r] * pWm[i, r], 1.0))
    add("eqepsilon", (R,), lambda n, r: eq(n, r, sum(pWe[i, r] * E[i, r] for i in I) + c[r]["Sf"],
                                           sum(pWm[i, r] * M[i, r] for i in I),
                                           sum(c[r]["M0"][i] for i in I)))
    # [Armington function]
    add("eqpqs", (I, R), lambda n, i, r: eq(n, (i, r), Q[i, r], c[r]["gamma"][i] * (
        c[r]["deltam"][i] * M[i, r] ** ETA + c[r]["deltad"][i] * D[i, r] ** ETA) ** (1 / ETA), c[r]["Q0"][i]))
    add("eqM", (I, R), lambda n, i, r: eq(n, (i, r), M[i, r], (
        c[r]["gamma"][i] ** ETA * c[r]["deltam"][i] * pq[i, r] / ((1 + taum[i, r]) * pm[i, r]))
        ** (1 / (1 - ETA)) * Q[i, r], c[r]["M0"][i]))
    add("eqD", (I, R), lambda n, i, r: eq(n, (i, r), D[i, r], (
        c[r]["gamma"][i] ** ETA * c[r]["deltad"][i] * pq[i, r] / pd[i, r]) ** (1 / (1 - ETA)) * Q[i, r],
        c[r]["D0"][i]))
    # [transformation function]
    add("eqpzd", (I, R), lambda n, i, r: eq(n, (i, r), Z[i, r], c[r]["theta"][i] * (
        c[r]["xie"][i] * E[i, r] ** PHI + c[r]["xid"][i] * D[i, r] ** PHI) ** (1 / PHI), c[r]["Z0"][i]))
    add("eqE", (I, R), lambda n, i, r: eq(n, (i, r), E[i, r], (
        c[r]["theta"][i] ** PHI * c[r]["xie"][i] * (1 + c[r]["tauz"][i]) * pz[i, r] / pe[i, r])
        ** (1 / (1 - PHI)) * Z[i, r], c[r]["E0"][i]))
    add("eqDs", (I, R), lambda n, i, r: eq(n, (i, r), D[i, r], (
        c[r]["theta"][i] ** PHI * c[r]["xid"][i] * (1 + c[r]["tauz"][i]) * pz[i, r] / pd[i, r])
        ** (1 / (1 - PHI)) * Z[i, r], c[r]["D0"][i]))
    # [market clearing]
    add("eqpqd", (I, R), lambda n, i, r: eq(n, (i, r), Q[i, r],
        Xp[i, r] + Xg[i, r] + Xv[i, r] + sum(X[i, j, r] for j in I), c[r]["Q0"][i]))
    add("eqpf", (H, R), lambda n, h, r: eq(n, (h, r), c[r]["FF"][h], sum(F[h, j, r] for j in I),
                                          c[r]["FF"][h]))
    # [international market clearing] (TWOCGE; only r <> rr, the others are 0 = 0)
    if two:
        pairs = [(i, r, rr) for i in I for r in R for rr in R if r != rr]
        m.eqpw = pyo.Constraint(pairs, rule=lambda mm, i, r, rr: eq("eqpw", (i, r, rr), pWe[i, r],
                                                                    pWm[i, rr], 1.0))
        m.eqw = pyo.Constraint(pairs, rule=lambda mm, i, r, rr: eq("eqw", (i, r, rr), E[i, r], M[i, rr],
                                                                   c[r]["E0"][i]))
    m.scale = scale

    # redundant equations (see the module docstring)
    dropped = [m.eqpqd[GOODS[-1], r] for r in R]
    if two:
        dropped.append(m.eqepsilon["USA"])
    for con in dropped:
        con.deactivate()
    lm = LevelsModel(name, m, cal, dropped)
    lm.set_benchmark()
    return lm


def build_stdcge() -> LevelsModel:
    return _build("STDCGE")


def build_twocge() -> LevelsModel:
    return _build("TWOCGE")


_CACHE: dict = {}


def _model(name: str) -> LevelsModel:
    if name not in _CACHE:
        _CACHE[name] = _build(name)
    return _CACHE[name]


def solve_stdcge(abolish_tariffs: bool) -> dict:
    """Textbook variables of STDCGE at the benchmark (False) or with import tariffs abolished."""
    return _model("STDCGE").solve(abolish_tariffs)


def solve_twocge(abolish_tariffs: bool) -> dict:
    """Textbook variables of TWOCGE at the benchmark (False) or with import tariffs abolished
    in both countries."""
    return _model("TWOCGE").solve(abolish_tariffs)


def jacobian_rank(lm: LevelsModel, include_dropped: bool) -> tuple[int, int, int]:
    """(rank, equations, free variables) of the Jacobian at the model's current point, with or
    without the redundant equations (a fresh compile when they are included)."""
    if include_dropped:
        for con in lm.dropped:
            con.activate()
        try:
            nlp = CompiledNLP(lm.model)
        finally:
            for con in lm.dropped:
                con.deactivate()
    else:
        nlp = lm.nlp
    x, p = nlp.x_from_model(), nlp.p_from_model()
    J = np.zeros((nlp.m, nlp.n))
    rows, cols = nlp.jac_structure
    J[rows, cols] = nlp.jacobian_values(x, p)
    return int(np.linalg.matrix_rank(J, tol=1e-9 * np.abs(J).max())), nlp.m, nlp.n
