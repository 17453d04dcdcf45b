from pathlib import Path

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import SHARED_MODELS, run_cli

KWS = SHARED_MODELS / "kws_ref_model.tflite"
from toolchain import paths

TINY_BOARD = (paths.BOARDS / "qemu-m4.toml").read_text().replace("flash = 4194304", "flash = 16384")


def test_unknown_board(tmp_path, mlperf):
    assert_clean_error(run_cli("build", "--board", "nope", "--model", str(KWS), build=tmp_path), "unknown board 'nope'")


def test_unsupported_runtime(tmp_path, mlperf):
    assert_clean_error(run_cli("build", "--board", "qemu-m4", "--model", str(KWS), "--runtime", "litert", build=tmp_path),
                       "the litert runtime cannot be built for qemu-m4", "--runtime aot or tflm")


@pytest.mark.slow
def test_model_too_big_is_refused_before_building(tmp_path, board_file, mlperf):
    board_file("tiny", TINY_BOARD)
    r = run_cli("build", "--board", "tiny", "--model", str(KWS), build=tmp_path / "build")
    # the same check, numbers and advice as for real boards (toolchain/build/fit.py)
    assert_clean_error(r, "does not fit tiny", "16,384 B (model ", "aot runtime", "int8 already", "fewer weights")
    assert "prune" not in r.stderr  # pruning does not shrink dense int8 storage
    assert not list((tmp_path / "build").rglob("platformio.ini"))


@pytest.mark.slow
def test_build_kws_offline(tmp_path, mlperf):
    r = run_cli("build", "--board", "qemu-m4", "--model", str(KWS), build=tmp_path)
    assert r.returncode == 0, r.stderr
    fw = tmp_path / "kws_ref_model" / "qemu-m4" / "firmware"
    assert (fw / ".pio" / "build" / "qemu-m4" / "firmware.elf").exists()
    assert "flash" in r.stdout and "static RAM" in r.stdout
    assert Path(fw / "boards" / "qemu-m4.json").exists()
