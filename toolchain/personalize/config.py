"""Every default and limit of on-device personalization, in one table
(DEFAULTS), and the C header generated from it and a model's factory head
(tm_personalize_config.h): the firmware (firmware/personalize/) and the host
replay (replay.py) compile against the same text.

The learning defaults (lr, epochs, anchors, the imprint rule's rank) were
chosen on validation data only by the worked cases of docs/personalize.md
(new speakers and words on the keywords_voices backbone, rotated sensors; the
evaluation data never looked at); a value changed here changes device and
host at once."""

from dataclasses import dataclass, field, fields

import numpy as np

from toolchain.personalize.head import Anchors, FactoryHead


@dataclass(frozen=True)
class Defaults:
    lr: float = field(default=0.06, metadata={"what": "SGD learning rate of `train N%` without one (its first "
                                                      "epoch)"})
    lr_decay: float = field(default=0.9, metadata={"what": "the learning rate is multiplied by this after each "
                                                           "epoch"})
    epochs: int = field(default=15, metadata={"what": "epochs of `toolchain personalize --mode sgd`"})
    anchors_per_class: int = field(default=10, metadata={"what": "factory embeddings in flash for the smallest "
                                                                 "class, more for larger ones "
                                                                 "(toolchain/personalize/anchors.py)"})
    anchor_ratio: int = field(default=2, metadata={"what": "SGD steps on anchors after each stored example's, "
                                                           "against forgetting"})
    final_anchor_pass: int = field(default=1, metadata={"what": "1: after the epochs, one SGD step on every anchor "
                                                                "in flash order (every update ends alike)"})
    imprint_anchors_per_class: int = field(default=20, metadata={"what": "random training embeddings in flash "
                                                                         "per smallest class, that set an "
                                                                         "imprinted row's bias"})
    imprint_rank: int = field(default=5, metadata={"what": "how many of those imprint anchors a new row takes "
                                                           "(keywords_voices: 5 of 300)"})
    imprint_ridge: float = field(default=0.003, metadata={"what": "ridge on the within-class covariance imprinting "
                                                                  "inverts, times its mean variance"})
    shots: int = field(default=5, metadata={"what": "examples per class learned (--shots); the rest are held back"})
    max_examples: int = field(default=80, metadata={"what": "embeddings the device stores for learning"})
    max_held: int = field(default=192, metadata={"what": "held-back embeddings the device stores for scoring (192: "
                                                         "the extra RAM within 24 KB at 64 wide)"})
    extra_classes: int = field(default=4, metadata={"what": "head rows beyond the model's classes, for imprinting"})
    frac_bits: int = field(default=16, metadata={"what": "fraction bits of the fixed-point head (cores without "
                                                         "an FPU)"})
    embed_scale_bits: int = field(default=24, metadata={"what": "fraction bits of the embedding scale in the "
                                                                "fixed-point head"})

    def rows(self) -> list[tuple[str, object, str]]:
        return [(f.name, getattr(self, f.name), f.metadata["what"]) for f in fields(self)]


DEFAULTS = Defaults()

HEADER = "tm_personalize_config.h"


def _c_float(v: float) -> str:
    return f"{float(np.float32(v))!r}f"


def _array(ctype: str, name: str, values) -> str:
    items = [str(v) for v in values]
    lines = [", ".join(items[i:i + 8]) for i in range(0, len(items), 8)]
    return f"static const {ctype} {name}[{max(len(items), 1)}] = {{\n  " + ",\n  ".join(lines or ["0"]) + "\n};"


def fixed(values: np.ndarray, bits: int = DEFAULTS.frac_bits) -> np.ndarray:
    """float32 values as int32 fixed point with `bits` fraction bits, rounded to nearest."""
    return np.round(np.asarray(values, np.float64) * (1 << bits)).astype(np.int64).astype(np.int32)


