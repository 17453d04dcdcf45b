"""toolchain/build/tflm_library.py: tree checks and the build cache on tiny trees
made here, then the real TFLM library running KWS on QEMU, bit-exact with
TFLM's own host interpreter."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from toolchain.build import tflm_library as tl
from toolchain.boards import load
from toolchain.paths import REPO

PORTS = REPO / "firmware" / "ports"
HERE = Path(__file__).parent
M4 = ("cortex-m4f", "fpv4-sp-d16")
INPUTS = 4


def tiny_tree(root: Path, files: dict[str, str]) -> Path:
    """A folder that passes as a TFLM tree, whose reference list is `files`."""
    (root / "tensorflow/lite/micro").mkdir(parents=True)
    (root / "tensorflow/lite/micro/micro_interpreter.h").write_text("")
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "sources-reference.txt").write_text("".join(f"{n}\n" for n in files))
    return root


def snapshot(tree: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in tree.rglob("*")}


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TOOLCHAIN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_no_tree_given(monkeypatch):
    monkeypatch.delenv(tl.TFLM_DIR_ENV, raising=False)
    with pytest.raises(tl.TflmTreeError, match="none was given.*--tflm-dir"):
        tl.resolve_tree(None)


def test_missing_tree(tmp_path, monkeypatch):
    monkeypatch.setenv(tl.TFLM_DIR_ENV, str(tmp_path / "gone"))
    with pytest.raises(tl.TflmTreeError, match="gone does not exist.*create_tflm_tree.py"):
        tl.resolve_tree(None)


def test_folder_that_is_not_a_tree(tmp_path):
    (tmp_path / "README.md").write_text("not TFLM")
    with pytest.raises(tl.TflmTreeError, match="is not a TFLite Micro tree: no tensorflow/lite/micro"):
        tl.resolve_tree(tmp_path)


def test_flag_wins_over_env(tmp_path, monkeypatch):
    tree = tiny_tree(tmp_path / "t", {})
    monkeypatch.setenv(tl.TFLM_DIR_ENV, str(tmp_path / "gone"))
    assert tl.resolve_tree(tree) == tree.resolve()


def test_cmsis_nn_refused_without_dsp(tmp_path, cache):
    with pytest.raises(tl.TflmBuildError, match="DSP extension; cortex-m0plus has none.*--kernels reference"):
        tl.library(tiny_tree(tmp_path / "t", {}), "cortex-m0plus", "none", "cmsis-nn")


def test_glob_fallback_finds_the_listed_sources(tflm_tree):
    for kernels in tl.KERNELS:
        assert sorted(tl.glob_sources(tflm_tree, kernels)) == sorted(tl.sources(tflm_tree, kernels)), kernels


def test_glob_fallback_on_a_cmsis_nn_only_tree(tmp_path):
    tree = tiny_tree(tmp_path / "t", {})
    (tree / "sources-reference.txt").unlink()
    with pytest.raises(tl.TflmTreeError, match="no CMSIS-NN kernels.*--kernels reference"):
        tl.sources(tree, "cmsis-nn")
    kernels = tree / "tensorflow/lite/micro/kernels"
    (kernels / "cmsis_nn").mkdir(parents=True)
    for name in ("kernels/cmsis_nn/conv.cc", "kernels/add.cc", "micro_interpreter.cc", "kernels/conv_test.cc"):
        (tree / "tensorflow/lite/micro" / name).write_text("")
    nn = tree / "third_party/cmsis_nn/Source/ConvolutionFunctions"
    nn.mkdir(parents=True)
    for name in ("arm_convolve_s8.c", "arm_convolve_f32.c"):
        (nn / name).write_text("")
    assert sorted(tl.sources(tree, "cmsis-nn")) == [
        "tensorflow/lite/micro/kernels/add.cc", "tensorflow/lite/micro/kernels/cmsis_nn/conv.cc",
        "tensorflow/lite/micro/micro_interpreter.cc", "third_party/cmsis_nn/Source/ConvolutionFunctions/arm_convolve_s8.c"]
    with pytest.raises(tl.TflmTreeError, match="no reference kernels for conv.cc"):
        tl.sources(tree, "reference")



def test_build_is_cached_resumed_and_keyed_by_content(tmp_path, cache):
    tree = tiny_tree(tmp_path / "t", {"a.cc": "int tm_a() { return 1; }\n", "b.c": "int tm_b(void) { return 2; }\n"})
    before = snapshot(tree)
    seen = []
    lib = tl.library(tree, *M4, "reference", progress=lambda d, n: seen.append((d, n)))
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert lib.archive == cache / "tflm" / lib.key / "libtflm.a"
    symbols = subprocess.run(["arm-none-eabi-nm", lib.archive], capture_output=True, text=True, check=True).stdout
    assert "T _Z4tm_av" in symbols and "T tm_b" in symbols
    assert "-DTF_LITE_STATIC_MEMORY" in lib.cflags and "-fno-rtti" in lib.cxxflags
    assert snapshot(tree) == before, "the tree is read-only"

    # an interrupted build: the archive and one object are missing, the other object is reused
    lib.archive.unlink()
    next((cache / "tflm" / lib.key / "obj").glob("b.c*.o")).unlink()
    seen.clear()
    assert tl.library(tree, *M4, "reference", progress=lambda d, n: seen.append((d, n))) == lib
    assert seen == [(1, 2), (2, 2)] and lib.archive.is_file()

    (tree / "b.c").write_text("int tm_b(void) { return 3; }\n")
    assert tl.library(tree, *M4, "reference").key != lib.key


def test_concurrent_builders_compile_once(tmp_path, cache):
    tree = tiny_tree(tmp_path / "t", {f"f{i}.cc": f"int tm_f{i}() {{ return {i}; }}\n" for i in range(6)})
    script = ("import sys; from pathlib import Path; from toolchain.build import tflm_library as tl; "
              "lib = tl.library(Path(sys.argv[1]), 'cortex-m4f', 'fpv4-sp-d16', 'reference', jobs=1, "
              "progress=lambda d, n: print('compiled', d, flush=True)); print(lib.archive)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tree)], stdout=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted("compiled" in o for o in outs) == [False, True], outs
    assert len({o.splitlines()[-1] for o in outs}) == 1


def test_compile_failure_names_the_file(tmp_path, cache):
    tree = tiny_tree(tmp_path / "t", {"good.cc": "int tm_good() { return 0; }\n", "broken.cc": "int tm_broken = ;\n"})
    with pytest.raises(tl.TflmBuildError, match=r"compiling TFLM file broken.cc failed:\n(.|\n)*error"):
        tl.library(tree, *M4, "reference", jobs=1)
    assert not list(cache.rglob("libtflm.a"))


# --- the real library on QEMU -------------------------------------------------

@pytest.fixture(scope="module")
def kws_sources(tmp_path_factory, mlperf):
    """The export step's TFLM sources for KWS, seeded random inputs and the host
    interpreter's outputs for them."""
    from tflite_micro.python.tflite_micro import runtime

    from toolchain.export.tflm import write_sources

    out = tmp_path_factory.mktemp("kws_tflm")
    info = write_sources(mlperf.kws, out)
    it = runtime.Interpreter.from_bytes(mlperf.kws.read_bytes())
    shape = it.get_input_details(0)["shape"]
    rng = np.random.default_rng(0)
    xs = [rng.integers(-128, 128, size=shape, dtype=np.int64).astype(np.int8) for _ in range(INPUTS)]
    expected = []
    for x in xs:
        it.set_input(x, 0)
        it.invoke()
        expected.append(np.asarray(it.get_output(0)).reshape(-1))
    rows = ",\n".join("  {" + ", ".join(map(str, x.reshape(-1))) + "}" for x in xs)
    (out / "test_input.h").write_text(f"#include <stdint.h>\nstatic const int8_t kTestInputs[][{xs[0].size}] = {{\n{rows}}};\n")
    expected = np.stack(expected)
    # a comparison of saturated outputs only would prove little
    assert len(np.unique(expected)) > 4, expected
    return out, info, expected


