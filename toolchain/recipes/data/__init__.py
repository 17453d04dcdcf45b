"""Dataset loaders. Each returns a `Dataset` split the same way for a seed,
so every artifact of a model is evaluated on the same held-out samples.

Imports: leaves, and toolchain.audio (the front-end that makes the audio loaders' features)."""

from toolchain.recipes.data.dataset import Dataset, load

__all__ = ["Dataset", "load"]
