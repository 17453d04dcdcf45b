"""--json leaves stdout to the JSON alone: a step's messages (console.info, e.g. an import's parity line
printed in the middle of `bench`) go to stderr."""

import json

import typer
from typer.testing import CliRunner

from toolchain.cli import options
from toolchain.console import console


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def show(as_json: bool = options.JSON) -> None:
        console.info("parity on 200 calibration inputs: ...")
        console.success("done")
        if as_json:
            console.out.print_json(json.dumps({"ok": True}))

    return app


def test_json_output_is_json_alone():
    r = CliRunner().invoke(_app(), ["--json"])
    assert json.loads(r.stdout) == {"ok": True} and "parity on 200" in r.stderr and "done" in r.stderr


def test_without_json_messages_stay_on_stdout():
    r = CliRunner().invoke(_app(), [])
    assert "parity on 200" in r.stdout and "done" in r.stdout and not console.json
