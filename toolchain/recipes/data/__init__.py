"""Dataset loaders. Each returns a `Dataset` split the same way for a seed,
so every artifact of a model is evaluated on the same held-out samples.

Imports: leaves only."""

from toolchain.recipes.data.dataset import Dataset, load

__all__ = ["Dataset", "load"]
