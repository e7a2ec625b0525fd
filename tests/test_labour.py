"""Labour by skill, persons that add up, factor mobility, capital closures, automation with a
cost saving and the surplus-labour closure."""
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest
import xarray as xr

import cgetrade
from cgetrade import checks
from cgetrade.data import DataValidationError, synthetic_dataset
from cgetrade.model import Closure
from cgetrade.model.closures import PRESETS
from cgetrade.results import collect, compare
from cgetrade.scenario import Scenario, Shock, ShockError

DATA = Path(__file__).resolve().parent / "data"
EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
SHOCK = Scenario("s", [Shock("automation", 0.1, sector="S01", cost_saving=0.3),
                       Shock("tfp", 0.05, region="R01")])


@pytest.fixture(scope="module")
def skills_dataset():
    return synthetic_dataset(3, 4, seed=1, skills=True)


def _closure(preset, **mobility):
    """The preset with the given mobility and flexible wages (full employment)."""
    return Closure.from_preset(preset, mobility={**PRESETS[preset]["mobility"], **mobility},
                               labour="flexible")


@pytest.mark.parametrize("va_nest", ["flat", "capital_skill"])
@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("labour_mobility", ["mobile", "sluggish"])
def test_every_preset_replicates_is_homogeneous_and_conserves_persons(skills_dataset, va_nest, preset,
                                                                      labour_mobility):
    params = cgetrade.calibrate(skills_dataset, skills=True, va_nest=va_nest)
    model = cgetrade.CGEModel(params, _closure(preset, labour=labour_mobility))
    results = checks.benchmark_replication(model) + checks.homogeneity(model) + checks.walras(model, SHOCK)
    assert all(r.passed for r in results), checks.format_table(results)
    model.reset()
    model.solve()
    base = collect(model)
    SHOCK.solve(model)
    scen = collect(model)
    # full employment with a fixed labour force: persons by region and skill conserved
    np.testing.assert_allclose(scen.persons.sum("sector"), base.persons.sum("sector"), rtol=1e-9)
    assert float(abs(scen.persons - base.persons).max()) > 1e-3       # but jobs do move
    assert (scen.persons >= 0).all()


def test_one_labour_type_model_is_unchanged(default_dataset):
    """The one-labour-type model reproduces stored results of the model before labour by skill
    (same dataset, same shocks) to 1e-12; only persons by sector follow the new rule, which
    conserves the total."""
    ds = xr.load_dataset(DATA / "wiod2011_6x8_v0.nc")
    for name in ("west_automation", "china_ai"):
        golden = xr.load_dataset(DATA / f"golden_{name}_v0.nc")
        model = cgetrade.CGEModel(cgetrade.calibrate(ds))
        model.solve()
        base = collect(model)
        old = Scenario.from_toml(DATA / f"{name}_v0.toml")
        old.solve(model, method="ipopt")        # the solver the stored results came from
        res = collect(model)
        for v in ("producer_price", "real_gdp", "factor_price", "cpi", "activity"):
            np.testing.assert_allclose(res[v], golden[v], rtol=1e-12, err_msg=f"{name}: {v}")
        assert float(res.employment.sum()) == pytest.approx(float(base.employment.sum()), rel=1e-12)
        assert float(golden.employment.sum()) != pytest.approx(float(base.employment.sum()), rel=1e-6)


@pytest.mark.parametrize("va_nest", ["flat", "capital_skill"])
def test_automation_never_raises_unit_cost_at_benchmark_prices(skills_dataset, va_nest):
    """A small automation step with a cost saving lowers the unit cost of value added at
    benchmark prices (productivity effect) and lowers the labour share (displacement)."""
    model = cgetrade.CGEModel(cgetrade.calibrate(skills_dataset, skills=True, va_nest=va_nest))
    m = model.pyomo
    cost0 = {k: pyo.value(m.P_VA[k]) for k in m.P_VA}
    for h in ("labour_high", "labour_medium", "labour_low"):
        for saving in (0.0, 0.05, 0.3):
            eff = Scenario("a", [Shock("automation", 0.02, factor=h, cost_saving=saving)]
                           ).automation_effects(model)
            assert (eff.productivity_effect <= 1e-10).all()       # % (rounding only)
            if saving > 0:
                assert (eff.productivity_effect < 0).all()
            assert (eff.displacement < 0).all()
    assert all(pyo.value(m.P_VA[k]) == cost0[k] for k in m.P_VA)          # model left unchanged


