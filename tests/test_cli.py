import subprocess
import sys

import xarray as xr

from cgetrade.cli import main


def test_check_passes_on_default_dataset(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "all checks passed" in out and "homogeneity" in out and "Walras" in out


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
    assert "CPI %" in capsys.readouterr().out


def test_bad_scenario_label_gives_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[[shock]]\nkind = "tfp"\nregion = "ATLANTIS"\nvalue = 0.1\n')
    assert main(["run", str(bad), "--out", str(tmp_path / "x.nc")]) == 1
    assert "unknown region ['ATLANTIS']" in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()


def test_console_script_is_installed():
    r = subprocess.run([sys.executable, "-m", "cgetrade.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "check" in r.stdout
