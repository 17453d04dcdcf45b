"""scripts/personalize_data.py: the worked cases' data folders in the layout `toolchain personalize --data`
reads, each file a function of its case and seed."""

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from toolchain.recipes.data import motions, speech, wav_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import personalize_data  # noqa: E402


def test_rotation_is_proper_and_in_the_given_order():
    r = personalize_data.rotation("z90x30")
    assert np.allclose(r @ r.T, np.eye(3)) and np.isclose(np.linalg.det(r), 1.0)
    # 90 degrees about z takes x to y; then 30 degrees about x tilts y toward z
    assert np.allclose(r @ [1, 0, 0], [0, np.cos(np.pi / 6), np.sin(np.pi / 6)])
    assert np.allclose(personalize_data.rotation("random3"), personalize_data.rotation("random3"))


@pytest.mark.parametrize("spec", ["z90q30", "90", "z90x", ""])
def test_a_bad_rotation_says_how_to_write_one(spec):
    with pytest.raises(SystemExit, match="axis-degree pairs"):
        personalize_data.rotation(spec)


def test_rotated_windows_keep_their_labels_and_vector_lengths(tmp_path):
    personalize_data.rotated(tmp_path / "r", "z90x30")
    x, y, labels = motions.load(0)
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == labels
    files = sorted((tmp_path / "r").glob("*/*.npy"))
    assert len(files) == len(x)
    for f in files[::7]:
        i = int(f.stem.split("-")[1])
        w = np.load(f)
        assert w.dtype == np.float32 and w.shape == x[i].shape and f.parent.name == labels[y[i]]
        for axes in (slice(0, 3), slice(3, 6)):  # accelerometer, gyroscope: turned, not scaled
            assert np.allclose(np.linalg.norm(w[:, axes], axis=1), np.linalg.norm(x[i][:, axes], axis=1), atol=1e-4)
        assert not np.allclose(w, x[i])


@pytest.mark.skipif(not shutil.which("flite"), reason="flite is not installed (setup.sh installs it)")
def test_a_new_speaker_says_every_class_the_same_way_each_time(tmp_path):
    personalize_data.speaker(tmp_path / "a", "slt", 2, seed=5)
    personalize_data.speaker(tmp_path / "b", "slt", 2, seed=5)
    labels = list(speech.KEYWORDS + speech.NOT_KEYWORDS)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(labels)
    pcm, y, names = wav_folder.clips(tmp_path / "a", speech.CLIP, speech.RATE)
    assert sorted(names) == sorted(labels) and len(pcm) == 2 * len(labels)
    loudest = {n: np.abs(pcm[y == k]).max() for k, n in enumerate(names)}
    assert all(v > 2000 for n, v in loudest.items() if n != "silence")  # speech peaks at -26..-2 dBFS
    for f in sorted((tmp_path / "a").glob("*/*.wav")):
        assert f.read_bytes() == (tmp_path / "b" / f.parent.name / f.name).read_bytes()
