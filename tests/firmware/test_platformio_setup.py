"""The offline PlatformIO core: idempotent, versions read from PlatformIO itself."""

import json

from platformio import dependencies

from toolchain import platformio_setup


def test_setup_is_idempotent_and_offline_ready(tmp_path):
    core = tmp_path / "core"
    platformio_setup.setup(core)
    first = sorted(p.relative_to(core) for p in core.rglob("*"))
    platformio_setup.setup(core)
    assert sorted(p.relative_to(core) for p in core.rglob("*")) == first

    scons = json.loads((core / "packages" / "tool-scons" / "package.json").read_text())
    assert scons["version"] in dependencies.get_core_dependencies()["tool-scons"]
    gcc = platformio_setup.toolchain_package_dir(core) / "bin" / "arm-none-eabi-gcc"
    assert gcc.is_symlink() and gcc.resolve().name.startswith("arm-none-eabi-gcc")
    assert json.loads((core / "appstate.json").read_text())["settings"]["enable_telemetry"] is False
    assert (core / "platforms" / "qemu-mps2.pio-link").exists()


def test_platform_boards_are_generated_from_toml():
    platformio_setup.setup()
    board = json.loads((platformio_setup.platform_dir("qemu-mps2") / "boards" / "qemu-m4.json").read_text())
    assert board["build"]["cpu"] == "cortex-m4" and board["upload"]["maximum_size"] == 4 * 1024 * 1024
