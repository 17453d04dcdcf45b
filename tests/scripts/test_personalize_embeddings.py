"""scripts/personalize_embeddings.py measures forgetting on new clips of the recipe's own distribution: they
must come from the generator with every [data.args] the recipe trains with (the keywords_voices recipe's
GnuSpeech and near misses too), only the seed and the count differing, or the proxy measures another
distribution than the one the head must not forget."""

import sys
from pathlib import Path

import numpy as np
import pytest

from toolchain.recipes import recipe
from toolchain.recipes.data import speech

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import personalize_embeddings  # noqa: E402


@pytest.fixture
def generator(monkeypatch):
    """speech.clips recording what it was asked for; the synthesizers' installation checks skipped (nothing is
    synthesised)."""
    asked = []

    def clips(seed, clips_per_class, unknown_factor=1, words=None):
        asked.append((seed, clips_per_class, unknown_factor, words))
        return np.zeros((2, speech.CLIP), np.int16), np.array([0, 1])

    monkeypatch.setattr(speech, "clips", clips)
    monkeypatch.setattr(speech, "espeak_version", lambda: "espeak-ng (test)")
    for module in (speech.gnuspeech_voice, speech.piper_voice, speech.dictionary):
        monkeypatch.setattr(module, "check", lambda: None)
    return asked


@pytest.mark.parametrize("model", ["keywords_voices", "keywords"])
def test_new_clips_take_every_data_arg_of_the_recipe(generator, model):
    args = recipe.load(model).data["args"]
    personalize_embeddings.fresh_clips(args)
    speech.raw(7, **args)  # what the recipe's loader asks the generator for when it trains
    (seed, count, factor, words), (_, trained_count, trained_factor, trained_words) = generator
    assert (seed, count) == (personalize_embeddings.FRESH_SEED, personalize_embeddings.FRESH_PER_CLASS)
    assert factor == trained_factor and words == trained_words
    if model == "keywords_voices":  # the settings the script dropped before
        assert (words.gnuspeech, words.near, words.voices) == (0.2, 0.3, "many") and count < trained_count


def test_recordings_mixed_into_a_recipe_are_not_new_clips(generator):
    personalize_embeddings.fresh_clips({"recordings": "mine", "recording_copies": 3})
    assert len(generator) == 1  # and no folder "mine" was read: there is none, reading it would have failed
