"""Benchmark harness for bipnn_backends: real max-cut data, random PUBO, constrained, ablation,
scale and reformulation suites; see docs/benchmarks.md and ``python -m benchmarks --help``."""
