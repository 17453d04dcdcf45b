"""The front-end and the network of an audio model measured apart, from the
bench's per-layer timers (the wrapper reports the front-end as layer 0) and
the ELF's symbols (the front-end's buffers and tables)."""

from pathlib import Path

from toolchain.audio.config import FrontendConfig
from toolchain.build.audio import symbol_bytes

STRIDES = (1, 2, 4, 5, 8)  # inference every N hops, for the amortised per-hop figure


def summary(latency: dict, audio: dict, elf: Path | None) -> dict | None:
    """Instructions (or the device's unit) per clip and per hop, and RAM, of each part; None without layer timers."""
    layers = latency.get("layers") or []
    if not layers or layers[0]["op"] != "FRONTEND":
        return None
    cfg = FrontendConfig(**audio["frontend"])
    frontend, network = layers[0]["value"], sum(l["value"] for l in layers[1:])
    per_hop = frontend / cfg.frames  # streaming computes one frame per hop
    mem = symbol_bytes(elf) if elf else {"ram_bytes": None, "flash_bytes": None}
    return {
        "unit": latency["unit"], "frames_per_clip": cfg.frames, "hop_ms": cfg.hop_ms,
        "frontend": {"per_clip": frontend, "per_hop": round(per_hop), "ram_bytes": mem["ram_bytes"],
                     "flash_bytes": mem["flash_bytes"], "config": cfg.to_dict()},
        "network": {"per_inference": network, "arena_bytes": audio.get("network_arena_bytes")},
        "per_hop_with_inference_every": {str(n): round(per_hop + network / n) for n in STRIDES},
    }
