"""HTML reports built from results files of real runs (static, per-year paths, comparison)."""
import base64
import io
import re
from html.parser import HTMLParser

import matplotlib.image
import xarray as xr

from cgetrade.cli import main
from cgetrade.report import build_html, write_report
from cgetrade.results import collect, compare, provenance, save
from cgetrade.scenario import Scenario, Shock

VOID = {"meta", "img", "br", "hr", "input", "link"}


class _Checker(HTMLParser):
    """Well-formedness: every non-void element closed in order."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _validate(page: str) -> list:
    """Checks the HTML structure and decodes every embedded image; returns the images."""
    assert page.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(page)
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)
    assert "src=\"http" not in page and "<script" not in page          # self-contained
    images = []
    for b64 in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page):
        raw = base64.b64decode(b64, validate=True)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        img = matplotlib.image.imread(io.BytesIO(raw), format="png")
        assert img.shape[0] > 100 and img.shape[1] > 100 and img.std() > 0.01   # not blank
        images.append(img)
    return images


def test_report_of_a_static_run(small_run, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(small_run), "--out", str(out)]) == 0
    page = out.read_text()
    images = _validate(page)
    assert len(images) >= 5                   # prices (2), trade by partner, jobs, EV decomposition
    for section in ("Headline results by region", "Prices", "Trade by partner", "Jobs by sector",
                    "EV decomposition"):
        assert section in page, section
    ds = xr.open_dataset(small_run, engine="h5netcdf")
    for r in ds.region.values:
        assert f"<th>{r}</th>" in page
    ev = float(ds.ev.sel(case="scenario", region="R01"))
    ds.close()
    assert f"{ev:,.1f}" in page               # the headline EV, in the file's unit
    assert "tfp_r01" in page and "Paths per year" not in page


def test_report_of_a_run_with_years(fresh_small, tmp_path):
    """A results file with a year dimension (a shock phased in over four years) gets paths."""
    model = fresh_small
    base_sol = model.solve()
    base = collect(model)
    scen = Scenario("phase_in", [Shock("tfp", 0.10, region="R01")])
    start, final = scen.endpoints(model)
    years = []
    for k in range(1, 5):
        scen.move(model, start, final, k / 4)
        sol = model.solve()
        years.append(compare(base, collect(model)))
    res = xr.concat(years, dim=xr.DataArray([2025, 2026, 2027, 2028], dims="year", name="year"),
                    combine_attrs="override")
    res.attrs.update(provenance(model, scen, sol, base_sol))
    path = tmp_path / "paths.nc"
    save(res, path)
    page = build_html(path)
    images = _validate(page)
    assert "Paths per year" in page
    assert page.count("Paths per year") == 1 and len(images) >= 8
    assert "real_gdp_pct" in page or "real GDP" in page
    assert "Headline results by region, 2028" in page
    # a path with deviations from a baseline path (the dynamics layer's layout): those lead,
    # and EV against the base-year benchmark leaves the headline
    res["real_gdp_dev_pct"] = res["real_gdp_pct"]
    save(res, path)
    page = build_html(path)
    _validate(page)
    paths = page.split("Paths per year")[1]
    assert 'alt="real_gdp_dev_pct"' in paths and 'alt="ev"' not in paths
    assert "<th>EV<br>" not in page


def test_report_compares_runs(small_files, small_run, tmp_path):
    low = tmp_path / "low.nc"
    assert main(["run", str(small_files / "tfp.toml"), "--dataset", str(small_files / "small.nc"),
                 "--variant", "low", "--out", str(low), "--quiet"]) == 0
    out = write_report([small_run, low], tmp_path / "cmp.html")
    page = out.read_text()
    _validate(page)
    assert "Comparison of runs" in page and "tfp_r01 (low)" in page and "tfp_r01 (central)" in page


def test_report_of_a_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.nc")]) == 1
    assert "results file not found" in capsys.readouterr().err


def test_report_of_a_sensitivity_analysis_and_a_sweep(small_dataset, tmp_path):
    from cgetrade.sweeps import Distribution, run_ssa, run_sweep
    scen = Scenario("tfp", [Shock("tfp", 0.10, region="R01")])
    ssa = run_ssa(small_dataset, scen, [Distribution("sigma_d"), Distribution("sigma_m")])
    save(ssa, tmp_path / "ssa.nc")
    page = build_html(tmp_path / "ssa.nc")
    assert len(_validate(page)) == 2 and "4 of 4 draws solved" in page and "mean [90 % interval]" in page
    sweep = run_sweep(small_dataset, Scenario("aut", [Shock("automation", 0.4, region="R01")]), [0.5, 3.0])
    save(sweep, tmp_path / "sweep.nc")
    page = build_html(tmp_path / "sweep.nc")
    assert len(_validate(page)) == 3 and "Failed draws" in page and "draw 1: SolveError" in page


def test_report_shows_jobs_by_skill_when_the_file_has_skills(small_run, tmp_path):
    """A results file with a skill dimension (here: employment split by fixed shares) gets a
    jobs-by-skill chart."""
    ds = xr.open_dataset(small_run, engine="h5netcdf").load()
    shares = xr.DataArray([0.3, 0.5, 0.2], dims="skill", coords={"skill": ["high", "medium", "low"]})
    ds["employment_skill_change"] = ds.employment_change * shares
    ds["employment_skill_change"].attrs = {"long_name": "change of employment by skill", "units": "thousand persons"}
    save(ds, tmp_path / "skills.nc")
    page = build_html(tmp_path / "skills.nc")
    _validate(page)
    assert "change of employment by skill (thousand persons)" in page


def _browser():
    import shutil
    return next((shutil.which(b) for b in ("chromium-headless-shell", "chromium", "chromium-browser",
                                            "google-chrome") if shutil.which(b)), None)


def test_report_renders_in_a_browser_engine(small_run, tmp_path):
    """Headless Chromium (Debian package chromium-headless-shell) renders the page and its
    embedded plots: blue pixels come only from the figures (text is black or red)."""
    import subprocess

    import numpy as np
    import pytest
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install chromium-headless-shell)")
    page = write_report(small_run, tmp_path / "r.html")
    shot = tmp_path / "shot.png"
    r = subprocess.run([browser, "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1200,3000", f"--screenshot={shot}", page.resolve().as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert shot.exists(), r.stderr
    img = matplotlib.image.imread(shot)[..., :3]
    blue = (img[..., 2] - img[..., 0] > 0.25).mean()
    assert blue > 0.01, blue
    # the same page without its images renders without any blue
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'<img [^>]*>', "", page.read_text()))
    subprocess.run([browser, "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,3000",
                    f"--screenshot={tmp_path / 'bare.png'}", bare.resolve().as_uri()],
                   capture_output=True, timeout=120)
    img = matplotlib.image.imread(tmp_path / "bare.png")[..., :3]
    assert (img[..., 2] - img[..., 0] > 0.25).mean() < 1e-4


def test_one_region_dwarfing_the_rest_gets_panels_on_own_scales():
    import xarray as xr

    from cgetrade.report import _dominated
    big = xr.DataArray([[100.0, 1.0], [2.0, 1.5]], dims=("region", "factor"),
                       coords={"region": ["CHN", "USA"], "factor": ["a", "b"]})
    even = big.copy(data=[[3.0, 1.0], [2.0, 1.5]])
    assert _dominated(big, "region") and not _dominated(even, "region")
