"""The front-end on the device (QEMU Cortex-M4) against the same C built for the
host: the int8 features must be bit-exact, clip by clip."""

import time

import numpy as np
import pytest

from toolchain.audio import FrontendConfig, features
from toolchain.boards import load
from toolchain.build import project, compile_steps
from toolchain.build.audio import features_sources, symbol_bytes
from toolchain.device.emulate import Emulator
from toolchain.device.harness import protocol
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.transports import open_transport

pytestmark = [pytest.mark.qemu, pytest.mark.slow]


def clips() -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(16000) / 16000
    tone = 32767 * np.sin(2 * np.pi * 1000 * t)  # full scale: the largest FFT values
    burst = rng.normal(size=16000) * 8000 * (np.sin(2 * np.pi * 2 * t) > 0.5)
    square = np.where(np.sin(2 * np.pi * 440 * t) > 0, 32767, -32768)
    return np.stack([tone, burst, square, rng.normal(size=16000) * 2, np.zeros(16000)]).astype(np.int16)


@pytest.mark.parametrize("settings", [{}, {"mel_bands": 32, "window_ms": 25, "hop_ms": 10}])
def test_device_features_are_bit_exact(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path / "build"))
    cfg = FrontendConfig.of(settings)
    sources = features_sources(cfg, tmp_path / "gen")
    board = load("qemu-m4")
    proj = project.write(tmp_path / "fw", board, sources)
    fw = compile_steps.compile_project(board, sources, proj, started=time.monotonic(), profile=False,
                              model_hash=sources.extra["hash"])
    x = clips()
    host = features(x, cfg).reshape(len(x), -1)
    with Emulator(fw.board, fw.elf) as emu, open_transport(emu.url) as t:
        client = DeviceClient(t, expected_hash=fw.model_hash)
        client.resync()
        assert client.info.input_bytes == 32000 and client.info.output_count == cfg.frames * cfg.mel_bands
        for clip, want in zip(x, host):
            inf = client.run_sample(clip.tobytes(), timeout=60)
            got = np.frombuffer(protocol.raw_outputs(inf.results, 1.0, 0, "int8"), dtype=np.int8)
            assert np.array_equal(got, want)
            # the front-end reports itself as profile layer 0
            assert len(inf.layer_ticks) == 1 and inf.layer_ticks[0] > 0
    mem = symbol_bytes(fw.elf)
    assert mem["ram_bytes"] >= cfg.fft * 4 and mem["flash_bytes"] > cfg.window * 2
