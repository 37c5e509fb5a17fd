"""Computed KPI pages, kept in each server process for as long as the data they show is unchanged.

The KPI pages read figures that change only when care data is imported, and the names of the
organisations and product groups they show. Computing a page from the summaries takes tens of
milliseconds with a large region (hundreds of providers, several statements, thousands of rows),
while the figures stay the same for weeks. So a page's figures (a ``dashboards.Page``) are kept
per key and data version, and computed again only when the version changes.

The version is the token in ``kpi_data_version``, one small row read once per request. A new
token is written:

- at every rebuild of the summaries, in the import's transaction (portal.kpi.summary);
- at every flush that adds, changes or removes an organisation, a round or a product group
  (their names, KvK numbers, CBS codes, regions and statuses are part of the pages), in the same
  transaction as the change (``_names_changed`` below). Changes made without the ORM's unit of
  work (a bulk UPDATE, raw SQL) are not seen: the portal makes none to these tables, and a test
  walks the ways it does change them.

No token (no summaries yet): nothing is kept, every page is computed. Whatever else a page
depends on is part of its key, given by the caller: who asks, the period, the filters.

Who may see a page is decided before it is looked up, by the view, and the key holds what
scopes it (the provider, the municipalities): two organisations never share an entry unless
their keys say they see the same figures. Kept pages are shared, so nothing may change one
after it was computed; the pages' tables are built once and only read by templates and
downloads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from itertools import chain

from cachetools import LRUCache
from flask import current_app, g
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.models import KpiDataVersion, Organisation, ProductGroup, Round
from portal.models.kpi import new_token

T = TypeVar("T")

#: How many computed pages a server process keeps; the least recently used go first. Measured at
#: the benchmark's size L (300 providers): a provider dashboard takes about 175 KB, a municipality
#: dashboard or the public scoreboard about 0.8 MB with its tables rendered in one language, so
#: at most about 64 MB per process when every kept page is of the largest kind.
SIZE = 64

#: A store is shared by the threads of a process (a threaded server such as the development one).
_LOCK = threading.Lock()


def _kept() -> LRUCache:
    """Return this application's store (one per application, so tests' apps never share one)."""
    store = current_app.extensions.get("kpi_pages")
    if store is None:
        store = current_app.extensions.setdefault("kpi_pages", LRUCache(maxsize=SIZE))
    return store


#: What the pages show besides the figures: adding, changing or removing one is a new version.
NAMED = (Organisation, Round, ProductGroup)

_TOKEN = select(KpiDataVersion.token).where(KpiDataVersion.id == 1)
_NEW_TOKEN = update(KpiDataVersion.__table__).where(KpiDataVersion.__table__.c.id == 1)


@event.listens_for(Session, "after_flush")
def _names_changed(session: Session, _flush_context) -> None:
    """Write a new token when a flush added, changed or removed something the pages name."""
    if any(isinstance(instance, NAMED) for instance in chain(session.new, session.dirty, session.deleted)):
        # Core, not the ORM: this runs inside the flush, in its transaction.
        session.connection().execute(_NEW_TOKEN.values(token=new_token()))


def data_version(session: Session) -> str | None:
    """Return the version of the data the KPI pages are computed from, or None to keep nothing.

    One statement, read once per request.
    """
    if "kpi_data_version" not in g:
        g.kpi_data_version = session.scalar(_TOKEN)
    return g.kpi_data_version


def computed(session: Session, key: tuple, compute: Callable[[], T]) -> T:
    """Return what ``compute()`` returns for this key and the current data version.

    Computes only when no result is kept for both; the result must not be changed afterwards.
    """
    version = data_version(session)
    if version is None:
        return compute()
    full_key = (version, *key)
    store = _kept()
    with _LOCK:
        found = store.get(full_key)
    if found is None:
        found = compute()
        with _LOCK:
            store[full_key] = found
    return found
