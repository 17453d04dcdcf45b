import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parent.parent
SHARED_MODELS = REPO.parent / "shared" / "models"


class MlperfModels:
    """The MLPerf Tiny reference models in ../shared/models, beside the repo."""

    FILES = {"kws": "kws_ref_model.tflite", "resnet": "pretrainedResnet_quant.tflite", "vww": "vww_96_int8.tflite",
             "ad": "ad01_int8.tflite"}

    def __init__(self, root: Path):
        self.root = root
        for attr, name in self.FILES.items():
            setattr(self, attr, root / name)

    def path(self, stem: str) -> Path:
        """By file stem, e.g. `kws_ref_model`."""
        return self.root / f"{stem}.tflite"


def _shared_missing(what: str) -> None:
    """A shared input that is missing fails the test under CI=true and skips it elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(what)
    pytest.skip(what)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true every tool and input is installed, so a skip hides a broken set-up: it fails instead."""
    report = (yield).get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome, report.longrepr = "failed", f"skipped under CI=true: {reason}"


@pytest.fixture(scope="session")
def tflm_tree() -> Path:
    """The plain TFLite Micro tree beside the repo (../shared/third_party/tflite-micro)."""
    tree = REPO.parent / "shared" / "third_party" / "tflite-micro"
    if not (tree / "tensorflow" / "lite" / "micro").is_dir():
        _shared_missing(f"{tree} is missing (the shared folder must sit beside the repo)")
    return tree


@pytest.fixture(scope="session")
def mlperf() -> MlperfModels:
    """The shared MLPerf models; missing ones fail the test under CI=true and skip it elsewhere."""
    models = MlperfModels(SHARED_MODELS)
    missing = [n for n in MlperfModels.FILES.values() if not (SHARED_MODELS / n).is_file()]
    if missing:
        _shared_missing(f"{SHARED_MODELS} lacks {', '.join(missing)} (the shared folder must sit beside the repo)")
    return models


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory) -> Path:
    """One build tree for the session, so the digits model is trained once."""
    d = tmp_path_factory.mktemp("build")
    os.environ["TOOLCHAIN_BUILD_DIR"] = str(d)
    return d


@pytest.fixture(scope="session")
def digits_manifest(build_dir) -> dict:
    from toolchain.pipeline import export

    return export("digits", "host", seed=0)


def run_cli(*args: str, build: Path, cwd: Path | None = None, unset: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """`toolchain ARGS` in a subprocess; `unset`: environment variables it must not see."""
    env = {k: v for k, v in os.environ.items() if k not in unset} | {"TOOLCHAIN_BUILD_DIR": str(build), "COLUMNS": "200"}
    # the first run on a cold cache builds a TFLM library: 17+ minutes on 2 loaded cores, so 15 was too short
    return subprocess.run([sys.executable, "-m", "toolchain", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=2700)


@pytest.fixture
def board_file(tmp_path, monkeypatch):
    """Call with (id, TOML text): that board alone is known, for the CLI run by run_cli too."""
    boards = tmp_path / "boards"
    boards.mkdir()
    monkeypatch.setenv("TOOLCHAIN_BOARDS_DIR", str(boards))
    return lambda board_id, text: (boards / f"{board_id}.toml").write_text(text)


@pytest.fixture(scope="session")
def fake_fw(tmp_path_factory):
    """QEMU firmware around a test-only fake model (tests/firmware/fake_model)."""
    from tests.firmware.fake_build import build_fake

    return build_fake(tmp_path_factory.mktemp("fake_fw"))


@pytest.fixture(scope="session")
def other_fake_fw(tmp_path_factory):
    """The same firmware built as if from another model (different hash)."""
    from tests.firmware.fake_build import OTHER_HASH, build_fake

    return build_fake(tmp_path_factory.mktemp("other_fw"), model_hash=OTHER_HASH)
