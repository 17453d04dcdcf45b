"""Step 4, `toolchain build`: firmware for one model on one board. One builder
per kind of target (boards.platformio.target_kind): `qemu` (the local
PlatformIO dev-platform), `platformio` (a real board's own platform) and
`linux` (a Raspberry Pi, cross-built with GCC); the QEMU and real-board
builders share one sequence (compile_steps.py: fit, pio run, ELF size, fit again).
Imports: pipeline (the earlier steps), boards, export, aot and leaves.

    from toolchain.build import build
    fw = build("digits", "qemu-m4")          # -> Firmware(elf=..., size=..., ...)
"""

from toolchain.build.targets import BUILDERS, build, flashed
