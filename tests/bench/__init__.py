"""ZMOS benchmarks: one runner (``python -m tests.bench``) for every quality bar of the product."""
