"""Options shared by several commands, declared once."""

import typer

from toolchain.boards import DEFAULT
from toolchain.console import console


def _json_mode(value: bool) -> bool:
    """With --json, stdout holds the JSON alone: every other line goes to stderr."""
    console.json = value
    return value


MODEL = typer.Option("digits", "--model", "-m", help="Recipe name, recipe folder, a .tflite file or an ONNX model "
                     "(with --calibration) to import.")
# export's artifacts are the host's unless a board is named; device commands default to the emulated board
BOARD = typer.Option("host", "--board", "-b", help="Board id (see `toolchain boards`); host: no board.")
DEVICE_BOARD = typer.Option(DEFAULT, "--board", "-b", help="Board id (see `toolchain boards`).")
SEED = typer.Option(0, "--seed", help="Seed for data split, initialisation and training: same seed, same run.")
FORCE = typer.Option(False, "--force", help="Redo the step even when its artifacts are up to date.")
JSON = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.", callback=_json_mode)
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
CALIBRATION = typer.Option(None, "--calibration", help="ONNX model without a recipe: its calibration inputs, a .npy "
                           "array (N samples in the model's layout) or a folder of .npy inputs.")
INPUT_SHAPE = typer.Option(None, "--input-shape", help="ONNX model with dynamic dimensions: the input shape, batch "
                           "first, e.g. 1,3,32,32.")
MIN_AGREEMENT = typer.Option(0.99, "--min-agreement", help="ONNX model: int8 vs float top-1 agreement below this "
                             "fails the parity check loudly (an already-quantized QDQ model is held to 1 LSB of ONNX "
                             "Runtime instead).")


def onnx_options(calibration, input_shape: str | None, min_agreement: float) -> dict:
    """export()'s options for an ONNX model given without a recipe."""
    from toolchain.errors import UsageError

    shape = None
    if input_shape:
        try:
            shape = tuple(int(v) for v in input_shape.replace("x", ",").split(","))
        except ValueError:
            raise UsageError(f"--input-shape {input_shape} is not a list of sizes", "e.g. --input-shape 1,3,32,32") \
                from None
    if not 0 <= min_agreement <= 1:
        raise UsageError(f"--min-agreement {min_agreement} is not a fraction", "e.g. --min-agreement 0.99")
    return dict(calibration=calibration, input_shape=shape, min_agreement=min_agreement)
