"""Systematic sensitivity analysis and scenario sweeps (serial, Dask threads, Dask LocalCluster)."""
import numpy as np
import pytest
import xarray as xr

import cgetrade
from cgetrade.cli import main
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock
from cgetrade.sweeps import (Distribution, SweepError, design, run_ssa, run_sweep, stroud3,
                             summarise)

TFP = Scenario("tfp", [Shock("tfp", 0.10, region="R01", sector=["S01", "S02"])])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_stroud_points_have_mean_zero_and_unit_covariance(n):
    pts = stroud3(n)
    assert pts.shape == (2 * n, n)
    np.testing.assert_allclose(pts.mean(0), 0, atol=1e-14)
    np.testing.assert_allclose(pts.T @ pts / (2 * n), np.eye(n), atol=1e-14)
    # degree 3: all third moments vanish (symmetric distributions)
    for i in range(n):
        for j in range(n):
            np.testing.assert_allclose((pts[:, i] ** 2 * pts[:, j]).mean(), 0, atol=1e-14)


@pytest.mark.parametrize("shape", ["uniform", "triangular"])
def test_quadrature_reproduces_the_mean_of_linear_and_quadratic_functions_exactly(shape):
    dists = [Distribution("sigma_d", shape, 0.5), Distribution("sigma_m", shape, 0.3),
             Distribution("sigma_va", shape, 0.2)]
    mult, w = design(dists, "quadrature")
    b = np.array([2.0, -3.0, 0.7])
    linear = 1.5 + (mult - 1) @ b
    assert abs(w @ linear - 1.5) < 1e-14
    # E[(m - 1)^2] = var: uniform on +/-a has a^2/3, symmetric triangular a^2/6
    var = np.array([d.spread ** 2 / (3 if shape == "uniform" else 6) for d in dists])
    quad = ((mult - 1) ** 2) @ b
    np.testing.assert_allclose(w @ quad, var @ b, rtol=1e-13)
    # sample moments of Monte Carlo draws only approach them
    mc, wm = design(dists, "montecarlo", draws=4000, seed=3)
    np.testing.assert_allclose(wm @ ((mc - 1) ** 2), var, rtol=0.1)
    assert mc.min() >= 1 - 0.5 and mc.max() <= 1 + 0.5


def test_bad_analyses_are_rejected_before_solving():
    with pytest.raises(SweepError, match="unknown elasticity"):
        Distribution("sigma_x")
    with pytest.raises(SweepError, match="spread"):
        Distribution("sigma_d", spread=1.2)
    with pytest.raises(SweepError, match="method"):
        design([Distribution("sigma_d")], "latin")


def test_ssa_draws_equal_direct_solves_with_those_elasticities(small_dataset):
    ssa = run_ssa(small_dataset, TFP, [Distribution("sigma_d"), Distribution("sigma_m", "uniform")])
    assert ssa.sizes["draw"] == 4 and list(ssa.draw_status.values) == ["ok"] * 4
    assert ssa.attrs["scheduler"] == "serial" and ssa.attrs["draws_per_minute"] > 0
    # draw 2 re-solved from scratch with its elasticities
    k = 2
    m_d, m_m = (float(x) for x in ssa.multiplier.isel(draw=k).values)
    base = cgetrade.Elasticities.gtap_default()
    el = base.override(sigma_d={s: base.value("sigma_d", s) * m_d for s in ["S01", "S02", "S03", "S04"]},
                       sigma_m={s: base.value("sigma_m", s) * m_m for s in ["S01", "S02", "S03", "S04"]})
    model = cgetrade.CGEModel(cgetrade.calibrate(small_dataset, el))
    model.solve()
    TFP.solve(model)
    np.testing.assert_allclose(ssa.ev.isel(draw=k), collect(model).ev, rtol=1e-7)
    # the elasticities matter: import volumes differ across draws
    assert float(ssa.imports_pct.std("draw").max()) > 1e-3
    s = summarise(ssa)
    assert list(s.statistic.values) == ["mean", "std", "p05", "p95"]
    mean = s.ev_pct_income.sel(statistic="mean")
    assert bool((s.ev_pct_income.sel(statistic="p05") <= mean).all())
    assert bool((mean <= s.ev_pct_income.sel(statistic="p95")).all())
    np.testing.assert_allclose(mean, ssa.ev_pct_income.mean("draw"))
    assert s.ev_pct_income.attrs["units"] == "%"


