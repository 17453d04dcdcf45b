"""The serial protocol between the host and the harness firmware, as one table:
every command the firmware accepts (COMMANDS), every reply key it answers
with (REPLIES), the limits both sides keep (LIMITS) and the dtypes it names
(modelinfo.DTYPES, the one home of dtypes).

A command is the text before `%` (CR/LF ignored); its reply is every line
before `m-ready`: `m-<key>-[<body>]` lines, `m-lap-us-<n>` (the MLPerf
runner's timestamps), `m-[<message>]`, or `e-[<reason>]` for an error, after
which the device keeps serving. The MLPerf Tiny runner's part (mlperf=True)
is what its device_under_test.py sends and reads; the rest are our extensions.

The firmware gets the table as generated C headers, written into the build
tree and copied into every project the way toolchain.audio does it for the
front-end's tm_frontend_config.h (`headers()`, `header_dir()`):
tm_protocol.h (command names and usages, reply prefixes, limits, and the
dispatch table TM_PROTOCOL_COMMANDS) and tm_dtype.h (tm_dtype_t, names, sizes).
The host client sends and parses with it (device/harness/), and the
standalone LiteRT runner carries a generated copy of what it needs
(`runner_block()`; `python -m toolchain.harness_protocol` refreshes it).

Adding a command is one row of COMMANDS (and its reply keys in REPLIES): the
firmware's dispatcher calls the row's `handler`, a C function
`void handler(const char *args)` that tm_harness.c can see. An `optional`
row's handler is declared weak in tm_protocol.h: firmware built without it
answers the row's `optional` text as an error.
"""

import hashlib
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from toolchain import modelinfo, paths


@dataclass(frozen=True)
class Command:
    name: str            # the words before the arguments, e.g. "db load"
    args: str            # the arguments, as the usage shows them ("" for none)
    handler: str         # the firmware's C function, `void handler(const char *args)`
    replies: tuple[str, ...]  # REPLIES keys of a successful answer
    does: str
    bare: bool = False   # only the bare name is this command: `name extra%` is an unknown command
    mlperf: bool = False  # sent by the MLPerf Tiny runner
    optional: str = ""   # linked only into some builds: what the firmware answers where it is not

    @property
    def usage(self) -> str:
        return f"{self.name} {self.args}%" if self.args else f"{self.name}%"

    @property
    def c_name(self) -> str:
        return "TM_CMD_" + re.sub(r"\W", "_", self.name).upper()


@dataclass(frozen=True)
class Reply:
    key: str             # the line is m-<key>-[<body>]
    body: str            # what the brackets hold
    mlperf: bool = False  # read by the MLPerf Tiny runner

    @property
    def prefix(self) -> str:
        return f"m-{self.key}-" if self.key else "m-"

    @property
    def c_name(self) -> str:
        return "TM_REPLY_" + (re.sub(r"\W", "_", self.key).upper() or "MESSAGE")


def _once(rows: tuple, key) -> dict:
    """The rows by `key`, each key once: a second row for one command or reply key is a mistake in this file."""
    found = {}
    for row in rows:
        assert key(row) not in found, f"{key(row)!r} is in the protocol table twice"
        found[key(row)] = row
    return found


# Lines that are no `m-<key>-[...]`
READY = "m-ready"  # ends every reply
ERROR = "e-"       # e-[<reason>]: the command failed; the device keeps serving
LAP = "m-lap-"     # m-lap-<unit>-<n>: the MLPerf runner's timestamps (unit `us`)
LINK_FILE = "file"  # in m-info-link-: the device reads `db file PATH%`

_NO_HEAD = "this firmware has no personalization: toolchain personalize builds it"

