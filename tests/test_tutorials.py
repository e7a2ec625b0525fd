"""The tutorials in docs/tutorials/ (and the code on the home page and the GTAP/GAMS guide) are
executable: every ```python block runs, in order, in one namespace per page (working directory:
a fresh temporary folder), and a ```text block right after a code block is the output that
code must print (numbers to the printed precision)."""
from __future__ import annotations

import contextlib
import io
import re
import time
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
TUTORIALS = DOCS / "tutorials"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?%?$", re.I)


def blocks(text: str) -> list[tuple[str, str | None]]:
    """(code, expected output or None) for every python block of a page."""
    fences = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    out = []
    for k, (lang, body, _, end) in enumerate(fences):
        if lang != "python":
            continue
        expected = None
        if k + 1 < len(fences) and fences[k + 1][0] == "text" and not text[end:fences[k + 1][2]].strip():
            expected = fences[k + 1][1]
        out.append((body, expected))
    return out


def _close(got: str, want: str) -> bool:
    """Equal tokens; numbers equal to the printed precision (one unit in the last digit, or
    0.1 % of the value, whichever is larger)."""
    if got == want:
        return True
    if not (NUMBER.match(got) and NUMBER.match(want)):
        return False
    g, w = float(got.rstrip("%")), float(want.rstrip("%"))
    mantissa = re.split("[eE]", want.rstrip("%"))[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(re.split("[eE]", want.rstrip("%"))[1]) if re.search("[eE]", want) else 0
    return abs(g - w) <= max(1.01 * 10.0 ** (exponent - decimals), 1e-3 * abs(w))


def assert_output(got: str, want: str, where: str) -> None:
    g, w = got.split(), want.split()
    bad = [(a, b) for a, b in zip(g, w) if not _close(a, b)]
    assert len(g) == len(w) and not bad, (
        f"{where}: printed output differs from the page\n--- page ---\n{want}\n--- printed ---\n{got}")


def run_page(path: Path) -> float:
    """Execute one tutorial page; returns its wall time in seconds."""
    import matplotlib
    matplotlib.use("Agg")
    namespace: dict = {"__name__": f"tutorial_{path.stem}"}
    t0 = time.perf_counter()
    for k, (code, expected) in enumerate(blocks(path.read_text()), start=1):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, f"{path.name}, block {k}", "exec"), namespace)
        if expected is not None:
            assert_output(buffer.getvalue(), expected, f"{path.name}, block {k}")
    return time.perf_counter() - t0


PAGES = sorted(p for p in TUTORIALS.glob("*.md") if blocks(p.read_text())) + [
    DOCS / "index.md", DOCS / "gtap_gams.md"]


def test_every_tutorial_is_collected():
    assert len([p for p in PAGES if p.parent == TUTORIALS]) >= 8, [p.name for p in PAGES]
    assert all(blocks(p.read_text()) for p in PAGES)


def test_output_comparison_fails_on_a_wrong_number():
    assert _close("1.23", "1.24") and not _close("1.20", "1.24")
    with pytest.raises(AssertionError):
        assert_output("CHN 2.50 %", "CHN 2.80 %", "check")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS).with_suffix("")) for p in PAGES])
def test_tutorial(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seconds = run_page(page)
    print(f"{page.name}: {seconds:.1f} s")
