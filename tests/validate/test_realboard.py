"""The validation firmware of a real board: its PlatformIO project carries the
validation defines, and the harness with `validate%` and the AOT layer hook
compiles and links for its port (offline, as in CI: the board's platform is
not installed, so the fit check's ELF is what there is to look at)."""

import configparser

import pytest
from elftools.elf.elffile import ELFFile

from toolchain import build
from toolchain.build import platformio
from toolchain.build.platformio import PlatformMissing
from toolchain.paths import artifact_dir

pytestmark = pytest.mark.slow


def test_nano33_validation_firmware_links_the_hook_and_the_command(digits_manifest, monkeypatch):
    monkeypatch.setattr(platformio, "installed", lambda name, core_dir=None: False)
    with pytest.raises(PlatformMissing):
        build.build("digits", "nano33", runtime="aot", validate=True)
    project = artifact_dir("digits", "nano33") / "firmware-validate"
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(project / "platformio.ini")
    flags = ini["env:nano33"]["build_flags"].split()
    assert "-DTM_VALIDATE" in flags
    assert "#define TM_VALIDATE_HEX_BYTES 64 " in (project / "src" / "harness" / "tm_protocol.h").read_text()
    with open(project / "offline-check" / "digits.elf", "rb") as f:
        symbols = {s.name for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}
    assert {"tm_harness_validate", "tm_validate_layer_done"} <= symbols
    # a project folder of its own: the board's bench project is not touched
    assert not (artifact_dir("digits", "nano33") / "firmware").exists()
