"""The cycle model on hand-written Thumb-2 snippets (snippets.S) under QEMU:
each snippet's counts, priced by the Cortex-M4 table, give exactly the cycles
worked out by hand from the TRM's rules."""

import shutil
import subprocess
from pathlib import Path

import pytest

from toolchain.cycles import counts, plugin, timing
from toolchain.cycles.errors import EstimateError

HERE = Path(__file__).parent
QEMU_DIR = HERE.parent / "firmware" / "kernels" / "qemu"
CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
M4 = timing.core_costs("cortex-m4f")
P = M4["refill"]
CALL = 3 * (1 + P)  # every window also holds a BL to the snippet, a BL to tm_mark and tm_mark's BX

# snippet -> (instructions, cycles) by hand, each including its own BX LR (1 + P)
EXPECTED = {
    "empty": (1, 1 + P),
    "8 loads": (9, 2 + 7 * 1 + 1 + P),
    "8 SMLADs": (9, 8 * 1 + 1 + P),
    "LDM of 4 registers": (2, 1 + 4 + 1 + P),
    "branch taken": (4, 1 + 1 + (1 + P) + 1 + P),
    "branch not taken": (5, 1 + 1 + 1 + 1 + 1 + P),
    "loop of 4 x 2 loads": (18, 1 + 4 * (2 + 1 + 1 + 1) + 3 * P + 1 + P),
    "VLDR, VMLA, VADD, VDIV": (5, 2 + 3 + 1 + 14 + 1 + P),
    # PUSH 1+2, MOVS, LDRD 3, LDR 2, STR after it 1, MOVS, SDIV 7 (mean), MLA 1, POP with PC 1+2+P
    "LDRD, STR after LDR, SDIV, MLA, PUSH, POP PC": (9, 3 + 1 + 3 + 2 + 1 + 1 + 7 + 1 + 3 + P),
    "BXEQ in an IT block, not taken": (5, 1 + 1 + 1 + 1 + 1 + P),
}

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> tuple[Path, int]:
    """The snippets' ELF and the address of tm_mark."""
    if not shutil.which("arm-none-eabi-gcc") or not shutil.which("qemu-system-arm"):
        pytest.skip("needs arm-none-eabi-gcc and qemu-system-arm (setup.sh installs them)")
    elf = tmp_path_factory.mktemp("snippets") / "snippets.elf"
    subprocess.run(["arm-none-eabi-gcc", "-O2", *CPU, str(HERE / "snippets.S"), str(HERE / "main.c"),
                    str(QEMU_DIR / "startup.c"), "-T", str(QEMU_DIR / "mps2_an386.ld"), "-nostartfiles",
                    "--specs=rdimon.specs", "-o", str(elf)], check=True)
    nm = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True).stdout
    return elf, next(int(line.split()[0], 16) for line in nm.splitlines() if line.endswith(" tm_mark"))


def run_windows(program: tuple[Path, int], exact: bool = False) -> list[counts.Counts]:
    """The counts between consecutive marks: one window per snippet."""
    elf, mark = program
    out = elf.with_suffix(".exact.txt" if exact else ".txt")
    out.unlink(missing_ok=True)
    subprocess.run(["qemu-system-arm", "-machine", "mps2-an386", "-nographic", "-semihosting-config",
                    "enable=on,target=native", "-icount", "shift=0", "-kernel", str(elf),
                    *plugin.qemu_args(plugin.library(), out, mark, exact)], check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    marks = counts.read(out)
    assert len(marks) == len(EXPECTED) + 1
    return [b - a for a, b in zip(marks, marks[1:])]


@pytest.fixture(scope="module")
def windows(program) -> list[counts.Counts]:
    return run_windows(program)


@pytest.mark.parametrize("index,snippet", list(enumerate(EXPECTED)))
def test_snippet_cycles_are_the_tables(windows, index, snippet):
    instructions, cycles = EXPECTED[snippet]
    w = windows[index]
    assert w.instructions == instructions + 3
    assert timing.cycles(w.classes, M4) == cycles + CALL


def test_wait_states_add_one_per_fetched_word_without_a_cache(windows):
    loads = windows[1]  # 8 x 2-byte LDR + BX: 5 words, plus the calls' words
    zero = timing.cycles(loads.classes, timing.costs("cortex-m4f", 0, "none"))
    assert timing.cycles(loads.classes, timing.costs("cortex-m4f", 3, "none")) == zero + 3 * loads.classes["fetch_word"]
    assert timing.cycles(loads.classes, timing.costs("cortex-m4f", 3, "art")) == zero


def test_a_core_without_a_table_is_refused():
    with pytest.raises(EstimateError, match="no cycle model for a cortex-m0plus core: the model prices cortex-m4f only"):
        timing.core_costs("cortex-m0plus")


def test_fall_through_rule_agrees_with_following_every_block(program, windows):
    assert run_windows(program, exact=True) == windows


def test_every_priced_core_prices_every_class():
    from toolchain.boards import cpus

    priced = {c.name: c.cycles for c in cpus.TABLE.values() if c.cycles is not None}
    assert priced and all(set(costs) == set(timing.NAMES) for costs in priced.values())
