"""Host side of the harness: commands over any Transport, with recovery.

Faults the client tells apart: garbage on the line, a device reset (boot
banner in the middle of a reply), silence (no `m-ready` in time), a broken
link (the emulator died; reconnected through `reconnect`), a device error
reply, and a stale model (the device's hash is not the model being measured,
never retried). Recoverable faults resync the line and let the caller retry
the unit of work (`run_sample` retries a whole load + infer).

Deadlines grow with the work: a command's is the floor (`timeout`) plus
SLACK times (the bytes it sends and expects back at the link's rate, measured
or declared by the transport, plus the inferences it asks for at their
measured wall time; FIRST_INFERENCE_S each before one was measured). A large
model or input never fails for being large.

Loading an input: `db file PATH%` when the device offers it (QEMU reads a host
file by semihosting) and the link allows our fast path, else `db <hex>%` lines
as long as the device takes (31 bytes, the MLPerf runner's, on a link that
does not allow the fast path). A device that cannot read the file (a QEMU on
another machine) gets hex lines from then on.
"""

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from toolchain import harness_protocol as table
from toolchain.device.harness import protocol
from toolchain.device.harness.errors import HarnessError, TransportError
from toolchain.device.harness.transports import Transport

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 3.0  # the floor of every deadline
SLACK = 3.0  # deadlines allow this many times the expected link and inference time
FIRST_INFERENCE_S = 120.0  # an inference's wall time before one was measured
REPLY_BYTES = 16  # expected reply bytes per command (`m-ready` and a short line)
MAX_LINE = 65536  # longer than any reply but `m-results-`, whose bound comes from the model's outputs
RESULT_CHARS = 16  # most characters of one value in `m-results-` (9 significant digits, exponent, comma)
BATCH_COMMANDS = 100  # commands per round trip when several samples go in one (`run_samples`)


class Fault(Exception):
    """A recoverable problem on the link; the message says which."""


class LinkLost(Fault):
    """The connection itself is gone (emulator died, board unplugged): reconnect before resyncing."""


@dataclass
class DeviceInfo:
    model: str
    hash: str
    runtime: str
    board: str
    input_bytes: int
    input_dtype: str
    input_scale: float
    input_zero_point: int
    output_count: int
    output_dtype: str
    output_scale: float
    output_zero_point: int
    timer_unit: str
    layers: int
    db_bytes: int = protocol.MLPERF_DB_BYTES  # most bytes the device takes per `db` line
    file_load: bool = False  # the device offers `db file PATH%`


@dataclass
class Inference:
    results: list[float]
    run_ticks: list[int]
    layer_ticks: list[int]
    laps_us: list[int]  # the MLPerf runner's m-lap-us- values: around all timed runs


@dataclass
class LayerOutputs:
    """What a validation build sent back for one input (`validate%`)."""
    tensors: dict[int, bytes]  # layer index -> its output, length and checksum verified
    announced: list[int]       # layer indices the device announced, in the order they ran
    error: str | None = None   # why the transfer stopped before the end (the link dropped, bytes lost)
    how: str = "hex"           # "file": written by semihosting to a host file, "hex": m-hex- lines


@dataclass
class StreamPiece:
    detections: list[tuple[int, int, int]]  # (frame, class, score) of each detection in the piece
    frames: int  # counted from `stream begin`
    inferences: int
    frontend_ticks: int  # this piece's
    network_ticks: int
    outputs_check: int  # Fletcher-16 of this piece's network output bytes


@dataclass
class Stored:
    """A `learn` or `hold` reply: where the device stored the embedding, and the head's class for it then."""
    index: int
    label: int
    predicted: int
    embedding: bytes  # the int8 embedding the device stored


