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
statement is set-based; the number of statements does not grow with the data. Each rebuild
writes a new token for the KPI pages, in the same transaction: pages computed from the
summaries are kept per token (portal.kpi.cache).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Date,
    Float,
    Integer,
    Numeric,
    String,
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

from portal import kept
from portal.kpi.cache import KPI
from portal.models import Claim, Municipality, Trajectory
from portal.models.kpi import ScopeSummary, SpendMonth


def refresh_summaries(session: Session) -> None:
    """Rebuild the spend summary and the scope summary; flush, never commit."""
    refresh_spend_summary(session)
    refresh_scope_summary(session)


def new_data_version(session: Session) -> None:
    """Write a new token for the KPI pages: what was computed from the summaries is out of date."""
    kept.start(session, KPI)


def refresh_spend_summary(session: Session) -> None:
    """Rebuild the monthly spend summary from the claims and their trajectories; flush, never commit."""
    session.flush()
    new_data_version(session)
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

    Call after the spend summary (its last month extends the years covered). On PostgreSQL one
    INSERT computes all twelve scope kinds with GROUPING SETS; elsewhere there is one INSERT per
    scope kind. Each is a UNION ALL of four grouped parts (active clients, spend from the spend
    summary, ended trajectories, started trajectories) over all periods at once.
    """
    session.flush()
    new_data_version(session)
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        tune_for_bulk_work(session)
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
    if postgresql:
        # Every trajectory is read, so one pass over the table beats looking up each window's
        # trajectories by date (25 index scans took 25 s of random reads at size L; the pass, 5 s).
        session.execute(text("SET LOCAL enable_indexscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
        _insert_merged(session, _parts_by_grouping_sets(windows), windows)
        session.execute(text("RESET enable_indexscan"))
        session.execute(text("RESET enable_bitmapscan"))
        session.execute(text("ANALYZE kpi_scope_summary"))
        return
    for grouping in GROUPINGS:
        _insert_merged(session, _parts_of_one_scope_kind(windows, *grouping), windows,
                       every_period=grouping == (0, False, False))


def tune_for_bulk_work(session: Session) -> None:
    """PostgreSQL: settings for the few large statements of an import and a rebuild.

    - work_mem: with the default 4 MB their sorts and hashes spill to disk.
    - jit off: compiling the rebuild's statement took longer (8 s at size M) than the
      compiled code saved.

    SET LOCAL ends with the transaction.
    """
    session.execute(text("SET LOCAL work_mem = '256MB'"))
    session.execute(text("SET LOCAL jit = off"))


def _insert_merged(session: Session, parts: list, windows, every_period: bool = True) -> None:
    """Insert the summary rows: the parts (each with the key columns and FIGURES, NULL where a
    part has no such figure) merged per period and scope."""
    if every_period:
        # A row for every period covered, even without care: it tells readers the period is covered.
        w = windows.c
        parts = [*parts, select(w.year, w.quarter, *_nulls(_KEYS), *_nulls(FIGURES))]
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


def _nulls(names) -> list:
    return [cast(null(), _type(name)).label(name) for name in names]


def _used(area: int, by_provider: bool, by_group: bool) -> tuple[bool, bool, bool, bool]:
    """Which of the keys (region, municipality, provider, product group) a scope kind groups by."""
    return (area >= 1, area == 2, by_provider, by_group)


def _parts_of_one_scope_kind(windows, area: int, by_provider: bool, by_group: bool) -> list:
    """The four parts of one scope kind, with the engine's own SQL (portal.kpi.engine)."""
    from portal.kpi.engine import days_between, ended_aggregates, started_aggregates

    w = windows.c
    places = Municipality.__table__
    used = _used(area, by_provider, by_group)
    keys = [
        (column if flag else cast(null(), column.type)).label(name)
        for column, flag, name in zip((places.c.region_id, Trajectory.municipality_id, Trajectory.provider_id,
                                       Trajectory.product_group), used, _KEYS, strict=True)
    ]
    real = [key for key, flag in zip(keys, used, strict=True) if flag]
    partition = [w.year, w.quarter, *real]

    def base(*columns, condition):
        statement = select(*columns).select_from(Trajectory)
        if area >= 1:  # the municipalities table alone, without its organisations row
            statement = statement.join(places, places.c.id == Trajectory.municipality_id)
        return statement.join(windows, condition)

    clients = base(w.year, w.quarter, *keys, func.count(distinct(Trajectory.client_ref)).label("clients"),
                   *_nulls(FIGURES[1:]), condition=_active(w)).group_by(w.year, w.quarter, *real)

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
        *ends_keys, *_nulls(["clients", "spend"]), *(figures[name] for name in FIGURES[2:12]), *_nulls(FIGURES[12:]),
    ).group_by(*ends_keys)

    starts = ranked(days_between(Trajectory.start_date, Trajectory.request_date),
                    Trajectory.start_date.between(w.first, w.last))
    c = starts.c
    starts_keys = [c.year, c.quarter, *(c[name] for name in _KEYS)]
    started = select(*starts_keys, *_nulls(FIGURES[:12]), *started_aggregates(c)).group_by(*starts_keys)

    spend_keys = [
        (column if flag else cast(null(), column.type)).label(name)
        for column, flag, name in zip((places.c.region_id, SpendMonth.municipality_id, SpendMonth.provider_id,
                                       SpendMonth.product_group), used, _KEYS, strict=True)
    ]
    spend = select(w.year, w.quarter, *spend_keys, *_nulls(["clients"]), func.sum(SpendMonth.amount).label("spend"),
                   *_nulls(FIGURES[2:])).select_from(SpendMonth)
    if area >= 1:
        spend = spend.join(places, places.c.id == SpendMonth.municipality_id)
    spend_real = [key for key, flag in zip(spend_keys, used, strict=True) if flag]
    spend = spend.join(windows, SpendMonth.period.between(w.first, w.last)).group_by(w.year, w.quarter, *spend_real)
    return [clients, spend, ended, started]


