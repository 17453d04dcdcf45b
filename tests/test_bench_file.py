"""bench.json's contract and its one reader: what bench writes is read back with its version, an old file
(no version) is read as it is, a newer or unreadable one is one clear line telling the user to bench again."""

import json

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain import bench_file

OLD = {"model": "fake", "board": "qemu-m4", "runtime": "aot", "status": "complete",
       "latency": {"instructions_median": 1200, "unit": "instructions (emulated)", "runs": 5,
                   "measured_on": "qemu-system-arm"}}


def test_missing_is_none_and_old_files_are_read_as_they_are(tmp_path):
    assert bench_file.read(tmp_path / "bench.json") is None
    (tmp_path / "bench.json").write_text(json.dumps(OLD))
    assert bench_file.read(tmp_path / "bench.json") == OLD


@pytest.mark.parametrize("text, needle", [(json.dumps({**OLD, "version": bench_file.VERSION + 1}), "newer toolchain"),
                                          ("{ cut short", "is unreadable"), ("[1, 2]", "holds no bench results")])
def test_a_file_it_cannot_read_is_one_clear_line(tmp_path, text, needle):
    d = tmp_path / "fake" / "qemu-m4"
    d.mkdir(parents=True)
    (d / "bench.json").write_text(text)
    with pytest.raises(bench_file.BenchFileError, match=needle):
        bench_file.read(d / "bench.json")
    assert_clean_error(run_cli("report", "--board", "qemu-m4", "--model", "fake.tflite", build=tmp_path), needle,
                       "rerun `toolchain bench`")


def test_old_and_new_files_make_the_same_report(tmp_path):
    from toolchain import report

    old, new = tmp_path / "old", tmp_path / "new"
    for d, r in ((old, OLD), (new, {**OLD, "version": bench_file.VERSION})):
        d.mkdir()
        (d / "bench.json").write_text(json.dumps(r))
    assert report.write(old).read_text() == report.write(new).read_text()


@pytest.mark.qemu
def test_what_bench_writes_is_versioned_and_typed(fake_fw, tmp_path):
    from tests.firmware.fake_build import HASH, reference, samples
    from toolchain.bench import measure
    from toolchain.device.emulate import Emulator
    from toolchain.device.harness.client import DeviceClient
    from toolchain.device.harness.transports import open_transport

    x = samples(3)
    with Emulator(fake_fw.board, fake_fw.elf) as emu, open_transport(emu.url) as t:
        written = measure(DeviceClient(t, expected_hash=HASH), fake_fw.board, tmp_path / "bench.json", inputs=x,
                          labels=reference(x).argmax(1), host_outputs=reference(x), runs=5, warmups=1,
                          meta={"model": "fake", "runtime": "fake"}, static={"flash_bytes": 1, "arena_bytes": 0})
    r = bench_file.read(tmp_path / "bench.json")
    assert r["version"] == bench_file.VERSION and r["status"] == "complete" and r == json.loads(json.dumps(written))
    for key, typed in (("", bench_file.BenchResult), ("latency", bench_file.Latency), ("memory", bench_file.Memory),
                       ("accuracy", bench_file.Accuracy)):
        section = r[key] if key else r
        assert set(section) <= set(typed.__annotations__), f"{key or 'bench.json'} keys outside its TypedDict"
