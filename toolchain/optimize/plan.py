"""Step 2: the optimization plan and the function that runs it (prune, distill, QAT, quantize)."""

from dataclasses import asdict, dataclass, field
from pathlib import Path

from toolchain.optimize.distill import distill
from toolchain.optimize.prune import prune
from toolchain.optimize.qat import qat
from toolchain.optimize.quantize import to_tflite
from toolchain.recipes import QUANT_MODES, Recipe, RecipeError
from toolchain.recipes.data import Dataset


@dataclass
class Plan:
    prune: float = 0.0
    distill: bool = False
    qat: bool = False
    quantize: list[str] = field(default_factory=lambda: ["int8"])
    fine_tune_epochs: int = 5
    distill_temperature: float = 4.0

    @classmethod
    def of(cls, recipe: Recipe, **flags) -> "Plan":
        """The recipe's plan when no flag is given; otherwise exactly the flags
        (steps not named are off), with the recipe's fine-tuning settings."""
        given = {k: v for k, v in flags.items() if v is not None}
        if given:
            p = cls(fine_tune_epochs=recipe.optimize["fine_tune_epochs"],
                    distill_temperature=recipe.optimize["distill_temperature"], **given)
        else:
            p = cls(**recipe.optimize)
        bad = [q for q in p.quantize if q not in QUANT_MODES]
        if bad:
            raise RecipeError(f"unknown quantization mode '{bad[0]}'", f"use one of: {', '.join(QUANT_MODES)}")
        if not 0 <= p.prune < 1:
            raise RecipeError(f"prune must be a sparsity in [0, 1), got {p.prune}")
        if p.distill and recipe.build_model is None:
            raise RecipeError(f"{recipe.name} names a model file ({recipe.model['file']}): there is no model.py to "
                              "build a student from", "drop --distill (prune, QAT and int8 work on the imported model)")
        return p

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        steps = [f"prune {self.prune:.0%}"] if self.prune else []
        steps += ["distill"] if self.distill else []
        steps += [f"quantize {'/'.join(self.quantize)}"] if self.quantize else []
        steps += ["qat"] if self.qat else []
        return ", ".join(steps) or "no optimization"


def run(float_path: Path, recipe: Recipe, data: Dataset, plan: Plan, out: Path, seed: int) -> dict[str, Path]:
    """Apply `plan` to the float model; returns artifact name -> file."""
    from toolchain.train.tf import keras, seed_everything

    seed_everything(seed)
    model = keras.models.load_model(float_path, compile=False)
    made: dict[str, Path] = {}
    if plan.prune:
        model = prune(model, recipe, data, plan.prune, plan.fine_tune_epochs)
        model.save(made.setdefault("pruned", out / "pruned.keras"))
    if plan.distill:
        model = distill(model, recipe, data, plan.fine_tune_epochs, plan.distill_temperature)
        model.save(made.setdefault("distilled", out / "distilled.keras"))
    for mode in plan.quantize:
        (out / f"{mode}.tflite").write_bytes(to_tflite(model, mode, data.x_train))
        made[mode] = out / f"{mode}.tflite"
    if plan.qat:
        (out / "qat.tflite").write_bytes(qat(model, recipe, data, plan.fine_tune_epochs))
        made["qat"] = out / "qat.tflite"
    return made
