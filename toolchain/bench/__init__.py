"""`toolchain bench`: latency, memory and on-device accuracy through the
serial harness. Each run is written to `build/<model>/<board>/runs/<time>-<runtime>.json`
as it is measured (a fault later in the run never loses what came before);
`bench.json` is replaced only by a complete run.

`--profile` builds with per-layer timers, which slow every inference down:
its results go to `bench-profile.json` instead, so bench.json and the
manifest keep the figures of the last plain run.

    from toolchain.bench import bench
    result = bench("digits", "qemu-m4")      # dict, same as bench.json

On QEMU, latency is guest instructions per inference (SysTick under
`-icount shift=0`, calibrated with a loop of known length): deterministic,
and never a time. The MLPerf runner's `m-lap-us-` pair is QEMU's virtual
time, 1 ns per instruction: `lap_instructions_per_run` turns it back into
instructions (emulated), a cross-check of the calibrated figure. `latency.measured_on` says where the figure comes from
("device" only when it is the board's own time). Memory values a target
cannot measure (a Linux process's or an Arduino core's stack, LiteRT's
arena) are null, not 0.

A regression model (recipe task "regression") is scored by mean absolute
error against the labels, device and host int8 alike; its `accuracy.device`
and `accuracy.host_int8` are null.
"""

from toolchain.bench.run import (
    EMULATED_UNIT, MIN_RUNS, RANDOM_SAMPLES, SAVE_EVERY, bench, recorded_runtime, check_counts, measured_on,
    device_session, reference_data, measure, latency, memory, accuracy, summarize,
)
