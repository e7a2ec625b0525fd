"""Builds pause the cyclic garbage collector and move their objects to the oldest generation;
discarded models must still be freed."""
import gc
import subprocess
import sys

from cgetrade._gc import long_lived_build


def test_build_objects_skip_the_young_generations():
    with long_lived_build():
        built = [[k] for k in range(50_000)]          # tracked containers
    young = {id(o) for o in gc.get_objects(generation=0)}
    old = {id(o) for o in gc.get_objects(generation=2)}
    assert id(built) in old and id(built[-1]) in old
    assert id(built) not in young and id(built[-1]) not in young


DISCARD = """
import gc, weakref
import cgetrade
from cgetrade.data import load_default
params = cgetrade.calibrate(load_default())
first = cgetrade.CGEModel(params)
first.nlp
gone = weakref.ref(first.pyomo)
del first
sizes = []
for _ in range(5):
    m = cgetrade.CGEModel(params)
    m.nlp
    del m
    sizes.append(len(gc.get_objects()))
print(gone() is None, sizes[0], sizes[-1])
"""


def test_discarded_models_are_freed():
    """In a fresh interpreter (the collection policy depends on the heap): building model
    after model frees the discarded ones, and the heap does not grow with each build."""
    out = subprocess.run([sys.executable, "-c", DISCARD], capture_output=True, text=True,
                         timeout=300, check=True).stdout.split()
    freed, first, last = out[0] == "True", int(out[1]), int(out[2])
    assert freed, "a discarded model was never collected"
    assert last <= 1.5 * first, (first, last)
