"""Recursive dynamics: paths, accumulation, baseline calibration, policy runs (short paths)."""
import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

import cgetrade
from cgetrade.cli import main
from cgetrade.dynamics import (DynamicModel, DynamicsError, Periods, Projections, capital_next,
                               load_baseline, real_investment, save_path)
from cgetrade.model.targets import add_target
from cgetrade.paths import Linear, Logistic, PathError, Table, parse_path
from cgetrade.scenario import Scenario, Shock, ShockError


# -- paths ---------------------------------------------------------------------------------
def test_logistic_path_is_zero_at_start_one_at_end_and_symmetric():
    p = Logistic(midpoint=2030, speed=0.8, start=2025, end=2035)
    assert p.share(2024) == 0 and p.share(2025) == 0 and p.share(2035) == 1 and p.share(2040) == 1
    assert p.share(2030) == pytest.approx(0.5, abs=1e-12)
    assert p.share(2028) == pytest.approx(1 - p.share(2032), abs=1e-12)
    s = [p.share(y) for y in range(2025, 2036)]
    assert all(b > a for a, b in zip(s, s[1:]))


def test_linear_and_table_paths():
    assert Linear(2020, 2030).share(2025) == 0.5
    t = Table({2025: 0.01, "2030": 0.03})
    assert t.final == 0.03 and t.share(2024, 0.03) == 0
    assert t.share(2027, 0.03) == pytest.approx(0.6) and t.share(2040, 0.03) == pytest.approx(1.0)


@pytest.mark.parametrize("spec", [
    {"logistic": {"midpoint": 2030, "speed": 0.8, "start": 2031, "end": 2035}},   # start > midpoint
    {"logistic": {"midpoint": 2030, "speed": -1}},
    {"logistic": {"midpoint": 2030, "speed": 0.5, "start": 2025}},                 # no end
    {"linear": {"start": 2030, "end": 2030}},
    {"table": {"2025.5": 0.1}},
    {"table": {"225": 0.1}},
    {"table": {}},
    {"table": {"2025": "a lot"}},
    {"sigmoid": {"midpoint": 2030}},
    {"logistic": {"midpoint": 2030, "speed": 1, "start": 2025, "end": 2035, "shape": 2}},
])
def test_bad_paths_are_rejected(spec):
    with pytest.raises(PathError):
        parse_path(spec)
    with pytest.raises(ShockError):
        Shock("tfp", 0.1, region="CHN", path=spec)


