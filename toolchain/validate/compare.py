"""Device against host, layer by layer: identical or the largest difference in
LSB (quantization steps), and SQNR of the device's output against the float
model's; the first layer that differs, in model order."""

import math

import numpy as np

from toolchain.validate.layers import LayerInfo


def compare(layers: list[LayerInfo], device: list[dict[int, bytes]], host: list[dict[int, np.ndarray]],
            floats: list[dict[str, np.ndarray]] | None, samples: int) -> list[dict]:
    """One row per layer. `device`: per sample received so far, layer index -> output bytes (a sample cut short
    by the link holds only the layers that arrived); `samples`: how many were asked for."""
    rows = []
    for layer in layers:
        compared = identical = 0
        max_diff = 0
        first_bad = where = None
        signal = noise = 0.0
        float_seen = 0
        for s, got in enumerate(device):
            if layer.index not in got:
                continue
            # integers in LSB; a float tensor (TFLM runs float models) in its own units
            wide = np.float64 if np.dtype(layer.dtype).kind == "f" else np.int64
            dev = layer.array(got[layer.index]).astype(wide)
            ref = np.asarray(host[s][layer.index]).astype(wide).reshape(dev.shape)
            compared += 1
            diff = np.max(np.abs(dev - ref)).item() if dev.size else 0
            identical += diff == 0
            if diff and first_bad is None:
                first_bad = s
                # the element that differs most in the first sample that differs, to look at by hand
                at = np.unravel_index(int(np.argmax(np.abs(dev - ref))), dev.shape)
                where = {"at": [int(i) for i in at], "device": dev[at].item(), "host": ref[at].item()}
            max_diff = max(max_diff, diff)
            f = floats[s].get(layer.name) if floats else None
            if f is not None and f.size == dev.size and layer.scale:
                f = f.astype(np.float64).reshape(dev.shape)
                signal += float(np.sum(f * f))
                noise += float(np.sum((f - layer.dequantize(dev)) ** 2))
                float_seen += 1
        if compared == 0:
            status = "not received"
        elif identical < compared:
            status = "differs"
        else:
            status = "identical"
        rows.append({"index": layer.index, "op": layer.op, "tensor": layer.name, "shape": list(layer.shape),
                     "bytes": layer.nbytes, "status": status, "samples": compared, "samples_asked": samples,
                     "identical_samples": identical, "max_abs_diff_lsb": max_diff, "first_differing_sample": first_bad,
                     "first_differing_element": where,
                     "sqnr_db": sqnr(signal, noise) if float_seen else None})
    return rows


def sqnr(signal: float, noise: float) -> float | None:
    """10 log10(signal / noise) in dB; None when there is no noise to measure against (an exact layer)."""
    if noise == 0 or signal == 0:
        return None
    return round(10 * math.log10(signal / noise), 2)


def first_difference(rows: list[dict]) -> dict | None:
    """The first layer in model order whose device output differs from the host's."""
    return next((r for r in sorted(rows, key=lambda r: r["index"]) if r["status"] == "differs"), None)
