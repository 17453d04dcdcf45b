"""`toolchain report`."""

import typer

from toolchain.cli import options
from toolchain.console import console


def report_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
) -> None:
    """Render report.html (plots) from a model's bench.json.

    Example: toolchain report --board qemu-m4 --model digits
    """
    from toolchain import boards, report
    from toolchain.paths import build_root
    from toolchain.pipeline import model_name

    boards.load(board)
    # not artifact_dir(), which would leave an empty folder behind when there is nothing to report
    console.success(f"wrote {report.write(build_root() / model_name(model) / board)}")
