"""Time the postcode index: a cold load of the built index and a lookup of 10,000 postcodes.

Command line::

    python -m benchmarks.postcodes [--index PATH] [--repeat 5]

The lookup mixes 9,000 postcodes drawn from the index (seeded) with 500 absent and 500 malformed
values. Each figure is the median of ``--repeat`` runs (the load is cold each time: the
in-process cache is cleared first). ``python -m benchmarks.run`` reports the same figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from layers import postcodes

LOOKUP_SIZE = 10_000


def index_load_runs(path: str | None, repeat: int) -> list[float]:
    """Return the seconds of ``repeat`` cold loads of the index (its cache cleared each time)."""
    timings = []
    for _ in range(repeat):
        postcodes._load_index.cache_clear()
        started = time.perf_counter()
        postcodes.load_index(path)
        timings.append(time.perf_counter() - started)
    return timings


def lookup_runs(path: str | None, repeat: int, size: int = LOOKUP_SIZE) -> list[float]:
    """Return the seconds of ``repeat`` lookups of ``size`` postcodes (after one warm-up)."""
    index = postcodes.load_index(path)
    rng = np.random.default_rng(10)
    present = rng.choice(index.postcodes.astype(str), size * 9 // 10).tolist()
    values = present + ["CV99 9ZZ", "not a postcode"] * ((size - len(present)) // 2)
    postcodes.lookup(values[:100], index=index)  # warm-up: pyproj's transformer
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        postcodes.lookup(values, index=index)
        timings.append(time.perf_counter() - started)
    return timings


def time_index_load(path: str | None, repeat: int) -> float:
    """Return the median seconds of a cold load of the index."""
    return statistics.median(index_load_runs(path, repeat))


def time_lookup(path: str | None, repeat: int, size: int = LOOKUP_SIZE) -> float:
    """Return the median seconds of a lookup of ``size`` postcodes."""
    return statistics.median(lookup_runs(path, repeat, size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.postcodes", description=__doc__)
    parser.add_argument("--index", default=None, help="the index file (default: the built one)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    try:
        load_s = time_index_load(args.index, args.repeat)
    except postcodes.PostcodeIndexMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lookup_s = time_lookup(args.index, args.repeat)
    print(f"index load: {load_s:.3f} s")
    print(f"lookup 10,000: {lookup_s:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
