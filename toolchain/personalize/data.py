"""The data folder of `toolchain personalize --data FOLDER`: FOLDER/<label>/<files>,
`.wav` clips (16 kHz mono 16-bit, cut or zero-padded to the clip length, as the
recipes' wav_folder loader does) for audio models, `.npy` examples (one float32
array of the model's input shape, before quantization) otherwise. Per class,
files sorted by name and a seeded shuffle (numpy's default_rng(seed), one
permutation per class) pick `shots` for learning; the rest are held back."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from toolchain.personalize.errors import PersonalizeError
from toolchain.recipes.data.dataset import DataError
from toolchain.recipes.data.wav_folder import read_wav


@dataclass
class Split:
    labels: list[str]                       # class names by head row: the model's, then the new class
    learn: list[tuple[bytes, int, str]] = field(default_factory=list)  # (device input, class, file) in learning order
    held: list[tuple[bytes, int, str]] = field(default_factory=list)   # held back, to score before and after


@dataclass(frozen=True)
class InputSpec:
    """What the device takes: int16 PCM clips of `samples` (audio models), or `shape` quantized by scale/zp."""
    audio: bool
    samples: int = 0
    rate: int = 16000
    shape: tuple[int, ...] = ()
    scale: float = 0.0
    zero_point: int = 0
    dtype: str = "int8"


def read_example(path: Path, spec: InputSpec) -> bytes:
    """One example as the device's input bytes; PersonalizeError naming the file when it does not fit."""
    if spec.audio:
        try:
            x = read_wav(path, spec.rate)[:spec.samples]
        except DataError as e:
            raise PersonalizeError(e.message, e.hint) from None
        return np.pad(x, (0, spec.samples - len(x))).astype("<i2").tobytes()
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise PersonalizeError(f"{path}: not a readable .npy file ({e})", "save each example with numpy.save") from None
    x = np.asarray(x)
    if x.size != int(np.prod(spec.shape)):
        raise PersonalizeError(f"{path}: {x.size} values of shape {x.shape}, the model takes {spec.shape} "
                               f"({int(np.prod(spec.shape))} values)", "save one example of the model's input shape")
    info = np.iinfo(spec.dtype)
    q = np.clip(np.round(x.astype(np.float32) / np.float32(spec.scale)) + spec.zero_point, info.min, info.max)
    return q.astype(spec.dtype).tobytes()


def split(folder: Path, model_labels: list[str], spec: InputSpec, *, shots: int, seed: int,
          new_class: str | None) -> Split:
    """The examples of `folder` for the model's classes (and `new_class`), split per class; learning examples
    go round-robin over the classes (shot 1 of every class, then shot 2, ...), the order the device learns in."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PersonalizeError(f"data folder '{folder}' not found", "pass --data FOLDER holding one folder per label")
    suffix = ".wav" if spec.audio else ".npy"
    found = {d.name: sorted(d.glob(f"*{suffix}")) for d in sorted(folder.iterdir()) if d.is_dir()}
    found = {k: v for k, v in found.items() if v}
    if not found:
        raise PersonalizeError(f"'{folder}' holds no <label>/*{suffix} files",
                               f"lay it out as {folder}/<label>/<example>{suffix}")
    labels = list(model_labels) + ([new_class] if new_class else [])
    for name in found:
        if name not in labels:
            raise PersonalizeError(f"'{name}' in {folder} is not a class of the model ({', '.join(model_labels)})",
                                   f"rename the folder, or add it as a new class: --mode imprint --new-class {name}")
    if new_class and new_class not in found:
        raise PersonalizeError(f"no folder '{new_class}' with {suffix} files in {folder} for the new class",
                               f"put its examples in {folder / new_class}")
    out = Split(labels)
    picked = {}
    for name, files in found.items():
        if len(files) <= shots:
            raise PersonalizeError(f"class '{name}' has {len(files)} examples in {folder}: {shots} to learn need at "
                                   "least one more to hold back", f"add examples or pass --shots {len(files) - 1}")
        order = np.random.default_rng(seed).permutation(len(files))
        picked[name] = [files[i] for i in order]
    for k in range(shots):
        for name, files in picked.items():
            out.learn.append((read_example(files[k], spec), labels.index(name), str(files[k])))
    for name, files in picked.items():
        out.held += [(read_example(f, spec), labels.index(name), str(f)) for f in files[shots:]]
    return out
