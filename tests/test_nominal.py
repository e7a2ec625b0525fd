"""The dynamic nominal block's mechanisms on a small synthetic dataset: sticky producer
prices and pass-through by commodity group, the saving and exchange-rate channels, regions
that differ, the lower bound, money against NGDP targeting, the foreign-versus-domestic
comparison, and bad input refused before any solve."""
import ast
from pathlib import Path

import numpy as np
import pytest

import cgetrade
from cgetrade.dynamics import DynamicsError, Periods, Projections
from cgetrade.dynamics.disinflation import compare
from cgetrade.dynamics.monetary import MonetaryModel, monetary_paths, natural_path, plan_experiment
from cgetrade.dynamics.nominal import GROUPS, Area, NominalError, Settings, areas_for, commodity_groups, parse_regime
from cgetrade.errors import InputError, MonetaryError
from cgetrade.scenario import Scenario, Shock

START = 2013
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def setup(small_dataset):
    params = cgetrade.calibrate(small_dataset)
    R = params.regions
    periods = Periods(2011, 2022)
    proj = Projections.constant(R, 2011, 2050)
    # a permanent efficiency gain in R02, all of it in 2014
    scen = Scenario("tfp", [Shock("tfp", 0.02, region=R[1], path={"table": {2013: 0.0, 2014: 0.02}})])
    base, nat = natural_path(params, scen, periods, proj)
    none = Scenario("none", [])
    return params, periods, proj, scen, base, nat, none


def _run(setup, regimes, scen=None, shock=None, **kw):
    params, periods, proj, s, base, nat, none = setup
    mon = MonetaryModel(params, regimes, projections=proj, periods=periods, anchor=params.regions[0], **kw)
    if scen == "none":
        return mon.run(none, base, START, base, demand_shock=shock)
    return mon.run(s, nat, START, base, demand_shock=shock)


def test_commodity_groups_of_the_default_sectors_and_from_data(setup):
    params = setup[0]
    groups = commodity_groups(params)
    assert set(groups) == set(params.sectors) and set(groups.values()) <= set(GROUPS)
    from cgetrade.dynamics.nominal import SECTOR_GROUPS
    assert SECTOR_GROUPS["ENE"] == "energy" and SECTOR_GROUPS["SRV"] == "services"
    assert SECTOR_GROUPS["LMF"] == "consumer" and SECTOR_GROUPS["CHM"] == "intermediate"
    with pytest.raises(NominalError, match="commodity groups"):
        commodity_groups(params, {params.sectors[0]: "luxury"})


def test_sticky_prices_and_pass_through_incomplete_in_the_first_year_complete_later(setup):
    """A one-off foreign cost shock: in its year local import prices and producer prices move
    less than their flexible counterparts (wedges away from 1), and the wedges return to 1
    (full pass-through) as the years pass."""
    res = _run(setup, {"*": "strict_it"})
    ref = _run(setup, {"*": "strict_it"}, "none")
    R = setup[0].regions
    om = abs(np.log(res.import_price_wedge) - np.log(ref.import_price_wedge)).sel(region=[R[0], R[2]])
    mk = abs(np.log(res.markup) - np.log(ref.markup)).sel(region=R[1])      # where costs fell
    first = float(om.sel(year=2014).max())
    assert first > 1e-3                                   # pass-through < 1 in the shock's year
    assert float(om.sel(year=slice(2018, None)).max()) < 0.25 * first
    mfirst = float(mk.sel(year=2014).max())
    assert mfirst > 1e-3                                  # markups move: prices are sticky
    assert float(mk.sel(year=slice(2016, None)).max()) < 0.4 * mfirst
    # complete pass-through and flexible prices: no wedges at all
    flex = _run(setup, {"*": "strict_it"}, areas={r: {"pass_through": 1.0, "price_adjustment": 1.0} for r in R})
    assert float(abs(flex.import_price_wedge - 1).max()) < 1e-10
    assert float(abs(flex.markup - 1).max()) < 1e-10


