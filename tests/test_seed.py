"""`--seed` makes training and optimization repeatable."""

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_same_seed_same_models(tmp_path, monkeypatch):
    from toolchain.evaluate import litert_outputs
    from toolchain.optimize import Plan
    from toolchain.pipeline import optimize_step
    from toolchain.recipes import load
    from toolchain.train.tf import keras

    recipe = load("sine")
    plan = Plan(prune=0.5, quantize=["int8"])
    files = []
    for run in ("a", "b"):
        monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path / run))
        d, _, _, made = optimize_step(recipe, seed=3, plan=plan)
        files.append((d / "float.keras", made["pruned"], made["int8"]))
    for wa, wb in zip(*(keras.models.load_model(f[0], compile=False).get_weights() for f in files)):
        assert np.array_equal(wa, wb)
    for wa, wb in zip(*(keras.models.load_model(f[1], compile=False).get_weights() for f in files)):
        assert np.array_equal(wa, wb)
    # the flatbuffers differ in generated function names; what they compute must not
    x = np.linspace(0, 6, 50, dtype=np.float32)[:, None]
    a, b = (litert_outputs(f[2].read_bytes(), x)[0] for f in files)
    assert np.array_equal(a, b)
