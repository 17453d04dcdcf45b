"""The search space: grid, budget, validation; one clear error line through the CLI."""

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain.sweep import space
from toolchain.sweep.errors import SweepError
from toolchain.sweep.point import with_width


def test_grid_is_the_product_of_the_axes_with_defaults_for_the_rest():
    pts = space.points(space.parse({"prune": [0.0, 0.5], "quantize": ["int8", "qat"], "width": [0.5, 1, 2]}))
    assert len(pts) == 12
    assert {(p["prune"], p["quantize"], p["width"]) for p in pts} == {
        (pr, q, w) for pr in (0.0, 0.5) for q in ("int8", "qat") for w in (0.5, 1.0, 2.0)}
    assert all(p["board"] == "qemu-m4" and p["runtime"] == "aot" and p["distill"] is False for p in pts)
    assert list(pts[0]) == list(space.AXES)


def test_budget_is_seeded_and_a_bigger_budget_keeps_the_smaller_ones_points():
    axes = space.parse({"prune": [0.0, 0.25, 0.5], "distill": [False, True], "quantize": ["int8", "qat"]})
    four, eight = space.points(axes, budget=4, seed=3), space.points(axes, budget=8, seed=3)
    assert four == space.points(axes, budget=4, seed=3) and eight[:4] == four
    assert len({str(p) for p in eight}) == 8
    assert space.points(axes, budget=4, seed=4) != four
    assert len(space.points(axes, budget=100)) == 12


def test_point_ids_change_with_everything_a_result_depends_on():
    p = space.points(space.parse({}))[0]
    base = space.point_id(p, seed=0, samples=None, recipe="abc")
    assert base == space.point_id(dict(p), seed=0, samples=None, recipe="abc")
    assert len({base, space.point_id({**p, "prune": 0.5}, seed=0, samples=None, recipe="abc"),
                space.point_id(p, seed=1, samples=None, recipe="abc"), space.point_id(p, seed=0, samples=9, recipe="abc"),
                space.point_id(p, seed=0, samples=None, recipe="abd")}) == 5


@pytest.mark.parametrize("axes, needle", [
    ({"prune": [1.0]}, "1.0 is not a valid prune"),
    ({"quantize": ["float16"]}, "'float16' is not a valid quantize"),
    ({"width": [0]}, "0 is not a valid width"),
    ({"distill": ["yes"]}, "'yes' is not a valid distill"),
    ({"runtime": ["litert"]}, "'litert' is not a valid runtime"),
    ({"prune": 0.5}, "must be a non-empty list"),
    ({"board": ["nano33"]}, "board 'nano33' has no Cortex-M emulator"),
    ({"board": ["nope"]}, "unknown board 'nope'"),
])
def test_bad_values_are_refused(axes, needle):
    with pytest.raises(Exception) as e:
        space.points(space.parse(axes))
    assert needle in str(e.value)


def test_board_given_twice_is_refused():
    with pytest.raises(SweepError, match="given twice"):
        space.points(space.parse({"board": ["qemu-m7"]}), board="qemu-m4")


def test_width_copy_has_its_own_name_and_the_width_in_the_train_table():
    toml = 'name = "x"\n\n[train]\nepochs = 3\nwidth = 2.0\n\n[optimize]\nprune = 0.5\n'
    out = with_width(toml, 0.5)
    assert out == 'name = "x-w0.5"\n\n[train]\nwidth = 0.5\nepochs = 3\n\n[optimize]\nprune = 0.5\n'
    assert with_width('name = "x"\n', 2) == 'name = "x-w2"\n\n[train]\nwidth = 2.0\n'


def test_unknown_key_in_the_space_file_is_one_clear_error(tmp_path):
    f = tmp_path / "sweep.toml"
    f.write_text('[space]\nprune = [0.0, 0.5]\nsparsity = [0.5]\n')
    r = run_cli("sweep", "--space", str(f), build=tmp_path / "build")
    assert_clean_error(r, "unknown key 'sparsity' in [space]", "allowed: board, runtime, width, prune, distill, quantize")
    assert not (tmp_path / "build").exists()


def test_space_file_without_a_space_table(tmp_path):
    f = tmp_path / "sweep.toml"
    f.write_text('prune = [0.0, 0.5]\n')
    assert_clean_error(run_cli("sweep", "--space", str(f), build=tmp_path / "build"), "unknown key 'prune' at the top level")
