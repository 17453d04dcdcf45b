"""Calibration and evaluation inputs in the user's layout, checked, and moved to the device's."""

from dataclasses import replace
from pathlib import Path

import numpy as np

from toolchain.importer.errors import OnnxError


def load_calibration(path: Path, user_shape: tuple[int, ...]) -> np.ndarray:
    """A .npy array (N, *sample) or a folder of .npy samples, float32, each sample shaped like the ONNX input."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.npy"))
        if not files:
            raise OnnxError(f"calibration folder '{path}' holds no .npy files", "put one .npy array per input in it")
        arrays = [np.load(f, allow_pickle=False) for f in files]
        x = np.stack([a.reshape(a.shape[1:]) if a.ndim == len(user_shape) and a.shape[0] == 1 else a for a in arrays])
    elif path.suffix == ".npy" and path.is_file():
        try:
            x = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise OnnxError(f"calibration file '{path}' is not a plain .npy array ({e})",
                            "save it with np.save(path, array)") from None
    else:
        raise OnnxError(f"calibration data '{path}' is not a .npy file or a folder of them",
                        "pass --calibration inputs.npy (N samples) or a folder of .npy inputs")
    return check(x, user_shape, f"calibration data '{path}'")


def check(x: np.ndarray, user_shape: tuple[int, ...], what: str) -> np.ndarray:
    if x.dtype.kind != "f":
        raise OnnxError(f"{what} has dtype {x.dtype}; the model takes float32",
                        "pass the float inputs the ONNX model takes (before any scaling to integers)")
    if x.ndim == len(user_shape) - 1:  # a single sample
        x = x[np.newaxis]
    if tuple(x.shape[1:]) != tuple(user_shape[1:]):
        raise OnnxError(f"{what} has shape {x.shape}; the ONNX input takes (N, {', '.join(map(str, user_shape[1:]))})",
                        "pass inputs in the layout the ONNX model takes, samples first")
    if not len(x):
        raise OnnxError(f"{what} holds no samples", "pass at least one input (a few hundred calibrate well)")
    return x.astype(np.float32)


def to_device_layout(x: np.ndarray, user_shape: tuple[int, ...], perm: tuple[int, ...]) -> np.ndarray:
    """Samples in the user's (ONNX) layout, or already in the device's, as the device takes them."""
    device = tuple(user_shape[p] for p in perm)
    if tuple(x.shape[1:]) == tuple(user_shape[1:]):
        return np.ascontiguousarray(np.transpose(x, perm))
    if tuple(x.shape[1:]) == device[1:]:
        return x
    if _without_ones(x.shape[1:]) == _without_ones(device[1:]):  # (N, 49, 40) features for a (N, 49, 40, 1) model
        return x.reshape(len(x), *device[1:])
    raise OnnxError(f"the data's samples have shape {tuple(x.shape[1:])}; the ONNX model takes "
                    f"{tuple(user_shape[1:])} (or {device[1:]} channels last)",
                    "give the recipe a data loader whose samples match the model input")


def _without_ones(shape) -> tuple[int, ...]:
    return tuple(s for s in shape if s != 1)


def device_dataset(data, user_shape: tuple[int, ...], perm: tuple[int, ...]):
    """A recipe's Dataset with its inputs in the device's layout (a loader may give either layout)."""
    return replace(data, x_train=to_device_layout(data.x_train, user_shape, perm),
                   x_test=to_device_layout(data.x_test, user_shape, perm))
