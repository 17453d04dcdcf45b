"""`toolchain build` for real boards: a complete PlatformIO project naming the
board's own platform, board and framework, stopped with one clear line
because the platform cannot be downloaded here; Raspberry Pis cross-built."""

import configparser
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tests.conftest import run_cli
from tests.realboards.conftest import LINUX, REAL
from toolchain import build
from toolchain.boards import load
from toolchain.paths import artifact_dir
from toolchain.build.platformio import PlatformMissing


def read_ini(project) -> configparser.SectionProxy:
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(project / "platformio.ini")
    return ini


@pytest.mark.slow
@pytest.mark.parametrize("runtime", ["aot", "tflm"])
@pytest.mark.parametrize("board", REAL, ids=lambda b: b.id)
def test_project_for_every_real_board(board, runtime, digits_manifest, offline_platforms, monkeypatch):
    monkeypatch.delenv("TOOLCHAIN_TFLM_DIR", raising=False)  # no local tree: the registry's TFLM library
    with pytest.raises(PlatformMissing) as e:
        build.build("digits", board.id, runtime=runtime)
    assert f"'{board.pio_platform}' platform" in str(e.value) and "pio run" in str(e.value)
    project = artifact_dir("digits", board.id) / "firmware"
    env = read_ini(project)[f"env:{board.id}"]
    assert (env["platform"], env["board"], env["framework"]) == (board.pio_platform, board.pio_board, board.pio_framework)
    assert env["upload_protocol"] == board.upload_protocol
    # Cortex-M AOT firmware is compiled offline for the fit; the registry's TFLM library cannot be
    compiled = project / "offline-check" / "digits.elf"
    assert compiled.is_file() == (board.cpu.startswith("cortex-m") and runtime == "aot")
    flags = env["build_flags"].split()
    assert f'-DTM_BOARD=\\"{board.id}\\"' in flags
    assert ("-DTM_PORT_DWT" in flags) == (board.cpu != "cortex-m0plus" and board.cpu.startswith("cortex-m"))
    src = project / "src"
    assert (src / "main.cpp").read_text().count("tm_harness_run()") == 1
    assert (src / "port" / "tm_port_arduino.cpp").exists() and (src / "harness" / "tm_harness.c").exists()
    if runtime == "tflm":
        assert "TensorFlowLite" in env["lib_deps"]
        for f in ("model_data.cc", "model_data.h", "model_ops.h", "tm_model_tflm.cpp"):
            assert (src / "model" / f).exists(), f
        assert "kTensorArenaSize" in (src / "model" / "model_data.h").read_text()
        assert "MicroMutableOpResolver" in (src / "model" / "model_ops.h").read_text()
    else:
        assert (src / "model" / "model.c").exists() and "lib_deps" not in env
        assert bool(list((src / "runtime" / "kernels").glob("dsp/*.c"))) == board.dsp


@pytest.mark.slow
def test_local_tflm_tree(tmp_path, digits_manifest, offline_platforms, tflm_tree):
    """With a TFLM tree, a real board's project links the archive built from it instead of the registry library."""
    with pytest.raises(PlatformMissing) as e:
        build.build("digits", "nano33", runtime="tflm", tflm_dir=tflm_tree)
    assert "TFLM library" not in str(e.value)
    env = read_ini(artifact_dir("digits", "nano33") / "firmware")["env:nano33"]
    assert "lib_deps" not in env
    flags = env["build_flags"].split()
    assert "-ltflm" in flags and "-DCMSIS_NN" in flags and any(f.startswith("-L") for f in flags)
    assert str(tflm_tree.resolve()) in env["build_flags"]
    with open(artifact_dir("digits", "nano33") / "firmware" / "offline-check" / "digits.elf", "rb") as f:
        symbols = {s.name for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}
    assert any("MicroInterpreter" in s for s in symbols)  # the offline check linked the archive


@pytest.mark.slow
@pytest.mark.parametrize("board", LINUX, ids=lambda b: b.id)
def test_pi_cross_build(board, digits_manifest):
    fw = build.build("digits", board.id)
    with open(fw.elf, "rb") as f:
        assert ELFFile(f)["e_machine"] == "EM_AARCH64"
    assert fw.size.flash_bytes > 0 and fw.arena_bytes > 0


