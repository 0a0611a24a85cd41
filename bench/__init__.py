"""Benchmarks of the ingest publisher against the producers people write by hand (`python -m bench`).

Figures, not tests: each section measures one thing (producer cost against a local emulator, behaviour at
the per-shard write limits, client CPU and memory, delivery cost of the stack settings) and the command
prints them as markdown and writes them to `bench/results.json`. docs/performance.md says how to read them.
"""
