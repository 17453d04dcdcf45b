"""Field monitoring: the device's running statistics (`stats%`, firmware/harness/tm_stats.c) against the
reference profile that export writes into manifest.json (the host twin of the statistics and the profile live in
export/field_stats.py, so export and build use them without importing this later step). drift.py (PSI and KL
scores, alarms), scenarios.py (held-out data shifted on the way: noise, brightness, rotation, offset, gain),
session.py (poll or feed a device, write monitor.json), live.py (the terminal view)."""
