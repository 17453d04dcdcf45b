"""A Transport that replays a recorded session: `> cmd` lines are what the
host must send (without `%`), `< line` lines what the device answered."""

from pathlib import Path

from toolchain.device.harness.transports import Transport


class Replay(Transport):
    def __init__(self, log: Path):
        super().__init__(f"replay://{Path(log).name}")
        self.exchanges: list[tuple[str, list[str]]] = []
        for line in Path(log).read_text(encoding="latin-1").splitlines():
            if line.startswith(">"):
                self.exchanges.append((line[2:], []))
            else:
                self.exchanges[-1][1].append(line[2:])
        self.sent = b""
        self.out = b""

    def open(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        self.sent += data
        while b"%" in self.sent:
            cmd, self.sent = self.sent.split(b"%", 1)
            assert self.exchanges, f"host sent {cmd!r} after the end of the recorded session"
            want, reply = self.exchanges.pop(0)
            assert cmd.decode() == want, f"host sent {cmd!r}, the session expects {want!r}"
            self.out += "".join(f"{r}\n" for r in reply).encode("latin-1")

    def read(self, timeout: float) -> bytes:
        data, self.out = self.out, b""
        return data
