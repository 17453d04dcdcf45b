"""The benchmark scripts' one way into docs/benchmarks.md: each owns the
section between its two markers and leaves the rest of the file as it is."""

import os
import platform
import shutil
import subprocess
from pathlib import Path


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
