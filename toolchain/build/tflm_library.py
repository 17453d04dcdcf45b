"""A static TFLite Micro library, built once per (tree, core, kernel set) and cached.

The TFLM tree is an external, read-only dependency (upstream's create_tflm_tree.py
layout). Objects and the archive go to the user cache:
`<cache>/tflm/<key>/libtflm.a`, where the key hashes the tree's content, the
compile flags, the kernel set and the compiler version. Objects are kept so an
interrupted build resumes, and a file lock makes concurrent builders wait for
each other instead of racing.

Sources come from the tree's `sources-reference.txt` / `sources-cmsis-nn.txt`.
A tree made by upstream's script without those lists falls back to a glob:
every .cc/.c outside `third_party/` (minus tests and examples); for cmsis-nn the
`kernels/cmsis_nn/` twins replace the reference kernels of the same name, and
CMSIS-NN's `Source/**/*.c` joins (minus the float-only files). kissfft's .c
files stay out: TFLM's wrappers #include them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from toolchain import paths
from toolchain.boards import cpus
from toolchain.errors import ToolchainError

TFLM_DIR_ENV = "TOOLCHAIN_TFLM_DIR"
KERNELS = ("cmsis-nn", "reference")
ARCHIVE = "libtflm.a"
_MICRO = Path("tensorflow/lite/micro")
_SOURCE_LISTS = {"reference": "sources-reference.txt", "cmsis-nn": "sources-cmsis-nn.txt"}
_CMSIS_NN_FLOAT_ONLY = ("_f16.c", "_f32.c", "arm_nntables_flt.c")
_NOT_LIBRARY = {"test", "tests", "testdata", "examples", "benchmarks", "tools"}
_HOW_TO_GET = ("pass --tflm-dir DIR or set TOOLCHAIN_TFLM_DIR to a TFLite Micro tree made by upstream's "
               "tensorflow/lite/micro/tools/project_generation/create_tflm_tree.py")


class TflmTreeError(ToolchainError):
    """No TFLM tree given, or the folder given is not one."""


class TflmBuildError(ToolchainError):
    """The TFLM library could not be built (compiler missing, a file failed)."""


@dataclass(frozen=True)
class TflmLibrary:
    archive: Path
    include_dirs: list[Path]
    defines: list[str]  # also in cflags/cxxflags as -D; listed for build systems that take defines apart
    cflags: list[str]  # what the application's C must be compiled with: machine flags + defines
    cxxflags: list[str]  # ... and its C++: the same plus TFLM's language flags (no RTTI/exceptions)
    kernels: str
    key: str


def given(tflm_dir: Path | None) -> bool:
    """Whether a tree was named (--tflm-dir or TOOLCHAIN_TFLM_DIR), checked or not."""
    return tflm_dir is not None or bool(os.environ.get(TFLM_DIR_ENV))


def resolve_tree(tflm_dir: Path | None) -> Path:
    """The TFLM tree from `--tflm-dir`, else TOOLCHAIN_TFLM_DIR; checked to be one."""
    given = tflm_dir if tflm_dir is not None else os.environ.get(TFLM_DIR_ENV) or None
    if given is None:
        raise TflmTreeError("the tflm runtime needs a TFLite Micro source tree and none was given", _HOW_TO_GET)
    tree = Path(given).expanduser()
    if not tree.is_dir():
        raise TflmTreeError(f"TFLM tree {tree} does not exist", _HOW_TO_GET)
    if not (tree / _MICRO / "micro_interpreter.h").is_file():
        raise TflmTreeError(f"{tree} is not a TFLite Micro tree: no {_MICRO}/micro_interpreter.h", _HOW_TO_GET)
    return tree.resolve()


def sources(tree: Path, kernels: str) -> list[str]:
    """Tree-relative library sources for a kernel set: the tree's list, else the glob."""
    listed = tree / _SOURCE_LISTS[kernels]
    if listed.is_file():
        return [line.strip() for line in listed.read_text().splitlines() if line.strip()]
    return glob_sources(tree, kernels)


