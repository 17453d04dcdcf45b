"""The typer app: the root options (-v, --version) and every verb's `<verb>_cmd` registered under its name."""

import typer

from toolchain import __version__
from toolchain.cli import (bench, boards, build, emulate, export, flash, history, monitor, optimize, personalize, report,
                           sweep, train, validate)
from toolchain.console import console

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="TinyML deployment: train -> optimize -> export -> build -> flash/emulate -> bench -> report.",
)


def _version(show: bool) -> None:
    if show:
        console.info(f"toolchain {__version__}")
        raise typer.Exit()


@app.callback()
def _root(verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More output (repeatable; also after the command)."),
          version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    console.verbosity = verbose


for _mod in (boards, train, optimize, export, build, flash, emulate, bench, validate, personalize, monitor, report, history,
             sweep):
    _name = _mod.__name__.rsplit(".", 1)[1]
    _fn = getattr(_mod, f"{_name}_cmd")
    app.command(_name, short_help=_fn.__doc__.splitlines()[0])(_fn)


def hoist_verbosity(argv: list[str]) -> list[str]:
    """`-v` is the root's option; accept it after the command name too (`toolchain bench -v`)."""
    flags = [a for a in argv if a in ("-v", "-vv", "-vvv", "--verbose")]
    return flags + [a for a in argv if a not in flags]