# In the order the firmware's dispatcher tries them: a longer name before the shorter one it starts with.
COMMANDS = (
    Command("name", "", "tm_harness_name", ("name-dut",), "the board's id", bare=True, mlperf=True),
    Command("profile", "", "tm_harness_profile", ("profile", "model"), "who answers, and the model", bare=True,
            mlperf=True),
    Command("db load", "N", "tm_harness_db_load", ("",), "announces the input: N must be the model's input bytes",
            mlperf=True),
    Command("db file", "PATH", "tm_harness_db_file", (),
            "the rest of the announced input from a host file (ports with tm_port_read_file, e.g. QEMU semihosting)"),
    Command("db", "HEX", "tm_harness_db_data", (),
            "appends hex bytes: TM_HARNESS_MLPERF_DB_BYTES a line (MLPerf), up to TM_HARNESS_DB_MAX_BYTES when "
            "m-info-link- offers it",
            mlperf=True),
    Command("infer", "N W", "tm_harness_infer", ("lap-us", "runs", "layers", "results", "check"),
            "W warm-ups, then N timed runs of the loaded input; m-layers- with -DTM_PROFILE", mlperf=True),
    Command("results", "", "tm_harness_results", ("results", "check"), "the last inference's outputs again", bare=True,
            mlperf=True),
    Command("info", "", "tm_harness_info", ("info-model", "info-hash", "info-runtime", "info-board", "info-input",
                                            "info-output", "info-timer", "info-layers", "info-link"),
            "the model and what the host may use", bare=True),
    Command("mem", "", "tm_harness_mem", ("mem-arena", "mem-stack-used", "mem-stack-size"), "memory in use", bare=True),
    Command("stats reset", "", "tm_stats_reset_command", ("stats-reset",), "clears the field statistics", bare=True),
    Command("stats", "", "tm_stats_command", ("stats-config", "stats-count", "stats-classes", "stats-conf",
                                              "stats-low", "stats-sum", "stats-sumsq", "stats-cost"),
            "field statistics since boot or reset (firmware/harness/tm_stats.h)"),
    Command("stream begin", "E A T S K", "tm_harness_stream_begin", ("stream-begin",),
            "starts the keyword detector: network every E hops, sums over A inferences, threshold T, S hops of "
            "suppression, keyword class mask K (audio models)"),
    Command("stream", "", "tm_harness_stream_piece", ("detect", "stream"),
            "feeds the loaded input (int16 PCM) to the detector (audio models)"),
    Command("validate file", "PATH", "tm_harness_validate_file", ("tensor", "validate", "results", "check"),
            "validation builds (-DTM_VALIDATE): one inference on the loaded input, every layer's output appended to "
            "the host file PATH (ports with tm_port_write_file)"),
    Command("validate", "", "tm_harness_validate_layers", ("tensor", "hex", "validate", "results", "check"),
            "validation builds (-DTM_VALIDATE): one inference on the loaded input, every layer's output sent back"),
    Command("calib", "N", "tm_harness_calib", ("calib",), "times a loop of N iterations of known length"),
    # personalization builds (firmware/personalize/tm_personalize.c, `toolchain personalize`)
    Command("learn", "L", "tm_personalize_learn", ("learn", "embedding"),
            "the loaded input's embedding becomes a stored training example of class L", optional=_NO_HEAD),
    Command("hold", "L", "tm_personalize_hold", ("hold", "embedding"),
            "the loaded input's embedding becomes a held-back example of class L, for score", optional=_NO_HEAD),
    Command("train", "N LR", "tm_personalize_train", ("train",),
            "N epochs of SGD over the stored examples in their order; LR in millionths, optional (default "
            "TM_PERSONALIZE_LR)", optional=_NO_HEAD),
    Command("imprint", "L", "tm_personalize_imprint", ("imprint",),
            "new class L (the next row) from its stored examples' mean normalised embedding", optional=_NO_HEAD),
    Command("score", "", "tm_personalize_score", ("predicted", "score"),
            "the current head's class for every held-back example", bare=True, optional=_NO_HEAD),
    Command("classify", "", "tm_personalize_classify", ("logits", "classify", "embedding"),
            "the loaded input through the backbone and the current head", bare=True, optional=_NO_HEAD),
    Command("head reset", "", "tm_personalize_head_reset", ("head",), "the factory head back (examples are kept)",
            bare=True, optional=_NO_HEAD),
    Command("head read", "", "tm_personalize_head_read", ("head", "hex"), "the head's bytes as m-hex- lines",
            bare=True, optional=_NO_HEAD),
    Command("head load", "N", "tm_personalize_head_load", ("",),
            "announces N bytes of a head (what head read sent) for head data lines", optional=_NO_HEAD),
    Command("head data", "HEX", "tm_personalize_head_data", ("head",),
            "appends hex bytes of the announced head, TM_HARNESS_DB_MAX_BYTES a line; m-head- once complete",
            optional=_NO_HEAD),
    Command("head save", "", "tm_personalize_head_save", ("head",),
            "keeps the head across resets where the port can (a flash page)", bare=True, optional=_NO_HEAD),
    Command("examples clear", "", "tm_personalize_examples_clear", ("examples",),
            "forgets the stored and held-back examples", bare=True, optional=_NO_HEAD),
    Command("examples", "", "tm_personalize_examples", ("examples",), "stored and held-back examples", bare=True,
            optional=_NO_HEAD),
)

