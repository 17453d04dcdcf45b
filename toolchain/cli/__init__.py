"""The `toolchain` command: one thin module per verb, registered here."""

import typer

from toolchain.cli import bench, boards, build, emulate, export, flash, optimize, report, sweep, train
from toolchain.cli.console import console

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="TinyML deployment: train -> optimize -> export -> build -> flash/emulate -> bench -> report.",
)


@app.callback()
def _root(verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More output (repeatable).")) -> None:
    console.verbosity = verbose


for _mod in (boards, train, optimize, export, build, flash, emulate, bench, report, sweep):
    _name = _mod.__name__.rsplit(".", 1)[1]
    _fn = getattr(_mod, f"{_name}_cmd")
    app.command(_name, short_help=_fn.__doc__.splitlines()[0])(_fn)
