"""Two KPI imports started at the same moment run one after the other and store each row once.

Real concurrency: each import runs in its own thread with its own application context, session
and connection. The test holds the database's import lock itself (PostgreSQL: the advisory lock
of `import_files`; SQLite: the one write lock) until both imports are inside `import_files` and
waiting for it, then lets go. The second one to get the lock must see the first one's rows and
update them, not fail on a unique key. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.kpi.importer import _IMPORT_LOCK, ImportResult, import_files
from portal.kpi.summary import refresh_summaries
from portal.models import Claim, ImportStatus, KpiImport, Trajectory
from portal.models.kpi import ScopeSummary, SpendMonth
from tests.kpi import CLAIM_HEADER, TRAJECTORY_HEADER, csv_text, trajectory_row

#: How long the test waits for a thread (at the barrier, for the lock, to finish) before failing.
WAIT_SECONDS = 20
#: How long the imports are kept waiting on SQLite, where no view shows who waits for a lock;
#: well under busy_timeout (portal.db.SQLITE_BUSY_TIMEOUT_MS), which the second import spends
#: waiting for the first as well.
SQLITE_HOLD_SECONDS = 0.3

#: One import: four trajectories and their claims.
FILE_A = (
    [trajectory_row("T-1"), trajectory_row("T-2", client_ref="C-2"), trajectory_row("T-3", client_ref="C-3"),
     trajectory_row("T-4", client_ref="C-4")],
    ["T-1,2025-01,100.00", "T-2,2025-01,200.00", "T-3,2025-01,300.00", "T-4,2025-02,400.00"],
)
#: Another import overlapping the first: T-3 changed (ended, another amount), T-4 as in A, two new ones.
FILE_B = (
    [trajectory_row("T-3", client_ref="C-3", end_date="2025-03-31", end_reason="31", goals_met="yes"),
     trajectory_row("T-4", client_ref="C-4"), trajectory_row("T-5", client_ref="C-5"),
     trajectory_row("T-6", client_ref="C-6", provider_kvk="90000002", product_group="BGI")],
    ["T-3,2025-01,350.00", "T-3,2025-02,350.00", "T-4,2025-02,400.00", "T-5,2025-01,500.00",
     "T-6,2025-03,600.00"],
)
#: (imported, updated, unchanged) of trajectories and of claims: the first import finds nothing,
#: the second finds the overlap the first stored.
ALONE = {"A": ((4, 0, 0), (4, 0, 0)), "B": ((4, 0, 0), (5, 0, 0))}
AFTER = {"A": ((2, 1, 1), (2, 1, 1)), "B": ((2, 1, 1), (3, 1, 1))}
#: The trajectories and claims stored when only that import ran.
EXPECTED_ALONE = {
    "A": (["T-1", "T-2", "T-3", "T-4"], [("T-1", date(2025, 1, 1)), ("T-2", date(2025, 1, 1)),
                                         ("T-3", date(2025, 1, 1)), ("T-4", date(2025, 2, 1))]),
    "B": (["T-3", "T-4", "T-5", "T-6"], [("T-3", date(2025, 1, 1)), ("T-3", date(2025, 2, 1)),
                                         ("T-4", date(2025, 2, 1)), ("T-5", date(2025, 1, 1)),
                                         ("T-6", date(2025, 3, 1))]),
}


def counts(result: ImportResult) -> tuple[tuple[int, int, int], ...]:
    """Return (imported, updated, unchanged) of the trajectories and of the claims."""
    return tuple((c.imported, c.updated, c.unchanged) for c in (result.trajectories, result.claims))


@contextmanager
def holding_the_import_lock() -> Iterator:
    """Hold the lock an import waits for, on a connection of its own, until the block ends."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the one write lock SQLite has
        try:
            yield connection
        finally:
            connection.rollback()


def wait_until_both_wait(connection, started: list[str]) -> None:
    """Return once both imports are blocked on the lock the test holds; fail if either got past it."""
    if connection.dialect.name == "postgresql":
        waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                       " AND classid = 0 AND objid = :key AND database ="
                       " (SELECT oid FROM pg_database WHERE datname = current_database())")
        deadline = time.monotonic() + WAIT_SECONDS
        while connection.execute(waiting, {"key": _IMPORT_LOCK}).scalar() < 2:
            assert time.monotonic() < deadline, "the imports did not both wait for the advisory lock"
            time.sleep(0.02)
    else:
        time.sleep(SQLITE_HOLD_SECONDS)
    assert started == [], "an import went on while the test held the lock"