def test_long_run_capital_rises_with_productivity_at_a_fixed_rate_of_return(skills_dataset):
    params = cgetrade.calibrate(skills_dataset, skills=True)
    model = cgetrade.CGEModel(params, Closure.from_preset("long_run"))
    model.solve()
    base = collect(model)
    Scenario("t", [Shock("tfp", 0.05, region="R01")]).solve(model)
    scen = collect(model)
    m = model.pyomo
    for r in params.regions:        # the real rate of return is unchanged in every region
        assert pyo.value(m.W["capital", r] / m.P_H["investment", r]) == pytest.approx(1.0, abs=1e-9)
    assert float(scen.capital_stock.sel(region="R01")) > 1.02 * float(base.capital_stock.sel(region="R01"))
    # medium run: the same shock with a fixed stock raises the rental rate instead
    medium = cgetrade.CGEModel(params)
    medium.solve()
    Scenario("t", [Shock("tfp", 0.05, region="R01")]).solve(medium)
    res = collect(medium)
    assert float(res.capital_stock.sel(region="R01")) == pytest.approx(float(base.capital_stock.sel(region="R01")))
    assert float(res.rental_rate.sel(region="R01") / res.cpi.sel(region="R01")) > 1.0


def test_job_changes_add_up_to_the_change_in_unemployment(skills_dataset):
    params = cgetrade.calibrate(skills_dataset, skills=True)
    for closure in (Closure(labour="wage_curve"), Closure(labour={"*": {"labour_low": "real_wage", "*": "flexible"}}),
                    Closure(labour="wage_curve", sector_specific=("labour",))):
        model = cgetrade.CGEModel(params, closure)
        model.solve()
        base = collect(model)
        Scenario("t", [Shock("tfp", -0.05, region="R02")]).solve(model)
        res = compare(base, collect(model))
        jobs = res.persons_change.sum("sector")
        np.testing.assert_allclose(jobs, -res.unemployed_by_skill_change, atol=1e-8)
        assert float(abs(res.unemployed_by_skill_change).max()) > 1e-3
        np.testing.assert_allclose(res.labour_force_change, 0.0, atol=1e-9)


def test_surplus_labour_absorbs_persons_at_a_fixed_real_wage(skills_dataset):
    params = cgetrade.calibrate(skills_dataset, skills=True)
    model = cgetrade.CGEModel(params, Closure(labour={"R01": "surplus_labour", "*": "flexible"}))
    model.solve()
    base = collect(model)
    Scenario("t", [Shock("tfp", 0.05, region="R01")]).solve(model)
    res = compare(base, collect(model))
    grow = res.labour_force_change.sel(region="R01")
    assert (grow > 0).all()
    np.testing.assert_allclose(res.persons_change.sel(region="R01").sum("sector"),
                               grow * (1 - res.unemployment_rate_by_skill.sel(case="baseline", region="R01")),
                               rtol=1e-9)
    np.testing.assert_allclose(res.real_wage_by_skill.sel(case="scenario", region="R01"), 1.0, rtol=1e-9)


def test_skill_results_and_bad_inputs(skills_dataset):
    params = cgetrade.calibrate(skills_dataset, skills=True)
    assert params.labour_factors == ["labour_high", "labour_medium", "labour_low"]
    # compensation split exactly, persons split by hours
    np.testing.assert_allclose(params.data.vfm.sel(factor=params.labour_factors).sum("factor"),
                               skills_dataset.factor_payments.sel(factor="labour"), rtol=1e-12)
    np.testing.assert_allclose(params.data.persons_by_factor.sum("factor"), skills_dataset.employment, rtol=1e-12)
    model = cgetrade.CGEModel(params)
    model.solve()
    res = collect(model)
    assert res.skill_premium.notnull().all() and (res.labour_share > 0).all()
    with pytest.raises(ValueError, match="needs labour by skill"):
        cgetrade.calibrate(skills_dataset, va_nest="capital_skill")
    with pytest.raises(DataValidationError, match="skills=True needs"):
        cgetrade.calibrate(synthetic_dataset(3, 4, seed=1), skills=True)
    with pytest.raises(DataValidationError, match="skill labels must be"):
        cgetrade.calibrate(skills_dataset.assign_coords(skill=["high", "mid", "low"]), skills=True)
    with pytest.raises(ValueError, match="unknown factor"):
        cgetrade.CGEModel(params, Closure(mobility={"labor": "sluggish"}))
    with pytest.raises(ValueError, match="unknown closure preset 'longrun' .did you mean 'long_run'"):
        Closure.from_preset("longrun")
    with pytest.raises(ValueError, match="needs capital mobile"):
        cgetrade.CGEModel(params, Closure.from_preset("long_run", mobility={"capital": "specific"}))
    with pytest.raises(ShockError, match="unknown labour type"):
        Scenario("a", [Shock("automation", 0.1, factor="labour_mid")]).targets(model)
    with pytest.raises(ShockError, match="cost_saving must be"):
        Shock("automation", 0.1, cost_saving=1.2)
    with pytest.raises(ShockError, match="automation shocks only"):
        Shock("tfp", 0.1, cost_saving=0.2)