def glob_sources(tree: Path, kernels: str) -> list[str]:
    """The fallback for a tree without source lists (see the module docstring)."""
    kernel_dir = _MICRO / "kernels"
    own, twins = [], {}
    for path in sorted(tree.rglob("*.c*")):
        rel = path.relative_to(tree)
        if path.suffix not in (".c", ".cc") or rel.parts[0] == "third_party":
            continue
        if _NOT_LIBRARY & set(rel.parts) or rel.stem.endswith("_test"):
            continue
        if rel.parent == kernel_dir / "cmsis_nn":
            twins[rel.name] = rel.as_posix()
        elif kernel_dir in rel.parents and rel.parent != kernel_dir and "internal" not in rel.parts:
            continue  # other optimized kernel folders (xtensa, arc_mli, ...) are not ours to build
        else:
            own.append(rel.as_posix())
    if kernels == "reference":
        # a tree made only with OPTIMIZED_KERNEL_DIR=cmsis_nn has the twins instead of these
        missing = sorted(n for n in twins if not (tree / kernel_dir / n).is_file())
        if missing:
            raise TflmTreeError(f"{tree} has no reference kernels for {', '.join(missing)}",
                                "make the tree again without OPTIMIZED_KERNEL_DIR too, or use --kernels cmsis-nn")
        return own
    if not twins:
        raise TflmTreeError(f"{tree} has no CMSIS-NN kernels ({kernel_dir}/cmsis_nn/)",
                            "make the tree with OPTIMIZED_KERNEL_DIR=cmsis_nn, or use --kernels reference")
    nn = tree / "third_party" / "cmsis_nn" / "Source"
    nn_files = [p.relative_to(tree).as_posix() for p in sorted(nn.rglob("*.c")) if not p.name.endswith(_CMSIS_NN_FLOAT_ONLY)]
    own = [twins.pop(Path(s).name) if Path(s).parent == kernel_dir and Path(s).name in twins else s for s in own]
    return own + sorted(twins.values()) + nn_files


def include_dirs(tree: Path, cpu: str) -> list[Path]:
    tp = tree / "third_party"
    return [tree, tp, tp / "gemmlowp", tp / "flatbuffers" / "include", tp / "kissfft", tp / "ruy", tp / "cmsis",
            tp / "cmsis_nn", tp / "cmsis" / "CMSIS" / "Core" / "Include", tp / "cmsis_nn" / "Include",
            tp / "cmsis" / "Cortex_DFP" / "Device" / _core(cpu).tflm_device / "Include"]


def supports(cpu: str) -> bool:
    """Whether a TFLM library can be built here for this core (Arm Cortex-M only)."""
    return cpu in cpus.TABLE and cpus.TABLE[cpu].tflm_device is not None


def _core(cpu: str) -> cpus.Cpu:
    if not supports(cpu):
        raise TflmBuildError(f"no TFLM build for cpu {cpu!r}",
                             f"supported: {', '.join(c.name for c in cpus.TABLE.values() if c.tflm_device)}")
    return cpus.TABLE[cpu]


def machine_flags(cpu: str, fpu: str) -> list[str]:
    core = _core(cpu)
    if fpu == "none":
        return [f"-mcpu={core.gcc_cpu}", "-mfloat-abi=soft", "-mthumb"]
    return [f"-mcpu={core.gcc_cpu}", f"-mfpu={fpu}", "-mfloat-abi=hard", "-mthumb"]


def defines(cpu: str, kernels: str) -> list[str]:
    """The defines library and application share (TF_LITE_STATIC_MEMORY and CMSIS_NN change headers)."""
    core = _core(cpu)
    if kernels not in KERNELS:
        raise TflmBuildError(f"unknown kernel set {kernels!r}", f"use one of: {', '.join(KERNELS)}")
    if kernels == "cmsis-nn" and not core.dsp:
        raise TflmBuildError(f"CMSIS-NN kernels need a core with the DSP extension; {cpu} has none",
                             "use --kernels reference on this board")
    out = ["TF_LITE_STATIC_MEMORY", "TF_LITE_DISABLE_X86_NEON", "KERNELS_OPTIMIZED_FOR_SPEED",
           f"CPU_{core.tflm_device.removeprefix('ARMC')}=1", core.tflm_device,
           f'CMSIS_DEVICE_ARM_CORTEX_M_XX_HEADER_FILE="{core.tflm_device}.h"']
    if kernels == "cmsis-nn":
        out += ["CMSIS_NN", "ARM_MATH_DSP", "ARM_NN_ENABLE_F16=0", "ARM_NN_ENABLE_F32=0"]
    return out


_CXX_LANG = ["-std=c++17", "-fno-rtti", "-fno-exceptions", "-fno-threadsafe-statics", "-fno-unwind-tables"]
_C_LANG = ["-std=c17"]
# The application's own: a function-local static with a destructor (the usual
# `static MicroInterpreter`) registers through atexit instead of __cxa_atexit,
# whose __dso_handle lives in crtbegin.o that -nostartfiles firmware lacks.
_APP_CXX = ["-fno-use-cxa-atexit"]
_OPT = ["-O2", "-DNDEBUG", "-ffunction-sections", "-fdata-sections"]


