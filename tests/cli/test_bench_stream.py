"""`toolchain bench --stream` and its options: each misuse is one clear error, before anything is built."""

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli


@pytest.mark.parametrize("args, needles", [
    (["--stream", "--compare", "tflm,aot"], ["--compare does not apply to --stream"]),
    (["--stream", "--profile", "--samples", "3"], ["--profile, --samples does not apply to --stream"]),
    (["--minutes", "3"], ["--minutes only applies to --stream", "add --stream"]),
    (["--threshold", "0.5", "--recording-seed", "2"], ["--threshold, --recording-seed only applies to --stream"]),
    (["--stream", "--minutes", "100"], ["--minutes 100.0 is out of range", "0.1 to 60"]),
    (["--stream", "--threshold", "1.5"], ["--threshold 1.5 is no posterior"]),
    (["--voices", "heldout"], ["--voices only applies to --stream"]),
    (["--average", "8"], ["--average only applies to --stream"]),
    (["--stream", "--average", "40"], ["the detector needs every_hops >= 1 and average 1 to 16"]),
    (["--stream", "--voices", "everyone"], ["--voices everyone is not a voice set", "espeak, heldout"]),
])
def test_stream_misuse_is_one_clear_error(args, needles, tmp_path):
    r = run_cli("bench", "--board", "qemu-m4", "--model", "keywords", *args, build=tmp_path)
    assert_clean_error(r, *needles)
    assert r.returncode == 2
    assert not list(tmp_path.rglob("*")), "nothing may be built for a refused command"


def test_stream_needs_an_audio_model(tmp_path, mlperf):
    r = run_cli("bench", "--stream", "--board", "qemu-m4", "--model", str(mlperf.kws), build=tmp_path)
    assert_clean_error(r, "is not an audio model", "speech or wav_folder")
    assert not list(tmp_path.rglob("firmware")), "nothing may be built for a model that cannot stream"


def test_stream_refuses_a_runtime_the_board_cannot_take_before_training(tmp_path):
    r = run_cli("bench", "--stream", "--board", "qemu-m4", "--model", "keywords", "--runtime", "litert", build=tmp_path)
    assert_clean_error(r, "the litert runtime cannot be built for qemu-m4", "--runtime aot or tflm")
    assert not list(tmp_path.rglob("*.keras")), "nothing may be trained for a refused command"
