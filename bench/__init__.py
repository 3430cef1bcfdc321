"""Benchmarks for the speed budgets of the issues; run with `make bench` (python -m bench)."""
