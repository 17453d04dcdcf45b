"""Writes a self-contained PlatformIO project for one model on one board.

Layout under `build/<model>/<board>/firmware/`: platformio.ini (from
firmware/templates/), src/ with a generated main and copies of the harness,
the port, the runtime header and the model sources, so the folder builds on
its own with `pio run`. The QEMU boards' project (`write`, with
boards/<board>.json generated from boards/<id>.toml) and the real boards'
(toolchain/targets/project.py) share everything here but their port,
template and port-specific flags.
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
    """The QEMU boards' project, against the repository's local dev-platform and toolchain."""
    port, ldscript = port_for(board)
    flags = build_flags(board, model, profile, [f"-Wl,--defsym=TM_STACK_SIZE={STACK_BYTES}"])
    ctx = dict(model=model.name, runtime=model.runtime, board=board, board_id=board.id, core_dir=platformio_setup.CORE_DIR,
               platform_dir=platformio_setup.platform_dir(board.pio_platform), ldscript=f"src/port/{ldscript}",
               toolchain_dir=platformio_setup.toolchain_package_dir(), build_flags=flags)
    return sync(project, port, model, ctx, ini="platformio.ini.j2", main=("main.c.j2", "main.c"),
                extra={f"boards/{board.pio_board}.json": json.dumps(board_json(board), indent=2) + "\n"})


def build_flags(board: Board, model: ModelSources, profile: bool, port_flags: list[str]) -> list[str]:
    """Include paths and the harness's defines, every project alike; `port_flags` go between them and the model's."""
    flags = [f"-I src/{d}" for d in dict.fromkeys(["harness", "port", "runtime", *model.include_dirs])]
    flags += [f'-DTM_BOARD=\\"{board.id}\\"', f"-DTM_HARNESS_INPUT_CAPACITY={max(model.input_bytes, 1)}",
              f"-DTM_HARNESS_OUTPUT_CAPACITY={max(model.output_bytes, 4)}", *port_flags]
    return flags + [f"-D{d}" for d in model.defines] + (["-DTM_PROFILE"] if profile else [])


def templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(paths.FIRMWARE / "templates"), keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def sync(project: Path, port: str, model: ModelSources, ctx: dict, *, ini: str, main: tuple[str, str],
         extra: dict[str, str] | None = None) -> Path:
    """(Re)write the project: src/ gets the harness, firmware/ports/<port>/, the model and the rendered `main`
    (template, file name); files from an earlier project that are no longer wanted are removed. Unchanged files
    keep their mtime so rebuilds stay incremental. `extra`: more files, by path relative to the project."""
    project = Path(project)
    src = project / "src"
    files = tree(paths.FIRMWARE / "harness", "harness") + tree(paths.FIRMWARE / "ports" / port, "port", (".c", ".cpp", ".h", ".ld"))
    files += [(paths.FIRMWARE / "ports" / "tm_port.h", "port/tm_port.h"),
              (paths.FIRMWARE / "runtime" / "tm_model.h", "runtime/tm_model.h"), *model.files]
    env = templates()
    main_template, main_name = main
    wanted = {(src / main_name).resolve()}
    for source, rel in files:
        _copy_if_changed(source, src / rel)
        wanted.add((src / rel).resolve())
    for stale in [p for p in src.rglob("*") if p.is_file() and p.resolve() not in wanted]:
        stale.unlink()
    _write_if_changed(project / "platformio.ini", env.get_template(ini).render(ctx))
    _write_if_changed(src / main_name, env.get_template(main_template).render(ctx))
    for rel, text in (extra or {}).items():
        _write_if_changed(project / rel, text)
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
