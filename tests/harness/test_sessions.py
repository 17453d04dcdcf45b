"""The host client against recorded device sessions: `<case>.log` is the
exchange, `<case>.exp` the outcome (results, or the one error line)."""

import json
from pathlib import Path

import pytest

from tests.harness.replay import Replay
from toolchain.device.harness.client import DeviceClient
from toolchain.device.harness.errors import HarnessError

HERE = Path(__file__).parent
CASES = sorted(p.stem for p in HERE.glob("*.log"))


def outcome(log: Path) -> dict:
    t = Replay(log)
    client = DeviceClient(t, expected_hash="0123456789abcdef", timeout=0.5)
    try:
        client.resync()
        inf = client.run_sample(bytes([1, 2, 3, 4]))
    except HarnessError as e:
        return {"error": e.message}
    assert not t.exchanges, f"session not fully replayed: next is {t.exchanges[0][0]!r}"
    return {"model": client.info.model, "results": inf.results, "run_ticks": inf.run_ticks, "faults": len(client.faults)}


@pytest.mark.parametrize("case", CASES)
def test_recorded_session(case):
    assert outcome(HERE / f"{case}.log") == json.loads((HERE / f"{case}.exp").read_text())
