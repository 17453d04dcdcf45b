"""toolchain/aot/kernel_sizes.py: the kernels' own sizes reach the generator
(the kernels honour them: tests/firmware/kernels/kernels_test.c)."""

import pytest

from toolchain import paths
from toolchain.aot import AotError, kernel_sizes


def _conv(k_h=3, k_w=3, in_c=8, **kw):
    f = dict(in_h=8, in_w=8, in_c=in_c, out_h=8, out_w=8, out_c=8, k_h=k_h, k_w=k_w, stride_h=1, stride_w=1,
             dil_h=1, dil_w=1, pad_top=1, pad_left=1)
    return f | kw


def test_conv_scratch_is_the_dsp_tile():
    # kp = 72: six widened pixels with rq (12 * kp), two without (4 * kp)
    assert kernel_sizes.conv_scratch(_conv(), True) == 12 * 72
    assert kernel_sizes.conv_scratch(_conv(), False) == 4 * 72
    # above TM_CONV_TILE_MAX_KP taps: two-pixel tiles even with rq
    assert kernel_sizes.conv_scratch(_conv(in_c=36), True) == 4 * 324
    # channels not in whole words: plus the int8 patch (kp = 28)
    assert kernel_sizes.conv_scratch(_conv(in_c=3), True) == 13 * 28
    # 3x1 filter on one channel: the gather's word copies run 1 byte past kp = 4
    assert kernel_sizes.conv_scratch(_conv(k_h=3, k_w=1, in_c=1), True) == 12 * 4 + 5


def test_conv_lag_keeps_writes_one_pixel_ahead():
    lag, unit = kernel_sizes.conv_inplace(_conv(pad_top=0, pad_left=0, out_h=6, out_w=6, k_h=1, k_w=1))
    assert (lag, unit) == (8, 1)  # same shape, 1x1: one pixel's outputs


def test_depthwise_3x3_in_place_only_in_whole_pixels_and_words():
    lag, unit = kernel_sizes.depthwise_inplace(_conv(in_c=6, out_c=6))
    assert unit == 12 and lag % 12 == 0
    assert kernel_sizes.depthwise_inplace(_conv(in_c=4, out_c=8)) is None  # depth multiplier 2
    assert kernel_sizes.depthwise_inplace(_conv(in_c=4, out_c=8, k_h=5, k_w=5, pad_top=2, pad_left=2))[1] == 1


def test_depthwise_scratch_covers_the_row_blocks():
    wp = 8 + 2
    assert kernel_sizes.depthwise_scratch(_conv()) == max(3 * wp * 8, 32 * wp)
    assert kernel_sizes.depthwise_scratch(_conv(in_c=3, out_c=3)) == 32 * wp + 4 * 8  # partial channel quad


def test_fusion_steps_in_whole_tiles():
    assert kernel_sizes.conv_pixels_per_step() == 6


def test_the_host_library_is_built_once(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    kernel_sizes._library.cache_clear()
    try:
        kernel_sizes.conv_scratch(_conv(), True)
        libs = sorted((paths.build_root() / "cache").glob("kernel_sizes_*/*/*.so"))
        assert [p.parent.parent.name for p in libs] == ["kernel_sizes_dsp", "kernel_sizes_portable"]
        stamp = [p.stat().st_mtime_ns for p in libs]
        kernel_sizes._library.cache_clear()
        kernel_sizes.conv_scratch(_conv(), False)
        assert [p.stat().st_mtime_ns for p in libs] == stamp
    finally:
        kernel_sizes._library.cache_clear()



def test_element_wise_kernels_run_exactly_on_their_input():
    assert kernel_sizes.elementwise_inplace(True) == (0, 1)
    assert kernel_sizes.elementwise_inplace(False) is None  # a broadcast reads an operand again
    assert kernel_sizes.activation_inplace() == kernel_sizes.quantize_inplace() == (0, 1)


def test_no_host_compiler_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    monkeypatch.setenv("CC", "no-such-cc")
    kernel_sizes._library.cache_clear()
    try:
        with pytest.raises(AotError, match="no C compiler 'no-such-cc' for the host build of the portable kernels"):
            kernel_sizes.conv_scratch(_conv(), True)
    finally:
        kernel_sizes._library.cache_clear()
