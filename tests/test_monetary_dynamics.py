"""The dynamic monetary block on a small synthetic dataset: Phillips curves, policy rules
with a lower bound, UIP, responding investment and foreign saving (short paths)."""
import numpy as np
import pytest

import cgetrade
from cgetrade.dynamics import DynamicsError, Periods, Projections
from cgetrade.dynamics.monetary import (Area, MonetaryModel, Settings, monetary_paths,
                                        natural_path, resolve_regimes)
from cgetrade.scenario import Scenario, Shock

START = 2013


@pytest.fixture(scope="module")
def setup(small_dataset):
    params = cgetrade.calibrate(small_dataset)
    R = params.regions
    periods = Periods(2011, 2024)
    proj = Projections.constant(R, 2011, 2050)
    # a permanent efficiency gain abroad, phased in over 2014-2016
    scen = Scenario("tfp", [Shock("tfp", 0.02, region=R[1], path={"linear": {"start": 2014, "end": 2016}})])
    base, nat = natural_path(params, scen, periods, proj)
    return params, periods, proj, scen, base, nat


def _run(setup, regimes, **kw):
    params, periods, proj, scen, base, nat = setup
    mon = MonetaryModel(params, regimes, projections=proj, periods=periods, anchor=params.regions[0], **kw)
    return mon.run(scen, nat, START, base)


@pytest.fixture(scope="module")
def strict(setup):
    return _run(setup, {"*": "strict_it"})


def test_cpi_decomposition_adds_up_every_year(strict):
    total = strict.inflation_import + strict.inflation_domestic
    assert float(abs(total - strict.inflation).max()) < 1e-10
    assert float(abs(strict.inflation_import).max()) > 1e-3          # imports do contribute
    assert strict.inflation.attrs["units"] == "% per year"


def test_three_way_cpi_decomposition_adds_up_every_year_and_region(strict):
    """Imported consumer goods + imported intermediates + domestic value added = inflation;
    the last two are the domestic contribution."""
    parts = (strict.inflation_import + strict.inflation_imported_intermediates
             + strict.inflation_domestic_value_added)
    assert not bool(parts.isnull().any())
    assert float(abs(parts - strict.inflation).max()) < 1e-9
    inner = strict.inflation_imported_intermediates + strict.inflation_domestic_value_added
    assert float(abs(inner - strict.inflation_domestic).max()) < 1e-12
    assert float(abs(strict.inflation_imported_intermediates).min()) > 1e-3     # every region, year
    for v in ("inflation_imported_intermediates", "inflation_domestic_value_added"):
        assert strict[v].attrs["units"] == "% per year" and strict[v].attrs["long_name"]


def test_sticky_wages_open_an_unemployment_gap_flexible_wages_close_it(setup, strict):
    assert float(abs(strict.unemployment_gap).max()) > 1e-3
    flex = _run(setup, {"*": "strict_it"}, flexible_wages=True)
    assert float(abs(flex.unemployment_gap).max()) < 1e-12
    # the same unemployment as the natural path, which comes from a different model
    nat = setup[5].sel(year=flex.year)
    assert np.allclose(flex.unemployment_regional, nat.unemployment_rate, atol=1e-12)


def test_taylor_principle_gives_a_stable_path(setup):
    """Inflation starts 2.5 pp above target with weakly anchored expectations: a rule with
    phi_pi > 1 brings it back; one with phi_pi < 1 leaves larger, more persistent gaps."""
    params = setup[0]
    areas = {r: Area(start_inflation=0.045, anchoring=0.2) for r in params.regions}
    res = _run(setup, {"*": ("rule", 1.5, 0.5)}, areas=areas)
    gap = abs(res.inflation_gap).max("region")
    assert float(gap.isel(year=0)) > 1.0
    assert float(gap.isel(year=-1)) < 0.15 * float(gap.isel(year=0))
    weak = _run(setup, {"*": ("rule", 0.5, 0.5)}, areas=areas)
    assert bool((weak.loss_inflation > 2 * res.loss_inflation).all())


