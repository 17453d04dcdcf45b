"""The data folder of `toolchain personalize`: per class a seeded shuffle of the
files sorted by name picks the shots, learning goes round-robin over the
classes, .npy examples are quantized like the model's input and .wav clips cut
or padded to the clip; every bad folder is one PersonalizeError naming it."""

import wave

import numpy as np
import pytest

from toolchain.personalize.data import InputSpec, read_example, split
from toolchain.personalize.errors import PersonalizeError

SPEC = InputSpec(False, shape=(4, 2), scale=0.5, zero_point=-3, dtype="int8")


def folder(root, counts: dict[str, int], shape=(4, 2)):
    for name, n in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(n):
            np.save(root / name / f"{i:02d}.npy", np.full(shape, i + 10 * len(name), np.float32))
    return root


def test_split_is_seeded_round_robin_and_complete(tmp_path):
    d = folder(tmp_path, {"a": 6, "bb": 4})
    s = split(d, ["a", "bb", "ccc"], SPEC, shots=2, seed=3, new_class=None)
    assert [label for _, label, _ in s.learn] == [0, 1, 0, 1]
    assert sorted(f for _, _, f in s.learn + s.held) == sorted(str(p) for p in d.rglob("*.npy"))
    rng = np.random.default_rng(3).permutation(6)
    assert [f for _, label, f in s.learn if label == 0] == [str(d / "a" / f"{i:02d}.npy") for i in rng[:2]]
    assert s.learn == split(d, ["a", "bb", "ccc"], SPEC, shots=2, seed=3, new_class=None).learn
    assert s.learn != split(d, ["a", "bb", "ccc"], SPEC, shots=2, seed=4, new_class=None).learn


def test_npy_is_quantized_like_the_model_input(tmp_path):
    np.save(tmp_path / "x.npy", np.array([[0.0, 0.5], [1.26, -100.0], [100.0, -0.24], [0.26, 0.74]], np.float32))
    q = np.frombuffer(read_example(tmp_path / "x.npy", SPEC), np.int8)
    assert q.tolist() == [-3, -2, 0, -128, 127, -3, -2, -2]  # round(x / 0.5) - 3, clipped


def test_wav_is_cut_or_padded(tmp_path):
    path = tmp_path / "c.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(np.arange(5, dtype="<i2").tobytes())
    assert np.frombuffer(read_example(path, InputSpec(True, samples=8)), "<i2").tolist() == [0, 1, 2, 3, 4, 0, 0, 0]
    assert np.frombuffer(read_example(path, InputSpec(True, samples=3)), "<i2").tolist() == [0, 1, 2]
    with pytest.raises(PersonalizeError, match="sample rate 16000 Hz"):
        read_example(path, InputSpec(True, samples=8, rate=8000))


@pytest.mark.parametrize("counts,labels,kw,message", [
    ({"a": 6, "zz": 6}, ["a", "b"], {}, "'zz' in .* is not a class of the model"),
    ({"a": 6, "b": 2}, ["a", "b"], {}, "class 'b' has 2 examples"),
    ({"a": 6}, ["a", "b"], {"new_class": "c"}, "no folder 'c'"),
    ({}, ["a"], {}, "holds no <label>/\\*.npy files"),
])
def test_bad_folders(tmp_path, counts, labels, kw, message):
    d = folder(tmp_path / "data", counts)
    d.mkdir(exist_ok=True)
    with pytest.raises(PersonalizeError, match=message):
        split(d, labels, SPEC, shots=2, seed=0, new_class=kw.get("new_class"))


def test_wrong_shape_names_the_file(tmp_path):
    d = folder(tmp_path, {"a": 3}, shape=(3,))
    with pytest.raises(PersonalizeError, match=r"a/0\d.npy: 3 values of shape \(3,\), the model takes \(4, 2\)"):
        split(d, ["a"], SPEC, shots=1, seed=0, new_class=None)
