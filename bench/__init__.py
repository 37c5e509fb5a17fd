"""Benchmark scripts: a synthetic region, and a runner that measures the key pages (docs/performance.md).

Not part of the test suite; run them by hand, e.g. ``.venv/bin/python -m bench.run --size M``.
"""

#: The response header by which the benchmark's gunicorn (bench/wsgi.py) names the worker (its
#: process id) that answered, so that the runner can warm up every worker before timing.
WORKER_HEADER = "X-Bench-Worker"
