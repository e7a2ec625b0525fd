"""The home-bias shock (a preference shift in the Armington nest) and the reshoring scenario
with its motives (cgetrade.reshoring): replication, the equation, signs, bad input, the size
calibration, the Shapley parts adding up and jobs by skill adding up."""
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from cgetrade import reshoring
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario, Shock, ShockError
from cgetrade.welfare import decompose_ev

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"


def _shift(region, value, sector="*"):
    return Scenario("bias", [Shock("home_bias", value, region=region, sector=sector)])


def test_home_bias_at_zero_replicates_the_benchmark(fresh_small):
    _shift("R01", 0.0).apply(fresh_small)
    res = fresh_small.residuals(include_walras=True)
    assert max(abs(v) for v in res.values()) <= 1e-8
    sol = fresh_small.solve()
    assert sol.iterations == 0


def test_home_bias_moves_the_domestic_import_ratio_as_an_import_price_wedge(fresh_small):
    """At benchmark prices the Armington price is unchanged and D / MA moves by (1 + e)^sigma_d."""
    m, par = fresh_small.pyomo, fresh_small.params
    i, r = next((i, r) for (i, r) in m.IM if r == "R02")
    agents = [a for (i_, a, r_) in m.USE if (i_, r_) == (i, r)
              and pyo.value(m.D[i, a, r]) > 0 and pyo.value(m.MA[i, a, r]) > 0]
    before = {a: (pyo.value(m.D[i, a, r]), pyo.value(m.MA[i, a, r])) for a in agents}
    _shift(r, 0.05, sector=i).apply(fresh_small)
    sigma = float(par["sigma_d"][list(m.I).index(i)])
    for a in agents:
        d, ma = pyo.value(m.D[i, a, r]), pyo.value(m.MA[i, a, r])
        assert pyo.value(m.P_A[i, a, r]) == pytest.approx(1.0, abs=1e-12)
        assert (d / ma) / (before[a][0] / before[a][1]) == pytest.approx(1.05 ** sigma, rel=1e-12)
        assert d + ma == pytest.approx(sum(before[a]), rel=1e-12)      # same composite at benchmark prices


@pytest.mark.parametrize("value", [0.05, -0.05])
def test_home_bias_direct_effect_has_the_sign_of_its_value(fresh_small, value):
    base = collect(fresh_small)
    _shift("R01", value).solve(fresh_small)
    res = compare(base, collect(fresh_small))
    share = res.domestic_share.sel(region="R01")
    rise = (share.sel(case="scenario") - share.sel(case="baseline")).values
    imports = res.bilateral_trade.sel(region="R01").sum(["commodity", "source"])
    assert np.all(np.sign(rise[np.abs(rise) > 1e-9]) == np.sign(value))
    assert np.sign(float(imports.sel(case="scenario") - imports.sel(case="baseline"))) == -np.sign(value)
    assert fresh_small.last_solution.max_residual <= 1e-8 and abs(fresh_small.walras_residual()) <= 1e-8


def test_home_bias_ev_decomposition_closes(fresh_small):
    """The EV components (the preference shift's Armington-price term among them) sum to EV."""
    ev = decompose_ev(fresh_small, _shift("R02", 0.08), steps=4)
    assert np.max(np.abs(ev.integration_error.values)) <= 1e-4 * np.max(np.abs(ev.ev.values)) + 1e-6
    assert float(ev.technology.sel(region="R02")) != 0.0       # the preference term is counted


def test_home_bias_homogeneity(fresh_small):
    m = fresh_small.pyomo
    _shift("R03", 0.1).apply(fresh_small)
    fresh_small.solve()
    prices = {k: pyo.value(v) for k, v in m.PY.items()}
    quantities = {k: pyo.value(v) for k, v in m.Y.items()}
    m.pnum = 2 * pyo.value(m.pnum)
    try:
        fresh_small.solve()
        assert max(abs(pyo.value(m.PY[k]) / (2 * v) - 1) for k, v in prices.items()) <= 1e-8
        assert max(abs(pyo.value(m.Y[k]) / v - 1) for k, v in quantities.items()) <= 1e-8
    finally:
        m.pnum = pyo.value(m.pnum) / 2


