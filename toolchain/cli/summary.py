"""Render a model manifest's artifact comparison as a table."""

import json
from pathlib import Path

from toolchain.console import console
from toolchain.importer import report as parity_report


def _quality(row: dict) -> str:
    if row.get("accuracy") is not None:
        return f"{row['accuracy'] * 100:.2f} %"
    return f"MAE {row['mae']:.4f}" if row.get("mae") is not None else "-"


def _note(row: dict) -> str:
    if "sparsity" in row and row["sparsity"]:
        return f"sparsity {row['sparsity']:.0%}"
    if "max_abs_diff_vs_keras" in row:
        return f"max |onnx - keras| = {row['max_abs_diff_vs_keras']:.1e}"
    if "vs_litert" in row:
        def cmp(v: dict) -> str:
            top1 = f"top-1 {v['top1_agree']}/{v['samples']}, " if v.get("top1_agree") is not None else ""
            return f"{top1}{v['values_differ']} values differ (max {v['max_lsb_diff']} LSB)"
        return f"vs LiteRT builtin: {cmp(row['vs_litert'])}; vs XNNPACK: {cmp(row['vs_litert_xnnpack'])}"
    if "input_quant" in row and row["input_quant"]["scale"]:
        q = row["input_quant"]
        return f"in {q['dtype']} scale {q['scale']:.4g} zp {q['zero_point']}"
    return ""


def show(m: dict, as_json: bool = False) -> None:
    if as_json:
        console.out.print_json(json.dumps(m, default=str))
        return
    rows = [[r["name"], f"{r['size_bytes']:,}", _quality(r), _note(r)] for r in m.get("artifacts", [])]
    console.table(f"{m.get('model')} on {m.get('board')}", ["artifact", "bytes", "quality", "notes"], rows)
    if m.get("arena_bytes"):
        console.info(f"ops: {', '.join(m['ops'])}")
        console.info(f"TFLM arena: {m['arena_measured_bytes']:,} B measured, {m['arena_bytes']:,} B with margin")
    if m.get("parity"):
        parity_report(m["parity"])
    if m.get("aot"):
        a = m["aot"]
        console.info(f"AOT C: {a['layers']} layers, {a['macs']:,} MACs, arena {a['arena_bytes']:,} B (planned), "
                     f"weights {a['weights_bytes']:,} B -> {Path(a['files'][0]).parent}")
