"""Every board file loads through the schema; bad files fail with a readable message."""

import pytest

from toolchain import paths
from toolchain.boards import BoardError, all_boards, load
from toolchain.boards.platformio import board_json
from toolchain.boards.schema import parse

BOARD_FILES = sorted(paths.BOARDS.glob("*.toml"))


@pytest.mark.parametrize("path", BOARD_FILES, ids=lambda p: p.stem)
def test_every_board_file_is_valid(path):
    b = parse(path)
    assert b.id == path.stem and b.flash_bytes > 0 and b.ram_bytes > 0
    j = board_json(b)
    assert j["upload"]["maximum_size"] == b.flash_bytes and j["upload"]["maximum_ram_size"] == b.ram_bytes


def test_qemu_m4_is_the_cortex_m4f_machine():
    b = load("qemu-m4")
    assert (b.cpu, b.machine, b.dsp, b.fpu, b.runtime) == ("cortex-m4f", "mps2-an386", True, "fpv4-sp-d16", "aot")
    assert board_json(b)["build"]["cpu"] == "cortex-m4"


def test_unknown_board_lists_the_known_ones():
    with pytest.raises(BoardError, match="unknown board 'nope'") as e:
        load("nope")
    assert "qemu-m4" in e.value.hint


VALID = (paths.BOARDS / "qemu-m4.toml").read_text()


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("flash = ", "flsh = "), "unknown key 'flsh' in [memory]"),
    (lambda t: t + "\n[extras]\nx = 1\n", "unknown table [extras]"),
    (lambda t: t.replace("f_cpu = ", 'f_cpu = "fast" #'), "'f_cpu' must be a int"),
    (lambda t: t.replace("f_cpu = ", "dsp = true\nf_cpu = "), "unknown key 'dsp' in [build]"),  # a fact of the cpu
    (lambda t: t.replace('fpu = "fpv4-sp-d16"', 'fpu = "fpv5-d16"'), "fpu of a cortex-m4f 'fpv5-d16' is not supported"),
    (lambda t: t.replace('cpu = "cortex-m4f"', 'cpu = "pentium"'), "cpu 'pentium' is not supported"),
    (lambda t: t.replace("usb_ids = []", 'usb_ids = ["2341"]'), "is not VID:PID"),
    (lambda t: t.replace('machine = "mps2-an386"', ""), "needs 'machine'"),
    (lambda t: t.replace("ram = 4194304", ""), "missing key 'ram' in [memory]"),
    (lambda t: t.replace("ram = 4194304", "ram = 0"), "'ram' must be positive"),
    (lambda t: t.replace('name = "', 'name = '), "not valid TOML"),
])
def test_bad_board_files_are_rejected_readably(tmp_path, edit, message):
    p = tmp_path / "bad.toml"
    p.write_text(edit(VALID))
    with pytest.raises(BoardError, match="boards/bad.toml") as e:
        parse(p)
    assert message in str(e.value)


def test_real_board_schema_fields(tmp_path):
    p = tmp_path / "nano33.toml"
    p.write_text(VALID.replace('emulator = "qemu-system-arm"', 'emulator = "none"').replace('machine = "mps2-an386"', "")
                 .replace("usb_ids = []", 'usb_ids = ["2341:805a", "2341:005a"]'))
    b = all_boards(tmp_path)[0]
    assert not b.emulated and b.usb_ids == ("2341:805a", "2341:005a")


NUCLEO = (paths.BOARDS / "nucleo_l4r5zi.toml").read_text()


def test_estimate_table_has_every_figure_with_its_source():
    e = load("nucleo_l4r5zi").estimate
    assert (e.flash_wait_states, e.flash_cache, e.power.run_ua_per_mhz, e.power.supply_v) == (5, "accelerator", 110.0, 3.3)
    assert set(e.sources) == {"clock", "flash_wait_states", "flash_cache", "run_current", "sleep_current", "supply"}
    assert all(e.sources.values())
    assert load("esp32s3").estimate is None


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('flash_cache = "accelerator"', 'flash_cache = "magic"'), "flash_cache 'magic' is not supported"),
    (lambda t: t.replace("sleep_current_ua = 2.8\n", ""), "has some power figures but not sleep_current_ua"),
    (lambda t: t.replace("supply_v = 3.3", 'supply_v = "3.3"'), "'supply_v' must be a number"),
    (lambda t: t.replace("flash_wait_states = 5", "flash_wait_states = -1"), "'flash_wait_states' must be 0 or more"),
    (lambda t: t.replace("flash_wait_states_source", "flash_ws_source"), "unknown key 'flash_ws_source' in [estimate]"),
    (lambda t: t.replace("clock_source", "clock_src"), "unknown key 'clock_src' in [estimate]"),
])
def test_bad_estimate_tables_are_rejected_readably(tmp_path, edit, message):
    p = tmp_path / "bad.toml"
    p.write_text(edit(NUCLEO))
    with pytest.raises(BoardError, match="boards/bad.toml") as e:
        parse(p)
    assert message in str(e.value)