def test_sweep_with_a_failing_draw_completes_and_reports_it(small_dataset):
    """Moving 3 x 40 % of labour's tasks to capital is impossible: that case fails, is kept."""
    automation = Scenario("aut", [Shock("automation", 0.4, region="R01")])
    sw = run_sweep(small_dataset, automation, [0.0, 0.5, 1.0, 3.0])
    assert list(sw.draw_status.values) == ["ok", "ok", "ok", "failed"]
    assert "SolveError" in str(sw.draw_error.values[3]) and sw.draw_error.values[0] == ""
    assert bool(sw.ev.isel(draw=3).isnull().all())
    np.testing.assert_allclose(sw.ev.isel(draw=0), 0, atol=1e-6)      # scale 0: the baseline
    assert float(sw.ev.sel(region="R01").isel(draw=2)) < float(sw.ev.sel(region="R01").isel(draw=1)) < 0
    assert list(sw.shock_scale.values) == [0.0, 0.5, 1.0, 3.0]


def test_dask_schedulers_give_the_serial_results(small_dataset):
    dists = [Distribution("sigma_d"), Distribution("sigma_m")]
    kw = dict(method="montecarlo", draws=4, seed=1)
    serial = run_ssa(small_dataset, TFP, dists, **kw)
    threads = run_ssa(small_dataset, TFP, dists, workers=2, scheduler="threads", **kw)
    np.testing.assert_allclose(threads.ev, serial.ev, rtol=1e-8)
    assert threads.attrs["scheduler"] == "dask threads"


def test_local_dask_cluster_with_two_worker_processes(small_dataset):
    """Two worker processes (LocalCluster): each builds its own models; same numbers."""
    kw = dict(method="montecarlo", draws=4, seed=2)
    dists = [Distribution("sigma_d")]
    cluster = run_ssa(small_dataset, TFP, dists, workers=2, **kw)
    assert cluster.attrs["scheduler"] == "dask LocalCluster" and cluster.attrs["workers"] == 2
    np.testing.assert_allclose(cluster.ev, run_ssa(small_dataset, TFP, dists, **kw).ev, rtol=1e-8)