def header(head: FactoryHead, anchors: Anchors, *, fixed_point: bool, d: Defaults = DEFAULTS) -> str:
    """tm_personalize_config.h for `head` and its `anchors`: float32 words on cores with an FPU, fixed point
    without."""
    rows = head.classes + d.extra_classes
    if fixed_point:
        word = "int32_t"
        w, b = [int(v) for v in fixed(head.w.ravel(), d.frac_bits)], [int(v) for v in fixed(head.b, d.frac_bits)]
    else:
        word, w, b = "float", [_c_float(v) for v in head.w.ravel()], [_c_float(v) for v in head.b]
    scale_q = int(round(head.embed_scale * (1 << d.embed_scale_bits)))
    # the precision matrix only gives a direction: scaled to at most 1, it is Q30 in the fixed-point head
    precision = anchors.precision / np.abs(anchors.precision).max()
    if fixed_point:
        means = [int(v) for v in fixed(anchors.means.ravel(), d.frac_bits)]
        precision = [int(v) for v in fixed(precision.ravel(), 30)]
    else:
        means = [_c_float(v) for v in anchors.means.ravel()]
        precision = [_c_float(v) for v in precision.ravel()]
    out = ["// SPDX-License-Identifier: Apache-2.0",
           "// Generated by toolchain.personalize.config from its table and the model's head; do not edit.",
           "#ifndef TM_PERSONALIZE_CONFIG_H_", "#define TM_PERSONALIZE_CONFIG_H_", "", "#include <stdint.h>", "",
           f"#define TM_HEAD_FIXED {int(fixed_point)}  // 1: int32 fixed point (tm_head_fixed.c), 0: float32",
           f"typedef {word} tm_head_word_t;",
           f"#define TM_HEAD_DIM {head.dim}  // values of the embedding",
           f"#define TM_HEAD_CLASSES {head.classes}  // classes of the deployed model",
           f"#define TM_HEAD_MAX_CLASSES {rows}  // rows of the head: room for imprinted classes",
           f"#define TM_HEAD_EMBED_ZERO_POINT {head.embed_zero_point}",
           f"#define TM_HEAD_EMBED_SCALE {_c_float(head.embed_scale)}",
           f"#define TM_HEAD_EMBED_SCALE_Q {scale_q}  // the scale in Q{d.embed_scale_bits}",
           f"#define TM_HEAD_EMBED_SCALE_BITS {d.embed_scale_bits}",
           f"#define TM_HEAD_FRAC_BITS {d.frac_bits}",
           f"#define TM_HEAD_TENSOR {head.embed_tensor}  // the .tflite tensor of the embedding", ""]
    out += [f"#define TM_PERSONALIZE_{name.upper()} {_c_float(v) if isinstance(v, float) else v}  // {what}"
            for name, v, what in d.rows()]
    out += [f"#define TM_PERSONALIZE_ANCHORS {len(anchors)}  // anchors in flash, round-robin by class",
            f"#define TM_PERSONALIZE_IMPRINT_ANCHORS {len(anchors.imprint_q)}  // imprint anchors in flash",
            f"#define TM_HEAD_CLASS_MEANS {len(anchors.means)}  // classes with a mean embedding (0: none)"]
    out += ["", "// The factory head: the deployed layer dequantized, row by row",
            _array(word, "tm_head_factory_w", w), _array(word, "tm_head_factory_b", b), "",
            "// The anchors: int8 embeddings (TM_HEAD_DIM each) and their classes",
            _array("int8_t", "tm_personalize_anchor_q", [int(v) for v in anchors.q.ravel()]),
            _array("uint8_t", "tm_personalize_anchor_label", [int(v) for v in anchors.labels]), "",
            "// Imprinting: random training embeddings (TM_HEAD_DIM each), the classes' mean embeddings and the",
            "// inverse within-class covariance (row-major, scaled to at most 1 in magnitude"
            + (", Q30)" if fixed_point else ")"),
            _array("int8_t", "tm_head_imprint_anchor_q", [int(v) for v in anchors.imprint_q.ravel()]),
            _array(word, "tm_head_class_mean", means),
            _array("int32_t" if fixed_point else "float", "tm_head_precision", precision), "",
            "#endif  // TM_PERSONALIZE_CONFIG_H_", ""]
    return "\n".join(out)
