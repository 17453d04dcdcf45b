"""A third synthesizer beside espeak-ng and Piper: GnuSpeech, which models the vocal tract as a tube and
so makes voices of another kind (npm's @echogarden/gnuspeech-wasm, GPL-3.0: a tool that makes training
clips, never shipped by us). ./setup.sh installs the exact package with `npm ci` (gnuspeech/package-lock.json
holds its integrity hashes) into <cache>/npm/; nothing touches the network when clips are made.

Each word is said RENDERS times, once, by SPEAKERS speakers (GnuSpeech's five voices, then seeded variants of
their voice files: tract length, pitch, glottal pulse, breathiness, mouth aperture) at tempos 0.8-1.25, all in
one node process (gnuspeech/gnuspeech_render.mjs), resampled to 16 kHz and cached per word under
<build>/cache/speech/gnuspeech/; clips draw one render and then a speaker, room and microphone of their own.
GnuSpeech's intonation draws random numbers; the render script feeds them from each render's seed, so the
same word gives the same bytes. A word its dictionary lacks would go through its letter-to-sound rules, cruder
than espeak-ng's: such words are left to espeak-ng (words())."""

import functools
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from toolchain import paths
from toolchain.recipes.data import npz_cache
from toolchain.recipes.data.dataset import DataError

PACKAGE = "@echogarden/gnuspeech-wasm"
VERSION = "0.3.0"
HERE = Path(__file__).resolve().parent / "gnuspeech"  # package.json, package-lock.json, the render script
RENDER_SCRIPT = HERE / "gnuspeech_render.mjs"
VOICES = ("male", "female", "large_child", "small_child", "baby")  # its voice files, data/en/voice_*.txt
SPEAKERS = 20  # the five voices, then variants of them
RENDERS = 20  # per word: each speaker once, at a tempo of its own
TEMPOS = (0.8, 1.25)
BATCH = 100  # renders per node process: start-up and the dictionary cost about 0.3 s
SETUP_HINT = "run ./setup.sh (it installs node and the pinned npm package), or set gnuspeech = 0"


def install_dir() -> Path:
    """Where `npm ci` puts the package: keyed by the lock file, so a new pin installs beside the old one."""
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()[:12]
    return paths.cache_root() / "npm" / f"gnuspeech-{lock}"


def package_dir() -> Path:
    return install_dir() / "node_modules" / PACKAGE


def available() -> bool:
    return bool(shutil.which("node")) and (package_dir() / "wasm" / "gnuspeech.js").is_file()


def check() -> None:
    if not shutil.which("node"):
        raise DataError("node is not installed: gnuspeech = ... runs GnuSpeech (WASM) in node", SETUP_HINT)
    if not available():
        raise DataError(f"GnuSpeech is not installed: {PACKAGE} {VERSION} is not in {install_dir()}", SETUP_HINT)


def install() -> Path:
    """`npm ci` of the pinned package (integrity-checked, no install scripts) into install_dir(); a second call
    only checks."""
    if available():
        return package_dir()
    if not shutil.which("npm"):
        raise DataError("npm is not installed: it installs GnuSpeech once",
                        "install node and npm (Debian: apt-get install nodejs npm), then run ./setup.sh again")
    out = install_dir()
    out.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HERE / name, out / name)
    r = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=out, capture_output=True,
                       text=True)
    if r.returncode or not available():
        raise DataError(f"npm ci of {PACKAGE} {VERSION} failed: {(r.stderr or r.stdout).strip()[-300:]}",
                        "check access to the npm registry (npm config get registry) and run ./setup.sh again")
    return package_dir()


@functools.cache
def dictionary() -> frozenset[str]:
    """The words GnuSpeech's English dictionary holds (its first column; the first line is its version)."""
    check()
    lines = (package_dir() / "data" / "en" / "MainDictionary.txt").read_text(encoding="latin-1").splitlines()[1:]
    return frozenset(line.split()[0] for line in lines if line.strip())


def words(texts: list[str]) -> list[str]:
    """The texts GnuSpeech says: those whose every word is in its dictionary (the rest stay with espeak-ng)."""
    known = dictionary()
    return [t for t in texts if all(w in known for w in t.lower().split())]


@functools.cache
def voice_file(voice: str) -> dict[str, float]:
    """The numbers of one of GnuSpeech's voice files (`key = value` lines)."""
    check()
    text = (package_dir() / "data" / "en" / f"voice_{voice}.txt").read_text()
    return {k.strip(): float(v) for k, _, v in (line.partition("=") for line in text.splitlines())
            if v.strip() and not k.lstrip().startswith("#")}


