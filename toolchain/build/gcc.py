"""Plain GCC builds of the harness + model + runtime, without PlatformIO.

Two uses: the Raspberry Pi target (aarch64-linux-gnu-gcc, the linux stdio
port, a static binary that runs natively on the Pi or under qemu-aarch64),
and the offline compile check of Cortex-M boards whose PlatformIO platform
cannot be downloaded here (arm-none-eabi-gcc with the board's CPU/FPU flags,
linked with the small bare-metal QEMU MPS2 port so the size is real code
after --gc-sections, minus the board's vendor core).
"""

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from toolchain.boards import Board
from toolchain.boards.platformio import gcc_cpu
from toolchain.build import project
from toolchain.build.errors import BuildError
from toolchain.build.firmware import Compiled
from toolchain.build.project import STACK_BYTES
from toolchain.build.sources import ModelSources
from toolchain.build.tflm_library import TflmLibrary


@dataclass(frozen=True)
class Target:
    prefix: str            # GCC triplet prefix
    port: str              # folder under firmware/ports/
    link_flags: tuple[str, ...]
    apt: str               # Debian package that provides the compiler


LINUX = Target("aarch64-linux-gnu-", "linux", ("-static",), "g++-aarch64-linux-gnu")
BARE_METAL = Target("arm-none-eabi-", "qemu_mps2", (
    "-T", "src/port/qemu_mps2.ld", "-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections",
    f"-Wl,--defsym=TM_STACK_SIZE={STACK_BYTES}"), "gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib")


@dataclass(frozen=True)
class Size:
    text: int   # code + constants (weights)
    data: int   # initialised RAM, also stored in flash
    bss: int    # zeroed RAM (the arena, the harness buffers)

    @property
    def flash(self) -> int:
        return self.text + self.data


def target(board: Board) -> Target:
    if board.core.family == "cortex-a":
        return LINUX
    if board.core.family == "cortex-m":
        return BARE_METAL
    raise BuildError(f"no plain GCC build for {board.id} ({board.cpu}) here",
                     "its compiler comes with the PlatformIO platform: build it with `toolchain build` once online")


def machine_flags(board: Board) -> list[str]:
    """-mcpu/-mfpu/-mfloat-abi from the board data."""
    if board.core.family == "cortex-a":
        return [f"-mcpu={gcc_cpu(board)}"]
    # unified syntax: the ports' inline asm (`subs`) also assembles for Thumb-1 cores (M0+)
    flags = ["-mthumb", "-masm-syntax-unified", f"-mcpu={gcc_cpu(board)}"]
    return flags + ([f"-mfpu={board.fpu}", "-mfloat-abi=hard"] if board.fpu != "none" else ["-mfloat-abi=soft"])


def compiler(t: Target, tool: str = "gcc") -> str:
    exe = shutil.which(f"{t.prefix}{tool}")
    if not exe:
        raise BuildError(f"{t.prefix}{tool} not found", f"install it: apt-get install --no-install-recommends {t.apt}")
    return exe


def build(board: Board, model: ModelSources, out_dir: Path,
          library: TflmLibrary | None = None) -> Compiled:
    """Writes out_dir/src/ and links out_dir/<model>.elf (Compiled: the ELF and the seconds it took). With a TFLM
    `library`, the model's C++ is compiled with its flags and the archive is linked."""
    t0 = time.monotonic()
    t = target(board)
    cc = compiler(t)
    out_dir = Path(out_dir)
    src = out_dir / "src"
    if src.exists():
        shutil.rmtree(src)
    for source, rel in project.files(t.port, model):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, src / rel)
    main = project.templates().get_template("main.c.j2").render(model=model.name, runtime=model.runtime, board_id=board.id)
    (src / "main.c").write_text(main)
    includes = [f"-Isrc/{d}" for d in project.include_dirs(model)]
    includes += [f"-I{d}" for d in (library.include_dirs if library else [])]
    defines = [f"-D{d}" for d in project.harness_defines(board, model) + model.defines]
    defines += [f"-D{d}" for d in (library.defines if library else [])]
    common = [*machine_flags(board), "-O2", "-ffunction-sections", "-fdata-sections", *includes, *defines, *model.flags]
    objects = [_compile(cc, [*common, "-std=c11"], s, out_dir, src) for s in sorted(src.rglob("*.c"))]
    cpp = [s for s in sorted(src.rglob("*")) if s.suffix in (".cc", ".cpp")]
    link = cc
    if cpp:
        link = compiler(t, "g++")
        cxx_lang = [f for f in library.cxxflags if not f.startswith(("-D", "-m"))] if library else ["-std=c++17"]
        objects += [_compile(link, [*common, *cxx_lang], s, out_dir, src) for s in cpp]
    elf = out_dir / f"{model.name}.elf"
    archive = [str(library.archive)] if library else []
    r = subprocess.run([link, *machine_flags(board), *objects, *archive, *t.link_flags, "-lm", "-o", elf.name],
                       cwd=out_dir, capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-15:])
        raise BuildError(f"linking with {Path(link).name} failed for {board.id}:\n{tail}", f"the sources are in {src}")
    return Compiled(elf, time.monotonic() - t0)


def _compile(compiler_exe: str, flags: list[str], source: Path, out_dir: Path, src: Path) -> str:
    obj = out_dir / "obj" / source.relative_to(src).with_suffix(source.suffix + ".o")
    obj.parent.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([compiler_exe, *flags, "-c", str(source.relative_to(out_dir)), "-o", str(obj.relative_to(out_dir))],
                       cwd=out_dir, capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-15:])
        raise BuildError(f"{Path(compiler_exe).name} failed on {source.name} for the board:\n{tail}",
                         f"the sources are in {src}")
    return str(obj.relative_to(out_dir))


def size(board: Board, elf: Path) -> Size:
    """Berkeley sizes from `<prefix>size`, like the vendor IDEs print them."""
    t = target(board)
    r = subprocess.run([f"{t.prefix}size", str(elf)], capture_output=True, text=True, check=True)
    text, data, bss = (int(v) for v in r.stdout.splitlines()[1].split()[:3])
    return Size(text, data, bss)
