"""`toolchain monitor`."""

import json
import signal

import typer

from toolchain.cli import options
from toolchain.cli.build import RUNTIME
from toolchain.cli.signals import exit_on
from toolchain.console import console


def monitor_cmd(
    board: str = options.DEVICE_BOARD,
    model: str = options.MODEL,
    runtime: str = RUNTIME,
    seed: int = options.SEED,
    port: str = typer.Option(None, "--port", help="Device URL: /dev/ttyACM0, socket://HOST:PORT or process://COMMAND (default: the running emulator, the board's USB port, or a QEMU started here with --feed)."),
    feed: str = typer.Option(None, "--feed", help="Stream the held-out split into the device: split."),
    drift: str = typer.Option(None, "--drift", help="Shift the fed samples: noise, brightness, rotate, offset or gain."),
    drift_after: int = typer.Option(0, "--drift-after", help="Fed samples before the drift starts."),
    samples: int = typer.Option(1000, "--samples", help="Samples to feed (the split is cycled in a new order each pass)."),
    window: int = typer.Option(100, "--window", help="Served inferences per scored window."),
    windows: int = typer.Option(3, "--windows", help="Consecutive drifting windows that raise an alarm (K)."),
    duration: float = typer.Option(None, "--duration", help="Seconds to watch a device without --feed (default: until Ctrl-C)."),
    as_json: bool = options.JSON,
) -> None:
    """Watch a device's predictions, confidence and input drift against the training profile.

    Example: toolchain monitor --board qemu-m4 --model digits --feed split --drift noise --drift-after 500
    """
    from toolchain import report
    from toolchain.monitor.live import View
    from toolchain.monitor.session import monitor
    from toolchain.paths import MONITOR_FILE, build_root
    from toolchain.pipeline import model_name

    exit_on(signal.SIGTERM, signal.SIGHUP)
    r = monitor(model, board, runtime=runtime, url=port, feed=feed, drift=drift, drift_after=drift_after, samples=samples,
                window=window, consecutive=windows, duration=duration, seed=seed, view=None if as_json else View())
    report.write(build_root() / model_name(model) / board)
    if as_json:
        console.out.print_json(json.dumps(r, default=str))
        return
    check = r.get("check") or {}
    if r.get("faults"):
        console.warning(f"recovered from {len(r['faults'])} link fault(s): {r['faults'][0]}")
    if check:
        console.info(f"device statistics equal the host's over the same {r['windows'][-1]['end_sample']} samples: "
                     f"{check['device_equals_host']}; clean outputs agree with the host int8 reference: "
                     f"{check['clean_agreement']}")
    alarms = r["alarms"]
    summary = (f"{len(alarms)} alarm(s), the first at sample {r['first_alarm_sample']}" if alarms else "no alarm")
    console.success(f"{summary}; {MONITOR_FILE} and report.html written")