REPLIES = _once((
    Reply("boot", "board,model,hash: the banner, once at every (re)start"),
    Reply("", "Expecting N bytes"),
    Reply("name-dut", "board id", mlperf=True),
    Reply("profile", "toolchain", mlperf=True),
    Reply("model", "model name", mlperf=True),
    Reply("lap-us", "no brackets: m-lap-us-<n>, microseconds before and after the timed runs (virtual on QEMU: "
                    "1 ns per instruction under -icount shift=0)", mlperf=True),
    Reply("runs", "timer ticks of each timed run"),
    Reply("layers", "timer ticks of each layer of the last run (-DTM_PROFILE)"),
    Reply("results", "dequantized outputs, 9 significant digits", mlperf=True),
    Reply("check", "Fletcher-16 of the input used, Fletcher-16 of the raw output bytes"),
    Reply("info-model", "model name"),
    Reply("info-hash", "first 16 hex digits of the .tflite's sha256"),
    Reply("info-runtime", "runtime (aot, tflm, litert, ...)"),
    Reply("info-board", "board id"),
    Reply("info-input", "bytes,dtype,scale,zero point of the input"),
    Reply("info-output", "elements,dtype,scale,zero point of the output"),
    Reply("info-timer", "unit of the timer's ticks"),
    Reply("info-layers", "layers the runtime reports"),
    Reply("info-link", f"db bytes per line[,{LINK_FILE}]: what the host may use beyond MLPerf's"),
    Reply("mem-arena", "bytes of the activation arena"),
    Reply("mem-stack-used", "bytes of stack used so far (painting)"),
    Reply("mem-stack-size", "bytes of stack reserved"),
    Reply("calib", "instructions,ticks of the loop"),
    Reply("stats-config", "channels,classes,bins,low-confidence threshold"),
    Reply("stats-count", "inferences since boot or reset"),
    Reply("stats-classes", "top-1 predictions per class"),
    Reply("stats-conf", "top-1 confidence histogram over [0, 1], TM_STATS_BINS bins"),
    Reply("stats-low", "top-1 confidences below the threshold"),
    Reply("stats-sum", "per input channel: sum of the raw input values"),
    Reply("stats-sumsq", "per input channel: sum of their squares"),
    Reply("stats-cost", "timer ticks of the last update"),
    Reply("stats-reset", "0"),
    Reply("stream-begin", "frames,bands,window,hop of the detector's window"),
    Reply("detect", "frame,class,score;... of this piece's detections"),
    Reply("stream", "frames,inferences (from stream begin),front-end ticks,network ticks,input Fletcher-16,"
                    "outputs Fletcher-16 (this piece's)"),
    Reply("tensor", "layer index (the .tflite operator's),bytes,Fletcher-16 of a layer's output"),
    Reply("hex", "the next TM_VALIDATE_HEX_BYTES bytes (at most) of that output, in hex"),
    Reply("validate", "layers,bytes sent back"),
    Reply("learn", "index in the store,class,the current head's class for it"),
    Reply("hold", "index in the held-back store,class,the current head's class for it"),
    Reply("embedding", "the embedding's int8 values, in hex"),
    Reply("train", "epochs,SGD steps,timer ticks of the whole update"),
    Reply("imprint", "class,examples,timer ticks"),
    Reply("predicted", "the current head's class of each held-back example, in store order"),
    Reply("score", "correct,held-back examples"),
    Reply("logits", "the current head's logits, 9 significant digits"),
    Reply("classify", "the current head's class"),
    Reply("head", "classes,bytes of the head"),
    Reply("examples", "stored,held-back examples"),
), lambda r: r.key)


