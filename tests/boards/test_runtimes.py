"""toolchain/boards/runtimes.py: the one place that knows what each runtime
does; everything else asks it instead of comparing runtime names."""

import re

import pytest

from toolchain import paths
from toolchain.boards import BoardError, load, runtimes
from toolchain.boards.schema import RUNTIMES
from toolchain.build import fit

NAMES = "|".join(runtimes.TABLE)
# `runtime == "tflm"`, `x.runtime != 'aot'`, `runtime in ("aot", ...)`, `"tflm runtime" in ...`
CHECK = re.compile(rf"""(==|!=)\s*["']({NAMES})["']|["']({NAMES})["']\s*(==|!=)|\bin\s*\(\s*["']({NAMES})["']"""
                   rf"""|["']({NAMES})( runtime)?["']\s+(not\s+)?in\b""")


def test_the_board_schema_knows_the_same_names():
    assert tuple(runtimes.TABLE) == RUNTIMES


def test_no_runtime_name_is_compared_outside_the_table():
    found = [f"{p.relative_to(paths.REPO)}:{i}: {line.strip()}"
             for p in sorted((paths.REPO / "toolchain").rglob("*.py")) if p.name != "runtimes.py"
             for i, line in enumerate(p.read_text().splitlines(), 1) if CHECK.search(line)]
    assert found == []


def test_the_pattern_sees_the_checks_it_replaced():
    for line in ('if runtime == "tflm":', "x if model.runtime != 'aot' else y", 'if runtime not in ("tflm", "aot"):',
                 'if "tflm runtime" in est.ram:'):
        assert CHECK.search(line), line
    assert not CHECK.search('runtime: str = typer.Option("tflm", "--runtime")')


def test_what_each_runtime_does():
    aot, tflm, litert = (runtimes.named(n) for n in ("aot", "tflm", "litert"))
    assert aot.ahead_of_time and not aot.links_tflm and aot.compiles
    assert tflm.links_tflm and not tflm.ahead_of_time and tflm.compiles
    assert not litert.compiles and runtimes.find("litert-xnnpack") is None
    assert len({r.project_dir for r in runtimes.TABLE.values()}) == len(runtimes.TABLE)
    with pytest.raises(BoardError, match="unknown runtime 'tvm'"):
        runtimes.named("tvm")


def test_fit_estimates_come_from_the_table():
    pico = load("pico")
    for r in runtimes.TABLE.values():
        est = fit.estimate(pico, runtime=r.name, model_bytes=0, arena_bytes=0, input_bytes=0, output_bytes=0)
        assert est.flash[f"{r.name} runtime"] == r.code_bytes and est.ram[f"{r.name} runtime"] == r.ram_bytes