def test_shock_path_from_toml(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('name = "p"\n[[shock]]\nkind = "tfp"\nregion = "CHN"\n'
                 'path = { table = { 2020 = 0.01, 2030 = 0.05 } }\n'
                 '[[shock]]\nkind = "tfp"\nregion = "USA"\nvalue = 0.02\n'
                 'path = { logistic = { start = 2025, midpoint = 2030, speed = 0.8, end = 2035 } }\n')
    s = Scenario.from_toml(f)
    assert s.shocks[0].value == 0.05 and isinstance(s.shocks[0].path, Table)
    assert isinstance(s.shocks[1].path, Logistic) and s.shocks[1].value == 0.02
    # a static run applies the full value
    assert Shock("tfp", 0.02, path=s.shocks[1].path).value == 0.02


# -- periods, projections, accumulation ----------------------------------------------------
@pytest.mark.parametrize("kw", [dict(start=2011, end=2011), dict(start=2011, end=2040, step=0),
                                dict(start=2011, end=2040, step=4), dict(start=2011.5, end=2040)])
def test_bad_periods_are_rejected(kw):
    with pytest.raises(DynamicsError):
        Periods(**kw)


def test_accumulation_step():
    K, I, d = np.array([100.0]), np.array([10.0]), np.array([0.05])
    assert capital_next(K, I, d)[0] == pytest.approx(105.0, rel=1e-15)
    two = capital_next(capital_next(K, I, d), I, d)
    assert capital_next(K, I, d, step=2)[0] == pytest.approx(two[0], rel=1e-14)
    with pytest.raises(DynamicsError):
        capital_next(K, np.array([-200.0]), d)


def test_default_projections_are_complete_and_cited():
    p = Projections.from_toml()
    regions = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
    p.check(regions, Periods(2011, 2040))
    assert all(0.03 < p.delta[r] < 0.12 for r in regions)
    assert all(2 < p.capital_output[r] < 5 for r in regions)
    assert "World Population Prospects 2024" in p.sources["labour_force"]
    assert "World Economic Outlook" in p.sources["gdp"]
    with pytest.raises(DynamicsError, match="data year"):
        p.check(regions, Periods(2012, 2040))
    with pytest.raises(DynamicsError, match="no .*growth for 2041"):
        p.check(regions, Periods(2011, 2050))


# -- targets: a parameter made endogenous ------------------------------------------------
def test_target_switches_without_recompiling(small_dataset):
    params = cgetrade.calibrate(small_dataset)
    model = cgetrade.CGEModel(params)
    m = model.pyomo
    r0 = params.regions[0]
    measure = lambda m, g: m.PY[params.sectors[0], r0] / m.PW   # noqa: E731  relative price
    t = add_target(m, "tfp_shift", {r0: [m.tfp[j, r0] for j in m.I]}, measure)
    assert model.solve().iterations == 0 and model.max_residual() < 1e-10
    nlp = model.nlp
    t.set_targets({r0: 0.97})                     # price 3 % lower: productivity endogenous
    model.solve()
    assert pyo.value(measure(m, r0)) == pytest.approx(0.97, abs=1e-9)
    lam = t.instrument_values()[r0]
    assert lam > 1
    t.fix_instruments({r0: 1.0})                  # back to the exogenous closure
    model.solve()
    assert model.nlp is nlp and pyo.value(t.instrument[r0]) == pytest.approx(1.0, abs=1e-12)
    assert pyo.value(measure(m, r0)) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ValueError, match="mutable parameter"):
        add_target(m, "bad", {r0: [m.PY[params.sectors[0], r0]]}, measure)


# -- the path on the default dataset (2011-2014) ----------------------------------------
@pytest.fixture(scope="module")
def dyn(default_dataset):
    return DynamicModel(cgetrade.calibrate(default_dataset), periods=Periods(2011, 2014))


@pytest.fixture(scope="module")
def base(dyn):
    return dyn.baseline()


def test_baseline_hits_gdp_targets_with_warm_starts(dyn, base):
    assert float(abs(base.real_gdp / base.gdp_target - 1).max()) < 1e-8
    assert int(base.iterations.sel(year=2011)) == 0
    # warm starts: a few Newton factorisations per year (chord steps reuse them)
    assert int(base.factorisations.max()) <= 4
    assert int(base.iterations.max()) <= 20
    growth = base.real_gdp_growth.sel(year=2012, region="CHN")
    assert float(growth) == pytest.approx(7.9, abs=1e-6)
    assert base.year.values.tolist() == [2011, 2012, 2013, 2014]
    assert base.cpi_relative_change.attrs["units"] == "% per year"
    assert "numeraire" in base.attrs["nominal_anchor"]
    # CPI inflation = year-on-year change; its import + domestic parts add up (log points)
    infl = 100 * np.log(base.cpi_local / base.cpi_local.shift(year=1))
    parts = base.cpi_relative_change_import + base.cpi_relative_change_domestic
    assert float(abs(parts - infl).sel(year=slice(2012, None)).max()) < 1e-9
    inner = base.cpi_relative_change_imported_intermediates + base.cpi_relative_change_domestic_value_added
    assert float(abs(inner - base.cpi_relative_change_domestic).sel(year=slice(2012, None)).max()) < 1e-12


def test_capital_accumulation_identity(dyn, base):
    K, I = base.capital_stock.values, base.investment.values
    assert np.allclose(K[1:], (1 - dyn.delta) * K[:-1] + I[:-1], rtol=1e-14, atol=0)
    assert np.allclose(K[0], dyn.K0)
    # the investment recorded is the model's real investment demand
    k = dyn.params.final_agents.index("investment")
    q = base.final_demand.sel(final="investment").values
    assert np.allclose(I, q, rtol=1e-12) and np.allclose(I[0], dyn.params["fd_exp"][k], rtol=1e-12)


