"""Scratch bytes and in-place lags, asked of the kernels themselves: each
twin's *_sizes.c (firmware/runtime/kernels/ and kernels/dsp/) compiled for
the host (toolchain.host_library) and called through ctypes.

One model.c serves both kernel variants, so every answer covers both twins:
the larger scratch, the larger lag in the coarser unit, in place only when
both allow it."""

import ctypes
import functools
import math

from toolchain import host_library, paths
from toolchain.aot.errors import AotError
from toolchain.aot.sources import KERNEL_VARIANTS, RUNTIME, runtime_sources

_I32 = ctypes.c_int32
_P32 = ctypes.POINTER(ctypes.c_int32)
# C signatures (kernels/<family>.h): int32 argument count, return type (the *_lag ones add two int32 pointers)
_SIGNATURES = {
    "tm_conv_scratch_bytes": (4, ctypes.c_size_t),
    "tm_conv_inplace_lag": (10, _I32),
    "tm_conv_pixels_per_step": (0, _I32),
    "tm_conv_16x8_scratch_bytes": (3, ctypes.c_size_t),
    "tm_depthwise_conv_scratch_bytes": (8, ctypes.c_size_t),
    "tm_depthwise_conv_inplace_lag": (14, _I32),
    "tm_pooling_inplace_lag": (9, _I32),
    "tm_elementwise_inplace_lag": (1, _I32),
    "tm_activation_inplace_lag": (0, _I32),
    "tm_quantize_inplace_lag": (0, _I32),
}


@functools.cache
def _library(kernels: str) -> ctypes.CDLL:
    sources = [p for p in runtime_sources(kernels) if p.name.endswith("_sizes.c")]
    headers = sorted((RUNTIME / "kernels").rglob("*.h"))
    path = host_library.build(f"kernel_sizes_{kernels}", sources, paths.build_root() / "cache", headers=headers,
                              include_dirs=[RUNTIME], what=f"the {kernels} kernels' sizes", error=AotError)
    lib = ctypes.CDLL(str(path))
    for name, (n, restype) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = [_I32] * n + ([_P32, _P32] if name.endswith("_lag") else [])
    return lib


def _each(name: str, *args: int) -> list:
    return [getattr(_library(k), name)(*args) for k in KERNEL_VARIANTS]


def _inplace(name: str, *args: int) -> tuple[int, int] | None:
    """(lag, unit) that suits every twin, or None when one never runs in place."""
    lags, units = [], []
    for k in KERNEL_VARIANTS:
        lag, unit = _I32(), _I32()
        if not getattr(_library(k), name)(*args, ctypes.byref(lag), ctypes.byref(unit)):
            return None
        lags.append(lag.value)
        units.append(unit.value)
    unit = math.lcm(*units)
    return -(-max(lags) // unit) * unit, unit


def conv_scratch(f: dict, has_rq: bool) -> int:
    return max(_each("tm_conv_scratch_bytes", f["k_h"], f["k_w"], f["in_c"], int(has_rq)))


def conv_16x8_scratch(f: dict) -> int:
    return max(_each("tm_conv_16x8_scratch_bytes", f["k_h"], f["k_w"], f["in_c"]))


def conv_inplace(f: dict) -> tuple[int, int] | None:
    return _inplace("tm_conv_inplace_lag", f["in_h"], f["in_w"], f["in_c"], f["out_h"], f["out_w"], f["out_c"],
                    f["stride_h"], f["stride_w"], f["pad_top"], f["pad_left"])


def conv_pixels_per_step() -> int:
    return math.lcm(*_each("tm_conv_pixels_per_step"))


def depthwise_scratch(f: dict) -> int:
    return max(_each("tm_depthwise_conv_scratch_bytes", f["in_c"], f["out_w"], f["out_c"], f["k_h"], f["k_w"],
                     f["stride_w"], f["dil_h"], f["dil_w"]))


def depthwise_inplace(f: dict) -> tuple[int, int] | None:
    return _inplace("tm_depthwise_conv_inplace_lag", f["in_h"], f["in_w"], f["in_c"], f["out_h"], f["out_w"],
                    f["out_c"], f["k_h"], f["k_w"], f["stride_h"], f["stride_w"], f["dil_h"], f["dil_w"],
                    f["pad_top"], f["pad_left"])


def pooling_inplace(f: dict) -> tuple[int, int] | None:
    return _inplace("tm_pooling_inplace_lag", f["in_h"], f["in_w"], f["channels"], f["out_h"], f["out_w"],
                    f["stride_h"], f["stride_w"], f["pad_top"], f["pad_left"])


def elementwise_inplace(contiguous: bool) -> tuple[int, int] | None:
    return _inplace("tm_elementwise_inplace_lag", int(contiguous))


def activation_inplace() -> tuple[int, int] | None:
    return _inplace("tm_activation_inplace_lag")


def quantize_inplace() -> tuple[int, int] | None:
    return _inplace("tm_quantize_inplace_lag")
