"""toolchain: train, optimize, export, build, flash and measure TinyML models."""

__version__ = "0.1.0"
