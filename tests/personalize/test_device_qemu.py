"""The personalization firmware of digits on qemu-m4 (Cortex-M4F: the float32
head): the head the device learns equals the host replay bit for bit, `head
reset` gives the factory outputs back exactly, a head read back loads into a
restarted device, bad requests answer one e-[...] line and lose nothing,
inference answers with the personalised head (and the deployed model's bytes
again after a reset), and firmware built without personalization says how to
get it."""

from pathlib import Path

import numpy as np
import pytest

from toolchain import boards, build
from toolchain.bench.run import device_session
from toolchain.build import personalize_sources
from toolchain.device.harness.errors import HarnessError
from toolchain.personalize.anchors import anchors_for
from toolchain.personalize.config import DEFAULTS
from toolchain.personalize.head import factory_head
from toolchain.personalize.replay import HostHead

pytestmark = [pytest.mark.slow, pytest.mark.qemu]

LR = 20_000  # millionths


@pytest.fixture(scope="module")
def firmware(digits_manifest):
    return build.build("digits", "qemu-m4", runtime="aot", personalize=True)


@pytest.fixture(scope="module")
def samples(firmware):
    p = firmware.prepared
    return np.asarray(p.test_inputs), np.asarray(p.test_labels)


def session(fw):
    return device_session(boards.load("qemu-m4"), fw.elf, None)


def state(client) -> tuple[int, int]:
    return client.examples()


def test_device_head_equals_host_replay_and_reset_restores(firmware, samples):
    x, y = samples
    head = factory_head(Path(firmware.prepared.tflite))
    with session(firmware) as (client, _):
        client.resync()
        factory = [client.classify(x[i].tobytes()) for i in range(3)]
        factory_head_bytes = client.head_read()
        learned = [(client.store_example("learn", int(y[i]), x[i].tobytes()).embedding, int(y[i])) for i in range(12)]
        _, steps, ticks = client.train(4, LR)
        anchors = anchors_for(firmware.prepared, head)
        # each example's step, then the anchors'; the final pass over every anchor
        assert steps == 48 * (1 + DEFAULTS.anchor_ratio) + len(anchors) * DEFAULTS.final_anchor_pass and ticks > 0
        trained = client.head_read()
        changed = [client.classify(x[i].tobytes()) for i in range(3)]
        assert trained != factory_head_bytes and any(c[1] != f[1] for c, f in zip(changed, factory))
        client.head_reset()
        assert client.head_read() == factory_head_bytes
        assert [client.classify(x[i].tobytes()) for i in range(3)] == factory  # class, logits, embedding: exact
        assert state(client) == (12, 0)  # reset keeps the stored examples
    assert len(anchors) >= 10 * DEFAULTS.anchors_per_class and set(anchors.labels) == set(range(10))
    host = HostHead(head, fixed_point=False, anchors=anchors)
    assert host.data == factory_head_bytes
    host.train(learned, 4, LR)
    assert host.data == trained
    for i, (cls, logits, embedding) in enumerate(changed):
        host_cls, host_logits = host.classify(embedding)
        assert host_cls == cls and np.array_equal(host_logits, np.float32(logits))  # 9 printed digits: exact


def test_head_read_back_loads_after_a_restart(firmware, samples):
    x, y = samples
    with session(firmware) as (client, _):
        client.resync()
        for i in range(8):
            client.store_example("learn", int(y[i]), x[i].tobytes())
        client.train(3, LR)
        saved, expected = client.head_read(), client.classify(x[20].tobytes())
        with pytest.raises(HarnessError, match="keeps nothing across resets"):
            client.head_command("head save")  # QEMU's port has no flash page: the host keeps the head
    with session(firmware) as (client, _):  # a fresh QEMU: the factory head
        client.resync()
        assert client.head_read() != saved
        client.head_load(saved)
        assert client.head_read() == saved and client.classify(x[20].tobytes()) == expected