@pytest.mark.parametrize("spec, match", [
    (dict(value=-1.0), "would make the level <= 0"),
    (dict(value=0.1, source="R01"), "source does not apply to a home_bias shock"),
    (dict(value="high"), "must be a number"),
])
def test_home_bias_bad_input(spec, match):
    with pytest.raises(ShockError, match=match):
        Shock("home_bias", **spec)


def test_home_bias_unknown_labels_are_refused_before_anything_changes(fresh_small):
    with pytest.raises(ShockError, match="unknown region"):
        _shift("R09", 0.1).apply(fresh_small)
    with pytest.raises(ShockError, match="unknown sector"):
        _shift("R01", 0.1, sector="XYZ").apply(fresh_small)
    assert all(pyo.value(v) == 1.0 for v in fresh_small.pyomo.home_bias.values())


def test_home_bias_in_a_scenario_file(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[[shock]]\nkind = "home_bias"\nregion = "USA"\nsector = "manufacturing"\nvalue = 0.02\n'
                 'source = "CHN"\n')
    with pytest.raises(ShockError, match="source does not apply"):
        Scenario.from_toml(f)


def test_reshoring_motives_follow_the_survey_and_hit_the_target():
    """The file's three cost equivalents are m_k S with one S, and that S makes the West's
    manufacturing imports from the offshore sources fall by the survey's 1/30 (medium run)."""
    scen = reshoring.scenario()
    assert [s.driver for s in scen.shocks if s.driver != "automation"] == ["quality", "flexibility_delivery",
                                                                          "capacity"]
    scale = reshoring.implied_scale(scen)
    assert max(scale.values()) == pytest.approx(min(scale.values()), rel=2e-4)
    assert reshoring.offshore_change() == pytest.approx(-100 * reshoring.RESHORED_SHARE, abs=0.01)


def test_reshoring_shapley_parts_add_up_and_jobs_by_skill_add_up():
    """Short run: the four motives' Shapley parts sum to the full scenario solved at once; the
    West is the sum of its regions; jobs by skill sum to the change of manufacturing persons,
    and each job lost in the short run is a worker unemployed in the sector."""
    parts = reshoring.decompose("short_run")
    assert list(parts.driver.values) == ["automation", "quality", "flexibility_delivery", "capacity"]
    mdl = reshoring.model("short_run")
    base = collect(mdl)
    reshoring.scenario().solve(mdl)
    now = collect(mdl)
    full = reshoring.outcome(base, now)
    for k in full.data_vars:
        np.testing.assert_allclose(parts[k].sum("driver"), full[k], atol=1e-6)
        np.testing.assert_allclose(parts[f"{k}_total"], full[k], atol=1e-6)
    for k in ("jobs", "unemployed"):
        np.testing.assert_allclose(full[k].sel(region="West"), full[k].sel(region=reshoring.WEST).sum("region"),
                                   atol=1e-9)
    res = compare(base, now)
    persons = res.persons_change.sel(region=reshoring.WEST, sector=reshoring.MANUFACTURING)
    assert float(full.jobs.sel(region="West").sum()) == pytest.approx(float(persons.sum()), abs=1e-6)
    np.testing.assert_allclose(full.jobs.sel(region="West"),
                               persons.sel(labour=reshoring.SKILLS).sum(["region", "sector"]), atol=1e-6)
    np.testing.assert_allclose(full.unemployed.sel(region="West"), -full.jobs.sel(region="West"), atol=1e-6)
    # reshoring raises the domestic share in every Western region, the motives each push it up
    assert (full.domestic_share > 0).all()
    assert (parts.domestic_share.sel(driver=["quality", "flexibility_delivery", "capacity"]) > 0).all()