def test_ssa_and_sweep_commands(small_files, tmp_path, capsys):
    out = tmp_path / "ssa.nc"
    assert main(["ssa", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--vary", "sigma_d=0.5", "--vary", "sigma_m=0.4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "4 of 4 draws solved" in text and "mean [90 % interval]" in text
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert ds.sizes["draw"] == 4 and ds.attrs["method"] == "quadrature"
    assert all(ds[v].attrs.get("long_name") and "units" in ds[v].attrs for v in ds.data_vars)
    ds.close()
    s = xr.open_dataset(tmp_path / "ssa_summary.nc", engine="h5netcdf")
    assert list(s.statistic.values) == ["mean", "std", "p05", "p95"] and s.attrs["draws_solved"] == 4
    assert all(s[v].attrs.get("long_name") and "units" in s[v].attrs for v in s.data_vars)
    s.close()
    assert main(["sweep", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--scale", "0.5", "1", "--out", str(tmp_path / "sw.nc")]) == 0
    assert "2 of 2 cases solved" in capsys.readouterr().out
    assert main(["ssa", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--vary", "sigma_q=0.5"]) == 1
    assert "unknown elasticity 'sigma_q'" in capsys.readouterr().err


def test_ssa_by_sector_varies_each_sector_independently(small_dataset):
    ssa = run_ssa(small_dataset, TFP, [Distribution("sigma_d", spread=0.3)], by_sector=True)
    assert list(ssa.parameter.values) == ["sigma_d[S01]", "sigma_d[S02]", "sigma_d[S03]", "sigma_d[S04]"]
    assert ssa.sizes["draw"] == 8 and (ssa.draw_status == "ok").all()
    # each draw moves two sectors' elasticities (Stroud points of 4 variables)
    moved = (abs(ssa.multiplier - 1) > 1e-12).sum("parameter")
    assert set(moved.values.tolist()) <= {2, 4}


def test_sobol_indices_of_an_additive_function():
    """Y = 2 z1 + z2 with z uniform: first-order and total indices 0.8 and 0.2."""
    from cgetrade.sweeps import sobol_indices
    dists = [Distribution("sigma_d", "uniform", 0.5), Distribution("sigma_m", "uniform", 0.25)]
    mult, w = design(dists, "sobol", draws=1024, seed=4)
    assert mult.shape == (1024 * 4, 2) and mult.min() >= 0.5 and mult.max() <= 1.5
    z = (mult - 1) / np.array([0.5, 0.25])
    y = 2 * z[:, 0] + z[:, 1]
    fake = xr.Dataset({"ev_pct_income": (("draw", "region"), np.column_stack([y, -y])),
                       "draw_status": ("draw", np.array(["ok"] * len(y), dtype=object))},
                      coords={"region": ["A", "B"], "parameter": ["sigma_d", "sigma_m"]},
                      attrs={"method": "sobol"})
    s = sobol_indices(fake, ["ev_pct_income"])
    np.testing.assert_allclose(s.ev_pct_income_sobol_first.sel(region="A"), [0.8, 0.2], atol=0.03)
    np.testing.assert_allclose(s.ev_pct_income_sobol_total.sel(region="B"), [0.8, 0.2], atol=0.03)
    with pytest.raises(SweepError, match="power of two"):
        design(dists, "sobol", draws=100)


def test_sobol_analysis_of_the_model(small_files, tmp_path, capsys):
    out = tmp_path / "sobol.nc"
    assert main(["ssa", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--method", "sobol", "--draws", "4", "--out", str(out), "-q"]) == 0
    s = xr.open_dataset(tmp_path / "sobol_summary.nc", engine="h5netcdf")
    first = s.ev_pct_income_sobol_first.sel(region="R01")
    assert first.attrs["units"] == "1" and "Sobol" in first.attrs["long_name"]
    assert np.isfinite(first.values).all() and list(s.parameter.values) == ["sigma_d", "sigma_m"]
    s.close()


def test_sweeps_and_ssa_solve_the_scenarios_own_model():
    """A scenario's [model] table (three skills) and [closure] reach every draw: a shock on a
    skill type exists only in that model, and the draw equals ``run``'s solve."""
    from cgetrade.data.synthetic import synthetic_dataset
    ds = synthetic_dataset(3, 4, seed=1, skills=True)
    scen = Scenario("skill_tfp", [Shock("factor_productivity", 0.10, region="R01", sector=["S01"], factor="labour_medium")],
                    model={"skills": True}, closure={"preset": "long_run"})
    sweep = run_sweep(ds, scen, [1.0])
    assert list(sweep.draw_status.values) == ["ok"], sweep.draw_error.values
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, skills=True), scen.make_closure())
    model.solve()
    scen.apply(model)
    model.solve()
    np.testing.assert_allclose(sweep.ev.isel(draw=0), collect(model).ev, rtol=1e-7)
    ssa = run_ssa(ds, scen, [Distribution("sigma_m")])
    assert list(ssa.draw_status.values) == ["ok", "ok"]


def test_elasticities_are_parameters_of_the_compiled_model(small_dataset):
    """set_elasticities moves the parameters of the compiled functions: the solution equals a
    fresh build with those elasticities (1e-8) and nothing is recompiled."""
    from cgetrade.solve.bridge import CompiledNLP
    sectors = ["S01", "S02", "S03", "S04"]
    base = cgetrade.Elasticities.gtap_default().override(sigma_va=0.8, final_demand=0.5)   # CES forms
    model = cgetrade.CGEModel(cgetrade.calibrate(small_dataset, base))
    model.solve()
    x0 = model.nlp.x_from_model()
    TFP.solve(model)
    before = model.nlp.x_from_model()
    compiles = CompiledNLP.compiles
    new = {"sigma_d": {s: 1.7 * base.value("sigma_d", s) for s in sectors},
           "sigma_m": {"S02": 9.0}, "sigma_va": {s: 0.6 for s in sectors}, "sigma_fd": 0.4}
    model.reset()
    assert model.set_elasticities(**new) is False
    model.nlp.to_model(x0)
    assert model.max_residual() < 1e-12                 # the benchmark holds for any elasticities
    TFP.solve(model)
    assert CompiledNLP.compiles == compiles               # no recompile
    fresh = cgetrade.CGEModel(cgetrade.calibrate(small_dataset, base.override(
        sigma_d=new["sigma_d"], sigma_m=new["sigma_m"], sigma_va=new["sigma_va"],
        final_demand=new["sigma_fd"])))
    fresh.solve()
    TFP.solve(fresh)
    x = model.nlp.x_from_model()
    np.testing.assert_allclose(x, fresh.nlp.x_from_model(), rtol=0, atol=1e-8)
    assert np.abs(x - before).max() > 1e-3               # and the elasticities matter
    np.testing.assert_array_equal(model.params["sigma_m"], fresh.params["sigma_m"])
    # a change of functional form (Cobb-Douglas to CES) rebuilds the model
    compiles = CompiledNLP.compiles
    assert model.set_elasticities(sigma_fd={"household": 1.0}) is True
    model.solve()
    assert CompiledNLP.compiles == compiles + 1
    with pytest.raises(cgetrade.errors.OptionsError, match="sigma_d"):
        model.set_elasticities(sigma_d={"S01": -1.0})
    with pytest.raises(cgetrade.errors.OptionsError, match="unknown"):
        model.set_elasticities(sigma_q=1.0)


def test_ssa_compiles_one_model_for_all_draws(small_dataset):
    from cgetrade.solve.bridge import CompiledNLP
    from cgetrade.sweeps import _cache
    _cache().clear()
    compiles = CompiledNLP.compiles
    ssa = run_ssa(small_dataset, TFP, [Distribution("sigma_d"), Distribution("sigma_m")],
                  method="montecarlo", draws=6, seed=3)
    assert list(ssa.draw_status.values) == ["ok"] * 6
    assert CompiledNLP.compiles == compiles + 1
