"""The report's figures (matplotlib, rendered to PNG): memory against the
board, quality per artifact, latency per layer, confusion matrices, training
curves, drift over time (monitor.json)."""

import base64
import io

import numpy as np

MEMORY_ROWS = {"flash_bytes": "flash", "ram_bytes": "static RAM", "arena_bytes": "arena", "stack_bytes": "stack used"}


def _figure(size=(7, 3.2)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _memory_plot(b: dict):
    mem = b.get("memory")
    if not mem:
        return None
    flash, ram = mem.get("board_flash_bytes") or 1, mem.get("board_ram_bytes") or 1
    # a value the target cannot measure is left out, not drawn as 0 %
    bars = [(label, mem[k], flash if k == "flash_bytes" else ram) for k, label in MEMORY_ROWS.items() if mem.get(k) is not None]
    if not bars:
        return None
    fig, ax = _figure()
    ax.barh([n for n, _, _ in bars], [max(100 * v / lim, 1e-3) for _, v, lim in bars], color="tab:blue")
    for i, (_, v, lim) in enumerate(bars):
        ax.text(1.5e-3, i, f"{v:,} B ({100 * v / lim:.3g} %)", va="center")
    ax.axvline(100, color="tab:red", linestyle="--")
    # log scale: a 20 kB model on a 4 MB board must still show up
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 200)
    ax.set_xlabel("% of the board's flash / RAM (log scale; red: the limit)")
    return fig


def _quality_plot(b: dict, m: dict) -> tuple[str, object]:
    """(title, figure or None): accuracy of every artifact and the device, or their MAE for a regression model."""
    acc = b.get("accuracy") or {}
    regression = "mae_device" in acc or m.get("task") == "regression"
    key, device = ("mae", acc.get("mae_device")) if regression else ("accuracy", acc.get("device"))
    rows = [(a["name"], a[key]) for a in m.get("artifacts", []) if a.get(key) is not None]
    if device is not None:
        rows.append((f"{b['board']} ({b['runtime']})", device))
    title = "MAE per artifact" if regression else "Accuracy per artifact"
    if not rows:
        return title, None
    fig, ax = _figure()
    ax.tick_params(axis="x", rotation=30)
    if regression:
        ax.bar([n for n, _ in rows], [v for _, v in rows], color="tab:purple")
        ax.set_ylabel("mean absolute error, held-out split\n(lower is better)")
        return title, fig
    ax.bar([n for n, _ in rows], [100 * v for _, v in rows], color="tab:green")
    ax.set_ylabel("accuracy, held-out split (%)")
    ax.set_ylim(min(100 * v for _, v in rows) - 5, 100)
    return title, fig


def _layer_plot(b: dict):
    layers = (b.get("latency") or {}).get("layers")
    if not layers:
        return None
    fig, ax = _figure()
    ax.bar([f"{l['index']}:{l['op']}" for l in layers], [l["value"] for l in layers], color="tab:orange")
    ax.set_ylabel(b["latency"]["unit"])
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    return fig


def _plan_plot(plan: dict | None):
    """The AOT arena plan: one bar per buffer, from the layer that writes it to
    the last that reads it (x, in execution order), at its offset (y)."""
    if not plan or not plan.get("buffers"):
        return None
    fig, ax = _figure((7, 3.6))
    for b in plan["buffers"]:
        scratch = b["key"].startswith("s")
        ax.broken_barh([(b["first"] - 0.4, b["last"] - b["first"] + 0.8)], (b["offset"], b["size"]),
                       facecolors="tab:gray" if scratch else "tab:blue", edgecolor="white", linewidth=0.5,
                       alpha=0.6 if scratch else 0.9)
    ax.axhline(plan["arena_bytes"], color="tab:red", linestyle="--")
    steps = len(plan.get("ops", [])) or 1 + max(b["last"] for b in plan["buffers"])
    ax.set_xticks(range(steps))
    ax.set_xticklabels(["+".join(map(str, o)) for o in plan.get("order", [])] or range(steps), fontsize=7, rotation=60)
    ax.set_xlabel("layer, in execution order (blue: tensors, grey: scratch; red: the arena size)")
    ax.set_ylabel("arena offset (bytes)")
    return fig


