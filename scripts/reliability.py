"""Reliability campaigns; their figures go to docs/reliability.md.

    python scripts/reliability.py models --cases 10000 -j 2       # mutated .tflite files: reader, AOT, export
    python scripts/reliability.py commands --count 1000           # malformed commands to the firmware on QEMU
    python scripts/reliability.py faults                          # the fault matrix against the AOT digits firmware

`models`: each case mutates one MLPerf model from ../shared/models (seeded by
the case number: bit flips, byte overwrites, truncation, extreme 32-bit values,
half of them inside the flatbuffer's tables rather than its weights) and runs
it through the model reader (modelinfo), the AOT compiler and, on every
EXPORT_EVERY-th case, the TFLM export (its arena search runs TFLM itself, ~2 s
a case). Cases run in worker processes with a per-case timeout: an outcome is
"ok", "error" (a ToolchainError: one clean `Error:` line), "crash" (any other
exception, or the worker died) or "hang" (the timeout; the worker is killed).

`commands`: seeded malformed commands (random bytes, overlong lines, wrong
arguments, bad hex, out-of-range counts) to the digits firmware on qemu-m4; a
health check (`name%`, `info%` with the right hash) every 50, and a correct
inference at the end.

`faults`: garbage, dropped bytes both ways, 5 s of silence, QEMU killed and
restarted, and another model's firmware swapped in, each injected once into a
bench of the digits firmware; what bench.json kept afterwards.

Results also go to build/reliability/<campaign>.json.
"""

import argparse
import json
import random
import resource
import select
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from docs_section import machine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from toolchain import bench_file, paths  # noqa: E402
from toolchain.harness_protocol import LIMITS as L  # noqa: E402

MODELS = ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8"]
EXPORT_EVERY = 20
CASE_TIMEOUT_S = 30.0
EXPORT_TIMEOUT_S = 120.0
EXTREMES = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, 0x10000, 0x7FFF, 0x8000]
MEMORY_LIMIT = 3 << 30  # a worker's address space: an allocation bomb is a MemoryError, not the machine's OOM


def shared_models() -> Path:
    return paths.REPO.parent / "shared" / "models"


# -- models: mutation -------------------------------------------------------------


def table_region(data: bytes) -> tuple[int, int]:
    """Where the flatbuffer's tables are rather than weights: before the first large buffer's data."""
    import tflite

    m = tflite.Model.GetRootAsModel(data, 0)
    starts = []
    for i in range(m.BuffersLength()):
        tab = m.Buffers(i)._tab
        field = tab.Offset(4)  # Buffer.data
        if field and tab.VectorLen(field) > 256:
            starts.append(tab.Vector(field))
    return 0, max(min(starts, default=len(data)), 64)


def mutate(data: bytes, region: tuple[int, int], case: int) -> tuple[bytes, str]:
    rng = random.Random(case)
    kind = ["flip", "overwrite", "truncate", "extreme"][case % 4]
    lo, hi = region if case % 8 < 4 else (0, len(data))
    buf = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(lo, hi)
            buf[at] ^= 1 << rng.randrange(8)
    elif kind == "overwrite":
        at = rng.randrange(lo, hi)
        for k in range(rng.randint(1, 16)):
            if at + k < len(buf):
                buf[at + k] = rng.randrange(256)
    elif kind == "truncate":
        del buf[rng.randrange(8, len(buf)):]
    else:
        at = rng.randrange(lo, min(hi, len(buf) - 4)) & ~3
        buf[at:at + 4] = rng.choice(EXTREMES).to_bytes(4, "little")
    return bytes(buf), kind


