"""The benchmark suite: hpa against its peers, side by side; see docs/benchmarks.md."""
