"""Every recipe in models/ loads through the schema, and its data loads."""

import shutil

import pytest

from toolchain import recipes
from toolchain.paths import RECIPES
from toolchain.recipes.data import load


# the keywords and wakeword recipes synthesise and featurise speech data set: seconds, not milliseconds
HEAVY_DATA = ("keywords", "keywords_pt", "keywords_voices", "wakeword", "wakeword_phrase")


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY_DATA else n
                                  for n in recipes.available()])
def test_recipe_loads(name):
    r = recipes.load(name)
    # a recipe has a model.py, or names a model file made elsewhere (models/*_pt: ONNX from PyTorch)
    assert r.name == name and (callable(r.build_model) or r.model_file.is_file())
    data = load(r.data["loader"], seed=0, test_fraction=r.data["test_fraction"], base_dir=r.path, **r.data["args"])
    assert len(data.x_test) > 0 and data.x_train.shape[1:] == data.x_test.shape[1:]
    again = load(r.data["loader"], seed=0, test_fraction=r.data["test_fraction"], base_dir=r.path, **r.data["args"])
    assert (again.x_test == data.x_test).all()


def test_recipes_shipped():
    assert {"digits", "sine", "gesture"} <= set(recipes.available())


def test_plan_is_recipe_default_or_exactly_the_flags():
    from toolchain.optimize import Plan

    r = recipes.load("digits")
    assert Plan.of(r).to_dict()["qat"] is True and Plan.of(r).prune == 0.5
    p = Plan.of(r, prune=0.5, distill=True, quantize=["int8"], qat=None)
    assert (p.prune, p.distill, p.qat, p.quantize) == (0.5, True, False, ["int8"])
    assert p.fine_tune_epochs == r.optimize["fine_tune_epochs"]


def test_width_scales_the_digits_model_and_needs_a_build_that_takes_it(tmp_path):
    from toolchain.sweep.point import recipe_ref
    from toolchain.train import build

    data = load("digits", seed=0, test_fraction=0.2)
    full, half = (build(recipes.load(recipe_ref("digits", w, tmp_path / str(w))), data) for w in (1.0, 0.5))
    assert [l.filters for l in half.layers[:3:2]] == [8, 16] and [l.filters for l in full.layers[:3:2]] == [16, 32]
    assert recipes.load(recipe_ref("digits", 0.5, tmp_path)).fingerprint != recipes.load("digits").fingerprint


@pytest.mark.parametrize("setting, keyword", [("width = 0.5", "width"), ("normalize = true", "normalize")])
def test_a_train_setting_the_models_build_does_not_take_is_refused(tmp_path, setting, keyword):
    old = tmp_path / "old"
    old.mkdir()
    (old / "recipe.toml").write_text(f'name = "old"\n[data]\nloader = "digits"\n[train]\n{setting}\n')
    (old / "model.py").write_text("def build(keras, input_shape, num_outputs, variant='default'):\n    pass\n")
    with pytest.raises(recipes.RecipeError, match=f"takes no `{keyword}` keyword"):
        recipes.load(str(old))


def test_a_recipe_can_share_another_recipes_model_code(tmp_path):
    # models/wakeword names the keywords DS-CNN; a copy of it elsewhere still finds the built-in file
    shutil.copytree(RECIPES / "wakeword", tmp_path / "my_wakeword")
    r = recipes.load(str(tmp_path / "my_wakeword"))
    assert r.code_file == RECIPES / "keywords" / "model.py" and callable(r.build_model)
    shared = r.fingerprint
    (tmp_path / "my_wakeword" / "keywords").mkdir()
    (tmp_path / "my_wakeword" / "keywords" / "model.py").write_text("def build(keras, input_shape, num_outputs, "
                                                                     "variant='default', width=1.0):\n    pass\n")
    mine = recipes.load(str(tmp_path / "my_wakeword"))
    assert mine.code_file == tmp_path / "my_wakeword" / "keywords" / "model.py" and mine.fingerprint != shared


def test_model_code_that_is_nowhere_is_one_line(tmp_path):
    shutil.copytree(RECIPES / "digits", tmp_path / "d")
    (tmp_path / "d" / "model.py").unlink()
    with pytest.raises(recipes.RecipeError, match="no model code: 'model.py'"):
        recipes.load(str(tmp_path / "d"))


