"""The espeak-ng keyword generator: deterministic bytes, the cache, the classes, the recipe's own words,
voices and augmentation, recordings mixed in, and one clear line for each bad option."""

import wave

import numpy as np
import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import run_cli
from toolchain.recipes.data import augment, heldout, piper_voice, speech, speech_stream
from toolchain.recipes.data.dataset import DataError, split

pytestmark = pytest.mark.skipif(not speech.shutil.which("espeak-ng"), reason="espeak-ng is not installed (setup.sh installs it)")

RICH = speech.Words.of(["marvin", "hey tiny"], {"marvin": "m'A@vIn"}, "many", list(speech.AUGMENTS))


def test_same_seed_same_bytes_other_seed_other_bytes():
    a, ya = speech.generate(3, 2)
    b, yb = speech.generate(3, 2)
    c, _ = speech.generate(4, 2)
    assert a.dtype == np.int16 and a.shape == (2 * len(speech.Words().labels), 16000)
    assert a.tobytes() == b.tobytes() and (ya == yb).all()
    assert a.tobytes() != c.tobytes()


def test_own_words_many_voices_and_augmentation_are_seeded_too():
    a, ya = speech.generate(5, 2, 2, RICH)
    b, _ = speech.generate(5, 2, 2, RICH)
    plain, _ = speech.generate(5, 2, 2, speech.Words.of(["marvin", "hey tiny"], {"marvin": "m'A@vIn"}, "many", []))
    assert a.tobytes() == b.tobytes() and a.tobytes() != plain.tobytes()
    assert list(np.bincount(ya)) == [2, 2, 4, 2] and RICH.labels == ["marvin", "hey tiny", "unknown", "silence"]
    assert "marvin" not in RICH.unknown_words and "hey" not in RICH.unknown_words  # a keyword is never "unknown"
    assert RICH.spoken["marvin"] == "[[m'A@vIn]]" and not set(RICH.voice_list) & set(speech.VALIDATION_VOICES)


def test_many_unknown_words_never_sound_like_a_keyword():
    words = speech.Words.of(["marvin"], None, "few", [], "many")
    assert len(words.unknown_words) > 300 and "marvin" not in words.unknown_words
    sounds = {speech.bare(speech.phonemes_of(k)) for k in ("marvin",) + speech.KEYWORDS}
    made_up = words.unknown_words[-20:]
    assert not {speech.bare(speech.phonemes_of(w)) for w in made_up} & sounds
    assert made_up == speech.Words.of(["marvin"], None, "few", [], "many").unknown_words[-20:]  # no seed in them


def test_near_misses_are_one_sound_from_a_keyword_and_only_change_unknown_clips():
    near = speech.near_misses(("stop", "hey tiny"), ())
    assert len(near) == 2 * speech.NEAR_MISSES and near == speech.near_misses(("stop", "hey tiny"), ())
    assert all(w.startswith("hey ") or w.endswith(" tiny") for w in near[speech.NEAR_MISSES:])
    assert all(" " not in w and w != "stop" for w in near[:speech.NEAR_MISSES]) and "shop" in speech.edits("stop")
    sounds = {speech.bare(speech.phonemes_of(k)) for k in ("stop", "hey tiny") + speech.KEYWORDS + heldout.OTHER_WORDS}
    assert not {speech.bare(speech.phonemes_of(w)) for w in near} & sounds
    assert "kup" not in speech.near_misses(("up",), ())  # it sounds like the held-out "cup"
    assert not set(near[:speech.NEAR_MISSES]) & set(heldout.OTHER_WORDS)  # "top" is one sound from "stop"
    plain = speech.Words.of(["stop"], None, "few", [])
    with_near = speech.Words.of(["stop"], None, "few", [], near=1.0)
    a, y = speech.generate(2, 2, 3, plain)
    b, _ = speech.generate(2, 2, 3, with_near)
    unknown = y == plain.labels.index("unknown")
    assert a[~unknown].tobytes() == b[~unknown].tobytes() and a[unknown].tobytes() != b[unknown].tobytes()
    assert b.tobytes() == speech.generate(2, 2, 3, with_near)[0].tobytes()


