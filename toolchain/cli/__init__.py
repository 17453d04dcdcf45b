"""The `toolchain` command: one thin module per verb, registered in app.py. The top
of the house: it may import every step (lazily, inside the commands, so
`--help` stays fast); nothing imports it."""

from toolchain.cli.app import app, hoist_verbosity
