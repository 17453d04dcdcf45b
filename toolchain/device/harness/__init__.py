"""Host side of the serial harness: protocol.py (the MLPerf Tiny text protocol
and our extensions, parsed; the commands, reply keys and limits are the table
in toolchain/harness_protocol.py), client.py (commands with recovery from garbage,
resets, silence and lost links), transports/ (one URL API for a serial port,
a QEMU socket, a process's stdio, a test loop) and discovery.py (a board's
port by its USB ids). Imports: boards, harness_protocol, modelinfo and leaves."""