def test_normalize_removes_each_bands_mean_over_the_clip_as_mean_and_sub(tmp_path):
    from types import SimpleNamespace

    import numpy as np

    from toolchain.aot.compile import compile_tflite
    from toolchain.modelinfo import ops_of
    from toolchain.optimize.quantize import to_tflite
    from toolchain.train import build

    shutil.copytree(RECIPES / "keywords", tmp_path / "kw")
    toml = tmp_path / "kw" / "recipe.toml"
    toml.write_text(toml.read_text().replace("[train]\n", "[train]\nnormalize = true\n"))
    model = build(recipes.load(str(tmp_path / "kw")), SimpleNamespace(input_shape=(49, 40), num_outputs=12))
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (8, 49, 40)).astype(np.float32)
    coloured = x + rng.normal(0, 2, (8, 1, 40)).astype(np.float32)  # a fixed level per band: a voice's colour
    assert np.allclose(model(x).numpy(), model(coloured).numpy(), atol=1e-5)
    sub = next(layer for layer in model.layers if type(layer).__name__ == "Subtract")
    first = type(model)(model.input, sub.output)
    assert np.allclose(first(coloured).numpy(), x - x.mean(axis=1, keepdims=True), atol=1e-5)
    int8 = tmp_path / "int8.tflite"
    int8.write_bytes(to_tflite(model, "int8", x))
    assert ops_of(int8.read_bytes())[:3] == ["MEAN", "SUB", "RESHAPE"]
    assert compile_tflite(int8, tmp_path / "aot").ops[:2] == ["MEAN", "SUB"]  # the AOT runtime takes it too


def test_stream_table_sets_the_detector_and_leaves_the_fingerprint(tmp_path):
    from toolchain.bench.stream import Detector, recipe_detector

    shutil.copytree(RECIPES / "wakeword", tmp_path / "w")
    toml = tmp_path / "w" / "recipe.toml"
    text = toml.read_text()
    before = recipes.load(str(tmp_path / "w")).fingerprint
    assert recipe_detector(str(tmp_path / "w")) == Detector()
    # the detector is chosen after training: adding or changing [stream], anywhere in the file, retrains nothing
    toml.write_text(text.replace("[train]", "[stream]  # chosen on validation\naverage = 8\nthreshold = 0.6\n\n[train]"))
    assert recipes.load(str(tmp_path / "w")).fingerprint == before
    assert recipe_detector(str(tmp_path / "w")) == Detector(average=8, threshold=0.6)
    assert recipe_detector(str(tmp_path / "w"), threshold=0.7) == Detector(average=8, threshold=0.7)
    toml.write_text(text + "\n[stream]\nevery_hops = 4\nsuppress_s = 1.5\n")
    assert recipes.load(str(tmp_path / "w")).fingerprint == before
    assert recipe_detector(str(tmp_path / "w"), average=2) == Detector(every_hops=4, average=2, suppress_s=1.5)
    toml.write_text(text.replace("epochs = 30", "epochs = 31") + "\n[stream]\naverage = 8\n")
    assert recipes.load(str(tmp_path / "w")).fingerprint != before


@pytest.mark.parametrize("table, needle", [
    ("average = 17", "average in [stream] must be 1 to 16, got 17"),
    ("every_hops = 0", "every_hops in [stream] must be >= 1, got 0"),
    ("threshold = 1.5", "threshold in [stream] must be a posterior in (0, 1], got 1.5"),
    ("suppress_s = -1", "suppress_s in [stream] must be >= 0 seconds, got -1.0"),
    ("averages = 8", "unknown key 'averages' in [stream]"),
    ("average = 8.5", "'average' in [stream] must be int, got 8.5"),
])
def test_bad_stream_table_is_one_line(tmp_path, table, needle):
    shutil.copytree(RECIPES / "wakeword", tmp_path / "w")
    toml = tmp_path / "w" / "recipe.toml"
    toml.write_text(toml.read_text() + f"\n[stream]\n{table}\n")
    with pytest.raises(recipes.RecipeError) as e:
        recipes.load(str(tmp_path / "w"))
    assert needle in str(e.value) and "\n" not in str(e.value)
