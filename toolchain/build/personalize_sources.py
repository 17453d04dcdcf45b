"""Device sources of a personalization build: the trainable head
(firmware/personalize/, the float32 twin on cores with an FPU, the fixed-point
one without) with its generated configuration, added to the AOT model whose
code hands the embedding to it. compile_steps.model_sources() applies it."""

from pathlib import Path

from toolchain import paths
from toolchain.boards import Board, runtimes
from toolchain.build.errors import BuildError
from toolchain.build.sources import ModelSources
from toolchain.personalize.anchors import anchors_for
from toolchain.personalize.config import HEADER, header
from toolchain.personalize.head import FactoryHead, factory_head
from toolchain.personalize.replay import SHARED_FILES

PERSONALIZE_DIR = paths.FIRMWARE / "personalize"
COMMAND_FILES = ("tm_personalize.h", "tm_personalize.c", "tm_personalize_head.c")  # the harness commands
HEAD_SYMBOLS = ("tm_personalize_", "tm_head_")  # the static RAM personalization adds
# both are compiled this way on host and device, so neither fuses a multiply-add the other rounds twice
FLAGS = ["-ffp-contract=off"]
# MCUs whose port keeps the head in a flash page (tm_port_save), by the define that builds it
FLASH_PAGE = {"nrf52840": "TM_PORT_FLASH_NRF52"}  # firmware/ports/arduino/tm_port_flash_nrf52.c


def fixed_point(board: Board) -> bool:
    """Whether the board's head is the fixed-point twin: its core has no FPU."""
    return board.fpu == "none"


def twin(fixed: bool) -> Path:
    return PERSONALIZE_DIR / ("tm_head_fixed.c" if fixed else "tm_head_float.c")


def head_of(tflite: Path, runtime: str) -> FactoryHead:
    if not runtimes.named(runtime).ahead_of_time:
        raise BuildError(f"personalization hooks the embedding in the AOT runtime's code, not {runtime}'s",
                         "build with --runtime aot")
    return factory_head(tflite)


def add(model: ModelSources, prepared, head: FactoryHead, board: Board, out_dir: Path) -> None:
    """The head's sources, header (with the anchors) and flags into `model` (in place)."""
    fixed = fixed_point(board)
    config = Path(out_dir) / HEADER
    anchors = anchors_for(prepared, head)
    text = header(head, anchors, fixed_point=fixed)
    config.parent.mkdir(parents=True, exist_ok=True)
    if not config.exists() or config.read_text() != text:
        config.write_text(text)
    model.files += [(PERSONALIZE_DIR / "tm_head.h", "personalize/tm_head.h"),
                    (twin(fixed), f"personalize/{twin(fixed).name}"),
                    *[(PERSONALIZE_DIR / f, f"personalize/{f}") for f in SHARED_FILES],
                    *[(PERSONALIZE_DIR / f, f"personalize/{f}") for f in COMMAND_FILES],
                    (config, f"personalize/{HEADER}")]
    model.include_dirs.append("personalize")
    model.flags += FLAGS
    if board.mcu in FLASH_PAGE:
        model.defines.append(FLASH_PAGE[board.mcu])
    model.extra["personalize"] = {"fixed_point": fixed, "classes": head.classes, "dim": head.dim,
                                  "embedding_tensor": head.embed_tensor, "anchors": len(anchors)}
