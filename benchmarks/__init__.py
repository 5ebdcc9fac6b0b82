"""Benchmarks of the platform: throughput and latency as ratios against raw baselines measured in the same run.

`make bench` runs every `bench_*.py` module here (`python -m benchmarks`); each can also run alone
(`python -m benchmarks.bench_outbox`). They need the broker and database `make bench` starts.
"""
