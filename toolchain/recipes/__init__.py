"""Recipes: `models/<name>/recipe.toml` (data, training config, default
optimization plan) + `model.py` (architecture). Users add their own folder
anywhere and pass its path as `--model`.

Imports: leaves only."""

from toolchain.recipes.recipe import QUANT_MODES, SCHEMA, RecipeError, Recipe, available, resolve, load
