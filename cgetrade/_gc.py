"""Garbage-collector handling for builds that create millions of long-lived objects."""
from __future__ import annotations

import gc
from contextlib import contextmanager

from pyomo.common.gc_manager import PauseGC

# objects moved to the oldest generation without a scan since the last full collection, and
# the number of tracked objects that full collection left
_moved = {"unscanned": 0, "after_full": 0}


def _tracked_objects() -> int:
    gc.freeze()
    n = gc.get_freeze_count()
    gc.unfreeze()
    return n


@contextmanager
def long_lived_build(collect_first: bool = True):
    """Pause the cyclic garbage collector during a large build, then move the survivors
    straight to the oldest generation.

    Without the move, the first collections after the build scan every new Pyomo component
    and expression node once in each young generation on its way to the oldest one (about
    1 s after a 30x30 build). The moved objects are scanned by full collections only, so
    with ``collect_first`` (model builds) a full collection runs first once the unscanned
    objects outnumber those the last full collection left: discarded models (Pyomo models
    hold reference cycles) are freed and memory stays bounded when many models are built in
    one process. Compiling a model just built (``collect_first=False``) does not collect.
    """
    if collect_first and _moved["unscanned"] > _moved["after_full"]:
        gc.collect()
        _moved["unscanned"], _moved["after_full"] = 0, _tracked_objects()
    with PauseGC():
        yield
    _moved["unscanned"] += gc.get_count()[0]   # net tracked allocations since the last collection
    gc.freeze()       # every tracked object -> permanent generation (no scan)
    gc.unfreeze()     # permanent generation -> oldest generation
