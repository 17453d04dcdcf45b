"""Flash and static RAM of a firmware image, read from its ELF sections."""

from dataclasses import dataclass
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

STACK_SECTION = ".stack"


@dataclass(frozen=True)
class ElfSize:
    flash_bytes: int          # code, constants and .data's initial values
    ram_bytes: int            # .data + .bss (static RAM, the arena included), stack excluded
    stack_reserved_bytes: int  # the .stack section


def measure(elf: Path) -> ElfSize:
    flash = ram = stack = 0
    with open(elf, "rb") as f:
        for s in ELFFile(f).iter_sections():
            flags = s["sh_flags"]
            if not flags & SH_FLAGS.SHF_ALLOC:
                continue
            if s.name == STACK_SECTION:
                stack += s["sh_size"]
            elif flags & SH_FLAGS.SHF_WRITE:
                ram += s["sh_size"]
            if s["sh_type"] != "SHT_NOBITS":
                flash += s["sh_size"]
    return ElfSize(flash, ram, stack)
