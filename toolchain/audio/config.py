"""Front-end settings (the `frontend` table of a recipe's [data.args]) and the
generated C header that fixes them, with every table, for host and device."""

import difflib
import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from toolchain.audio.errors import AudioError
from toolchain.manifest import data_config

# Models see int8 features q as the float q * FEATURE_SCALE (inputs of order 1 train better);
# the device maps q to the model's own input quantization through a table made by the same
# float32 arithmetic (toolchain.audio.model), so host and device feed the network the same int8.
FEATURE_SCALE = 1 / 32

# loaders (toolchain.recipes.data) of raw audio: the model sees front-end features, the device gets the PCM
AUDIO_LOADERS = ("speech", "wav_folder")


@dataclass(frozen=True)
class FrontendConfig:
    sample_rate: int = 16000
    clip_ms: int = 1000       # one model input: this much audio
    window_ms: int = 30
    hop_ms: int = 20
    mel_bands: int = 40
    low_hz: float = 125.0
    high_hz: float = 7500.0
    log_gain: int = 6         # int8 steps per doubling of band energy (about 0.5 dB each)
    log_offset: int = 236     # puts a 1-LSB noise floor near -128 and a full-scale tone near 100

    @classmethod
    def of(cls, table: dict | None) -> "FrontendConfig":
        """From a recipe's `frontend` table; one clear error for a wrong key or value."""
        table = dict(table or {})
        names = {f.name: f.type for f in fields(cls)}
        for k in table:
            if k not in names:
                close = difflib.get_close_matches(k, names, n=1)
                raise AudioError(f"unknown front-end setting '{k}'",
                                 f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(names)}")
        cfg = cls(**{k: float(v) if names[k] == "float" and isinstance(v, int) else v for k, v in table.items()})
        cfg.check()
        return cfg

    def check(self) -> None:
        if self.sample_rate not in (8000, 16000):
            raise AudioError(f"front-end sample_rate {self.sample_rate} is not supported", "use 16000 or 8000")
        if not 0 < self.hop_ms <= self.window_ms:
            raise AudioError(f"front-end hop_ms {self.hop_ms} must be in 1..window_ms ({self.window_ms})")
        if self.fft > 512:
            raise AudioError(f"front-end window of {self.window_ms} ms needs a {self.fft}-point FFT; at most 512",
                             "use window_ms of 32 or less at 16 kHz")
        if not 0 < self.low_hz < self.high_hz <= self.sample_rate / 2:
            raise AudioError(f"front-end band edges {self.low_hz}..{self.high_hz} Hz must rise and stay below "
                             f"{self.sample_rate // 2} Hz")
        if not 4 <= self.mel_bands <= 80:
            raise AudioError(f"front-end mel_bands {self.mel_bands} must be in 4..80")
        if self.clip_samples < self.window:
            raise AudioError(f"front-end clip_ms {self.clip_ms} is shorter than one window")

    @property
    def window(self) -> int:
        return self.sample_rate * self.window_ms // 1000

    @property
    def hop(self) -> int:
        return self.sample_rate * self.hop_ms // 1000

    @property
    def fft(self) -> int:
        return 1 << max(3, (self.window - 1).bit_length())

    @property
    def clip_samples(self) -> int:
        return self.sample_rate * self.clip_ms // 1000

    @property
    def clip_bytes(self) -> int:
        """One clip of int16 PCM: an audio model's device input."""
        return 2 * self.clip_samples

    @property
    def frames(self) -> int:
        return 1 + (self.clip_samples - self.window) // self.hop

    @property
    def feature_shape(self) -> tuple[int, int]:
        return self.frames, self.mel_bands

    def to_dict(self) -> dict:
        return asdict(self)


def to_float(q: np.ndarray) -> np.ndarray:
    """Model input of int8 features (exact in float32: q / 32)."""
    return np.asarray(q).astype(np.float32) * np.float32(FEATURE_SCALE)


def _mel(hz):
    return 1127.0 * math.log(1.0 + hz / 700.0)