def run_case(case: int, models: dict, regions: dict, workdir: Path) -> dict:
    """One mutated model through reader, AOT and (every EXPORT_EVERY-th case) export, each on its own; the
    case's outcome is its worst stage's (crash, then error, then ok)."""
    from toolchain import aot, modelinfo
    from toolchain.errors import ToolchainError
    from toolchain.export import tflm

    name = MODELS[case % len(MODELS)]
    data, kind = mutate(models[name], regions[name], case)
    path = workdir / f"case{case}.tflite"
    path.write_bytes(data)
    stages = [("reader", lambda: modelinfo.summarize(data, path)),
              ("aot", lambda: aot.compile_tflite(path, workdir / "aot"))]
    if case % EXPORT_EVERY == 0:
        stages.append(("export", lambda: tflm.write_sources(path, workdir / "tflm")))
    result = {"case": case, "model": name, "kind": kind, "outcome": "ok", "stage": None, "detail": "", "stages": {}}
    rank = {"ok": 0, "error": 1, "crash": 2}
    for stage, fn in stages:
        outcome, detail = "ok", ""
        try:
            fn()
        except ToolchainError as e:
            outcome, detail = "error", e.message[:120]
        except Exception as e:  # noqa: BLE001 - the campaign counts what escapes as a crash
            tb = traceback.extract_tb(e.__traceback__)[-1]
            outcome, detail = "crash", f"{type(e).__name__}: {str(e)[:80]} at {Path(tb.filename).name}:{tb.lineno}"
        result["stages"][stage] = outcome
        if rank[outcome] > rank[result["outcome"]]:
            result.update(outcome=outcome, stage=stage, detail=detail)
    path.unlink()
    return result


def worker() -> None:
    """Reads case numbers on stdin, writes one JSON result per line."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    models = {n: (shared_models() / f"{n}.tflite").read_bytes() for n in MODELS}
    regions = {n: table_region(d) for n, d in models.items()}
    from toolchain.console import quiet_stderr

    with tempfile.TemporaryDirectory(prefix="tm-reliability-") as d:
        for line in sys.stdin:
            with quiet_stderr():
                r = run_case(int(line), models, regions, Path(d))
            sys.stdout.write(json.dumps(r) + "\n")
            sys.stdout.flush()


class Worker:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, __file__, "worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.case: int | None = None
        self.deadline = 0.0

    def give(self, case: int) -> None:
        self.case = case
        self.deadline = time.monotonic() + (EXPORT_TIMEOUT_S if case % EXPORT_EVERY == 0 else CASE_TIMEOUT_S)
        self.proc.stdin.write(f"{case}\n")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def campaign_models(cases: int, jobs: int, start: int = 0) -> dict:
    todo = list(range(start, start + cases))[::-1]
    results: list[dict] = []
    workers = [Worker() for _ in range(jobs)]
    t0 = time.monotonic()
    while todo or any(w.case is not None for w in workers):
        for w in workers:
            if w.case is None and todo:
                w.give(todo.pop())
        busy = [w for w in workers if w.case is not None]
        ready, _, _ = select.select([w.proc.stdout for w in busy], [], [], 1.0)
        for i, w in enumerate(workers):
            if w.case is None:
                continue
            lost = None
            if w.proc.stdout in ready:
                line = w.proc.stdout.readline()
                if line:
                    results.append(json.loads(line))
                    w.case = None
                    continue
                lost = {"outcome": "crash", "detail": f"worker died (exit {w.proc.wait()})"}
            elif time.monotonic() > w.deadline:
                lost = {"outcome": "hang", "detail": "killed after the per-case timeout"}
            if lost:
                results.append({"case": w.case, "model": MODELS[w.case % len(MODELS)], "kind": None, "stage": None, **lost})
                w.kill()
                workers[i] = Worker()
        if len(results) % 500 == 0 and results:
            print(f"{len(results)} cases, {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    for w in workers:
        w.proc.stdin.close()
        w.kill()
    outcomes = Counter(r["outcome"] for r in results)
    by_stage = {stage: dict(Counter(r["stages"][stage] for r in results if stage in r.get("stages", {})))
                for stage in ("reader", "aot", "export")}
    exported = [r for r in results if r["case"] % EXPORT_EVERY == 0]
    return {"cases": len(results), "seconds": round(time.monotonic() - t0, 1), "outcomes": dict(outcomes),
            "by_stage": dict(by_stage), "by_kind": {k: dict(Counter(r["outcome"] for r in results if r["kind"] == k))
                                                     for k in ("flip", "overwrite", "truncate", "extreme")},
            "exported_cases": len(exported), "export_outcomes": dict(Counter(r["outcome"] for r in exported)),
            "not_ok_examples": [r for r in results if r["outcome"] in ("crash", "hang")][:20],
            "error_examples": Counter(f"{r['stage']}: {r['detail'][:70]}" for r in results
                                      if r["outcome"] == "error").most_common(12)}


# -- commands: malformed input to the firmware ----------------------------------------


def malformed(rng: random.Random, input_bytes: int) -> bytes:
    """One malformed command, ended with `%`; just past the protocol's limits where it has some."""
    kind = rng.randrange(10)
    if kind == 0:
        body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 80))).replace(b"%", b"")
    elif kind == 1:
        body = b"x" * rng.randint(L.harness_line_max + 1, 2000)
    elif kind == 2:
        body = f"db load {rng.choice([-1, 0, 1, input_bytes - 1, input_bytes + 1, 2**31, 10**12])}".encode()
    elif kind == 3:
        body = b"db " + bytes(rng.choice(b"0123456789abcdefgxyz ") for _ in range(rng.randint(1, 300)))
    elif kind == 4:
        body = (f"infer {rng.choice([-1, 0, L.harness_max_runs + 1, 2**31, 10**15, 'a'])} "
                f"{rng.choice([-5, L.harness_max_warmups + 1, 2**32, 'x', ''])}").encode()
    elif kind == 5:
        body = f"calib {rng.choice([0, -1, 'z', 2**40])}".encode()
    elif kind == 6:
        body = rng.choice([b"name extra", b"profile 1", b"results now", b"info?", b"mem 3", b"db file",
                           b"db file /nonexistent/x.bin", b"db load", b"infer", b"\x00\x00name", b"\r\n\r\n"])
    elif kind == 7:
        body = bytes(rng.randrange(32, 127) for _ in range(rng.randint(0, 250))).replace(b"%", b"")
    elif kind == 8:
        body = b"db " + b"0" * rng.choice([1, 3, 2 * L.harness_db_max_bytes + 1, 2 * L.harness_db_max_bytes + 3])
    else:
        body = b"\xff\xfe" * rng.randint(1, 60)
    return body + b"%"