@pytest.mark.skipif(not piper_voice.available(), reason="piper-tts is not installed (pyproject.toml pins it)")
def test_piper_renders_are_the_same_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    a, b = piper_voice.render("yes", 3), piper_voice.render("yes", 3)
    assert a.tobytes() == b.tobytes() and len(piper_voice.render("yes", 4)) != len(a)  # another speed
    monkeypatch.setattr(piper_voice, "RENDERS", 2)
    made = piper_voice.bank("yes")
    monkeypatch.setattr(piper_voice, "render", lambda *a: pytest.fail("the cache was not used"))
    assert [x.tobytes() for x in piper_voice.bank("yes")] == [x.tobytes() for x in made]


def test_words_are_loud_and_silence_is_noise_only():
    pcm, y = speech.generate(0, 2)
    blocks = (pcm.astype(float) ** 2).reshape(len(pcm), 10, -1).mean(axis=2)  # energy per 100 ms
    contrast = blocks.max(axis=1) / np.maximum(np.median(blocks, axis=1), 1e-9)
    words, silence = y < len(speech.KEYWORDS), y == speech.Words().labels.index("silence")
    # a word stands out of its background; stationary noise alone does not (brown noise drifts a little)
    assert np.min(contrast[words]) > 5 and np.max(contrast[silence]) < 4


def test_augmentations_do_what_they_say():
    rng = np.random.default_rng(0)
    t = np.arange(8000) / 16000
    tone = np.sin(2 * np.pi * 1000 * t)
    warped = augment.speaker(np.random.default_rng(1), tone)
    peak = np.argmax(np.abs(np.fft.rfft(warped * np.hanning(len(warped))))) * 16000 / len(warped)
    assert 0.7 * 1000 < peak < 1.4 * 1000 and abs(peak - 1000) > 20  # the 1 kHz partial moved, not far
    wet = augment.room(rng, tone)
    assert len(wet) > len(tone) and np.sqrt(np.mean(wet[8000:] ** 2)) > 1e-3  # a tail after the sound ends
    low = augment.microphone(np.random.default_rng(2), np.sin(2 * np.pi * 20 * t))
    assert np.sqrt(np.mean(low[4000:] ** 2)) < 0.2  # the high-pass removes a 20 Hz rumble
    m = augment.noise(rng, "music", 16000)
    assert abs(np.sqrt(np.mean(m ** 2)) - 1) < 1e-6


def test_clips_are_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    pcm, y = speech.clips(1, 2)
    assert speech.cache_path(1, 2).is_file()
    assert speech.cache_path(1, 2, 1, RICH) != speech.cache_path(1, 2)
    monkeypatch.setattr(speech, "generate", lambda *a: pytest.fail("the cache was not used"))
    again, _ = speech.clips(1, 2)
    assert again.tobytes() == pcm.tobytes()


