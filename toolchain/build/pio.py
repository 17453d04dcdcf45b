"""Runs `pio run` in a generated project with the project-owned, offline core."""

import subprocess
import time
from pathlib import Path

from toolchain.build import pio_core
from toolchain.build.errors import BuildError
from toolchain.build.firmware import Compiled

TIMEOUT_S = 600


def run(project: Path, env_name: str) -> Compiled:
    """Build the project: its firmware.elf and the seconds it took."""
    pio_core.setup()
    t0 = time.monotonic()
    try:
        r = subprocess.run([pio_core.pio_exe(), "run", "-e", env_name], cwd=project, capture_output=True, text=True,
                           env=pio_core.pio_env(), timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        raise BuildError(f"`pio run` did not finish in {TIMEOUT_S} s", f"run it by hand in {project} to see why") from e
    seconds = time.monotonic() - t0
    if r.returncode != 0:
        tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-25:])
        raise BuildError(f"`pio run` failed in {project}:\n{tail}", "fix the error above; `pio run -v` in that folder shows the commands")
    elf = elf_path(project, env_name)
    if not elf.exists():
        raise BuildError(f"`pio run` succeeded but {elf} is missing")
    return Compiled(elf, seconds)


def elf_path(project: Path, env_name: str) -> Path:
    return Path(project) / ".pio" / "build" / env_name / "firmware.elf"
