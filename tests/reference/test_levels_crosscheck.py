"""Cross-check of cgetrade.reference against an independent levels transcription of the GAMS
STDCGE and TWOCGE models (hgh_levels.py): benchmark replication, the published GAMS objective
values, and the textbook experiment (abolition of import tariffs) key by key."""
import math

import numpy as np
import pytest

import hgh_levels as hl
from cgetrade import reference

MODELS = ("STDCGE", "TWOCGE")
SOLVE = {"STDCGE": hl.solve_stdcge, "TWOCGE": hl.solve_twocge}
UU_REL = 1e-7        # UU and EV levels, relative
PCT_ABS = 1e-6       # % changes, absolute percentage points


@pytest.fixture(scope="module", params=MODELS)
def case(request):
    """(name, library base, library after, levels base, levels after)"""
    name = request.param
    spec = reference.MODELS[name]
    model = spec.build()
    model.solve()
    lib_base = reference.textbook_variables(model)
    spec.experiment.solve(model)
    lib_after = reference.textbook_variables(model)
    lev_base = SOLVE[name](False)
    lev_after = SOLVE[name](True)
    return name, lib_base, lib_after, lev_base, lev_after


def _pct(after, base):
    return 100.0 * (after / base - 1.0)


# -- (a) the levels model on its own -------------------------------------------------------
@pytest.mark.parametrize("name", MODELS)
def test_levels_model_replicates_benchmark(name):
    lm = hl._build(name)                     # variables at the SAM values, prices 1
    assert lm.nlp.m == lm.nlp.n, "square system"
    assert np.max(np.abs(lm.residuals())) < 1e-9
    assert lm.dropped_residual(scaled=True) < 1e-9
    assert lm.dropped_residual(scaled=False) < 1e-9
    # SAM balance identities the calibration relies on
    for r, c in lm.cal.items():
        for i in hl.GOODS:
            assert math.isclose(c["gamma"][i] * (c["deltam"][i] * c["M0"][i] ** hl.ETA
                                                 + c["deltad"][i] * c["D0"][i] ** hl.ETA) ** (1 / hl.ETA),
                                c["Q0"][i], rel_tol=1e-12)


@pytest.mark.parametrize("name", MODELS)
def test_redundant_equations(name):
    """With the redundant equations the Jacobian has full column rank and the same rank as the
    square system: exactly the dropped equations are redundant, and the square one is regular."""
    lm = hl._build(name)
    rank_full, m_full, n = hl.jacobian_rank(lm, include_dropped=True)
    rank_sq, m_sq, n_sq = hl.jacobian_rank(lm, include_dropped=False)
    assert m_full - m_sq == len(lm.dropped) == {"STDCGE": 1, "TWOCGE": 3}[name]
    assert rank_full == n == n_sq == m_sq == rank_sq


@pytest.mark.parametrize("name", MODELS)
def test_levels_solution_satisfies_every_equation(name):
    lm = hl._build(name)
    for abolish in (False, True):
        lm.solve(abolish)
        x, p = lm.nlp.x_from_model(), lm.nlp.p_from_model()
        assert np.max(np.abs(lm.nlp.residuals(x, p))) < 1e-9
        assert lm.dropped_residual(scaled=False) < 1e-8      # Walras' law at the solution


def test_levels_match_published_gams_objectives():
    std = {a: hl.solve_stdcge(a)[("UU", "STD")] for a in (False, True)}
    for abolish, value in ((False, 25.508490012515818), (True, 26.092634381288686)):
        assert math.isclose(std[abolish], value, rel_tol=1e-9), (abolish, std[abolish])
    two = {a: hl.solve_twocge(a) for a in (False, True)}
    sw = {a: two[a][("UU", "JPN")] + two[a][("UU", "USA")] for a in (False, True)}
    assert abs(sw[False] - 55.508) <= 0.0005, sw[False]
    assert abs(sw[True] - 56.7778) <= 0.00005, sw[True]


# -- (b) the library against the levels transcription --------------------------------------
def test_same_keys(case):
    """Every textbook variable the library reports exists in the transcription; the library
    leaves out only the world prices pWe, pWm (dollars)."""
    name, lib_base, lib_after, lev_base, lev_after = case
    assert set(lib_base) == set(lib_after)
    assert set(lev_base) == set(lev_after)
    missing = set(lib_base) - set(lev_base)
    assert not missing, missing
    assert {k[0] for k in set(lev_base) - set(lib_base)} <= {"pWe", "pWm"}


def test_utility_and_ev_agree(case):
    name, lib_base, lib_after, lev_base, lev_after = case
    for key in lib_base:
        if key[0] in ("UU", "EV"):
            for lib, lev in ((lib_base, lev_base), (lib_after, lev_after)):
                assert math.isclose(lib[key], lev[key], rel_tol=UU_REL, abs_tol=1e-12), \
                    (name, key, lib[key], lev[key])


def test_percentage_changes_agree(case):
    name, lib_base, lib_after, lev_base, lev_after = case
    diffs = {}
    for key in lib_base:
        if key[0] in ("UU", "EV"):
            continue
        diffs[key] = _pct(lib_after[key], lib_base[key]) - _pct(lev_after[key], lev_base[key])
    bad = {k: d for k, d in diffs.items() if not abs(d) <= PCT_ABS}
    assert not bad, f"{name}: % changes differ (pp): {bad}"


def test_benchmark_levels_agree(case):
    """At the benchmark every textbook variable has the textbook's level: prices 1 (labour and
    epsilon(USA) numeraires), quantities and values as in the SAM (Z0 = Y0 + sum_i X0 before the
    production tax, M0 and Tm0 = SAM(TRF) at world prices)."""
    name, lib_base, _, lev_base, _ = case
    bad = {k: (lib_base[k], lev_base[k]) for k in lib_base
           if not math.isclose(lib_base[k], lev_base[k], rel_tol=1e-12, abs_tol=1e-12)}
    assert not bad, f"{name}: benchmark levels differ (library, textbook): {bad}"
