"""The terminal view of `toolchain monitor`: one row per window (inferences per second, class mix, confidence,
drift scores), redrawn in place on a terminal and printed line by line otherwise; an alarm is a line of its own."""

from rich.live import Live
from rich.table import Table

from toolchain.console import console

ROWS = 12  # windows kept on screen


def _mix(rec: dict, top: int = 3) -> str:
    ranked = sorted(enumerate(rec["class_mix"]), key=lambda kv: -kv[1])[:top]
    return " ".join(f"{c}:{v:.0%}" for c, v in ranked)


def row(rec: dict) -> list[str]:
    kl = rec["channel_kl"]
    return [str(rec["index"]), str(rec["end_sample"]), f"{rec['per_second']:.0f}", _mix(rec),
            f"{rec['low_confidence']:.0%}", f"{rec['class_psi']:.3f}", f"{rec['confidence_psi']:.3f}",
            f"{max(kl):.3f} (ch {kl.index(max(kl))})" if kl else "-",
            "ALARM" if rec["alarm"] else ("drift" if rec["over"] else "ok")]


HEADERS = ["window", "samples", "inf/s", "class mix", "low conf", "class PSI", "conf PSI", "max channel KL", "state"]


class View:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.live: Live | None = None
        self.title = ""
        self.consecutive = 0

    def _table(self) -> Table:
        t = Table(title=self.title)
        for h in HEADERS:
            t.add_column(h)
        for r in self.rows[-ROWS:]:
            t.add_row(*r)
        return t

    def start(self, result: dict) -> None:
        th = result["thresholds"]
        self.consecutive = result["consecutive"]
        self.title = (f"{result['model']} on {result['board']} ({result['runtime']}): drift against the "
                      f"{result['profile_split']} split; thresholds PSI {th['class_psi']}, channel KL "
                      f"{th['channel_kl']}; alarm after {result['consecutive']} windows of {result['window']}")
        if console.out.is_terminal:
            self.live = Live(self._table(), console=console.out, auto_refresh=False)
            self.live.start()
        else:
            console.info(self.title)
            console.info(" | ".join(HEADERS))

    def window(self, rec: dict, alarm: bool) -> None:
        r = row(rec)
        self.rows.append(r)
        if self.live:
            self.live.update(self._table(), refresh=True)
        else:
            console.info(" | ".join(r))
        if alarm:
            console.warning(f"drift alarm at sample {rec['end_sample']} (window {rec['index']}): "
                            f"{', '.join(rec['over'])} over the threshold for {self.consecutive} consecutive windows")

    def finish(self, result: dict) -> None:
        if self.live:
            self.live.stop()