def digits_firmware():
    from toolchain import build

    return build.build("digits", "qemu-m4")


def campaign_commands(count: int, seed: int = 0) -> dict:
    import numpy as np

    from toolchain.bench import reference_data
    from toolchain.device.emulate import Emulator
    from toolchain.device.harness import protocol
    from toolchain.device.harness.client import DeviceClient, Fault
    from toolchain.device.harness.transports import open_transport

    fw = digits_firmware()
    inputs, _, host = reference_data(fw.prepared, 0)
    rng = random.Random(seed)
    tally = Counter()
    checks = []
    accepted = []  # e.g. valid hex after a `db load`, or an empty line: not malformed for the device
    t0 = time.monotonic()
    with Emulator(fw.board, fw.elf) as emu, open_transport(emu.url) as t:
        client = DeviceClient(t, expected_hash=fw.model_hash)
        client.resync()
        n_in = client.info.input_bytes
        for i in range(1, count + 1):
            cmd = malformed(rng, n_in)
            try:
                reply = client.send_raw(cmd, timeout=10)
                tally["error reply" if reply.errors else "accepted (no error)"] += 1
                if not reply.errors and len(accepted) < 8:
                    accepted.append(cmd[:40].decode("latin-1"))
                tally["garbage in reply"] += bool(reply.garbage)
                tally["device reset"] += reply.boot is not None
            except Fault:
                tally["no reply in 10 s"] += 1
                client.resync()
            if not emu.alive():
                tally["emulator died"] += 1
                emu.restart()
                t.reopen()
                client.resync()
            if i % 50 == 0:
                ok = client.command("name").fields.get("name-dut") == "qemu-m4" and client.read_info().hash == fw.model_hash
                checks.append(ok)
        k = len(inputs) - 1
        inf = client.run_sample(np.ascontiguousarray(inputs[k]).tobytes())
        q = np.frombuffer(protocol.raw_outputs(inf.results, client.info.output_scale, client.info.output_zero_point,
                                               client.info.output_dtype), dtype=np.int8)
        final_ok = bool(np.array_equal(q, np.asarray(host[k]).reshape(-1)))
    return {"commands": count, "seed": seed, "seconds": round(time.monotonic() - t0, 1), "tally": dict(tally),
            "health_checks": len(checks), "health_checks_passed": sum(checks),
            "final_inference_matches_host": final_ok, "faults_seen_by_client": client.faults,
            "accepted_examples": accepted}


