"""Cycle-approximate counts on QEMU and what they mean on a board: the timing
classes and their cost per core (timing), the QEMU plugin that counts them
(plugin, counts), and milliseconds, energy and battery life per board (estimate)."""
