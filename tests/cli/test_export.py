"""`toolchain export --runtime aot` writes the AOT C next to the TFLM sources."""

import json
import subprocess

import pytest

from tests.conftest import SHARED_MODELS, REPO, run_cli

KWS = SHARED_MODELS / "kws_ref_model.tflite"


@pytest.mark.slow
def test_export_aot_for_imported_model(tmp_path, mlperf):
    r = run_cli("export", "--model", str(KWS), "--runtime", "aot", "--json", build=tmp_path)
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    aot = m["aot"]
    assert aot["macs"] == 2_656_768 and 0 < aot["arena_bytes"] <= 17_000
    model_c = tmp_path / "kws_ref_model" / "host" / "aot" / "model.c"
    assert model_c.exists() and {str(model_c)} <= set(aot["files"])
    # the emitted C compiles as C99 against the runtime headers
    inc = ["-I", str(model_c.parent), "-I", str(REPO / "firmware" / "runtime")]
    cc = subprocess.run(["gcc", "-std=c99", "-c", str(model_c), "-o", str(tmp_path / "m.o"), *inc],
                        capture_output=True, text=True)
    assert cc.returncode == 0, cc.stderr


def test_unknown_runtime(tmp_path, mlperf):
    r = run_cli("export", "--model", str(KWS), "--runtime", "tvm", build=tmp_path)
    assert r.returncode == 1 and "unknown runtime 'tvm'" in r.stderr
