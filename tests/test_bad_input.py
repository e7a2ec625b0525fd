"""Every kind of bad input gets a clear one-line error of a documented type (Python) and a
one-line message with a non-zero exit code and no traceback (command line)."""
import hashlib
import subprocess
import sys

import numpy as np
import pytest

import cgetrade
from cgetrade import Closure, Elasticities
from cgetrade.cli import main
from cgetrade.data import DataValidationError, load, validate
from cgetrade.errors import ClosureError, InputError, OptionsError
from cgetrade.scenario import Scenario, Shock, ShockError
from cgetrade.solve import SolveError


def _cli(capsys, *argv):
    rc = main(list(argv))
    err = capsys.readouterr().err
    assert rc != 0 and "Traceback" not in err
    # progress lines ("[   0.0 s] ...") precede the error; the error itself is one line
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("[")]
    assert len(lines) == 1, err
    return lines[0]


def _scenario(tmp_path, text, name="bad.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


SHOCK = 'name = "bad"\n[[shock]]\nkind = "tfp"\nregion = "CHN"\n'


# --- datasets -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["str", "bool"])
def test_non_numeric_or_boolean_data_variables(small_dataset, dtype):
    ds = small_dataset.copy(deep=True)
    ds["employment"] = ds["employment"].astype(dtype)
    with pytest.raises(DataValidationError, match="'employment' must hold real numbers, got dtype"):
        validate(ds)


def test_empty_dimension(small_dataset):
    with pytest.raises(DataValidationError, match="dimension 'region' is empty|labels"):
        validate(small_dataset.isel(region=[], source=[]))


@pytest.mark.parametrize("content,match", [
    (b"", "is empty"),
    (b"region,sector\nCHN,AGR\n", "not a readable netCDF4/HDF5 file"),
    ("truncated", "not a readable netCDF4/HDF5 file"),
    ("corrupt", "not a readable netCDF4/HDF5 file"),
])
def test_unreadable_dataset_files(tmp_path, capsys, content, match):
    path = tmp_path / "data.nc"
    good = cgetrade.data.io.default_path().read_bytes()
    if content == "truncated":
        content = good[: len(good) // 3]
    elif content == "corrupt":
        content = good[:8] + b"\xff" * 64 + good[72:]      # damaged superblock
    path.write_bytes(content)
    with pytest.raises(DataValidationError, match=match):
        load(path)
    assert match.split()[0] in _cli(capsys, "run", "--dataset", str(path))


def test_directory_given_as_dataset_or_scenario(tmp_path, capsys):
    with pytest.raises(DataValidationError, match="is a directory"):
        load(tmp_path)
    assert "is a directory" in _cli(capsys, "run", "--dataset", str(tmp_path))
    folder = tmp_path / "scen.toml"
    folder.mkdir()
    assert "is a directory" in _cli(capsys, "run", str(folder))


def test_missing_files(tmp_path, capsys):
    assert "not found" in _cli(capsys, "run", "--dataset", str(tmp_path / "nope.nc"))
    assert "not found" in _cli(capsys, "run", str(tmp_path / "nope.toml"))


# --- scenario files -----------------------------------------------------------------------
def test_toml_syntax_error_gives_line_and_column(tmp_path, capsys):
    path = _scenario(tmp_path, 'name = "bad"\n[[shock]\nkind = "tfp"\n')
    with pytest.raises(ShockError, match=r"TOML syntax error in bad.toml: .*line 2, column \d+"):
        Scenario.from_toml(path)
    assert "line 2" in _cli(capsys, "run", str(path))


@pytest.mark.parametrize("text,match", [
    (SHOCK + 'value = "0.1"\n', "tfp shock value must be a number, got '0.1'"),
    (SHOCK + "value = true\n", "tfp shock value must be a number, got True"),
    (SHOCK + 'value = 0.1\nsource = "USA"\n', "source does not apply to a tfp shock"),
    ('name = "bad"\n[[shock]]\nkind = "endowment"\nfactor = "labour"\nsector = "ELE"\nvalue = 0.1\n',
     "sector does not apply to a endowment shock"),
    (SHOCK + "value = 0.1\nregoin = \"USA\"\n", "unknown key 'regoin'.*did you mean 'region'"),
    ('name = "bad"\ndescripton = "x"\n[[shock]]\nkind = "tfp"\nvalue = 0.1\n',
     "unknown key 'descripton'.*did you mean 'description'"),
    ('name = "bad"\n[[shock]]\nkind = "tpf"\nvalue = 0.1\n', "unknown shock kind 'tpf'.*did you mean 'tfp'"),
    ('name = "bad"\n[[shock]]\nkind = "tfp"\nregion = []\nvalue = 0.1\n', "empty region list"),
    ('name = "bad"\n[[shock]]\nkind = "tfp"\nsector = []\nvalue = 0.1\n', "empty sector list"),
])
def test_bad_shocks(tmp_path, capsys, text, match):
    path = _scenario(tmp_path, text)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ShockError, match=match):
        Scenario.from_toml(path)
    _cli(capsys, "run", str(path), "--out", str(tmp_path / "x.nc"))
    assert not (tmp_path / "x.nc").exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest      # input never modified


def test_unknown_variant_on_scenario_without_variants(tmp_path, capsys):
    path = _scenario(tmp_path, SHOCK + "value = 0.1\n")
    with pytest.raises(ShockError, match="has no variants; got variant 'high'"):
        Scenario.from_toml(path, variant="high")
    assert "has no variants" in _cli(capsys, "run", str(path), "--variant", "high")


def test_python_shock_objects_are_checked_too():
    with pytest.raises(ShockError, match="must be a number"):
        Shock("tfp", "0.1")
    with pytest.raises(ShockError, match="destination does not apply to a tariff shock"):
        Shock("tariff", 0.1, destination="USA")
    with pytest.raises(ShockError, match="empty source list"):
        Shock("tariff", 0.1, source=[])


# --- options and closures -----------------------------------------------------------------
def test_unknown_sector_in_elasticity_override(default_dataset):
    el = Elasticities.gtap_default().override(sigma_m={"ELEC": 8.0})
    with pytest.raises(OptionsError, match=r"unknown sector\(s\) \['ELEC'\].*did you mean 'ELE'"):
        cgetrade.calibrate(default_dataset, el)


def test_elasticity_file_errors(tmp_path, small_dataset):
    bad = tmp_path / "el.toml"
    bad.write_text("[default]\nsigma_d = 2.0\nsigma_mm = 4.0\n")
    with pytest.raises(OptionsError, match="unknown key 'sigma_mm'.*did you mean 'sigma_m'"):
        Elasticities.from_toml(bad)
    bad.write_text("[default\nsigma_d = 2.0\n")
    with pytest.raises(OptionsError, match="line 1"):
        Elasticities.from_toml(bad)
    with pytest.raises(OptionsError, match="must be numbers"):
        cgetrade.calibrate(small_dataset, Elasticities.gtap_default().override(sigma_d="2"))


def test_unknown_region_in_closure_mappings(small_model):
    params = small_model.params
    with pytest.raises(ClosureError, match=r"unknown region\(s\) \['R1'\] in the unemployment rates.*did you mean 'R01'"):
        cgetrade.CGEModel(params, Closure(labour="wage_curve", unemployment={"R1": 0.05}))
    with pytest.raises(ClosureError, match="unknown region"):
        cgetrade.CGEModel(params, Closure(labour={"*": "flexible", "MARS": "wage_curve"}))
    with pytest.raises(ClosureError, match="foreign_saving_rule"):
        cgetrade.CGEModel(params, Closure(foreign_saving_rule="global bank"))


def test_policy_file_errors(tmp_path, capsys):
    spec = _scenario(tmp_path, 'name = "p"\nscenarios = ["x.toml"]\nregions = []\n[regimes]\nstrict = "cpi"\n',
                     "pol.toml")
    assert "empty 'regions' list" in _cli(capsys, "policy", str(spec))
    spec.write_text('name = "p"\nscenario = ["x.toml"]\n[regimes]\nstrict = "cpi"\n')
    assert "did you mean 'scenarios'" in _cli(capsys, "policy", str(spec))


def test_solve_budget_is_checked_and_reported(fresh_default):
    with pytest.raises(OptionsError, match="time_limit must be a positive number"):
        fresh_default.solve(time_limit=0)
    with pytest.raises(OptionsError, match="max_iter"):
        fresh_default.solve(max_iter=True)
    Shock_ = Shock("tfp", 0.25, region="CHN")
    Scenario("s", [Shock_]).apply(fresh_default)
    with pytest.raises(SolveError, match="within 1 iterations"):
        fresh_default.solve(max_iter=1)


def test_every_documented_type_is_an_input_or_solve_error():
    assert issubclass(DataValidationError, InputError) and issubclass(ShockError, InputError)
    assert issubclass(ClosureError, ValueError) and issubclass(SolveError, RuntimeError)


def test_cli_prints_one_line_without_traceback_in_a_subprocess(tmp_path):
    path = _scenario(tmp_path, SHOCK + 'value = "x"\n')
    r = subprocess.run([sys.executable, "-m", "cgetrade.cli", "run", str(path)],
                       capture_output=True, text=True)
    errors = [ln for ln in r.stderr.splitlines() if not ln.startswith("[")]     # not progress lines
    assert r.returncode == 1 and len(errors) == 1 and "Traceback" not in r.stderr


# --- inputs that once ended in a traceback or were accepted silently ----------------------
def test_scenario_that_includes_itself(tmp_path, capsys):
    a = _scenario(tmp_path, 'include = ["b.toml"]\n' + SHOCK + "value = 0.1\n", "a.toml")
    _scenario(tmp_path, 'include = ["a.toml"]\n' + SHOCK + "value = 0.1\n", "b.toml")
    with pytest.raises(ShockError, match="includes itself: a.toml -> b.toml -> a.toml"):
        Scenario.from_toml(a)
    assert "includes itself" in _cli(capsys, "run", str(a), "--out", str(tmp_path / "o.nc"))


@pytest.mark.parametrize("content", [bytes(range(256)) * 2, '[[shock]]\nkind = "tfp"\n'.encode("utf-16")])
def test_binary_and_utf16_scenario_files(tmp_path, capsys, content):
    path = tmp_path / "bin.toml"
    path.write_bytes(content)
    assert "not a UTF-8 text" in _cli(capsys, "run", str(path), "--out", str(tmp_path / "o.nc"))


def test_model_options_of_the_wrong_type(tmp_path):
    path = _scenario(tmp_path, SHOCK + 'value = 0.1\n[model]\nskills = "yes"\n')
    with pytest.raises(ShockError, match="skills .* must be true or false"):
        Scenario.from_toml(path).calibration_options()


@pytest.mark.parametrize("kw, match", [({"phi": -1.0}, "phi"), ({"phi": 0.0}, "phi"),
                                       ({"kappa": 1.5}, "kappa")])
def test_wage_setting_parameters_out_of_range(kw, match):
    with pytest.raises(ClosureError, match=match):
        Closure(labour="wage_curve", **kw).check_labels(["USA"])


def test_rest_of_world_attribute_naming_no_label():
    ds = cgetrade.data.load_default()
    ds.attrs["rest_of_world"] = "XXX"
    with pytest.raises(DataValidationError, match="rest_of_world label 'XXX'"):
        validate(ds)


def test_flows_that_overflow():
    ds = cgetrade.data.load_default()
    ds["intermediate"] = ds["intermediate"] * 1e300
    with pytest.raises(DataValidationError, match="overflow"):
        validate(ds)


def test_synthetic_dataset_too_small():
    from cgetrade.data import synthetic_dataset
    with pytest.raises(OptionsError, match="at least 2 regions"):
        synthetic_dataset(1, 5)


@pytest.mark.parametrize("argv", [["path", "china_ai_adoption", "--step", "0"],
                                  ["ssa", "china_ai", "--workers", "0"],
                                  ["sweep", "china_ai", "--workers", "-1"]])
def test_whole_number_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and "whole number >= 1" in capsys.readouterr().err


def test_report_on_a_dataset_or_another_file(tmp_path, capsys):
    from cgetrade.data.io import default_path
    assert "benchmark dataset, not a results file" in _cli(capsys, "report", str(default_path()),
                                                            "--out", str(tmp_path / "r.html"))
    other = _scenario(tmp_path, SHOCK + "value = 0.1\n")
    assert "not a results file" in _cli(capsys, "report", str(other), "--out", str(tmp_path / "r.html"))
    assert not (tmp_path / "r.html").exists()


def test_policy_file_with_an_unknown_region(tmp_path, capsys):
    from importlib import resources
    text = (resources.files("cgetrade.experiments") / "inflation_targeting.toml").read_text()
    path = tmp_path / "pol.toml"
    path.write_text(text.replace('regions = ["USA", "EU", "JPN"]', 'regions = ["USA", "XXX"]')
                    .replace('scenarios = ["', f'scenarios = ["{resources.files("cgetrade.experiments")}/'))
    assert "unknown regions ['XXX']" in _cli(capsys, "policy", str(path))
