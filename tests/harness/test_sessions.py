"""The host client against sessions captured from the fake-model firmware in
QEMU (tests/harness/capture.py): `<case>.log` is the exchange, faults
included, `<case>.exp` the outcome the client reached live (results, or the
one error line)."""

import json
from pathlib import Path

import pytest

from tests.harness import capture
from tests.harness.replay import Replay

HERE = Path(__file__).parent
CASES = sorted(p.stem for p in HERE.glob("*.log"))


def expected(case: str) -> dict:
    return json.loads((HERE / f"{case}.exp").read_text())


def test_every_case_is_captured_and_every_capture_is_a_case():
    assert CASES == sorted(capture.CASES)
    for case in CASES:
        assert (HERE / f"{case}.log").read_text().startswith("# captured by tests/harness/capture.py"), case


@pytest.mark.parametrize("case", CASES)
def test_recorded_session(case):
    t = Replay(HERE / f"{case}.log")
    assert capture.outcome(t) == expected(case)
    assert not t.exchanges, f"session not fully replayed: next is {t.exchanges[0][0]!r}"


@pytest.mark.parametrize("case", CASES)
def test_outcome_is_what_the_fake_model_computes(case):
    """The .exp files are the live client's outcomes; here they meet the fake model's own arithmetic."""
    exp, spec = expected(case), capture.CASES[case]
    if spec.firmware == "other":
        assert "hash fedcba9876543210" in exp["error"] and "not the model being measured" in exp["error"]
        return
    assert exp["model"] == "fake" and exp["results"] == capture.expected_results()
    assert len(exp["run_ticks"]) == 1 and exp["run_ticks"][0] > 0
    assert exp["faults"] == (0 if spec.fault is None else 1)


@pytest.mark.qemu
def test_captured_again_the_cases_end_the_same_way(fake_fw, other_fake_fw, tmp_path):
    """The firmware of today, captured again: every case still ends as recorded. The timings in the logs may
    differ, and so may the faults counted: where on the live link a fault lands (a byte dropped from a lap
    time or from a result) decides whether the client notices it."""
    firmware = {"fake": fake_fw, "other": other_fake_fw}
    for case, spec in capture.CASES.items():
        _, result = capture.capture(spec, firmware, tmp_path)
        want = expected(case)
        assert result.pop("faults", 0) <= want.pop("faults", 0) and result == want, case
