"""The summaries the KPI pages read, rebuilt after every change to care data.

- `kpi_spend_months`: the claims summed per month, provider, municipality and product group.
- `kpi_scope_summary`: every figure of the pages (spend, distinct clients, durations, waiting
  times, the counts behind the rates) per period (each year and quarter with care data) and scope (all care, a
  region or a municipality × a provider or all × a product group or all). Distinct counts,
  medians and percentiles do not add up, so each scope is computed on its own, with the
  engine's own SQL building blocks (portal.kpi.engine), which is what makes the summary hold
  exactly what the engine computes live.

Both are rebuilt as a whole inside the caller's transaction (the importer's savepoint), so they
never disagree with the trajectories and claims: a failed import rolls them back too. Every
statement is set-based; the number of statements does not grow with the data.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from portal.models import Claim, Municipality, Trajectory
from portal.models.kpi import ScopeSummary, SpendMonth


def refresh_summaries(session: Session) -> None:
    """Rebuild the spend summary and the scope summary; flush, never commit."""
    refresh_spend_summary(session)
    refresh_scope_summary(session)


def refresh_spend_summary(session: Session) -> None:
    """Rebuild the monthly spend summary from the claims and their trajectories; flush, never commit."""
    session.flush()
    session.execute(delete(SpendMonth))
    sums = (
        select(Claim.period, Trajectory.municipality_id, Trajectory.provider_id, Trajectory.product_group,
               func.sum(Claim.amount_granted))
        .join(Trajectory, Claim.trajectory_id == Trajectory.id)
        .group_by(Claim.period, Trajectory.municipality_id, Trajectory.provider_id, Trajectory.product_group)
    )
    session.execute(insert(SpendMonth).from_select(
        ["period", "municipality_id", "provider_id", "product_group", "amount"], sums,
    ))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE kpi_spend_months"))  # plans for the pages right after an import


#: The scopes of the summary: (area, by provider, by product group); area 0 = all care,
#: 1 = per region, 2 = per municipality.
GROUPINGS = [(area, by_provider, by_group) for area in (0, 1, 2) for by_provider in (False, True)
             for by_group in (False, True)]

#: The figures of a summary row, in the order the parts below select them.
FIGURES = [
    "clients", "spend", "ended", "duration_median_days", "duration_mean_days", "ended_with_rate_reason", "dropouts",
    "according_to_plan", "satisfaction_mean", "scores", "with_outcome", "goals_met", "started",
    "wait_median_days", "wait_p90_days",
]
#: Figures that are counts: 0 rather than None where a scope has none.
_COUNTS = {"clients", "spend", "ended", "ended_with_rate_reason", "dropouts", "according_to_plan", "scores",
           "with_outcome", "goals_met", "started"}
_KEYS = ["region_id", "municipality_id", "provider_id", "product_group"]


def summary_years(session: Session) -> tuple[int, int] | None:
    """Return the first and last year the scope summary covers: every year with care data."""
    first, last_start, last_end = session.execute(
        select(func.min(Trajectory.start_date), func.max(Trajectory.start_date), func.max(Trajectory.end_date))
    ).one()
    if first is None:
        return None
    first_claim, last_claim = session.execute(select(func.min(SpendMonth.period), func.max(SpendMonth.period))).one()
    firsts = [_year(value) for value in (first, first_claim) if value is not None]
    lasts = [_year(value) for value in (last_start, last_end, last_claim) if value is not None]
    return min(firsts), max(lasts)


def _year(value) -> int:
    return value.year if isinstance(value, date) else int(str(value)[:4])


def refresh_scope_summary(session: Session) -> None:
    """Rebuild the scope summary from the trajectories; flush, never commit.

    Call after the spend summary (its last month extends the years covered). One INSERT per
    scope kind (12), each a UNION ALL of four grouped statements (active clients, spend from the
    spend summary, ended trajectories, started trajectories) over all periods at once.
    """
    # The engine's own SQL: identical figures.
    from portal.kpi.engine import days_between, ended_aggregates, started_aggregates

    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # The rebuild sorts every trajectory a few times; with the default 4 MB each sort spills to
        # disk. SET LOCAL ends with the import's transaction.
        session.execute(text("SET LOCAL work_mem = '128MB'"))
    session.execute(delete(ScopeSummary))
    years = summary_years(session)
    if years is None:
        return
    periods = []
    for year in range(years[0], years[1] + 1):
        periods.append((year, 0, date(year, 1, 1), date(year, 12, 31)))
        for quarter in range(1, 5):
            first = date(year, 3 * quarter - 2, 1)
            last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
            periods.append((year, quarter, first, date.fromordinal(last.toordinal() - 1)))
    windows = union_all(*(
        select(literal(year, Integer).label("year"), literal(quarter, Integer).label("quarter"),
               literal(first, Date).label("first"), literal(last, Date).label("last"))
        for year, quarter, first, last in periods
    )).subquery("windows")
    w = windows.c
    places = Municipality.__table__
    active = and_(Trajectory.start_date <= w.last, or_(Trajectory.end_date.is_(None), Trajectory.end_date >= w.first))
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        _clients_by_grouping_sets(session, windows, active)

    for area, by_provider, by_group in GROUPINGS:
        keys = [
            (places.c.region_id if area >= 1 else cast(null(), Integer)).label("region_id"),
            (Trajectory.municipality_id if area == 2 else cast(null(), Integer)).label("municipality_id"),
            (Trajectory.provider_id if by_provider else cast(null(), Integer)).label("provider_id"),
            (Trajectory.product_group if by_group else cast(null(), String(10))).label("product_group"),
        ]
        real = [key for key, used in zip(keys, (area >= 1, area == 2, by_provider, by_group), strict=True) if used]
        partition = [w.year, w.quarter, *real]

        def base(*columns, condition):
            statement = select(*columns).select_from(Trajectory)
            if area >= 1:  # the municipalities table alone, without its organisations row
                statement = statement.join(places, places.c.id == Trajectory.municipality_id)
            return statement.join(windows, condition)

        def nulls(names):
            return [cast(null(), _type(name)).label(name) for name in names]

        if postgresql:
            c = _CLIENTS.c
            clients = select(
                c.year, c.quarter, c.region_id, c.municipality_id, c.provider_id, c.product_group, c.clients,
                *nulls(FIGURES[1:]),
            ).where(c.grouped == _grouping_mask(area, by_provider, by_group))
        else:
            clients = base(w.year, w.quarter, *keys, func.count(distinct(Trajectory.client_ref)).label("clients"),
                           *nulls(FIGURES[1:]), condition=active).group_by(w.year, w.quarter, *real)

        def ranked(value, condition, *extra):
            return base(
                w.year, w.quarter, *keys, value.label("value"), *extra,
                func.row_number().over(partition_by=partition, order_by=value).label("rank"),
                func.count().over(partition_by=partition).label("n"),
                condition=condition,
            ).subquery()

        ends = ranked(days_between(Trajectory.end_date, Trajectory.start_date),
                      Trajectory.end_date.between(w.first, w.last),
                      Trajectory.end_reason, Trajectory.satisfaction, Trajectory.goals_met)
        c = ends.c
        ends_keys = [c.year, c.quarter, *(c[name] for name in _KEYS)]
        figures = ended_aggregates(c)
        ended = select(
            *ends_keys, *nulls(["clients", "spend"]), *(figures[name] for name in FIGURES[2:12]),
            *nulls(FIGURES[12:]),
        ).group_by(*ends_keys)

        starts = ranked(days_between(Trajectory.start_date, Trajectory.request_date),
                        Trajectory.start_date.between(w.first, w.last))
        c = starts.c
        starts_keys = [c.year, c.quarter, *(c[name] for name in _KEYS)]
        started = select(*starts_keys, *nulls(FIGURES[:12]), *started_aggregates(c)).group_by(*starts_keys)

        spend_keys = [
            (places.c.region_id if area >= 1 else cast(null(), Integer)).label("region_id"),
            (SpendMonth.municipality_id if area == 2 else cast(null(), Integer)).label("municipality_id"),
            (SpendMonth.provider_id if by_provider else cast(null(), Integer)).label("provider_id"),
            (SpendMonth.product_group if by_group else cast(null(), String(10))).label("product_group"),
        ]
        spend_real = [key for key, used in zip(spend_keys, (area >= 1, area == 2, by_provider, by_group), strict=True)
                      if used]
        spend = select(w.year, w.quarter, *spend_keys, *nulls(["clients"]), func.sum(SpendMonth.amount).label("spend"),
                       *nulls(FIGURES[2:])).select_from(SpendMonth)
        if area >= 1:
            spend = spend.join(places, places.c.id == SpendMonth.municipality_id)
        spend = spend.join(windows, SpendMonth.period.between(w.first, w.last)).group_by(w.year, w.quarter, *spend_real)

        parts = [clients, spend, ended, started]
        if (area, by_provider, by_group) == (0, False, False):
            # A row for every period covered, even without care: it tells readers the period is covered.
            parts.append(select(w.year, w.quarter, *(cast(null(), key.type).label(key.name) for key in keys),
                                *nulls(FIGURES)))
        together = union_all(*parts).subquery("parts")
        t = together.c
        group = [t.year, t.quarter, *(t[name] for name in _KEYS)]
        figures = [
            func.coalesce(func.max(t[name]), 0) if name in _COUNTS else func.max(t[name])
            for name in FIGURES
        ]
        session.execute(insert(ScopeSummary).from_select(
            ["year", "quarter", *_KEYS, *FIGURES], select(*group, *figures).group_by(*group),
        ))
    if postgresql:
        _CLIENTS.drop(session.connection())
        session.execute(text("ANALYZE kpi_scope_summary"))


#: PostgreSQL only: the distinct clients of every scope kind, from one GROUPING SETS statement.
_CLIENTS = Table(
    "kpi_summary_clients", MetaData(),
    Column("year", Integer), Column("quarter", Integer), Column("region_id", Integer),
    Column("municipality_id", Integer), Column("provider_id", Integer), Column("product_group", String(10)),
    Column("grouped", Integer), Column("clients", Integer),
    prefixes=["TEMPORARY"],
)


def _grouping_mask(area: int, by_provider: bool, by_group: bool) -> int:
    """Return GROUPING(region_id, municipality_id, provider_id, product_group) of a scope kind.

    A bit is 1 for a column the grouping set leaves out; the first column is the highest bit.
    """
    used = (area >= 1, area == 2, by_provider, by_group)
    return sum(0 if flag else 1 << (3 - index) for index, flag in enumerate(used))


def _clients_by_grouping_sets(session: Session, windows, active) -> None:
    """Fill the temporary table of distinct clients for all twelve scope kinds in one statement.

    count(DISTINCT) needs sorted input; PostgreSQL sorts once per chain of grouping sets that
    share a prefix (four here) instead of once per scope kind. Exact, as count(DISTINCT) is.
    """
    w = windows.c
    places = Municipality.__table__
    columns = [places.c.region_id, Trajectory.municipality_id, Trajectory.provider_id, Trajectory.product_group]
    sets = []
    for area, by_provider, by_group in GROUPINGS:
        used = (area >= 1, area == 2, by_provider, by_group)
        sets.append(tuple_(w.year, w.quarter, *(column for column, flag in zip(columns, used, strict=True) if flag)))
    session.execute(text("DROP TABLE IF EXISTS kpi_summary_clients"))
    _CLIENTS.create(session.connection())
    statement = (
        select(w.year, w.quarter, *columns, func.grouping(*columns), func.count(distinct(Trajectory.client_ref)))
        .select_from(Trajectory)
        .join(places, places.c.id == Trajectory.municipality_id)
        .join(windows, active)
        .group_by(func.grouping_sets(*sets))
    )
    session.execute(insert(_CLIENTS).from_select([column.name for column in _CLIENTS.c], statement))


def _type(name: str):
    """Return the SQL type of a figure, for the NULLs that pad each part of the union."""
    from sqlalchemy import Float, Numeric

    if name == "spend":
        return Numeric(16, 2)
    return Integer() if name in _COUNTS else Float()
