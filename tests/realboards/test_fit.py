"""The fit check refuses, before building, a model that does not fit the
board, with the numbers and what to try."""

import numpy as np
import pytest

from tests.conftest import run_cli
from toolchain.build import fit
from toolchain.boards import BoardError, load, runtimes

SIDE, CHANNELS = 128, 16  # one conv output of 128*128*16 B = 256 KiB, plus its input: over the Pico's 264 KiB


@pytest.fixture(scope="module")
def big_tflite(tmp_path_factory):
    """An int8 model whose activations alone exceed the Pico's RAM (TF converter, a few seconds)."""
    import tensorflow as tf

    m = tf.keras.Sequential([tf.keras.Input((SIDE, SIDE, 3)), tf.keras.layers.Conv2D(CHANNELS, 3, padding="same"),
                             tf.keras.layers.MaxPooling2D(8), tf.keras.layers.Flatten(),
                             tf.keras.layers.Dense(4)])
    conv = tf.lite.TFLiteConverter.from_keras_model(m)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(0)
    conv.representative_dataset = lambda: ([rng.random((1, SIDE, SIDE, 3), dtype=np.float32)] for _ in range(4))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = conv.inference_output_type = tf.int8
    path = tmp_path_factory.mktemp("big") / "big.tflite"
    path.write_bytes(conv.convert())
    return path


def test_estimate_adds_up():
    est = fit.estimate(load("pico"), runtime="aot", model_bytes=10_000, arena_bytes=20_000, input_bytes=64,
                       output_bytes=10)
    assert est.ram["arena"] == 20_000 and est.ram["harness buffers"] == 2 * 64 + 10
    assert est.flash_bytes == 10_000 + runtimes.TABLE["aot"].code_bytes + fit.FRAMEWORK["arduino"][0]


def test_refusal_names_numbers_and_other_boards():
    pico = load("pico")
    est = fit.estimate(pico, runtime="tflm", model_bytes=50_000, arena_bytes=300_000, input_bytes=49_152,
                       output_bytes=4)
    with pytest.raises(BoardError) as e:
        fit.check(pico, est, "big (tflm)")
    msg = str(e.value)
    assert "does not fit pico" in msg and f"RAM {est.ram_bytes:,} B > {pico.ram_bytes:,} B" in msg
    assert "arena 300,000" in msg and "nucleo_l4r5zi" in msg and "flash" not in msg.split("(")[0]
    # RAM, not flash, is short: the advice is about the arena, never pruning
    assert "the arena must lose about 156,644 B" in msg and "--runtime aot" in msg and "prune" not in msg


@pytest.mark.slow
def test_big_model_refused_on_pico_before_building(big_tflite, build_dir):
    r = run_cli("build", "--board", "pico", "--model", str(big_tflite), build=build_dir)
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert r.returncode != 0 and "Traceback" not in r.stderr + r.stdout
    assert len(errors) == 1, r.stderr
    assert "does not fit pico" in errors[0] and "RAM" in errors[0] and "270,336 B" in errors[0]
    assert not (build_dir / "big" / "pico" / "firmware" / "platformio.ini").exists()