@pytest.mark.parametrize("closure", [Closure.from_preset("long_run"),
                                     Closure.from_preset("short_run", labour="wage_curve"),
                                     Closure(labour={"R01": "surplus_labour", "*": "flexible"}),
                                     Closure(mobility={"labour": "sluggish"})])
def test_ev_decomposition_adds_up_under_the_new_closures(skills_dataset, closure):
    from cgetrade.welfare import COMPONENTS, decompose_ev
    model = cgetrade.CGEModel(cgetrade.calibrate(skills_dataset, skills=True), closure)
    model.solve()
    w = decompose_ev(model, SHOCK, steps=8)
    total = sum(w[c] for c in COMPONENTS)
    np.testing.assert_allclose(total, w["ev"], atol=1e-4 * float(abs(w["ev"]).max()))
    assert float(abs(w["ev"]).max()) > 1.0


def test_mobility_numbers_in_the_docs_are_the_codes():
    """docs/model.md "Labour mobility with costs" states the parameters the code uses."""
    import math
    from cgetrade.model import closures as c
    doc = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text()
    mu = {t: c.adjustment_share(t) for t in (4, 6, 10)}
    f = 1 - (1 - c.MOVING_SHARE) ** c.MEDIUM_RUN_YEARS
    for text in (f"mu = {mu[4]:.3f} / {mu[6]:.3f} / {mu[10]:.3f} for T90 = 4 / 6 / 10",
                 f"= {c.destination_elasticity(c.MOVING_SHARE):.2f}: the logit",
                 f"f = 1 - (1 - mu)^{c.MEDIUM_RUN_YEARS} = {f:.3f}",
                 f"eta = eps_D f / (1 - f) = {c.MEDIUM_RUN_ETA:.2f}", f"`eta` = {c.MEDIUM_RUN_ETA:.2f}",
                 f"C = {c.ACM_MOVING_COST} annual wages", f"nu = {c.ACM_NU} annual wages",
                 f"exp(-C / nu) = {100 * math.exp(-c.ACM_MOVING_COST / c.ACM_NU):.1f} %"):
        assert text in doc, text


def test_short_run_displaced_workers_are_unemployed_in_their_sector(skills_dataset):
    """Short run: labour attached to sectors on sector wage curves. A sector-specific
    productivity shock that cuts labour demand raises that sector's unemployment, persons +
    unemployed = labour force by sector, and the medium and long runs re-employ everybody."""
    params = cgetrade.calibrate(skills_dataset, skills=True)
    shock = Scenario("a", [Shock("automation", 0.3, region="R01", sector="S01", factor="labour_medium",
                                 cost_saving=0.3)])
    out = {}
    for preset in PRESETS:
        model = cgetrade.CGEModel(params, Closure.from_preset(preset))
        assert all(r.passed for r in checks.benchmark_replication(model) + checks.homogeneity(model))
        model.solve()
        base = collect(model)
        shock.solve(model)
        out[preset] = res = compare(base, collect(model))
        if preset == "short_run":
            np.testing.assert_allclose(res.persons.sel(case="scenario")
                                       + res.unemployed_by_skill_sector.sel(case="scenario"),
                                       res.labour_force_sector.sel(case="scenario"), rtol=1e-10)
    sr = out["short_run"]
    u = sr.unemployment_rate_sector_change.sel(region="R01")
    assert float(u.sel(sector="S01")) > 0.1 and float(u.sel(sector="S01")) == float(u.max())
    assert float(sr.unemployed_change.sel(region="R01")) > 0
    np.testing.assert_allclose(sr.labour_force_sector_change, 0.0, atol=1e-9)    # nobody changes sector
    for preset in ("medium_run", "long_run"):
        np.testing.assert_allclose(out[preset].unemployed_change, 0.0, atol=1e-9)
    # medium run (sluggish) moves fewer medium-skill workers out of S01 than the long run (mobile)
    moved = {p: -float(out[p].persons_change.sel(labour="labour_medium", sector="S01", region="R01"))
             for p in ("medium_run", "long_run")}
    assert 0 < moved["medium_run"] < moved["long_run"]


