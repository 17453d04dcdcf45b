"""validate(): build the validation firmware, stream held-out samples through
it, and compare every layer's output with the host references; validate.json
is rewritten after every sample, so a run cut short keeps what it compared."""

import tempfile
import time
from pathlib import Path

import numpy as np

from toolchain import aot, boards, build, manifest, modelinfo, pipeline
from toolchain.audio import features, frontend_of
from toolchain.bench.run import device_session, reference_data
from toolchain.boards import Board, runtimes
from toolchain.build import fit
from toolchain.build.audio import lut
from toolchain.build.targets import decided
from toolchain.harness_protocol import LIMITS
from toolchain.console import console
from toolchain.device import flash
from toolchain.device.harness.errors import HarnessError, TransportError
from toolchain.errors import UsageError
from toolchain.paths import VALIDATE_FILE
from toolchain.validate import reference
from toolchain.validate.compare import compare, first_difference
from toolchain.validate.errors import ValidateError
from toolchain.validate.layers import LayerInfo, model_layers

DEFAULT_SAMPLES = 20
FLOAT_REFERENCE = "validate-float.tflite"  # the float model the int8 one came from, converted once


def validate(model_ref: str, board_id: str, *, runtime: str | None = None, samples: int = DEFAULT_SAMPLES,
             seed: int = 0, url: str | None = None, tflm_dir: Path | None = None, kernels: str | None = None,
             variant: str | None = None, float_model: Path | None = None) -> dict:
    """`float_model`: a float .tflite of the same network (tensor names matched) to measure SQNR against, for a
    model imported without one; a recipe's own float model is found by itself."""
    if samples < 1:
        raise UsageError(f"--samples {samples} would compare nothing", "pass --samples 1 or more")
    started = time.monotonic()
    board = boards.load(board_id)
    runtime = runtimes.for_board(board, runtime)
    if runtime != runtimes.AUTO and not runtimes.named(runtime).compiles:
        raise ValidateError(f"the {runtime} runtime runs the .tflite as it is: there is no firmware to hook each layer",
                            "validate with --runtime aot or --runtime tflm")
    p = pipeline.prepare(model_ref, board.id, seed, variant)
    runtime = decided(runtime, Path(p.tflite))
    layers = model_layers(Path(p.tflite))
    if float_model is not None and not Path(float_model).is_file():
        raise ValidateError(f"no float model at {float_model}", "pass the float .tflite this int8 model came from")
    check_ram(board, p, runtime, layers)
    if board.emulated:
        fw = build.build(model_ref, board.id, runtime=runtime, seed=seed, tflm_dir=tflm_dir, kernels=kernels,
                         variant=variant, validate=True)
    else:
        url = flash.flash(model_ref, board.id, port=url, runtime=runtime, seed=seed, tflm_dir=tflm_dir,
                          variant=variant, validate=True) or url
        fw = build.flashed(model_ref, board.id, runtime=runtime, seed=seed, variant=variant)
    return on_device(fw.board, fw.elf, p, layers, runtime=fw.runtime, model_hash=fw.model_hash, samples=samples,
                     seed=seed, url=url if not board.emulated else None, started=started, float_model=float_model)


def on_device(board: Board, elf: Path | None, p, layers: list[LayerInfo], *, runtime: str, model_hash: str,
              samples: int, seed: int = 0, url: str | None = None, started: float | None = None,
              float_model: Path | None = None) -> dict:
    """Stream `samples` held-out inputs through the validation firmware `elf` (QEMU started here) or the board
    at `url`, comparing as they arrive; validate.json is rewritten after every sample."""
    started = started or time.monotonic()
    inputs, _, _ = reference_data(p, seed, samples)
    inputs = inputs[:samples]
    frontend = frontend_of(p.manifest)
    # an audio model's firmware takes raw PCM: its network sees the front-end's features (the same C on the host)
    # mapped to its input quantization by the firmware's table
    net_inputs = lut(p.tflite)[features(inputs, frontend).astype(np.int32) + 128] if frontend else inputs
    with console.status(f"host references for {len(inputs)} samples ({len(layers)} layers)"):
        host = reference.tflm_layers(Path(p.tflite), layers, net_inputs)
        float_path = Path(float_model) if float_model else float_reference(p)
        floats = None
        if float_path is not None:
            floats = reference.float_layers(float_path, [l.name for l in layers],
                                            dequantized_inputs(p.tflite, net_inputs))
    out = Path(p.dir) / VALIDATE_FILE
    result = {"model": p.name, "board": board.id, "runtime": runtime, "status": "running", "error": None,
              "samples_asked": len(inputs), "samples_received": 0, "tflite_hash": model_hash,
              "host_reference": "tflite-micro (TFLM reference kernels, every tensor preserved)",
              "float_reference": float_path and Path(float_path).name, "layers": [], "first_difference": None}
    device: list[dict[int, bytes]] = []

    def save(status: str) -> None:
        result["layers"] = compare(layers, device, host, floats, len(inputs))
        result["first_difference"] = first_difference(result["layers"])
        result["samples_received"] = sum(1 for d in device if len(d) == len(layers))
        result["status"] = status
        result["wall_seconds"] = round(time.monotonic() - started, 2)
        manifest.write_json_atomic(out, result)

    total = sum(l.nbytes for l in layers)
    with device_session(board, elf, url) as (client, _):
        client.expected_hash = model_hash
        try:
            client.resync()
            announce(client, layers, total, len(inputs))
            result["link"] = {"url": client.transport.url}
            with console.progress("comparing every layer", len(inputs)) as advance:
                for x in inputs:
                    got = client.retrying("validate", lambda x=x: client.layer_outputs(
                        np.ascontiguousarray(x).tobytes(), bytes_on_link(client, layers)))
                    device.append(got.tensors)
                    result["link"]["outputs_by"] = got.how
                    if got.error:
                        result["error"] = f"transfer stopped: {got.error}"
                        save("incomplete")
                        return result
                    save("running")
                    advance()
        except (HarnessError, TransportError) as e:
            result["error"] = str(e)
            save("incomplete")
            return result
        except (KeyboardInterrupt, SystemExit):
            result["error"] = "interrupted; the layers above were compared"
            save("interrupted")
            raise
    save("complete")
    return result


