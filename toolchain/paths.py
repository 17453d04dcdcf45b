"""Where things live: the repo, the build tree, the recipes and boards."""

import os
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIRMWARE = REPO / "firmware"
RECIPES = REPO / "models"
BOARDS = REPO / "boards"

# what bench writes beside the model's manifest and report reads back
BENCH_FILE = "bench.json"
PROFILE_FILE = "bench-profile.json"
STREAM_FILE = "stream.json"  # bench --stream: streaming detection of an audio model
RUNS_DIR = "runs"
MONITOR_FILE = "monitor.json"
VALIDATE_FILE = "validate.json"  # toolchain validate: every layer, device against host
PERSONALIZE_FILE = "personalize.json"  # toolchain personalize: before/after, cost, host replay


def cache_root() -> Path:
    """TOOLCHAIN_CACHE_DIR, else $XDG_CACHE_HOME/toolchain, else ~/.cache/toolchain."""
    if os.environ.get("TOOLCHAIN_CACHE_DIR"):
        return Path(os.environ["TOOLCHAIN_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "toolchain"


def build_root() -> Path:
    """The build tree; TOOLCHAIN_BUILD_DIR overrides (tests use a tmp dir)."""
    return Path(os.environ.get("TOOLCHAIN_BUILD_DIR", Path.cwd() / "build"))


def artifact_dir(model: str, board: str = "host", create: bool = True) -> Path:
    """`build/<model>/<board>/`, created unless `create` is False."""
    d = build_root() / model / board
    if create:
        d.mkdir(parents=True, exist_ok=True)
    return d


def run_file(directory: Path, label: str) -> Path:
    """`runs/<UTC time>-<label>.json` in a model's build folder: one file per bench run, never overwritten."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return Path(directory) / RUNS_DIR / f"{stamp}-{label}.json"
