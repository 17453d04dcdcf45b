"""personalize(): build the personalization firmware, hold back and learn the
examples of a data folder on the device, update its head (SGD or imprinting),
score the held-back examples before and after, replay the update on the host
through the same C, and write personalize.json (rewritten as it goes, so a
run cut short keeps what it measured) and the head's bytes."""

import time
from pathlib import Path

import numpy as np

from toolchain import boards, build, manifest, pipeline
from toolchain.audio import features, frontend_of
from toolchain.bench.run import device_session
from toolchain.build.audio import lut, symbol_bytes
from toolchain.build.personalize_sources import HEAD_SYMBOLS, fixed_point
from toolchain.console import console
from toolchain.device.harness.errors import HarnessError, TransportError
from toolchain.errors import UsageError
from toolchain.evaluate import io_quant
from toolchain.paths import PERSONALIZE_FILE
from toolchain.personalize import data
from toolchain.personalize.anchors import anchors_for, embeddings
from toolchain.personalize.config import DEFAULTS
from toolchain.personalize.errors import PersonalizeError
from toolchain.personalize.head import factory_head
from toolchain.personalize.replay import HostHead, head_bytes

MODES = ("sgd", "imprint")
HEAD_FILE = "personalize-head.bin"  # the device's head after the update, as `head read%` sent it


def input_spec(p) -> data.InputSpec:
    """What the personalization firmware of prepared model `p` takes as one input."""
    frontend = frontend_of(p.manifest)
    if frontend:
        return data.InputSpec(True, samples=frontend.clip_samples, rate=frontend.sample_rate)
    qin, _ = io_quant(Path(p.tflite).read_bytes())
    shape = tuple(np.asarray(p.test_inputs).shape[1:]) if p.test_inputs is not None else ()
    return data.InputSpec(False, shape=shape, scale=float(qin.scale), zero_point=int(qin.zero_point),
                          dtype=np.dtype(qin.dtype).name)


def check_options(mode: str, new_class: str | None, shots: int, epochs: int, lr: float) -> None:
    if mode not in MODES:
        raise UsageError(f"unknown --mode {mode}", f"use one of: {', '.join(MODES)}")
    if mode == "imprint" and not new_class:
        raise UsageError("--mode imprint adds a class: name it with --new-class NAME (its folder in --data)")
    if new_class and mode != "imprint":
        raise UsageError("--new-class needs --mode imprint (SGD trains the model's own classes)")
    if shots < 1 or epochs < 1 or not lr > 0:
        raise UsageError(f"--shots {shots}, --epochs {epochs}, --lr {lr}: each must be positive")


def accuracy(predicted: list[int], truth: list[int], labels: list[str]) -> dict:
    """Overall and per class, as fractions (None for a class with no example)."""
    p, t = np.asarray(predicted), np.asarray(truth)
    per = {}
    for k, name in enumerate(labels):
        m = t == k
        per[name] = {"held": int(m.sum()), "correct": int((p[m] == k).sum()),
                     "accuracy": float((p[m] == k).mean()) if m.any() else None}
    return {"accuracy": float((p == t).mean()) if len(t) else None, "per_class": per}


