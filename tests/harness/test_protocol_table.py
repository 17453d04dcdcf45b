"""The one protocol table (toolchain/harness_protocol.py) and what is made from
it: the firmware's generated headers, the C that uses them and nothing else,
the host's parsing, and the standalone LiteRT runner's generated copy."""

import re
import time
from pathlib import Path

import pytest

from toolchain import harness_protocol as table
from toolchain import modelinfo, paths
from toolchain.device.harness import protocol

C_SOURCES = sorted(p for d in ("harness", "frontend", "runtime", "ports", "personalize") for p in (paths.FIRMWARE / d).rglob("*")
                   if p.suffix in (".c", ".h", ".cpp"))


def c_text() -> str:
    return "\n".join(p.read_text() for p in C_SOURCES)


def test_every_command_has_a_handler_replies_of_the_table_and_a_dispatch_order_that_reaches_it():
    text = c_text()
    for i, c in enumerate(table.COMMANDS):
        assert re.search(rf"\bvoid {c.handler}\(const char \*\w+\)", text), f"no C handler {c.handler} for {c.usage}"
        assert set(c.replies) <= set(table.REPLIES), c.name
        # the dispatcher takes the first command the line starts with (as whole words): no earlier one may shadow it
        shadows = [e.name for e in table.COMMANDS[:i] if c.name.startswith(e.name + " ")]
        assert not shadows, f"{c.usage} comes after {shadows}, which would take its lines"
    answered = {k for c in table.COMMANDS for k in c.replies}
    assert set(table.REPLIES) - answered == {"boot"}, "every reply key but the banner answers some command"


def test_the_c_spells_no_command_reply_limit_or_dtype_of_its_own():
    """Commands, reply prefixes, limits and dtypes reach the C only through the generated headers."""
    for path in C_SOURCES:
        text = path.read_text()
        assert not re.findall(r'"(?:m-|e-\[|e-")', text), f"{path.name}: a reply prefix spelled out, use TM_REPLY_*"
        assert "tm_harness_is(line, \"" not in text, f"{path.name}: a command spelled out, use TM_PROTOCOL_COMMANDS"
        generated = re.findall(r"#define (\w+)", table.protocol_header() + table.dtype_header())
        defined = set(re.findall(r"#define (\w+)", text)) & set(generated)
        assert not defined, f"{path.name} defines {sorted(defined)}, which the generated headers hold"
        assert "TM_DTYPE_INT8 =" not in text, f"{path.name}: tm_dtype_t comes from the generated tm_dtype.h"


def test_dtype_header_follows_modelinfo():
    h = table.dtype_header()
    for d in modelinfo.DTYPES.values():
        assert f"{d.tm_enum} = {d.code}" in h
    assert "#define TM_DTYPE_SIZES {1, 1, 2, 4}" in h and '#define TM_DTYPE_NAMES {"int8", "uint8", "int16", "float32"}' in h


def test_limits_in_the_header_and_their_derivation():
    h = table.protocol_header()
    L = table.LIMITS
    assert L.harness_line_max >= len(table.line("db", "00" * L.harness_db_max_bytes))
    assert L.harness_mlperf_db_bytes < L.harness_db_max_bytes
    for name, value in [("TM_HARNESS_LINE_MAX", 256), ("TM_HARNESS_MAX_WARMUPS", 100), ("TM_STATS_BINS", 16),
                        ("TM_DETECTOR_MAX_CLASSES", 31), ("TM_DETECTOR_MAX_AVERAGE", 16)]:
        assert f"#define {name} {value} " in h


def test_host_lines_come_from_the_table():
    assert table.line("infer", 3, 1) == "infer 3 1" and table.line("stats reset") == "stats reset"
    with pytest.raises(ValueError, match="infer N W%"):
        table.line("infer", 3)
    assert protocol.hex_lines(bytes(40)) == [table.line("db", "00" * 31), table.line("db", "00" * 9)]


def test_reading_a_key_the_table_lacks_is_our_bug():
    r = protocol.parse_reply(["m-results-[1e0]", "m-newer-key-[x]"])
    assert r.fields["results"] == "1e0" and "newer-key" in r.fields  # a newer firmware's line still parses
    with pytest.raises(AssertionError, match="no reply key"):
        r.fields["result"]


def test_the_litert_runners_generated_block_is_current():
    text = table.RUNNER.read_text()
    assert table.runner_with_block(text) == text, "run: python -m toolchain.harness_protocol"
    assert "import toolchain" not in text and "from toolchain" not in text  # it is copied alone to the Pi


def test_headers_are_cached_by_their_text(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    d = table.header_dir()
    assert d.parent == tmp_path / "cache" / "protocol"
    assert {p.name: p.read_text() for p in d.iterdir()} == table.headers()
    assert table.header_dir() == d
    monkeypatch.setattr(table, "LIMITS", table.Limits(harness_max_runs=128))
    assert table.header_dir() != d and "TM_HARNESS_MAX_RUNS 128 " in (table.header_dir() / "tm_protocol.h").read_text()


def test_a_changed_table_makes_the_firmware_stale(tmp_path, monkeypatch):
    """Like the front-end's generated header: the project copies the headers, and a change of the table marks it
    changed, so the next build does not take the old ELF as up to date."""
    from tests.firmware.fake_build import FAKE_DIR
    from toolchain.boards import load
    from toolchain.build import project
    from toolchain.build.sources import ModelSources, tree

    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path / "build"))
    model = ModelSources("fake", "fake", tree(FAKE_DIR, "model"), ["model"], 0, 64, 10)
    proj = project.write(tmp_path / "fw", load("qemu-m4"), model)
    src = proj / "src"
    assert (src / "harness" / "tm_protocol.h").read_text() == table.protocol_header()
    assert (src / "runtime" / "tm_dtype.h").read_text() == table.dtype_header()
    elf = tmp_path / "firmware.elf"
    time.sleep(0.01)
    elf.write_bytes(b"built")
    assert project.up_to_date(proj, elf)
    project.write(proj, load("qemu-m4"), model)
    assert project.up_to_date(proj, elf), "an unchanged table changes nothing"
    monkeypatch.setattr(table, "LIMITS", table.Limits(harness_max_runs=128))
    time.sleep(0.01)
    project.write(proj, load("qemu-m4"), model)
    assert "TM_HARNESS_MAX_RUNS 128 " in (src / "harness" / "tm_protocol.h").read_text()
    assert not project.up_to_date(proj, elf)


def test_the_mlperf_runners_part_is_marked():
    """What the official runner sends and reads (tests/harness/test_mlperf_runner.py drives the firmware that way)."""
    assert [c.name for c in table.COMMANDS if c.mlperf] == ["name", "profile", "db load", "db", "infer", "results"]
    assert [r.key for r in table.REPLIES.values() if r.mlperf] == ["name-dut", "profile", "model", "lap-us", "results"]