def test_four_sources_add_up_and_the_anchor_has_no_exchange_rate_part(setup):
    res = _run(setup, {"*": "flexible_it"})
    parts = (res.inflation_import_foreign + res.inflation_imported_intermediates_foreign
             + res.inflation_exchange_rate + res.inflation_domestic_value_added)
    assert float(abs(parts - res.inflation).max()) < 1e-9
    R = setup[0].regions
    assert float(abs(res.inflation_exchange_rate.sel(region=R[0])).max()) < 1e-12
    assert float(abs(res.inflation_exchange_rate.sel(region=R[1:])).max()) > 1e-4


def test_regions_with_different_phillips_slopes_respond_differently(setup):
    """Same areas except the wage and price Phillips curves: the inflation response of the
    region whose curve is steeper differs from the one with the flat curve."""
    R = setup[0].regions
    same = {r: Area() for r in R}
    steep = dict(same, **{R[2]: Area(phillips_slope=0.8, price_adjustment=0.9)})
    flat = dict(same, **{R[2]: Area(phillips_slope=0.05, price_adjustment=0.3)})
    a = _run(setup, {"*": "strict_it"}, areas=steep)
    b = _run(setup, {"*": "strict_it"}, areas=flat)
    ra = _run(setup, {"*": "strict_it"}, "none", areas=steep)
    rb = _run(setup, {"*": "strict_it"}, "none", areas=flat)
    da, db = (a.inflation - ra.inflation).sel(region=R[2]), (b.inflation - rb.inflation).sel(region=R[2])
    assert float(abs(da - db).max()) > 0.02                # pp per year
    ua, ub = (a.unemployment_gap - ra.unemployment_gap), (b.unemployment_gap - rb.unemployment_gap)
    assert float(abs(ua - ub).sel(region=R[2]).max()) > 0.02


def test_saving_channel_a_demand_shortfall_lowers_inflation_and_the_rule_cuts(setup):
    R = setup[0].regions
    ref = _run(setup, {"*": "flexible_it"}, "none")
    shock = {R[1]: {2013: 0.02, 2014: 0.02}}
    res = _run(setup, {"*": "flexible_it"}, "none", shock=shock)
    d = (res - ref[["inflation", "policy_rate", "output_gap", "unemployment_gap"]]).sel(region=R[1])
    assert float(d.inflation.sel(year=2014)) < -0.05
    assert float(d.policy_rate.sel(year=2014)) < -0.05
    assert float(d.output_gap.sel(year=2013)) < -0.1 and float(d.unemployment_gap.sel(year=2013)) > 0.05
    # the Euler channel: the rate cut raises consumption, so without it the shortfall is deeper
    no_euler = _run(setup, {"*": "flexible_it"}, "none", shock=shock,
                    settings=Settings(consumption_semi_elasticity=0.0))
    ref0 = _run(setup, {"*": "flexible_it"}, "none", settings=Settings(consumption_semi_elasticity=0.0))
    d0 = (no_euler.output_gap - ref0.output_gap).sel(region=R[1])
    assert float(d0.sel(year=2014)) < float(d.output_gap.sel(year=2014)) - 0.01
    assert np.allclose(res.consumption_gap, -100 * (0.4 * (res.real_rate / 100 - np.array(
        [a.neutral_rate for a in areas_for(R).values()])) + res.demand_shock / 100), atol=1e-9)


def test_lower_bound_binds_near_the_bound_in_a_large_shock(setup):
    """A region starting at its bound with a low neutral rate (as Japan in 2025) hits it in a
    large demand shortfall; the same shock far from the bound does not."""
    R = setup[0].regions
    near = {R[2]: {"elb": -0.001, "start_rate": -0.001, "neutral_rate": -0.016}}
    shock = {R[2]: {2013: 0.04, 2014: 0.04}, R[1]: {2013: 0.04, 2014: 0.04}}
    res = _run(setup, {"*": "flexible_it"}, "none", shock=shock, areas=near)
    assert bool(res.at_lower_bound.sel(region=R[2]).any())
    assert not bool(res.at_lower_bound.sel(region=R[1]).any())
    assert float((res.policy_rate - res.lower_bound).min()) >= 0.0