def _compilers() -> tuple[str, str, str]:
    tools = [shutil.which(t) for t in ("arm-none-eabi-gcc", "arm-none-eabi-g++", "arm-none-eabi-ar")]
    if not all(tools):
        raise TflmBuildError("arm-none-eabi-gcc/g++/ar not found on PATH",
                             "install the Arm GNU toolchain (Debian: apt install gcc-arm-none-eabi)")
    return tools[0], tools[1], tools[2]


def _compiler_version(cxx: str) -> str:
    return subprocess.run([cxx, "--version"], capture_output=True, text=True, check=True).stdout


def tree_hash(tree: Path) -> str:
    """sha256 over every file's tree-relative path and bytes (0.04 s for the 11 MB, 680-file shared tree)."""
    h = hashlib.sha256()
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        rel = path.relative_to(tree).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(4, "little") + rel + len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def library(tree: Path, cpu: str, fpu: str, kernels: str, *, jobs: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> TflmLibrary:
    """The cached libtflm.a for this tree, core and kernel set; built (in parallel) when missing."""
    tree = Path(tree).resolve()
    machine = machine_flags(cpu, fpu)
    defs = defines(cpu, kernels)
    incs = include_dirs(tree, cpu)
    gcc, gxx, ar = _compilers()
    # Compiled from inside the tree with relative paths, so __FILE__ strings and
    # the key do not depend on where the tree lives.
    dflags = [f"-D{d}" for d in defs]
    rel_incs = [f"-I{os.path.relpath(i, tree)}" for i in incs]
    common = machine + _OPT + dflags + rel_incs
    srcs = sources(tree, kernels)
    key_data = {"tree": tree_hash(tree), "kernels": kernels, "sources": srcs, "common": common,
                "c": _C_LANG, "cxx": _CXX_LANG, "compiler": _compiler_version(gxx)}
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()[:24]
    out = paths.cache_root() / "tflm" / key
    lib = TflmLibrary(archive=out / ARCHIVE, include_dirs=incs, defines=defs, cflags=machine + dflags,
                      cxxflags=machine + dflags + _CXX_LANG + _APP_CXX, kernels=kernels, key=key)
    if lib.archive.is_file():
        return lib
    out.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another builder holds it: wait, then reuse its archive
        if not lib.archive.is_file():
            objects = _compile_all(tree, srcs, out / "obj", {".c": [gcc, *common, *_C_LANG],
                                                             ".cc": [gxx, *common, *_CXX_LANG]}, jobs, progress)
            _archive(ar, objects, lib.archive)
            (out / "build.json").write_text(json.dumps({**key_data, "tree_dir": str(tree)}, indent=1))
    return lib


def _compile_all(tree: Path, srcs: list[str], obj_dir: Path, commands: dict[str, list[str]],
                 jobs: int | None, progress) -> list[Path]:
    obj_dir.mkdir(parents=True, exist_ok=True)
    # Flat, unique member names: `ar` would merge two conv.o from different folders
    objects = [obj_dir / (s.replace("/", "__") + ".o") for s in srcs]
    todo = [(s, o) for s, o in zip(srcs, objects) if not o.is_file()]
    done = len(srcs) - len(todo)
    if progress:
        progress(done, len(srcs))
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        futures = [pool.submit(_compile_one, tree, s, o, commands[Path(s).suffix]) for s, o in todo]
        try:
            for finished in as_completed(futures):
                finished.result()
                done += 1
                if progress:
                    progress(done, len(srcs))
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return objects


def _compile_one(tree: Path, src: str, obj: Path, command: list[str]) -> None:
    # A temp name then a rename: an interrupted compile never leaves a truncated object
    tmp = obj.with_suffix(f".{os.getpid()}.tmp")
    proc = subprocess.run([*command, "-c", src, "-o", str(tmp)], cwd=tree, capture_output=True, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise TflmBuildError(f"compiling TFLM file {src} failed:\n{tail}",
                             "check the tree (SOURCE.md) and the arm-none-eabi-gcc version")
    os.replace(tmp, obj)


def _archive(ar: str, objects: list[Path], archive: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix="libtflm.", suffix=".a.tmp", dir=archive.parent)
    os.close(fd)
    os.unlink(tmp)  # ar creates it; an empty file is not an archive
    proc = subprocess.run([ar, "rcs", tmp, *map(str, objects)], capture_output=True, text=True)
    if proc.returncode != 0:
        Path(tmp).unlink(missing_ok=True)
        raise TflmBuildError(f"archiving {archive.name} failed: {proc.stderr.strip()}")
    os.replace(tmp, archive)
