"""Pages computed from data that seldom changes, kept in each server process per data version.

Some pages take tens of milliseconds to compute while what they show changes seldom: the KPI
pages (new care data comes every few weeks) and the summary of a closed consultation (it changes
while staff code the points, and then not at all). A ``Kept`` keeps what ``compute()`` returned
under a key given by the caller and the current token of its kind of data (a row of
``data_versions``), and computes again when the token changed.

The token is read once per request (one small primary-key row) and renewed in the transaction of
the change: each kind of data says what changes it and calls ``renew_at_commit``, and the token
is written just before that transaction commits, so that the row is locked for the least time
(two people changing data at once wait for each other only for the commit). No row: nothing is
kept, everything is computed. What a page depends on besides its data (who
asks, the period, the filters, the language) belongs in its key. Who may see a page is decided
before it is looked up, by the view. Kept results are shared between requests and users, so
they must be plain values (never database objects, which belong to one request) and nothing may
change them afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, g
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session

from portal.models.versions import DataVersion, new_token

T = TypeVar("T")

_TABLE = DataVersion.__table__
#: Where a session notes which kinds of data its transaction changed.
_CHANGED = "kept: changed"


class Kept:
    """Results kept per key and version of one kind of data, at most ``size`` per process."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        #: A process's store is shared by its threads (a threaded server such as the development one).
        self._lock = threading.Lock()
        self._read = select(DataVersion.token).where(DataVersion.name == name)
        self._renew = update(_TABLE).where(_TABLE.c.name == name)

    def store(self) -> LRUCache:
        """Return this application's store (one per application, so tests' apps never share one)."""
        key = f"kept {self.name}"
        found = current_app.extensions.get(key)
        if found is None:
            found = current_app.extensions.setdefault(key, LRUCache(maxsize=self.size))
        return found

    def version(self, session: Session) -> str | None:
        """Return the current token, or None to keep nothing; read once per request."""
        versions = g.setdefault("kept_versions", {})
        if self.name not in versions:
            versions[self.name] = session.scalar(self._read)
        return versions[self.name]

    def computed(self, session: Session, key: tuple, compute: Callable[[], T]) -> T:
        """Return what ``compute()`` returns for this key and the current version.

        Computes only when nothing is kept for both; the result must not be changed afterwards.
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

    def start(self, session: Session) -> None:
        """Write a new token, creating the row when there is none: from now on results are kept."""
        session.execute(delete(DataVersion).where(DataVersion.name == self.name))
        session.execute(insert(DataVersion).values(name=self.name, token=new_token()))

    def renew(self, session: Session) -> None:
        """Write a new token now, when there is a row, in the session's transaction."""
        session.connection().execute(self._renew.values(token=new_token()))

    def renew_at_commit(self, session: Session) -> None:
        """Write a new token (when there is a row) just before this session's transaction commits.

        Safe to call inside a flush and its events.
        """
        session.info.setdefault(_CHANGED, set()).add(self)


@event.listens_for(Session, "before_commit")
def _renew_changed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the transaction around it commits later
    # The commit flushes after this event: whatever that flush changes must count too. A change
    # that was rolled back stays noted: a token renewed once too often costs a computation only.
    session.flush()
    for kept in session.info.pop(_CHANGED, ()):
        kept.renew(session)
