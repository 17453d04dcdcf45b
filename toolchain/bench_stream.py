"""`toolchain bench --stream`: streaming keyword detection on a generated
recording (toolchain.data.speech_stream), with the model's own front-end and
int8 network, written to `build/<model>/<board>/stream.json`.

The detector runs on the host with the firmware's front-end C and TFLM's
reference kernels, which the device's AOT code matches bit for bit, so its
decisions are the device's; the harness cannot yet feed a device minutes of
audio (it loads ~8 KB/s), so the device itself is not in this loop.
"""

from toolchain import manifest
from toolchain.audio import frontend_of
from toolchain.audio.firmware import lut
from toolchain.audio.stream import Detector, run
from toolchain.errors import UsageError

STREAM_FILE = "stream.json"


def bench_stream(model_ref: str, board_id: str = "qemu-m4", *, seed: int = 0, minutes: float = 5.0,
                 detector: Detector | None = None, recording_seed: int | None = None) -> dict:
    """`recording_seed` (default: `seed`) picks another recording for the same model."""
    from toolchain.data.speech_stream import recording
    from toolchain.pipeline import prepare

    if not 0.1 <= minutes <= 60:
        raise UsageError(f"--minutes {minutes} is out of range", "use 0.1 to 60 minutes of generated audio")
    p = prepare(model_ref, board_id, seed)
    cfg = frontend_of(p.manifest)
    if cfg is None:
        raise UsageError(f"{p.name} is not an audio model: --stream needs a recipe with the speech or wav_folder loader")
    det = detector or Detector()
    if det.every_hops < 1 or det.average < 1:
        raise UsageError("the detector needs every_hops >= 1 and average >= 1")
    recording_seed = seed if recording_seed is None else recording_seed
    pcm, events = recording(recording_seed, minutes)
    result = run(pcm, events, cfg, p.tflite, p.manifest["arena_bytes"], lut(p.tflite), p.manifest["labels"],
                 det)
    result = {"model": p.name, "board": board_id, "seed": seed, "recording_seed": recording_seed, "minutes": minutes,
              "decisions": "host: firmware front-end C + TFLM reference int8 kernels (bit-exact with the device)",
              **result}
    manifest.write_json_atomic(p.dir / STREAM_FILE, result)
    return result
