"""Harness streaming rate into qemu-m4: KB/s of sample data per way of loading an input.

    python scripts/harness_streaming.py --model ../shared/models/vww_96_int8.tflite --samples 20
    python scripts/harness_streaming.py --elf build/.../firmware.elf --samples 5   # an ELF as it is (e.g. an older one)

Ways, as far as the firmware offers them (`m-info-link-`): `hex31` (the MLPerf
runner's 31-byte `db` lines), `hexN` (the longest `db` lines the firmware takes),
`file` (`db file PATH%`, QEMU reads the input by semihosting). "load" times
`db load` + the input alone; "sample" a whole accuracy step (load, infer,
checked reply). Wall times on whatever machine runs it: say how loaded it was.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from toolchain import boards, build  # noqa: E402
from toolchain import harness_protocol as table  # noqa: E402
from toolchain.device.emulate import Emulator  # noqa: E402
from toolchain.device.harness import protocol  # noqa: E402
from toolchain.device.harness.client import DeviceClient  # noqa: E402
from toolchain.device.harness.transports import open_transport  # noqa: E402


def ways(info) -> list[str]:
    found = ["hex31"]
    if info.db_bytes > protocol.MLPERF_DB_BYTES:
        found.append(f"hex{info.db_bytes}")
    if info.file_load:
        found.append("file")
    return found


def use(client: DeviceClient, way: str) -> None:
    """Force one way of loading on the client."""
    client.transport.fast = way != "hex31"
    client.use_files = way == "file"


def measure(elf: Path, samples: int, seed: int = 0) -> list[dict]:
    board = boards.load("qemu-m4")
    rows = []
    with Emulator(board, elf) as emu, open_transport(emu.url) as t:
        client = DeviceClient(t)
        client.resync()
        info = client.info
        x = np.random.default_rng(seed).integers(0, 256, size=(samples, info.input_bytes), dtype=np.uint8)
        data = [row.tobytes() for row in x]
        for way in ways(info):
            use(client, way)
            t0 = time.monotonic()
            for d in data:
                lines, _ = client.load_commands(d)
                replies = client.batch([table.line("db load", len(d)), *lines])
                assert not any(r.errors for r in replies), [r.errors for r in replies if r.errors][:1]
            load_s = time.monotonic() - t0
            t0 = time.monotonic()
            for d in data:
                client.run_sample(d)
            sample_s = time.monotonic() - t0
            rows.append({"way": way, "input_bytes": info.input_bytes, "samples": samples,
                         "load_kb_s": samples * info.input_bytes / load_s / 1e3,
                         "sample_s": sample_s / samples, "faults": len(client.faults)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="recipe or .tflite, built for qemu-m4 first")
    ap.add_argument("--elf", type=Path, help="measure this firmware as it is")
    ap.add_argument("--samples", type=int, default=20)
    args = ap.parse_args()
    elf = args.elf or build.build(args.model, "qemu-m4").elf
    print("| way | input bytes | samples | load KB/s | s per sample (load + infer + reply) | faults |")
    print("|---|---|---|---|---|---|")
    for r in measure(elf, args.samples):
        print(f"| {r['way']} | {r['input_bytes']:,} | {r['samples']} | {r['load_kb_s']:,.1f} | {r['sample_s']:.3f} | {r['faults']} |")


if __name__ == "__main__":
    main()
