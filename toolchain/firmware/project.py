"""Writes a self-contained PlatformIO project for one model on one board.

Layout under `build/<model>/<board>/firmware/`: platformio.ini (from
firmware/templates/), boards/<board>.json (generated from boards/<id>.toml),
src/main.c, and copies of the harness, port, runtime and model sources, so the
folder builds on its own with `pio run`.
"""

import json
import shutil
from pathlib import Path

import jinja2

from toolchain import paths, platformio_setup
from toolchain.boards import Board
from toolchain.boards.platformio import board_json
from toolchain.firmware.errors import BuildError
from toolchain.firmware.sources import ModelSources, tree

# Port folder and linker script per PlatformIO platform
PORTS = {"qemu-mps2": ("qemu_mps2", "qemu_mps2.ld")}
STACK_BYTES = 0x10000


def port_for(board: Board) -> tuple[str, str]:
    if board.pio_platform not in PORTS:
        raise BuildError(
            f"board '{board.id}' (platform {board.pio_platform}) has no firmware port yet",
            f"ports exist for: {', '.join(PORTS)}",
        )
    return PORTS[board.pio_platform]


def write(project: Path, board: Board, model: ModelSources, *, profile: bool = False) -> Path:
    """(Re)write the project folder; files that did not change keep their mtime so rebuilds stay incremental."""
    port, ldscript = port_for(board)
    project = Path(project)
    src = project / "src"
    files = tree(paths.FIRMWARE / "harness", "harness") + tree(paths.FIRMWARE / "ports" / port, "port", (".c", ".h", ".ld"))
    files += [(paths.FIRMWARE / "ports" / "tm_port.h", "port/tm_port.h"), (paths.FIRMWARE / "runtime" / "tm_model.h", "runtime/tm_model.h")]
    files += model.files
    wanted = set()
    for source, rel in files:
        _copy_if_changed(source, src / rel)
        wanted.add((src / rel).resolve())
    for stale in [p for p in src.rglob("*") if p.is_file() and p.resolve() not in wanted and p.name != "main.c"]:
        stale.unlink()

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.FIRMWARE / "templates"), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    flags = [f"-I src/{d}" for d in ["harness", "port", "runtime", *model.include_dirs]]
    flags += [f'-DTM_BOARD=\\"{board.id}\\"', f"-DTM_HARNESS_INPUT_CAPACITY={max(model.input_bytes, 1)}",
              f"-DTM_HARNESS_OUTPUT_CAPACITY={max(model.output_bytes, 4)}", f"-Wl,--defsym=TM_STACK_SIZE={STACK_BYTES}"]
    flags += [f"-D{d}" for d in model.defines] + (["-DTM_PROFILE"] if profile else [])
    ctx = dict(model=model.name, runtime=model.runtime, board=board, board_id=board.id, core_dir=platformio_setup.CORE_DIR,
               platform_dir=platformio_setup.platform_dir(board.pio_platform), ldscript=f"src/port/{ldscript}",
               toolchain_dir=platformio_setup.toolchain_package_dir(), build_flags=flags)
    _write_if_changed(project / "platformio.ini", env.get_template("platformio.ini.j2").render(ctx))
    _write_if_changed(src / "main.c", env.get_template("main.c.j2").render(ctx))
    _write_if_changed(project / "boards" / f"{board.pio_board}.json", json.dumps(board_json(board), indent=2) + "\n")
    return project


def _copy_if_changed(source: Path, dest: Path) -> None:
    if dest.exists() and dest.read_bytes() == Path(source).read_bytes():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest)


def _write_if_changed(dest: Path, text: str) -> None:
    if dest.exists() and dest.read_text() == text:
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text)
