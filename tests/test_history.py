"""The historical simulation 2011 -> 2024 and the shipped 2024 base (cgetrade.history)."""
from pathlib import Path

import numpy as np
import pytest

from cgetrade.data import load
from cgetrade.dynamics.projections import Projections
from cgetrade.history import FACTS, HistoryError, read_rows, read_targets, reproduce, stored

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "calibration" / "history2024" / "targets.csv"
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]


@pytest.fixture(scope="module")
def base2024():
    return load("base2024")


def _write(tmp_path, rows):
    p = tmp_path / "targets.csv"
    p.write_text("target,region,value,unit,source\n" + "\n".join(rows) + "\n")
    return p


def test_unknown_region_in_targets_is_refused_before_any_model(tmp_path):
    p = _write(tmp_path, ['real_gdp_growth,CHINA,117.5,% 2011-2024,"IMF WEO October 2024"'])
    with pytest.raises(HistoryError, match=r"line 2 .*unknown region 'CHINA'.*CHN"):
        read_targets(p, REGIONS)


@pytest.mark.parametrize("row, message", [
    ('gdp_growth,CHN,117.5,% 2011-2024,"IMF"', "unknown target 'gdp_growth'.*real_gdp_growth"),
    ('real_gdp_growth,CHN,lots,% 2011-2024,"IMF"', "value must be a number"),
    ('real_gdp_growth,CHN,117.5,%,"IMF"', "unit must be '% 2011-2024'"),
    ('real_gdp_growth,CHN,117.5,% 2011-2024,', "needs its source"),
    ('world_nominal_gdp,CHN,110000,USD bn,"IMF"', "stated for region 'world'"),
])
def test_bad_target_rows(tmp_path, row, message):
    with pytest.raises(HistoryError, match=message):
        read_targets(_write(tmp_path, [row]), REGIONS)


def test_balance_targets_need_a_counterpart_region(tmp_path):
    rows = [f'goods_balance,{r},0,% of GDP,"x"' for r in REGIONS]
    with pytest.raises(HistoryError, match="counterpart"):
        read_targets(_write(tmp_path, rows), REGIONS)


def test_growth_targets_are_the_products_of_the_annual_rates_in_the_dynamics_data():
    """The targets file and dynamics.toml state the same IMF WEO and UN WPP numbers."""
    fitted, imposed = read_targets(TARGETS, REGIONS)
    p = Projections.from_toml()
    gdp = p.index("gdp_growth", REGIONS, [2011, 2024])[1]
    lab = p.index("labour_growth", REGIONS, [2011, 2024])[1]
    for rows, index, kind in ((fitted, gdp, "real_gdp_growth"), (imposed, lab, "labour_force_growth")):
        values = {r.region: r.value for r in rows if r.target == kind}
        assert set(values) == set(REGIONS)
        for k, r in enumerate(REGIONS):
            assert values[r] == pytest.approx(100 * (index[k] - 1), abs=0.051)


def test_facts_file_is_valid():
    rows = read_rows(ROOT / "calibration" / "history2024" / "facts.csv", REGIONS, FACTS)
    assert {r.target for r in rows} == set(FACTS)


def test_stored_shifters_reproduce_the_stored_base(base2024, default_dataset):
    fresh, hist = reproduce(base2024, default_dataset)
    for k in ("intermediate", "final_demand", "factor_payments", "production_tax", "gross_output",
              "employment", "import_tariff"):
        a, b = fresh[k].values, base2024[k].values
        assert np.max(np.abs(a - b)) <= 1e-6 * np.max(np.abs(b)), k
    # the fit: every growth target within 1.5 log points, balances within 0.2 pp
    u = stored(base2024)[2]
    for t in hist.table(u):
        if t["target"] in ("real_gdp_growth", "goods_balance", "real_exchange_rate_change"):
            assert abs(t["residual"]) < 1.5, t


def test_check_passes_on_base2024(capsys):
    """cgetrade check --dataset base2024: replication, homogeneity, Walras' law, monetary neutrality."""
    from cgetrade.cli import main
    assert main(["check", "--dataset", "base2024"]) == 0
    out = capsys.readouterr().out
    assert "2024 base" in out and "all checks passed" in out
    assert "benchmark replication" in out and "homogeneity" in out and "Walras" in out


def test_base2024_is_2024_in_current_usd_with_the_tariffs(base2024):
    assert int(base2024.attrs["year"]) == 2024
    world = float(base2024["factor_payments"].sum() + base2024["production_tax"].sum()
                  + base2024["import_tariff"].sum())
    assert world == pytest.approx(110000e3, rel=1e-9)       # world GDP (income), USD m
    tm = base2024["import_tariff"].sel(source="CHN", region="USA").sum()
    assert float(tm) > 0 and float(base2024["import_tariff"].sel(source="USA", region="CHN").sum()) > 0
    # China's manufacturing share of world value added rose from the 2011 data's 21 %
    va = base2024["factor_payments"].sum("factor").sel(sector=["LMF", "CHM", "MAC", "ELE"]).sum("sector")
    assert 0.27 < float(va.sel(region="CHN") / va.sum()) < 0.33


def test_base2024_loads_by_name_from_the_command_line(capsys):
    from cgetrade.data.formats import read_dataset
    ds, _ = read_dataset("base2024")
    assert ds.attrs["build_script"] == "calibration/build_base2024.py"


def test_unreachable_target_names_the_closest_reachable_value(tmp_path, default_dataset):
    from cgetrade.history import _setup
    p = _write(tmp_path, ['goods_balance,CHN,40,% of GDP,"a surplus no saving shift can produce"'])
    fitted, imposed = read_targets(p, REGIONS)
    hist = _setup(default_dataset, fitted, imposed)
    with pytest.raises(HistoryError, match=r"saving_CHN.*at their bounds.*closest reachable values: "
                                           r"goods_balance CHN \d+\.?\d* \(target 40\)"):
        hist.fit()
