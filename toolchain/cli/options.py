"""Options shared by several commands, declared once."""

import typer

MODEL = typer.Option("digits", "--model", "-m", help="Recipe name, recipe folder, or a .tflite file to import.")
BOARD = typer.Option("host", "--board", "-b", help="Board id (see `toolchain boards`).")
SEED = typer.Option(0, "--seed", help="Seed for data split, initialisation and training: same seed, same run.")
FORCE = typer.Option(False, "--force", help="Redo the step even when its artifacts are up to date.")
JSON = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