@pytest.mark.slow
def test_cli_build_table_says_n_a_for_what_litert_does_not_show(build_dir, digits_manifest):
    r = run_cli("build", "--board", "rpi4", "--runtime", "litert", "--model", "digits", build=build_dir)
    assert r.returncode == 0, r.stderr
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]] for line in r.stdout.splitlines()
            if line.count("│") == 5}
    assert rows["static RAM"] == rows["arena (in static RAM)"] == rows["stack reserved"] == ["n/a", "", ""]
    assert rows["flash"][0] == f"{Path(digits_manifest['deploy']).stat().st_size:,}"


@pytest.mark.slow
def test_cli_stops_with_one_line(build_dir, digits_manifest):
    r = run_cli("build", "--board", "esp32s3", "--model", "digits", build=build_dir)
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout
    assert len(errors) == 1 and "'espressif32' platform" in errors[0] and "project ready in" in errors[0]


@pytest.mark.slow
def test_installed_platform_builds_with_pio(monkeypatch, tmp_path, digits_manifest, mlperf):
    """With the platform installed, `pio run` is called in the project and its ELF measured."""
    from toolchain.build import gcc
    from toolchain.build import aot_sources
    from toolchain.build import platformio, compile_steps

    board = load("nano33")
    elf, _ = gcc.build(board, aot_sources.sources(mlperf.kws, "kws", board, tmp_path / "gen"), tmp_path)
    calls = []
    monkeypatch.setattr(platformio, "installed", lambda name, core_dir=None: True)
    monkeypatch.setattr(compile_steps.pio, "run", lambda project, env: calls.append((project, env)) or (elf, 0.1))
    fw = build.build("digits", board.id)
    assert calls == [(artifact_dir("digits", "nano33") / "firmware", "nano33")]
    assert fw.elf == elf and fw.size.flash_bytes > 0 and fw.runtime == "aot"


def test_both_project_writers_share_sources_flags_and_incremental_rewrites(tmp_path):
    """The QEMU and the real-board projects are written by the same code: same harness files and common flags,
    unchanged files keep their mtime, files no longer wanted are removed."""
    from tests.firmware.fake_build import FAKE_DIR
    from toolchain.build import project as qemu_project
    from toolchain.build.sources import ModelSources, tree
    from toolchain.build import project as real_project

    model = ModelSources("fake", "fake", tree(FAKE_DIR, "model"), ["model"], 0, 64, 10, defines=["TM_X=1"])
    real = real_project.write_real(tmp_path / "real", load("nano33"), model, profile=True)
    qemu = qemu_project.write(tmp_path / "qemu", load("qemu-m4"), model)
    files = lambda p: {f.relative_to(p / "src").as_posix() for f in (p / "src").rglob("*") if f.is_file()}  # noqa: E731
    common = {f for f in files(real) if f.startswith(("harness/", "model/"))} | {"port/tm_port.h", "runtime/tm_model.h", "runtime/tm_dtype.h"}
    assert common <= files(qemu) and "main.cpp" in files(real) and "main.c" in files(qemu)
    flags = read_ini(real)["env:nano33"]["build_flags"].split()
    assert flags[:3] == ["-I", "src/harness", "-I"] and '-DTM_BOARD=\\"nano33\\"' in flags
    assert flags[-2:] == ["-DTM_X=1", "-DTM_PROFILE"] and "-DTM_HARNESS_INPUT_CAPACITY=64" in flags
    stale = real / "src" / "model" / "old_model.c"
    stale.write_text("/* from an earlier model */\n")
    before = {f: f.stat().st_mtime_ns for f in (real / "src").rglob("*") if f.is_file() and f != stale}
    real_project.write_real(real, load("nano33"), model, profile=True)
    assert not stale.exists()
    assert {f: f.stat().st_mtime_ns for f in (real / "src").rglob("*") if f.is_file()} == before


@pytest.mark.slow
def test_local_tree_on_a_core_it_cannot_build(digits_manifest, offline_platforms, tflm_tree, monkeypatch):
    """The ESP32-S3 is no Cortex-M: with a local tree set, it still gets the registry's library (with a warning)."""
    monkeypatch.setenv("TOOLCHAIN_TFLM_DIR", str(tflm_tree))
    with pytest.raises(PlatformMissing) as e:
        build.build("digits", "esp32s3", runtime="tflm")
    assert "TFLM library" in str(e.value)
    env = read_ini(artifact_dir("digits", "esp32s3") / "firmware")["env:esp32s3"]
    assert "TensorFlowLite_ESP32" in env["lib_deps"]