def personalize(model_ref: str, board_id: str, folder: Path, *, shots: int = DEFAULTS.shots, mode: str = "sgd",
                new_class: str | None = None, epochs: int = DEFAULTS.epochs, lr: float = DEFAULTS.lr, seed: int = 0,
                url: str | None = None) -> dict:
    check_options(mode, new_class, shots, epochs, lr)
    started = time.monotonic()
    board = boards.load(board_id)
    if not board.emulated and url is None:
        raise PersonalizeError(f"{board.id} is a real board: flashing the personalization firmware is not automated "
                               "yet", f"`toolchain build --board {board.id} --personalize`, flash it, and pass its "
                               "--port")
    p = pipeline.prepare(model_ref, board.id, seed, None)
    head = factory_head(Path(p.tflite))
    labels = list(p.manifest.get("labels") or [str(k) for k in range(head.classes)])
    if len(labels) != head.classes:
        raise PersonalizeError(f"the model names {len(labels)} classes and its head has {head.classes} rows",
                               "retrain the recipe so its labels match its classifier")
    if new_class in labels:
        raise UsageError(f"--new-class {new_class} is already a class of the model", "name a class it does not have")
    s = data.split(Path(folder), labels, input_spec(p), shots=shots, seed=seed, new_class=new_class)
    new_index = len(labels) if new_class else None
    if mode == "imprint":  # imprinting needs the new class's examples only; the others are all held back
        s.held = [e for e in s.learn if e[1] != new_index] + s.held
        s.learn = [e for e in s.learn if e[1] == new_index]
    per_class_cap = DEFAULTS.max_held // len(s.labels)
    if len(s.held) > DEFAULTS.max_held:
        kept = {}
        s.held = [e for e in s.held if kept.setdefault(e[1], []).append(e) or len(kept[e[1]]) <= per_class_cap]
        console.warning(f"the device holds {DEFAULTS.max_held} examples back: scoring {per_class_cap} per class")
    if len(s.learn) > DEFAULTS.max_examples:
        raise UsageError(f"{len(s.learn)} examples to learn, the device stores {DEFAULTS.max_examples}",
                         f"pass --shots {DEFAULTS.max_examples // max(1, len(s.labels))} or fewer")
    if board.emulated:
        fw = build.build(model_ref, board.id, runtime="aot", seed=seed, personalize=True)
    else:  # flashed by the user: the model's hash is all there is to check
        fw = build.flashed(model_ref, board.id, runtime="aot", seed=seed)
    fixed = fixed_point(board)
    lr_millionths = max(1, round(lr * 1_000_000))
    out = Path(p.dir) / PERSONALIZE_FILE
    result = {"model": p.name, "board": board.id, "runtime": "aot", "status": "running", "error": None,
              "mode": mode, "shots": shots, "seed": seed, "data": str(folder), "new_class": new_class,
              "epochs": epochs if mode == "sgd" else None, "lr": lr if mode == "sgd" else None,
              "lr_millionths": lr_millionths if mode == "sgd" else None, "labels": s.labels,
              "head": {"classes": head.classes, "dim": head.dim, "rows": head.classes + DEFAULTS.extra_classes,
                       "arithmetic": f"int32 fixed point, Q{DEFAULTS.frac_bits}" if fixed else "float32",
                       "bytes": head_bytes(head)},
              "examples": {"learned": len(s.learn), "held": len(s.held)}, "tflite_hash": fw.model_hash,
              "memory": memory(fw, head), "defaults": {k: v for k, v, _ in DEFAULTS.rows()}}

    def save(status: str) -> None:
        result["status"] = status
        result["wall_seconds"] = round(time.monotonic() - started, 2)
        manifest.write_json_atomic(out, result)

    save("running")
    held_embeddings, learned = [], []
    with device_session(board, fw.elf, url) as (client, _):
        client.expected_hash = fw.model_hash
        try:
            client.resync()
            per_tick = client.calibrate()
            client.head_reset()
            client.examples_clear()
            with console.progress(f"holding back {len(s.held)} examples on the device", len(s.held)) as advance:
                for x, label, _ in s.held:
                    held_embeddings.append(client.store_example("hold", label, x).embedding)
                    advance()
            before = client.score()
            with console.progress(f"learning {len(s.learn)} examples on the device", len(s.learn)) as advance:
                for x, label, _ in s.learn:
                    learned.append((client.store_example("learn", label, x).embedding, label))
                    advance()
            inference_ticks = client.infer(1, 0, load=s.learn[0][0]).run_ticks[0]
            with console.status(f"{mode} update on the device"):
                if mode == "sgd":
                    _, steps, ticks = client.train(epochs, lr_millionths)
                else:
                    _, steps, ticks = client.imprint(new_index)
            after = client.score()
            device_head = client.head_read()
        except (HarnessError, TransportError) as e:
            result["error"] = str(e)
            save("incomplete")
            raise
        except (KeyboardInterrupt, SystemExit):
            result["error"] = "interrupted"
            save("interrupted")
            raise
    (Path(p.dir) / HEAD_FILE).write_bytes(device_head)
    truth = [label for _, label, _ in s.held]
    result["accuracy"] = {"before": accuracy(before, truth, s.labels), "after": accuracy(after, truth, s.labels),
                          "held_files": [f for _, _, f in s.held], "learned_files": [f for _, _, f in s.learn]}
    update = ticks * per_tick
    embed = inference_ticks * per_tick * len(s.learn)
    result["cost"] = {"unit": "instructions (emulated)" if board.emulated else f"{per_tick:g} instructions per tick",
                      "instructions_per_tick": per_tick, "steps": steps, "update_ticks": ticks,
                      "update_instructions": round(update),
                      "instructions_per_step": round(update / steps) if steps else None,
                      "embedding_instructions": round(inference_ticks * per_tick),
                      "whole_update_instructions": round(update + embed),
                      "whole_update_note": "the update command plus one inference per learned example"}
    host = HostHead(head, fixed, anchors_for(p, head))
    factory = host.data
    result["replay"] = replay(host, mode, learned, held_embeddings, epochs, lr_millionths, new_index, device_head,
                              before, after, steps)
    result["test_split"] = test_split(p, head, host, factory)
    inputs = [x for x, _, _ in s.held + s.learn]
    device = np.stack([np.frombuffer(e, np.int8) for e in held_embeddings + [e for e, _ in learned]])
    result["replay"]["embeddings_identical"] = bool(np.array_equal(host_embeddings(p, head, inputs), device))
    result["head_file"] = HEAD_FILE
    save("complete")
    return result


