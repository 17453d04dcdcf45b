"""sweep.json: every point of a sweep keyed by its config hash, written again
after every point (atomically), so a rerun skips what is finished and Ctrl-C
loses only the points still running.

    {"name", "model", "seed", "space", "max_latency", "current": [ids of the last run's points],
     "points": {id: {"config", "status": "ok" | "infeasible" | "failed", "error", "accuracy",
                     "instructions", "arena_bytes", "flash_bytes", "ram_bytes", ...}}}
"""

import json
from datetime import datetime, timezone
from pathlib import Path

from toolchain import manifest
from toolchain.sweep.errors import SweepError

FILE = "sweep.json"
FINISHED = ("ok", "infeasible", "failed")


class Results:
    def __init__(self, path: Path, data: dict):
        self.path = Path(path)
        self.data = data

    @classmethod
    def open(cls, directory: Path) -> "Results":
        path = Path(directory) / FILE
        data = {"points": {}}
        if path.exists():
            try:
                data = json.loads(path.read_text())
            except json.JSONDecodeError as e:
                raise SweepError(f"{path} is not valid JSON ({e})", "move it away to start the sweep afresh") from None
        return cls(path, data)

    @property
    def points(self) -> dict[str, dict]:
        return self.data.setdefault("points", {})

    def current(self) -> list[dict]:
        """The records of the last run's points that are finished, with their ids."""
        return [{"id": i, **self.points[i]} for i in self.data.get("current", []) if i in self.points]

    def finished(self, point_id: str, retry_failed: bool = False) -> bool:
        status = self.points.get(point_id, {}).get("status")
        return status in FINISHED and not (retry_failed and status == "failed")

    def start(self, **meta) -> None:
        self.data.update(meta)
        for rec in self.points.values():
            apply_latency(rec, meta.get("max_latency"))
        self.save()

    def put(self, point_id: str, rec: dict) -> None:
        self.points[point_id] = {**rec, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        apply_latency(self.points[point_id], self.data.get("max_latency"))
        self.save()

    def save(self) -> None:
        manifest.write_json_atomic(self.path, self.data)


def apply_latency(rec: dict, max_latency: int | None) -> None:
    """A measured point that fits the board is infeasible when slower than `max_latency` instructions (the
    limit may change between runs: the measurement stays, the verdict follows the limit)."""
    if not rec.get("fits") or rec.get("instructions") is None:
        return
    if max_latency is not None and rec["instructions"] > max_latency:
        rec.update(status="infeasible",
                   error=f"latency {rec['instructions']:,} instructions > --max-latency {max_latency:,}")
    else:
        rec.update(status="ok", error=None)