def import_at_the_same_moment(app, files: dict[str, tuple[list[str], list[str]]]) -> tuple[dict, list[str]]:
    """Run each import in its own thread and context, started together while the test holds the lock.

    Return each import's result (or the exception it raised) by name, and the names in the order
    the imports got the lock (the importer reports progress only once it holds it).
    """
    barrier = threading.Barrier(len(files) + 1)
    results: dict[str, ImportResult | BaseException] = {}
    started: list[str] = []
    guard = threading.Lock()

    def run(name: str, trajectories: list[str], claims: list[str]) -> None:
        def got_the_lock(*_progress) -> None:
            with guard:
                if name not in started:
                    started.append(name)

        with app.app_context():
            try:
                barrier.wait(timeout=WAIT_SECONDS)
                results[name] = import_files(
                    db.session, trajectories=csv_text(TRAJECTORY_HEADER, *trajectories),
                    claims=csv_text(CLAIM_HEADER, *claims), trajectories_name=f"{name}-trajectories.csv",
                    claims_name=f"{name}-claims.csv", on_progress=got_the_lock)
                db.session.commit()
            except BaseException as error:  # kept to fail the test with it
                results[name] = error
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(name, *rows), name=f"import-{name}") for name, rows in files.items()]
    try:
        with holding_the_import_lock() as connection:
            for thread in threads:
                thread.start()
            barrier.wait(timeout=WAIT_SECONDS)
            wait_until_both_wait(connection, started)
    finally:
        # Also when the test fails here: no import may outlive the test and its emptied tables.
        for thread in threads:
            thread.join(timeout=WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "an import did not finish"
    db.session.expire_all()  # the threads changed rows this test's session may hold
    return results, started


def stored_keys() -> tuple[list[str], list[tuple[str, date]]]:
    """Return the stored trajectory refs and (trajectory ref, period) of the claims, in order."""
    trajectories = db.session.scalars(select(Trajectory.trajectory_ref).order_by(Trajectory.trajectory_ref)).all()
    claims = db.session.execute(select(Trajectory.trajectory_ref, Claim.period).join(Claim.trajectory)
                                .order_by(Trajectory.trajectory_ref, Claim.period)).all()
    return list(trajectories), [tuple(claim) for claim in claims]


def summaries() -> tuple[list, list]:
    """Return every row of both summaries, without the scope summary's generated id."""
    spend = db.session.execute(select(SpendMonth.__table__).order_by(*SpendMonth.__table__.primary_key)).all()
    columns = [column for column in ScopeSummary.__table__.c if column.name != "id"]
    scopes = sorted(db.session.execute(select(*columns)).all(), key=repr)
    return spend, scopes


def test_two_imports_at_the_same_moment_run_one_after_the_other_and_store_every_row_once(app, cast):
    results, order = import_at_the_same_moment(app, {"A": FILE_A, "B": FILE_B})

    assert order, results  # at least one import got the lock and read its files
    first = order[0]
    second = "B" if first == "A" else "A"
    assert not isinstance(results[first], BaseException), results[first]
    assert counts(results[first]) == ALONE[first]
    if db.engine.dialect.name == "sqlite" and isinstance(results[second], OperationalError):
        # SQLite: the second waits for the first one's write lock for busy_timeout at most.
        # Only on a very slow machine does the first take longer; then the second is refused
        # before it has written anything (not even its log entry) and the first is kept whole.
        assert "database is locked" in str(results[second])
        assert stored_keys() == EXPECTED_ALONE[first]
        assert [(log.trajectories_file, log.status) for log in db.session.scalars(select(KpiImport))] == [
            (f"{first}-trajectories.csv", ImportStatus.SUCCEEDED)]
        return
    assert not isinstance(results[second], BaseException), results[second]
    assert order == [first, second]
    # The second saw the first one's rows: it updated or left them, and inserted only its own.
    assert counts(results[second]) == AFTER[second]
    assert stored_keys() == (
        ["T-1", "T-2", "T-3", "T-4", "T-5", "T-6"],
        [("T-1", date(2025, 1, 1)), ("T-2", date(2025, 1, 1)), ("T-3", date(2025, 1, 1)), ("T-3", date(2025, 2, 1)),
         ("T-4", date(2025, 2, 1)), ("T-5", date(2025, 1, 1)), ("T-6", date(2025, 3, 1))],
    )
    # T-3 holds what the second import said about it.
    changed = db.session.scalar(select(Trajectory).where(Trajectory.trajectory_ref == "T-3"))
    amount = db.session.scalar(select(Claim.amount_granted).where(Claim.trajectory_id == changed.id,
                                                                  Claim.period == date(2025, 1, 1)))
    if second == "B":
        assert (changed.end_date, changed.end_reason, Decimal(amount)) == (date(2025, 3, 31), "31", Decimal("350.00"))
    else:
        assert (changed.end_date, changed.end_reason, Decimal(amount)) == (None, None, Decimal("300.00"))
    logs = {log.trajectories_file: (log.status, ((log.trajectories_imported, log.trajectories_updated,
                                                  log.trajectories_unchanged),
                                                 (log.claims_imported, log.claims_updated, log.claims_unchanged)))
            for log in db.session.scalars(select(KpiImport))}
    assert logs == {f"{name}-trajectories.csv": (ImportStatus.SUCCEEDED, counts(results[name])) for name in "AB"}
    # The summaries the second import left are those of all the stored care, as a rebuild makes them.
    left = summaries()
    assert left[0] and left[1]
    refresh_summaries(db.session)
    assert summaries() == left
    db.session.rollback()
