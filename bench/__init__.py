"""Benchmark scripts: a synthetic region, and a runner that measures the key pages (docs/performance.md).

Not part of the test suite; run them by hand, e.g. ``.venv/bin/python -m bench.run --size M``.
"""
