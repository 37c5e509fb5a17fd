"""What gunicorn serves during a benchmark: the portal, plus a bare Flask app under /_bench.

The bare app is the baseline: a plain Flask route rendering a Jinja template of a given size,
with no database, session or sign-in, so a page's time can be read against what Flask itself
costs on this machine in the same run.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench import WORKER_HEADER
from portal import create_app

#: Bytes of one row of the baseline's table, roughly; the runner asks for the page's size.
ROW_BYTES = 100

baseline = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))


@baseline.get("/baseline")
def baseline_page():
    """Render a table of about ?bytes= bytes: the cost of a bare Flask page of that size."""
    size = min(max(request.args.get("bytes", 20_000, type=int), 0), 5_000_000)
    rows = [(f"Rij {number}", number * 1234.5, number / 7) for number in range(size // ROW_BYTES)]
    return render_template("baseline.html", rows=rows)


def _name_worker(application):
    def named(environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, (WORKER_HEADER, str(os.getpid()))], exc_info)

        return application(environ, start)

    return named


portal = create_app()
app = _name_worker(DispatcherMiddleware(portal, {"/_bench": baseline}))