def confusion(labels: list[int], predicted: list[int], n: int) -> np.ndarray:
    m = np.zeros((n, n), dtype=int)
    np.add.at(m, (np.asarray(labels), np.asarray(predicted)), 1)
    return m


def _confusion_plot(b: dict, class_names: list[str]):
    """Host int8 and device confusion matrices side by side (rows: true class, columns: predicted)."""
    pred = (b.get("accuracy") or {}).get("predictions")
    if not pred or not class_names:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(class_names)
    fig, axes = plt.subplots(1, 2, figsize=(min(4 + 0.5 * n, 12), min(2.6 + 0.25 * n, 7)))
    for ax, who in zip(axes, ("host_int8", "device")):
        m = confusion(pred["label"], pred[who], n)
        ax.imshow(m, cmap="Blues")
        for (i, j), v in np.ndenumerate(m):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="white" if v > m.max() / 2 else "black")
        ax.set_title(f"{'host int8' if who == 'host_int8' else b['board'] + ' (' + b['runtime'] + ')'}", fontsize=9)
        ax.set_xticks(range(n), class_names, rotation=90, fontsize=7)
        ax.set_yticks(range(n), class_names, fontsize=7)
        ax.set_xlabel("predicted")
    axes[0].set_ylabel("true class")
    return fig


def _training_plot(history: dict):
    if not history or not history.get("loss"):
        return None
    fig, ax = _figure()
    epochs = range(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], label="loss", color="tab:red")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    metric = next((k for k in ("accuracy", "mae") if k in history), None)
    if metric:
        other = ax.twinx()
        other.plot(epochs, history[metric], label=metric, color="tab:blue")
        other.set_ylabel(f"training {metric}")
    return fig


def _drift_plot(mon: dict | None) -> tuple[str, object]:
    """(title, figure or None): each window's drift scores against the sample count, thresholds dashed, alarms
    marked."""
    windows = (mon or {}).get("windows") or []
    shift = f", {mon['drift']} from sample {mon['drift_after']}" if mon and mon.get("drift") else ""
    title = f"Drift over time (monitor.json{shift})"
    if not windows:
        return title, None
    fig, ax = _figure()
    x = [w["end_sample"] for w in windows]
    ax.plot(x, [w["class_psi"] for w in windows], marker=".", label="class mix PSI", color="tab:blue")
    ax.plot(x, [w["confidence_psi"] for w in windows], marker=".", label="confidence PSI", color="tab:green")
    ax.plot(x, [max(w["channel_kl"], default=0) for w in windows], marker=".", label="max channel KL", color="tab:purple")
    th = mon["thresholds"]
    ax.axhline(th["class_psi"], color="tab:blue", linestyle="--", linewidth=0.8)
    ax.axhline(th["channel_kl"], color="tab:purple", linestyle="--", linewidth=0.8)
    for a in mon.get("alarms", []):
        ax.axvline(a["sample"], color="tab:red", linewidth=1.2)
    if mon.get("drift"):
        ax.axvline(mon["drift_after"], color="grey", linestyle=":")
    ax.set_yscale("symlog", linthresh=0.01)
    ax.set_xlabel("samples served (red: alarm; dotted: drift starts)")
    ax.set_ylabel("score (dashed: threshold)")
    ax.legend(fontsize=7)
    return title, fig


def _stream_timeline_plot(stream: dict | None) -> tuple[str, object]:
    """(title, figure or None): the recording's keywords (grey spans, one row per label, orange marks where
    missed) and the detections on them (green: a hit, red: a false accept), as bench --stream scored them."""
    title = "Streaming detection timeline (stream.json)"
    if not stream or stream.get("status") != "complete":
        return title, None
    events, detections = stream["events"], stream["detections"]
    if any("hit" not in d for d in detections) or any("detected" not in e for e in events):
        return title, None  # written before runs recorded their scoring: `bench --stream` again draws it
    labels = sorted({e["label"] for e in events} | {d["label"] for d in detections})
    row = {label: i for i, label in enumerate(labels)}
    fig, ax = _figure((9, 0.35 * len(labels) + 1.4))
    for e in events:
        ax.barh(row[e["label"]], e["end_s"] - e["start_s"], left=e["start_s"], height=0.6, color="lightgrey")
    missed = [(e["start_s"], row[e["label"]]) for e in events if not e["detected"]]
    if missed:
        ax.plot(*zip(*missed), "v", color="tab:orange", markersize=6, label="missed keyword")
    for ok in (True, False):
        pts = [(d["time_s"], row[d["label"]]) for d in detections if d["hit"] == ok]
        if pts:
            ax.plot(*zip(*pts), "|" if ok else "x", color="tab:green" if ok else "tab:red", markersize=9,
                    label="detection" if ok else "false accept")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlim(0, stream["duration_s"])
    ax.set_xlabel("seconds into the recording (grey: the keyword is spoken)")
    ax.legend(fontsize=7, loc="upper right")
    return title, fig


