"""Measure the key pages on PostgreSQL behind gunicorn, each next to a bare-Flask baseline.

    .venv/bin/python -m bench.run --size M            # iterate
    .venv/bin/python -m bench.run --size L --json /tmp/bench-l.json

Steps: (re)create the database (default ``portal_bench`` on the local server; never a test
database), migrate, create a fictional region with its organisations and three accounts (a
provider administrator, a policy officer, a council member), write a synthetic region
(bench/generate.py) into a temporary folder, import it with the real importer and time it, start
gunicorn on loopback, sign in as the demo accounts, and measure every page of KEY_PAGES:
p50/p95 latency for one user (sequential requests) and throughput with several users at once,
each next to the baseline page of the same size served by the same gunicorn (bench/wsgi.py).
Prints a table and writes JSON. ``--reuse`` skips the database set-up and import.

To measure another page, add a KeyPage to KEY_PAGES (issue #8: screening queue, consultation
summary, public register); ``account`` is one of ACCOUNTS, or None for a visitor who is not
signed in. Data a new page needs goes into set_up_region (or a function it calls).
"""

from __future__ import annotations

import argparse
import collections
import http.cookiejar
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import WORKER_HEADER, portal_data
from bench.generate import MUNICIPALITY_CODES, SIZES, generate, provider_kvks

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench"
REGION_CODE = "JR-BENCH"
#: The accounts the runner creates: e-mail -> (role, which organisation).
ACCOUNTS = {
    "aanbieder@bench.example.org": ("provider_admin", "provider"),
    "beleid@bench.example.org": ("policy_officer", "region"),
    "raadslid@bench.example.org": ("body_member", "council"),
}
PASSWORD = "bench-portal-2026"
#: Targets of issues #7 and #8.
TARGET_P95_MS = 300
TARGET_BASELINE_FACTOR = 5
TARGET_IMPORT_ROWS_PER_SECOND = 20_000


@dataclass(frozen=True)
class KeyPage:
    """A page to measure: who asks for it, and where."""

    name: str
    path: str
    #: The demo account that signs in for it; None for a visitor.
    account: str | None


KEY_PAGES: list[KeyPage] = [
    KeyPage("provider dashboard", "/kpi/aanbieder?jaar=2025", "aanbieder@bench.example.org"),
    KeyPage("municipality market dashboard", "/kpi/gemeente?jaar=2025", "beleid@bench.example.org"),
    KeyPage("council view", "/kpi/raad?jaar=2025", "raadslid@bench.example.org"),
    KeyPage("public scoreboard", f"/openbaar/scorebord/{REGION_CODE}?jaar=2025", None),
    KeyPage("screening queue", "/beoordeling", portal_data.REVIEWER),
    KeyPage("consultation summary", portal_data.SUMMARY_PATH, "beleid@bench.example.org"),
    KeyPage("public register", f"/register/{REGION_CODE}/{MUNICIPALITY_CODES[0]}", None),
]


@dataclass
class Measurement:
    """Latency of one user and throughput of several, for one URL."""

    bytes: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    requests_per_second: float = 0.0
    errors: int = 0


@dataclass
class PageResult:
    """A key page next to its baseline, and whether it meets the targets."""

    name: str
    path: str
    page: Measurement
    baseline: Measurement
    meets_target: bool = False
    factor: float = 0.0


@dataclass
class Report:
    """Everything one run measured."""

    size: str
    date: str
    machine: dict
    import_rows: int = 0
    import_seconds: float = 0.0
    import_rows_per_second: float = 0.0
    pages: list[PageResult] = field(default_factory=list)
    settings: dict = field(default_factory=dict)


# Database and data --------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database (refusing names that look like test databases)."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "test" in name:
        raise SystemExit(f"refusing to empty {name!r}: it looks like a test database")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def analyze(url: str) -> None:
    """Give the planner statistics of every table, as autovacuum does within a minute of a change.

    The import analyses the tables it fills; the rest of the set-up (applications, consultations)
    relies on autovacuum, which a server may run without (this machine's does). Without
    statistics the planner guesses one row per table: the consultation summary took 35 ms
    instead of 17 ms in process at L, on a nested loop over every reaction.
    """
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")


def flask(env: dict, *args: str) -> None:
    """Run a flask command of the portal against the benchmark database."""
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def set_up_region(session, size: str) -> None:
    """Create the fictional region, its municipalities and providers, and the accounts; flush."""
    from portal.auth.services import hash_password
    from portal.kpi import dashboards
    from portal.models import Body, BodyKind, LegalForm, Membership, Municipality, Provider, Region, Role, User

    region = Region(name="Benchmarkregio (fictief)", code=REGION_CODE)
    municipalities = [
        Municipality(name=f"Meetgemeente {number}", cbs_code=code, region=region)
        for number, code in enumerate(MUNICIPALITY_CODES[: SIZES[size].municipalities], start=1)
    ]
    providers = [
        Provider(name=f"Benchmarkaanbieder {number:03d} (fictief)", kvk_number=kvk, legal_form=LegalForm.STICHTING)
        for number, kvk in enumerate(provider_kvks(SIZES[size].providers), start=1)
    ]
    council = Body(name=f"Gemeenteraad {municipalities[0].name}", body_kind=BodyKind.GEMEENTERAAD,
                   municipality=municipalities[0])
    session.add_all([region, *municipalities, *providers, council])
    session.flush()
    organisations = {"region": region, "provider": providers[0], "council": council}
    password = hash_password(PASSWORD)
    for email, (role, organisation) in ACCOUNTS.items():
        user = User(email=email, name=email.split("@")[0].title(), password_hash=password)
        session.add_all([user, Membership(user=user, organisation=organisations[organisation], role=Role(role))])
    session.flush()
    dashboards.save_kpi_settings(session, region_id=region.id, scoreboard_public=True, growth_threshold=15)
    portal_data.add_portal_data(session, region=region, providers=providers, password_hash=password, size=size)


