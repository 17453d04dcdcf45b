import base64
import io
import json
import re

import matplotlib.image
import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import SHARED_MODELS, run_cli

KWS = SHARED_MODELS / "kws_ref_model.tflite"
from toolchain import report
from toolchain.report import page, plots


def test_report_without_bench_results(tmp_path, mlperf):
    assert_clean_error(run_cli("report", "--board", "qemu-m4", "--model", str(KWS), build=tmp_path), "no bench results",
                       "toolchain bench")
    assert not list(tmp_path.iterdir()), "a refused report leaves no empty build folder"


def embedded_pngs(html: str) -> dict[str, tuple[int, int]]:
    """Title -> (height, width) of every embedded plot, each decoded as a PNG."""
    found = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)">', html)
    return {title: matplotlib.image.imread(io.BytesIO(base64.b64decode(data)), format="png").shape[:2]
            for title, data in found}


def test_memory_plot_leaves_out_what_the_target_cannot_measure():
    mem = {"flash_bytes": 50_000, "ram_bytes": None, "arena_bytes": None, "stack_bytes": None,
           "stack_reserved_bytes": None, "board_flash_bytes": 1 << 20, "board_ram_bytes": 1 << 18}
    ax = plots._memory_plot({"memory": mem}).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["flash"]
    assert [t.get_text() for t in ax.texts] == ["50,000 B (4.77 %)"]
    rows = dict(report.summary_rows({"memory": mem}))
    assert rows["static RAM"] == rows["arena"] == rows["stack used"] == "n/a (not measurable on this target)"
    assert rows["flash"] == "50,000 B of 1,048,576 B"


@pytest.mark.qemu
def test_report_from_a_real_bench(fake_fw, tmp_path):
    from tests.firmware.fake_build import HASH, reference, samples
    from toolchain.bench import measure
    from toolchain.device.emulate import Emulator
    from toolchain.device.harness.client import DeviceClient
    from toolchain.device.harness.transports import open_transport

    x = samples(30)
    with Emulator(fake_fw.board, fake_fw.elf) as emu, open_transport(emu.url) as t:
        measure(DeviceClient(t, expected_hash=HASH), fake_fw.board, tmp_path / "bench.json", inputs=x,
                labels=reference(x).argmax(1), host_outputs=reference(x), runs=5, warmups=1,
                meta={"model": "fake", "runtime": "fake"},
                static={"flash_bytes": fake_fw.size.flash_bytes, "ram_bytes": fake_fw.size.ram_bytes,
                        "stack_reserved_bytes": fake_fw.size.stack_reserved_bytes, "arena_bytes": 0})
    b = json.loads((tmp_path / "bench.json").read_text())
    html = report.write(tmp_path).read_text()
    lat, mem = b["latency"], b["memory"]
    assert f"{lat['instructions_median']:,} instructions (emulated) over 5 runs" in html
    assert f"{mem['flash_bytes']:,} B of {mem['board_flash_bytes']:,} B" in html
    assert f"{mem['stack_bytes']:,} B of {mem['stack_reserved_bytes']:,} B" in html
    assert "100.00 % of 30 samples" in html and "arena</th><td>n/a" in html
    pngs = embedded_pngs(html)
    assert set(pngs) == {"Memory vs board limits", "Accuracy per artifact"}
    assert all(h > 100 and w > 300 for h, w in pngs.values())


def test_report_from_a_profiled_run_only(tmp_path):
    lat = {"instructions_median": 1200, "unit": "instructions (emulated)", "runs": 5, "measured_on": "qemu-system-arm",
           "layers": [{"index": 0, "op": "CONV_2D", "value": 1000}, {"index": 1, "op": "SOFTMAX", "value": 200}]}
    (tmp_path / "bench-profile.json").write_text(json.dumps({"model": "m", "board": "qemu-m4", "runtime": "aot",
                                                             "status": "complete", "latency": lat}))
    html = report.write(tmp_path).read_text()
    assert "Only a profiled run so far (median 1,200 instructions (emulated))" in html
    assert set(embedded_pngs(html)) == {"Latency per layer (profiled build)"}


def test_report_ignores_figures_of_another_model_build(tmp_path, monkeypatch):
    """A profile or an export table of another build is never shown as this bench's."""
    lat = {"instructions_median": 1200, "unit": "instructions (emulated)", "runs": 5, "measured_on": "qemu-system-arm"}
    bench = {"model": "m", "board": "qemu-m4", "runtime": "aot", "status": "complete", "latency": lat,
             "accuracy": {"device": 0.9, "samples": 10, "agreement": 1.0}, "firmware": {"tflite_hash": "a" * 16}}
    (tmp_path / "bench.json").write_text(json.dumps(bench))
    profiled = {**lat, "layers": [{"index": 0, "op": "CONV_2D", "value": 1000}]}
    (tmp_path / "bench-profile.json").write_text(json.dumps({**bench, "latency": profiled,
                                                             "firmware": {"tflite_hash": "b" * 16}}))
    deployed = tmp_path / "int8.tflite"
    deployed.write_bytes(b"another model")
    (tmp_path / "manifest.json").write_text(json.dumps({"deploy": str(deployed), "artifacts": [
        {"name": "int8", "accuracy": 0.5, "path": str(deployed), "size_bytes": 13}]}))
    plotted = []
    real = page._quality_plot
    monkeypatch.setattr(page, "_quality_plot", lambda b, m: plotted.append(real(b, m)[1]) or ("Accuracy", plotted[-1]))
    html = report.write(tmp_path).read_text()
    assert "bench-profile.json is of another build of this model" in html
    assert "Latency per layer (profiled build)" not in embedded_pngs(html)
    # one bar, the device's own: the manifest's rows describe another model file
    assert len(plotted[0].axes[0].patches) == 1
