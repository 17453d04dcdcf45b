"""Step 5: the device, emulated or real. emulate.py boots firmware in QEMU,
flash.py uploads to a real board, pi.py runs a Raspberry Pi program, url.py
says where a built target answers, and harness/ is the host side of the
serial protocol (client, protocol, transports, port discovery). Imports:
build (flash builds first), boards and leaves; never bench or report.

    url = url_for(board, elf)    # process:// for a Pi, the USB port of a real board, None for QEMU
"""

from toolchain.device.url import url_for