def _headcount_dataset(imputed_region=None):
    """Synthetic data with 6x different persons per wage unit across sectors, sectors S01 and
    S02 paying the same per person in every region; optionally one region's employment
    flagged as imputed."""
    ds = synthetic_dataset(3, 4, seed=1).copy(deep=True)
    pay = ds.factor_payments.sel(factor="labour")
    ratio = xr.DataArray([0.6, 0.6, 0.1, 0.3], dims="sector", coords={"sector": ds.sector})
    ds["employment"] = (pay * ratio).transpose(*ds.employment.dims)
    ds["employment_imputed"] = xr.zeros_like(ds.employment)
    if imputed_region:
        ds["employment_imputed"].loc[dict(region=imputed_region)] = 1.0
    return ds


@pytest.mark.parametrize("headcount", ["sector", "pooled_where_imputed"])
def test_equal_pay_per_person_moves_equal_persons(headcount):
    """Sectors S01 and S02 pay the same per person: a shock that moves labour between sectors
    moves the same number of persons per efficiency unit out of one and into the other."""
    params = cgetrade.calibrate(_headcount_dataset(), headcount=headcount)
    model = cgetrade.CGEModel(params)
    model.solve()
    base = collect(model)
    Scenario("t", [Shock("tfp", 0.2, region="R01", sector="S01")]).solve(model)
    res = collect(model)
    r = dict(region="R01", labour="labour")
    units = res.factor_demand.sel(factor="labour", region="R01") - base.factor_demand.sel(factor="labour", region="R01")
    moved = (res.persons - base.persons).sel(**r)
    assert float(units.sel(sector="S01")) * float(units.sel(sector="S02")) < 0          # labour moves
    per_unit = res.persons.sel(**r) / res.factor_demand.sel(factor="labour", region="R01")
    assert float(per_unit.sel(sector="S01")) == pytest.approx(float(per_unit.sel(sector="S02")), rel=1e-12)
    assert float(moved.sum()) == pytest.approx(0.0, abs=1e-9)
    assert not bool(res.persons_imputed.any())


def test_imputed_employment_moves_persons_at_one_pooled_ratio():
    """Where employment is imputed, one persons-per-wage-unit ratio per region and labour type:
    at full employment every sector's change in persons is the pooled ratio times its change
    in efficiency units, whatever the sector's own benchmark ratio; measured regions keep the
    sector ratios; the cells are flagged in the results."""
    ds = _headcount_dataset(imputed_region="R02")
    shock = Scenario("t", [Shock("tfp", 0.2, region="R02", sector="S03"), Shock("tfp", 0.1, region="R01")])
    out = {}
    for headcount in ("sector", "pooled_where_imputed"):
        params = cgetrade.calibrate(ds, headcount=headcount)
        model = cgetrade.CGEModel(params)
        model.solve()
        base = collect(model)
        assert float(abs(base.persons.sel(labour="labour") - ds.employment).max()) < 1e-9   # data replicated
        shock.solve(model)
        out[headcount] = res = collect(model)
        dF = (res.factor_demand - base.factor_demand).sel(factor="labour", region="R02")
        dP = (res.persons - base.persons).sel(labour="labour", region="R02")
        pooled = float(ds.employment.sel(region="R02").sum()
                       / ds.factor_payments.sel(factor="labour", region="R02").sum())
        ratio = dP / dF
        if headcount == "pooled_where_imputed":
            np.testing.assert_allclose(ratio, pooled, rtol=1e-8)
            np.testing.assert_allclose(res.headcount_ratio.sel(labour="labour", region="R02"), pooled, rtol=1e-12)
            assert bool(res.persons_imputed.sel(region="R02").all())
            assert not bool(res.persons_imputed.sel(region=["R01", "R03"]).any())
        else:
            assert float(ratio.max() / ratio.min()) > 3          # sector ratios: 6x apart
    # measured regions: identical persons under both rules
    for region in ("R01", "R03"):
        np.testing.assert_allclose(out["sector"].persons.sel(region=region),
                                   out["pooled_where_imputed"].persons.sel(region=region), rtol=1e-12)
    with pytest.raises(ValueError, match="unknown headcount"):
        cgetrade.calibrate(ds, headcount="pooled")
