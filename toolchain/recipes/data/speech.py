"""Spoken keywords made offline with espeak-ng: 1 s clips of 16 kHz int16 for
each keyword (yes, no, up, down, left, right, on, off, stop, go unless the
recipe names its own words or phrases), "unknown" (other words) and "silence"
(background only). Each clip draws its voice and variant, speed, pitch,
level, time shift and background from a generator seeded by (seed, class,
index), and, as the recipe asks, a perturbed speaker, a room, music and a
microphone (toolchain.recipes.data.augment); shares of the clips can be
said by Piper's neural voice (toolchain.recipes.data.piper_voice) or by
GnuSpeech's tube-model voices (toolchain.recipes.data.gnuspeech_voice) instead.
The same seed gives the same bytes. A folder of recordings can be mixed in. Clips are cached under
<build>/cache/speech/; features come from the fixed-point front-end
(toolchain.audio), the same C the device runs."""

import functools
import hashlib
import io
import json
import re
import shutil
import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.audio import FrontendConfig, features, to_float
from toolchain.console import console
from toolchain.recipes.data import augment, dictionary, gnuspeech_voice, npz_cache, phonemes, piper_voice, wav_folder
from toolchain.recipes.data.augment import NOISES, noise
from toolchain.recipes.data.dataset import DataError
from toolchain.recipes.data.phonemes import bare, phonemes_of

KEYWORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
NOT_KEYWORDS = ("unknown", "silence")
UNKNOWN_WORDS = ("bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow", "zero", "one",
                 "two", "three", "four", "five", "six", "seven", "eight", "nine", "learn", "follow", "forward",
                 "backward", "visual", "yellow", "under", "bottle", "music")
# unknown_words = "many": these everyday words and PSEUDO_WORDS made-up ones, none in the held-out lists
MORE_UNKNOWN = ("sister", "baby", "kitchen", "number", "people", "little", "very", "where", "today", "maybe",
                "chair", "pocket", "hundred", "minute", "orange", "button", "station", "family", "doctor", "weather")
# the recipe's voices before `voices = "many"`: kept so those recipes and recordings keep their bytes
FEW_VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc")
FEW_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3")
# Validation voices: variants no clip of a "many" recipe uses, for choosing and tuning (scripts/heldout_keywords.py)
VALIDATION_VARIANTS = ("Andy", "belinda", "grandpa", "m6", "f4", "steph2", "travis", "klatt4")
VALIDATION_VOICES = ("en-us+Andy", "en-gb+belinda", "en-gb-scotland+grandpa", "en-us-nyc+m6", "en-029+f4",
                     "en-gb-x-rp+steph2", "en-us+travis", "en-gb-x-gbclan+klatt4")
VALIDATION_SPEEDS = (130, 175, 220)
PSEUDO_WORDS = 300
ONSETS = ("", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "y", "z", "bl",
          "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr", "sh", "sl", "sn", "sp", "st", "th", "tr")
NUCLEI = ("a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "ow", "oy", "ar", "er", "or")
CODAS = ("", "", "b", "ck", "d", "ft", "g", "l", "m", "n", "nd", "ng", "nk", "p", "rt", "s", "sh", "st", "t", "th", "x")
NEAR_MISSES = 40  # made-up near misses per keyword at most (near_misses > 0)
AUGMENTS = ("speaker", "room", "noise", "microphone")  # "noise": music too, and SNR 5-30 dB
# variants that whisper, croak or sound like robots: no speaker sounds like them, and with every augmentation
# on top, a small network trained on them fell to 55 % of its own training clips (docs/keywords.md)
ODD_VARIANTS = ("whisper", "whisperf", "croak", "Demonic", "UniRobot", "anikaRobot", "announcer", "fast", "Tweaky")
SNR_DB = (10, 15, 20, 30)
PARTIAL_SHARE = 0.3  # of the "unknown" clips
RATE = 16000
CLIP = RATE  # samples in one 1 s clip
ESPEAK_RATE = 22050
MIN_DICTIONARY_WORDS = 100
MAX_KEYWORDS = 29  # the device's detector takes 31 classes, with "unknown" and "silence"


def espeak_version() -> str:
    if not shutil.which("espeak-ng"):
        raise DataError("espeak-ng is not installed: the speech loader synthesises its words with it",
                        "install it (Debian: apt-get install espeak-ng), or use the wav_folder loader with recordings")
    return subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.strip()


@functools.cache
def installed_variants() -> tuple[str, ...]:
    """The variant files espeak-ng has (`--voices=variant`, without the "!v/")."""
    out = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True).stdout
    return tuple(line.split()[4].removeprefix("!v/") for line in out.splitlines()[1:] if len(line.split()) > 4)


