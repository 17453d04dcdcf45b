"""Inputs for openWakeWord's wake-word heads (toolchain/zoo/openwakeword.py), made offline: 2 s clips synthesised by
espeak-ng, turned into the (16, 96) speech embeddings such a head takes by openWakeWord's own front-end
(its melspectrogram and embedding ONNX models, run by ONNX Runtime on the host).

The front-end's facts, from openWakeWord's documentation and models: 16 kHz audio as float int16 values;
32 mel bands every 10 ms, scaled by x / 10 + 2; one 96-value embedding per window of 76 frames, every
8 frames; a head reads 16 consecutive embeddings (1.96 s of audio)."""

import numpy as np

from toolchain.zoo import openwakeword as zoo
from toolchain.recipes.data import speech
from toolchain.recipes.data.augment import NOISES, noise

RATE = 16000
SECONDS = 2  # 197 mel frames -> 16 embeddings, one head input
MEL_WINDOW, MEL_STEP, EMBEDDINGS = 76, 8, 16
# calibration clips use the recipe voices; evaluation clips the validation voices no calibration clip has
CALIBRATION_VOICES = tuple(v + (f"+{x}" if x else "") for v in speech.FEW_VOICES for x in speech.FEW_VARIANTS)
EVALUATION_VOICES = speech.VALIDATION_VOICES


def _session(name: str):
    import onnxruntime as ort

    return ort.InferenceSession(str(zoo.model(name)), providers=["CPUExecutionProvider"])


def clip(rng: np.random.Generator, text: str | None, voices: tuple[str, ...]) -> np.ndarray:
    """One 2 s int16 clip: `text` said by a random voice at a random place and level over background noise
    (10-30 dB SNR), or background alone when `text` is None."""
    n = RATE * SECONDS
    if text is None:
        x = 10 ** rng.uniform(-3.5, -1.5) * noise(rng, NOISES[rng.integers(len(NOISES))], n)
    else:
        said = speech.resample(speech.speak(text, voices[rng.integers(len(voices))], int(rng.integers(120, 210)),
                                            int(rng.integers(20, 80))))[:n - RATE // 10]
        said *= 10 ** rng.uniform(-1.0, -0.1) / (np.max(np.abs(said)) + 1e-12)
        x = np.zeros(n)
        # the word ends in the last second, where a streaming head sees it just said
        start = int(rng.integers(max(0, n // 2 - len(said)), n - len(said) + 1))
        x[start:start + len(said)] = said
        rms = np.sqrt(np.mean(said ** 2))
        x += rms / 10 ** (rng.uniform(10, 30) / 20) * noise(rng, NOISES[rng.integers(len(NOISES))], n)
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def mel_windows(clips: np.ndarray) -> np.ndarray:
    """(N, 16, 76, 32, 1) float32: the embedding model's inputs, 16 per clip."""
    mel = _session("melspectrogram.onnx")
    out = []
    for c in clips:
        spec = np.squeeze(mel.run(None, {"input": c.astype(np.float32)[np.newaxis]})[0]) / 10 + 2
        out.append(np.stack([spec[i * MEL_STEP:i * MEL_STEP + MEL_WINDOW] for i in range(EMBEDDINGS)]))
    return np.stack(out)[..., np.newaxis].astype(np.float32)


def embeddings(windows: np.ndarray) -> np.ndarray:
    """(N, 16, 96) float32 head inputs from mel_windows()."""
    emb = _session("embedding_model.onnx")
    n = len(windows)
    flat = windows.reshape(n * EMBEDDINGS, MEL_WINDOW, 32, 1)
    return emb.run(None, {"input_1": flat})[0].reshape(n, EMBEDDINGS, 96).astype(np.float32)


def labelled_clips(seed: int, word: str, per_class: int, voices: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """`per_class` clips of `word` (label 1), and as many of other words and of background alone (label 0)."""
    rng = np.random.default_rng(seed)
    others = [w for w in speech.UNKNOWN_WORDS + speech.MORE_UNKNOWN if w not in word.split()]
    texts = [word] * per_class + [others[rng.integers(len(others))] for _ in range(per_class)] + [None] * per_class
    clips = np.stack([clip(rng, t, voices) for t in texts])
    return clips, np.array([1] * per_class + [0] * 2 * per_class)
