"""Offline compile check: the AOT model + runtime kernels + harness built with
arm-none-eabi-gcc for each Cortex-M board's CPU and FPU (linked with the small
bare-metal port, --gc-sections), with the real code size per board. The
board's vendor core (Arduino) is not included: PlatformIO fetches it."""

import subprocess
from pathlib import Path

import pytest

from tests.realboards.conftest import CORTEX_M
from toolchain import aot
from toolchain.build import gcc
from toolchain.build import aot_sources

# readelf -A: the architecture each core must produce, and whether floats go in FPU registers
STUBS = Path(__file__).parent / "stubs"
ARCH = {"cortex-m0plus": "v6S-M", "cortex-m4f": "v7E-M"}


@pytest.fixture(scope="module")
def kws_weights(tmp_path_factory, mlperf) -> int:
    return aot.compile_tflite(mlperf.kws, tmp_path_factory.mktemp("kws")).weights_bytes


@pytest.mark.slow
@pytest.mark.parametrize("board", CORTEX_M, ids=lambda b: b.id)
def test_kws_compiles_for_the_board_cpu(board, tmp_path, kws_weights, mlperf):
    model = aot_sources.sources(mlperf.kws, "kws", board, tmp_path / "generated")
    elf, seconds = gcc.build(board, model, tmp_path)
    size = gcc.size(board, elf)
    attrs = subprocess.run(["arm-none-eabi-readelf", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    assert f"Tag_CPU_arch: {ARCH[board.cpu]}" in attrs
    assert ("Tag_ABI_VFP_args: VFP registers" in attrs) == (board.fpu != "none")
    kernels = {p.parent.name for p in (tmp_path / "src" / "runtime" / "kernels").rglob("*.c")}
    assert ("dsp" in kernels) == board.dsp
    code = size.text - kws_weights
    print(f"\n{board.id} ({board.cpu}): text {size.text:,} B (weights {kws_weights:,}, code {code:,}), "
          f"data {size.data:,} B, bss {size.bss:,} B (arena {model.arena_bytes:,}), built in {seconds:.1f} s")
    assert 0 < code < 32 * 1024, "harness + kernels should stay small"
    assert size.flash <= board.flash_bytes and size.bss <= board.ram_bytes


@pytest.mark.parametrize("board", CORTEX_M, ids=lambda b: b.id)
def test_arduino_port_and_main_compile(board, tmp_path):
    """The Arduino port and the generated main.cpp against a stub Arduino.h (the real core needs PlatformIO)."""
    import jinja2

    from toolchain import paths

    main = tmp_path / "main.cpp"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.FIRMWARE / "templates"))
    main.write_text(env.get_template("main_arduino.cpp.j2").render(model="m", runtime="aot", board_id=board.id))
    port = paths.FIRMWARE / "ports" / "arduino" / "tm_port_arduino.cpp"
    includes = [f"-I{STUBS}", f"-I{paths.FIRMWARE / 'ports'}", f"-I{paths.FIRMWARE / 'harness'}"]
    dwt = ["-DTM_PORT_DWT"] if board.core.dwt else []
    for source in (port, main):
        r = subprocess.run(["arm-none-eabi-g++", *gcc.machine_flags(board), "-std=c++17", "-Wall", "-Werror",
                            "-fsyntax-only", *includes, *dwt, str(source)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("board_id,kernels", [("nano33", "cmsis-nn"), ("pico", "reference")])
def test_tflm_runtime_cross_compiles_offline(board_id, kernels, tmp_path, mlperf, tflm_tree, build_dir):
    """The tflm runtime for a real board, without PlatformIO: the model's C array, resolver and wrapper against
    the TFLM archive built from the local tree (CMSIS-NN on the M4F, reference kernels on the M0+)."""
    from toolchain.boards import load
    from toolchain.build import compile_steps, tflm_sources
    from toolchain.pipeline import prepare

    board = load(board_id)
    prepared = prepare(str(mlperf.kws), board.id, 0)
    model = tflm_sources.sources(prepared, tmp_path / "generated", None)
    lib = compile_steps.tflm_library_for(board, tflm_tree, None)
    assert lib.kernels == kernels
    elf, seconds = gcc.build(board, model, tmp_path, library=lib)
    size = gcc.size(board, elf)
    attrs = subprocess.run(["arm-none-eabi-readelf", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    assert f"Tag_CPU_arch: {ARCH[board.cpu]}" in attrs
    symbols = subprocess.run(["arm-none-eabi-nm", "-C", str(elf)], capture_output=True, text=True, check=True).stdout
    assert "tflite::MicroInterpreter::Invoke()" in symbols and "tm_model_invoke" in symbols
    assert ("arm_convolve_s8" in symbols) == (kernels == "cmsis-nn")
    print(f"\n{board.id} tflm ({kernels}): text {size.text:,} B, data {size.data:,} B, bss {size.bss:,} B "
          f"(arena {model.arena_bytes:,}), built in {seconds:.1f} s")
    assert size.flash <= board.flash_bytes and size.bss <= board.ram_bytes
