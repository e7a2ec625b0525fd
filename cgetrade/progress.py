"""Progress lines on stderr: one mechanism for every command that takes more than a few
seconds. Each line carries the time elapsed; counted work (draws, years, cases) adds the
estimated time left, from the mean time per item so far."""
from __future__ import annotations

import sys
import time


class Progress:
    """``step(label)`` prints ``[  12.3 s] label``; ``count(done, total, note)`` prints
    ``[  12.3 s] 3 of 10 note (about 16 s left)``. Silent when ``quiet``."""

    def __init__(self, quiet: bool = False, stream=None):
        self.quiet, self.t0 = quiet, time.perf_counter()
        self.stream = stream
        self._count_start: float | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    total = elapsed

    def step(self, label: str) -> None:
        if not self.quiet:
            print(f"[{self.elapsed():6.1f} s] {label}", file=self.stream or sys.stderr, flush=True)

    def start_count(self) -> None:
        """Start timing counted items (the estimate uses the time since this call)."""
        self._count_start = time.perf_counter()

    def count(self, done: int, total: int, note: str = "") -> None:
        if self._count_start is None:
            self._count_start = self.t0
        left = ""
        if 0 < done < total:
            per = (time.perf_counter() - self._count_start) / done
            left = f" (about {per * (total - done):.0f} s left)"
        self.step(f"{done} of {total}{' ' + note if note else ''}{left}")
