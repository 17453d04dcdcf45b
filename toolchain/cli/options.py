"""Options shared by several commands, declared once."""

import typer

from toolchain.boards import DEFAULT

MODEL = typer.Option("digits", "--model", "-m", help="Recipe name, recipe folder, or a .tflite file to import.")
# export's artifacts are the host's unless a board is named; device commands default to the emulated board
BOARD = typer.Option("host", "--board", "-b", help="Board id (see `toolchain boards`); host: no board.")
DEVICE_BOARD = typer.Option(DEFAULT, "--board", "-b", help="Board id (see `toolchain boards`).")
SEED = typer.Option(0, "--seed", help="Seed for data split, initialisation and training: same seed, same run.")
FORCE = typer.Option(False, "--force", help="Redo the step even when its artifacts are up to date.")
JSON = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
PRUNE = typer.Option(None, "--prune", help="Target sparsity in [0, 1), e.g. 0.5.")
DISTILL = typer.Option(None, "--distill/--no-distill", help="Distill into the recipe's student model.")
QUANTIZE = typer.Option(None, "--quantize", "-q", help="int8, int16x8, float16 or dynamic (repeatable).")
QAT = typer.Option(None, "--qat/--no-qat", help="Also make an int8 model by quantization-aware training.")


def plan(model: str, prune, distill, quantize, qat):
    """The optimization plan the flags ask for: the recipe's own when none is given."""
    from toolchain.optimize import Plan
    from toolchain.recipes import load

    return Plan.of(load(model), prune=prune, distill=distill, quantize=quantize or None, qat=qat)
VARIANT = typer.Option(None, "--variant", help="Which model of the last optimize plan to deploy: int8, qat or int16x8 "
                       "(default: int8 when the plan made one, else qat).")
