"""The wav_folder loader: a good folder loads; each bad file is one clear error."""

import wave

import numpy as np
import pytest

from toolchain.recipes.data import load
from toolchain.recipes.data.dataset import DataError, raw_test_split
from toolchain.recipes.data.wav_folder import clips


def write(path, rate=16000, channels=1, width=2, samples=8000, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(seed).integers(-3000, 3000, size=samples * channels).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(x.tobytes() if width == 2 else (x // 256).astype("i1").tobytes())
    return x


def good_folder(root, n=4):
    for label in ("go", "stop"):
        for i in range(n):
            write(root / label / f"{i}.wav", seed=i + (label == "go") * 10)
    write(root / "_background_noise_" / "noise.wav", samples=32000)
    return root


def test_loads_labels_pads_and_splits(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path / "build"))
    root = good_folder(tmp_path / "rec")
    pcm, y, labels = clips(str(root), 16000, 16000)
    assert labels == ["go", "stop"] and pcm.shape == (8, 16000) and (pcm[:, 8000:] == 0).all()
    data = load("wav_folder", seed=0, test_fraction=0.25, path=str(root))
    assert data.labels == ["go", "stop"] and data.input_shape == (49, 40) and len(data.x_test) == 2


def test_path_is_relative_to_the_recipe_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path / "build"))
    good_folder(tmp_path / "recipe" / "rec")
    data = load("wav_folder", seed=0, test_fraction=0.25, base_dir=tmp_path / "recipe", path="rec")
    assert data.labels == ["go", "stop"]
    pcm, y = raw_test_split("wav_folder", 0, 0.25, tmp_path / "recipe", path="rec")
    assert pcm.dtype == np.int16 and pcm.shape == (2, 16000) and np.array_equal(y, data.y_test)
    with pytest.raises(DataError, match="takes no argument 'paht'"):
        raw_test_split("wav_folder", 0, 0.25, tmp_path / "recipe", paht="rec")


@pytest.mark.parametrize("kwargs, message", [
    ({"rate": 44100}, "sample rate 44100 Hz, the front-end runs at 16000 Hz"),
    ({"channels": 2}, "2 channels, the front-end takes mono"),
    ({"width": 1}, "8-bit samples, the front-end takes 16-bit PCM"),
])
def test_bad_format_is_one_clear_error(tmp_path, kwargs, message):
    root = good_folder(tmp_path / "rec")
    write(root / "go" / "bad.wav", **kwargs)
    with pytest.raises(DataError) as e:
        clips(str(root), 16000, 16000)
    assert message in str(e.value) and "bad.wav" in str(e.value) and "\n" not in str(e.value)


def test_corrupt_header_and_truncated_file(tmp_path):
    root = good_folder(tmp_path / "rec")
    (root / "go" / "bad.wav").write_bytes(b"RIFF\x10\x00\x00\x00JUNKdata")
    with pytest.raises(DataError, match="bad.wav: not a readable WAV file"):
        clips(str(root), 16000, 16000)
    good = (root / "go" / "0.wav").read_bytes()
    (root / "go" / "bad.wav").write_bytes(good[:1000])
    with pytest.raises(DataError, match="bad.wav: truncated"):
        clips(str(root), 16000, 16000)


def test_missing_or_flat_folder(tmp_path):
    with pytest.raises(DataError, match="not found"):
        clips(str(tmp_path / "nope"), 16000, 16000)
    write(tmp_path / "flat" / "one" / "a.wav")
    with pytest.raises(DataError, match="at least two label folders"):
        clips(str(tmp_path / "flat"), 16000, 16000)