def import_region(env: dict, size: str, folder: Path) -> tuple[int, float]:
    """Set up the region, write its care data, import it; return rows and seconds of the import."""
    trajectories_path, claims_path = generate(SIZES[size], folder)
    os.environ.update(env)
    from portal import create_app
    from portal.config import Settings
    from portal.extensions import db
    from portal.kpi.importer import import_files

    app = create_app(Settings.from_env())
    with app.app_context():
        set_up_region(db.session, size)
        db.session.commit()
        began = time.perf_counter()
        with open(trajectories_path, encoding="utf-8-sig", newline="") as trajectories, \
                open(claims_path, encoding="utf-8-sig", newline="") as claims:
            result = import_files(db.session, trajectories=trajectories, claims=claims)
        db.session.commit()
        seconds = time.perf_counter() - began
        if result.rejected:
            raise SystemExit(f"the synthetic data had {result.rejected} rejected rows: {result.errors[:3]}")
        rows = result.trajectories.rows + result.claims.rows
    return rows, seconds


# HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """Start gunicorn on loopback with the portal and the baseline; wait until it answers."""
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "600", "--log-level", "warning", "bench.wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_bench/baseline?bytes=100", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer within 60 seconds")


def stop(process: subprocess.Popen) -> None:
    """Stop the gunicorn started by this run (its own process group only)."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


class Browser:
    """A visitor with its own cookies: signs in through the login form like a person."""

    def __init__(self, base: str, cookies: http.cookiejar.CookieJar | None = None) -> None:
        self.base = base
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.worker: str | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        """Fetch a page; return its status and body (``worker`` says which gunicorn worker answered)."""
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                self.worker = response.headers.get(WORKER_HEADER)
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            self.worker = error.headers.get(WORKER_HEADER)
            return error.code, error.read()

    def sign_in(self, email: str) -> None:
        """Sign in with the demo password."""
        _status, body = self.get("/inloggen")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        if token is None:
            token = re.search(rb'name="csrf_token" value="([^"]+)"', body)
        data = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": PASSWORD})
        with self.opener.open(self.base + "/inloggen", data=data.encode(), timeout=60) as response:
            if "/inloggen" in response.url:
                raise SystemExit(f"could not sign in as {email}")

    def copy(self) -> Browser:
        """Return another visitor with the same cookies (the same signed-in user)."""
        jar = http.cookiejar.CookieJar()
        for cookie in self.cookies:
            jar.set_cookie(cookie)
        return Browser(self.base, jar)


def one_user(browser: Browser, path: str, requests: int, workers: int = 1, warm_up: int = 3) -> Measurement:
    """Time sequential requests of one user after untimed ones; return p50/p95 and the page size.

    Every gunicorn worker compiles a page's templates and statements on its first request for
    it, and any worker may answer: warm up until each of the ``workers`` has answered the page
    ``warm_up`` times (at most 30 requests per worker), so that the timed requests show the
    steady state a user meets rather than a worker's first time.
    """
    answered: collections.Counter[str | None] = collections.Counter()
    for _ in range(30 * max(workers, 1)):
        status, body = browser.get(path)
        answered[browser.worker] += 1
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        if len(answered) >= workers and min(answered.values()) >= warm_up:
            break
    times, errors = [], 0
    for _ in range(requests):
        began = time.perf_counter()
        status, _body = browser.get(path)
        times.append((time.perf_counter() - began) * 1000)
        errors += status != 200
    quantiles = statistics.quantiles(times, n=20, method="inclusive")
    return Measurement(bytes=len(body), p50_ms=round(statistics.median(times), 1), p95_ms=round(quantiles[18], 1),
                       errors=errors)


def many_users(browser: Browser, path: str, users: int, seconds: float) -> tuple[float, int]:
    """Let several users request the page in a loop for a while; return requests/s and errors."""
    done, errors = [0] * users, [0] * users
    stop_at = time.monotonic() + seconds

    def work(index: int) -> None:
        own = browser.copy()
        while time.monotonic() < stop_at:
            status, _body = own.get(path)
            done[index] += 1
            errors[index] += status != 200

    began = time.monotonic()
    threads = [threading.Thread(target=work, args=(index,), daemon=True) for index in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - began), sum(errors)


def measure(base: str, page: KeyPage, *, requests: int, users: int, seconds: float, workers: int) -> PageResult:
    """Measure a page and its baseline of the same size."""
    browser = Browser(base)
    if page.account:
        browser.sign_in(page.account)
    result = one_user(browser, page.path, requests, workers)
    result.requests_per_second, result.errors = many_users(browser, page.path, users, seconds)
    bare = Browser(base)
    baseline_path = f"/_bench/baseline?bytes={result.bytes}"
    baseline = one_user(bare, baseline_path, requests, workers)
    baseline.requests_per_second, baseline.errors = many_users(bare, baseline_path, users, seconds)
    factor = result.p95_ms / baseline.p95_ms if baseline.p95_ms else float("inf")
    return PageResult(
        name=page.name, path=page.path, page=result, baseline=baseline, factor=round(factor, 1),
        meets_target=result.p95_ms <= TARGET_P95_MS and factor <= TARGET_BASELINE_FACTOR and not result.errors,
    )


# Report ----------------------------------------------------------------------------------------


def machine() -> dict:
    """Describe the machine the numbers were measured on."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kilobytes = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        memory = f"{kilobytes / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    with psycopg.connect(os.environ.get("BENCH_ADMIN_URL", DEFAULT_URL.rsplit("/", 1)[0] + "/postgres")) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
        # The settings that moved numbers between runs before: name them beside the numbers.
        settings = {name: connection.execute(f"SHOW {name}").fetchone()[0]
                    for name in ("shared_buffers", "work_mem", "max_wal_size", "autovacuum")}
    return {"cpu": model, "cores": os.cpu_count(), "memory": memory, "os": platform.platform(),
            "python": platform.python_version(), "postgresql": server, "postgresql_settings": settings,
            # Other work on the machine inflates every number; a run on a busy machine says so.
            "load_average_at_start": [round(value, 2) for value in os.getloadavg()]}


def print_table(report: Report) -> None:
    """Print the results as a table people can read."""
    print(f"\nSize {report.size}, {report.date}, {report.machine.get('cpu')} ({report.machine.get('cores')} cores), "
          f"load average at the start {report.machine.get('load_average_at_start')}")
    if report.import_rows:
        print(f"Import: {report.import_rows:,} rows in {report.import_seconds:.1f} s = "
              f"{report.import_rows_per_second:,.0f} rows/s (target >= {TARGET_IMPORT_ROWS_PER_SECOND:,})")
    else:
        print("Import: not measured (--reuse)")
    header = f"{'page':32} {'KB':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} | {'base p50':>8} {'base p95':>8} {'req/s':>7} | {'x base':>6}  ok"
    print(header)
    print("-" * len(header))
    for item in report.pages:
        page, base = item.page, item.baseline
        print(f"{item.name:32} {page.bytes / 1024:6.0f} {page.p50_ms:8.1f} {page.p95_ms:8.1f} {page.requests_per_second:7.1f} | "
              f"{base.p50_ms:8.1f} {base.p95_ms:8.1f} {base.requests_per_second:7.1f} | {item.factor:6.1f}  "
              f"{'yes' if item.meets_target else 'NO'}")


def main(argv: list[str] | None = None) -> None:
    """Set up, import, serve and measure; print a table and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the database and its data; skip set-up and import")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    # 200, not 40: the p95 of 40 requests is their second slowest, so one pause of the machine moved it.
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per page for p50/p95")
    parser.add_argument("--users", type=int, default=8, help="users at once for the throughput")
    parser.add_argument("--seconds", type=float, default=10, help="how long each throughput measurement lasts")
    parser.add_argument("--only", help="measure only the key pages whose name contains this")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "bench-results.json")
    args = parser.parse_args(argv)

    # The file store of the demo seed goes to a folder of its own, outside the repository.
    instance = Path(tempfile.gettempdir()) / "portal-bench-instance"
    instance.mkdir(exist_ok=True)
    env = {**os.environ, "PORTAL_DATABASE_URL": args.database_url, "PORTAL_ENV": "demo",
           "PORTAL_INSTANCE_PATH": str(instance)}
    report = Report(size=args.size, date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), machine=machine(),
                    settings={"workers": args.workers, "requests": args.requests, "users": args.users,
                              "seconds": args.seconds})
    if not args.reuse:
        recreate_database(args.database_url)
        flask(env, "db", "upgrade", "heads")
        with tempfile.TemporaryDirectory(prefix="bench-region-") as folder:
            rows, seconds = import_region(env, args.size, Path(folder))
        report.import_rows, report.import_seconds = rows, round(seconds, 1)
        report.import_rows_per_second = round(rows / seconds)
        print(f"imported {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)", flush=True)
    analyze(args.database_url)

    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        for page in KEY_PAGES:
            if args.only and args.only not in page.name:
                continue
            result = measure(f"http://127.0.0.1:{port}", page, requests=args.requests, users=args.users,
                             seconds=args.seconds, workers=args.workers)
            report.pages.append(result)
            print(f"{page.name}: p95 {result.page.p95_ms} ms (baseline {result.baseline.p95_ms} ms)", flush=True)
    finally:
        stop(server)
    print_table(report)
    args.json.write_text(json.dumps(asdict(report), indent=2))
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
