"""The device's statistics (firmware/harness/tm_stats.c) in QEMU, around the fake model: equal to the host twin
over the same samples, `stats%` / `stats reset%`, and a firmware built without them."""

import time

import numpy as np
import pytest

from tests.firmware.fake_build import FAKE_DIR, HASH, INPUT_BYTES, OUTPUTS, OUT_SCALE, OUT_ZP, reference, samples
from toolchain.boards import load
from toolchain.build import project, compile_steps
from toolchain.build.sources import ModelSources, tree
from toolchain.device.emulate import Emulator
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.transports import open_transport
from toolchain.export import field_stats as stats
from toolchain.monitor.errors import MonitorError
from toolchain.monitor.session import feed, read_stats

pytestmark = pytest.mark.qemu
CHANNELS = 4


def _build(out_dir, defines):
    sources = ModelSources("fake", "fake", tree(FAKE_DIR, "model"), ["model"], 0, INPUT_BYTES, OUTPUTS,
                           defines=defines)
    b = load("qemu-m4")
    proj = project.write(out_dir, b, sources)
    return compile_steps.compile_project(b, sources, proj, started=time.monotonic(), profile=False, model_hash=HASH)


@pytest.fixture(scope="module")
def stats_fw(tmp_path_factory):
    # a low threshold of 40 (outputs are 0.5 * (raw + 3)) splits the fake model's top-1 values
    return _build(tmp_path_factory.mktemp("stats_fw"),
                  [f"TM_STATS_CHANNELS={CHANNELS}", f"TM_STATS_CLASSES={OUTPUTS}", "TM_STATS_LOW_CONFIDENCE=40.0f"])


def _client(fw):
    emu = Emulator(fw.board, fw.elf).start()
    t = open_transport(emu.url)
    c = DeviceClient(t, expected_hash=HASH)
    c.resync()
    return emu, t, c


def test_device_statistics_equal_the_host_twin_over_the_same_samples(stats_fw):
    emu, t, c = _client(stats_fw)
    try:
        x = samples(60, seed=3)
        for row in x:
            c.run_sample(row.tobytes())
        c.run_sample(x[0].tobytes(), runs=5, warmups=2)  # one served inference, however many runs it times
        dev = read_stats(c)
    finally:
        t.close()
        emu.stop()
    fed = np.concatenate([x, x[:1]])
    host = stats.compute(fed, reference(fed), scale=OUT_SCALE, zero_point=OUT_ZP, output_dtype="int8",
                         channels=CHANNELS, classes=OUTPUTS, low_confidence=40.0)
    # counts and the integer sums are exact; so are the moments derived from them (tolerance 0)
    assert dev.count == 61 and 0 < host.low < 61
    for k in ("count", "classes", "confidence", "low", "sum", "sumsq"):
        assert getattr(dev, k) == getattr(host, k), k
    dm, dv = dev.moments(INPUT_BYTES // CHANNELS)
    want = fed.reshape(-1, CHANNELS).astype(np.float64)
    assert np.allclose(dm, want.mean(0), rtol=0, atol=1e-12) and np.allclose(dv, want.var(0), rtol=1e-12, atol=1e-9)
    assert dev.config == {"channels": CHANNELS, "classes": OUTPUTS, "bins": 16, "low_confidence": 40.0}
    assert 0 < dev.cost_ticks < 100  # ticks of 40 instructions: under 4,000 instructions per update


def test_stats_and_stats_reset_round_trip(stats_fw):
    emu, t, c = _client(stats_fw)
    try:
        assert read_stats(c).count == 0
        for row in samples(3):
            c.run_sample(row.tobytes())
        before = read_stats(c)
        assert before.count == 3 and sum(before.classes) == 3 and any(before.sumsq)
        r = c.command("stats reset")
        assert r.fields == {"stats-reset": "0"} and not r.errors
        after = read_stats(c)
        assert (after.count, sum(after.classes), sum(after.confidence), after.sum, after.sumsq) == (
            0, 0, 0, [0] * CHANNELS, [0] * CHANNELS)
        assert "stats takes no argument but reset" in c.command("stats everything").errors[0]
        # outputs are untouched by the statistics
        x = samples(5, seed=9)
        got = [[round(v / OUT_SCALE) + OUT_ZP for v in c.run_sample(row.tobytes()).results] for row in x]
        assert got == reference(x).tolist()
    finally:
        t.close()
        emu.stop()


def test_a_firmware_without_statistics_gives_one_clear_error(tmp_path):
    fw = _build(tmp_path / "nostats", ["TM_STATS=0"])
    emu, t, c = _client(fw)
    try:
        with pytest.raises(MonitorError) as e:
            read_stats(c)
    finally:
        t.close()
        emu.stop()
    assert "keeps no field statistics (statistics are off in this firmware (built with TM_STATS=0))" in e.value.message
    assert "TM_STATS=0" in e.value.hint and "toolchain build" in e.value.hint


def test_feeding_goes_through_the_clients_checked_round_trips(stats_fw):
    """`monitor --feed` loads several samples per round trip with the client's own way in, deadline and m-check:
    by file and by the MLPerf runner's hex lines alike, the outputs are the model's."""
    emu, t, c = _client(stats_fw)
    try:
        x = samples(45, seed=4)
        for fast in (True, False):
            t.fast = fast
            np.testing.assert_array_equal(feed(c, x), reference(x))
        assert c.loads == {"file": 45, "hex": 45} and c.faults == []
        assert read_stats(c).count == 90
    finally:
        t.close()
        emu.stop()