def speak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    """espeak-ng's 22.05 kHz speech of `text` as float in [-1, 1], silence trimmed."""
    r = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                       capture_output=True, check=True)
    if len(r.stdout) <= 44:
        raise DataError(f"espeak-ng said nothing for '{text}' with voice '{voice}'",
                        "check the voice (espeak-ng --voices=en) and the word's phonemes")
    # espeak-ng streams its WAV: the header's sizes are placeholders, the samples follow the 44-byte header
    with wave.open(io.BytesIO(r.stdout[:44])) as w:
        if w.getframerate() != ESPEAK_RATE or w.getsampwidth() != 2:
            raise DataError(f"espeak-ng wrote {w.getframerate()} Hz / {8 * w.getsampwidth()}-bit audio, "
                            f"expected {ESPEAK_RATE} Hz / 16-bit")
    x = np.frombuffer(r.stdout[44:len(r.stdout) // 2 * 2], dtype="<i2").astype(np.float64) / 32768
    loud = np.flatnonzero(np.abs(x) > 0.003 * np.max(np.abs(x), initial=1e-9))  # keep soft final consonants
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def resample(x: np.ndarray) -> np.ndarray:
    from scipy.signal import resample_poly

    return resample_poly(x, 320, 441)  # 22050 Hz -> 16000 Hz


def spoken_forms(keywords: list[str], phonemes: dict[str, str]) -> dict[str, str]:
    """What espeak-ng is given for each keyword: its text, or [[phonemes]] when the recipe gives them."""
    return {k: f"[[{phonemes[k]}]]" if k in phonemes else k for k in keywords}


@dataclass(frozen=True)
class Words:
    """What the clips say and how: the recipe's [data.args] beyond the counts, checked."""
    keywords: tuple[str, ...] = KEYWORDS
    phonemes: dict = field(default_factory=dict)
    voices: str | tuple[str, ...] = "few"
    augment: tuple[str, ...] = ()
    unknown: str | int = "few"  # "many": more words and made-up ones; "dictionary" or a count: real words
    piper: float = 0.0  # share of the spoken clips said by Piper's voice (not the ones given as phonemes)
    near: float = 0.0  # share of the whole-word "unknown" clips that say a made-up near miss of a keyword
    gnuspeech: float = 0.0  # share of the spoken clips said by GnuSpeech (words in its dictionary)

    @property
    def labels(self) -> list[str]:
        return list(self.keywords) + list(NOT_KEYWORDS)

    @property
    def real(self) -> bool:
        """Whether "unknown" says real words from the dictionary (unknown_words = "dictionary" or a count)."""
        return self.unknown not in ("few", "many")

    @functools.cached_property
    def unknown_words(self) -> tuple[str, ...]:
        said = {w for k in self.keywords for w in k.split()}
        pool = UNKNOWN_WORDS + (MORE_UNKNOWN + pseudo_words(self.keywords, tuple(sorted(self.phonemes.items()))) if self.unknown == "many"
                                else MORE_UNKNOWN if self.real else ())
        pool = tuple(w for w in pool if w not in said)
        if self.real:
            pool += tuple(w for w in dictionary_words(self.keywords, tuple(sorted(self.phonemes.items())),
                                                      None if self.unknown == "dictionary" else self.unknown)
                          if w not in pool)
        return pool

    @functools.cached_property
    def piper_unknown(self) -> tuple[str, ...]:
        """The "unknown" words Piper has renders of (real words of the fixed lists, not the dictionary's)."""
        real = set(UNKNOWN_WORDS + MORE_UNKNOWN)
        return tuple(w for w in self.unknown_words if w in real)

    @functools.cached_property
    def near_misses(self) -> tuple[str, ...]:
        """Made-up near misses, and with real words the dictionary's words one sound from a keyword too."""
        given = tuple(sorted(self.phonemes.items()))
        return near_misses(self.keywords, given) + (real_near_misses(self.keywords, given) if self.real else ())

    @functools.cached_property
    def spoken(self) -> dict[str, str]:
        return spoken_forms(list(self.keywords), self.phonemes)

    @functools.cached_property
    def voice_list(self) -> tuple[str, ...]:
        """Every voice+variant a clip may take."""
        if self.voices == "few":
            return tuple(v + (f"+{x}" if x else "") for v in FEW_VOICES for x in FEW_VARIANTS)
        if self.voices == "many":
            variants = [""] + [v for v in installed_variants() if v not in VALIDATION_VARIANTS + ODD_VARIANTS
                               and not v.startswith("robosoft")]
            return tuple(v + (f"+{x}" if x else "") for v in FEW_VOICES for x in variants)
        return tuple(self.voices)

    def key(self) -> str:
        said = self.unknown_words + (self.near_misses if self.near else ())
        listed = hashlib.sha256("\n".join(said).encode()).hexdigest() if self.real else ""
        options = {k: v for k, v in asdict(self).items() if k != "gnuspeech" or v}  # recipes without it keep their key
        return (json.dumps(options, sort_keys=True) + (piper_voice.VERSION if self.piper else "") + listed
                + (f"gnuspeech {gnuspeech_voice.VERSION}" if self.gnuspeech else ""))

    def texts(self) -> list[str]:
        """Every text Piper (and GnuSpeech, of those in its dictionary) says: the keywords and real words of the
        fixed lists (not phonemes, nor made-up or dictionary words, which would cost minutes of rendering for
        little)."""
        return [t for t in self.spoken.values() if not t.startswith("[[")] + list(self.piper_unknown)

    @classmethod
    def of(cls, keywords, phonemes, voices, augment, unknown="few", piper=0.0, near=0.0, gnuspeech=0.0) -> "Words":
        """The checked options: one clear line for each mistake."""
        keywords = tuple(KEYWORDS if keywords is None else keywords)
        if not keywords:
            raise DataError("[data.args] keywords is empty", 'name at least one word, e.g. keywords = ["marvin"]')
        if len(keywords) > MAX_KEYWORDS:
            raise DataError(f"{len(keywords)} keywords: the device's detector takes at most {MAX_KEYWORDS}",
                            "split them into several models")
        phonemes = dict(phonemes or {})
        for k in keywords:
            if not isinstance(k, str) or not k.strip():
                raise DataError(f"keyword {k!r} is not a word", 'write each keyword as text, e.g. "marvin" or "hey tiny"')
            if k in NOT_KEYWORDS or len(set(keywords)) != len(keywords):
                raise DataError(f"keyword '{k}' is reserved or given twice",
                                f"keywords must be distinct and not {' or '.join(NOT_KEYWORDS)}")
        if extra := [p for p in phonemes if p not in keywords]:
            raise DataError(f"phonemes given for '{extra[0]}', which is not a keyword",
                            f"the keywords are: {', '.join(keywords)}")
        espeak_version()
        for k in keywords:
            if k in phonemes:
                if not phonemes_of(f"[[{phonemes[k]}]]"):
                    raise DataError(f"the phonemes '{phonemes[k]}' for '{k}' make no sound in espeak-ng",
                                    "write them in espeak-ng's phoneme alphabet, e.g. marvin = \"m'A@vIn\"")
            elif not re.fullmatch(r"[A-Za-z][A-Za-z' -]*", k) or not phonemes_of(k):
                raise DataError(f"keyword '{k}' has no phonemes espeak-ng can read from its spelling",
                                f'spell it in letters, or give its sound: [data.args.phonemes] "{k}" = "<espeak-ng phonemes>"')
        if isinstance(voices, list):
            voices = tuple(voices)
        if isinstance(voices, tuple):
            if not voices:
                raise DataError("[data.args] voices is empty", 'use "few", "many" or a list of espeak-ng voices')
            for v in voices:
                base, _, variant = v.partition("+")
                if base.lower() not in installed_voices() or (variant and variant not in installed_variants()):
                    raise DataError(f"espeak-ng voice '{v}' is not installed",
                                    "see espeak-ng --voices=en and --voices=variant, or use voices = \"many\"")
        elif voices not in ("few", "many"):
            raise DataError(f"voices = {voices!r} is not a voice set", 'use "few", "many" or a list of espeak-ng voices')
        augment = tuple(augment or ())
        if bad := [a for a in augment if a not in AUGMENTS]:
            raise DataError(f"augment '{bad[0]}' is unknown", f"use any of: {', '.join(AUGMENTS)}")
        if isinstance(unknown, bool) or not (unknown in ("few", "many", "dictionary") or isinstance(unknown, int)):
            raise DataError(f"unknown_words = {unknown!r} is not a word set",
                            'use "few", "many", "dictionary" or a count of dictionary words, e.g. 2000')
        if isinstance(unknown, int) or unknown == "dictionary":
            dictionary.check()
            if isinstance(unknown, int) and not MIN_DICTIONARY_WORDS <= unknown <= dictionary.size() // 2:
                raise DataError(f"unknown_words = {unknown} dictionary words is out of range",
                                f'use {MIN_DICTIONARY_WORDS} to {dictionary.size() // 2}, or "dictionary" for all')
        if not 0 <= piper <= 1:
            raise DataError(f"piper = {piper} is no share of the clips", "use 0 (espeak-ng only) to 1")
        if piper:
            piper_voice.check()
        if not 0 <= near <= 1:
            raise DataError(f"near_misses = {near} is no share of the clips", "use 0 (none) to 1")
        if not isinstance(gnuspeech, (int, float)) or not 0 <= gnuspeech <= 1 - piper:
            raise DataError(f"gnuspeech = {gnuspeech!r} is no share of the clips",
                            f"use 0 (none) to {1 - piper:g} (1 minus piper = {piper:g}: the rest are espeak-ng's)")
        if gnuspeech:
            gnuspeech_voice.check()
        return cls(keywords, phonemes, voices, augment, unknown, float(piper), float(near), float(gnuspeech))


@functools.cache
def pseudo_words(keywords: tuple[str, ...], given: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """PSEUDO_WORDS made-up words of one or two syllables (the same for every seed), none sounding like a
    keyword nor being a held-out word."""
    from toolchain.recipes.data import heldout

    rng = np.random.default_rng(20_261_207)
    words = []
    while len(words) < 2 * PSEUDO_WORDS:
        w = "".join(ONSETS[rng.integers(len(ONSETS))] + NUCLEI[rng.integers(len(NUCLEI))] + CODAS[rng.integers(len(CODAS))]
                    for _ in range(rng.integers(1, 3)))
        if w not in words and w not in heldout.OTHER_WORDS and w not in UNKNOWN_WORDS + MORE_UNKNOWN:
            words.append(w)
    sounds = phonemes.sounds(words)
    taken = keyword_sounds(keywords, given)
    return tuple(w for w, s in zip(words, sounds) if s and s not in taken)[:PSEUDO_WORDS]


def edits(word: str) -> set[str]:
    """Spellings one sound away from `word`: one vowel group, the first or last consonants, or a consonant group
    inside swapped for another (an onset added to a word that starts with a vowel, an "s" to one that starts
    with a consonant)."""
    parts = re.findall(r"[aeiou]+|[^aeiou]+", word)
    out = set()
    for i, p in enumerate(parts):
        choices = NUCLEI if p[0] in "aeiou" else CODAS if i == len(parts) - 1 else ONSETS
        out |= {"".join(parts[:i] + [c] + parts[i + 1:]) for c in choices}
    out |= {o + word for o in ONSETS if o} if parts and parts[0][0] in "aeiou" else {"s" + word}
    return {w for w in out if w != word and re.search("[aeiou]", w)}


@functools.cache
def near_misses(keywords: tuple[str, ...], given: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Made-up words (and phrases) one sound away from each keyword, NEAR_MISSES each at most, the same for
    every seed: "stop" -> "shop", "stip", "stog"... A streaming detector's false accepts are mostly words like
    these. None is a held-out word, a training word, or sounds like a keyword or a held-out word (its bare
    espeak-ng phonemes)."""
    from toolchain.recipes.data import heldout

    rng = np.random.default_rng(20_261_208)
    known = set(heldout.OTHER_WORDS + UNKNOWN_WORDS + MORE_UNKNOWN + KEYWORDS + keywords)
    candidates = {}
    for k in keywords:
        words = k.lower().split()
        near = sorted({" ".join(words[:i] + [e] + words[i + 1:]) for i, w in enumerate(words) for e in edits(w)})
        near = [w for w in near if not set(w.split()) & known]
        candidates[k] = [near[j] for j in rng.permutation(len(near))]
    found = [w for k in keywords for w in candidates[k]]
    sounds = dict(zip(found, phonemes.sounds(found)))
    taken = keyword_sounds(keywords, given) | heldout_sounds()  # "kup" is "cup" said again
    kept = []
    for k in keywords:
        kept += [w for w in candidates[k] if sounds[w] and sounds[w] not in taken and w not in kept][:NEAR_MISSES]
    return tuple(kept)


def keyword_sounds(keywords: tuple[str, ...], given: tuple[tuple[str, str], ...]) -> set[str]:
    """How the recipe's keywords and the default ones sound (bare phonemes; a keyword's given phonemes first)."""
    given = dict(given)
    return {bare(given.get(k) or phonemes_of(k)) for k in keywords} | {bare(phonemes_of(k)) for k in KEYWORDS}


@functools.cache
def heldout_sounds() -> frozenset[str]:
    from toolchain.recipes.data import heldout

    return frozenset(phonemes.sounds(heldout.OTHER_WORDS))


@functools.cache
def dictionary_words(keywords: tuple[str, ...], given: tuple[tuple[str, str], ...], count: int | None) -> tuple[str, ...]:
    """`count` real words of the dictionary (all when None): none a keyword (the recipe's or the default ones) or a
    held-out word, nor sounding like one ("know" for "no", "knight" for "night")."""
    return dictionary.words(count, *dictionary_exclusions(keywords, given), espeak_version())


def dictionary_exclusions(keywords: tuple[str, ...], given: tuple[tuple[str, str], ...]) -> tuple[frozenset, frozenset]:
    """(spellings, sounds) no dictionary word may have: the keywords (the recipe's and the default ones) and the
    held-out words."""
    from toolchain.recipes.data import heldout

    spelled = frozenset({w for k in keywords + KEYWORDS for w in k.split()} | set(heldout.OTHER_WORDS))
    return spelled, frozenset(keyword_sounds(keywords, given) | heldout_sounds())


@functools.cache
def real_near_misses(keywords: tuple[str, ...], given: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """Real words of the whole dictionary one sound (one phoneme letter) from one of the recipe's keywords: "loft",
    "laughed" for "left", "pup" for "up"; not the keyword with an ending ("stops"), which is still the keyword to a
    listener. Held-out words and their homophones are not in the dictionary's list to begin with."""
    targets = {bare(dict(given).get(k) or phonemes_of(k)) for k in keywords}
    return tuple(w for w, s in dictionary.entries(None, *dictionary_exclusions(keywords, given), espeak_version())
                 if any(dictionary.one_apart(s, t) and not s.startswith(t) for t in targets))


@functools.cache
def installed_voices() -> frozenset[str]:
    """Every name `espeak-ng -v` takes for its voices (language, voice name, file), lower case: it quietly
    falls back to a near language for an unknown one, so the list decides."""
    out = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True).stdout
    names = set()
    for row in (line.split() for line in out.splitlines()[1:]):
        if len(row) > 4 and not row[4].startswith("mb/"):  # MBROLA voices need MBROLA, which is not installed
            names |= {row[1].lower(), row[3].lower(), row[4].lower(), row[4].split("/")[-1].lower()}
    return frozenset(names)


def background(rng: np.random.Generator, words: Words, n: int) -> np.ndarray:
    kinds = NOISES + (("music",) if "noise" in words.augment else ())
    return noise(rng, kinds[rng.integers(len(kinds))], n)


def clip(words: Words, seed: int, label: int, index: int, banks: dict | None = None,
         gnuspeech_banks: dict | None = None) -> np.ndarray:
    """One int16 clip of class words.labels[label], fully determined by (words, seed, label, index); `banks`:
    Piper's renders of words.texts(), when words.piper; `gnuspeech_banks`: GnuSpeech's, when words.gnuspeech."""
    rng = np.random.default_rng([seed, label, index])
    keywords, labels = words.keywords, words.labels
    if labels[label] == "silence":
        level = 10 ** rng.uniform(-4, -1.3)  # from near-silent to loud noise
        x = level * background(rng, words, CLIP)
    else:
        # a fraction of "unknown" is a keyword cut by the clip's edge, as a streaming window sees it
        partial = labels[label] == "unknown" and rng.random() < PARTIAL_SHARE
        piper = False
        if label < len(keywords) or partial:
            text = words.spoken[keywords[label if not partial else rng.integers(len(keywords))]]
        elif words.near and rng.random() < words.near and words.near_misses:
            text = words.near_misses[rng.integers(len(words.near_misses))]
        elif words.real and words.piper and words.piper_unknown and rng.random() < words.piper:
            # as many "unknown" clips in Piper's voice as keyword clips, or its voice alone would mean "keyword"
            text = words.piper_unknown[rng.integers(len(words.piper_unknown))]
            piper = True
        else:
            text = words.unknown_words[rng.integers(len(words.unknown_words))]
        voices = words.voice_list
        # one draw picks the synthesizer: Piper below `piper`, GnuSpeech in the next `gnuspeech`, else espeak-ng
        who = 1.0 if piper or not (words.piper or words.gnuspeech) else rng.random()
        if piper or (who < words.piper and text in (banks or {})):
            speech = banks[text][rng.integers(piper_voice.RENDERS)].copy()
        elif words.piper <= who < words.piper + words.gnuspeech and text in (gnuspeech_banks or {}):
            speech = gnuspeech_banks[text][rng.integers(gnuspeech_voice.RENDERS)].copy()
        else:
            speech = resample(speak(text, voices[rng.integers(len(voices))], int(rng.integers(110, 230)),
                                    int(rng.integers(15, 90))))
        if "speaker" in words.augment:
            speech = augment.speaker(rng, speech)
        if "room" in words.augment and rng.random() < 0.4:
            speech = augment.room(rng, speech)
        speech = speech[:CLIP - 800]
        speech *= 10 ** rng.uniform(-1.3, -0.1) / (np.max(np.abs(speech)) + 1e-12)  # peak at -26..-2 dBFS
        x = np.zeros(CLIP)
        if partial:  # its first 20-50 % at the clip's end, or its last 20-50 % at the start
            k = max(1, int(len(speech) * rng.uniform(0.2, 0.5)))
            head = rng.random() < 0.5
            speech = speech[:k] if head else speech[-k:]
            start = CLIP - k if head else 0
        else:
            start = int(rng.integers(0, CLIP - len(speech) + 1))
        x[start:start + len(speech)] = speech
        rms = np.sqrt(np.mean(speech ** 2))
        snr = rng.uniform(5, 30) if "noise" in words.augment else SNR_DB[rng.integers(len(SNR_DB))]
        x += rms / 10 ** (snr / 20) * background(rng, words, CLIP)
    if "microphone" in words.augment:
        x = augment.microphone(rng, x)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def counts(labels: list[str], clips_per_class: int, unknown_factor: int) -> list[int]:
    """Clips per class: "unknown" stands for every other word, so it may get several times more."""
    return [clips_per_class * (unknown_factor if label == "unknown" else 1) for label in labels]


def generate(seed: int, clips_per_class: int, unknown_factor: int = 1, words: Words | None = None,
             workers: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(pcm (n, 16000) int16, labels (n,)) made anew, class after class."""
    words = words or Words()
    espeak_version()
    jobs = [(label, i) for label, n in enumerate(counts(words.labels, clips_per_class, unknown_factor))
            for i in range(n)]
    banks, gnuspeech_banks = {}, {}
    if words.piper:
        with console.status("saying every word with Piper (cached per word)"):
            banks = {t: piper_voice.bank(t) for t in words.texts()}
    if words.gnuspeech:
        said = gnuspeech_voice.words(words.texts())
        if lacking := [t for t in words.texts() if t not in said]:
            console.info(f"GnuSpeech's dictionary lacks {', '.join(lacking)}: espeak-ng says "
                         f"{'it' if len(lacking) == 1 else 'them'}")
        todo = len(gnuspeech_voice.missing(said)) * gnuspeech_voice.RENDERS
        with console.progress(f"saying {len(said)} words with GnuSpeech, {gnuspeech_voice.RENDERS} speakers and tempos "
                              "each (once, then cached per word)", total=todo) as advance:
            gnuspeech_banks = gnuspeech_voice.banks(said, advance)
    with ThreadPoolExecutor(workers) as pool:  # espeak-ng runs as a subprocess: threads overlap them
        pcm = list(pool.map(lambda j: clip(words, seed, *j, banks, gnuspeech_banks), jobs))
    return np.stack(pcm), np.array([j[0] for j in jobs], dtype=np.int64)


def cache_path(seed: int, clips_per_class: int, unknown_factor: int = 1, words: Words | None = None) -> Path:
    sources = b"".join(Path(m.__file__).read_bytes() for m in (augment, piper_voice, dictionary, phonemes))
    sources += Path(__file__).read_bytes()
    if words and words.gnuspeech:  # its renders' own cache key covers the package and the render script
        sources += Path(gnuspeech_voice.__file__).read_bytes()
    key = hashlib.sha256(sources + espeak_version().encode() + (words or Words()).key().encode()
                         + f"{seed}/{clips_per_class}/{unknown_factor}".encode()).hexdigest()[:16]
    return paths.build_root() / "cache" / "speech" / f"speech-{clips_per_class}-{key}.npz"


def clips(seed: int, clips_per_class: int, unknown_factor: int = 1,
          words: Words | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The clips for (seed, clips_per_class, unknown_factor, words), generated once and then read from the cache."""
    if clips_per_class < 2:
        raise DataError(f"clips_per_class {clips_per_class} is too few", "use at least 2 (held-out split)")
    if not 1 <= unknown_factor <= 10:
        raise DataError(f"unknown_factor {unknown_factor} is out of range", "use 1 to 10")
    words = words or Words()
    p = cache_path(seed, clips_per_class, unknown_factor, words)
    if p.is_file():
        with np.load(p) as f:
            return f["pcm"], f["y"]
    with console.status(f"synthesising {sum(counts(words.labels, clips_per_class, unknown_factor))} speech clips "
                        "with espeak-ng"):
        pcm, y = generate(seed, clips_per_class, unknown_factor, words)
    npz_cache.save(p, pcm=pcm, y=y)
    return pcm, y


def recorded(folder: Path, labels: list[str], copies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The recordings under `folder` (wav_folder's layout, labels among the recipe's), each `copies` times:
    the first as recorded, the others shifted, at another level and over background noise."""
    pcm, y, names = wav_folder.clips(folder, CLIP, RATE)
    if bad := [n for n in names if n not in labels]:
        raise DataError(f"{folder}/{bad[0]}: '{bad[0]}' is not one of the recipe's labels",
                        f"name the folders after the labels: {', '.join(labels)}")
    out, ys = [], []
    for i, (x, k) in enumerate(zip(pcm, y)):
        for c in range(copies):
            rng = np.random.default_rng([seed, 7_000_001, i, c])
            z = x.astype(np.float64) / 32768
            if c:
                z = np.roll(z, int(rng.integers(-1600, 1601))) * 10 ** rng.uniform(-0.5, 0.3)
                z += np.sqrt(np.mean(z ** 2)) / 10 ** (rng.uniform(10, 30) / 20) * noise(rng, NOISES[c % 4], CLIP)
            out.append(np.clip(np.round(z * 32768), -32768, 32767).astype(np.int16))
            ys.append(labels.index(names[k]))
    return np.stack(out), np.array(ys, dtype=np.int64)


def raw(seed: int, clips_per_class: int = 200, frontend: dict | None = None, unknown_factor: int = 1,
        keywords: list[str] | None = None, phonemes: dict | None = None, voices: str | list[str] = "few",
        augment: list[str] | None = None, unknown_words: str = "few", piper: float = 0.0,
        recordings: str | None = None, recording_copies: int = 10, base_dir: Path | None = None,
        near_misses: float = 0.0, gnuspeech: float = 0.0):
    """The int16 clips and labels `load` makes its features from: the synthetic set, then any recordings."""
    words = Words.of(keywords, phonemes, voices, augment, unknown_words, piper, near_misses, gnuspeech)
    pcm, y = clips(seed, clips_per_class, unknown_factor, words)
    if recordings:
        if not 1 <= recording_copies <= 100:
            raise DataError(f"recording_copies {recording_copies} is out of range", "use 1 to 100")
        r, ry = recorded(Path(base_dir or ".") / recordings, words.labels, recording_copies, seed)
        pcm, y = np.concatenate([pcm, r]), np.concatenate([y, ry])
    return pcm, y


def load(seed: int, clips_per_class: int = 200, frontend: dict | None = None, unknown_factor: int = 1,
         keywords: list[str] | None = None, phonemes: dict | None = None, voices: str | list[str] = "few",
         augment: list[str] | None = None, unknown_words: str = "few", piper: float = 0.0,
         recordings: str | None = None, recording_copies: int = 10, base_dir: Path | None = None,
         near_misses: float = 0.0, gnuspeech: float = 0.0):
    """Features of the clips: (x (n, frames, bands) float32, y, labels). `keywords`: the words or short phrases
    to spot; `phonemes`: espeak-ng phonemes for any it mispronounces; `voices`: "few" (8 voices x 16 variants),
    "many" (every English voice and variant but the validation ones) or a list; `augment`: any of AUGMENTS;
    `unknown_words`: "few" or "many" (MORE_UNKNOWN and PSEUDO_WORDS made-up words besides); `piper`: the share of
    spoken clips said by Piper's neural voice; `gnuspeech`: the share said by GnuSpeech; `near_misses`: the share of whole-word "unknown" clips that say a
    made-up near miss of a keyword (near_misses()); `recordings`: a folder of label folders
    (relative to the recipe) mixed in, each `recording_copies` times."""
    cfg = FrontendConfig.of(frontend)
    pcm, y = raw(seed, clips_per_class, frontend, unknown_factor, keywords, phonemes, voices, augment,
                 unknown_words, piper, recordings, recording_copies, base_dir, near_misses, gnuspeech)
    return to_float(features(pcm, cfg)), y, Words.of(keywords, phonemes, voices, augment, unknown_words, piper,
                                                     near_misses, gnuspeech).labels
