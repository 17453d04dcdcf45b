"""Writes a self-contained PlatformIO project for one model on one board.

Layout under `build/<model>/<board>/firmware/`: platformio.ini (from
firmware/templates/), src/ with a generated main and copies of the harness,
the port, the runtime header and the model sources, so the folder builds on
its own with `pio run`. The QEMU boards' project (`write`, with
boards/<board>.json generated from boards/<id>.toml, against the local
dev-platform) and the real boards' (`write_real`: the board's own
platform/board/framework, an Arduino main and port) differ only in their
port, templates and port-specific flags.
"""

import json
import shutil
from pathlib import Path

import jinja2

from toolchain import harness_protocol, paths
from toolchain.build import pio_core
from toolchain.boards import Board
from toolchain.boards.platformio import board_json
from toolchain.build.errors import BuildError
from toolchain.build.sources import ModelSources, tree

# Port folder and linker script per PlatformIO platform
PORTS = {"qemu-mps2": ("qemu_mps2", "qemu_mps2.ld")}
STACK_BYTES = 0x10000
REAL_PORT = "arduino"
CHANGED_MARK = ".sources-changed"  # touched whenever sync changes a file: a build older than it is stale


def port_for(board: Board) -> tuple[str, str]:
    if board.pio_platform not in PORTS:
        raise BuildError(
            f"board '{board.id}' (platform {board.pio_platform}) has no firmware port yet",
            f"ports exist for: {', '.join(PORTS)}",
        )
    return PORTS[board.pio_platform]


def write(project: Path, board: Board, model: ModelSources, *, profile: bool = False,
          extra_flags: list[str] | None = None) -> Path:
    """The QEMU boards' project, against the repository's local dev-platform and toolchain."""
    port, ldscript = port_for(board)
    flags = build_flags(board, model, profile, [f"-Wl,--defsym=TM_STACK_SIZE={STACK_BYTES}", *(extra_flags or [])])
    ctx = dict(model=model.name, runtime=model.runtime, board=board, board_id=board.id, core_dir=pio_core.CORE_DIR,
               platform_dir=pio_core.platform_dir(board.pio_platform), ldscript=f"src/port/{ldscript}",
               toolchain_dir=pio_core.toolchain_package_dir(), build_flags=flags)
    return sync(project, port, model, ctx, ini="platformio.ini.j2", main=("main.c.j2", "main.c"),
                extra={f"boards/{board.pio_board}.json": json.dumps(board_json(board), indent=2) + "\n"})


def write_real(project: Path, board: Board, model: ModelSources, *, profile: bool = False,
               lib_deps: list[str] | None = None, extra_flags: list[str] | None = None) -> Path:
    """A real board's project: its own PlatformIO platform, board and framework."""
    port_flags = [f"-DTM_PORT_BAUD={board.baud}"] + (["-DTM_PORT_DWT"] if board.core.dwt else [])
    ctx = dict(model=model.name, runtime=model.runtime, board=board, board_id=board.id, lib_deps=lib_deps or [],
               build_flags=build_flags(board, model, profile, port_flags + (extra_flags or [])))
    return sync(project, REAL_PORT, model, ctx, ini="platformio_real.ini.j2", main=("main_arduino.cpp.j2", "main.cpp"))


def include_dirs(model: ModelSources) -> list[str]:
    """Relative to the project's src/."""
    return list(dict.fromkeys(["harness", "port", "runtime", *model.include_dirs]))


def harness_defines(board: Board, model: ModelSources) -> list[str]:
    """The harness's defines, as a compiler's argv takes them (no shell or ini quoting)."""
    return [f'TM_BOARD="{board.id}"', f"TM_HARNESS_INPUT_CAPACITY={max(model.input_bytes, 1)}",
            f"TM_HARNESS_OUTPUT_CAPACITY={max(model.output_bytes, 4)}"]


def build_flags(board: Board, model: ModelSources, profile: bool, port_flags: list[str]) -> list[str]:
    """platformio.ini's build_flags, every project alike; `port_flags` go between the harness's defines and the
    model's."""
    flags = [f"-I src/{d}" for d in include_dirs(model)]
    flags += [ini_define(d) for d in harness_defines(board, model)] + port_flags
    return flags + [f"-D{d}" for d in model.defines] + model.flags + (["-DTM_PROFILE"] if profile else [])


def ini_define(define: str) -> str:
    """`-DNAME=value` as platformio.ini's build_flags need it (quotes escaped for the shell PlatformIO uses)."""
    return "-D" + define.replace('"', '\\"')


def files(port: str, model: ModelSources) -> list[tuple[Path, str]]:
    """(file, path under src/) of everything but the generated main: harness, port, shared headers (the protocol's
    generated ones among them: a change of its table changes the project, so the firmware is rebuilt), model."""
    found = tree(paths.FIRMWARE / "harness", "harness") + tree(paths.FIRMWARE / "ports" / port, "port", (".c", ".cpp", ".h", ".ld"))
    return found + [(paths.FIRMWARE / "ports" / "tm_port.h", "port/tm_port.h"),
                    (paths.FIRMWARE / "runtime" / "tm_model.h", "runtime/tm_model.h"), *harness_protocol.project_files(),
                    *model.files]


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
    env = templates()
    main_template, main_name = main
    wanted = {(src / main_name).resolve()}
    changed = False
    for source, rel in files(port, model):
        changed |= _copy_if_changed(source, src / rel)
        wanted.add((src / rel).resolve())
    for stale in [p for p in src.rglob("*") if p.is_file() and p.resolve() not in wanted]:
        stale.unlink()
        changed = True
    changed |= _write_if_changed(project / "platformio.ini", env.get_template(ini).render(ctx))
    changed |= _write_if_changed(src / main_name, env.get_template(main_template).render(ctx))
    for rel, text in (extra or {}).items():
        changed |= _write_if_changed(project / rel, text)
    if changed:
        (project / CHANGED_MARK).touch()
    return project


def _copy_if_changed(source: Path, dest: Path) -> bool:
    if dest.exists() and dest.read_bytes() == Path(source).read_bytes():
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest)
    return True


def _write_if_changed(dest: Path, text: str) -> bool:
    if dest.exists() and dest.read_text() == text:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text)
    return True


def up_to_date(project: Path, elf: Path) -> bool:
    """Whether `elf` was built after the project last changed (sync touches CHANGED_MARK on every change)."""
    mark = Path(project) / CHANGED_MARK
    return elf.is_file() and mark.is_file() and elf.stat().st_mtime_ns > mark.stat().st_mtime_ns
