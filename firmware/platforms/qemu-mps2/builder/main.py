# SPDX-License-Identifier: Apache-2.0
# SCons builder for the qemu-mps2 platform: bare-metal Cortex-M firmware, no
# framework. The board JSON (generated from boards/<id>.toml) supplies
# build.cpu, build.fpu and build.ldscript; the project supplies the sources.

from os.path import join

from SCons.Script import AlwaysBuild, Builder, Default, DefaultEnvironment

env = DefaultEnvironment()
board = env.BoardConfig()

env.Replace(
    AR="arm-none-eabi-gcc-ar",
    AS="arm-none-eabi-as",
    CC="arm-none-eabi-gcc",
    CXX="arm-none-eabi-g++",
    GDB="arm-none-eabi-gdb",
    OBJCOPY="arm-none-eabi-objcopy",
    RANLIB="arm-none-eabi-gcc-ranlib",
    SIZETOOL="arm-none-eabi-size",
    PROGSUFFIX=".elf",
)

# Target: flags derived from the board
machine_flags = ["-mthumb", "-mcpu=%s" % board.get("build.cpu")]
if board.get("build.fpu", "none") != "none":
    machine_flags += ["-mfpu=%s" % board.get("build.fpu"), "-mfloat-abi=hard"]
else:
    machine_flags += ["-mfloat-abi=soft"]

env.Append(
    ASFLAGS=machine_flags,
    ASPPFLAGS=machine_flags + ["-x", "assembler-with-cpp"],
    CCFLAGS=machine_flags + ["-O2", "-ffunction-sections", "-fdata-sections", "-Wall"],
    CFLAGS=["-std=c11"],
    # as TFLM is built (toolchain/build/tflm_library.py): no guard variables, no unwind tables
    CXXFLAGS=["-std=c++17", "-fno-rtti", "-fno-exceptions", "-fno-threadsafe-statics", "-fno-unwind-tables"],
    LINKFLAGS=machine_flags + [
        "-nostartfiles",
        "--specs=nano.specs",
        "--specs=nosys.specs",
        "-Wl,--gc-sections",
        "-Wl,-Map=%s" % join("$BUILD_DIR", "firmware.map"),
    ],
    LIBS=["m"],
    BUILDERS=dict(
        ElfToBin=Builder(
            action=env.VerboseAction("$OBJCOPY -O binary $SOURCES $TARGET", "Building $TARGET"),
            suffix=".bin",
        )
    ),
)
if board.get("build.ldscript", ""):
    env.Replace(LDSCRIPT_PATH=board.get("build.ldscript"))

# Target: firmware.elf
env.Replace(PROGNAME="firmware")
target_elf = env.BuildProgram()

# Target: firmware.bin
target_bin = env.ElfToBin(join("$BUILD_DIR", "${PROGNAME}"), target_elf)

# Target: size
target_size = env.Alias("size", target_elf, env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE"))
AlwaysBuild(target_size)

Default([target_bin])
