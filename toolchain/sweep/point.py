"""One sweep point: the whole chain (train, optimize, export, build, bench on
the emulator) for one config, in a build tree of its own, so points running
side by side never share a manifest. A width other than 1.0 becomes a copy of
the recipe folder with `[train] width` set: its fingerprint, and so every
pipeline cache key made from it, differs from the recipe's own.

This is the only module of the sweep that calls the pipeline, build and bench
steps. It never raises for a point that goes wrong: the point comes back with
status "infeasible" (the fit check refused it) or "failed" and the error line.
"""

import os
import re
import shutil
import socket
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

TRAINED = ("float.keras", "test_set.npz", "manifest.json")  # build/<model>/host after the train step
LOG = "log.txt"


@contextmanager
def build_tree(work: Path, env: dict[str, str]):
    """TOOLCHAIN_BUILD_DIR (and `env`) pointed at `work`, output into work/log.txt; the process's own after."""
    work.mkdir(parents=True, exist_ok=True)
    saved = {k: os.environ.get(k) for k in [*env, "TOOLCHAIN_BUILD_DIR"]}
    os.environ.update({**env, "TOOLCHAIN_BUILD_DIR": str(work / "build")})
    try:
        with open(work / LOG, "a") as log, redirect_stdout(log), redirect_stderr(log):
            yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def recipe_ref(model_ref: str, width: float, recipes_dir: Path) -> str:
    """The recipe to run: `model_ref` itself at width 1.0, else a copy of its folder in `recipes_dir`, named
    `<name>-w<width>` (its own build/<name>/ tree) with [train] width set. Written only when it changed: the
    points of a width share it while they run."""
    from toolchain.recipes import resolve

    if width == 1.0:
        return model_ref
    src = resolve(model_ref)
    dst = recipes_dir / f"{src.name}-w{width:g}"
    dst.mkdir(parents=True, exist_ok=True)
    files = {f.name: f.read_bytes() for f in src.iterdir() if f.is_file()}
    files["recipe.toml"] = with_width(files["recipe.toml"].decode(), width).encode()
    for name, data in files.items():
        if not (dst / name).is_file() or (dst / name).read_bytes() != data:
            tmp = dst / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(dst / name)
    return str(dst)


def with_width(toml: str, width: float) -> str:
    """recipe.toml text named `<name>-w<width>` with `width` set in [train] (the table added when missing)."""
    line = f"width = {float(width)!r}"
    lines = toml.splitlines()
    first_table = next((i for i, l in enumerate(lines) if re.match(r"\s*\[", l)), len(lines))
    lines = [re.sub(r'^(\s*name\s*=\s*")([^"]*)(")', rf"\g<1>\g<2>-w{width:g}\g<3>", l) if i < first_table else l
             for i, l in enumerate(lines)]
    start = next((i for i, l in enumerate(lines) if re.match(r"\s*\[train\]\s*(#.*)?$", l)), None)
    if start is None:
        return "\n".join(lines) + f"\n\n[train]\n{line}\n"
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
    body = [l for l in lines[start + 1:end] if not re.match(r"\s*width\s*=", l)]
    return "\n".join(lines[:start + 1] + [line] + body + lines[end:]) + "\n"


def train(model_ref: str, width: float, seed: int, work: Path, recipes_dir: Path, env: dict[str, str]) -> dict:
    """Train the float model of one width once for every point that shares it: {"files": {name: bytes}} or {"error"}."""
    try:
        with build_tree(work, env):
            from toolchain import pipeline, recipes

            d = pipeline.train_step(recipes.load(recipe_ref(model_ref, width, recipes_dir)), seed).dir
            return {"files": {n: (d / n).read_bytes() for n in TRAINED}}
    except Exception as e:  # noqa: BLE001 - every point of this width reports it
        return {"error": error_line(e)}


def run(config: dict, model_ref: str, seed: int, samples: int | None, work: Path, recipes_dir: Path,
        trained: dict, env: dict[str, str]) -> dict:
    """Build and bench one point; the record sweep.json keeps for it."""
    from toolchain.boards import BoardError

    t0 = time.monotonic()
    rec = {"config": config, "status": "failed", "error": None, "fits": None, "accuracy": None, "host_accuracy": None,
           "agreement": None, "instructions": None, "arena_bytes": None, "flash_bytes": None, "ram_bytes": None,
           "files": [], "node": socket.gethostname()}
    try:
        if "error" in trained:
            raise _Trained(trained["error"])
        with build_tree(work, env):
            _measure(rec, config, recipe_ref(model_ref, config["width"], recipes_dir), seed, samples, trained)
        rec.update(status="ok", fits=True)
    except BoardError as e:  # the space's boards were checked up front: this is the fit check
        rec.update(status="infeasible", fits=False, error=str(e))
    except Exception as e:  # noqa: BLE001 - a failed point never stops the sweep
        rec["error"] = error_line(e)
    rec["seconds"] = round(time.monotonic() - t0, 1)
    rec["files"] = sorted(str(p.relative_to(work)) for p in _artifacts(work))
    return rec