def _hz(mel):
    return 700.0 * (math.exp(mel / 1127.0) - 1.0)


def mel_layout(cfg: FrontendConfig) -> tuple[list[int], list[int], int, int]:
    """Per FFT bin: its segment between mel points (band index of its rising edge) and the Q15
    rising weight; plus the first and last bin inside the filterbank."""
    bins = cfg.fft // 2 + 1
    lo, hi = _mel(cfg.low_hz), _mel(cfg.high_hz)
    points = [_hz(lo + (hi - lo) * i / (cfg.mel_bands + 1)) for i in range(cfg.mel_bands + 2)]
    segment, rise = [0] * bins, [0] * bins
    first = last = None
    for k in range(bins):
        f = k * cfg.sample_rate / cfg.fft
        if not points[0] < f < points[-1]:
            continue
        s = max(i for i in range(len(points) - 1) if points[i] <= f)
        segment[k] = s
        rise[k] = round(32768 * (f - points[s]) / (points[s + 1] - points[s]))
        first = k if first is None else first
        last = k
    return segment, rise, first, last


def _table(ctype: str, name: str, values) -> str:
    rows = [", ".join(str(v) for v in values[i:i + 12]) for i in range(0, len(values), 12)]
    return f"static const {ctype} {name}[{len(values)}] = {{\n  " + ",\n  ".join(rows) + "\n};\n"


def header(cfg: FrontendConfig) -> str:
    """tm_frontend_config.h: sizes, Hann window, twiddles, mel layout and log table as integers."""
    n = cfg.fft
    window = [min(32767, round(32768 * 0.5 * (1 - math.cos(2 * math.pi * i / cfg.window)))) for i in range(cfg.window)]
    cos = [min(32767, round(32768 * math.cos(2 * math.pi * k / n))) for k in range(n // 2 + 1)]
    sin = [min(32767, round(32768 * math.sin(2 * math.pi * k / n))) for k in range(n // 2 + 1)]
    segment, rise, first, last = mel_layout(cfg)
    log2 = [round(65536 * math.log2(1 + i / 32)) for i in range(33)]
    lines = [
        "// SPDX-License-Identifier: Apache-2.0",
        "// Generated by toolchain.audio from the recipe's front-end settings; do not edit.",
        f"// {cfg.to_dict()}",
        "#ifndef TM_FRONTEND_CONFIG_H_", "#define TM_FRONTEND_CONFIG_H_", "", "#include <stdint.h>", "",
        f"#define TM_FRONTEND_SAMPLE_RATE {cfg.sample_rate}",
        f"#define TM_FRONTEND_WINDOW {cfg.window}",
        f"#define TM_FRONTEND_HOP {cfg.hop}",
        f"#define TM_FRONTEND_FFT {n}",
        f"#define TM_FRONTEND_BANDS {cfg.mel_bands}",
        f"#define TM_FRONTEND_FIRST_BIN {first}",
        f"#define TM_FRONTEND_LAST_BIN {last}",
        f"#define TM_FRONTEND_LOG_GAIN {cfg.log_gain}",
        f"#define TM_FRONTEND_LOG_OFFSET {cfg.log_offset}", "",
        _table("int16_t", "tm_frontend_window", window),
        _table("int16_t", "tm_frontend_cos", cos),
        _table("int16_t", "tm_frontend_sin", sin),
        _table("uint8_t", "tm_frontend_mel_segment", segment),
        _table("uint16_t", "tm_frontend_mel_rise", rise),
        _table("int32_t", "tm_frontend_log2_table", log2),
        "#endif  // TM_FRONTEND_CONFIG_H_", "",
    ]
    return "\n".join(lines)


def frontend_of(manifest: dict) -> FrontendConfig | None:
    """The front-end of a model from its manifest (recipe data config), None for a model without one."""
    data = data_config(manifest)
    if data.get("loader") not in AUDIO_LOADERS:
        return None
    return FrontendConfig.of(data.get("args", {}).get("frontend"))