def replay(host: HostHead, mode: str, learned, held, epochs: int, lr_millionths: int, new_index, device_head: bytes,
           before: list[int], after: list[int], device_steps: int) -> dict:
    """The update again on `host` (the factory head, the device's anchors), from the embeddings the device
    stored, through the same C."""
    host_before = [host.classify(e)[0] for e in held]
    if mode == "sgd":
        steps = host.train(learned, epochs, lr_millionths)
    else:
        host.imprint(new_index, [e for e, label in learned if label == new_index])
        steps = len([1 for _, label in learned if label == new_index])
    host_after = [host.classify(e)[0] for e in held]
    a, b = np.frombuffer(host.data, np.uint8), np.frombuffer(device_head, np.uint8)
    return {"head_identical": host.data == device_head, "bytes_differing": int((a != b).sum()) if len(a) == len(b) else None,
            "predictions_identical": host_before == before and host_after == after,
            "steps_identical": steps == device_steps, "anchors": len(host.anchors),
            "how": "firmware/personalize/ compiled for the host, fed the device's own embeddings"}


def test_split(p, head, host: HostHead, factory: bytes) -> dict | None:
    """The recipe's own test split (forgetting: the original classes) through the factory head and the updated
    one, on the host: TFLM's reference embeddings (the AOT backbone is bit-exact with them) and the replayed head
    (bit for bit the device's when `replay` says so). None for a model without a recipe's test split."""
    test = Path(p.tflite).parent / "test_set.npz"
    if not test.is_file() or p.test_labels is None:
        return None
    updated = host.data
    with console.status(f"the test split through the head before and after ({len(p.test_labels)} samples, host)"):
        qin, _ = io_quant(Path(p.tflite).read_bytes())
        e = embeddings(Path(p.tflite), head.embed_tensor, qin.quantize(np.load(test)["x"]))
        out = {}
        for when, data in (("before", factory), ("after", updated)):
            host.load(data)
            predicted = [host.classify(x.tobytes())[0] for x in e]
            out[when] = float(np.mean(np.asarray(predicted) == np.asarray(p.test_labels)))
    return {**out, "samples": len(p.test_labels),
            "how": "the recipe's test split on the host: TFLM's embeddings, the replayed head"}


def host_embeddings(p, head, inputs: list[bytes]) -> np.ndarray:
    """The embeddings of the device's `inputs` by the host: the front-end's own C and the firmware's table for an
    audio model, then TFLM's reference kernels (what the AOT backbone is bit-exact with)."""
    tflite = Path(p.tflite)
    qin, _ = io_quant(tflite.read_bytes())
    frontend = frontend_of(p.manifest)
    if frontend:
        pcm = np.stack([np.frombuffer(x, "<i2") for x in inputs])
        x = lut(tflite)[features(pcm, frontend).astype(np.int32) + 128]
    else:
        x = np.stack([np.frombuffer(b, qin.dtype) for b in inputs])
    with console.status(f"the {len(inputs)} examples' embeddings on the host"):
        return embeddings(tflite, head.embed_tensor, x)


def memory(fw, head) -> dict:
    """What personalization adds, from the ELF's symbols, and its parts by the configuration."""
    sym = symbol_bytes(fw.elf, HEAD_SYMBOLS) if fw.elf else {"ram_bytes": None, "flash_bytes": None}
    row = head.dim + 1
    return {"extra_ram_bytes": sym["ram_bytes"], "extra_flash_bytes": sym["flash_bytes"],
            "head_bytes": head_bytes(head), "learn_store_bytes": DEFAULTS.max_examples * row,
            "held_store_bytes": DEFAULTS.max_held * row,
            "firmware_ram_bytes": fw.size.ram_bytes, "firmware_flash_bytes": fw.size.flash_bytes,
            "board_ram_bytes": fw.board.ram_bytes, "board_flash_bytes": fw.board.flash_bytes}
