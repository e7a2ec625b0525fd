"""Command line: cgetrade data build / describe and cgetrade check --dataset for every format."""
import pytest
import xarray as xr

from cgetrade.cli import main

from .samples import ten_sector_sam, write_gtap, write_icio


def test_check_any_format_sam_with_accounts_file(tmp_path, capsys):
    sam, types = ten_sector_sam()
    sam.to_csv(tmp_path / "ten.csv")
    with open(tmp_path / "ten.accounts.csv", "w") as f:
        f.write("account,type\n" + "".join(f"{a},{t}\n" for t, labs in types.items() for a in labs))
    assert main(["check", "--dataset", str(tmp_path / "ten.csv")]) == 0
    out = capsys.readouterr().out
    assert "exogenous rest of the world 'ROW'" in out and "all checks passed" in out


def test_sam_without_account_types_is_a_clear_error(tmp_path, capsys):
    sam, _ = ten_sector_sam()
    sam.to_csv(tmp_path / "ten.csv")
    assert main(["check", "--dataset", str(tmp_path / "ten.csv")]) == 1
    assert "needs its account types" in capsys.readouterr().err


def test_data_build_with_concordance_then_check_and_describe(tmp_path, capsys):
    pytest.importorskip("harpy")
    write_gtap(tmp_path / "gtap")
    (tmp_path / "regions.toml").write_text('[regions]\nNORTH = ["usa"]\nSOUTH = ["chn", "row"]\n')
    (tmp_path / "sectors.csv").write_text("gtap,sector\nagr,AGR\nmfg,MAN\ntrs,SRV\n")
    assert main(["check", "--dataset", str(tmp_path / "gtap" / "basedata.har")]) == 0
    capsys.readouterr()
    # folding the trade between merged regions into domestic use is refused when they levy
    # tariffs on each other, naming the largest
    assert main(["data", "build", "--source", str(tmp_path / "gtap"), "--regions", str(tmp_path / "regions.toml"),
                 "--no-intra-regional-trade", "--out", str(tmp_path / "x.nc")]) == 1
    assert "between regions merged into one aggregate region" in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()
    # by default (GTAP data) it is kept as SOUTH's trade with itself, with its tariffs
    merged = tmp_path / "merged.nc"
    assert main(["data", "build", "--source", str(tmp_path / "gtap"), "--regions", str(tmp_path / "regions.toml"),
                 "--out", str(merged)]) == 0
    south = xr.open_dataset(merged, engine="h5netcdf")
    assert float(south.import_tariff.sel(source="SOUTH", region="SOUTH").sum()) > 0
    assert float(south.intra_regional_intermediate.sel(region="SOUTH").sum()) > 0
    south.close()
    assert main(["check", "--dataset", str(merged)]) == 0
    capsys.readouterr()
    out = tmp_path / "my.nc"
    assert main(["data", "build", "--source", str(tmp_path / "gtap"), "--sectors", str(tmp_path / "sectors.csv"),
                 "--out", str(out)]) == 0
    assert out.exists() and (tmp_path / "my.elasticities.toml").exists()
    assert main(["check", "--dataset", str(out)]) == 0
    assert "all checks passed" in capsys.readouterr().out
    assert main(["data", "describe", str(out), "--csv", str(tmp_path / "desc")]) == 0
    text = capsys.readouterr().out
    assert "labour_share" in text and "max_relative_residual" in text
    assert (tmp_path / "desc_trade.csv").exists()


def test_icio_needs_a_labour_share_and_then_builds(tmp_path, capsys):
    from cgetrade.data import synthetic_dataset
    write_icio(tmp_path / "icio.csv", synthetic_dataset(3, 3, seed=4))
    assert main(["data", "describe", str(tmp_path / "icio.csv")]) == 1
    assert "give labour_share" in capsys.readouterr().err
    (tmp_path / "r.csv").write_text("country,region\nR01,A\nR02,B\nR03,B\n")
    assert main(["data", "build", "--source", str(tmp_path / "icio.csv"), "--labour-share", "0.6",
                 "--regions", str(tmp_path / "r.csv"), "--out", str(tmp_path / "i.nc")]) == 0
    assert main(["check", "--dataset", str(tmp_path / "i.nc")]) == 0


def test_run_a_scenario_on_a_gtap_data_base(tmp_path, capsys):
    pytest.importorskip("harpy")
    import xarray as xr
    write_gtap(tmp_path / "gtap")
    (tmp_path / "ft.toml").write_text('name = "free_trade"\n[[shock]]\nkind = "tariff"\nvalue = 0.0\nmode = "set"\n')
    assert main(["run", str(tmp_path / "ft.toml"), "--dataset", str(tmp_path / "gtap"),
                 "--out", str(tmp_path / "ft.nc")]) == 0
    res = xr.open_dataset(tmp_path / "ft.nc", engine="h5netcdf")
    assert res.attrs["max_residual"] <= 1e-8 and abs(float(res["ev_integration_error"].max())) < 1e-4
    assert float(abs(res["bilateral_trade_pct"]).max()) > 1.0
    res.close()