def test_money_and_ngdp_targeting_differ_and_money_demand_clears(setup):
    params = setup[0]
    R = params.regions
    money = _run(setup, {"*": "strict_it", R[1]: "money"})
    ngdp = _run(setup, {"*": "strict_it", R[1]: "ngdp_level"})
    assert float(abs(money.policy_rate - ngdp.policy_rate).sel(region=R[1]).max()) > 0.01
    assert float(abs(money.inflation - ngdp.inflation).sel(region=R[1]).max()) > 0.005
    # the money market: the shadow rate is r* + pi* + [(1 - kappa) ln(CPI / CPI^n) + kappa ln(NGDP / NGDP^n)] / eta,
    # so it moves by 1 / eta per log point of nominal income: far less than NGDP targeting's 1.5
    s = Settings()
    assert s.money_semi_elasticity > 1 / 1.5


def test_compare_foreign_and_domestic_disinflation(setup):
    params, periods, proj, scen, base, nat, _ = setup
    R = params.regions
    cmp = compare(params, scen, R[1:], START, periods, variants=["central"], projections=proj,
                  anchor=R[0], baseline=base, natural=nat, steps=1)
    c = cmp.sel(variant="central")
    f, d = c.cpi_deviation.sel(shock="foreign"), c.cpi_deviation.sel(shock="domestic")
    assert float(abs(f).min()) > 1e-3
    assert np.allclose(d, f, rtol=0.1)                     # the same CPI deviation (one secant step)
    assert np.allclose(c.cpi_match, 1, atol=0.1)
    # the domestic shortfall is made at home: almost none of it comes from import prices
    assert float(abs(c.imported_share.sel(shock="domestic")).max()) < float(
        abs(c.imported_share.sel(shock="foreign")).max())
    for v in ("sacrifice_ratio", "years_at_lower_bound", "overshoot_needed", "policy_rate_change_mean"):
        assert cmp[v].attrs["units"] and cmp[v].attrs["long_name"]
    from cgetrade.report.monetary import comparison_table
    table = comparison_table(cmp)
    assert table.count("| central |") == 2 * len(R[1:]) and "sacrifice ratio" in table
    # the literature measures: Tornqvist indices, here of a shock that cuts import prices
    from cgetrade.dynamics.disinflation import literature_sizes
    res = _run(setup, {"*": "flexible_it"})
    ref = _run(setup, {"*": "flexible_it"}, "none")
    sizes = literature_sizes(res, ref, R[2], range(START, 2016))
    assert all(np.isfinite(v) for v in sizes.values())
    assert abs(sizes["cpi"] - float((res.inflation - ref.inflation).sel(region=R[2], year=[2013, 2014, 2015]).mean())) < 1e-12
    assert sizes["import_prices"] < 0
    with pytest.raises(NominalError, match="unknown comparison variant"):
        compare(params, scen, R[1:], START, periods, variants=["optimistic"], baseline=base, natural=nat)


@pytest.fixture
def no_solve(monkeypatch):
    """Any solve fails the test: errors must come before."""
    def refuse(*a, **k):
        raise AssertionError("a model was solved before the input was refused")
    monkeypatch.setattr(cgetrade.model.CGEModel, "solve", refuse)


@pytest.mark.parametrize("spec, match", [
    (("rule", 20.0, 0.0), "rule coefficients must be in"),
    (("rule", -1.0, 0.5), "rule coefficients must be in"),
    (("rule", "a", 0.5), "must be numbers"),
    (("ngdp_level", 0.0), "must be in"),
    ("cpi", "static regime"),
])
def test_rule_parameters_outside_their_range_are_refused(spec, match):
    with pytest.raises(NominalError, match=match):
        parse_regime(spec)


@pytest.mark.parametrize("override, match", [
    ({"anchoring": 1.5}, "anchoring must be in"),
    ({"inflation_target": 0.5}, "inflation_target must be in"),
    ({"elb": 0.2}, "elb must be in"),
    ({"elb": 0.01, "start_rate": 0.0}, "below the lower bound"),
    ({"phillips_slope": -0.1}, "phillips_slope must be in"),
    ({"pass_through": {"consumer": 1.5}}, "pass_through"),
    ({"price_adjustment": {"luxury": 0.5}}, "unknown commodity group"),
    ({"price_adjustment": -0.5}, "price_adjustment"),
    ({"dollar_invoicing": float("nan")}, "dollar_invoicing must be in"),
    ({"slope": 0.3}, "unknown area parameter"),
])
def test_area_parameters_outside_their_range_are_refused(small_dataset, no_solve, override, match):
    params = cgetrade.calibrate(small_dataset)
    with pytest.raises(NominalError, match=match):
        MonetaryModel(params, {"*": "strict_it"}, areas={params.regions[1]: override}, anchor=params.regions[0])


