"""Computed KPI pages, kept in each server process for as long as the data they show is unchanged.

The KPI pages read figures that change only when care data is imported, and the names of the
organisations and product groups they show. Computing a page from the summaries takes tens of
milliseconds with a large region (hundreds of providers, several statements, thousands of rows),
while the figures stay the same for weeks. So a page's figures (a ``dashboards.Page``) are kept
per key and version of the data (portal.kept). The token of the ``kpi`` data is written:

- at every rebuild of the summaries, in the import's transaction (portal.kpi.summary); the first
  rebuild creates it, so nothing is kept before there are summaries;
- at every flush that adds, changes or removes an organisation, a round or a product group
  (their names, KvK numbers, CBS codes, regions and statuses are part of the pages), when the
  transaction of the change commits (``_names_changed`` below). Changes made without the ORM's unit of
  work (a bulk UPDATE, raw SQL) are not seen: the portal makes none to these tables, and a test
  walks the ways it does change them.

Whatever else a page depends on is part of its key, given by the caller: who asks (the provider,
the municipalities: what scopes the page), the period, the filters.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.kept import Kept
from portal.models import Organisation, ProductGroup, Round

#: At most this many computed pages per process; the least recently used go first. Measured at the
#: benchmark's size L (300 providers): a provider dashboard takes about 175 KB, a municipality
#: dashboard or the public scoreboard about 0.8 MB with its tables rendered in one language, so
#: at most about 64 MB per process when every kept page is of the largest kind.
pages = Kept("kpi", size=64)
computed = pages.computed

#: What the pages show besides the figures: adding, changing or removing one is a new version.
NAMED = (Organisation, Round, ProductGroup)


@event.listens_for(Session, "after_flush")
def _names_changed(session: Session, _flush_context) -> None:
    """Write a new token when a flush added, changed or removed something the pages name."""
    if any(isinstance(instance, NAMED) for instance in chain(session.new, session.dirty, session.deleted)):
        pages.renew_at_commit(session)
