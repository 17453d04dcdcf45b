"""Channels-first ONNX tensors held channels-last on the device, tracked without TRANSPOSE ops.

A tensor's `perm` says which logical (ONNX) axis each physical (Keras/TFLite) axis holds:
physical = np.transpose(logical, perm). An ONNX Transpose only changes `perm`; a Flatten of a
permuted tensor keeps the physical order and records `rows`, which the next Gemm/MatMul folds into
its weight rows. So no TRANSPOSE op reaches the device for a convolution stack."""

import numpy as np

CHANNELS_LAST = {3: (0, 2, 1), 4: (0, 2, 3, 1)}  # what convolutions and pools need: N, spatial..., C


def identity(rank: int) -> tuple[int, ...]:
    return tuple(range(rank))


def after_transpose(perm: tuple[int, ...], onnx_perm: tuple[int, ...]) -> tuple[int, ...]:
    """The perm of Transpose(x, onnx_perm)'s output, the physical tensor unchanged."""
    inverse = np.argsort(onnx_perm)
    return tuple(int(inverse[p]) for p in perm)


def input_perm(rank: int, first_op: str | None, transposed_by: tuple[int, ...] | None) -> tuple[int, ...]:
    """The physical layout of the graph input: channels last, unless the model first transposes it (an NHWC model
    exported by tf2onnx transposes its input to NCHW) or reshapes it (then as it is)."""
    last = CHANNELS_LAST.get(rank)
    if last is None or first_op in ("Reshape", "Flatten", "Squeeze", "Unsqueeze"):
        return identity(rank)
    if transposed_by is None:
        return last
    return tuple(int(transposed_by[c]) for c in last)


def logical_shape(physical: tuple[int, ...], perm: tuple[int, ...]) -> tuple[int, ...]:
    shape = [0] * len(perm)
    for j, p in enumerate(perm):
        shape[p] = physical[j]
    return tuple(shape)


def physical_axis(perm: tuple[int, ...], logical_axis: int) -> int:
    return perm.index(logical_axis % len(perm))


def reshaped_perm(logical_in: tuple[int, ...], perm: tuple[int, ...], target: tuple[int, ...]) -> tuple | None:
    """A layout for Reshape(x, target) that keeps the device's bytes in place (channels last preferred), or None."""
    index = np.arange(int(np.prod(logical_in))).reshape(logical_in)
    physical = np.transpose(index, perm).reshape(-1)
    out = index.reshape(target)
    for candidate in (CHANNELS_LAST.get(len(target)), identity(len(target))):
        if candidate and np.array_equal(np.transpose(out, candidate).reshape(-1), physical):
            return candidate
    return None


def flat_rows(logical: tuple[int, ...], perm: tuple[int, ...]) -> np.ndarray | None:
    """For flattening a permuted tensor: the logical flat index at each physical flat position (None when
    the orders agree, as when only size-1 axes move)."""
    index = np.arange(int(np.prod(logical[1:]))).reshape(logical[1:])
    rows = np.transpose(index, [p - 1 for p in perm[1:]]).reshape(-1)
    return None if np.array_equal(rows, np.arange(rows.size)) else rows
