"""All output goes through one rich Console: errors to stderr, no markup,
spinners and progress bars only when the terminal is interactive. A leaf:
every step may use it; it imports nothing of ours."""

import os
import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


class _Console:
    def __init__(self) -> None:
        # rich assumes 80 columns when output is piped; tables then fold every cell
        width = None if Console().is_terminal else int(os.environ.get("COLUMNS", 160))
        self.out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True, width=width)
        self.err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True, width=width)
        self.verbosity = 0
        self.json = False  # a command's --json: its JSON alone on stdout (console.out), every message on stderr

    @property
    def _say(self) -> Console:
        return self.err if self.json else self.out

    def info(self, msg: str) -> None:
        self._say.print(msg)

    def step(self, msg: str) -> None:
        """Progress of a long command: stderr, so stdout stays clean for --json."""
        self.err.print(msg)

    def debug(self, msg: str) -> None:
        if self.verbosity > 0:
            self.err.print(msg, style="dim")

    def warning(self, msg: str) -> None:
        self.err.print(f"Warning: {msg}", style="yellow")

    def success(self, msg: str) -> None:
        self._say.print(msg, style="green")

    def error(self, msg: str) -> None:
        self.err.print(f"Error: {msg}", style="red")

    def table(self, title: str, columns: list[str], rows: list[list]) -> None:
        t = Table(title=title)
        for c in columns:
            t.add_column(c)
        for r in rows:
            t.add_row(*["" if v is None else str(v) for v in r])
        self._say.print(t)

    @contextmanager
    def status(self, msg: str):
        """Spinner for a step of unknown length; a plain line when not a TTY."""
        if self.err.is_terminal:
            with self.err.status(msg):
                yield
        else:
            self.err.print(f"... {msg}")
            yield

    @contextmanager
    def progress(self, msg: str, total: int):
        """Progress bar yielding `advance(n=1, total=None, description=None)`: a corrected total, a new
        description (shown as a line of its own when the terminal is not interactive)."""
        if not self.err.is_terminal:
            self.err.print(f"... {msg}")

            def log(n: int = 1, total: int | None = None, description: str | None = None) -> None:
                if description:
                    self.err.print(f"    {description}")

            yield log
            return
        cols = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*cols, console=self.err, transient=True) as p:
            task = p.add_task(msg, total=total)

            def advance(n: int = 1, total: int | None = None, description: str | None = None) -> None:
                p.update(task, advance=n, **({"total": total} if total is not None else {}),
                         **({"description": description} if description else {}))

            yield advance


console = _Console()


@contextmanager
def quiet_stderr():
    """Silence the C library's stderr while native code (TFLM, TFLite) chatters."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
