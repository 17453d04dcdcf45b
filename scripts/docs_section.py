"""The benchmark scripts' one way into docs/benchmarks.md: each owns the
section between its two markers and leaves the rest of the file as it is."""

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def replace_section(path: Path, begin: str, end: str, lines: list[str]) -> None:
    """Put `lines` (which start with `begin` and end with `end`) in place of that section, or append them."""
    path = Path(path)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    new = "\n".join(lines)
    if begin in text and end in text:
        text = text[:text.index(begin)] + new + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + new + "\n"
    path.write_text(text)
    print(f"wrote {path}")


def commands(cmds: list[str]) -> list[str]:
    """The closing block every section has: the commands that produced its figures."""
    return ["", "Commands (from the repository root):", "", "```", *cmds, "```"]


def machine(tools: tuple[str, ...] = ("qemu-system-arm", "arm-none-eabi-gcc")) -> str:
    """CPU, cores, load, kernel and the first line of each tool's --version: what a figure was measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    # the first line, up to a double space: espeak-ng goes on with its data folder, a path of this machine
    versions = [subprocess.run([t, "--version"], capture_output=True, text=True).stdout.splitlines()[0].split("  ")[0]
                for t in tools if shutil.which(t)]
    return "; ".join([f"{cpu}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
                      f"{platform.system()} {platform.release()}", *versions])


def run(args: list[str], failing_with: str | None = None) -> tuple[str, dict | None]:
    """(the command as typed, its --json result) of `toolchain ARGS --json` run from the repository root; exits
    when it fails. With `failing_with`, runs it without --json and wants that text in its error instead."""
    argv = list(args) if failing_with else [*args, "--json"]
    cmd = " ".join(["toolchain", *argv])
    print(cmd, file=sys.stderr, flush=True)
    r = subprocess.run([sys.executable, "-m", "toolchain", *argv], capture_output=True, text=True, cwd=REPO)
    if failing_with:
        if failing_with not in r.stdout + r.stderr:
            sys.exit(f"{cmd}: expected '{failing_with}':\n{(r.stdout + r.stderr)[-3000:]}")
        return cmd, None
    if r.returncode != 0:
        sys.exit(f"{cmd} failed:\n{r.stderr[-3000:]}")
    return cmd, json.loads(r.stdout[r.stdout.index("{"):])
