"""Run every command of the README's "Using it" block and check that each exits 0 and
writes what it promises.

    python scripts/readme_commands.py [--workdir DIR] [--only WORD ...]

Commands run in the order of the README, in a scratch folder (so later commands find the
files earlier ones wrote), with ``.venv/bin/`` replaced by the folder of this Python's
executables; paths into the repository (calibration/, experiments/) are resolved against it.
CI runs this script after the test suite (.ci/run).
"""
from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: files a command promises to write (checked after it ran), by a word of the command
PROMISES = {"run china_ai --variant high": ["china_ai_high.nc"],
            "run west_automation --closure long_run": ["west_automation_central_long_run.nc"],
            "run reshoring --closure short_run": ["reshoring_central_short_run.nc"],
            "report china_ai_high.nc": ["china_ai_high.html"],
            "export china_ai_high.nc": ["china_ai_high.csv"],
            "--out results.nc": ["results.nc"], "--out my.nc": ["my.nc"],
            "optimal": ["industrial_policy_optimum.nc"]}


def commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = re.search(r"## Using it\n+```bash\n(.*?)```", text, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip().startswith(".venv/bin/")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", help="scratch folder (default: a new temporary folder)")
    ap.add_argument("--only", nargs="*", help="run only commands containing one of these words")
    ap.add_argument("--skip", nargs="*", default=[], help="skip commands containing one of these words")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="cgetrade-readme-"))
    work.mkdir(parents=True, exist_ok=True)
    bindir = Path(sys.executable).parent
    failures, t_all = [], time.perf_counter()
    for cmd in commands():
        if (args.only and not any(w in cmd for w in args.only)) or any(w in cmd for w in args.skip):
            continue
        argv = shlex.split(cmd)
        argv[0] = str(bindir / Path(argv[0]).name)
        argv = [str(REPO / a) if a.startswith(("calibration/", "experiments/")) else a for a in argv]
        t0 = time.perf_counter()
        done = subprocess.run(argv, cwd=work, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        missing = [f for key, files in PROMISES.items() if key in cmd for f in files
                   if not (work / f).exists()]
        ok = done.returncode == 0 and not missing and "Traceback" not in done.stderr
        print(f"{'ok  ' if ok else 'FAIL'} {seconds:7.1f} s  {cmd}", flush=True)
        if not ok:
            failures.append(cmd)
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            print("      exit code", done.returncode, "; missing", missing, "\n      " + "\n      ".join(tail))
    print(f"{'all' if not failures else len(failures)} README commands "
          f"{'passed' if not failures else 'failed'} in {time.perf_counter() - t_all:.0f} s (in {work})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