def bytes_on_link(client, layers: list[LayerInfo]) -> int:
    """What one sample's validation reply puts on the link: an m-tensor- line per layer, and unless the outputs go
    to a host file, the outputs as hex (two digits a byte, nine more characters a line)."""
    header = 24 * len(layers)
    if client.outputs_by_file:
        return header
    return header + sum(2 * l.nbytes + 9 * -(-l.nbytes // LIMITS.validate_hex_bytes) for l in layers)


def announce(client, layers: list[LayerInfo], total: int, samples: int) -> None:
    """Say how much will cross the link and how long it should take, before it starts."""
    on_link = bytes_on_link(client, layers)
    largest = max(layers, key=lambda l: l.nbytes)
    per_sample = on_link / client.rate
    url = client.transport.url
    how = (f"written to a host file by semihosting, {on_link:,} B of headers over {url}" if on_link < total
           else f"{on_link:,} B as hex lines over {url}")
    console.info(f"{len(layers)} layers, {total:,} B of outputs per sample (the largest: layer {largest.index}, "
                 f"{largest.nbytes:,} B), {how} at ~{client.rate:,.0f} B/s: about {per_sample:.1f} s per sample, "
                 f"{per_sample * samples:.0f} s for {samples} samples, plus the inferences")


def check_ram(board: Board, p, runtime: str, layers: list[LayerInfo]) -> None:
    """Refuse, before anything is built, a model whose validation firmware cannot fit: AOT keeps every layer's
    output whole there (no streamed chains), which may need a larger arena than its normal build."""
    if runtimes.named(runtime).ahead_of_time:
        with tempfile.TemporaryDirectory() as d:
            arena = aot.compile_tflite(p.tflite, d, validate_layers=True).arena_bytes
    else:
        arena = int(p.manifest.get("arena_bytes") or 0)
    inp, out = layers[0], layers[-1]
    est = fit.estimate(board, runtime=runtime, model_bytes=Path(p.tflite).stat().st_size, arena_bytes=arena,
                       input_bytes=inp.nbytes, output_bytes=out.nbytes)
    if est.ram_bytes <= board.ram_bytes:
        return
    largest = max(layers, key=lambda l: l.nbytes)
    raise ValidateError(
        f"{p.name}'s validation firmware needs about {est.ram_bytes:,} B of RAM, {board.id} has {board.ram_bytes:,} B: "
        f"every layer's output is kept whole ({runtime} arena {arena:,} B; the largest, layer {largest.index} "
        f"'{largest.name}', is {largest.nbytes:,} B) besides {est.ram_bytes - arena:,} B of harness, runtime and stack",
        "validate on an emulated board with the same core and more RAM (qemu-m4), or on a board with more RAM")


def dequantized_inputs(tflite: Path, x: np.ndarray) -> np.ndarray:
    """The float model's inputs: the int8 samples the device got, dequantized (both models see the same values)."""
    inp, _ = modelinfo.io(Path(tflite))
    return (np.asarray(x, dtype=np.float64) - inp.zero_point) * (inp.scale or 1.0)


def float_reference(p) -> Path | None:
    """The float model the deployed int8 .tflite was quantized from, as a float .tflite: the recipe's last Keras
    model before quantization (distilled, else pruned, else trained). None for imported .tflite models, whose
    float model is not known, and for variants other than the plan's int8."""
    m = p.manifest
    if Path(p.tflite) != Path(m.get("deploy") or "") or Path(p.tflite).stem != "int8":
        return None
    host = Path(p.tflite).parent
    keras_file = next((host / f for f in ("distilled.keras", "pruned.keras", "float.keras") if (host / f).exists()), None)
    if keras_file is None:
        return None
    out = Path(p.dir) / FLOAT_REFERENCE
    if out.exists() and out.stat().st_mtime_ns > keras_file.stat().st_mtime_ns:
        return out
    from toolchain.optimize.quantize import to_tflite
    from toolchain.train.tf import keras

    model = keras.models.load_model(keras_file, compile=False)
    out.write_bytes(to_tflite(model, "float", np.zeros((1, *model.input_shape[1:]), np.float32)))
    return out
