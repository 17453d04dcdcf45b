"""scripts/heldout_keywords.py refuses to score a model on a training synthesizer's renders it trained on."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def test_a_model_trained_on_the_synthesizer_is_refused_with_one_line(tmp_path):
    recipe = tmp_path / "mine"
    recipe.mkdir()
    (recipe / "recipe.toml").write_text('name = "mine"\n[model]\ncode = "keywords/model.py"\n'
                                        '[data]\nloader = "speech"\n[data.args]\ngnuspeech = 0.2\n')
    built = tmp_path / "build" / "mine" / "host"
    built.mkdir(parents=True)
    (built / "model.tflite").write_bytes(b"")
    (built / "manifest.json").write_text(json.dumps({
        "deploy": str(built / "model.tflite"), "labels": ["yes", "unknown", "silence"],
        "lineage": {"config": {"data": {"args": {"gnuspeech": 0.2}}}}}))
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "heldout_keywords.py"), "--model", str(recipe),
                        "--voices", "gnuspeech"], capture_output=True, text=True, timeout=300,
                       env=os.environ | {"TOOLCHAIN_BUILD_DIR": str(tmp_path / "build"), "PYTHONPATH": str(REPO)})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip() == ("Error: --voices gnuspeech: the model trained on gnuspeech's renders (gnuspeech = 0.2), "
                                "so a gnuspeech recording is not held out for it (train a copy with gnuspeech = 0)")
