"""Field monitoring: the device's running statistics (`stats%`, firmware/harness/tm_stats.c) against the
reference profile that export writes into manifest.json. stats.py (the host twin of the device's statistics,
the profile, the build defines), drift.py (PSI and KL scores, alarms), scenarios.py (held-out data shifted on the
way: noise, brightness, rotation, offset, gain), session.py (poll or feed a device, write monitor.json),
live.py (the terminal view). stats.py imports only leaves, so pipeline and build may use it."""
