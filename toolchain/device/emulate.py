"""QEMU for emulated boards: boots a firmware ELF with `-icount shift=0`
(guest time follows instructions, so tick counts are deterministic) and its
UART on a local TCP port, `socket://127.0.0.1:PORT` for the harness.

`nodelay=on` matters: without it every command round trip costs ~44 ms.

QEMU runs in its own session (a Ctrl-C meant for us never reaches it
half-way) and gets SIGTERM when this process dies, however it dies
(PR_SET_PDEATHSIG), so no orphaned QEMU keeps a port busy.
"""

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from toolchain import manifest
from toolchain.boards import Board
from toolchain.boards.errors import BoardError
from toolchain.errors import ToolchainError

BOOT_TIMEOUT_S = 5.0
# beside the model's artifacts while `toolchain emulate` runs, so `bench` can use that QEMU
STATE_FILE = "emulator.json"
_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded here, not in the forked child
_PR_SET_PDEATHSIG = 1


class EmulatorError(ToolchainError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_emulator(board: Board) -> str:
    """The QEMU executable for `board`; a clear error for a board QEMU cannot boot (checked before building)."""
    if board.emulator == "qemu-aarch64":
        raise BoardError(f"board '{board.id}' is a Linux target, not firmware to boot in QEMU",
                         f"`toolchain bench --board {board.id}` runs it (under qemu-aarch64 off the Pi)")
    if board.emulator != "qemu-system-arm":
        raise BoardError(f"board '{board.id}' has no emulator", "use a qemu-* board (see `toolchain boards`), or flash the real board")
    exe = shutil.which(board.emulator)
    if not exe:
        raise EmulatorError(f"{board.emulator} not found", "install it: apt-get install --no-install-recommends qemu-system-arm")
    return exe


def listen_port(spec: str | None) -> int | None:
    """The TCP port of `--port`: `socket://127.0.0.1:N` (the URL bench connects to) or a bare `N`."""
    if spec is None:
        return None
    text = spec.removeprefix("socket://")
    host, _, number = text.rpartition(":") if ":" in text else ("127.0.0.1", "", text)
    if host not in ("127.0.0.1", "localhost") or not number.isdigit() or not 0 < int(number) < 65536:
        raise EmulatorError(f"--port {spec!r} is not a local TCP port",
                            "use socket://127.0.0.1:PORT or a port number from 1 to 65535")
    return int(number)


def check_port_free(port: int) -> None:
    """QEMU would fail to bind a busy port, and the listener there is not ours to talk to."""
    with socket.socket() as s:
        # as QEMU does: a port whose last connection is in TIME_WAIT is free
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            raise EmulatorError(f"port {port} is already in use ({e.strerror or e})",
                                "pick another --port, or leave it out for a free one") from e


def qemu_command(board: Board, elf: Path, port: int, extra: tuple[str, ...] = ()) -> list[str]:
    """`extra`: more QEMU arguments, e.g. the cycle model's `-plugin`."""
    return [check_emulator(board), "-machine", board.machine, "-nographic", "-monitor", "none", "-icount", "shift=0",
            "-semihosting-config", "enable=on,target=native", "-kernel", str(elf),
            "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on,nodelay=on", *extra]


class Emulator:
    """One QEMU process serving one firmware; `url` is where the harness connects.

    With `wait=on` QEMU holds the guest until the first client connects, so no
    boot output is lost."""

    def __init__(self, board: Board, elf: Path, port: int | None = None, extra_args: tuple[str, ...] = ()):
        self.board = board
        self.elf = Path(elf)
        self.extra_args = tuple(extra_args)
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def start(self) -> "Emulator":
        if not self.elf.exists():
            raise EmulatorError(f"firmware {self.elf} not found", f"build it first: toolchain build --board {self.board.id}")
        if self.fixed_port:
            check_port_free(self.port)
        try:
            return self._start()
        except EmulatorError:
            if self.fixed_port:
                raise
            # another process may have taken the free port we picked: one more try on a new one
            self.port = free_port()
            return self._start()

    def _start(self) -> "Emulator":
        main_thread = threading.current_thread() is threading.main_thread()
        cmd = qemu_command(self.board, self.elf, self.port, self.extra_args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True, preexec_fn=_die_with_parent if main_thread else None)
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while not self._listening():
            if self.proc.poll() is not None:
                raise self.died()
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorError(f"QEMU did not open port {self.port} within {BOOT_TIMEOUT_S:.0f} s")
            time.sleep(0.02)
        return self

    def _listening(self) -> bool:
        """Whether our QEMU, not some other process, listens on the port.

        /proc is cheaper than a probe connection, which QEMU would take as its client."""
        port_hex = f":{self.port:04X}"
        try:
            lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
            fds = {os.readlink(f) for f in Path(f"/proc/{self.proc.pid}/fd").iterdir()}
        except OSError:
            return False
        listeners = [ln.split() for ln in lines if ln.split()[1].endswith(port_hex) and ln.split()[3] == "0A"]
        return any(f"socket:[{f[9]}]" in fds for f in listeners)

    def died(self) -> EmulatorError:
        """Why QEMU is gone: its exit status and the tail of its stderr."""
        self.proc.wait()
        tail = " | ".join(self.proc.stderr.read().decode(errors="replace").strip().splitlines()[-3:])
        return EmulatorError(f"QEMU exited with status {self.proc.returncode}" + (f": {tail}" if tail else ""),
                             f"check that the ELF is for {self.board.machine}; `toolchain emulate` again restarts it")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc.stderr.close()
            self.proc = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the parent dies (Linux prctl PR_SET_PDEATHSIG).

    The "parent" is the thread that forked, so a QEMU started from a helper thread (a test's fault
    injector) would die with that thread: only the main thread's children get it."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def record(directory: Path, emu: Emulator) -> Path:
    path = Path(directory) / STATE_FILE
    manifest.write_json_atomic(path, {"pid": emu.proc.pid, "url": emu.url, "elf": str(emu.elf),
                                      "elf_hash": manifest.file_hash(emu.elf)})
    return path


def running_url(directory: Path, elf: Path) -> str | None:
    """URL of a `toolchain emulate` still running this very ELF, else None."""
    path = Path(directory) / STATE_FILE
    try:
        state = json.loads(path.read_text())
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return state["url"] if state.get("elf_hash") == manifest.file_hash(elf) else None