def build_program(lib: tl.TflmLibrary, gen: Path, out: Path) -> Path:
    """The link recipe an application needs against the cached archive."""
    port = PORTS / "qemu_mps2"
    incs = [f"-I{d}" for d in (gen, PORTS, port, *lib.include_dirs)]
    objs = []
    for src in (HERE / "tflm_run_main.cc", gen / "model_data.cc", port / "startup.c", port / "tm_port_qemu_mps2.c"):
        obj = out / (src.name + ".o")
        flags = lib.cxxflags if src.suffix == ".cc" else [*lib.cflags, "-std=c11"]
        compiler = "arm-none-eabi-g++" if src.suffix == ".cc" else "arm-none-eabi-gcc"
        subprocess.run([compiler, *flags, "-O2", "-ffunction-sections", "-fdata-sections", *incs, "-c", src, "-o", obj],
                       check=True)
        objs.append(obj)
    elf = out / "prog.elf"
    subprocess.run(["arm-none-eabi-g++", *lib.cflags, "-T", port / "qemu_mps2.ld", "-nostartfiles",
                    "--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections", *objs, lib.archive, "-lm",
                    "-o", elf], check=True)
    return elf


@pytest.mark.slow
@pytest.mark.qemu
# one library here: each (core, kernel set) costs minutes on a cold cache; the others are measured by
# `bench --compare` (docs/benchmarks.md) and the pico cross-build (tests/realboards)
@pytest.mark.parametrize("board,kernels", [("qemu-m4", "cmsis-nn")])
def test_kws_on_qemu_matches_host_tflm(board, kernels, kws_sources, tmp_path, tflm_tree):
    gen, info, expected = kws_sources
    b = load(board)
    lib = tl.library(tl.resolve_tree(tflm_tree), b.cpu, b.fpu, kernels, jobs=min(2, os.cpu_count() or 1))
    assert lib.kernels == kernels and ("-DCMSIS_NN" in lib.cflags) == (kernels == "cmsis-nn")
    elf = build_program(lib, gen, tmp_path)
    qemu = [shutil.which("qemu-system-arm") or "qemu-system-arm", "-machine", b.machine, "-icount", "shift=0",
            "-semihosting-config", "enable=on,target=native", "-nographic", "-kernel", str(elf)]
    run = subprocess.run(qemu, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stdout[-2000:]}"
    arena = int(re.search(r"^arena (\d+)$", run.stdout, re.M).group(1))
    got = np.array([line.split() for line in re.findall(r"^out((?: -?\d+)+)$", run.stdout, re.M)], dtype=np.int8)
    np.testing.assert_array_equal(got, expected)
    # TFLM's own figure on a 32-bit core; the export step sized the arena to hold it
    assert 0 < arena <= info["arena_bytes"]
    print(f"{board} {kernels}: arena_used_bytes {arena}, host measured {info['arena_measured']}, outputs {got.tolist()}")
