import subprocess
import sys

import xarray as xr

from cgetrade.cli import main


def test_check_passes_on_default_dataset(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "all checks passed" in out and "homogeneity" in out and "Walras" in out
    assert "monetary neutrality" in out and "strict CPI targeting" in out


def test_run_writes_labelled_results(tmp_path, capsys):
    out = tmp_path / "res.nc"
    assert main(["run", "--out", str(out)]) == 0
    ds = xr.open_dataset(out, engine="h5netcdf")
    for v in ("producer_price", "import_price", "bilateral_trade", "employment", "factor_price",
              "cpi", "real_gdp", "producer_price_pct", "bilateral_trade_pct", "employment_change"):
        assert v in ds, v
    assert set(ds["bilateral_trade"].dims) == {"case", "commodity", "source", "region"}
    assert ds.attrs["solver_iterations"] > 0 and ds.attrs["max_residual"] <= 1e-8
    assert ds.attrs["baseline_iterations"] == 0
    # employment is in persons and China's manufacturing employment changes
    assert float(abs(ds["employment_change"].sel(region="CHN")).sum()) > 0
    ds.close()
    text = capsys.readouterr().out           # the CPI is shown with its deflator, as the RER
    assert "RER %" in text and "prices: relative to the world export price index" in text


def test_bad_scenario_label_gives_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[[shock]]\nkind = "tfp"\nregion = "ATLANTIS"\nvalue = 0.1\n')
    assert main(["run", str(bad), "--out", str(tmp_path / "x.nc")]) == 1
    assert "unknown region ['ATLANTIS']" in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()


def test_console_script_is_installed():
    r = subprocess.run([sys.executable, "-m", "cgetrade.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "check" in r.stdout


def test_policy_command_writes_tables_and_plot(tmp_path, capsys):
    import shutil
    from pathlib import Path
    exp = Path(__file__).resolve().parent.parent / "experiments"
    for f in ("china_ai.toml",):
        shutil.copy(exp / f, tmp_path / f)
    spec = tmp_path / "pol.toml"
    spec.write_text('name = "pol"\nscenarios = ["china_ai.toml"]\nvariant = "high"\n'
                    'regions = ["EU", "JPN"]\nfrontier_lambdas = [0.0, 1.0]\n'
                    '[regimes]\nstrict_cpi = "cpi"\npeg_usd = ["peg", "USA"]\n')
    assert main(["policy", str(spec), "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    t = xr.open_dataset(out / "pol_china_ai_high_regimes.nc", engine="h5netcdf")
    assert set(t.regime.values) == {"strict_cpi", "peg_usd"}
    assert abs(float(t.cpi_pct.sel(regime="strict_cpi").max())) < 1e-6
    parts = t.cpi_import_pct + t.cpi_imported_intermediates_pct + t.cpi_domestic_value_added_pct
    assert float(abs(parts - t.cpi_pct).max()) < 1e-9
    assert t.cpi_imported_intermediates_pct.attrs["units"] == "%"
    t.close()
    assert (out / "pol_china_ai_high_frontier.png").stat().st_size > 1000
    text = capsys.readouterr().out
    assert "strict_cpi" in text and "imp. inputs" in text


def test_help_is_fast_complete_and_plain(tmp_path):
    """--help lists every command, has no reStructuredText markup and loads no solver."""
    code = ("import sys\nfrom cgetrade.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
            "    pass\nprint('LOADED', sorted(m for m in ('pyomo', 'casadi', 'cyipopt', 'dask', 'matplotlib')"
            " if m in sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "LOADED []" in r.stdout
    for command in ("list", "check", "run", "report", "policy", "sweep", "ssa"):
        assert f"    {command} " in r.stdout, command
    assert "``" not in r.stdout and ":func:" not in r.stdout


def test_list_and_version(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "china_ai" in out and "low, central, high (central)" in out and "policy:" in out
    import pytest
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("cgetrade 0.")


def test_misspelt_shipped_scenario_gets_a_suggestion(capsys):
    assert main(["run", "chna_ai", "--quiet"]) == 1
    assert "did you mean china_ai?" in capsys.readouterr().err
    assert main(["run", "zzzz", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "shipped scenarios: " in err and "china_ai," in err


def test_run_prints_progress_and_json(small_files, tmp_path, capsys):
    import json
    out = tmp_path / "r.nc"
    assert main(["run", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--out", str(out)]) == 0
    cap = capsys.readouterr()
    for step in ("calibrating", "building the model", "compiling", "solving the baseline",
                 "solving the scenario"):
        assert step in cap.err, step
    assert "decomposition, arbitrary units" in cap.out       # the file's unit on screen
    assert main(["run", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--out", str(out), "--json"]) == 0
    cap = capsys.readouterr()
    data = json.loads(cap.out)
    assert cap.err == "" and data["scenario"] == "tfp_r01" and data["money_unit"] == "arbitrary units"
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert abs(data["regions"]["R01"]["ev"] - float(ds.ev.sel(case="scenario", region="R01"))) < 1e-9
    ds.close()


def test_progress_lines_count_and_estimate_the_time_left(capsys):
    import re

    from cgetrade.progress import Progress
    bar = Progress()
    bar.start_count()
    bar.count(1, 4, "done")
    bar.count(4, 4, "done")
    Progress(quiet=True).step("hidden")
    err = capsys.readouterr().err.splitlines()
    assert re.match(r"^\[ +\d+\.\d s\] 1 of 4 done \(about \d+ s left\)$", err[0]), err
    assert err[1].endswith("4 of 4 done") and len(err) == 2