def test_lower_bound_never_violated_and_binds_in_a_deflation(setup):
    params = setup[0]
    areas = {r: Area(start_inflation=-0.02, start_rate=0.0, elb=0.0, neutral_rate=-0.005, anchoring=0.5)
             for r in params.regions}
    res = _run(setup, {"*": "flexible_it"}, areas=areas, settings=Settings(smoothing=0.0))
    margin = res.policy_rate - res.lower_bound
    assert float(margin.min()) >= 0.0
    assert bool(res.at_lower_bound.isel(year=0).all())
    assert float(res.shadow_rate.isel(year=0).max()) < -1.0     # the rule asks for far below 0
    assert float(margin.isel(year=0).max()) < 1e-3                # and the rate sits at the bound
    assert bool((res.unemployment_gap.isel(year=0) > 1.0).all())  # the deflation costs jobs
    assert not bool(res.at_lower_bound.isel(year=-1).any())       # until inflation recovers
    normal = _run(setup, {"*": "flexible_it"})
    assert not bool(normal.at_lower_bound.any())


def test_long_run_neutrality_of_the_nominal_anchor(setup):
    """Inflation starts 2.5 pp above target; regimes disinflate differently (real effects in
    the short run) and real variables converge to the same path in the long run."""
    params, _, proj, _, _, _ = setup
    R = params.regions
    periods = Periods(2011, 2036)
    scen = Scenario("none", [Shock("tfp", 0.0, region=R[1])])
    base, nat = natural_path(params, scen, periods, proj)
    areas = {r: {"start_inflation": 0.045, "start_rate": 0.01} for r in R}
    res = monetary_paths(params, scen, {"strict": {"*": "strict_it"}, "flexible": {"*": "flexible_it"},
                                        "ngdp_growth": {"*": "strict_it", R[1]: "ngdp_growth"},
                                        "peg": {"*": "strict_it", R[2]: ("peg", R[0])}},
                         START, periods, areas=areas, projections=proj, anchor=R[0], natural=nat,
                         baseline=base)
    for v in ("real_gdp", "real_wage", "capital_stock", "employment_total"):
        spread = (res[v].max("regime") / res[v].min("regime") - 1).max("region")
        early = float(spread.sel(year=slice(2013, 2020)).max())
        late = float(spread.isel(year=-1))
        assert early > 1e-4, v                 # regimes matter in the short run
        assert late < 0.15 * early, v          # and ever less in the long run


def test_invalid_regimes_give_clear_errors(small_dataset):
    R = ["A", "B", "C"]
    with pytest.raises(DynamicsError, match="anchor"):
        resolve_regimes({"*": "peg"}, R, "A")
    with pytest.raises(DynamicsError, match="cannot peg to 'D'"):
        resolve_regimes({"*": "strict_it", "B": ("peg", "D")}, R, "A")
    with pytest.raises(DynamicsError, match="pegs itself"):
        resolve_regimes({"*": "strict_it", "B": ("peg", "C"), "C": "peg"}, R, "A")
    with pytest.raises(DynamicsError, match="static regime"):
        resolve_regimes({"*": "cpi"}, R, "A")
    with pytest.raises(DynamicsError, match="unknown dynamic monetary regime"):
        resolve_regimes({"*": "gold_standard"}, R, "A")
    with pytest.raises(DynamicsError, match="missing"):
        resolve_regimes({"A": "strict_it"}, R, "A")
    with pytest.raises(DynamicsError, match="unknown region"):
        resolve_regimes({"*": "strict_it", "Z": "peg"}, R, "A")
    with pytest.raises(DynamicsError, match="rule"):
        resolve_regimes({"*": ("rule", 1.5)}, R, "A")
    params = cgetrade.calibrate(small_dataset)
    with pytest.raises(DynamicsError, match="anchoring"):
        MonetaryModel(params, {"*": "strict_it"}, areas={params.regions[0]: {"anchoring": 1.5}},
                      anchor=params.regions[0])
    with pytest.raises(DynamicsError, match="pass_through"):
        MonetaryModel(params, {"*": "strict_it"}, areas={params.regions[0]: {"pass_through": -0.1}},
                      anchor=params.regions[0])
    with pytest.raises(DynamicsError, match="mu"):
        MonetaryModel(params, {"*": "strict_it"}, settings=Settings(mu=0), anchor=params.regions[0])


