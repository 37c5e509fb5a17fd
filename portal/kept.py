"""Pages computed from data that seldom changes, kept in each server process per data version.

Some pages take milliseconds to tens of milliseconds to compute while what they show changes
seldom: the KPI pages (new care data comes every few weeks), the summary of a closed
consultation (it changes while staff code the points, and then not at all), the lists of
rounds, product groups and municipalities a filter offers. A ``Kept`` keeps what ``compute()``
returned under a key given by the caller and the current tokens of the kinds of data it depends
on (rows of ``data_versions``), and computes again when a token changed.

Tokens are read once per request, all in one statement. A kind of data gets a new token when a
transaction that changed it commits:

- ``watch(name, *models)``: every flush that adds, changes or removes an instance of these
  models, and every INSERT, UPDATE or DELETE statement on them through the session, renews the
  token. Raw SQL is not seen: the portal writes none to watched tables.
- ``renew_at_commit(session, name)`` for any other change, ``start(session, name)`` to write a
  token at once, creating its row (the KPI import: no summaries, no row, nothing kept).

The token is written just before the transaction commits, so the row is locked for the least
time: two people changing data at once wait for each other only for the commit. No row: nothing
is kept, everything is computed.

What a result depends on besides its data (who asks, the period, the filters, the language)
belongs in its key. Who may see a page is decided before it is looked up, by the view. Kept
results are shared between requests and users, so they must be plain values (never database
objects, which belong to one request) and nothing may change them afterwards. The one exception
is the signed-in user (portal.auth.sessions): a copy detached from every session, which requests
never use themselves but copy into their own session with ``merge(load=False)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from itertools import chain
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, g
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from portal.models import DataVersion, Organisation, ProductGroup, Round
from portal.models.versions import new_token

T = TypeVar("T")

_TABLE = DataVersion.__table__
_TOKENS = select(DataVersion.name, DataVersion.token)
#: Where a session notes which kinds of data its transaction changed.
_CHANGED = "kept: changed"
#: The watched models of each kind of data (see watch).
_WATCHED: dict[str, tuple[type, ...]] = {}
#: The labels of the stores: each its own, so that two never mix their keys.
_LABELS: set[str] = set()


class Kept:
    """Results kept per key and per version of the kinds of data they depend on, at most ``size``
    per process (the least recently used go first); ``label`` names the store."""

    def __init__(self, label: str, *, depends_on: tuple[str, ...], size: int) -> None:
        if label in _LABELS:
            raise ValueError(f"two stores of kept results are called {label!r}")
        _LABELS.add(label)
        self.label = label
        self.names = depends_on
        self.size = size
        #: A process's store is shared by its threads (a threaded server such as the development one).
        self._lock = threading.Lock()

    def store(self) -> LRUCache:
        """Return this application's store (one per application, so tests' apps never share one)."""
        key = f"kept: {self.label}"
        found = current_app.extensions.get(key)
        if found is None:
            found = current_app.extensions.setdefault(key, LRUCache(maxsize=self.size))
        return found

    def version(self, session: Session) -> tuple[str, ...] | None:
        """Return the current tokens, or None (a kind without a token) to keep nothing."""
        tokens = read_tokens(session, self.names)
        return None if None in tokens else tokens

    def computed(self, session: Session, key: tuple, compute: Callable[[], T]) -> T:
        """Return what ``compute()`` returns for this key and the current version.

        Computes only when nothing is kept for both; the result must not be changed afterwards.
        None is never kept (a page not found is looked up again on every request).
        """
        version = self.version(session)
        if version is None:
            return compute()
        full_key = (version, *key)
        store = self.store()
        with self._lock:
            found = store.get(full_key)
        if found is None:
            found = compute()
            with self._lock:
                store[full_key] = found
        return found


def read_tokens(session: Session, names: tuple[str, ...]) -> tuple[str | None, ...]:
    """Return the token of each kind of data (None: no row). All of them are read at the first
    call of a request, in one statement (a row per kind), so a page using several stores reads once."""
    known = g.get("kept_tokens")
    if known is None:
        # On the session's connection: the ORM's handling of a statement cost more than the statement.
        known = g.kept_tokens = dict(session.connection().execute(_TOKENS).all())
    return tuple(known.get(name) for name in names)


def start(session: Session, name: str) -> None:
    """Write a new token at once, creating the row when there is none: from now on results are kept."""
    session.execute(delete(DataVersion).where(DataVersion.name == name))
    session.execute(insert(DataVersion).values(name=name, token=new_token()))


def renew_at_commit(session: Session, name: str) -> None:
    """Write a new token for this kind of data (when it has a row) just before the session's
    transaction commits. Safe to call inside a flush and its events."""
    session.info.setdefault(_CHANGED, set()).add(name)


def watch(name: str, *models: type) -> None:
    """Renew the token of this kind of data whenever instances of these models change.

    A watched kind has its row from the installation on: the migrations write one for each
    (0024, 0025; tests/test_migrations.py checks that none is missing).
    """
    _WATCHED[name] = _WATCHED.get(name, ()) + models


def watched() -> list[str]:
    """Return the names of the watched kinds of data."""
    return sorted(_WATCHED)


@event.listens_for(Session, "after_flush")
def _watched_changed(session: Session, _flush_context) -> None:
    changed = list(chain(session.new, session.dirty, session.deleted))
    for name, models in _WATCHED.items():
        if any(isinstance(instance, models) for instance in changed):
            renew_at_commit(session, name)


@event.listens_for(Session, "do_orm_execute")
def _watched_changed_in_bulk(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        for name, models in _WATCHED.items():
            if any(issubclass(mapper.class_, models) for mapper in state.all_mappers):
                renew_at_commit(state.session, name)


@event.listens_for(Session, "before_commit")
def _renew_changed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the transaction around it commits later
    # The commit flushes after this event: whatever that flush changes must count too. A change
    # that was rolled back stays noted: a token renewed once too often costs a computation only.
    session.flush()
    for name in session.info.pop(_CHANGED, ()):
        session.connection().execute(update(_TABLE).where(_TABLE.c.name == name).values(token=new_token()))


#: Organisations, rounds and product groups: their names and lists are on many pages.
ORGANISATIONS = "organisations"
watch(ORGANISATIONS, Organisation, Round, ProductGroup)
