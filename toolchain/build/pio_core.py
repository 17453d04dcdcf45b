"""Offline PlatformIO: a project-owned core dir that never needs the registry.

`python -m toolchain.build.pio_core` (idempotent) creates `.pio-core/` with
telemetry and update checks off, a `tool-scons` package wrapping the pip scons
(at the version the installed PlatformIO core asks for, else it would go to the
registry), a `toolchain-gccarmnoneeabi` package of symlinks to Debian's
`/usr/bin/arm-none-eabi-*`, and the local dev-platforms of firmware/platforms/
linked in, with their board JSON generated from boards/*.toml.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from toolchain import paths
from toolchain.boards import all_boards
from toolchain.boards.platformio import LOCAL_PLATFORMS, board_json
from toolchain.errors import ToolchainError

CORE_DIR = paths.REPO / ".pio-core"
GCC_PREFIX = "arm-none-eabi-"
GCC_BIN_DIR = Path("/usr/bin")
TOOLCHAIN_VERSION = "1.120201.0"  # stands for Debian's GCC 12.2


class PlatformioSetupError(ToolchainError):
    pass


def pio_env(core_dir: Path = CORE_DIR) -> dict[str, str]:
    """Environment for every `pio` call: our core dir, no telemetry, no update checks."""
    env = dict(os.environ)
    env["PLATFORMIO_CORE_DIR"] = str(core_dir)
    env["PLATFORMIO_SETTING_ENABLE_TELEMETRY"] = "no"
    env["PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL"] = "3650"
    env["PLATFORMIO_SETTING_CHECK_PRUNE_SYSTEM_THRESHOLD"] = "0"
    env["PLATFORMIO_NO_ANSI"] = "true"
    return env


def pio_exe() -> str:
    exe = Path(sys.executable).parent / "pio"
    if exe.exists():
        return str(exe)
    found = shutil.which("pio")
    if not found:
        raise PlatformioSetupError("PlatformIO (`pio`) is not installed", "pip install platformio in the toolchain venv")
    return found


def toolchain_package_dir(core_dir: Path = CORE_DIR) -> Path:
    return core_dir / "packages" / "toolchain-gccarmnoneeabi"


def platform_dir(name: str) -> Path:
    return paths.FIRMWARE / "platforms" / name


def scons_version() -> str:
    """The tool-scons version the installed PlatformIO core accepts (`~4.41101.0` -> 4.41101.0)."""
    from platformio import dependencies

    spec = dependencies.get_core_dependencies()["tool-scons"]
    m = re.search(r"\d+\.\d+\.\d+", spec)
    if not m:
        raise PlatformioSetupError(f"cannot read the tool-scons version from PlatformIO's dependencies ({spec!r})")
    return m.group(0)


def setup(core_dir: Path = CORE_DIR) -> Path:
    core_dir.mkdir(parents=True, exist_ok=True)
    _write_settings(core_dir)
    _make_scons_package(core_dir)
    _make_toolchain_package(core_dir)
    for name in LOCAL_PLATFORMS:
        _generate_board_json(platform_dir(name))
        _link_platform(core_dir, name)
    return core_dir


def _write_settings(core_dir: Path) -> None:
    state_path = core_dir / "appstate.json"
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        state = {}
    state.setdefault("settings", {}).update(
        {"enable_telemetry": False, "check_platformio_interval": 3650, "check_prune_system_threshold": 0}
    )
    _write_if_changed(state_path, json.dumps(state, indent=2))


def _package(pkg_dir: Path, name: str, version: str, pkg_type: str) -> None:
    pkg_dir.mkdir(parents=True, exist_ok=True)
    _write_if_changed(pkg_dir / "package.json", json.dumps({"name": name, "version": version, "system": "*"}, indent=2))
    spec = {"owner": "platformio", "id": None, "name": name, "requirements": None, "uri": None}
    _write_if_changed(pkg_dir / ".piopm", json.dumps({"type": pkg_type, "name": name, "version": version, "spec": spec}))


def _write_if_changed(path: Path, text: str) -> None:
    """Leaves identical files alone: concurrent set-ups (parallel test workers) never see a half-written file."""
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _make_scons_package(core_dir: Path) -> None:
    pkg = core_dir / "packages" / "tool-scons"
    _package(pkg, "tool-scons", scons_version(), "tool")
    # PlatformIO runs this file with its own Python; it must find the pip scons next to it
    import SCons

    site = Path(SCons.__file__).resolve().parent.parent
    _write_if_changed(pkg / "scons.py",
        "import sys\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "from SCons.Script import main\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )


def _make_toolchain_package(core_dir: Path) -> None:
    tools = sorted(GCC_BIN_DIR.glob(f"{GCC_PREFIX}*"))
    if not any(t.name == f"{GCC_PREFIX}gcc" for t in tools):
        raise PlatformioSetupError(
            f"{GCC_BIN_DIR / (GCC_PREFIX + 'gcc')} not found",
            "install it: apt-get install --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi",
        )
    pkg = toolchain_package_dir(core_dir)
    _package(pkg, "toolchain-gccarmnoneeabi", TOOLCHAIN_VERSION, "tool")
    bin_dir = pkg / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:
        link = bin_dir / tool.name
        if link.is_symlink() and os.readlink(link) == str(tool):
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(tool)


def _generate_board_json(platform: Path) -> None:
    out = platform / "boards"
    out.mkdir(exist_ok=True)
    for board in all_boards():
        if board.pio_platform == platform.name:
            _write_if_changed(out / f"{board.pio_board}.json", json.dumps(board_json(board), indent=2) + "\n")


def _link_platform(core_dir: Path, name: str) -> None:
    """Install the platform as a symlink so edits under firmware/platforms/ are live."""
    platforms = core_dir / "platforms"
    if (platforms / name).exists() or (platforms / f"{name}.pio-link").exists():
        return
    r = subprocess.run(
        [pio_exe(), "pkg", "install", "--global", "--platform", f"symlink://{platform_dir(name)}", "--skip-dependencies"],
        env=pio_env(core_dir), capture_output=True, text=True, timeout=120,
    )
    if r.returncode != 0:
        raise PlatformioSetupError(f"installing the local platform {name} failed:\n{r.stdout}{r.stderr}")


def main() -> int:
    try:
        core = setup()
    except ToolchainError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    print(f"PlatformIO core ready (offline): {core}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
