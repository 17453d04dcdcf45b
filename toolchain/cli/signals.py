"""Termination signals as SystemExit, so `with` blocks and `finally` clauses
(stopping QEMU, saving partial bench results) run on the way out."""

import signal


def exit_on(*signals: signal.Signals) -> None:
    """Turn these signals into SystemExit(128 + n)."""
    def leave(signum, _frame):
        raise SystemExit(128 + signum)

    for s in signals:
        signal.signal(s, leave)
