"""Benchmarks: synthetic registries and the timing script (``python -m benchmarks.run``)."""
