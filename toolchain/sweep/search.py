"""A sweep from its space file to sweep.json: points run as Ray tasks, resumed by config hash, and the pick of one point."""

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from toolchain import paths
from toolchain.sweep import engine, pareto, space
from toolchain.sweep.errors import SweepError
from toolchain.sweep.results import Results


@dataclass
class Status:
    """What the progress display shows."""

    total: int
    reused: int
    done: int = 0
    running: int = 0
    training: int = 0
    failed: int = 0
    infeasible: int = 0
    best: dict | None = None
    last: dict | None = field(default=None, repr=False)  # the point that just finished


def sweep_dir(model: str, name: str) -> Path:
    return (paths.build_root() / model / "sweeps" / name).resolve()


def sweep(model_ref: str, *, name: str | None = None, space_file: Path | None = None, board: str | None = None,
          budget: int | None = None, seed: int = 0, address: str | None = None, workers: int | None = None,
          max_latency: int | None = None, samples: int | None = None, retry_failed: bool = False,
          on_update: Callable[[Status], None] = lambda s: None) -> Results:
    """Run every point of the space not finished yet; returns the sweep's results (sweep.json)."""
    from toolchain import recipes
    from toolchain.sweep import report

    for flag, value in (("--workers", workers), ("--samples", samples), ("--max-latency", max_latency)):
        if value is not None and value < 1:
            raise SweepError(f"{flag} {value} is too small", f"pass {flag} 1 or more, or leave it out")
    recipe = recipes.load(model_ref)
    axes = space.load(space_file)
    configs = space.points(axes, board, budget, seed)
    ids = [space.point_id(c, seed=seed, samples=samples, recipe=recipe.fingerprint) for c in configs]
    name = name or (Path(space_file).stem if space_file else "default")
    out = sweep_dir(recipe.name, name)
    results = Results.open(out)
    results.start(name=name, model=recipe.name, recipe=str(recipe.path), seed=seed, samples=samples,
                  space=axes, budget=budget, max_latency=max_latency, current=ids)
    todo = [(i, c) for i, c in zip(ids, configs) if not results.finished(i, retry_failed)]
    status = Status(total=len(configs), reused=len(configs) - len(todo))
    _count(status, results)
    on_update(status)
    try:
        if todo:
            _run(todo, _portable_ref(model_ref), seed, samples, address, workers, out, results, status, on_update)
    finally:
        if results.current():
            report.write(out)
    return results


def _run(todo, model_ref, seed, samples, address, workers, out: Path, results: Results, status: Status, on_update):
    driver = socket.gethostname()
    with engine.cluster(address, workers) as slots:
        env = _env(slots if address is None else None)
        widths = sorted({c["width"] for _, c in todo})
        trained: dict[float, dict] = {}

        def trained_one(i: int, r) -> None:
            trained[widths[i]] = {"error": crashed(r)} if isinstance(r, Exception) else r
            status.training -= 1
            on_update(status)

        recipes = str(out / "recipes")  # the width copies of the recipe, shared by the points of a width
        engine.run_tasks([(engine.train_task, (model_ref, w, seed, str(out / "train" / f"w{w:g}"), recipes, env,
                                               driver)) for w in widths], slots, on_start=lambda i: _started(status, on_update, "training"),
                         on_done=trained_one)

        def finished(i: int, rec) -> None:
            pid = todo[i][0]
            if isinstance(rec, Exception):
                rec = {"config": todo[i][1], "status": "failed", "error": crashed(rec), "fits": None}
            for rel, data in (rec.pop("bundle", None) or {}).items():
                (out / "points" / pid / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / "points" / pid / rel).write_bytes(data)
            results.put(pid, rec)
            status.running -= 1
            status.last = {"id": pid, **results.points[pid]}
            _count(status, results)
            on_update(status)

        engine.run_tasks([(engine.point_task, (c, model_ref, seed, samples, str(out / "points" / pid), recipes,
                                               trained[c["width"]], env, driver)) for pid, c in todo],
                         slots, on_start=lambda i: _started(status, on_update, "running"), on_done=finished)


def crashed(e: Exception) -> str:
    lines = [l for l in str(e).splitlines() if l.strip()]
    return f"the Ray task died: {lines[-1] if lines else type(e).__name__}"


def _started(status: Status, on_update, what: str) -> None:
    setattr(status, what, getattr(status, what) + 1)
    on_update(status)


def _count(status: Status, results: Results) -> None:
    recs = results.current()
    status.done = len(recs)
    status.failed = sum(r["status"] == "failed" for r in recs)
    status.infeasible = sum(r["status"] == "infeasible" for r in recs)
    status.best = pareto.best(recs)


def _env(local_slots: int | None) -> dict[str, str]:
    """What every task sets before it starts: the boards folder in use, and on this machine one share of its
    cores per point (TensorFlow would otherwise start a thread per core in every worker)."""
    env = {k: os.environ[k] for k in ("TOOLCHAIN_BOARDS_DIR",) if k in os.environ}
    if local_slots:
        threads = str(max(1, (os.cpu_count() or 1) // local_slots))
        env.update(TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads, OMP_NUM_THREADS=threads)
    return env


def _portable_ref(model_ref: str) -> str:
    """A recipe name as is (every node has models/); a recipe folder as an absolute path (workers' cwd differs)."""
    from toolchain.recipes import resolve

    if (paths.RECIPES / model_ref / "recipe.toml").is_file():
        return model_ref
    return str(resolve(model_ref).resolve())


def pick(model_ref: str, name: str, choice: str) -> tuple[dict, Results]:
    """The point `choice` ("best", or an id or the start of one) of sweep `name` of model `model_ref`."""
    from toolchain.pipeline import model_name

    out = sweep_dir(model_name(model_ref), name)
    results = Results.open(out)
    if not results.points:
        known = sorted(p.name for p in out.parent.glob("*") if (p / "sweep.json").exists())
        raise SweepError(f"no sweep '{name}' for model '{model_ref}' in {out.parent}",
                         f"sweeps: {', '.join(known)}" if known else "run `toolchain sweep` first")
    recs = results.current()
    if choice == "best":
        rec = pareto.best(recs)
        if rec is None:
            raise SweepError(f"sweep '{name}' has no feasible point to deploy", "see its report.html for why")
        return rec, results
    found = [{"id": i, **p} for i, p in results.points.items() if i.startswith(choice)]
    if len(found) != 1:
        what = "no point" if not found else f"{len(found)} points"
        raise SweepError(f"{what} of sweep '{name}' has an id starting with '{choice}'",
                         "pass best or an id from the sweep's table (report.html)")
    if found[0]["status"] == "failed":
        raise SweepError(f"point {found[0]['id']} of sweep '{name}' failed ({found[0]['error']})", "pick another one")
    return found[0], results