# -- faults: the matrix against the real digits firmware --------------------------------


def campaign_faults(samples: int = 60) -> dict:
    from tests.harness.fault_proxy import FaultProxy
    from toolchain import build
    from toolchain.bench import measure, reference_data
    from toolchain.device.emulate import Emulator
    from toolchain.device.harness.client import DeviceClient
    from toolchain.device.harness.errors import HarnessError
    from toolchain.device.harness.transports import open_transport

    fw = digits_firmware()
    other = build.build(str(shared_models() / "kws_ref_model.tflite"), "qemu-m4")
    inputs, labels, host = reference_data(fw.prepared, 0)
    inputs, labels, host = inputs[:samples], labels[:samples], host[:samples]
    rows = []
    with tempfile.TemporaryDirectory(prefix="tm-faults-") as d:
        for fault, fast in [(None, True), ("garbage", True), ("garbage", False), ("drop", True), ("drop", False),
                            ("drop_in", True), ("drop_in", False), ("silence", True), ("kill", True), ("stale", True)]:
            emu = Emulator(fw.board, fw.elf).start()

            def swap():
                emu.stop()
                emu.elf = other.elf
                emu.start()

            on_fault = {"kill": emu.restart, "stale": swap}.get(fault)
            proxy = FaultProxy(emu.port, "callback" if on_fault else fault, after=6000 if fault != "drop_in" else 1500,
                               on_fault=on_fault)
            out = Path(d) / f"{fault}-{fast}.json"
            error = None
            t0 = time.monotonic()
            try:
                with open_transport(proxy.url) as t:
                    t.fast = fast
                    client = DeviceClient(t, expected_hash=fw.model_hash)
                    measure(client, fw.board, out, inputs=inputs, labels=labels, host_outputs=host, runs=5, warmups=1,
                            meta={"model": "digits", "runtime": "aot"},
                            static={"flash_bytes": 1, "ram_bytes": 1, "stack_reserved_bytes": 1, "arena_bytes": 0})
            except HarnessError as e:
                error = e.message
            finally:
                proxy.close()
                emu.stop()
            saved = bench_file.read(out)
            acc = saved.get("accuracy") or {}
            rows.append({"fault": fault or "none", "inputs_by": "file" if fast else "hex31", "status": saved["status"],
                         "latency_kept": bool(saved.get("latency")), "memory_kept": bool(saved.get("memory")),
                         "samples_kept": acc.get("samples", 0), "agreement": acc.get("agreement"),
                         "instructions": (saved.get("latency") or {}).get("instructions_median"),
                         "faults_recorded": len(saved.get("faults", [])), "first_fault": (saved.get("faults") or [""])[0][:70],
                         "error": (error or "")[:90], "seconds": round(time.monotonic() - t0, 1)})
            print(rows[-1], file=sys.stderr, flush=True)
    return {"samples": samples, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description="Reliability campaigns (docs/reliability.md)")
    sub = ap.add_subparsers(dest="campaign", required=True)
    m = sub.add_parser("models")
    m.add_argument("--cases", type=int, default=10000)
    m.add_argument("--start", type=int, default=0)
    m.add_argument("-j", "--jobs", type=int, default=2)
    c = sub.add_parser("commands")
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--seed", type=int, default=0)
    f = sub.add_parser("faults")
    f.add_argument("--samples", type=int, default=60)
    sub.add_parser("worker")
    args = ap.parse_args()
    if args.campaign == "worker":
        return worker()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    env = machine(())
    if args.campaign == "models":
        result = campaign_models(args.cases, args.jobs, args.start)
    elif args.campaign == "commands":
        result = campaign_commands(args.count, args.seed)
    else:
        result = campaign_faults(args.samples)
    result = {"campaign": args.campaign, "argv": sys.argv[1:], "date": started, "machine": env, **result}
    out = paths.build_root() / "reliability" / f"{args.campaign}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
