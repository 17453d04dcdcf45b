"""report.html for a sweep, from sweep.json: per board, accuracy against
instructions and against static RAM (feasible points in colour, infeasible
ones grey, the Pareto front joined), a table of each front, and the chosen
point (`toolchain build --from-sweep NAME --pick best`)."""

import base64
import io
from pathlib import Path

import jinja2

from toolchain.sweep import pareto, space
from toolchain.sweep.errors import SweepError
from toolchain.sweep.results import FILE, Results

PAGE = jinja2.Template("""<!doctype html>
<html><head><meta charset="utf-8"><title>sweep {{ r.name }} of {{ r.model }}</title>
<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}td,th{padding:.2em .8em;text-align:left}
tr.grey td{color:#999}</style></head>
<body><h1>Sweep {{ r.name }} of {{ r.model }}</h1>
<p>{{ counts }}. Seed {{ r.seed }}{% if r.max_latency %}, at most {{ "{:,}".format(r.max_latency) }} instructions{% endif %}.
Accuracy is measured on the emulated device over the held-out split{% if r.samples %} (first {{ r.samples }} samples){% endif %};
latency in guest instructions (emulated), not time.</p>
{% if best %}<p>Chosen point (most accurate feasible): <b>{{ best.id }}</b> ({{ best.describe }}),
deploy it with <code>toolchain build --from-sweep {{ r.name }} --pick best</code>.</p>{% endif %}
{% for b in boards %}<h2>{{ b.board }}</h2><img alt="Pareto fronts on {{ b.board }}" src="data:image/png;base64,{{ b.png }}">
{% for cost, rows in b.fronts %}<h3>Front: accuracy vs {{ cost }}</h3>{{ rows }}{% endfor %}{% endfor %}
<h2>All points</h2>{{ all }}
</body></html>
""", autoescape=True)
TABLE = jinja2.Template("""<table><tr><th>id</th><th>config</th><th>status</th><th>accuracy</th><th>instructions</th>
<th>static RAM B</th><th>arena B</th><th>flash B</th><th>error</th></tr>
{% for p in rows %}<tr{% if p.status != "ok" %} class="grey"{% endif %}><td>{{ p.id }}</td><td>{{ p.describe }}</td>
<td>{{ p.status }}</td><td>{{ p.acc }}</td><td>{{ p.instr }}</td><td>{{ p.ram }}</td><td>{{ p.arena }}</td>
<td>{{ p.flash }}</td><td>{{ p.error or "" }}</td></tr>{% endfor %}</table>""", autoescape=True)


def write(directory: Path) -> Path:
    results = Results.open(directory)
    if not results.points:
        raise SweepError(f"no {FILE} in {directory}", "run `toolchain sweep` first")
    recs = results.current()
    table = lambda rows: jinja2.utils.markupsafe.Markup(TABLE.render(rows=[row(p) for p in rows]))  # noqa: E731
    boards = [{"board": b, "png": _plot(b, rs), "fronts": [(pareto.LABELS[c], table(f)) for c, f in pareto.fronts(rs)[b].items()]}
              for b, rs in pareto.by_board(recs).items()]
    best = pareto.best(recs)
    counts = ", ".join(f"{sum(p['status'] == s for p in recs)} {s}" for s in ("ok", "infeasible", "failed"))
    out = Path(directory) / "report.html"
    out.write_text(PAGE.render(r=results.data, boards=boards, all=table(recs), counts=f"{len(recs)} points: {counts}",
                               best=row(best) if best else None))
    return out


def row(p: dict) -> dict:
    n = lambda v: "" if v is None else f"{v:,}"  # noqa: E731
    acc = "" if p.get("accuracy") is None else f"{100 * p['accuracy']:.2f} %"
    return {"id": p["id"], "describe": space.describe(p["config"]), "status": p["status"], "acc": acc,
            "instr": n(p.get("instructions")), "ram": n(p.get("ram_bytes")), "arena": n(p.get("arena_bytes")),
            "flash": n(p.get("flash_bytes")), "error": p.get("error")}


def _plot(board: str, recs: list[dict]):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, (cost, key) in zip(axes, pareto.COSTS.items()):
        shown = [r for r in recs if r.get(key) is not None and r.get("accuracy") is not None]
        for grey in (True, False):
            pts = [r for r in shown if (r["status"] != "ok") == grey]
            if pts:
                ax.scatter([r[key] for r in pts], [100 * r["accuracy"] for r in pts], s=24,
                           color="0.75" if grey else "tab:blue", label="infeasible" if grey else "feasible", zorder=2)
        f = pareto.front(recs, cost)
        ax.plot([r[key] for r in f], [100 * r["accuracy"] for r in f], "o-", color="tab:red", label="Pareto front",
                zorder=3)
        ax.set_xlabel("instructions per inference (emulated)" if cost == "instructions" else "static RAM (bytes)")
        ax.set_ylabel("accuracy on device (%)")
        ax.set_ylim(top=min(ax.get_ylim()[1], 100.5))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(board)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()

