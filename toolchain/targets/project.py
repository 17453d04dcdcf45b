"""Writes the PlatformIO project of a real board: platformio.ini naming the
board's own platform/board/framework, an Arduino main.cpp, and copies of the
harness, the Arduino port and the model sources (firmware/templates/,
firmware/ports/arduino/)."""

import shutil
from pathlib import Path

import jinja2

from toolchain import paths
from toolchain.boards import Board
from toolchain.firmware.sources import ModelSources, tree

# Cortex-M cores with a DWT cycle counter (the M0+ has none)
DWT_CPUS = ("cortex-m4f", "cortex-m7", "cortex-m33", "cortex-m55")
PORT = "arduino"


def build_flags(board: Board, model: ModelSources, profile: bool) -> list[str]:
    flags = [f"-I src/{d}" for d in dict.fromkeys(["harness", "port", "runtime", *model.include_dirs])]
    flags += [f'-DTM_BOARD=\\"{board.id}\\"', f"-DTM_PORT_BAUD={board.baud}",
              f"-DTM_HARNESS_INPUT_CAPACITY={max(model.input_bytes, 1)}",
              f"-DTM_HARNESS_OUTPUT_CAPACITY={max(model.output_bytes, 4)}"]
    flags += ["-DTM_PORT_DWT"] if board.cpu in DWT_CPUS else []
    return flags + [f"-D{d}" for d in model.defines] + (["-DTM_PROFILE"] if profile else [])


def write(project: Path, board: Board, model: ModelSources, *, profile: bool = False,
          lib_deps: list[str] | None = None) -> Path:
    project = Path(project)
    src = project / "src"
    if src.exists():
        shutil.rmtree(src)
    files = tree(paths.FIRMWARE / "harness", "harness") + tree(paths.FIRMWARE / "ports" / PORT, "port")
    files += [(paths.FIRMWARE / "ports" / "tm_port.h", "port/tm_port.h"),
              (paths.FIRMWARE / "runtime" / "tm_model.h", "runtime/tm_model.h"), *model.files]
    for source, rel in files:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, src / rel)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.FIRMWARE / "templates"), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    ctx = dict(model=model.name, runtime=model.runtime, board=board, board_id=board.id, lib_deps=lib_deps or [],
               build_flags=build_flags(board, model, profile))
    (project / "platformio.ini").write_text(env.get_template("platformio_real.ini.j2").render(ctx))
    (src / "main.cpp").write_text(env.get_template("main_arduino.cpp.j2").render(ctx))
    return project
