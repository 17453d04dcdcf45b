"""Real words for "unknown" (toolchain/recipes/data/dictionary.py through the speech loader): what the list keeps and
leaves out, the same words and bytes every time, and one clear line when the word list is missing."""

import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain.recipes.data import dictionary, heldout, speech
from toolchain.recipes.data.dataset import DataError

pytestmark = pytest.mark.skipif(not speech.shutil.which("espeak-ng"), reason="espeak-ng is not installed (setup.sh installs it)")
needs_list = pytest.mark.skipif(not dictionary.DICTIONARY.is_file(), reason="wamerican is not installed (setup.sh installs it)")


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A tmp build tree and no word list remembered from another test."""
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    for f in (dictionary.spellings, dictionary.words, speech.dictionary_words):
        f.cache_clear()
    yield tmp_path
    for f in (dictionary.spellings, dictionary.words, speech.dictionary_words):
        f.cache_clear()


def test_homophones_of_keywords_and_held_out_words_are_left_out_near_ones_kept(fresh, monkeypatch):
    words = fresh / "words"
    words.write_text("\n".join(["knight", "know", "write", "rite", "loft", "lefts", "cup", "yes", "kept", "nights",
                                "Paris", "dog's", "mfg", "a", "extraordinarily", "table", "tabled", "marvin"]) + "\n")
    monkeypatch.setattr(dictionary, "DICTIONARY", words)
    # knight/night, know/no, write and rite/right: homophones; cup, table: held-out words; yes: a keyword; Paris,
    # dog's, mfg, a, extraordinarily: not lowercase words of 2-12 letters with a vowel; marvin: the recipe's keyword
    kept = speech.Words.of(["marvin"], None, "few", [], "dictionary").unknown_words
    assert sorted(w for w in kept if w not in speech.UNKNOWN_WORDS + speech.MORE_UNKNOWN) == \
        ["kept", "lefts", "loft", "nights", "tabled"]
    assert "marvin" not in kept and "cup" in heldout.OTHER_WORDS
    assert (fresh / "cache" / "words").is_dir()  # cached: a second list reads it back
    dictionary.words.cache_clear()
    assert speech.dictionary_words(("marvin",), (), None) == \
        dictionary.words(None, *_exclusions(("marvin",)), speech.espeak_version())


def _exclusions(keywords):
    spelled = frozenset({w for k in keywords + speech.KEYWORDS for w in k.split()} | set(heldout.OTHER_WORDS))
    return spelled, frozenset(speech.keyword_sounds(keywords, ()) | speech.heldout_sounds())


@needs_list
def test_counts_take_the_same_words_in_the_same_order_and_none_sounds_like_a_held_out_word(fresh):
    small = speech.dictionary_words(speech.KEYWORDS, (), 300)
    large = speech.dictionary_words(speech.KEYWORDS, (), 600)
    assert len(small) == 300 and large[:300] == small and len(set(large)) == 600
    taken = speech.keyword_sounds(speech.KEYWORDS, ()) | speech.heldout_sounds()
    said = dict(zip(large, speech.phonemes.sounds(large)))
    assert not {w for w, s in said.items() if s in taken}
    assert not set(large) & set(heldout.OTHER_WORDS + speech.KEYWORDS)
    assert all(w.isalpha() and w.islower() and 2 <= len(w) <= 12 for w in large)


@needs_list
def test_same_seed_same_bytes_with_dictionary_words(fresh):
    words = speech.Words.of(None, None, "few", [], 300)
    a, ya = speech.generate(3, 2, 3, words)
    b, _ = speech.generate(3, 2, 3, speech.Words.of(None, None, "few", [], 300))
    few, _ = speech.generate(3, 2, 3)
    assert a.tobytes() == b.tobytes() and a.tobytes() != few.tobytes()
    unknown = ya == words.labels.index("unknown")
    keyword = ya < len(words.keywords)
    assert a[keyword].tobytes() == few[keyword].tobytes() and a[unknown].tobytes() != few[unknown].tobytes()
    assert speech.cache_path(3, 2, 3, words) != speech.cache_path(3, 2, 3, speech.Words.of(None, None, "few", [], 301))


def test_a_missing_word_list_is_one_clear_line(fresh, monkeypatch):
    monkeypatch.setattr(dictionary, "DICTIONARY", fresh / "no-such-list")
    with pytest.raises(DataError) as e:
        speech.Words.of(None, None, "few", [], "dictionary")
    assert "is not installed" in str(e.value) and "apt-get install wamerican" in str(e.value)
    assert "\n" not in str(e.value)


@needs_list
@pytest.mark.parametrize("count, needle", [(5, "out of range"), (10**6, "out of range"), (True, "not a word set"),
                                           ("all", "not a word set")])
def test_bad_counts_are_one_clear_line(count, needle):
    with pytest.raises(DataError, match=needle):
        speech.Words.of(None, None, "few", [], count)


@needs_list
def test_a_bad_count_in_a_recipe_stops_the_cli_with_one_line(tmp_path):
    recipe = tmp_path / "mine"
    recipe.mkdir()
    (recipe / "recipe.toml").write_text('name = "mine"\n[data]\nloader = "speech"\n[data.args]\nclips_per_class = 2\n'
                                        'unknown_words = 5\n[train]\nepochs = 1\n')
    (recipe / "model.py").write_text("def build(keras, input_shape, num_outputs):\n    raise AssertionError\n")
    assert_clean_error(run_cli("train", "--model", str(recipe), build=tmp_path / "build"),
                       "unknown_words = 5 dictionary words is out of range", "use 100 to")
