"""Automation sized by robot densities: the calibration run against Acemoglu and Restrepo
(2020) and Graetz and Michaels (2018), the shipped west_automation shares from the mapping,
and the page's tables from the script that makes them."""
import importlib.util
from pathlib import Path

import pytest

import cgetrade
from cgetrade import robots
from cgetrade.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def params(default_dataset):
    return cgetrade.calibrate(default_dataset, skills=True)


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("west_automation_tables",
                                                  ROOT / "scripts" / "west_automation_tables.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_calibration_run_reproduces_the_order_of_the_studies(params):
    cal = robots.calibration(params)
    s = cal["short_run"]
    assert s.employment_pp == pytest.approx(robots.AR2020["employment_pp"], abs=1e-5)   # the target
    assert 1 < cal["kappa"] < 10                           # a robot does the tasks of a few workers
    # checks, not targets: same sign and order of magnitude (within a factor of 3)
    assert 1 / 3 < s.wage_pct / robots.AR2020["wage_pct"] < 3
    for preset, g in cal["productivity_growth_pp"].items():
        assert 1 / 3 < g / robots.GM2018["productivity_pp"] < 3, preset
    assert cal["productivity_growth_pp"]["long_run"] > cal["productivity_growth_pp"]["medium_run"]


def test_shipped_shares_are_the_mapping(params):
    kappa, _ = robots.calibrate_kappa(params)
    shares = robots.variant_shares(params, kappa)
    for variant in robots.DECADES:
        scen = Scenario.from_toml(ROOT / "experiments" / "west_automation.toml", variant=variant)
        adopt = Scenario.from_toml(ROOT / "experiments" / "west_automation_adoption.toml", variant=variant)
        assert len(scen.shocks) == len(adopt.shocks) == 6
        for s, a in zip(scen.shocks, adopt.shocks):
            (region,) = s.region
            assert s.value == round(shares[variant][region][s.factor[0]], 3), (variant, region, s.factor)
            assert a.value == s.value and a.region == s.region and s.cost_saving == robots.COST_SAVING
    # the description states kappa and the decades' densities the code uses
    text = (ROOT / "experiments" / "west_automation.toml").read_text()
    assert f"kappa = {kappa:.2f} worker-equivalents" in text
    for variant in robots.DECADES:
        for region in ("USA", "EU", "JPN"):
            assert f"{region} +{robots.decade_density(region, variant):.0f}" in text or variant == "high"
    assert f"+{robots.decade_density('USA', 'high'):.0f} in every region" in text


def test_mapping_is_monotone_and_validated(params):
    for r in ("USA", "EU", "JPN"):
        d = [robots.decade_density(r, v) for v in ("low", "central", "high")]
        assert d[0] < d[1] < d[2]
        a = robots.displaced_shares(params, r, 0.05)
        w = robots.skill_weights(params, r)
        assert w["labour_medium"] * a["labour_medium"] + w["labour_low"] * a["labour_low"] == pytest.approx(0.05)
    with pytest.raises(ValueError, match="unknown variant"):
        robots.decade_density("USA", "extreme")


def test_page_states_the_manufacturing_share(script):
    """The prose around the generated tables (tests/test_docs_generated.py checks the tables)."""
    page = script.PAGE.read_text()
    share = robots.manufacturing_share(cgetrade.calibrate(cgetrade.data.load_default(), skills=True), "USA")
    assert f"manufacturing employs {100 * share:.1f} % of US persons" in page
    assert f"so {1 / share:.0f} more robots per thousand manufacturing workers" in page


def test_transition_experiment_reads():
    scen = Scenario.from_toml(ROOT / "experiments" / "west_automation_transition.toml")
    closure = scen.make_closure()
    assert closure.mobility == {"labour": "specific"} and closure.labour == "wage_curve"
    assert all(s.path is not None for s in scen.shocks) and len(scen.shocks) == 6


def test_experiments_page_states_the_us_shares(params):
    kappa, _ = robots.calibrate_kappa(params)
    us = robots.variant_shares(params, kappa)
    text = (ROOT / "docs" / "experiments.md").read_text()
    assert "(US medium-skill share " + " / ".join(f"{us[v]['USA']['labour_medium']:.3f}"
                                                  for v in ("low", "central", "high")) + ")" in text

