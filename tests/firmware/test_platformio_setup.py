"""The offline PlatformIO core: idempotent, versions read from PlatformIO itself."""

import json

from platformio import dependencies

from toolchain.build import pio_core


def test_setup_is_idempotent_and_offline_ready(tmp_path):
    core = tmp_path / "core"
    pio_core.setup(core)
    first = sorted(p.relative_to(core) for p in core.rglob("*"))
    pio_core.setup(core)
    assert sorted(p.relative_to(core) for p in core.rglob("*")) == first

    scons = json.loads((core / "packages" / "tool-scons" / "package.json").read_text())
    assert scons["version"] in dependencies.get_core_dependencies()["tool-scons"]
    gcc = pio_core.toolchain_package_dir(core) / "bin" / "arm-none-eabi-gcc"
    assert gcc.is_symlink() and gcc.resolve().name.startswith("arm-none-eabi-gcc")
    assert json.loads((core / "appstate.json").read_text())["settings"]["enable_telemetry"] is False
    assert (core / "platforms" / "qemu-mps2.pio-link").exists()


def test_platform_boards_are_generated_from_toml():
    pio_core.setup()
    board = json.loads((pio_core.platform_dir("qemu-mps2") / "boards" / "qemu-m4.json").read_text())
    assert board["build"]["cpu"] == "cortex-m4" and board["upload"]["maximum_size"] == 4 * 1024 * 1024
