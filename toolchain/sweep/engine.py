"""Ray as the sweep's engine. Without an address a local Ray instance starts
with `workers` CPUs (one point per CPU) and is shut down after; with
`--address auto`, `HOST:6379` or `ray://HOST:10001` the points run on an
existing cluster, whose nodes hold the same checkout and venv (docs/sweep.md).

Each task runs one point in its own build tree: in the driver's sweep folder
on the driver's machine, else in a temporary folder whose key artifacts
come back with the point's record.
"""

import logging
import os
import re
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from toolchain import paths
from toolchain.sweep import point
from toolchain.sweep.errors import SweepError

CONNECT_TIMEOUT_S = 3.0
OBJECT_STORE_BYTES = 200 * 1024 * 1024  # points pass a few MB around; keep the shared machine's RAM for the points


@contextmanager
def cluster(address: str | None, workers: int | None) -> Iterator[int]:
    """Ray initialised for this process; yields how many points may run at once."""
    import ray

    if address is None:
        workers = workers or os.cpu_count() or 1
        # workers start from this environment: they must import this checkout's toolchain
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(paths.REPO), os.environ.get("PYTHONPATH")]))
        ray.init(address="local", num_cpus=workers, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.ERROR, object_store_memory=OBJECT_STORE_BYTES)
    else:
        check_reachable(address)
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
        except (ConnectionError, RuntimeError) as e:
            raise unreachable(address, str(e).splitlines()[0]) from None
        workers = workers or int(ray.cluster_resources().get("CPU", 1))
    try:
        yield workers
    finally:
        ray.shutdown()


def check_reachable(address: str) -> None:
    """One clear error within seconds instead of Ray's long retries on a dead address."""
    if address.startswith("ray://"):
        hostport = address[len("ray://"):]
    else:
        from ray._private.services import canonicalize_bootstrap_address_or_die

        try:
            hostport = canonicalize_bootstrap_address_or_die(address)
        except (ConnectionError, ValueError) as e:
            raise unreachable(address, str(e).splitlines()[0]) from None
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise SweepError(f"'{address}' is not a Ray address", "use auto, HOST:6379 or ray://HOST:10001")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as e:
        raise unreachable(address, f"{hostport}: {e.strerror or e}") from None


def unreachable(address: str, why: str) -> SweepError:
    return SweepError(f"cannot reach the Ray cluster at '{address}' ({why})",
                      "start it with `ray start --head` (docs/sweep.md), or leave out --address to run locally")


def run_tasks(calls: list[tuple[Callable, tuple]], slots: int, on_start: Callable[[int], None],
              on_done: Callable[[int, object], None]) -> None:
    """Run `fn(*args)` for each call as a Ray task, at most `slots` at once, reporting each start and result
    (by index) as it happens; a task whose worker died reports its RayError as the result. Ctrl-C cancels the
    tasks still running and re-raises."""
    import ray
    from ray.exceptions import RayError

    remote = {}
    pending = list(range(len(calls)))
    running: dict = {}
    try:
        while pending or running:
            while pending and len(running) < slots:
                i = pending.pop(0)
                fn, args = calls[i]
                task = remote.setdefault(fn, ray.remote(num_cpus=1, max_retries=0)(fn))
                running[task.remote(*args)] = i
                on_start(i)
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                try:
                    value = ray.get(ref)
                except RayError as e:  # the worker crashed (killed, out of memory): the others go on
                    missing = re.search(r"No module named '(toolchain[^']*)'", str(e))
                    if missing:  # no point can run there: say so once
                        raise SweepError(f"the Ray workers cannot import this toolchain (no module {missing[1]})",
                                         "start Ray on every node from the .venv of a checkout of this commit set "
                                         "up with ./setup.sh (docs/sweep.md)") from None
                    value = e
                on_done(running.pop(ref), value)
    except BaseException:
        for ref in running:
            ray.cancel(ref)  # KeyboardInterrupt in the task: its QEMU and temp files are cleaned up
        raise


def train_task(model_ref: str, width: float, seed: int, work: str, recipes: str, env: dict, driver: str) -> dict:
    here, recipes_dir = _local(work, recipes, driver)
    return point.train(model_ref, width, seed, here, recipes_dir, env)


def point_task(config: dict, model_ref: str, seed: int, samples: int | None, work: str, recipes: str,
               trained: dict, env: dict, driver: str) -> dict:
    """One point; run on another node than the driver's, its key artifacts come back as bytes."""
    here, recipes_dir = _local(work, recipes, driver)
    rec = point.run(config, model_ref, seed, samples, here, recipes_dir, trained, env)
    if here != Path(work):
        rec["bundle"] = {f: (here / f).read_bytes() for f in rec["files"]}
    return rec


def _local(work: str, recipes: str, driver: str) -> tuple[Path, Path]:
    """The driver's folders on the driver's machine; temporary ones on any other node."""
    if socket.gethostname() == driver:
        return Path(work), Path(recipes)
    tmp = Path(tempfile.mkdtemp(prefix="toolchain-sweep-"))
    return tmp / "point", tmp / "recipes"
