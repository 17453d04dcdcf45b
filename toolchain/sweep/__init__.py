"""`toolchain sweep`: a design-space search where every point is trained,
optimized, built and benched on the emulated board, as Ray tasks.

    from toolchain.sweep import sweep
    results = sweep("digits", space_file=Path("sweep.toml"), workers=2)

space.py turns `[space]` into points, engine.py runs them on Ray (point.py
is one point), results.py keeps sweep.json, pareto.py finds the fronts and
report.py draws them. Artifacts land in `build/<model>/sweeps/<name>/`:
`points/<id>/` per point, `train/w<width>/` per trained width, `recipes/`
the recipe's copies for widths other than 1.0 (named `<model>-w<width>`).
"""

from toolchain.sweep.search import Status, sweep_dir, sweep, crashed, pick