class DeviceClient:
    def __init__(self, transport: Transport, *, expected_hash: str | None = None, retries: int = 3,
                 timeout: float = COMMAND_TIMEOUT_S, reconnect: Callable[[], None] | None = None):
        self.transport = transport
        self.expected_hash = expected_hash
        self.retries = retries
        self.timeout = timeout
        self.reconnect = reconnect or (lambda: self.transport.reopen())
        self.info: DeviceInfo | None = None
        self.faults: list[str] = []
        self.infer_s: float | None = None  # measured wall seconds per inference
        self.measured_rate: float | None = None  # bytes/s of the last large exchange
        self.loads = {"file": 0, "hex": 0}  # inputs loaded each way
        self.use_files = True  # load inputs by `db file` where offered; False once the device could not read one
        self._pending = b""
        self._file_dir: tempfile.TemporaryDirectory | None = None

    # -- line layer ---------------------------------------------------------

    def _readline(self, deadline: float, budget: float) -> str:
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fault(f"no reply within {budget:.0f} s (device silent)")
            self._pending += self.transport.read(min(left, 0.5))
            if len(self._pending) > self.max_line:
                self._pending = b""
                raise Fault("garbage on the line (overlong line)")
        line, self._pending = self._pending.split(b"\n", 1)
        return line.decode("latin-1").strip("\r")

    @property
    def max_line(self) -> int:
        """Bytes of a line beyond which the link is taken to be garbage: a results line may be longer."""
        return max(MAX_LINE, RESULT_CHARS * self.info.output_count + 256) if self.info else MAX_LINE

    def _drain(self, quiet_s: float) -> None:
        """Discard input until the line has been quiet for `quiet_s`."""
        self._pending = b""
        while self.transport.read(quiet_s):
            pass

    def command(self, cmd: str, timeout: float | None = None) -> protocol.Reply:
        """Send `cmd%`, return the parsed reply; Fault on garbage, reset, silence or a broken link."""
        return self.batch([cmd], timeout)[0]

    def send_raw(self, data: bytes, timeout: float) -> protocol.Reply:
        """Write `data` as it is (any bytes, ended with `%` by the caller) and parse what comes back up to `m-ready`,
        garbage and boot banners included: for probing the firmware with malformed input. Fault on silence."""
        try:
            self.transport.write(data)
            deadline, lines = time.monotonic() + timeout, []
            while (line := self._readline(deadline, timeout)) != protocol.READY:
                lines.append(line)
        except TransportError as e:
            raise LinkLost(f"link lost ({e.message})") from e
        return protocol.parse_reply(lines)

    @property
    def rate(self) -> float:
        """Bytes/s to plan with: the slower of the declared and the measured rate."""
        return min(self.transport.rate, self.measured_rate or self.transport.rate)

    def budget(self, sent: int, received: int, inferences: int = 0) -> float:
        """Seconds to allow for an exchange of `sent` + `received` bytes that runs `inferences` inferences."""
        work = inferences * (self.infer_s if self.infer_s is not None else FIRST_INFERENCE_S)
        return self.timeout + SLACK * ((sent + received) / self.rate + work)

    def batch(self, cmds: list[str], timeout: float | None = None, reply_bytes: int = 0,
              inferences: int = 0) -> list[protocol.Reply]:
        """Send several commands at once and read one reply each: one round trip instead of len(cmds).
        The device reads its UART byte by byte; the link (TCP, USB CDC) holds the rest meanwhile.
        The deadline is `timeout` when given, else the budget for the bytes and `inferences`."""
        payload = b"".join(c.encode() + b"%" for c in cmds)
        expected_back = REPLY_BYTES * len(cmds) + reply_bytes
        budget = timeout or self.budget(len(payload), expected_back, inferences)
        try:
            started = time.monotonic()
            self.transport.write(payload)
            deadline = started + budget
            replies = []
            for cmd in cmds:
                lines = []
                while (line := self._readline(deadline, budget)) != protocol.READY:
                    lines.append(line)
                reply = protocol.parse_reply(lines)
                if reply.boot is not None:
                    raise Fault(f"device reset during '{cmd[:24]}' (boot banner)")
                if reply.garbage:
                    raise Fault(f"garbage on the line: {reply.garbage[0][:40]!r}")
                replies.append(reply)
        except TransportError as e:
            raise LinkLost(f"link lost ({e.message})") from e
        link_s = time.monotonic() - started - inferences * (self.infer_s or 0.0)
        if len(payload) >= 4096 and link_s > 0:
            self.measured_rate = (len(payload) + expected_back) / link_s
        return replies

    # -- recovery -----------------------------------------------------------

    def resync(self) -> None:
        """Get back to a known state: reconnect if needed, drain, `name%` until a clean reply, check the model."""
        last = "no attempt"
        for attempt in range(self.retries + 1):
            try:
                self._drain(0.1)
                # ends whatever partial line the device holds; its reply is drained below
                self.transport.write(b"%")
                self._drain(0.1)
                reply = self.command(table.line("name"))
                if "name-dut" in reply.fields and not reply.errors:
                    self.read_info()
                    return
                last = f"unexpected reply to name%: {reply.fields} {reply.errors}"
            except TransportError as e:
                last = e.message
                self._reconnect()
            except LinkLost as e:
                last = str(e)
                self._reconnect()
            except Fault as e:
                last = str(e)
            log.info("resync attempt %d failed: %s", attempt + 1, last)
        raise HarnessError(f"cannot get the device on {self.transport.url} back in sync: {last}",
                           "check it is running the toolchain harness firmware; reset or restart it and rerun")

    def _reconnect(self) -> None:
        try:
            self.reconnect()
        except TransportError as e:
            raise HarnessError(f"lost the device on {self.transport.url} and could not reconnect: {e.message}",
                               "restart the emulator (`toolchain emulate`) or replug the board, then rerun") from e

    def read_info(self) -> DeviceInfo:
        r = self.command(table.line("info"))
        f = r.fields
        try:
            i_n, i_t, i_s, i_z = protocol.quant(f["info-input"])
            o_n, o_t, o_s, o_z = protocol.quant(f["info-output"])
            db_bytes, file_load = protocol.link(f.get("info-link"))
            info = DeviceInfo(f["info-model"], f["info-hash"], f["info-runtime"], f["info-board"], i_n, i_t, i_s, i_z,
                              o_n, o_t, o_s, o_z, f["info-timer"], int(f["info-layers"]), db_bytes, file_load)
        except (KeyError, ValueError) as e:
            raise Fault(f"malformed info% reply ({e})") from e
        if self.expected_hash and info.hash != self.expected_hash:
            raise HarnessError(
                f"the device runs model '{info.model}' (hash {info.hash}), not the model being measured (hash {self.expected_hash})",
                "rebuild and restart the firmware for this model: `toolchain build` then `toolchain emulate`/flash",
            )
        self.info = info
        return info

    def retrying(self, what: str, fn):
        """Run `fn()` (a whole unit of work), resyncing and retrying on faults."""
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except Fault as e:
                self.faults.append(f"{what}: {e}")
                log.info("%s: %s; resyncing", what, e)
                if attempt == self.retries:
                    raise HarnessError(f"{what} failed {self.retries + 1} times, last: {e}",
                                       "check the link to the device; results so far are saved") from e
                self.resync()

    # -- protocol operations --------------------------------------------------

    def _ok(self, cmd: str, timeout: float | None = None) -> protocol.Reply:
        r = self.command(cmd, timeout)
        if r.errors:
            raise Fault(f"device refused '{cmd[:24]}': {r.errors[0]}")
        return r

    def load_commands(self, data: bytes, slot: int = 0) -> tuple[list[str], str]:
        """The commands that load `data` after `db load`, and which way ("file" or "hex"). `slot`: which of the
        files of one round trip holds it (a round trip that loads several inputs needs one file each)."""
        info = self.info
        fast = self.transport.fast
        if info and info.file_load and fast and self.use_files:
            if self._file_dir is None:
                self._file_dir = tempfile.TemporaryDirectory(prefix="tm-harness-")
            path = Path(self._file_dir.name) / (f"input-{slot}.bin" if slot else "input.bin")
            path.write_bytes(data)
            return [table.line("db file", path)], "file"
        per_line = info.db_bytes if info and fast else protocol.MLPERF_DB_BYTES
        return protocol.hex_lines(data, per_line), "hex"

    def _file_refused(self, cmds: list[str], replies: list[protocol.Reply], how: str | None) -> bool:
        """True when the device could not read the input's file (nothing ran: load it again, as hex lines from
        now on); a Fault for any other refusal."""
        db_file = table.command("db file").name
        for cmd, reply in zip(cmds, replies):
            if reply.errors:
                if how == "file" and cmd.startswith(db_file):
                    # a QEMU on another machine, or no semihosting: the serial link carries the input from now on
                    log.info("the device cannot read %s (%s); loading inputs as hex lines", cmd[len(db_file) + 1:],
                             reply.errors[0])
                    self.use_files = False
                    return True
                raise Fault(f"device refused '{cmd[:24]}': {reply.errors[0]}")
        return False

    def infer(self, runs: int = 1, warmups: int = 0, timeout: float | None = None, load: bytes | None = None) -> Inference:
        """`infer N W%`, after loading `load` in the same round trip when given. Checks the reply's checksums
        (input against `load`, output against the printed values) so bytes lost on the link never pass."""
        return self.infer_batch([load], runs, warmups, timeout)[0]

    def infer_batch(self, loads: list[bytes | None], runs: int = 1, warmups: int = 0,
                    timeout: float | None = None) -> list[Inference]:
        """`infer N W%` once per entry of `loads`, each after loading its input (None: the input already loaded),
        all in one round trip; each reply's checksums are checked as in `infer`."""
        how = None
        cmds, ends = [], []
        for slot, load in enumerate(loads):
            if load is not None:
                lines, how = self.load_commands(load, slot)
                cmds += [table.line("db load", len(load)), *lines]
            cmds.append(table.line("infer", runs, warmups))
            ends.append(len(cmds) - 1)
        out_count = self.info.output_count if self.info else 1
        started = time.monotonic()
        replies = self.batch(cmds, timeout, reply_bytes=len(loads) * (RESULT_CHARS * out_count + 12 * runs + 64),
                             inferences=len(loads) * (runs + warmups))
        elapsed = time.monotonic() - started
        if self._file_refused(cmds, replies, how):
            return self.infer_batch(loads, runs, warmups, timeout)
        done = [self._inference(replies[end], load, runs) for end, load in zip(ends, loads)]
        # an upper bound (the link's time is in it too): deadlines only need one that does not undershoot
        self.infer_s = elapsed / (len(loads) * (runs + warmups))
        if how:
            self.loads[how] += len(loads)
        return done

    def _inference(self, r: protocol.Reply, load: bytes | None, runs: int) -> Inference:
        """One `infer` reply, checked against the input sent and against its own output checksum."""
        try:
            results = protocol.floats(r.fields["results"])
            run_ticks = protocol.ints(r.fields["runs"])
            layers = protocol.ints(r.fields.get("layers", ""))
            in_check, out_check = protocol.ints(r.fields["check"])
        except (KeyError, ValueError) as e:
            raise Fault(f"malformed infer reply ({e})") from e
        info = self.info
        if (info and len(results) != info.output_count) or len(run_ticks) != runs:
            raise Fault("infer reply has the wrong number of values (bytes lost)")
        if load is not None and protocol.fletcher16(load) != in_check:
            raise Fault("the device computed on other input bytes than sent (bytes lost on the way)")
        if info and protocol.fletcher16(protocol.raw_outputs(results, info.output_scale, info.output_zero_point,
                                                             info.output_dtype)) != out_check:
            raise Fault("results do not match their checksum (bytes lost on the way back)")
        return Inference(results, run_ticks, layers, [v for unit, v in r.laps if unit == "us"])

    def stream_begin(self, every_hops: int, average: int, threshold: int, suppress_hops: int,
                     keyword_mask: int) -> list[int]:
        """Starts the device's detector over; its (frames, bands, window, hop)."""
        r = self.retrying("stream begin", lambda: self._ok(
            table.line("stream begin", every_hops, average, threshold, suppress_hops, keyword_mask)))
        try:
            return protocol.ints(r.fields["stream-begin"])
        except (KeyError, ValueError) as e:
            raise HarnessError(f"malformed stream begin reply ({e})", "rebuild the firmware of this audio model") from e

    def stream_piece(self, pcm: bytes, timeout: float | None = None) -> StreamPiece:
        """Loads one piece of int16 PCM and feeds it to the detector. Not retried: the device's detector has
        moved on, so a Fault here means starting the stream again."""
        lines, how = self.load_commands(pcm)
        cmds = [table.line("db load", len(pcm)), *lines, table.line("stream")]
        replies = self.batch(cmds, timeout, reply_bytes=256, inferences=1)
        if self._file_refused(cmds, replies, how):
            return self.stream_piece(pcm, timeout)
        f = replies[-1].fields
        try:
            hits = [tuple(protocol.ints(h)) for h in f["detect"].split(";") if h]
            frames, inferences, fe, net, in_check, out_check = protocol.ints(f["stream"])
        except (KeyError, ValueError) as e:
            raise Fault(f"malformed stream reply ({e})") from e
        if in_check != protocol.fletcher16(pcm):
            raise Fault("the device streamed other audio bytes than sent (bytes lost on the way)")
        self.loads[how] += 1
        return StreamPiece(hits, frames, inferences, fe, net, out_check)

    @property
    def outputs_by_file(self) -> bool:
        """Whether a validation build will write layer outputs to a host file (QEMU semihosting on this
        machine) rather than send them over the link."""
        return bool(self.info and self.info.file_load and self.transport.fast and self.use_files)

    def layer_outputs(self, load: bytes, reply_bytes: int) -> LayerOutputs:
        """Load `load`, run `validate%` and collect every layer's output as it arrives; `reply_bytes`: what the
        reply will put on the link (its deadline allows for them). A fault before the device starts answering
        is raised (the caller may retry); one during the transfer ends it, and what arrived whole is returned
        with the reason in `error`."""
        lines, how = self.load_commands(load)
        by_file = self.outputs_by_file
        out_file = Path(self._file_dir.name) / "layers.bin" if by_file and self._file_dir else None
        if by_file and out_file is None:
            self._file_dir = tempfile.TemporaryDirectory(prefix="tm-harness-")
            out_file = Path(self._file_dir.name) / "layers.bin"
        if out_file is not None:
            out_file.unlink(missing_ok=True)
        cmds = [table.line("db load", len(load)), *lines]
        final = table.line("validate file", out_file) if out_file else table.line("validate")
        payload = b"".join(c.encode() + b"%" for c in [*cmds, final])
        back = reply_bytes + RESULT_CHARS * (self.info.output_count if self.info else 1)
        budget = self.budget(len(payload), back, inferences=1)
        started = time.monotonic()
        deadline = started + budget
        try:
            self.transport.write(payload)
            replies = []
            for cmd in cmds:
                got = []
                while (line := self._readline(deadline, budget)) != protocol.READY:
                    got.append(line)
                replies.append(protocol.parse_reply(got))
        except TransportError as e:
            raise LinkLost(f"link lost ({e.message})") from e
        if self._file_refused(cmds, replies, how):
            self._drain(0.2)  # the validate command's answer to a load that failed
            return self.layer_outputs(load, reply_bytes)
        if how:
            self.loads[how] += 1
        result = self._collect(deadline, budget, out_file)
        if result.error is None:  # an upper bound (the outputs' transfer is in it): what deadlines need
            self.infer_s = time.monotonic() - started
        if out_file is not None and result.error and "validate file" in result.error:
            # a QEMU on another machine cannot write our file: the serial link carries the outputs from now on
            log.info("the device cannot write %s (%s); outputs come as hex lines", out_file, result.error)
            self.use_files = False
            self._drain(0.2)
            return self.layer_outputs(load, reply_bytes)
        return result

    def _collect(self, deadline: float, budget: float, out_file: Path | None) -> LayerOutputs:
        heads: list[tuple[int, int, int]] = []
        chunks: dict[int, bytearray] = {}
        result = LayerOutputs({}, [], how="file" if out_file else "hex")
        try:
            while (line := self._readline(deadline, budget)) != protocol.READY:
                r = protocol.parse_reply([line])
                if r.boot is not None:
                    raise Fault("device reset during validate (boot banner)")
                if r.errors:
                    raise Fault(f"device refused validate: {r.errors[0]}")
                if r.garbage:
                    raise Fault(f"garbage on the line: {r.garbage[0][:40]!r}")
                if "tensor" in r.fields:
                    heads.append(protocol.tensor_header(r.fields["tensor"]))
                    result.announced.append(heads[-1][0])
                    chunks[heads[-1][0]] = bytearray()
                elif "hex" in r.fields and heads:
                    chunks[heads[-1][0]] += bytes.fromhex(r.fields["hex"])
        except (Fault, ValueError) as e:
            result.error = str(e)
        except TransportError as e:
            result.error = f"link lost ({e.message})"
        if out_file is not None:
            data = out_file.read_bytes() if out_file.exists() else b""
            at = 0
            for index, n, _ in heads:
                chunks[index] = bytearray(data[at:at + n])
                at += n
        for index, n, check in heads:
            got = bytes(chunks.get(index, b""))
            if len(got) == n and protocol.fletcher16(got) == check:
                result.tensors[index] = got
            elif result.error is None:
                result.error = f"layer {index}'s output arrived damaged ({len(got)} of {n} bytes, or a bad checksum)"
        return result

    def run_sample(self, data: bytes, runs: int = 1, warmups: int = 0, timeout: float | None = None) -> Inference:
        """Load `data` and infer, as one unit of work that is retried after a fault."""
        return self.retrying("inference", lambda: self.infer(runs, warmups, timeout, load=data))

    def run_samples(self, samples: list[bytes], what: str = "inferences") -> list[Inference]:
        """Load and infer each of `samples` once, several to a round trip (at most BATCH_COMMANDS commands); each
        round trip is a unit of work retried after a fault (its samples are then served twice)."""
        per = len(self.load_commands(samples[0])[0]) + 2 if samples else 1
        step = max(1, BATCH_COMMANDS // per)
        done: list[Inference] = []
        for i in range(0, len(samples), step):
            chunk = samples[i:i + step]
            done += self.retrying(what, lambda: self.infer_batch(chunk))
        return done

    def stats(self) -> protocol.Reply:
        """The `stats%` reply (its e-[...] when the firmware keeps no statistics), retried after a fault."""
        return self.retrying("stats%", lambda: self.command(table.line("stats")))

    def stats_reset(self) -> None:
        self.retrying("stats reset%", lambda: self._ok(table.line("stats reset")))

    def mem(self) -> dict[str, int]:
        r = self.retrying("mem%", lambda: self._ok(table.line("mem")))
        return {k.removeprefix("mem-"): int(v) for k, v in r.fields.items() if k.startswith("mem-")}

    def calibrate(self, iterations: int = 5_000_000) -> float:
        """Instructions per tick, from a loop of known length."""
        r = self.retrying("calib%", lambda: self._ok(table.line("calib", iterations), timeout=30))
        insns, ticks = protocol.ints(r.fields["calib"])
        if ticks <= 0:
            raise HarnessError("the device's tick counter does not advance", "check the port's timer (SysTick)")
        return insns / ticks

    # -- personalization builds (firmware/personalize/) ------------------------

    def head_command(self, cmd: str, timeout: float | None = None) -> protocol.Reply:
        """A personalization command; HarnessError with the device's reason when it refuses (its stored examples
        and head are as they were)."""
        r = self.retrying(cmd.split(" ")[0], lambda: self.command(cmd, timeout))
        if r.errors:
            raise HarnessError(f"the device refused '{cmd[:32]}': {r.errors[0]}",
                               "nothing stored on the device was lost; fix the request and send it again")
        return r

    def examples(self) -> tuple[int, int]:
        """`examples%`: (stored, held-back) examples on the device."""
        r = self.head_command(table.line("examples"))
        try:
            stored, held = protocol.ints(r.fields["examples"])
        except (KeyError, ValueError) as e:
            raise HarnessError(f"malformed examples reply ({e})", "rebuild the personalization firmware") from e
        return stored, held

    def store_example(self, kind: str, label: int, load: bytes) -> Stored:
        """Load `load`, then `learn L%` (kind "learn") or `hold L%` (kind "hold"): its embedding stored on the device.
        A retry after a fault first checks the device's stores: an example stored by an attempt whose reply was
        lost is never stored twice (HarnessError: the host no longer knows every stored embedding)."""
        before, attempts = self.examples(), []

        def once() -> Stored:
            if attempts and self.examples() != before:
                raise HarnessError(f"the link failed after the device stored an example ({kind} {label}); its "
                                   "embedding never arrived", "send `examples clear%` (or restart) and rerun")
            attempts.append(1)
            lines, how = self.load_commands(load)
            cmds = [table.line("db load", len(load)), *lines, table.line(kind, label)]
            replies = self.batch(cmds, reply_bytes=256, inferences=1)
            if self._file_refused(cmds[:-1], replies[:-1], how):
                attempts.clear()  # nothing ran: the load failed before the command
                return once()
            r = replies[-1]
            if r.errors:
                raise HarnessError(f"the device refused '{cmds[-1]}': {r.errors[0]}",
                                   "nothing stored on the device was lost; fix the request and send it again")
            try:
                index, got, predicted = protocol.ints(r.fields[kind])
                embedding = bytes.fromhex(r.fields["embedding"])
            except (KeyError, ValueError) as e:
                raise Fault(f"malformed {kind} reply ({e})") from e
            self.loads[how] += 1
            return Stored(index, got, predicted, embedding)
        return self.retrying(kind, once)

    def train(self, epochs: int, lr_millionths: int, timeout: float = 600.0) -> tuple[int, int, int]:
        """`train N LR%`: (epochs, SGD steps, timer ticks of the whole update)."""
        r = self.head_command(table.line("train", epochs, lr_millionths), timeout)
        return tuple(protocol.ints(r.fields["train"]))

    def imprint(self, label: int) -> tuple[int, int, int]:
        """`imprint L%`: (class, examples, timer ticks)."""
        return tuple(protocol.ints(self.head_command(table.line("imprint", label), 60.0).fields["imprint"]))

    def score(self) -> list[int]:
        """`score%`: the head's class of every held-back example, in the order they were held."""
        return protocol.ints(self.head_command(table.line("score"), 60.0).fields["predicted"])

    def classify(self, load: bytes) -> tuple[int, list[float], bytes]:
        """Load `load` and `classify%`: (class, logits, embedding) by the current head."""
        lines, _ = self.load_commands(load)
        for cmd in [table.line("db load", len(load)), *lines]:
            self.head_command(cmd)
        f = self.head_command(table.line("classify"), 60.0).fields
        return int(f["classify"]), protocol.floats(f["logits"]), bytes.fromhex(f["embedding"])

    def head_reset(self) -> tuple[int, int]:
        """`head reset%`: the factory head back; (classes, bytes of the head)."""
        return tuple(protocol.ints(self.head_command(table.line("head reset")).fields["head"]))

    def head_read(self) -> bytes:
        """`head read%`: the head's bytes (tm_head_t), checked against the size the device announces."""
        def once() -> bytes:
            r = self.command(table.line("head read"), 60.0)
            if r.errors:
                raise HarnessError(f"the device refused 'head read': {r.errors[0]}", "send head reset, then read")
            _, nbytes = protocol.ints(r.fields["head"])
            data = b"".join(bytes.fromhex(h) for h in r.hex_lines)
            if len(data) != nbytes:
                raise Fault(f"head read: {len(data)} of {nbytes} bytes arrived")
            return data
        return self.retrying("head read", once)

    def head_load(self, data: bytes) -> int:
        """`head load N%` and `head data HEX%` lines: the device's head becomes `data` (what head_read gave);
        its class count."""
        room = table.LIMITS.harness_line_max - len(table.command("head data").name) - 1
        per_line = min(table.LIMITS.harness_db_max_bytes, room // 2)
        self.head_command(table.line("head load", len(data)))
        r = None
        for i in range(0, len(data), per_line):
            r = self.head_command(table.line("head data", data[i:i + per_line].hex()))
        return protocol.ints(r.fields["head"])[0]

    def examples_clear(self) -> None:
        self.head_command(table.line("examples clear"))
