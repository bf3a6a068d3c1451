"""Tests of the benchmarks (the only tests that import benchmarks/)."""