def test_zero_shock_reproduces_the_baseline_exactly(dyn, base):
    res = dyn.run(Scenario("none", [Shock("tfp", 0.0, region="CHN")]), base)
    for v in ("real_gdp", "cpi", "employment", "capital_stock", "exports"):
        assert float(abs(res[v] - base[v]).max()) == 0.0, v
    assert int(res.iterations.sum()) == 0


def test_policy_shock_along_its_path(dyn, base, tmp_path):
    shock = Shock("tfp", 0.05, region="CHN", sector="ELE", path={"table": {2012: 0.01, 2014: 0.05}})
    res = dyn.run(Scenario("ele", [shock]), base)
    assert pyo.value(dyn.model.pyomo.tfp["ELE", "CHN"]) == pytest.approx(1.05, abs=1e-15)
    assert float(res.real_gdp_dev_pct.sel(year=2011, region="CHN")) == 0
    dev = res.real_gdp_dev_pct.sel(region="CHN").values
    assert 0 < dev[1] < dev[2] < dev[3]
    # capital accumulates from the policy run's own investment
    K, I = res.capital_stock.values, res.investment.values
    assert np.allclose(K[1:], (1 - dyn.delta) * K[:-1] + I[:-1], rtol=1e-14, atol=0)
    assert float(abs(res.capital_stock_dev_pct.sel(year=2014, region="CHN"))) > 0
    # stored baseline: the same policy result from the netCDF file
    f = tmp_path / "base.nc"
    save_path(base, f)
    again = dyn.run(Scenario("ele", [shock]), load_baseline(f))
    assert float(abs(again.real_gdp - res.real_gdp).max()) == 0.0
    assert res["cpi_relative_change_dev_pp"].attrs["units"] == "percentage points per year"


def test_paths_before_the_data_year_and_wrong_baselines_are_rejected(dyn, base, default_dataset):
    early = Shock("tfp", 0.1, region="CHN", path={"linear": {"start": 2005, "end": 2015}})
    with pytest.raises(ShockError, match="before the data year"):
        dyn.run(Scenario("early", [early]), base)
    with pytest.raises(DynamicsError, match="covers years"):
        dyn.run(Scenario("x", [Shock("tfp", 0.1)]), base.sel(year=[2011, 2012, 2013]))


# -- no growth, no shock: every period is the benchmark ----------------------------------
def test_steady_state_reproduces_the_benchmark_every_year(small_dataset):
    params = cgetrade.calibrate(small_dataset)
    k = params.final_agents.index("investment")
    delta = 0.06
    va = params["vfm"].sum((0, 1))
    proj = Projections.constant(params.regions, 2011, 2014, delta=delta)
    # capital-output ratio of a steady state: delta K0 = I0
    proj.capital_output = {r: float(params["fd_exp"][k, i] / (delta * va[i]))
                           for i, r in enumerate(params.regions)}
    dyn = DynamicModel(params, projections=proj, periods=Periods(2011, 2014))
    base = dyn.baseline()
    assert int(base.iterations.sum()) == 0
    assert np.allclose(base.labour_productivity, 1.0, atol=1e-12)
    assert np.allclose(base.capital_stock, base.capital_stock.sel(year=2011), rtol=1e-13)
    for v in ("real_gdp_growth", "cpi_relative_change", "capital_stock_growth"):
        assert float(abs(base[v].sel(year=slice(2012, None))).max()) < 1e-10, v
    assert np.allclose(real_investment(dyn.model), params["fd_exp"][k], rtol=1e-12)


