"""Builds pause the cyclic garbage collector and move their objects to the oldest generation;
discarded models must still be freed."""
import gc
import weakref

import cgetrade
from cgetrade._gc import long_lived_build


def test_build_objects_skip_the_young_generations():
    with long_lived_build():
        built = [[k] for k in range(50_000)]          # tracked containers
    young = {id(o) for o in gc.get_objects(generation=0)}
    old = {id(o) for o in gc.get_objects(generation=2)}
    assert id(built) in old and id(built[-1]) in old
    assert id(built) not in young and id(built[-1]) not in young


def test_discarded_models_are_freed(default_dataset):
    default_params = cgetrade.calibrate(default_dataset)
    first = cgetrade.CGEModel(default_params)
    first.nlp
    gone = weakref.ref(first.pyomo)
    del first
    sizes = []
    for _ in range(4):                                # each build may collect the last ones
        m = cgetrade.CGEModel(default_params)
        m.nlp
        del m
        sizes.append(len(gc.get_objects()))
    assert gone() is None, "a discarded model was never collected"
    assert sizes[-1] <= 1.5 * sizes[0]
