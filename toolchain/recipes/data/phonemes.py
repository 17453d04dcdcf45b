"""How espeak-ng says words, to tell words that sound alike: its phonemes (`espeak-ng -q -x`), one word at a
time or thousands in a few processes."""

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

CHUNK = 2000  # words per espeak-ng process: 60,000 words take about 25 s of CPU in all


def phonemes_of(text: str) -> str:
    """espeak-ng's phonemes for `text` (empty when it has none)."""
    return subprocess.run(["espeak-ng", "-q", "-x", text], capture_output=True, text=True).stdout.strip()


def bare(phonemes: str) -> str:
    """Phonemes without stress and length marks, to compare how words sound."""
    return re.sub(r"[',:_ ]", "", phonemes)


def _chunk_sounds(words: list[str]) -> list[str]:
    # each word ends a sentence, so each gets a line of its own; a chunk whose lines do not match its words
    # (a word espeak-ng splits) is said again word by word
    lines = subprocess.run(["espeak-ng", "-q", "-x"], input="".join(f"{w}.\n" for w in words), capture_output=True,
                           text=True).stdout.split("\n")
    if len(lines) > len(words):
        return [bare(x) for x in lines[:len(words)]]
    return [bare(phonemes_of(w)) for w in words]


def sounds(words: list[str] | tuple[str, ...], workers: int = 2) -> list[str]:
    """The bare phonemes of each word, in order."""
    chunks = [list(words[i:i + CHUNK]) for i in range(0, len(words), CHUNK)]
    with ThreadPoolExecutor(workers) as pool:  # espeak-ng runs as a subprocess: threads overlap them
        return [s for part in pool.map(_chunk_sounds, chunks) for s in part]
