"""toolchain/report/page.py: the arena plan shown is the one the AOT build of
the benched model wrote, found through the runtime table."""

import json

from toolchain.report.page import _aot_plan


def test_the_plan_comes_from_the_ahead_of_time_runtimes_project(tmp_path):
    plan = tmp_path / "firmware" / "generated" / "plan.json"
    plan.parent.mkdir(parents=True)
    plan.write_text(json.dumps({"model_hash": "abc", "arena_bytes": 64}))
    firmware = {"tflite_hash": "abc"}
    assert _aot_plan(tmp_path, {"runtime": "aot", "firmware": firmware})["arena_bytes"] == 64
    assert _aot_plan(tmp_path, {"runtime": "tflm", "firmware": firmware,
                                "compare": {"runtimes": ["tflm", "aot"]}})["arena_bytes"] == 64
    assert _aot_plan(tmp_path, {"runtime": "tflm", "firmware": firmware}) is None
    assert _aot_plan(tmp_path, {"runtime": "litert-xnnpack", "firmware": firmware}) is None
    assert _aot_plan(tmp_path, {"runtime": "aot", "firmware": {"tflite_hash": "other"}}) is None
