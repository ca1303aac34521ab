"""Benchmarks: `make bench` (python -m bench) and `python -m bench.cursor_depth`."""