def test_loader_gives_front_end_features(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    x, y, labels = speech.load(0, clips_per_class=2, frontend={"mel_bands": 32})
    assert x.shape == (24, 49, 32) and labels[-2:] == ["unknown", "silence"]
    assert x.min() >= -4 and x.max() < 4 and (x * 32 == np.round(x * 32)).all()


def write_wav(path, pcm):
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(pcm.astype("<i2").tobytes())


def test_recordings_are_mixed_in_with_copies(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    rec = (np.sin(np.arange(12000) / 5) * 8000).astype(np.int16)
    write_wav(tmp_path / "mine" / "marvin" / "1.wav", rec)
    write_wav(tmp_path / "mine" / "unknown" / "1.wav", rec // 2)
    args = dict(keywords=["marvin"], recordings="mine", recording_copies=3, base_dir=tmp_path)
    pcm, y = speech.raw(0, 2, **args)
    synthetic, _ = speech.raw(0, 2, keywords=["marvin"])
    assert len(pcm) == len(synthetic) + 6 and list(y[-6:]) == [0, 0, 0, 1, 1, 1]
    assert (pcm[-6, :12000] == rec).all() and not (pcm[-5] == pcm[-6]).all()  # as recorded, then varied copies
    assert pcm.tobytes() == speech.raw(0, 2, **args)[0].tobytes()
    write_wav(tmp_path / "mine" / "yes" / "1.wav", rec)
    with pytest.raises(DataError, match="'yes' is not one of the recipe's labels"):
        speech.raw(0, 2, **args)


@pytest.mark.parametrize("args, needle", [
    ("keywords = []", "keywords is empty"),
    ('keywords = ["..."]', "has no phonemes"),
    ('keywords = ["marvin"]\nphonemes = {marvin = "%%"}', "make no sound"),
    ('voices = ["en-xx-nowhere"]', "'en-xx-nowhere' is not installed"),
    ('voices = ["en-us+nobody"]', "'en-us+nobody' is not installed"),
    ('augment = ["echo"]', "augment 'echo' is unknown"),
    ('keywords = ["unknown"]', "reserved"),
    ('unknown_words = "lots"', "is not a word set"),
    ("piper = 2", "is no share of the clips"),
    ("near_misses = -0.5", "near_misses = -0.5 is no share of the clips"),
    ("gnuspeech = 1.5", "gnuspeech = 1.5 is no share of the clips"),
    ('gnuspeech = "lots"', "gnuspeech = 'lots' is no share of the clips"),
    ("piper = 0.7\ngnuspeech = 0.5", "use 0 (none) to 0.3 (1 minus piper = 0.7"),
])
def test_bad_words_and_voices_give_one_clear_line(tmp_path, args, needle):
    recipe = tmp_path / "mine"
    recipe.mkdir()
    (recipe / "recipe.toml").write_text(f'name = "mine"\n[data]\nloader = "speech"\n[data.args]\nclips_per_class = 2\n'
                                        f'{args}\n[train]\nepochs = 1\n')
    (recipe / "model.py").write_text("def build(keras, input_shape, num_outputs):\n    raise AssertionError\n")
    assert_clean_error(run_cli("train", "--model", str(recipe), build=tmp_path / "build"), needle)


def test_too_few_clips_to_split_give_one_clear_line(tmp_path):
    recipe = tmp_path / "mine"
    recipe.mkdir()
    (recipe / "recipe.toml").write_text('name = "mine"\n[data]\nloader = "speech"\n[data.args]\nclips_per_class = 2\n'
                                        '[train]\nepochs = 1\n')
    (recipe / "model.py").write_text("def build(keras, input_shape, num_outputs):\n    raise AssertionError\n")
    assert_clean_error(run_cli("train", "--model", str(recipe), build=tmp_path / "build"),
                       "of 24 samples leaves 5 held-out samples for 12 classes", "clips_per_class")
    split(np.zeros(60), np.arange(60) % 12, 0.2, 0, stratify=True)  # 12 held out: one of each class fits


@pytest.mark.skipif(not speech.shutil.which("flite"), reason="flite is not installed (setup.sh installs it)")
def test_stream_recording_of_own_words_in_voices_never_trained_on(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    pcm, events = speech_stream.recording(0, 0.5, ("hey tiny",), "heldout")
    assert {e["label"] for e in events} == {"hey tiny"} and len(pcm) == 30 * 16000
    again, _ = speech_stream.recording(0, 0.5, ("hey tiny",), "heldout")
    assert again.tobytes() == pcm.tobytes()
    said = heldout.centred(heldout.speak("yes", "slt", 1.25))
    assert said.dtype == np.int16 and abs(np.max(np.abs(said)) / 32768 - 10 ** (-10 / 20)) < 1e-3


def test_stream_recording_in_the_validation_voices(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    said = []
    monkeypatch.setattr(speech, "speak", lambda text, voice, *a: said.append((text, voice)) or np.ones(4000) * 0.1)
    pcm, events = speech_stream.generate(0, 0.5, ("yes",), "validation")
    assert {v for _, v in said} <= set(speech.VALIDATION_VOICES) and len({v for _, v in said}) > 1
    assert {t for t, _ in said} - {"yes"} <= set(heldout.OTHER_WORDS + speech.KEYWORDS) and events
    with pytest.raises(DataError, match="not a voice set"):
        speech_stream.generate(0, 0.5, ("yes",), "nobody")


def fake_renders(text: str) -> list[np.ndarray]:
    """Eight renders of `text`, each a tone whose level says which text and render it is."""
    code = sum(text.encode()) % 97 + 1
    return [np.full(4000, (code * 8 + i) / 1000.0) for i in range(8)]


@pytest.mark.parametrize("synthesizer", speech_stream.SYNTHESIZERS)
def test_stream_recording_in_a_training_synthesizers_renders(tmp_path, monkeypatch, synthesizer):
    monkeypatch.setenv("TOOLCHAIN_BUILD_DIR", str(tmp_path))
    asked = []
    monkeypatch.setattr(speech_stream.piper_voice, "check", lambda: None)
    monkeypatch.setattr(speech_stream.piper_voice, "bank", lambda t: asked.append(t) or fake_renders(t))
    monkeypatch.setattr(speech_stream.gnuspeech_voice, "check", lambda: None)
    monkeypatch.setattr(speech_stream.gnuspeech_voice, "dictionary", lambda: frozenset(
        ["hey", "tiny", *heldout.OTHER_WORDS, *speech.KEYWORDS]))
    monkeypatch.setattr(speech_stream.gnuspeech_voice, "banks",
                        lambda ts: asked.extend(ts) or {t: fake_renders(t) for t in ts})
    pcm, events = speech_stream.recording(0, 0.5, ("hey tiny",), synthesizer, {"hey tiny": "[[heI t'aIni]]"})
    assert {e["label"] for e in events} == {"hey tiny"} and len(pcm) == 30 * 16000
    # the keyword's text, never espeak-ng's phonemes; the other words are the held-out ones, none of the keyword's
    assert "hey tiny" in asked and set(asked) - {"hey tiny"} <= set(heldout.OTHER_WORDS + speech.KEYWORDS)
    again, again_events = speech_stream.recording(0, 0.5, ("hey tiny",), synthesizer, {"hey tiny": "[[heI t'aIni]]"})
    assert again.tobytes() == pcm.tobytes() and again_events == events
    other, _ = speech_stream.generate(1, 0.5, ("hey tiny",), synthesizer)
    assert other.tobytes() != pcm.tobytes()
    # each keyword event holds one of the keyword's renders (a tone of a known level, scaled by the word's gain)
    e = events[0]
    said = pcm[int(e["start_s"] * 16000) + 100:int(e["end_s"] * 16000) - 100].astype(np.float64)
    assert np.ptp(said) < 0.05 * np.max(np.abs(said)) + 300  # one render's tone, plus the background noise


def test_a_synthesizer_recording_is_refused_for_a_model_that_trained_on_it(monkeypatch):
    assert "piper = 0.3" in speech_stream.trained_on("piper", {"piper": 0.3, "gnuspeech": 0})
    assert speech_stream.trained_on("gnuspeech", {"piper": 0.3, "gnuspeech": 0}) is None
    assert speech_stream.trained_on("gnuspeech", {"piper": 0.3}) is None
    assert speech_stream.trained_on("validation", {"piper": 0.3, "gnuspeech": 0.2}) is None
    monkeypatch.setattr(speech_stream.gnuspeech_voice, "check", lambda: None)
    monkeypatch.setattr(speech_stream.gnuspeech_voice, "dictionary", lambda: frozenset(heldout.OTHER_WORDS + speech.KEYWORDS))
    with pytest.raises(DataError, match="GnuSpeech's dictionary lacks 'marvin': it cannot voice the recording"):
        speech_stream.generate(0, 0.5, ("marvin",), "gnuspeech")


def test_bench_stream_refuses_a_synthesizer_the_recipe_trains_on_before_building(tmp_path):
    r = run_cli("bench", "--stream", "--board", "qemu-m4", "--model", "wakeword", "--voices", "piper", build=tmp_path)
    assert_clean_error(r, "--voices piper: the model trained on piper's renders (piper = 0.3)", "piper = 0")
    assert r.returncode == 2 and not list(tmp_path.rglob("*.keras")), "nothing may be trained for a refused command"
