"""`toolchain sweep`."""

import json
import signal
from pathlib import Path

import typer
from rich.live import Live
from rich.text import Text

from toolchain.cli import options
from toolchain.console import console
from toolchain.cli.signals import exit_on


def sweep_cmd(
    model: str = options.MODEL,
    board: str = typer.Option(None, "--board", "-b", help="Emulated board (default qemu-m4; or a 'board' axis in the space)."),
    space_file: Path = typer.Option(None, "--space", "-s", help="TOML file whose space table lists the axes (default: prune x quantize)."),
    name: str = typer.Option(None, "--name", help="Sweep name (default: the space file's name): build/<model>/sweeps/<name>/."),
    budget: int = typer.Option(None, "--budget", help="Build N points drawn at random from the grid (seeded), not all."),
    address: str = typer.Option(None, "--address", help="Ray cluster: auto, HOST:6379 or ray://HOST:10001 (default: a local Ray)."),
    workers: int = typer.Option(None, "--workers", "-j", help="Points at once (default: the core count, or the cluster's CPUs)."),
    max_latency: int = typer.Option(None, "--max-latency", help="Points slower than N instructions are infeasible."),
    samples: int = typer.Option(None, "--samples", help="Stream only the first N held-out samples per point (quick looks)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Run failed points again (finished ones are kept)."),
    seed: int = options.SEED,
    as_json: bool = options.JSON,
) -> None:
    """Search a design space: every point built and benched on the emulator, on Ray.

    Example: toolchain sweep --model digits --space scripts/sweep_digits.toml --workers 2
    """
    from toolchain.sweep import sweep, sweep_dir

    exit_on(signal.SIGTERM, signal.SIGHUP)  # finished points are already in sweep.json
    with _Display() as show:
        results = sweep(model, name=name, space_file=space_file, board=board, budget=budget, seed=seed,
                        address=address, workers=workers, max_latency=max_latency, samples=samples,
                        retry_failed=retry_failed, on_update=show)
    if as_json:
        console.out.print_json(json.dumps(results.data, default=str))
        return
    _fronts(results.current())
    out = sweep_dir(results.data["model"], results.data["name"])
    console.success(f"{out / 'sweep.json'} and report.html written")


class _Display:
    """One live status line on a terminal (done, running, failed, best so far); a line per finished point otherwise."""

    def __enter__(self):
        self.live = Live(Text(""), console=console.err, transient=True) if console.err.is_terminal else None
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.__exit__(*exc)

    def __call__(self, s) -> None:
        from toolchain.sweep.report import row

        best = row(s.best) if s.best else None
        line = (f"points {s.done}/{s.total} done ({s.reused} from before), {s.running} running, {s.failed} failed, "
                f"{s.infeasible} infeasible" + (f", training {s.training} width(s)" if s.training else "")
                + (f"; best {best['acc']} at {best['instr']} instructions ({best['id']})" if best else ""))
        if self.live:
            self.live.update(Text(line))
        if s.last and (not self.live or s.last["status"] != "ok"):
            p = row(s.last)
            detail = f"{p['acc']}, {p['instr']} instructions" if p["status"] == "ok" else p["error"]
            console.step(f"{p['id']} {p['describe']}: {p['status']} ({detail})")
        s.last = None


def _fronts(recs: list[dict]) -> None:
    from toolchain.sweep import pareto
    from toolchain.sweep.report import row

    for board, fronts in pareto.fronts(recs).items():
        for cost, front in fronts.items():
            console.table(f"Pareto front on {board}: accuracy vs {pareto.LABELS[cost]}",
                          ["id", "config", "accuracy", "instructions", "static RAM B", "arena B", "flash B"],
                          [[p["id"], p["describe"], p["acc"], p["instr"], p["ram"], p["arena"], p["flash"]]
                           for p in map(row, front)])
    best = pareto.best(recs)
    if best:
        p = row(best)
        console.info(f"best: {p['id']} ({p['describe']}), {p['acc']} at {p['instr']} instructions")
