"""`toolchain flash`: build the firmware for a real board and upload it with
PlatformIO (`pio run -t upload`), to the port found by the board's USB ids.

The board is looked for before anything is built, so a missing or ambiguous
board fails in a second with the ports that were seen.

    from toolchain.device.flash import flash
    flash("digits", "nano33")                 # -> the port it uploaded through
"""

import subprocess
from pathlib import Path

from toolchain import boards, build
from toolchain.build import pio_core
from toolchain.console import console
from toolchain.errors import ToolchainError
from toolchain.device.harness.discovery import find_port

TIMEOUT_S = 300
# protocols that upload through the board's serial port (the others use a debug probe's own USB link)
SERIAL_UPLOADS = ("sam-ba", "esptool")


class FlashError(ToolchainError):
    """Nothing to flash, or the upload failed."""


def flash(model_ref: str, board_id: str, *, port: str | None = None, runtime: str | None = None, seed: int = 0,
          tflm_dir: Path | None = None, variant: str | None = None, validate: bool = False) -> str:
    """Build and upload; `validate`: the validation firmware (`toolchain validate`). The port used."""
    board = boards.load(board_id)
    if board.emulated:
        raise FlashError(f"{board.id} is not flashed", f"run it with `toolchain bench --board {board.id}`")
    if port and not Path(port).exists():
        raise FlashError(f"port {port} does not exist", f"plug the board in, or leave out --port to find the {board.id} by its USB ids")
    serial_upload = board.upload_protocol in SERIAL_UPLOADS
    # probe and picotool uploads find the board themselves (a Pico in BOOTSEL mode has no serial port)
    port = port or (find_port(board) if serial_upload else None)
    fw = build.build(model_ref, board.id, runtime=runtime, seed=seed, tflm_dir=tflm_dir, variant=variant,
                     validate=validate)
    cmd = [pio_core.pio_exe(), "run", "-e", board.id, "-t", "upload"]
    cmd += ["--upload-port", port] if serial_upload else []
    where = f"on {port} " if port else ""
    with console.status(f"uploading to {board.id} {where}({board.upload_protocol})"):
        try:
            r = subprocess.run(cmd, cwd=fw.project, capture_output=True, text=True, env=pio_core.pio_env(),
                               timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            raise FlashError(f"upload to {board.id} {where}did not finish in {TIMEOUT_S} s",
                             "reset the board (double-tap for the bootloader) and retry") from e
    if r.returncode != 0:
        tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-10:])
        raise FlashError(f"upload to {board.id} {where}failed:\n{tail}",
                         f"check the cable and the port; `pio run -t upload -v` in {fw.project} shows the commands")
    return port
