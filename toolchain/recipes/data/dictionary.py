"""Real English words for "unknown" (`unknown_words = "dictionary"` or a count): Debian's wamerican word list,
lowercase alphabetic words of 2 to 12 letters (no proper nouns, no possessives), in one fixed shuffled order, so a
count of N takes the first N that pass and a larger count keeps the smaller one's words. A word is left out when
it is spelled or sounds (its bare espeak-ng phonemes) like a word the caller names: the keywords and the held-out
words. Words one sound away from a keyword ("loft" for "left") stay: they are the most useful negatives. The list
is cached under <build>/cache/words/, keyed by the word list, the espeak-ng version and the exclusions."""

import functools
import hashlib
import re
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.recipes.data import phonemes
from toolchain.recipes.data.dataset import DataError

DICTIONARY = Path("/usr/share/dict/american-english")  # Debian's wamerican package
WORD = re.compile(r"(?=[a-z]*[aeiouy])[a-z]{2,12}")  # a vowel: not "mfg", which espeak-ng spells out
ORDER_SEED = 20_261_209  # the fixed order the words are taken in, the same for every recipe seed
STEP = 4000  # words said per round until a count is reached


def check() -> None:
    if not DICTIONARY.is_file():
        raise DataError(f"the word list {DICTIONARY} is not installed: unknown_words draws real words from it",
                        "run ./setup.sh, or apt-get install wamerican")


@functools.cache
def spellings() -> tuple[str, ...]:
    """Every word of the list that qualifies by its spelling, in the fixed shuffled order."""
    check()
    found = sorted({w for w in DICTIONARY.read_text(errors="replace").split() if WORD.fullmatch(w)})
    return tuple(found[i] for i in np.random.default_rng(ORDER_SEED).permutation(len(found)))


def size() -> int:
    return len(spellings())


@functools.cache
def words(count: int | None, spelled: frozenset[str], sounding: frozenset[str], version: str) -> tuple[str, ...]:
    """The first `count` words of the list (all when None), none in `spelled` nor with bare phonemes in `sounding`.
    `version`: espeak-ng's, which says how the words sound."""
    key = hashlib.sha256("\n".join([DICTIONARY.read_text(errors="replace"), Path(__file__).read_text(),
                                    Path(phonemes.__file__).read_text(), version, str(count),
                                    *sorted(spelled), "", *sorted(sounding)]).encode()).hexdigest()[:16]
    cached = paths.build_root() / "cache" / "words" / f"dictionary-{key}.txt"
    if cached.is_file():
        return tuple(cached.read_text().split())
    order = [w for w in spellings() if w not in spelled]
    kept: list[str] = []
    for start in range(0, len(order), STEP):
        part = order[start:start + STEP]
        kept += [w for w, s in zip(part, phonemes.sounds(part)) if s and s not in sounding]
        if count is not None and len(kept) >= count:
            break
    kept = kept[:count]
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text("\n".join(kept) + "\n")
    tmp.replace(cached)
    return tuple(kept)
