"""Every recipe in models/ loads through the schema, and its data loads."""

import pytest

from toolchain import recipes
from toolchain.recipes.data import load


@pytest.mark.parametrize("name", recipes.available())
def test_recipe_loads(name):
    r = recipes.load(name)
    assert r.name == name and callable(r.build_model)
    data = load(r.data["loader"], seed=0, test_fraction=r.data["test_fraction"], base_dir=r.path, **r.data["args"])
    assert len(data.x_test) > 0 and data.x_train.shape[1:] == data.x_test.shape[1:]
    again = load(r.data["loader"], seed=0, test_fraction=r.data["test_fraction"], base_dir=r.path, **r.data["args"])
    assert (again.x_test == data.x_test).all()


def test_recipes_shipped():
    assert {"digits", "sine", "gesture"} <= set(recipes.available())


def test_plan_is_recipe_default_or_exactly_the_flags():
    from toolchain.optimize import Plan

    r = recipes.load("digits")
    assert Plan.of(r).to_dict()["qat"] is True and Plan.of(r).prune == 0.5
    p = Plan.of(r, prune=0.5, distill=True, quantize=["int8"], qat=None)
    assert (p.prune, p.distill, p.qat, p.quantize) == (0.5, True, False, ["int8"])
    assert p.fine_tune_epochs == r.optimize["fine_tune_epochs"]
