"""`toolchain report`."""

import typer

from toolchain.cli import options
from toolchain.cli.console import console


def report_cmd(
    board: str = typer.Option("qemu-m4", "--board", "-b", help="Board id the model was benched on."),
    model: str = options.MODEL,
) -> None:
    """Render report.html (plots) from a model's bench.json."""
    from toolchain import report
    from toolchain.paths import artifact_dir
    from toolchain.pipeline import model_name

    console.success(f"wrote {report.write(artifact_dir(model_name(model), board))}")
