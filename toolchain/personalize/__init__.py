"""On-device personalization (issue 26): the factory head of a deployed model
(head.py), the defaults and generated C header (config.py), the host replay
through the firmware's own C (replay.py), the data folder (data.py), the
device session (session.py) and `toolchain personalize` (run.py).

Nothing is re-exported here: build/ imports head.py and config.py, and run.py
imports build/."""
