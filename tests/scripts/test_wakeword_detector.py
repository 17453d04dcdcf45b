"""scripts/wakeword_detector.py refuses a proxy recording voiced by a synthesizer the model trained on."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("voices, share", [("gnuspeech", 0.2), ("piper", 0.3)])
def test_a_recording_in_a_synthesizer_the_model_trained_on_is_refused_with_one_line(tmp_path, voices, share):
    recipe = tmp_path / "mine"
    recipe.mkdir()
    (recipe / "recipe.toml").write_text(f'name = "mine"\n[model]\ncode = "keywords/model.py"\n'
                                        f'[data]\nloader = "speech"\n[data.args]\n{voices} = {share}\n')
    built = tmp_path / "build" / "mine" / "host"
    built.mkdir(parents=True)
    (built / "model.tflite").write_bytes(b"")
    (built / "manifest.json").write_text(json.dumps({
        "deploy": str(built / "model.tflite"), "labels": ["yes", "unknown", "silence"],
        "lineage": {"config": {"data": {"args": {voices: share}}}}}))
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "wakeword_detector.py"), "--model", str(recipe),
                        "--voices", voices], capture_output=True, text=True, timeout=300,
                       env=os.environ | {"TOOLCHAIN_BUILD_DIR": str(tmp_path / "build"), "PYTHONPATH": str(REPO)})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"error: --voices {voices}: the model trained on {voices}'s renders ({voices} = "
                                f"{share}), so a {voices} recording is not held out for it: train a copy with "
                                f"{voices} = 0 for it")