def _active(w):
    """Care during a window: started before its end and not ended before its start."""
    return and_(Trajectory.start_date <= w.last, or_(Trajectory.end_date.is_(None), Trajectory.end_date >= w.first))


def _parts_by_grouping_sets(windows) -> list:
    """PostgreSQL: the four parts for all twelve scope kinds at once, each one GROUPING SETS statement.

    A grouping set leaves out the keys a scope kind does not group by, and they come out NULL,
    which is how the summary marks "all". PostgreSQL sorts once per chain of grouping sets that
    share a prefix instead of once per scope kind, and computes the percentiles with
    percentile_cont, which is the engine's definition (portal.kpi.engine.percentile).
    """
    from portal.kpi.engine import days_between, ended_aggregates, started_aggregates

    w = windows.c
    places = Municipality.__table__

    def grouped(*columns, source, condition, on=Trajectory):
        # Codes compared byte by byte: the same groups, and sorting them is cheaper than by the
        # database's collation.
        keys = [places.c.region_id, on.municipality_id, on.provider_id, on.product_group.collate("C")]
        sets = [tuple_(w.year, w.quarter, *(key for key, flag in zip(keys, _used(*grouping), strict=True) if flag))
                for grouping in GROUPINGS]
        return (
            select(w.year, w.quarter, *(key.label(name) for key, name in zip(keys, _KEYS, strict=True)), *columns)
            .select_from(source)
            .join(places, places.c.id == on.municipality_id)
            .join(windows, condition)
            .group_by(func.grouping_sets(*sets))
        )

    clients = grouped(func.count(distinct(Trajectory.client_ref.collate("C"))).label("clients"), *_nulls(FIGURES[1:]),
                      source=Trajectory, condition=_active(w))
    spend = grouped(*_nulls(["clients"]), func.sum(SpendMonth.amount).label("spend"), *_nulls(FIGURES[2:]),
                    source=SpendMonth, condition=SpendMonth.period.between(w.first, w.last), on=SpendMonth)

    def percentile_of(value):
        return lambda fraction: func.percentile_cont(fraction).within_group(value)

    duration = days_between(Trajectory.end_date, Trajectory.start_date)
    figures = ended_aggregates(_Ended(duration), percentile_of(duration))
    ended = grouped(*_nulls(["clients", "spend"]), *(figures[name].label(name) for name in FIGURES[2:12]),
                    *_nulls(FIGURES[12:]), source=Trajectory, condition=Trajectory.end_date.between(w.first, w.last))
    wait = days_between(Trajectory.start_date, Trajectory.request_date)
    started = grouped(*_nulls(FIGURES[:12]),
                      *(figure.label(name) for figure, name in zip(
                          started_aggregates(None, percentile_of(wait)), FIGURES[12:], strict=True)),
                      source=Trajectory, condition=Trajectory.start_date.between(w.first, w.last))
    return [clients, spend, ended, started]


class _Ended:
    """The columns ended_aggregates reads, straight from the trajectories (no ranking)."""

    def __init__(self, value) -> None:
        self.value = value
        self.end_reason = Trajectory.end_reason
        self.satisfaction = Trajectory.satisfaction
        self.goals_met = Trajectory.goals_met


def _type(name: str):
    """Return the SQL type of a key or a figure, for the NULLs that pad each part of the union."""
    if name == "product_group":
        return String(10)
    if name == "spend":
        return Numeric(16, 2)
    return Integer() if name in _COUNTS or name in _KEYS else Float()
