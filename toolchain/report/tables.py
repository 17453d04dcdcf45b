"""Tables of results for the terminal and report.html: runtimes side by side
(`bench --compare`) and the history of bench runs (`runs/*.json`)."""

from pathlib import Path

import numpy as np

from toolchain import bench_file
from toolchain.importer import qdq_check
from toolchain.paths import RUNS_DIR

def compare_rows(table: dict) -> list[list[str]]:
    """The table as strings for the terminal: one column per runtime, then each ratio to the first."""
    names, base = table["runtimes"], table["base"]
    out = []
    for row in table["rows"]:
        cells = [row["what"]] + ["n/a" if row["values"][n] is None else f"{row['values'][n]:,}" for n in names]
        ratios = row[f"ratio_to_{base}"]
        out.append(cells + ["" if ratios[n] is None else f"{ratios[n]:.2f}x" for n in names[1:]])
    for pair, o in table["outputs"].items():
        out.append([f"outputs identical ({pair.replace('_', ' ')})", *[""] * len(names),
                    f"{o['identical']}/{o['samples']}"] + [""] * (len(names) - 2))
    out.append(["agreement with host int8"] + [f"{table['agreement_with_host'][n]:.3f}"
                                              if table["agreement_with_host"][n] is not None else "n/a" for n in names]
               + [""] * (len(names) - 1))
    return out


def compare_headers(table: dict) -> list[str]:
    names, base = table["runtimes"], table["base"]
    return ["", *names, *[f"{n} / {base}" for n in names[1:]]]


def _latency(r: dict) -> int | None:
    lat = r.get("latency") or {}
    return lat.get("instructions_median", lat.get("us_median"))


def _tensor_bytes(r: dict) -> int | None:
    mem = r.get("memory") or {}
    return None if mem.get("arena_bytes") is None else mem["arena_bytes"] + (mem.get("io_bytes") or 0)


def _accuracy(r: dict) -> float | None:
    acc = r.get("accuracy") or {}
    return acc.get("device") if acc.get("device") is not None else acc.get("agreement")


HISTORY_COLUMNS = (("latency", _latency), ("arena + io B", _tensor_bytes),
                   ("flash B", lambda r: (r.get("memory") or {}).get("flash_bytes")), ("accuracy", _accuracy))


def history_headers() -> list[str]:
    return ["run", "runtime", "status", "samples"] + [c for c, _ in HISTORY_COLUMNS]


def history(directory: Path) -> list[dict]:
    """Every bench run in `directory/runs/`, oldest first, each with its change against the previous complete
    run of the same runtime."""
    runs = []
    last: dict[str, dict] = {}
    for f in sorted((Path(directory) / RUNS_DIR).glob("*.json")):
        try:
            r = bench_file.read(f)
        except bench_file.BenchFileError:
            continue  # a run file cut short by a crash (or of a newer toolchain) tells nothing here
        values = {c: read(r) for c, read in HISTORY_COLUMNS}
        before = last.get(r.get("runtime"))
        delta = {c: (v - before[c] if v is not None and before and before.get(c) is not None else None)
                 for c, v in values.items()}
        runs.append({"run": f.stem, "runtime": r.get("runtime"), "status": r.get("status"),
                     "samples": (r.get("accuracy") or {}).get("samples"), "values": values, "delta": delta,
                     "unit": (r.get("latency") or {}).get("unit")})
        if r.get("status") == "complete":
            last[r.get("runtime")] = values
    return runs


def history_rows(runs: list[dict]) -> list[list[str]]:
    def cell(v, d, column):
        if v is None:
            return "n/a"
        text = f"{v:.2%}" if column == "accuracy" else f"{v:,}"
        if d:
            text += f" ({d:+.2%})" if column == "accuracy" else f" ({d:+,})"
        return text

    return [[r["run"], r["runtime"], r["status"], r["samples"] if r["samples"] is not None else "-",
             *[cell(r["values"][c], r["delta"][c], c) for c, _ in HISTORY_COLUMNS]] for r in runs]