def speakers() -> list[tuple[str, dict]]:
    """SPEAKERS (voice, settings): the five voices as shipped, then variants of them drawn from a fixed seed."""
    out = [(v, {}) for v in VOICES]
    rng = np.random.default_rng(20_261_222)
    while len(out) < SPEAKERS:
        voice = VOICES[len(out) % len(VOICES)]
        base = voice_file(voice)
        tn = sorted(rng.uniform(16, 40, 2))
        out.append((voice, {
            "vocal_tract_length": round(base["vocal_tract_length"] * rng.uniform(0.9, 1.1), 3),
            "reference_glottal_pitch": round(base["reference_glottal_pitch"] + rng.uniform(-4, 4), 2),
            "glottal_pulse_tp": round(rng.uniform(30, 50), 1),
            "glottal_pulse_tn_min": round(float(tn[0]), 1),
            "glottal_pulse_tn_max": round(float(tn[1]), 1),
            "breathiness": round(rng.uniform(0.5, 4), 2),
            "aperture_radius": round(base["aperture_radius"] * rng.uniform(0.85, 1.15), 3),
        }))
    return out


def job(text: str, i: int) -> dict:
    """Render `i` of `text`: speaker i, a tempo and an intonation seed drawn from (i, text)."""
    rng = np.random.default_rng([i, *text.encode()])
    voice, settings = speakers()[i % SPEAKERS]
    return {"text": text, "voice": voice, "params": settings,
            "control": {"tempo": round(float(rng.uniform(*TEMPOS)), 3)}, "seed": int(rng.integers(2 ** 32))}


def pcm16k(wav: Path) -> np.ndarray:
    """One render as float at 16 kHz, silence trimmed."""
    from scipy.signal import resample_poly

    with wave.open(str(wav)) as w:
        rate, x = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if rate not in (22050, 44100) or len(x) == 0:
        raise DataError(f"GnuSpeech wrote {len(x)} samples at {rate} Hz", "check the install (./setup.sh)")
    x = resample_poly(x.astype(np.float64) / 32768, 160 * 44100 // rate, 441)
    loud = np.flatnonzero(np.abs(x) > 0.003 * np.max(np.abs(x), initial=1e-9))
    return x[loud[0]:loud[-1] + 1] if len(loud) else x


def render_batch(jobs: list[dict]) -> list[np.ndarray]:
    """One node process saying `jobs`: 16 kHz float speech, one per job."""
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["node", str(RENDER_SCRIPT), str(package_dir()), tmp], input=json.dumps(jobs),
                           capture_output=True, text=True)
        if r.returncode:
            said = [line.removeprefix("error: ") for line in r.stderr.splitlines() if line.startswith("error: ")]
            raise DataError(f"GnuSpeech failed: {said[-1] if said else r.stderr.strip()[-300:] or r.returncode}",
                            SETUP_HINT)
        return [pcm16k(Path(tmp) / f"{i}.wav") for i in range(len(jobs))]


def render(jobs: list[dict], workers: int = 2, advance=lambda n: None) -> list[np.ndarray]:
    """`jobs` said in BATCH-sized node processes, `workers` at a time (the result depends on neither);
    `advance(n)` is told of each batch done."""
    check()

    def batch(part: list[dict]) -> list[np.ndarray]:
        xs = render_batch(part)
        advance(len(part))
        return xs

    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(batch, [jobs[i:i + BATCH] for i in range(0, len(jobs), BATCH)])
        return [x for part in parts for x in part]


def cache_file(text: str) -> Path:
    key = hashlib.sha256((VERSION + (HERE / "package-lock.json").read_text() + RENDER_SCRIPT.read_text()
                          + Path(__file__).read_text() + json.dumps([text, RENDERS])).encode()).hexdigest()[:16]
    return paths.build_root() / "cache" / "speech" / "gnuspeech" / f"{key}.npz"


def missing(texts: list[str]) -> list[str]:
    """The texts whose renders are not cached yet."""
    return [t for t in texts if not cache_file(t).is_file()]


def banks(texts: list[str], advance=lambda n: None) -> dict[str, list[np.ndarray]]:
    """RENDERS renders of each text, made once (all missing words in one go, `advance(n)` told of each batch of
    renders) and then read from the cache."""
    out = {}
    for t in texts:
        if cache_file(t).is_file():
            out[t] = npz_cache.load_list(cache_file(t), RENDERS)
    todo = [t for t in texts if t not in out]
    xs = render([job(t, i) for t in todo for i in range(RENDERS)], advance=advance) if todo else []
    for n, t in enumerate(todo):
        out[t] = xs[n * RENDERS:(n + 1) * RENDERS]
        npz_cache.save_list(cache_file(t), out[t])
    return out


def main() -> int:
    """`python -m toolchain.recipes.data.gnuspeech_voice`: install the pinned package (./setup.sh runs it)."""
    try:
        print(f"{PACKAGE} {VERSION} (GPL-3.0, a tool for training clips): {install()}")
    except DataError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
