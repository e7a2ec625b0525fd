"""The documentation site, built in strict mode and opened in a real headless browser: the
home page and a tutorial render with their titles and figures (screenshots are kept in the
test's temporary folder)."""
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _browser():
    return next((shutil.which(b) for b in ("chromium-headless-shell", "chromium", "chromium-browser")
                 if shutil.which(b)), None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                        str(ROOT / "mkdocs.yml"), "-d", str(out)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("page, title, figure", [
    ("index.html", "cgetrade", None),
    ("tutorials/inflation_targeting/index.html", "Inflation targeting for central-bank analysts",
     "../frontier.png"),
])
def test_site_pages_render_in_a_browser(site, tmp_path, page, title, figure):
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install chromium-headless-shell)")
    url = (site / page).resolve().as_uri()
    args = [browser, "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2400"]
    dom = subprocess.run(args + ["--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    assert f"<title>{title}" in dom, dom[:500]
    assert "<h1" in dom
    if figure:
        assert f'src="{figure}"' in dom and (site / page).parent.joinpath(figure).resolve().exists()
    shot = tmp_path / (page.replace("/", "_") + ".png")
    subprocess.run(args + [f"--screenshot={shot}", url], capture_output=True, timeout=120)
    img = matplotlib.image.imread(shot)[..., :3]
    assert img.shape[0] > 1000 and float(np.std(img)) > 0.05          # a rendered page, not blank
