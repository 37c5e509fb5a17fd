"""Computed KPI pages, kept in each server process for as long as the data they show is unchanged.

The KPI pages read figures that change only when care data is imported: every import rebuilds
the summaries and writes a new token to ``kpi_data_version`` (portal.kpi.summary). Computing a
page from the summaries takes tens of milliseconds with a large region (hundreds of providers,
several statements, thousands of rows), while the figures stay the same for weeks. So a page's
figures (a ``dashboards.Page``) are kept per key and data version, and computed again only when
the version changes.

The version of a page is everything it is computed from that can change without an import:

- the summaries' token (no token, no summaries yet: nothing is kept, every page is computed);
- the names, KvK numbers and CBS codes of organisations, through their count, their highest id
  and the sum of their ``version`` (raised on every change; portal.models.Organisation);
- whatever else the caller puts in the key: who asks, the period, the filters, the product
  group names of the rounds (read for every request; they are not versioned).

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

from cachetools import LRUCache
from flask import current_app, g
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import KpiDataVersion, Organisation

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


def data_version(session: Session) -> tuple | None:
    """Return the version of the data the KPI pages are computed from, or None to keep nothing.

    One statement, read once per request.
    """
    if "kpi_data_version" not in g:
        token = select(KpiDataVersion.token).where(KpiDataVersion.id == 1).scalar_subquery()
        organisations = select(
            func.count(), func.coalesce(func.sum(Organisation.version), 0), func.coalesce(func.max(Organisation.id), 0)
        ).subquery()
        row = session.execute(select(token, *organisations.c)).one()
        g.kpi_data_version = None if row[0] is None else tuple(row)
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
