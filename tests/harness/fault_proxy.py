"""A TCP proxy between the harness and QEMU that injects one fault once
`after` bytes have flowed: garbage bytes, dropped bytes, silence or a callback
(kill/restart the emulator) on the device's output, or `drop_in`: bytes lost
on the way to the device, or `callback_in`: a callback (reset the device) just
before the host's first bytes that start with `marker` reach it."""

import random
import socket
import threading
import time


class FaultProxy:
    def __init__(self, upstream_port: int, fault: str | None = None, after: int = 2000, on_fault=None, silence_s: float = 5.0,
                 marker: bytes = b""):
        self.upstream_port = upstream_port
        self.fault, self.after, self.on_fault, self.silence_s = fault, after, on_fault, silence_s
        self.marker = marker
        self.fired = False
        self.device_bytes = 0
        self.host_bytes = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            for _ in range(100):
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_device: bool) -> None:
        try:
            while data := src.recv(4096):
                if from_device:
                    self.device_bytes += len(data)
                    if not self.fired and self.fault not in (None, "drop_in", "callback_in") and self.device_bytes >= self.after:
                        self.fired = True
                        data = self._inject(data)
                        if data is None:
                            return
                else:
                    self.host_bytes += len(data)
                    if not self.fired and self.fault == "drop_in" and self.host_bytes >= self.after and len(data) > 8:
                        self.fired = True
                        data = data[:4] + data[6:]
                    if not self.fired and self.fault == "callback_in" and (at := data.find(self.marker)) >= 0:
                        self.fired = True
                        dst.sendall(data[:at])
                        self.on_fault()
                        data = data[at:]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _inject(self, data: bytes) -> bytes | None:
        if self.fault == "garbage":
            return data[: len(data) // 2] + bytes(random.Random(1).randrange(256) for _ in range(40)) + data[len(data) // 2:]
        if self.fault == "drop":
            # zeros dropped from a mantissa ("6.500|00000|e1") leave the same number: lose a byte that matters
            at = len(data) // 3
            while at + 5 < len(data) and not data[at:at + 5].strip(b"0"):
                at += 1
            return data[:at] + data[at + 5:]
        if self.fault == "silence":
            time.sleep(self.silence_s)
            return data
        if self.fault == "callback":
            self.on_fault()
            return None
        raise ValueError(self.fault)

    def close(self) -> None:
        self._stop = True
        self.server.close()
