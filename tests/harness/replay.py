"""Recorded device sessions: `Recorder` writes down what the host client and a
live device exchanged, `Replay` plays it back to the client as a Transport.

A session file, one event a line, in the order the client saw them:
    > cmd     the host sent `cmd%`
    < line    the device sent `line` and a newline
    <| text   the device sent `text` with no newline yet (the rest came later)
    <.        the link was quiet (a read got nothing) before more came
    # note    a comment
Bytes outside printable ASCII, and the backslash, are written as \\xNN.
Replay hands the client, after each command, what came before the next one,
so the client reads the same bytes at the same points of its exchange.
"""

import re
from pathlib import Path

from toolchain.device.harness.transports import Transport


def escape(data: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in data)


def unescape(text: str) -> bytes:
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text).encode("latin-1")


class Recorder(Transport):
    """Passes everything to `inner`, keeping the session's events."""

    def __init__(self, inner: Transport):
        super().__init__(inner.url)
        self.inner = inner
        self.rate, self.fast = inner.rate, inner.fast
        self.events: list[str] = []
        self._partial = b""
        self._host = b""

    def open(self) -> None:
        self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def reopen(self, within_s: float = 10.0) -> None:
        raise AssertionError("a recorded session cannot replay a reconnection")

    def _flush(self) -> None:
        if self._partial:
            self.events.append("<| " + escape(self._partial))
            self._partial = b""

    def write(self, data: bytes) -> None:
        self._flush()
        self._host += data
        while b"%" in self._host:
            cmd, self._host = self._host.split(b"%", 1)
            self.events.append("> " + escape(cmd))
        self.inner.write(data)

    def read(self, timeout: float) -> bytes:
        data = self.inner.read(timeout)
        if not data:
            self._flush()
            if self.events and self.events[-1] != "<.":
                self.events.append("<.")
            return data
        *lines, self._partial = (self._partial + data).split(b"\n")
        self.events += ["< " + escape(line) for line in lines]
        return data

    def text(self, notes: list[str]) -> str:
        """The session file: quiet marks that only end an exchange are left out (a replay is quiet there anyway)."""
        self._flush()
        events = [e for i, e in enumerate(self.events)
                  if not (e == "<." and (i + 1 == len(self.events) or self.events[i + 1].startswith(">")))]
        return "".join(f"# {n}\n" for n in notes) + "".join(f"{e}\n" for e in events)


class Replay(Transport):
    fast = False  # the recorded sessions load inputs as the MLPerf runner's hex lines

    def __init__(self, log: Path):
        super().__init__(f"replay://{Path(log).name}")
        self.out: list[bytes | None] = []  # what the device has sent and the client not yet read (None: quiet)
        self.exchanges: list[tuple[bytes, list[bytes | None]]] = []  # (command, what came after it)
        for line in Path(log).read_text(encoding="ascii").split("\n"):
            if not line or line.startswith("#"):
                continue
            kind, _, text = line.partition(" ")
            after = self.exchanges[-1][1] if self.exchanges else self.out  # the boot banner comes before any command
            if kind == ">":
                self.exchanges.append((unescape(text), []))
            elif kind == "<.":
                after.append(None)
            else:
                assert kind in ("<", "<|"), f"{log}: unknown event {line!r}"
                after.append(unescape(text) + (b"\n" if kind == "<" else b""))
        self.sent = b""

    def open(self) -> None:
        pass

    def reopen(self, within_s: float = 10.0) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.sent += data
        while b"%" in self.sent:
            cmd, self.sent = self.sent.split(b"%", 1)
            assert self.exchanges, f"host sent {cmd!r} after the end of the recorded session"
            want, reply = self.exchanges.pop(0)
            assert cmd == want, f"host sent {cmd!r}, the session expects {want!r}"
            self.out += reply

    def read(self, timeout: float) -> bytes:
        data = b""
        while self.out and self.out[0] is not None:
            data += self.out.pop(0)
        if not data and self.out:
            self.out.pop(0)  # a quiet moment
        return data