@dataclass(frozen=True)
class Limits:
    """Numbers both sides keep; tm_protocol.h defines each as TM_<NAME>."""
    harness_mlperf_db_bytes: int = field(default=31, metadata={"what": "bytes per `db` line the MLPerf runner sends; "
                                                                        "every device takes them"})
    harness_db_max_bytes: int = field(default=124, metadata={"what": "bytes per `db` line our firmware takes "
                                                                     "(offered in m-info-link-)"})
    harness_max_runs: int = field(default=256, metadata={"what": "timed runs of one `infer`"})
    harness_max_warmups: int = field(default=100, metadata={"what": "warm-ups of one `infer`: a device busy for hours "
                                                                    "on one command cannot be resynced"})
    harness_max_layers: int = field(default=256, metadata={"what": "layers timed by a -DTM_PROFILE build"})
    harness_max_calib: int = field(default=100_000_000, metadata={"what": "loop iterations of `calib`: seconds of "
                                                                          "emulation at most"})
    detector_max_classes: int = field(default=31, metadata={"what": "classes of the keyword detector: its mask is "
                                                                    "one 31-bit protocol number"})
    detector_max_average: int = field(default=16, metadata={"what": "inferences the detector sums over"})
    stats_bins: int = field(default=16, metadata={"what": "bins of the field statistics' confidence histogram"})
    validate_hex_bytes: int = field(default=64, metadata={"what": "bytes of a layer's output per m-hex- line: 128 hex "
                                                                  "digits keep a line short for any host's reader"})

    @property
    def harness_line_max(self) -> int:
        """characters before `%`: `db ` and the hex of the longest `db` line, or a `db file` path"""
        return 2 * self.harness_db_max_bytes + 8

    def rows(self) -> list[tuple[str, int, str]]:
        """(name, value, what) of every limit, the derived one included."""
        rows = [(f.name, getattr(self, f.name), f.metadata["what"]) for f in fields(self)]
        return rows + [("harness_line_max", self.harness_line_max, Limits.harness_line_max.__doc__)]


LIMITS = Limits()

_BY_NAME = _once(COMMANDS, lambda c: c.name)


def command(name: str) -> Command:
    return _BY_NAME[name]


def line(name: str, *args) -> str:
    """The text of command `name` with its arguments, e.g. line("infer", 1, 0) == "infer 1 0" (`%` not included)."""
    c = _BY_NAME[name]
    if len(args) != len(c.args.split()):
        raise ValueError(f"{c.usage} takes {len(c.args.split())} arguments, not {len(args)}")
    return " ".join([c.name, *map(str, args)])


# -- the firmware's headers ---------------------------------------------------------------

HEADER_NOTE = "// Generated by toolchain.harness_protocol from its table; do not edit."


def _c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def protocol_header() -> str:
    """tm_protocol.h: command names and usages, reply prefixes, limits, the dispatch table."""
    out = ["// SPDX-License-Identifier: Apache-2.0", HEADER_NOTE,
           "// The serial protocol of firmware/harness/ (docs: toolchain/harness_protocol.py).",
           "#ifndef TM_PROTOCOL_H_", "#define TM_PROTOCOL_H_", "", "// Commands: name, usage"]
    for c in COMMANDS:
        out += [f"#define {c.c_name} {_c_string(c.name)}  // {c.does}",
                f"#define {c.c_name.replace('TM_CMD_', 'TM_USAGE_')} {_c_string(c.usage)}"]
    out += ["", "// Replies: the prefix of each line", f"#define TM_REPLY_READY {_c_string(READY)}",
            f"#define TM_REPLY_ERROR {_c_string(ERROR)}", f"#define TM_LINK_FILE {_c_string(LINK_FILE)}"]
    out += [f"#define {r.c_name} {_c_string(r.prefix)}  // {r.body}" for r in REPLIES.values()]
    out += ["", "// Limits"]
    out += [f"#define TM_{name.upper()} {value}  // {what}" for name, value, what in LIMITS.rows()]
    out += ["", "// Handlers linked only into some builds: NULL elsewhere"]
    out += [f"void {c.handler}(const char *args) __attribute__((weak));" for c in COMMANDS if c.optional]
    out += ["", "// X(name, handler, bare, missing) for every command, in the order the dispatcher tries them; `missing`:",
            "// the error where an optional handler is not linked",
            "#define TM_PROTOCOL_COMMANDS(X) \\"]
    out += [f"  X({c.c_name}, {c.handler}, {int(c.bare)}, {_c_string(c.optional) if c.optional else 'NULL'}) \\"
            for c in COMMANDS]
    out += ["", "#endif  // TM_PROTOCOL_H_", ""]
    return "\n".join(out)


