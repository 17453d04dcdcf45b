"""`toolchain history`."""

import json

from toolchain.cli import options
from toolchain.console import console


def history_cmd(board: str = options.DEVICE_BOARD, model: str = options.MODEL, as_json: bool = options.JSON) -> None:
    """Every bench run of a model on a board, side by side, with changes against the previous run.

    Example: toolchain history --board qemu-m4 --model digits
    """
    from toolchain import boards, report
    from toolchain.paths import build_root
    from toolchain.pipeline import model_name

    boards.load(board)
    runs = report.history(build_root() / model_name(model) / board)
    if as_json:
        console.out.print_json(json.dumps(runs))
        return
    if not runs:
        raise report.ReportError(f"no bench runs of {model_name(model)} on {board} yet",
                                 f"run `toolchain bench --board {board} --model {model}` first")
    console.table(f"bench runs of {model_name(model)} on {board} (changes against the previous complete run)",
                  report.history_headers(), report.history_rows(runs))