def test_bad_settings_peg_chains_and_start_years_are_refused(small_dataset, setup, no_solve, tmp_path):
    params, periods, proj, scen, base, nat, _ = setup
    R = params.regions
    for bad, match in (({"smoothing": 1.0}, "smoothing"), ({"mu": 0.5}, "mu"),
                       ({"consumption_semi_elasticity": -1}, "consumption_semi_elasticity"),
                       ({"money_semi_elasticity": 0}, "money_semi_elasticity")):
        with pytest.raises(NominalError, match=match):
            Settings(**bad).check()
    with pytest.raises(NominalError, match="peg chain"):
        monetary_paths(params, scen, {"x": {"*": "strict_it", R[1]: ("peg", R[2]), R[2]: ("peg", R[0])}},
                       START, periods, projections=proj, anchor=R[0], natural=nat, baseline=base)
    with pytest.raises(NominalError, match="start year 2010 must be after the base"):
        monetary_paths(params, scen, {"x": {"*": "strict_it"}}, 2010, periods, projections=proj,
                       anchor=R[0], natural=nat, baseline=base)
    with pytest.raises(NominalError, match="start year 2011 must be after the base"):
        MonetaryModel(params, {"*": "strict_it"}, projections=proj, periods=periods, anchor=R[0]).run(
            scen, nat, 2011, base)
    # a policy file: every input checked before anything is solved
    (tmp_path / "tfp.toml").write_text('name = "tfp"\n[[shock]]\nkind = "tfp"\nregion = "R01"\nvalue = 0.05\n')
    spec = {"dynamic": {"years": [2009, 2012], "regions": [R[1]], "anchor": R[0], "projections": "constant",
                        "scenarios": {"tfp": ["tfp.toml"]}, "regimes": {"strict_it": "strict_it"}}}
    with pytest.raises(NominalError, match="after the base"):
        plan_experiment(spec, tmp_path, small_dataset)
    spec["dynamic"]["years"] = [2013, 2014]
    assert plan_experiment(spec, tmp_path, small_dataset).first == 2013
    for key, value, match in (("settings", {"theta": 5.0}, "theta"), ("settings", {"speed": 1}, "unknown setting"),
                              ("areas", {R[1]: {"anchoring": 2}}, "anchoring"),
                              ("regimes", {"p": ["rule", 1.5, 11.0]}, "rule coefficients"),
                              ("speed", 1, "unknown key 'speed'"),
                              ("commodity_groups", {"S01": "luxury"}, "commodity groups")):
        bad = {"dynamic": dict(spec["dynamic"], **{key: value})}
        with pytest.raises(NominalError, match=match):
            plan_experiment(bad, tmp_path, small_dataset)
    scen_bad = {"dynamic": dict(spec["dynamic"], scenarios={"tfp": {"files": ["tfp.toml"], "path": {"wiggly": {}}}})}
    with pytest.raises(NominalError, match="unknown path kind"):
        plan_experiment(scen_bad, tmp_path, small_dataset)
    assert issubclass(NominalError, MonetaryError) and issubclass(NominalError, InputError)
    assert issubclass(NominalError, DynamicsError)


def test_the_nominal_block_and_scenarios_have_one_way_dependencies():
    """dynamics.nominal <- dynamics.monetary <- report.monetary; scenario -> pricetargets:
    no module imports one above it, not even inside a function."""
    def imports(path):
        tree = ast.parse((ROOT / path).read_text())
        out = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.add(("." * node.level) + node.module)
        return out
    assert not any("scenario" in m for m in imports("cgetrade/pricetargets.py"))
    assert not any("monetary" in m or "report" in m for m in imports("cgetrade/dynamics/nominal.py"))
    assert not any("report" in m for m in imports("cgetrade/dynamics/monetary.py"))
    assert not any("report" in m or "dynamics" in m for m in imports("cgetrade/policy.py"))
    cli = imports("cgetrade/cli.py")
    assert "..dynamics.monetary" not in cli and ".dynamics.monetary" not in cli
