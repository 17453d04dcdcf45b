"""The personalization firmware of real boards, offline (as in CI: their
PlatformIO platforms are not installed, so the fit check's ELF is what there
is to look at): nano33 links the float32 head, its flash page and the
commands, with the page write compiled for its core; pico links the
fixed-point twin; both fit their boards."""

import configparser
import shutil
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from toolchain import build
from toolchain.build import platformio
from toolchain.build.platformio import PlatformMissing
from toolchain.paths import FIRMWARE, artifact_dir

pytestmark = pytest.mark.slow


def symbols(elf):
    with open(elf, "rb") as f:
        return {s.name for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}


@pytest.mark.parametrize("board,twin", [("nano33", "tm_head_float.c"), ("pico", "tm_head_fixed.c")])
def test_personalization_firmware_links_and_fits(digits_manifest, monkeypatch, board, twin):
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("no arm-none-eabi-gcc: the offline compile check cannot run")
    monkeypatch.setattr(platformio, "installed", lambda name, core_dir=None: False)
    with pytest.raises(PlatformMissing):  # only after the offline check fitted the board
        build.build("digits", board, runtime="aot", personalize=True)
    project = artifact_dir("digits", board) / "firmware-personalize"
    src = project / "src" / "personalize"
    assert (src / twin).is_file() and not (src / ({"tm_head_float.c", "tm_head_fixed.c"} - {twin}).pop()).exists()
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(project / "platformio.ini")
    flags = ini[f"env:{board}"]["build_flags"].split()
    assert "-ffp-contract=off" in flags
    assert ("-DTM_PORT_FLASH_NRF52" in flags) == (board == "nano33")
    found = symbols(project / "offline-check" / "digits.elf")
    assert {"tm_personalize_learn", "tm_personalize_train", "tm_head_step", "tm_personalize_embedding"} <= found


def test_nrf52_flash_page_compiles_for_the_nano33_core(tmp_path):
    if not shutil.which("arm-none-eabi-gcc"):
        pytest.skip("no arm-none-eabi-gcc")
    out = tmp_path / "flash.o"
    r = subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
                        "-O2", "-std=c11", "-Wall", "-Werror", "-DTM_PORT_FLASH_NRF52", f"-I{FIRMWARE / 'ports'}",
                        "-c", str(FIRMWARE / "ports" / "arduino" / "tm_port_flash_nrf52.c"), "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert {"tm_port_save", "tm_port_restore"} <= symbols(out)
