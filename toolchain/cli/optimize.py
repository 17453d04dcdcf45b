"""`toolchain optimize`."""

from pathlib import Path

from toolchain.cli import options


def optimize_cmd(
    model: str = options.MODEL,
    prune: float = options.PRUNE,
    distill: bool = options.DISTILL,
    quantize: list[str] = options.QUANTIZE,
    qat: bool = options.QAT,
    seed: int = options.SEED,
    force: bool = options.FORCE,
    calibration: Path = options.CALIBRATION,
    input_shape: str = options.INPUT_SHAPE,
    min_agreement: float = options.MIN_AGREEMENT,
) -> None:
    """Prune, distill and quantize (the recipe's plan, or exactly the given flags).

    Example: toolchain optimize --model digits --prune 0.5 --quantize int8
    """
    from toolchain.console import console
    from toolchain.evaluate.compare import artifact_rows
    from toolchain.pipeline import optimize_step
    from toolchain.recipes import load

    if model.endswith(".onnx"):  # converted and quantized with the calibration data; export shows the result
        from toolchain.errors import UsageError
        from toolchain.pipeline import import_onnx

        if given := [f for f, v in (("--prune", prune), ("--distill", distill), ("--qat", qat)) if v]:
            raise UsageError(f"{', '.join(given)} needs a recipe to fine-tune with; {model} is quantized as it is",
                             "name the ONNX file in a recipe's [model] file, or drop the flag")

        m = import_onnx(Path(model), "host", **options.onnx_options(calibration, input_shape, min_agreement))
        console.success(f"{model}: int8 model in {m['deploy']}")
        return
    recipe = load(model)
    plan = options.plan(model, prune, distill, quantize, qat)
    opt = optimize_step(recipe, seed, plan, force)
    rows = artifact_rows(recipe.task, opt.data, {"float": opt.dir / "float.keras", **opt.models}).rows
    console.table(f"{recipe.name}: the plan's variants on the held-out split ({len(opt.data.x_test)} samples)",
                  ["variant", "size", "accuracy" if recipe.task == "classification" else "MAE", "file"],
                  [[r["name"], f"{r['size_bytes']:,} B", f"{r['accuracy']:.2%}" if r.get("accuracy") is not None
                    else f"{r['mae']:.4f}", r["path"]] for r in rows])
