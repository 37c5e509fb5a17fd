"""Load and fault scripts (issue #8): saturation, a database restart under load, a failing file store.

    .venv/bin/python -m bench.faults saturation --seconds 120      # zero 5xx at saturation
    .venv/bin/python -m bench.faults restart --seconds 60          # PostgreSQL restarted under load
    .venv/bin/python -m bench.faults file-store                    # uploads while the store is down
    .venv/bin/python -m bench.faults all

Everything runs on loopback against a database of its own (default ``portal_faults``), with the
size-S synthetic region of bench/run.py, and ends within the time given. Each scenario prints what
it saw and exits with status 1 when its rule is broken. ``restart`` restarts the local PostgreSQL
cluster with pg_ctlcluster: run it only on a machine where nothing else uses that server.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.run import (
    KEY_PAGES,
    Browser,
    flask,
    free_port,
    import_region,
    recreate_database,
    start_gunicorn,
    stop,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_faults"
#: Pages everyone may see, added to the key pages so that the load is a mix.
PUBLIC_PAGES = ["/", "/open-house", "/inloggen"]


@dataclass
class Tally:
    """What the users of a scenario got back, by status, with the moments of failures."""

    statuses: Counter = field(default_factory=Counter)
    failures: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, began: float, status: int | str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if not isinstance(status, int) or status >= 500:
                self.failures.append((began, str(status)))

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def _get(browser: Browser, path: str) -> int | str:
    """Fetch a page; return its status, or the name of the error when no answer came."""
    try:
        status, _body = browser.get(path)
        return status
    except (urllib.error.URLError, OSError) as error:
        return type(error).__name__


def _visitors(base: str) -> list[tuple[Browser, str]]:
    """One signed-in visitor per key page (and anonymous ones for the public pages)."""
    visitors = []
    for page in KEY_PAGES:
        browser = Browser(base)
        if page.account:
            browser.sign_in(page.account)
        visitors.append((browser, page.path))
    visitors += [(Browser(base), path) for path in PUBLIC_PAGES]
    return visitors


def _load(base: str, users: int, seconds: float, tally: Tally, on_tick=None) -> None:
    """Let `users` visitors cycle through the pages as fast as they can for `seconds`."""
    visitors = _visitors(base)
    stop_at = time.monotonic() + seconds

    def work(index: int) -> None:
        own = [(browser.copy(), path) for browser, path in visitors]
        step = index
        while time.monotonic() < stop_at:
            browser, path = own[step % len(own)]
            began = time.monotonic()
            tally.note(began, _get(browser, path))
            step += 1

    threads = [threading.Thread(target=work, args=(index,), daemon=True) for index in range(users)]
    for thread in threads:
        thread.start()
    if on_tick is not None:
        on_tick()
    for thread in threads:
        thread.join()


# Scenarios ----------------------------------------------------------------------------------------


def saturation(base: str, args) -> bool:
    """Several users at once for a while: every answer must be below 500."""
    tally = Tally()
    began = time.monotonic()
    _load(base, args.users, args.seconds, tally)
    seconds = time.monotonic() - began
    print(f"saturation: {tally.requests} requests in {seconds:.0f} s ({tally.requests / seconds:.1f}/s) "
          f"with {args.users} users and {args.workers} workers; statuses {dict(tally.statuses)}")
    return not tally.failures


def _cluster() -> tuple[str, str]:
    """The version and name of the local PostgreSQL cluster on port 5432."""
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        version, name, port, *_ = line.split()
        if port == "5432":
            return version, name
    raise SystemExit("no PostgreSQL cluster on port 5432")


def _database_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def restart(base: str, args) -> bool:
    """Restart PostgreSQL while users keep asking: once it is back, no request may fail."""
    tally = Tally()
    marks: dict[str, float] = {}
    version, name = _cluster()

    def restart_midway() -> None:
        time.sleep(args.seconds / 4)
        marks["restart"] = time.monotonic()
        subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True)
        while not _database_answers(args.database_url):
            time.sleep(0.1)
        marks["back"] = time.monotonic()

    restarter = threading.Thread(target=restart_midway)
    _load(base, args.users, args.seconds, tally, on_tick=restarter.start)
    restarter.join()
    during = [f for f in tally.failures if f[0] < marks["back"]]
    after = [f for f in tally.failures if f[0] >= marks["back"]]
    print(f"restart: database down for {marks['back'] - marks['restart']:.1f} s; {tally.requests} requests; "
          f"{len(during)} failed while it restarted, {len(after)} failed after it was back; statuses {dict(tally.statuses)}")
    return not after


def file_store(args, env: dict) -> bool:
    """Uploads while the file store (S3 on a port where nothing answers) is down: a clear
    refusal, and neither a record without a file nor a file without a record."""
    dead_port = free_port()
    port = free_port()
    store_env = {**env, "PORTAL_FILE_STORE": "s3://faults/files", "PORTAL_S3_ENDPOINT_URL": f"http://127.0.0.1:{dead_port}",
                 "AWS_ACCESS_KEY_ID": "faults", "AWS_SECRET_ACCESS_KEY": "faults", "AWS_DEFAULT_REGION": "eu-west-1"}
    server = start_gunicorn(store_env, port, 2)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.sign_in(next(page.account for page in KEY_PAGES if page.account and page.account.startswith("aanbieder")))
        before = _count_rows(args.database_url)
        answers = Counter()
        for attempt in range(args.uploads):
            status, body = _upload(browser)
            # The page comes back with the form and says in Dutch that nothing was stored.
            clear = status == 422 and b"error-summary" in body and "niet worden opgeslagen".encode() in body
            answers["clear refusal" if clear else f"status {status}"] += 1
        after = _count_rows(args.database_url)
    finally:
        stop(server)
    print(f"file store down: {args.uploads} uploads -> {dict(answers)}; stored files before {before}, after {after}")
    return answers["clear refusal"] == args.uploads and before == after


def _count_rows(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM stored_files").fetchone()[0]


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _upload(browser: Browser) -> tuple[int, bytes]:
    """Send the vault's upload form with a small PDF, as a browser does."""
    _status, page = browser.get("/bewijsstukken/toevoegen")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    boundary = "faults-boundary"
    fields = {"csrf_token": token, "evidence_type": "kvk_extract", "issuer": "Kamer van Koophandel",
              "issue_date": time.strftime("%Y-%m-%d")}
    body = io.BytesIO()
    for key, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="kvk.pdf"\r\n'
               f"Content-Type: application/pdf\r\n\r\n".encode() + _pdf() + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(browser.base + "/bewijsstukken/toevoegen", data=body.getvalue(),
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with browser.opener.open(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["saturation", "restart", "file-store", "all"])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=120, help="how long the load lasts")
    parser.add_argument("--users", type=int, default=16, help="users at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--uploads", type=int, default=5, help="uploads while the file store is down")
    parser.add_argument("--reuse", action="store_true", help="keep the database from an earlier run")
    args = parser.parse_args(argv)

    instance = Path(tempfile.gettempdir()) / "portal-faults-instance"
    instance.mkdir(exist_ok=True)
    env = {**os.environ, "PORTAL_DATABASE_URL": args.database_url, "PORTAL_ENV": "demo",
           "PORTAL_INSTANCE_PATH": str(instance)}
    if not args.reuse:
        recreate_database(args.database_url)
        flask(env, "db", "upgrade", "heads")
        with tempfile.TemporaryDirectory(prefix="faults-region-") as folder:
            import_region(env, "S", Path(folder))

    results = {}
    if args.scenario in ("saturation", "restart", "all"):
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            if args.scenario in ("saturation", "all"):
                results["saturation"] = saturation(base, args)
            if args.scenario in ("restart", "all"):
                results["restart"] = restart(base, args)
        finally:
            stop(server)
    if args.scenario in ("file-store", "all"):
        results["file-store"] = file_store(args, env)
    for scenario, passed in results.items():
        print(f"{scenario}: {'passed' if passed else 'FAILED'}")
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