def class_rows(b: dict, labels: list[str]) -> list[list[str]]:
    """Per class: samples, precision and recall of the host int8 model and of the device."""
    pred = (b.get("accuracy") or {}).get("predictions")
    if not pred or not labels:
        return []
    truth = np.asarray(pred["label"])
    rows = []
    for k, name in enumerate(labels):
        cells = [name, str(int(np.sum(truth == k)))]
        for who in ("host_int8", "device"):
            p = np.asarray(pred[who])
            tp = int(np.sum((p == k) & (truth == k)))
            cells += [f"{tp / max(1, int(np.sum(p == k))):.1%}", f"{tp / max(1, int(np.sum(truth == k))):.1%}"]
        rows.append(cells)
    return rows


def layer_rows(b: dict, profile: dict | None) -> list[list[str]]:
    """Per layer of the deployed model (AOT): op, MACs, weight bytes, and its latency when profiled."""
    layers = (b.get("firmware") or {}).get("layers") or []
    timed = {entry["index"]: entry["value"] for entry in ((profile or {}).get("latency") or {}).get("layers", [])}
    unit = ((profile or {}).get("latency") or {}).get("unit", "")
    return [[str(layer["index"]), layer["op"], f"{layer.get('macs', 0):,}", f"{layer.get('weights_bytes', 0):,}",
             f"{timed[layer['index']]:,} {unit}" if layer["index"] in timed else "-"] for layer in layers]


def parity_rows(m: dict) -> list[tuple[str, str]]:
    """An imported ONNX model's parity: ONNX Runtime vs the converted float model, int8 vs float."""
    p = m.get("parity")
    if not p:
        return []
    if p.get("kind") == "qdq":
        return qdq_check.lines(p) + _layout_rows(m)
    rows = [("inputs", f"{p['samples']} {p.get('inputs', '')}"),
            ("ONNX Runtime vs converted float, max |diff|",
             f"{p['onnx_vs_converted_max_abs_diff']:.2e} (outputs up to {p['onnx_output_range']:.3g})")]
    if p.get("int8_vs_float_top1_agreement") is not None:
        verdict = "passed" if p["passed"] else "FAILED: the int8 model decides differently from the float one"
        rows.append(("int8 vs float top-1 agreement",
                     f"{p['int8_vs_float_top1_agreement']:.2%} (threshold {p['threshold']:.2%}): {verdict}"))
    if p.get("int8_vs_float_max_abs_diff") is not None:
        rows.append(("int8 vs float (one output), max |diff|", f"{p['int8_vs_float_max_abs_diff']:.3g}"))
    if p.get("int8_vs_float_decision_agreement") is not None:
        verdict = "passed" if p["passed"] else "FAILED: the int8 model decides differently from the float one"
        rows.append(("int8 vs float decisions at 0.5 agree",
                     f"{p['int8_vs_float_decision_agreement']:.2%} (threshold {p['threshold']:.2%}): {verdict}"))
    if p.get("layers"):
        rows.append(("int8 vs float SQNR per layer", ", ".join(f"#{l['index']} {l['op']} {l['sqnr_db']:.1f} dB"
                                                             for l in p["layers"])))
    return rows + _layout_rows(m)


def _layout_rows(m: dict) -> list[tuple[str, str]]:
    layout = m.get("input_layout")
    if not layout:
        return []
    return [("input layout", f"user {tuple(layout['user_shape'])} -> device {tuple(layout['device_shape'])} "
                             f"(transposed on the host, before quantization)")]


def lineage_rows(m: dict) -> list[tuple[str, str]]:
    """Where the deployed model comes from: recipe, data, seed, code and tool versions."""
    lin = m.get("lineage") or {}
    rows = [(k, str(lin[k])) for k in ("recipe", "recipe_hash", "imported", "seed", "code") if k in lin]
    if m.get("data_hash"):
        rows.append(("data hash", m["data_hash"]))
    rows += [(f"hash of {name}", h[:16]) for name, h in (lin.get("hashes") or {}).items()]
    rows += [(f"version of {k}", v) for k, v in (lin.get("versions") or {}).items()]
    return rows