def _far_frr_plot(stream: dict | None) -> tuple[str, object]:
    """(title, figure or None): false rejects against false accepts per hour over the threshold sweep."""
    title = "False accepts vs false rejects over detection thresholds (stream.json)"
    rows = (stream or {}).get("sweep") or []
    if not rows or stream.get("status") != "complete":
        return title, None
    fig, ax = _figure((6, 3.6))
    far = [r["false_accepts_per_hour"] for r in rows]
    frr = [r["false_rejects_pct"] for r in rows]
    ax.plot(far, frr, marker=".", color="tab:blue")
    for r in rows[::4]:
        ax.annotate(f"{r['threshold']:g}", (r["false_accepts_per_hour"], r["false_rejects_pct"]), fontsize=7)
    chosen = stream["detector"]["threshold"]
    ax.plot([stream["false_accepts_per_hour"]], [stream["false_rejects_pct"]], "o", color="tab:red",
            label=f"threshold {chosen:g} (this run)")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("false accepts per hour")
    ax.set_ylabel("false rejects (%)")
    ax.legend(fontsize=7)
    return title, fig


def _validate_plot(v: dict | None) -> tuple[str, object]:
    """(title, figure or None): each layer's SQNR against the float model (or, without a float model, its largest
    difference from the host in LSB); layers whose device output differs from the host are red and marked x,
    layers not received grey and marked ?."""
    layers = (v or {}).get("layers") or []
    with_float = any(l["sqnr_db"] is not None for l in layers)
    what = "SQNR against the float model" if with_float else "largest difference from the host"
    title = f"Validation per layer, {v['runtime']} (validate.json): {what}" if v else ""
    if not layers:
        return title, None
    fig, ax = _figure()
    x = np.arange(len(layers))
    height = [(l["sqnr_db"] or 0.0) if with_float else l["max_abs_diff_lsb"] for l in layers]
    colors = {"identical": "tab:green", "differs": "tab:red", "not received": "tab:grey"}
    ax.bar(x, height, color=[colors[l["status"]] for l in layers])
    for i, l in enumerate(layers):
        if l["status"] != "identical":
            ax.annotate("x" if l["status"] == "differs" else "?", (i, height[i]), ha="center", va="bottom",
                        color="tab:red", fontweight="bold")
    ax.set_xticks(x, [f"{l['index']}:{l['op']}" for l in layers])
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    ax.set_ylabel("SQNR vs float (dB)" if with_float else "max |device - host| (LSB)")
    ax.set_xlabel("green: identical to the host; red x: the device differs; grey ?: not received")
    return title, fig


def _personalize_plot(r: dict | None) -> tuple[str, object]:
    """(title, figure or None): held-back accuracy per class before and after the update (personalize.json)."""
    title = f"Personalization ({r['mode']}, {r['shots']} shots): held-back accuracy per class" if r else ""
    if not r or r.get("status") != "complete":
        return title, None
    before, after = r["accuracy"]["before"]["per_class"], r["accuracy"]["after"]["per_class"]
    names = [n for n, v in before.items() if v["held"]]
    fig, ax = _figure()
    x = np.arange(len(names))
    ax.bar(x - 0.2, [100 * before[n]["accuracy"] for n in names], 0.4, label="before", color="tab:grey")
    ax.bar(x + 0.2, [100 * after[n]["accuracy"] for n in names], 0.4, label="after", color="tab:blue")
    ax.set_xticks(x, names)
    ax.tick_params(axis="x", rotation=45, labelsize=7)
    ax.set_ylabel("held-back accuracy (%)")
    ax.set_ylim(0, 118)  # room above the bars for the legend
    ax.legend(fontsize=7, loc="upper center", ncol=2)
    return title, fig