def test_cli_path_writes_years_and_a_plot(tmp_path, capsys):
    out, stored = tmp_path / "p.nc", tmp_path / "b.nc"
    assert main(["path", "china_ai_adoption", "--to", "2012", "--baseline", str(stored), "--out", str(out)]) == 0
    assert stored.exists() and out.with_suffix(".png").exists()
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert ds.year.values.tolist() == [2011, 2012]
    assert "cpi_relative_change_dev_pp" in ds and "real_gdp_dev_pct" in ds and "capital_stock" in ds
    assert ds.attrs["first_year"] == 2011 and "savings-driven" in ds.attrs["closure"]
    ds.close()
    text = capsys.readouterr().out
    assert "CPI/P_W chg" in text and "inflation" not in text.lower()     # a relative price, not inflation
    assert main(["path", "china_ai_adoption", "--to", "2010"]) == 1
    assert "after the start year" in capsys.readouterr().err
    # the same run through `cgetrade run --years`
    out2 = tmp_path / "r.nc"
    assert main(["run", "china_ai_adoption", "--years", "2011:2012", "--out", str(out2)]) == 0
    with xr.open_dataset(out2, engine="h5netcdf") as ds2:
        assert ds2.year.values.tolist() == [2011, 2012]
    with pytest.raises(SystemExit):
        main(["run", "china_ai", "--years", "2040:2011"])


def test_endowment_shock_applies_to_the_accumulated_stock(dyn, base):
    shock = Shock("endowment", 0.01, region="USA", factor="capital")
    res = dyn.run(Scenario("k", [shock]), base)
    m, p = dyn.model.pyomo, dyn.params
    k, j = p.regions.index("USA"), p.sectors[0]
    K = float(res.capital_stock.sel(year=2014, region="USA"))
    expected = p["vfm"][p.factors.index("capital"), 0, k] * K / dyn.K0[k] * 1.01
    assert pyo.value(m.endowment["capital", j, "USA"]) == pytest.approx(expected, rel=1e-13)


def test_permanent_shock_converges_to_the_static_steady_state(small_dataset):
    """A permanent TFP shock from a steady state: the path's capital stock converges to the
    static model's long-run (steady-state) closure, where delta K = I holds in every region
    (capital endogenous through a target on the static model)."""
    params = cgetrade.calibrate(small_dataset)
    R, k = params.regions, params.final_agents.index("investment")
    delta, va, inv0 = 0.08, params["vfm"].sum((0, 1)), params["fd_exp"][k]
    proj = Projections.constant(R, 2011, 2211, delta=delta)
    proj.capital_output = {r: float(inv0[i] / (delta * va[i])) for i, r in enumerate(R)}
    dyn = DynamicModel(params, projections=proj, periods=Periods(2011, 2211, step=10))
    shock = Shock("tfp", 0.05, region=R[0])
    res = dyn.run(Scenario("tfp", [shock]), dyn.baseline())

    static = cgetrade.CGEModel(params)
    m = static.pyomo

    def steady(m, r):          # I_r / (delta K_r): K_r = K0_r * s_r, s the capital instrument
        i = R.index(r)
        return m.Q_H["investment", r] * float(inv0[i]) / (delta * dyn.K0[i] * m.capital_index[r])
    t = add_target(m, "capital_index", {r: [m.endowment["capital", j, r] for j in m.I] for r in R}, steady)
    t.set_targets({r: 1.0 for r in R})
    Scenario("tfp", [shock]).apply(static)
    static.solve()
    K_ss = dyn.K0 * np.array([pyo.value(t.instrument[r]) for r in R])
    K_end = res.capital_stock.isel(year=-1).values
    assert float(abs(K_ss / dyn.K0 - 1).max()) > 0.01             # the shock moves the stock
    assert np.allclose(K_end, K_ss, rtol=1e-3)
    K_mid = res.capital_stock.sel(year=2031).values
    assert float(abs(K_mid / K_ss - 1).max()) > 10 * float(abs(K_end / K_ss - 1).max())