def dtype_header() -> str:
    """tm_dtype.h: the harness's I/O dtypes (modelinfo.DTYPES) as tm_dtype_t, with their names and sizes."""
    dtypes = sorted(modelinfo.DTYPES.values(), key=lambda d: d.code)
    assert [d.code for d in dtypes] == list(range(len(dtypes))), "tm_dtype_t values index the tables below"
    enum = ", ".join(f"{d.tm_enum} = {d.code}" for d in dtypes)
    return "\n".join([
        "// SPDX-License-Identifier: Apache-2.0", HEADER_NOTE,
        "// The dtypes of a model's input and output (toolchain/modelinfo.py: DTYPES).",
        "#ifndef TM_DTYPE_H_", "#define TM_DTYPE_H_", "",
        f"typedef enum {{ {enum} }} tm_dtype_t;", "",
        f"#define TM_DTYPE_LAST {dtypes[-1].tm_enum}",
        "// by tm_dtype_t value: the name on the serial link, bytes per element",
        "#define TM_DTYPE_NAMES {" + ", ".join(_c_string(d.name) for d in dtypes) + "}",
        "#define TM_DTYPE_SIZES {" + ", ".join(str(d.size) for d in dtypes) + "}", "",
        "#endif  // TM_DTYPE_H_", ""])


def headers() -> dict[str, str]:
    """Generated header -> its text; `PROJECT_PATHS` says where each goes in a firmware project."""
    return {"tm_protocol.h": protocol_header(), "tm_dtype.h": dtype_header()}


# under a project's src/: the harness includes tm_protocol.h, the runtime interface (tm_model.h) tm_dtype.h
PROJECT_PATHS = {"tm_protocol.h": "harness/tm_protocol.h", "tm_dtype.h": "runtime/tm_dtype.h"}


def header_dir() -> Path:
    """The generated headers under <build>/cache/protocol/<hash>/, written once per table version."""
    texts = headers()
    h = hashlib.sha256("".join(texts[k] for k in sorted(texts)).encode()).hexdigest()[:16]
    d = paths.build_root() / "cache" / "protocol" / h
    for name, text in texts.items():
        path = d / name
        if not path.is_file():
            d.mkdir(parents=True, exist_ok=True)
            tmp = d / f".{name}.{os.getpid()}"
            tmp.write_text(text)
            tmp.replace(path)  # atomic: a concurrent build never sees half a header
    return d


def project_files() -> list[tuple[Path, str]]:
    """(generated header, path under a project's src/)."""
    d = header_dir()
    return [(d / name, PROJECT_PATHS[name]) for name in headers()]


# -- the standalone LiteRT runner's copy ----------------------------------------------------

RUNNER = Path(__file__).resolve().parent / "device" / "litert_runner.py"
RUNNER_BEGIN = "# --- generated by toolchain.harness_protocol (python -m toolchain.harness_protocol); do not edit ---"
RUNNER_END = "# --- end of generated ---"


def runner_block() -> str:
    """What device/litert_runner.py needs of the table, as Python it can carry alone to a Raspberry Pi."""
    names = [c.name for c in COMMANDS]
    return "\n".join([
        RUNNER_BEGIN,
        f"READY, ERROR, LAP = {READY!r}, {ERROR!r}, {LAP!r}",
        f"COMMANDS = {tuple(names)!r}  # in the order the firmware tries them",
        f"BARE = {tuple(c.name for c in COMMANDS if c.bare)!r}  # `name extra%` is no command",
        f"USAGE = {({c.name: c.usage for c in COMMANDS})!r}",
        f"PREFIXES = {({r.key: r.prefix for r in REPLIES.values()})!r}  # reply key -> its lines' prefix",
        f"DTYPES = {({d.name: d.numpy for d in modelinfo.DTYPES.values()})!r}  # name -> numpy type",
        f"MLPERF_DB_BYTES = {LIMITS.harness_mlperf_db_bytes}",
        f"LINE_MAX = {LIMITS.harness_line_max}",
        f"MAX_RUNS = {LIMITS.harness_max_runs}",
        f"MAX_WARMUPS = {LIMITS.harness_max_warmups}",
        RUNNER_END])


def runner_with_block(text: str) -> str:
    """`text` (litert_runner.py) with its generated block replaced by the current one."""
    start, end = text.index(RUNNER_BEGIN), text.index(RUNNER_END) + len(RUNNER_END)
    return text[:start] + runner_block() + text[end:]


def main() -> int:
    """Refreshes the LiteRT runner's generated block."""
    text = RUNNER.read_text()
    new = runner_with_block(text)
    if new != text:
        RUNNER.write_text(new)
        print(f"updated {RUNNER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
