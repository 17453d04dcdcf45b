"""The plugin's output file read back: one line per mark (and one at exit) with the
instructions so far and the count per timing class."""

from dataclasses import dataclass
from pathlib import Path

from toolchain.cycles import timing
from toolchain.cycles.errors import EstimateError


@dataclass(frozen=True)
class Counts:
    instructions: int
    classes: dict[str, int]

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(self.instructions - other.instructions,
                      {k: v - other.classes[k] for k, v in self.classes.items()})

    def scaled(self, divisor: int) -> "Counts":
        """Per run, of a window holding `divisor` runs, rounded to whole counts."""
        return Counts(round(self.instructions / divisor), {k: round(v / divisor) for k, v in self.classes.items()})


def read(path: Path, tag: str = "mark") -> list[Counts]:
    """Every `tag` line of the plugin's output, in order."""
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise EstimateError(f"the cycle-model output {path} cannot be read ({e.strerror})") from e
    found = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] != tag:
            continue
        numbers = [int(p) for p in parts[1:]]
        if len(numbers) != 1 + len(timing.NAMES):
            raise EstimateError(f"the cycle-model output has {len(numbers) - 1} classes, this toolchain "
                                f"{len(timing.NAMES)}", "delete build/cache/tm_cycles so the plugin is rebuilt")
        found.append(Counts(numbers[0], dict(zip(timing.NAMES, numbers[1:]))))
    return found