class _Trained(Exception):
    """Training this point's width failed; its line is the point's error."""


def _measure(rec: dict, config: dict, ref: str, seed: int, samples: int | None, trained: dict):
    from toolchain import bench, manifest, paths, recipes
    from toolchain.pipeline import optimize_step

    recipe = recipes.load(ref)
    host = paths.artifact_dir(recipe.name)
    if not manifest.read(host).get("steps"):  # a rerun of this point keeps what it made before
        for name, data in trained["files"].items():
            (host / name).write_bytes(data)
        _own(host, recipe.path)
    optimize_step(recipe, seed, plan_of(recipe, config))
    board_dir = paths.artifact_dir(recipe.name, config["board"])
    try:
        r = bench.bench(ref, config["board"], runtime=config["runtime"], seed=seed, max_samples=samples)
    finally:
        # known once exported, also for a point the board refuses; replaced by the bench's own when it ran
        rows = {a["name"]: a.get("accuracy") for a in manifest.read(board_dir).get("artifacts") or []}
        rec["host_accuracy"] = rows.get(config["quantize"])
    mem, acc = r["memory"], r["accuracy"]
    # the TFLM host reference, which the device must match bit for bit (the export table's figure is LiteRT's)
    rec.update(accuracy=acc["device"], host_accuracy=acc["host_int8"], agreement=acc["agreement"],
               instructions=r["latency"]["instructions_median"],
               arena_bytes=mem["arena_bytes"], flash_bytes=mem["flash_bytes"], ram_bytes=mem["ram_bytes"],
               stack_bytes=mem.get("stack_bytes"))


def plan_of(recipe, config: dict):
    """The optimization plan of a point: prune, distill, then int8 post-training quantization or QAT."""
    from toolchain.optimize import Plan

    qat = config["quantize"] == "qat"
    return Plan.of(recipe, prune=config["prune"], distill=config["distill"], quantize=[] if qat else ["int8"], qat=qat)


def deploy(rec: dict, model_ref: str, seed: int, point_dir: Path, recipes_dir: Path, board: str | None,
           runtime: str | None, tflm_dir: Path | None = None):
    """Build a chosen point's model for `board` (the sweep's board by default) in the usual build tree, with its
    plan recorded as the last one, so `flash`, `emulate` and `bench` deploy it too. The point's own models are
    copied in when they are here (training again elsewhere need not give the same bits). Returns (Firmware, ref)."""
    from toolchain import build, paths, recipes
    from toolchain.pipeline import optimize_step

    config = rec["config"]
    ref = recipe_ref(model_ref, config["width"], recipes_dir)
    recipe = recipes.load(ref)
    made = point_dir / "build" / recipe.name / "host"
    if (made / "float.keras").is_file():
        host = paths.artifact_dir(recipe.name)
        shutil.copytree(made, host, dirs_exist_ok=True)
        m = host / "manifest.json"
        m.write_text(m.read_text().replace(str(made), str(host)))
        _own(host, recipe.path)
    optimize_step(recipe, seed, plan_of(recipe, config))
    fw = build.build(ref, board or config["board"], runtime=runtime or config["runtime"], seed=seed,
                        tflm_dir=tflm_dir)
    return fw, ref


def _own(host: Path, recipe_path: Path) -> None:
    """Models made elsewhere from the same recipe files are this recipe folder's (the pipeline may check whose)."""
    from toolchain import manifest

    if "recipe" in manifest.read(host):
        manifest.update(host, recipe=str(recipe_path))


def _artifacts(work: Path) -> list[Path]:
    """What comes back to the driver from a point run on another node (its work tree stays there)."""
    found = [work / LOG]
    for board_dir in (work / "build").glob("*/*"):
        found += [board_dir / n for n in ("manifest.json", "bench.json", "report.html")]
        found += list(board_dir.glob("*.tflite")) + list(board_dir.glob("firmware/.pio/build/*/firmware.elf"))
    return [p for p in found if p.is_file()]


def error_line(e: BaseException) -> str:
    """One line for the record: the message of our own errors, the type and first line of anything else."""
    from toolchain.errors import ToolchainError

    text = str(e) if isinstance(e, (ToolchainError, _Trained)) else f"{type(e).__name__}: {e}"
    return text.strip().splitlines()[0] if text.strip() else type(e).__name__

