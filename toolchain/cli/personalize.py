"""`toolchain personalize`."""

import json
import signal
from pathlib import Path

import typer

from toolchain.cli import options
from toolchain.cli.signals import exit_on
from toolchain.console import console
from toolchain.personalize.config import DEFAULTS


def personalize_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
    data: Path = typer.Option(..., "--data", help="FOLDER/<label>/<files>: .wav clips for audio models, .npy "
                              "examples (float32, the model's input shape) otherwise."),
    shots: int = typer.Option(DEFAULTS.shots, "--shots", help="Examples per class to learn; the rest are held back "
                              "to measure before and after."),
    mode: str = typer.Option("sgd", "--mode", help="sgd (train the head on the examples) or imprint (add "
                             "--new-class from the mean of its examples)."),
    new_class: str = typer.Option(None, "--new-class", help="With --mode imprint: the folder of the class to add."),
    epochs: int = typer.Option(DEFAULTS.epochs, "--epochs", help="SGD epochs over the learned examples."),
    lr: float = typer.Option(DEFAULTS.lr, "--lr", help="SGD learning rate (sent in millionths)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the shuffle that picks the examples to learn."),
    port: str = typer.Option(None, "--port", help="A device already running the personalization firmware (default: "
                             "QEMU started here)."),
    as_json: bool = options.JSON,
) -> None:
    """Teach the device's classifier head new examples (SGD or imprinting) and measure before and after.

    Example: toolchain personalize --board qemu-m4 --model gesture --data my-gestures --shots 5
    """
    from toolchain import report
    from toolchain.paths import PERSONALIZE_FILE, build_root
    from toolchain.personalize.run import personalize
    from toolchain.pipeline import model_name

    exit_on(signal.SIGTERM, signal.SIGHUP)
    r = personalize(model, board, data, shots=shots, mode=mode, new_class=new_class, epochs=epochs, lr=lr, seed=seed,
                    url=port)
    written = report.write(build_root() / model_name(model) / board)
    if as_json:
        console.out.print_json(json.dumps(r))
        return
    acc, cost, mem = r["accuracy"], r["cost"], r["memory"]
    pct = lambda v: "n/a" if v is None else f"{100 * v:.1f} %"  # noqa: E731
    rows = [[name, str(b["held"]), pct(b["accuracy"]), pct(acc["after"]["per_class"][name]["accuracy"])]
            for name, b in acc["before"]["per_class"].items() if b["held"]]
    rows.append(["all", str(r["examples"]["held"]), pct(acc["before"]["accuracy"]), pct(acc["after"]["accuracy"])])
    console.table(f"{r['model']} on {r['board']}: {r['mode']}, {r['shots']} shots, held-back accuracy",
                  ["class", "held back", "before", "after"], rows)
    split = r.get("test_split")
    if split:
        console.info(f"the recipe's test split ({split['samples']} samples): {pct(split['before'])} before, "
                     f"{pct(split['after'])} after")
    what = f"{cost['steps']} steps, {cost['instructions_per_step']:,} per step" if r["mode"] == "sgd" else \
        f"from {cost['steps']} examples"
    console.info(f"update: {cost['update_instructions']:,} instructions ({what}); with the embeddings "
                 f"{cost['whole_update_instructions']:,}")
    ram = "n/a (no ELF here)" if mem["extra_ram_bytes"] is None else f"{mem['extra_ram_bytes']:,} B"
    console.info(f"extra RAM: {ram} (head {mem['head_bytes']:,} B, stores {mem['learn_store_bytes']:,} + "
                 f"{mem['held_store_bytes']:,} B)")
    rep = r["replay"]
    (console.success if rep["head_identical"] else console.warning)(
        "host replay: the device's head, bit for bit" if rep["head_identical"]
        else f"host replay differs from the device's head in {rep['bytes_differing']} bytes")
    (console.success if rep["embeddings_identical"] else console.warning)(
        "host embeddings: the device's, bit for bit" if rep["embeddings_identical"]
        else "the host's embeddings of the examples differ from the device's")
    console.info(f"{PERSONALIZE_FILE} and {written} written in {r['wall_seconds']} s")
