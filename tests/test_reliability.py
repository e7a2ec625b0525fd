"""Outputs are written whole or not at all; Ctrl-C ends a command cleanly; a light start."""
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from cgetrade import cli
from cgetrade.results import save


def _results(value):
    return xr.Dataset({"ev": ("region", np.array([value, 2.0]), {"units": "USD m"})},
                      coords={"region": ["A", "B"]})


def test_a_failed_write_keeps_the_earlier_file(tmp_path, monkeypatch):
    out = tmp_path / "res.nc"
    save(_results(1.0), out)
    before = out.read_bytes()

    def broken(self, path, *args, **kwargs):          # writes half a file, then fails
        with open(path, "wb") as f:
            f.write(b"\x89HDF\r\n partial")
        raise OSError("disk full")
    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        save(_results(5.0), out)
    monkeypatch.undo()
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res.nc"]      # no temporary left
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert float(ds.ev.sel(region="A")) == 1.0


def test_an_interrupted_write_keeps_the_earlier_file(tmp_path, monkeypatch):
    out = tmp_path / "res.nc"
    save(_results(1.0), out)
    before = out.read_bytes()

    def interrupted(self, path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"partial")
        raise KeyboardInterrupt
    monkeypatch.setattr(xr.Dataset, "to_netcdf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save(_results(5.0), out)
    assert out.read_bytes() == before and len(list(tmp_path.iterdir())) == 1


def test_ctrl_c_ends_a_command_with_one_line_and_code_130(monkeypatch, capsys):
    def stop(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "cmd_check", stop)
    assert cli.main(["check"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "interrupted"


def test_light_start():
    """import cgetrade and --version load neither the solver stack nor dask, scipy, matplotlib."""
    heavy = ("dask", "scipy", "matplotlib", "pyomo", "casadi", "cyipopt")
    code = ("import sys, cgetrade; from cgetrade import cli; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    ver = subprocess.run([sys.executable, "-m", "cgetrade.cli", "--version"], capture_output=True, text=True)
    assert ver.returncode == 0 and ver.stdout.startswith("cgetrade ")


def test_a_newton_solve_loads_neither_cyipopt_nor_scipy_stats():
    """Pyomo's deferred scipy import would load scipy.stats (0.6 s) and cyipopt loads it as
    well: a model built and solved by Newton needs neither; Ipopt still imports on use."""
    code = ("import sys, cgetrade; from cgetrade.data.synthetic import synthetic_dataset; "
            "m = cgetrade.CGEModel(cgetrade.calibrate(synthetic_dataset(2, 3, seed=0))); "
            "s = m.solve(); assert s.max_residual < 1e-8; "
            "print(sorted(k for k in ('cyipopt', 'scipy.stats', 'scipy.sparse') if k in sys.modules)); "
            "from cgetrade.solve import run_ipopt; import scipy.stats; print(scipy.stats.norm.cdf(0.0))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['scipy.sparse']", "0.5"]
    first = ("import sys; from cgetrade.solve import newton; import pyomo.environ; "
             "print('scipy.stats' in sys.modules)")          # the solvers imported before Pyomo
    out = subprocess.run([sys.executable, "-c", first], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_a_process_killed_during_its_write_leaves_the_earlier_file_intact(tmp_path):
    """SIGKILL in the middle of writing results: no handler runs, yet the earlier file is
    whole (the new one was being written under a temporary name)."""
    import signal
    import time
    out = tmp_path / "res.nc"
    save(_results(1.0), out)
    before = out.read_bytes()
    code = f"""
import time, numpy as np, xarray as xr
from cgetrade.results import save
real = xr.Dataset.to_netcdf
def slow(self, path, *a, **k):
    real(self, path, *a, **k)          # the new file is complete under its temporary name ...
    open({str(tmp_path / 'writing')!r}, 'w').close()
    time.sleep(60)                     # ... when the process is killed, before the rename
xr.Dataset.to_netcdf = slow
save(xr.Dataset({{"ev": ("region", np.array([5.0, 2.0]), {{"units": "USD m"}})}},
                coords={{"region": ["A", "B"]}}), {str(out)!r})
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        for _ in range(600):
            if (tmp_path / "writing").exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert (tmp_path / "writing").exists(), "the writer never reached its write"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert out.read_bytes() == before
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert float(ds.ev.sel(region="A")) == 1.0


def test_datasets_without_dask_but_dask_arrays_still_recognised():
    """Creating datasets does not import dask.array (nor scipy); dask arrays still work."""
    code = ("import sys, cgetrade; from cgetrade.data.synthetic import synthetic_sam; "
            "from cgetrade.data import from_sam; s, a = synthetic_sam(4); "
            "ds = from_sam(s, a, region='SAM', rest_of_world='EXT'); cgetrade.calibrate(ds); "
            "print(sorted({'dask.array', 'scipy'} & set(sys.modules))); "
            "import dask.array as da, xarray as xr; v = xr.DataArray(da.ones((2, 3)), dims=('a', 'b')); "
            "print(type(v.data).__module__, v.chunks, float(v.sum()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "dask.array.core ((2,), (3,)) 6.0"]
