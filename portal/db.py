"""The declarative base, its naming convention and the one-transaction-per-request rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, MetaData, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names that Alembic can find again on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """Adds creation and update moments, set by the database in UTC."""

    #: When the row was created (UTC, set by the database).
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    #: When the row was last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


#: How long a write waits on SQLite while another transaction writes (SQLite allows one writer)
#: before it fails with "database is locked": longer than a care-data import of the demo's size
#: takes (15 s on a loaded machine), so that signing in or saving a form during one waits for it
#: instead of failing. Below gunicorn's default worker timeout of 30 s.
SQLITE_BUSY_TIMEOUT_MS = 20_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Make SQLite enforce foreign keys, wait for locks like a real server, and let pages read
    while a long transaction writes (write-ahead log: readers see the last commit instead of
    waiting for the writer, e.g. the import page while its import runs in the background)."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file; an in-memory database ignores it
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_transaction(connection, name) -> None:
    """Open the transaction before a savepoint on SQLite.

    Python's sqlite3 module begins a transaction only before it changes data. A savepoint opened
    before any change therefore became the transaction itself, and releasing it committed part of
    a request that might still fail. Beginning first keeps the savepoint nested.
    """
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def init_transactions(app) -> None:
    """Commit once per request when it succeeded, roll back otherwise."""
    from portal.extensions import db, file_store
    from portal.mail import deliver_queued

    @app.after_request
    def _commit_on_success(response):
        session = db.session
        if response.status_code < 400:
            session.commit()
            file_store.request_committed()
            deliver_queued()
        else:
            session.rollback()
            file_store.request_rolled_back()
        return response

    @app.teardown_request
    def _rollback_on_error(exc):
        if exc is not None:
            db.session.rollback()
            file_store.request_rolled_back()
