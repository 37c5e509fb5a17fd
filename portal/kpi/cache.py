"""Computed KPI pages, kept in each server process for as long as the data they show is unchanged.

The KPI pages read figures that change only when care data is imported, and the names of the
organisations and product groups they show. Computing a page from the summaries takes tens of
milliseconds with a large region (hundreds of providers, several statements, thousands of rows),
while the figures stay the same for weeks. So a page's figures (a ``dashboards.Page``) are kept
per key and version of two kinds of data (portal.kept):

- ``kpi``: a new token at every rebuild of the summaries, in the import's transaction
  (portal.kpi.summary); the first rebuild creates it, so nothing is kept before there are
  summaries;
- ``organisations``: a new token whenever an organisation, a round or a product group is added,
  changed or removed (their names, KvK numbers, CBS codes, regions and statuses are part of the
  pages).

Whatever else a page depends on is part of its key, given by the caller: who asks (the provider,
the municipalities: what scopes the page), the period, the filters.
"""

from __future__ import annotations

from portal.kept import ORGANISATIONS, Kept

#: The kind of data the care-data import renews.
KPI = "kpi"

#: At most this many computed pages per process; the least recently used go first. Measured at the
#: benchmark's size L (300 providers): a provider dashboard takes about 175 KB, a municipality
#: dashboard or the public scoreboard about 0.8 MB with its tables rendered in one language, so
#: at most about 64 MB per process when every kept page is of the largest kind.
pages = Kept("KPI pages", depends_on=(KPI, ORGANISATIONS), size=64)
computed = pages.computed
