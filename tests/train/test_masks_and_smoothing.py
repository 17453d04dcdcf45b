"""[train] masks and label_smoothing: the masks hide one run of frames and one of bands with the clip's mean,
no more than their limits, the same for the same seed; smoothing gives the loss of smoothed one-hot targets;
a bad value gives one clear line."""

import numpy as np
import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain.train import masks


def batches(seed):
    from toolchain.train.tf import seed_everything

    seed_everything(seed)
    x = np.random.default_rng(0).normal(size=(16, 49, 40)).astype(np.float32)
    y = np.arange(16)
    return x, [(bx.numpy(), by.numpy()) for bx, by in masks.masked_batches(x, y, 8, seed)]


def test_masks_hide_a_run_of_frames_and_of_bands_with_the_mean():
    x, got = batches(1)
    hidden_frames, hidden_bands = [], []
    for bx, by in got:
        for f, i in zip(bx, by):
            changed = f != x[i]
            rows = np.flatnonzero(changed.all(axis=1))
            cols = np.flatnonzero(changed.all(axis=0))
            # what changed is exactly whole frames and whole bands, each a contiguous run, set to the clip's mean
            assert (changed == (np.isin(np.arange(49), rows)[:, None] | np.isin(np.arange(40), cols)[None, :])).all()
            assert len(rows) <= masks.MAX_FRAMES and len(cols) <= masks.MAX_BANDS
            assert all(np.diff(rows) == 1) and all(np.diff(cols) == 1)
            assert np.allclose(f[changed], np.mean(x[i]), atol=1e-6)
            hidden_frames.append(len(rows)), hidden_bands.append(len(cols))
    assert sorted(np.concatenate([by for _, by in got])) == list(range(16))  # every clip once per epoch
    assert max(hidden_frames) > 0 and max(hidden_bands) > 0
    again = batches(1)[1]
    assert all((a[0] == b[0]).all() and (a[1] == b[1]).all() for a, b in zip(got, again))
    assert any((a[0] != b[0]).any() for a, b in zip(got, batches(2)[1]))


def test_label_smoothing_is_cross_entropy_against_smoothed_targets():
    from toolchain.train.float_model import smoothed_loss

    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], dtype=np.float32)
    y = np.array([0, 2])
    target = np.full((2, 3), 0.1 / 3) + 0.9 * np.eye(3)[y]
    expected = -(target * np.log(p)).sum(axis=1)
    assert np.allclose(smoothed_loss(3, 0.1)(y, p).numpy(), expected, atol=1e-5)


@pytest.mark.parametrize("table, needle", [
    ("label_smoothing = 1.5", "label_smoothing in [train] must be in [0, 1)"),
    ("masks = true", "masks in [train] needs 2-D features"),
])
def test_bad_train_options_give_one_clear_line(tmp_path, table, needle):
    recipe = tmp_path / "mine"
    recipe.mkdir()
    (recipe / "recipe.toml").write_text(f'name = "mine"\n[data]\nloader = "sine"\n[train]\nepochs = 1\n{table}\n')
    (recipe / "model.py").write_text("def build(keras, input_shape, num_outputs, variant='default'):\n"
                                     "    return keras.Sequential([keras.layers.Input(input_shape), keras.layers.Dense(num_outputs)])\n")
    assert_clean_error(run_cli("train", "--model", str(recipe), build=tmp_path / "build"), needle)
