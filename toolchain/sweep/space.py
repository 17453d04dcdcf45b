"""The search space: a `[space]` table in TOML whose keys are axes and whose
values are lists, e.g. `prune = [0.0, 0.5]` and `quantize = ["int8", "qat"]`
make a 4-point grid. Axes not named keep their default. `--budget N` draws N
distinct points of the grid at random (seeded), so a bigger budget with the
same seed keeps the points of a smaller one.
"""

import hashlib
import itertools
import json
import random
import tomllib
from pathlib import Path

from toolchain import boards
from toolchain.boards import runtimes
from toolchain.sweep.errors import SweepError

# the runtimes an emulated board builds: a sweep runs every point on QEMU
RUNTIMES = tuple(r.name for r in runtimes.TABLE.values() if "qemu" in r.kinds)
# axis -> (what it means, default); the order is the order of a point's config
AXES = {
    "board": ("emulated board id (qemu-m4, qemu-m7)", None),
    "runtime": (", or ".join(RUNTIMES), RUNTIMES[0]),
    "width": ("width multiplier > 0 given to the recipe's build(width=...)", 1.0),
    "prune": ("pruning sparsity in [0, 1)", 0.0),
    "distill": ("true or false", False),
    "quantize": ("int8 (post-training) or qat", "int8"),
}
QUANTIZE = ("int8", "qat")
DEFAULT_SPACE = {"prune": [0.0, 0.5], "quantize": ["int8", "qat"]}


def load(path: Path | None) -> dict[str, list]:
    """The axes of a sweep.toml; the default space without a file."""
    if path is None:
        return dict(DEFAULT_SPACE)
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"space file '{path}' not found", "pass --space with a TOML file holding a [space] table")
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise SweepError(f"{path}: invalid TOML: {e}") from None
    extra = sorted(set(raw) - {"space"})
    if extra:
        raise SweepError(f"{path}: unknown key '{extra[0]}' at the top level", "put the axes in a [space] table")
    if not isinstance(raw.get("space"), dict) or not raw["space"]:
        raise SweepError(f"{path}: no [space] table", f"add one, e.g. [space] prune = [0.0, 0.5]; axes: {', '.join(AXES)}")
    return parse(raw["space"], str(path))


def parse(space: dict, where: str = "sweep space") -> dict[str, list]:
    for k in space:
        if k not in AXES:
            raise SweepError(f"{where}: unknown key '{k}' in [space]", f"allowed: {', '.join(AXES)}")
    out = {}
    for k, values in space.items():
        if not isinstance(values, list) or not values:
            raise SweepError(f"{where}: '{k}' in [space] must be a non-empty list, got {values!r}",
                             f"e.g. {k} = [{_example(k)}]")
        out[k] = [_value(k, v, where) for v in values]
    return out


def _example(axis: str) -> str:
    return {"prune": "0.0, 0.5", "distill": "false, true", "quantize": '"int8", "qat"', "width": "0.5, 1.0",
            "runtime": '"aot"', "board": '"qemu-m4", "qemu-m7"'}[axis]


def _value(axis: str, v, where: str):
    bad = SweepError(f"{where}: {v!r} is not a valid {axis}", f"{axis} is {AXES[axis][0]}")
    if axis in ("prune", "width"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise bad
        v = float(v)
        if (axis == "prune" and not 0 <= v < 1) or (axis == "width" and v <= 0):
            raise bad
    elif axis == "distill":
        if not isinstance(v, bool):
            raise bad
    elif axis == "quantize" and v not in QUANTIZE or axis == "runtime" and v not in RUNTIMES:
        raise bad
    elif axis == "board":
        if not isinstance(v, str):
            raise bad
        b = boards.load(v)
        if not b.emulated or b.emulator != "qemu-system-arm":
            raise SweepError(f"{where}: board '{v}' has no Cortex-M emulator, and every sweep point is measured on one",
                             "use qemu-m4 or qemu-m7, then deploy the chosen point to the real board")
    return v


def points(space: dict[str, list], board: str | None = None, budget: int | None = None,
           seed: int = 0) -> list[dict]:
    """Every point of the grid (axes in AXES order), or `budget` of them drawn at random."""
    if board is not None and "board" in space:
        raise SweepError("the boards are given twice: by --board and by 'board' in [space]", "keep one of them")
    axes = {k: space.get(k, [AXES[k][1]]) for k in AXES}
    axes["board"] = space.get("board") or [_value("board", board or "qemu-m4", "--board")]
    grid = [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]
    if budget is not None:
        if budget < 1:
            raise SweepError(f"--budget {budget} would build nothing", "pass --budget 1 or more")
        random.Random(seed).shuffle(grid)
        grid = grid[:budget]
    return grid


def point_id(config: dict, *, seed: int, samples: int | None, recipe: str) -> str:
    """The key of a point in sweep.json: its config and everything else its result depends on."""
    key = {"config": config, "seed": seed, "samples": samples, "recipe": recipe}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]


def describe(config: dict) -> str:
    parts = [config["board"], config["runtime"], f"width {config['width']:g}"]
    parts += [f"prune {config['prune']:.0%}"] if config["prune"] else []
    parts += ["distill"] if config["distill"] else []
    return ", ".join(parts + [config["quantize"]])
