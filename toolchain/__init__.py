"""toolchain: train, optimize, export, build, flash and measure TinyML models.

One folder per step of the data flow (docs/architecture.md); imports run one
way, from cli/ down to the leaves. This file imports nothing."""

__version__ = "0.1.0"