def test_cli_policy_years_writes_results_and_plots(small_files, tmp_path, capsys):
    import xarray as xr
    from cgetrade.cli import main
    (tmp_path / "tfp.toml").write_text((small_files / "tfp.toml").read_text())
    pol = tmp_path / "pol.toml"
    pol.write_text('name = "pol"\nscenarios = ["tfp.toml"]\nregions = ["R02", "R03"]\n'
                   '[regimes]\nstrict_cpi = "cpi"\n'
                   '[dynamic]\nyears = [2013, 2015]\nregions = ["R02", "R03"]\nanchor = "R01"\n'
                   'projections = "constant"\nfrontier_phi_u = [0.0, 2.0]\n'
                   '[dynamic.scenarios]\ntfp = ["tfp.toml"]\n'
                   '[dynamic.regimes]\nstrict_it = "strict_it"\npeg = ["peg", "R01"]\n')
    out = tmp_path / "out"
    assert main(["policy", str(pol), "--years", "2013:2014", "--dataset", str(small_files / "small.nc"),
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "yrs at ELB" in text and "the shock's contribution" in text
    assert "s] tfp: natural path" in text and "s] tfp: regime peg" in text      # progress lines
    assert "exchange rate" in text
    assert "CPI inflation by source" in text and "imp. intermed." in text
    for f in ("pol_tfp_central_dynamic.nc", "pol_tfp_central_dynamic.png", "pol_tfp_central_dynamic_summary.nc",
              "pol_tfp_central_dynamic_frontier.png", "pol_no_shock_dynamic.nc"):
        assert (out / f).exists(), f
    with xr.open_dataset(out / "pol_tfp_central_dynamic.nc", engine="h5netcdf") as ds:
        assert ds.regime.values.tolist() == ["strict_it", "peg"] and ds.year.values.tolist() == [2013, 2014]
        for v in ("inflation", "policy_rate", "unemployment_gap", "output_gap", "loss"):
            assert ds[v].attrs["units"] and ds[v].attrs["long_name"], v
    with xr.open_dataset(out / "pol_tfp_central_dynamic_summary.nc", engine="h5netcdf") as summ:
        parts = (summ.inflation_import_mean + summ.inflation_imported_intermediates_mean
                 + summ.inflation_domestic_value_added_mean)
        assert float(abs(parts - summ.inflation_mean).max()) < 1e-9
        v = summ.inflation_imported_intermediates_shock        # UDUNITS in the file, label beside
        assert v.attrs["units"] == "% year-1" and v.attrs["units_label"] == "pp per year"
    bad = tmp_path / "bad.toml"
    bad.write_text(pol.read_text().replace('peg = ["peg", "R01"]', 'peg = ["peg", "R09"]'))
    assert main(["policy", str(bad), "--years", "2013:2014", "--dataset", str(small_files / "small.nc"),
                 "--out", str(out)]) == 1
    assert "cannot peg to 'R09'" in capsys.readouterr().err


def test_import_price_pass_through_is_incomplete_within_the_year(setup):
    """beta = 1: local import prices follow border prices (no wedge); beta = 0.5: part of a
    border-price change reaches local prices a year later; Walras' law holds either way."""
    params = setup[0]
    R = params.regions
    full = MonetaryModel(params, {"*": "strict_it"}, areas={r: {"pass_through": 1.0} for r in R},
                         projections=setup[2], periods=setup[1], anchor=R[0])
    res_full = full.run(setup[3], setup[5], START, setup[4])
    assert float(abs(res_full.import_price_wedge - 1).max()) < 1e-10
    assert abs(full.model.walras_residual()) < 1e-8
    half = MonetaryModel(params, {"*": "strict_it"}, areas={r: {"pass_through": 0.5} for r in R},
                         projections=setup[2], periods=setup[1], anchor=R[0])
    res_half = half.run(setup[3], setup[5], START, setup[4])
    assert abs(half.model.walras_residual()) < 1e-8
    assert float(abs(res_half.import_price_wedge - 1).max()) > 1e-3
    # the shock's first full year moves the import contribution less with slow pass-through
    step = lambda res: float(abs(res.inflation_import.sel(year=2015) - res.inflation_import.sel(year=2014)).max())  # noqa: E731
    assert step(res_half) < 0.8 * step(res_full)
    assert float(abs(res_half.inflation_import + res_half.inflation_domestic - res_half.inflation).max()) < 1e-10


def test_no_shock_on_target_reproduces_the_natural_path(small_dataset):
    """Without shocks, inflation and the policy rate starting on target and at neutral,
    complete pass-through and flexible producer prices, every regime reproduces the natural path: zero gaps (up to the
    lower-bound smoothing, mu^2 / (i - ELB) = 4e-7), inflation on target, rates at r* + pi*.
    A peg cannot: with growth the natural real exchange rate moves and the nominal rate may not."""
    params = cgetrade.calibrate(small_dataset)
    R = params.regions
    periods = Periods(2011, 2016)
    proj = Projections.constant(R, 2011, 2050, gdp=0.02, labour=0.005)
    scen = Scenario("none", [])
    base, nat = natural_path(params, scen, periods, proj)
    res = monetary_paths(params, scen, {"strict": {"*": "strict_it"}, "flexible": {"*": "flexible_it"},
                                        "ngdp": {"*": "ngdp_growth", R[1]: "ngdp_level"},
                                        "peg": {"*": "strict_it", R[2]: "peg"}},
                         START, periods, areas={r: {"pass_through": 1.0, "price_adjustment": 1.0} for r in R},
                         projections=proj,
                         anchor=R[0], natural=nat, baseline=base)
    peg, res = res.sel(regime="peg", region=R[2]), res.sel(regime=["strict", "flexible", "ngdp"])
    assert float(abs(peg.inflation_gap).max()) > 0.01
    for v in ("inflation_gap", "unemployment_gap", "output_gap"):
        assert float(abs(res[v]).max()) < 1e-3, v                 # pp or %
    assert float(abs(res.policy_rate - 2.5).max()) < 1e-3
    assert float(abs(res.import_price_wedge - 1).max()) < 1e-12
    assert float(abs(res.capital_stock / nat.capital_stock.sel(year=res.year) - 1).max()) < 1e-5
    assert float(abs(res.exchange_rate / res.exchange_rate_natural - 1).max()) < 1e-5


def _demand_spec(entry):
    return {"name": "pol", "dynamic": {
        "years": [2013, 2014], "regions": ["R02"], "anchor": "R01", "projections": "constant",
        "reference": True, "scenarios": {"tfp": entry},
        "regimes": {"strict_it": "strict_it"}}}


def test_demand_shock_with_a_scenario_is_checked_and_lowers_inflation(small_files, small_dataset):
    """A scenario of the dynamic experiment may carry a domestic demand shock (a share of
    consumption spending saved instead): bad tables are refused before any solve; a shortfall
    in R02 lowers R02's inflation against the same scenario without it, and the results say
    which shock they carry."""
    from cgetrade.dynamics.monetary import experiment, plan_experiment
    from cgetrade.dynamics.nominal import NominalError
    files = ["tfp.toml"]
    bad = [({"R09": {"2013": 0.05}}, "unknown region"), ({"R02": {"2020": 0.05}}, "outside the run"),
           ({"R02": {"2013": 0.7}}, "between -0.5 and 0.5"), ({"R02": {"2013": "x"}}, "year = number"),
           ({"R02": 0.05}, "table"), ([], "table")]
    for spec, match in bad:
        with pytest.raises(NominalError, match=match):
            plan_experiment(_demand_spec({"files": files, "demand_shock": spec}), small_files, small_dataset)
    runs = {}
    for name, entry in (("alone", {"files": files}),
                        ("shortfall", {"files": files, "demand_shock": {"R02": {"2013": 0.05, "2014": 0.05}}})):
        plan = plan_experiment(_demand_spec(entry), small_files, small_dataset)
        runs[name] = next(iter(experiment(plan, log=lambda line: None)))
    a, b = (runs[k].result.sel(regime="strict_it", region="R02") for k in ("alone", "shortfall"))
    assert float(b.inflation.sel(year=2013)) < float(a.inflation.sel(year=2013)) - 1e-3
    assert float(b.unemployment_gap.sel(year=2013)) > float(a.unemployment_gap.sel(year=2013))
    assert "R02" in runs["shortfall"].result.attrs["demand_shock"]
    assert runs["alone"].result.attrs["demand_shock"] == "none"
