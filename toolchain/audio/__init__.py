"""Host side of the fixed-point audio front-end: its settings, the generated
C header, and the firmware's C compiled for the host (toolchain.audio.host)
to make training features. The device sources are build/audio.py's.

Imports: leaves only."""

from toolchain.audio.config import FEATURE_SCALE, FrontendConfig, frontend_of, to_float
from toolchain.audio.errors import AudioError
from toolchain.audio.host import features

__all__ = ["FEATURE_SCALE", "AudioError", "FrontendConfig", "features", "frontend_of", "to_float"]