def test_bad_requests_answer_one_line_and_lose_nothing(firmware, samples):
    x, y = samples
    with session(firmware) as (client, _):
        client.resync()
        with pytest.raises(HarnessError, match="no stored examples"):
            client.train(1, LR)  # learning before any example
        for i in range(3):
            client.store_example("learn", int(y[i]), x[i].tobytes())
        client.store_example("hold", int(y[3]), x[3].tobytes())
        before, head = state(client), client.head_read()
        for cmd, why in [("learn 11", "unknown class 11"), ("hold 99", "unknown class 99"), ("learn x", "class number"),
                         ("train 0", "number of epochs"), ("imprint 3", "one of the model's own"),
                         ("imprint 10", "no stored examples of class 10"), ("head load 5", "this firmware's head is"),
                         ("head data 00", "head load")]:
            r = client.command(cmd)
            assert len(r.errors) == 1 and why in r.errors[0], (cmd, r.errors)
            assert state(client) == before and client.head_read() == head
        # an example of the wrong size: db load refuses it, the stores keep theirs
        r = client.command(f"db load {x[0].nbytes + 1}")
        assert r.errors and "model input is" in r.errors[0]
        r = client.command("learn 1")  # nothing loaded since: refused, nothing stored
        assert r.errors and "load an input first" in r.errors[0]
        assert state(client) == before and client.head_read() == head


def test_store_full_is_refused(firmware, samples):
    x, y = samples
    with session(firmware) as (client, _):
        client.resync()
        for i in range(DEFAULTS.max_examples):
            client.store_example("learn", int(y[i % len(y)]), x[i % len(x)].tobytes())
        with pytest.raises(HarnessError, match="store is full"):
            client.store_example("learn", int(y[0]), x[0].tobytes())
        assert state(client) == (DEFAULTS.max_examples, 0)
        client.train(1, LR)  # the full store still trains


def test_inference_decides_with_the_personalised_head(firmware, samples):
    """After `train`, `infer%` (and every caller of the model: stream, field statistics) answers with the
    personalised head's probabilities in the model's int8 output, the bytes the host replay predicts;
    `head reset` brings the deployed model's own output back exactly."""
    from toolchain.device.harness import protocol

    x, y = samples
    head = factory_head(Path(firmware.prepared.tflite))

    def output(client, i) -> bytes:
        info = client.info
        return protocol.raw_outputs(client.infer(1, 0, load=x[i].tobytes()).results, info.output_scale,
                                    info.output_zero_point, info.output_dtype)

    with session(firmware) as (client, _):
        client.resync()
        client.head_reset()
        factory = [output(client, i) for i in range(20, 26)]
        learned = [(client.store_example("learn", int(y[i]), x[i].tobytes()).embedding, int(y[i])) for i in range(12)]
        client.train(4, LR)
        personalised = [output(client, i) for i in range(20, 26)]
        seen = [client.classify(x[i].tobytes()) for i in range(20, 26)]
        info = client.info
        client.head_reset()
        assert [output(client, i) for i in range(20, 26)] == factory
    assert personalised != factory
    host = HostHead(head, fixed_point=False, anchors=anchors_for(firmware.prepared, head))
    host.train(learned, 4, LR)
    for out, (cls, _, embedding) in zip(personalised, seen):
        assert out == host.output(embedding, info.output_count, info.output_scale, info.output_zero_point)
        q = np.frombuffer(out, np.int8)
        assert q[cls] == q.max()  # the head's class is the output's top one


def test_plain_firmware_names_the_personalization_build(digits_manifest, samples):
    fw = build.build("digits", "qemu-m4", runtime="aot")
    with session(fw) as (client, _):
        client.resync()
        r = client.command("learn 1")
        assert r.errors == ["this firmware has no personalization: toolchain personalize builds it"]


def test_fixed_point_head_on_the_device_equals_its_replay(digits_manifest, samples, monkeypatch):
    """The fixed-point twin (the Cortex-M0+ boards' head, which QEMU cannot run) built for qemu-m4's core instead:
    SGD with anchors and an imprinted class, compiled by arm-none-eabi-gcc, equal to the host's build bit for bit.
    It rebuilds the project the module's `firmware` was built in, with the other twin: it stays last here."""
    x, y = samples
    monkeypatch.setattr(personalize_sources, "fixed_point", lambda board: True)
    fw = build.build("digits", "qemu-m4", runtime="aot", personalize=True)
    assert (fw.project / "src" / "personalize" / "tm_head_fixed.c").is_file()
    head = factory_head(Path(fw.prepared.tflite))
    with session(fw) as (client, _):
        client.resync()
        learned = [(client.store_example("learn", int(y[i]), x[i].tobytes()).embedding, int(y[i])) for i in range(10)]
        client.train(3, LR)
        trained = client.head_read()
        new = [client.store_example("learn", 10, x[i].tobytes()).embedding for i in range(10, 15)]
        client.imprint(10)
        imprinted = client.head_read()
    host = HostHead(head, fixed_point=True, anchors=anchors_for(fw.prepared, head))
    host.train(learned, 3, LR)
    assert host.data == trained
    host.imprint(10, new)
    assert host.classes == 11 and host.data == imprinted
