"""`process://COMMAND ARGS...`: a program's stdin/stdout as the link.

For Linux targets: the cross-built harness binary (natively on a Raspberry Pi,
or under `qemu-aarch64-static -L /usr/aarch64-linux-gnu` elsewhere) and the
LiteRT runner. The rest of the URL is split like a shell would (shlex), e.g.

    process://qemu-aarch64-static -L /usr/aarch64-linux-gnu build/kws/rpi4/pi/tm_harness
    process://python -m toolchain.device.pi.litert_runner model.tflite

The process starts when the transport opens and is stopped when it closes;
`reopen` starts it again (a fresh boot banner). Its stderr is kept in a
temporary file and quoted when the process dies. Baud rate is ignored.
"""

import logging
import os
import select
import shlex
import subprocess
import tempfile

from toolchain.device.harness.errors import TransportError
from toolchain.device.harness.transports.base import Transport as BaseTransport

log = logging.getLogger(__name__)

SCHEME = "process://"


class Transport(BaseTransport):
    FORM = "process://COMMAND [ARGS...], e.g. process://./tm_harness"
    rate = 200_000.0  # a pipe; qemu-aarch64 slows the program, not the pipe

    def __init__(self, url: str, baud: int | None = None):
        super().__init__(url)
        try:
            self.argv = shlex.split(url[len(SCHEME):]) if url.startswith(SCHEME) else []
        except ValueError:
            self.argv = []
        if not self.argv:
            raise TransportError(f"malformed URL '{url}'", f"expected {self.FORM}")
        if baud is not None:
            log.info("process transport ignores baud=%s", baud)
        self.proc: subprocess.Popen | None = None
        self.stderr = None
        self.open()

    def open(self) -> None:
        self.stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                         bufsize=0)
        except OSError as e:
            raise TransportError(f"cannot start {self.argv[0]}: {e.strerror or e}",
                                 "check the command in the process:// URL exists and is executable") from e

    def _died(self) -> TransportError:
        code = self.proc.wait(timeout=5) if self.proc else None
        self.stderr.seek(0)
        tail = self.stderr.read().decode(errors="replace").strip().splitlines()[-3:]
        why = f": {' | '.join(tail)}" if tail else ""
        return TransportError(f"{self.argv[0]} exited with status {code}{why}", "run the command by hand to see why")

    def write(self, data: bytes) -> None:
        if self.proc is None:
            raise TransportError(f"{self.url} is closed")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise self._died() from e

    def read(self, timeout: float) -> bytes:
        if self.proc is None:
            raise TransportError(f"{self.url} is closed")
        out = self.proc.stdout
        ready, _, _ = select.select([out], [], [], timeout)
        if not ready:
            return b""
        data = os.read(out.fileno(), 65536)
        if not data:
            raise self._died()
        return data

    def close(self) -> None:
        if self.proc is None:
            return
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.stderr.close()