def test_static_model_does_not_import_the_dynamics_layer():
    import subprocess
    import sys
    code = ("import sys, cgetrade, cgetrade.model, cgetrade.scenario, cgetrade.results, cgetrade.solve; "
            "cgetrade.CGEModel(cgetrade.calibrate(cgetrade.data.synthetic_dataset(2, 2))).solve(); "
            "print(any(k.startswith('cgetrade.dynamics') for k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_set_mode_and_invalid_path_shares(dyn, base):
    m = dyn.model.pyomo
    idx = ("ELE", "CHN", "USA")
    t0 = dyn._bench_p[id(m.tm[idx])]
    tariff = Shock("tariff", 0.10, region="USA", source="CHN", sector="ELE", mode="set",
                   path={"linear": {"start": 2011, "end": 2015}})
    res = dyn.run(Scenario("tariff", [tariff]), base)
    assert pyo.value(m.tm[idx]) == pytest.approx(t0 + 0.75 * (0.10 - t0), rel=1e-12)   # 2014: 3/4 of the way
    assert float(res.bilateral_trade_dev_pct.sel(commodity="ELE", source="CHN", region="USA", year=2014)) < 0
    over = Shock("automation", 0.6, region="USA", sector="ELE",
                 path={"logistic": {"midpoint": 2012, "speed": 2.0, "ceiling": 2.0}})
    with pytest.raises(ShockError, match="automation"):
        dyn.run(Scenario("over", [over]), base)


# -- costly labour mobility: workers attached to sectors ---------------------------------
@pytest.fixture(scope="module")
def transition():
    from cgetrade.model import Closure
    ds = cgetrade.data.synthetic_dataset(3, 4, seed=1, skills=True)
    params = cgetrade.calibrate(ds, skills=True)
    proj = Projections.constant(params.regions, 2011, 2026, delta=0.06)
    dyn = DynamicModel(params, projections=proj, periods=Periods(2011, 2026),
                       closure=Closure(mobility={"labour": "specific"}, labour="wage_curve"))
    return dyn, dyn.baseline()


def test_attached_labour_adds_up_and_a_zero_shock_reproduces_the_baseline(transition):
    dyn, base = transition
    # attached labour of every skill adds up to the benchmark endowment (no labour force growth)
    bench = xr.DataArray(dyn._benchmark_attached(), dims=("labour", "sector", "region")).sum("sector")
    np.testing.assert_allclose(base.labour_attached.sum("sector").transpose("year", "labour", "region"),
                               np.broadcast_to(bench.values, (len(base.year),) + bench.shape), rtol=1e-12)
    assert float(abs(base.labour_attached - base.labour_attached.isel(year=0)).max()) > 1e-3   # baseline moves
    np.testing.assert_allclose(base.unemployment_rate_sector, 0.05, rtol=1e-9)      # flexible wages
    res = dyn.run(Scenario("none", [Shock("tfp", 0.0, region="R01")]), base)
    for v in ("persons", "labour_attached", "unemployed_by_skill_sector", "real_gdp"):
        assert float(abs(res[v] - base[v]).max()) == 0.0, v
    assert float(abs(res.excess_unemployed).max()) == 0.0


def test_displaced_workers_are_unemployed_then_move_gradually(transition):
    dyn, base = transition
    shock = Shock("automation", 0.3, region="R01", sector="S01", factor="labour_medium", cost_saving=0.3,
                  path={"linear": {"start": 2012, "end": 2013}})
    res = dyn.run(Scenario("auto", [shock]), base)
    sel = dict(labour="labour_medium", region="R01")
    excess = res.excess_unemployed.sel(**sel).sum("sector").values
    assert excess[0] == 0 and excess[2] > 0 and abs(excess[-1]) < 0.1 * excess[2]   # unemployment, then recovery
    attached = (res.labour_attached - base.labour_attached).sel(sector="S01", **sel).values
    assert attached[2] == 0 and np.all(np.diff(attached[2:8]) < 0)                 # gradual exit from S01
    assert float(res.movers_out.sel(sector="S01", **sel).sel(year=2014)) > 0
    # persons employed + unemployed = labour force in every year, sector by sector and in total
    lf = res.persons + res.unemployed_by_skill_sector
    np.testing.assert_allclose(lf, res.labour_force_sector, rtol=1e-10)
    np.testing.assert_allclose(res.labour_force_sector.sum("sector"), res.labour_force, rtol=1e-10)
    # person-years accumulate the excess unemployment; its duration is a few years, not forever
    py = res.excess_unemployed_person_years.sel(**sel).sum("sector")
    np.testing.assert_allclose(py.values, np.cumsum(excess), rtol=1e-10, atol=1e-12)
    assert 0.5 < float(res.excess_unemployment_duration.sel(**sel)) < 10
    assert res.jobs_lost_in_year.attrs["units"] == "thousand persons"


def test_mobility_parameters_from_published_estimates():
    from cgetrade.dynamics.mobility import LabourMobility
    from cgetrade.model.closures import MEDIUM_RUN_ETA, PRESETS, adjustment_share, medium_run_eta
    mob = LabourMobility()
    assert (1 - mob.mu) ** 6 == pytest.approx(0.1, rel=1e-12)                  # 90 % closed in 6 years
    assert (1 - adjustment_share(4)) ** 4 == pytest.approx(0.1) and adjustment_share(10) < mob.mu
    assert mob.elasticity == pytest.approx(0.97 / (1.88 * (1 - 0.97 * (1 - mob.mu))), rel=1e-12)
    f = 1 - (1 - mob.mu) ** 3
    assert MEDIUM_RUN_ETA == pytest.approx(f / (1 - f)) and PRESETS["medium_run"]["eta"] == MEDIUM_RUN_ETA
    assert medium_run_eta(years=10) > MEDIUM_RUN_ETA        # longer horizon, more mobile
    # one step of the rule: workers leave the sector with low expected earnings, totals kept
    E = np.array([[[10.0], [10.0]]])
    step = mob.step(E, wage=np.array([[[0.9], [1.0]]]), unemployment=np.array([[[0.1], [0.05]]]))
    assert step[0, 0, 0] < 10 < step[0, 1, 0] and step.sum() == pytest.approx(20.0, rel=1e-14)
    assert np.array_equal(mob.step(E, np.ones_like(E), np.full_like(E, 0.05)), E)
    with pytest.raises(DynamicsError, match="adjustment_years"):
        LabourMobility(adjustment_years=0)


def test_attached_labour_needs_a_sector_wage_curve(small_dataset):
    from cgetrade.model import Closure
    params = cgetrade.calibrate(small_dataset)
    proj = Projections.constant(params.regions, 2011, 2013, delta=0.06)
    with pytest.raises(DynamicsError, match="wage_curve"):
        DynamicModel(params, projections=proj, periods=Periods(2011, 2013),
                     closure=Closure(mobility={"labour": "specific"}))



def test_attached_labour_converges_to_the_mobile_allocation(transition):
    """Long run = full mobility: after a permanent displacement shock the sector-attached path
    ends close to the path with mobile labour (same shock, flexible wages), far from where it
    starts."""
    dyn, base = transition
    shock = Shock("automation", 0.3, region="R01", sector="S01", factor="labour_medium", cost_saving=0.3,
                  path={"linear": {"start": 2012, "end": 2013}})
    attached = dyn.run(Scenario("auto", [shock]), base)
    mobile_dyn = DynamicModel(dyn.params, projections=dyn.projections, periods=dyn.periods)
    mobile = mobile_dyn.run(Scenario("auto", [shock]), mobile_dyn.baseline())
    sel = dict(labour="labour_medium", region="R01", sector="S01")
    gap_att = (attached.persons - base.persons).sel(**sel).values
    mob_base = mobile_dyn.baseline()
    gap_mob = (mobile.persons - mob_base.persons).sel(**sel).values
    moved = (attached.labour_force_sector - base.labour_force_sector).sel(**sel).values
    assert gap_mob[-1] < 0 and gap_att[-1] < 0
    assert moved[2] == 0                                            # in the shock year nobody moves,
    assert 0.2 < moved[3] / gap_mob[3] < 0.6                        # then a share mu of the gap a year
    assert moved[6] / gap_mob[6] > 0.9
    assert gap_att[-1] == pytest.approx(gap_mob[-1], rel=0.1)      # in the end about as many as mobile
