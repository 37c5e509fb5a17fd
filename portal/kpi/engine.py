"""KPIs and market figures per period, computed in the database (definitions: DOMAIN.md).

Every figure is an aggregate in SQL; Python only divides the aggregates it gets back. The pages
read the scope summary (portal.kpi.summary: every figure per period and scope, rebuilt at import
with this module's own SQL) when it covers the period and scope asked for; otherwise the figures
are computed live here, spend from the monthly spend summary, which holds the claims' exact sums.
`live=True` forces the live path (the tests compare the two).
Medians and percentiles use window functions with linear interpolation between the two nearest ranks,
the definition of PostgreSQL's percentile_cont, so SQLite and PostgreSQL give the same numbers.
The number of statements per call is fixed; it does not grow with the data.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, Float, Integer, and_, case, cast, distinct, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from portal.models import Municipality, Provider, Trajectory
from portal.models.kpi import (
    ACCORDING_TO_PLAN_REASON,
    DROPOUT_REASON,
    RATE_DENOMINATOR_REASONS,
    ScopeSummary,
    SpendMonth,
)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year, or one quarter of it."""

    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError("A quarter is 1, 2, 3 or 4.")

    @property
    def start(self) -> date:
        """Return the first day of the period."""
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """Return the last day of the period."""
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def previous(self) -> Period:
        """Return the period just before this one, of the same length."""
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def __str__(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"


class Dimension(enum.StrEnum):
    """What figures can be broken down by."""

    PROVIDER = "provider"
    PRODUCT_GROUP = "product_group"
    MUNICIPALITY = "municipality"


_DIMENSION_COLUMNS = {
    Dimension.PROVIDER: Trajectory.provider_id,
    Dimension.PRODUCT_GROUP: Trajectory.product_group,
    Dimension.MUNICIPALITY: Trajectory.municipality_id,
}
#: The same dimensions in the monthly spend summary.
_SPEND_COLUMNS = {
    Dimension.PROVIDER: SpendMonth.provider_id,
    Dimension.PRODUCT_GROUP: SpendMonth.product_group,
    Dimension.MUNICIPALITY: SpendMonth.municipality_id,
}


@dataclass(frozen=True)
class Scope:
    """Which trajectories count: all of them, or those of one municipality, product group, provider."""

    municipality_id: int | None = None
    product_group: str | None = None
    provider_id: int | None = None

    def conditions(self, on=Trajectory) -> list[ColumnElement[bool]]:
        """Return the SQL conditions for this scope, on trajectories or on the spend summary."""
        conditions = []
        if self.municipality_id is not None:
            conditions.append(on.municipality_id == self.municipality_id)
        if self.product_group is not None:
            conditions.append(on.product_group == self.product_group)
        if self.provider_id is not None:
            conditions.append(on.provider_id == self.provider_id)
        return conditions


@dataclass
class Group:
    """The values of the dimensions a row is broken down by; None for a dimension not used."""

    provider_id: int | None = None
    provider_kvk: str | None = None
    provider_name: str | None = None
    product_group: str | None = None
    municipality_id: int | None = None
    municipality_code: str | None = None
    municipality_name: str | None = None


@dataclass
class KpiRow:
    """The KPIs of one group in one period; None where a figure has no data."""

    group: Group
    #: Distinct clients with care during the period.
    clients: int = 0
    #: Sum of the amounts granted for the months of the period.
    spend: float = 0.0
    #: Trajectories that ended in the period.
    ended: int = 0
    #: Median and mean of end date - start date of those, in days.
    duration_median_days: float | None = None
    duration_mean_days: float | None = None
    #: Ended trajectories with reason 31-35: the denominator of the two rates below.
    ended_with_rate_reason: int = 0
    #: Of those, ended with reason 32 (drop-out) and 31 (according to plan).
    dropouts: int = 0
    according_to_plan: int = 0
    #: Mean satisfaction score of the ended trajectories that have one, and how many have one.
    satisfaction_mean: float | None = None
    scores: int = 0
    #: Ended trajectories with a recorded outcome, and those whose goals were met.
    with_outcome: int = 0
    goals_met: int = 0
    #: Trajectories that started in the period.
    started: int = 0
    #: Median and 90th percentile of start date - request date of those, in days.
    wait_median_days: float | None = None
    wait_p90_days: float | None = None
    #: Clients and spend in the previous period of the same length.
    previous_clients: int = 0
    previous_spend: float = 0.0

    @property
    def cost_per_client(self) -> float | None:
        """Return the spend per client, or None without clients."""
        return self.spend / self.clients if self.clients else None

    @property
    def dropout_rate(self) -> float | None:
        """Return the share of ended-with-reason-31-35 that ended with 32."""
        return _share(self.dropouts, self.ended_with_rate_reason)

    @property
    def according_to_plan_rate(self) -> float | None:
        """Return the share of ended-with-reason-31-35 that ended with 31."""
        return _share(self.according_to_plan, self.ended_with_rate_reason)

    @property
    def goal_attainment_rate(self) -> float | None:
        """Return the share of ended trajectories with a recorded outcome whose goals were met."""
        return _share(self.goals_met, self.with_outcome)

    @property
    def clients_growth(self) -> float | None:
        """Return the growth in clients against the previous period, as a fraction."""
        return _growth(self.clients, self.previous_clients)

    @property
    def spend_growth(self) -> float | None:
        """Return the growth in spend against the previous period, as a fraction."""
        return _growth(self.spend, self.previous_spend)


@dataclass
class MarketRow:
    """Market concentration of one product group and/or municipality in one period."""

    group: Group
    #: Providers with spend in the period.
    providers: int = 0
    spend: float = 0.0
    #: Spend of the 3 and of the 10 largest providers.
    top3_spend: float = 0.0
    top10_spend: float = 0.0
    #: Herfindahl-Hirschman index: sum of squared spend shares in percent (0-10,000).
    hhi: float | None = None
    previous_spend: float = 0.0
    largest: list[int] = field(default_factory=list)

    @property
    def cr3(self) -> float | None:
        """Return the share of spend of the three largest providers."""
        return self.top3_spend / self.spend if self.spend else None

    @property
    def cr10(self) -> float | None:
        """Return the share of spend of the ten largest providers."""
        return self.top10_spend / self.spend if self.spend else None

    @property
    def spend_growth(self) -> float | None:
        """Return the growth in spend against the previous period, as a fraction."""
        return _growth(self.spend, self.previous_spend)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _growth(now: float, before: float) -> float | None:
    return (now - before) / before if before else None


# SQL building blocks -----------------------------------------------------------------------


class days_between(FunctionElement):
    """Whole days from the second date to the first, in SQL."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}))"


def percentile(value, rank, count, numerator: int, denominator: int):
    """Aggregate: the percentile numerator/denominator of ranked values, as percentile_cont.

    ``rank`` is row_number() (1-based) and ``count`` is count() over the same partition and order.
    With h = (n - 1) * p the result is x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]);
    integer arithmetic finds floor h, so no floor() function is needed (SQLite lacks one).
    """
    position = (count - 1) * numerator
    lower = position // denominator + 1
    fraction = cast(position - (position // denominator) * denominator, Float) / denominator
    return func.sum(
        case(
            (rank == lower, value * (1 - fraction)),
            (rank == lower + 1, value * fraction),
            else_=0,
        )
    )


#: The order in which the live engine reads the figures of ended trajectories.
_ENDED_ORDER = ["ended", "duration_median_days", "duration_mean_days", "ended_with_rate_reason", "dropouts",
                "according_to_plan", "satisfaction_mean", "with_outcome", "goals_met", "scores"]


def ended_aggregates(c, percentile_of: Callable[[float], ColumnElement] | None = None) -> dict[str, ColumnElement]:
    """The figures of ended trajectories, by name, from ranked durations (``c``: value, rank, n,
    end_reason, satisfaction, goals_met); shared by the live engine and the scope summary.

    ``percentile_of(fraction)``, where the database has it, computes a percentile of the values
    without ranks (PostgreSQL's percentile_cont, the same definition); ``c`` then needs no rank.
    """
    return {
        "ended": func.count(),
        "duration_median_days": percentile_of(0.5) if percentile_of else percentile(c.value, c.rank, c.n, 1, 2),
        "duration_mean_days": func.avg(c.value),
        "ended_with_rate_reason": func.sum(case((c.end_reason.in_(RATE_DENOMINATOR_REASONS), 1), else_=0)),
        "dropouts": func.sum(case((c.end_reason == DROPOUT_REASON, 1), else_=0)),
        "according_to_plan": func.sum(case((c.end_reason == ACCORDING_TO_PLAN_REASON, 1), else_=0)),
        "satisfaction_mean": func.avg(c.satisfaction),
        "scores": func.count(c.satisfaction),
        "with_outcome": func.count(c.goals_met),
        "goals_met": func.sum(case((c.goals_met == True, 1), else_=0)),  # noqa: E712 (SQL, not Python)
    }


def started_aggregates(c, percentile_of: Callable[[float], ColumnElement] | None = None) -> list[ColumnElement]:
    """The figures of started trajectories from ranked waits: count, median, 90th percentile
    (``percentile_of`` as for ended_aggregates)."""
    if percentile_of:
        return [func.count(), percentile_of(0.5), percentile_of(0.9)]
    return [func.count(), percentile(c.value, c.rank, c.n, 1, 2), percentile(c.value, c.rank, c.n, 9, 10)]


def _in_period(column, period: Period) -> ColumnElement[bool]:
    return column.between(period.start, period.end)


def _active_in(period: Period) -> ColumnElement[bool]:
    """Care during the period: started before its end and not ended before its start."""
    return and_(
        Trajectory.start_date <= period.end,
        or_(Trajectory.end_date.is_(None), Trajectory.end_date >= period.start),
    )


class _Query:
    """Builds the statements for one breakdown and scope."""

    def __init__(self, group_by: Sequence[Dimension], scope: Scope) -> None:
        self.dimensions = [Dimension(dimension) for dimension in group_by]
        self.columns = [_DIMENSION_COLUMNS[dimension].label(dimension.value) for dimension in self.dimensions]
        self.conditions = scope.conditions()
        # Spend comes from the monthly summary (portal.kpi.summary), which has the same dimensions.
        self.spend_columns = [_SPEND_COLUMNS[dimension].label(dimension.value) for dimension in self.dimensions]
        self.spend_conditions = scope.conditions(on=SpendMonth)

    def keyed(self, session: Session, statement) -> dict[tuple, tuple]:
        """Run a grouped statement whose first columns are the dimensions; map key -> the rest."""
        width = len(self.dimensions)
        return {tuple(row[:width]): tuple(row[width:]) for row in session.execute(statement)}

    def clients(self, period: Period):
        return (
            select(*self.columns, func.count(distinct(Trajectory.client_ref)))
            .where(_active_in(period), *self.conditions)
            .group_by(*self.columns)
        )

    def spend(self, period: Period):
        return (
            select(*self.spend_columns, func.sum(SpendMonth.amount))
            .where(_in_period(SpendMonth.period, period), *self.spend_conditions)
            .group_by(*self.spend_columns)
        )

    def ranked(self, value, condition, *extra):
        """Return a subquery of trajectories meeting a condition, ranked by value per group."""
        partition = self.columns or None
        return (
            select(
                *self.columns,
                value.label("value"),
                *extra,
                func.row_number().over(partition_by=partition, order_by=value).label("rank"),
                func.count().over(partition_by=partition).label("n"),
            )
            .where(condition, *self.conditions)
            .subquery()
        )

    def grouped(self, ranked, *aggregates):
        keys = [ranked.c[dimension.value] for dimension in self.dimensions]
        return select(*keys, *aggregates).group_by(*keys)

    def ended(self, period: Period):
        ranked = self.ranked(
            days_between(Trajectory.end_date, Trajectory.start_date),
            _in_period(Trajectory.end_date, period),
            Trajectory.end_reason, Trajectory.satisfaction, Trajectory.goals_met,
        )
        figures = ended_aggregates(ranked.c)
        return self.grouped(ranked, *(figures[name] for name in _ENDED_ORDER))

    def started(self, period: Period):
        ranked = self.ranked(
            days_between(Trajectory.start_date, Trajectory.request_date),
            _in_period(Trajectory.start_date, period),
        )
        return self.grouped(ranked, *started_aggregates(ranked.c))


def _number(value) -> float | None:
    return None if value is None else float(value)


#: The figures that are percentiles of days.
_PERCENTILES = ("duration_median_days", "wait_median_days", "wait_p90_days")


def _days(value) -> float | None:
    """A percentile of days, rounded to a millionth of a day (below a tenth of a second).

    The live engine interpolates as x1 * (1 - f) + x2 * f and PostgreSQL's percentile_cont
    (the scope summary) as x1 + f * (x2 - x1): equal, except sometimes in the last bit.
    """
    return None if value is None else round(float(value), 6)


def _summary_figure(found: dict, name: str):
    """A figure of a scope summary row, as the live engine gives it."""
    value = found[name]
    return _days(value) if name in _PERCENTILES else value


def _summary_figures(found: dict) -> dict:
    """The figures of a scope summary row, as the live engine gives them."""
    return {name: _summary_figure(found, name) for name in found}


def kpis(
    session: Session,
    *,
    period: Period,
    group_by: Sequence[Dimension] = (),
    scope: Scope = Scope(),
    live: bool = False,
) -> list[KpiRow]:
    """Return the KPIs of the period per group (one row overall without group_by).

    Reads the scope summary (portal.kpi.summary) when it covers the period and the scope, and
    computes from the trajectories otherwise (or with live=True); both give the same figures.
    """
    query = _Query(group_by, scope)
    if not live:
        summarised = _from_summary(session, [period, period.previous()], query.dimensions, scope)
        if summarised is not None and period in summarised:
            return _summary_kpis(session, query, period, summarised)
    clients = query.keyed(session, query.clients(period))
    spend = query.keyed(session, query.spend(period))
    ended = query.keyed(session, query.ended(period))
    started = query.keyed(session, query.started(period))
    previous_clients = query.keyed(session, query.clients(period.previous()))
    previous_spend = query.keyed(session, query.spend(period.previous()))

    keys = set(clients) | set(spend) | set(ended) | set(started)
    if not query.dimensions:
        keys = {()}
    rows = {key: KpiRow(group=_group(query.dimensions, key)) for key in keys}
    for key, row in rows.items():
        row.clients = int(clients.get(key, (0,))[0])
        row.spend = _number(spend.get(key, (None,))[0]) or 0.0
        row.previous_clients = int(previous_clients.get(key, (0,))[0])
        row.previous_spend = _number(previous_spend.get(key, (None,))[0]) or 0.0
        if ended.get(key) and ended[key][0]:
            (row.ended, median, mean, denominator, dropouts, to_plan, satisfaction, with_outcome,
             goals_met, scores) = ended[key]
            row.duration_median_days = _days(median)
            row.duration_mean_days = _number(mean)
            row.ended_with_rate_reason = int(denominator)
            row.dropouts = int(dropouts)
            row.according_to_plan = int(to_plan)
            row.satisfaction_mean = _number(satisfaction)
            row.with_outcome = int(with_outcome)
            row.goals_met = int(goals_met)
            row.scores = int(scores)
        if started.get(key) and started[key][0]:
            count, median, p90 = started[key]
            row.started = int(count)
            row.wait_median_days = _days(median)
            row.wait_p90_days = _days(p90)
    result = list(rows.values())
    _label(session, [row.group for row in result])
    return sorted(result, key=lambda row: (-row.spend, _sort_key(row.group)))


def kpis_per_period(
    session: Session,
    *,
    periods: Sequence[Period],
    scope: Scope = Scope(),
) -> dict[Period, KpiRow]:
    """Return the overall KPIs of each period, as kpis() without group_by gives them.

    From the scope summary when it covers every period: one statement for all periods together
    (two for a region). Otherwise kpis() per period.
    """
    wanted = list(dict.fromkeys([*periods, *(period.previous() for period in periods)]))
    summarised = _from_summary(session, wanted, [], scope)
    if summarised is None or not all(period in summarised for period in periods):
        return {period: kpis(session, period=period, scope=scope)[0] for period in periods}
    spend = {period: _number(rows[()]["spend"]) or 0.0 for period, rows in summarised.items() if () in rows}
    result = {}
    for period in periods:
        row = KpiRow(group=Group())
        found = summarised[period].get(())
        if found is not None:
            for name in _SUMMARY_FIGURES:
                setattr(row, name, _summary_figure(found, name))
        before = summarised.get(period.previous(), {}).get(())
        row.previous_clients = before["clients"] if before is not None else 0
        row.spend = spend.get(period, 0.0)
        row.previous_spend = spend.get(period.previous(), 0.0)
        result[period] = row
    return result


def market(
    session: Session,
    *,
    period: Period,
    group_by: Sequence[Dimension] = (),
    scope: Scope = Scope(),
    live: bool = False,
) -> list[MarketRow]:
    """Return the market concentration per group (product group, municipality, or both).

    A provider is active in the market when it has spend in the period. Each provider's spend
    comes from the scope summary when it covers the period and scope (unless live=True).
    """
    dimensions = [Dimension(dimension) for dimension in group_by]
    if Dimension.PROVIDER in dimensions:
        raise ValueError("A market is made of providers; it cannot be broken down by provider.")
    query = _Query(dimensions, scope)
    area = None if live else _area(session, scope)
    summarised = area is not None and _covered(session, period)
    if summarised:
        # Each provider's spend in the scope, as the scope summary holds it (the same sums).
        summary_columns = [_SUMMARY_COLUMNS[dimension].label(dimension.value) for dimension in dimensions]
        per_provider = (
            select(*summary_columns, ScopeSummary.provider_id, ScopeSummary.spend.label("spend"))
            .where(_summary_period(period), ScopeSummary.spend > 0,
                   *_summary_conditions(area, [*dimensions, Dimension.PROVIDER], scope))
            .subquery()
        )
    else:
        per_provider = (
            select(*query.spend_columns, SpendMonth.provider_id, func.sum(SpendMonth.amount).label("spend"))
            .where(_in_period(SpendMonth.period, period), *query.spend_conditions)
            .group_by(*query.spend_columns, SpendMonth.provider_id)
            .having(func.sum(SpendMonth.amount) > 0)
            .subquery()
        )
    keys = [per_provider.c[dimension.value] for dimension in dimensions]
    partition = keys or None
    ranked = select(
        *keys,
        per_provider.c.provider_id,
        per_provider.c.spend,
        func.row_number()
        .over(partition_by=partition, order_by=(per_provider.c.spend.desc(), per_provider.c.provider_id))
        .label("rank"),
        func.sum(per_provider.c.spend).over(partition_by=partition).label("total"),
    ).subquery()
    c = ranked.c
    share = cast(c.spend, Float) * 100 / cast(c.total, Float)
    ranked_keys = [c[dimension.value] for dimension in dimensions]
    statement = select(
        *ranked_keys,
        func.count(),
        func.sum(c.spend),
        func.sum(case((c.rank <= 3, c.spend), else_=0)),
        func.sum(case((c.rank <= 10, c.spend), else_=0)),
        func.sum(share * share),
    ).group_by(*ranked_keys)
    figures = query.keyed(session, statement)
    if summarised:
        previous = query.keyed(session, select(*summary_columns, ScopeSummary.spend).where(
            _summary_period(period.previous()), *_summary_conditions(area, dimensions, scope)))
    else:
        previous = query.keyed(session, query.spend(period.previous()))

    found = set(figures) if dimensions else {()}
    rows = []
    for key in found:
        row = MarketRow(group=_group(dimensions, key))
        if figures.get(key) and figures[key][0]:
            providers, spend, top3, top10, hhi = figures[key]
            row.providers = int(providers)
            row.spend = float(spend)
            row.top3_spend = float(top3)
            row.top10_spend = float(top10)
            row.hhi = float(hhi)
        row.previous_spend = _number(previous.get(key, (None,))[0]) or 0.0
        rows.append(row)
    _label(session, [row.group for row in rows])
    return sorted(rows, key=lambda row: (-row.spend, _sort_key(row.group)))


def clients_and_spend(
    session: Session,
    *,
    periods: Sequence[Period],
    group_by: Sequence[Dimension] = (),
    scope: Scope = Scope(),
    live: bool = False,
) -> dict[tuple, tuple[int, float]]:
    """Return (clients, spend) per period and group for several periods at once, in two statements.

    Keys are (period, *group values in the order of group_by); a group without clients and
    without spend in a period is left out. Clients and spend mean what they mean in kpis().
    Clients come from the scope summary when it covers every period (unless live=True).
    """
    query = _Query(group_by, scope)
    summarised = None if live else _from_summary(
        session, list(periods), query.dimensions, scope, ("clients", "spend"))
    if summarised is not None and all(period in summarised for period in periods):
        return {
            (period, *key): (int(row["clients"]), _number(row["spend"]) or 0.0)
            for period in periods for key, row in summarised[period].items()
        }
    windows = union_all(*(
        select(
            literal(index, Integer).label("number"),
            literal(period.start, Date).label("first"),
            literal(period.end, Date).label("last"),
        )
        for index, period in enumerate(periods)
    )).subquery("windows")
    clients = (
        select(windows.c.number, *query.columns, func.count(distinct(Trajectory.client_ref)))
        .select_from(Trajectory)
        .join(windows, and_(
            Trajectory.start_date <= windows.c.last,
            or_(Trajectory.end_date.is_(None), Trajectory.end_date >= windows.c.first),
        ))
        # The whole span first: lets the database skip trajectories outside every window at once.
        .where(
            Trajectory.start_date <= max(period.end for period in periods),
            or_(Trajectory.end_date.is_(None), Trajectory.end_date >= min(period.start for period in periods)),
            *query.conditions,
        )
        .group_by(windows.c.number, *query.columns)
    )
    spend = (
        select(windows.c.number, *query.spend_columns, func.sum(SpendMonth.amount))
        .select_from(SpendMonth)
        .join(windows, SpendMonth.period.between(windows.c.first, windows.c.last))
        .where(*query.spend_conditions)
        .group_by(windows.c.number, *query.spend_columns)
    )
    result: dict[tuple, list] = {}
    for row in session.execute(clients):
        result.setdefault((periods[row[0]], *row[1:-1]), [0, 0.0])[0] = int(row[-1])
    for row in session.execute(spend):
        result.setdefault((periods[row[0]], *row[1:-1]), [0, 0.0])[1] = _number(row[-1]) or 0.0
    return {key: (clients_, spend_) for key, (clients_, spend_) in result.items()}


# Reading the scope summary ----------------------------------------------------------------------

#: The KpiRow figures the scope summary holds, under the same names.
_SUMMARY_FIGURES = (
    "clients", "ended", "duration_median_days", "duration_mean_days", "ended_with_rate_reason", "dropouts",
    "according_to_plan", "satisfaction_mean", "scores", "with_outcome", "goals_met", "started",
    "wait_median_days", "wait_p90_days",
)
#: The summary column of each dimension.
_SUMMARY_COLUMNS = {
    Dimension.PROVIDER: ScopeSummary.provider_id,
    Dimension.PRODUCT_GROUP: ScopeSummary.product_group,
    Dimension.MUNICIPALITY: ScopeSummary.municipality_id,
}


def _area(session: Session, scope: Scope) -> tuple[str, int | None] | None:
    """Return the summary's area of a scope: ("all", None), ("region", id), ("municipality", id).

    None when the scope is something the summary does not hold (e.g. two municipalities of a
    region): the caller then computes live. A set of municipalities is a region when it is
    exactly the municipalities of one region (one small statement to find out).
    """
    ids = getattr(scope, "municipality_ids", None)
    if type(scope) is not Scope and ids is None:
        return None  # a scope with conditions of its own
    if scope.municipality_id is not None:
        if ids is not None and scope.municipality_id not in ids:
            return None
        return ("municipality", scope.municipality_id)
    if ids is None:
        return ("all", None)
    ids = frozenset(ids)
    if len(ids) == 1:
        return ("municipality", next(iter(ids)))
    if not ids:
        return None
    # A page asks several times for the same set: ask the database once per session.
    known = session.info.setdefault("kpi_regions_of_municipalities", {})
    if ids in known:
        return known[ids]
    places = Municipality.__table__
    found = session.execute(
        select(places.c.id, places.c.region_id).where(
            places.c.region_id.in_(select(places.c.region_id).where(places.c.id.in_(ids)))
        )
    ).all()
    regions = {region_id for _id, region_id in found}
    area = ("region", regions.pop()) if len(regions) == 1 and {id_ for id_, _region in found} == ids else None
    known[ids] = area
    return area


def _from_summary(
    session: Session, periods: Sequence[Period], dimensions: list[Dimension], scope: Scope,
    figures: Sequence[str] = (*_SUMMARY_FIGURES, "spend"),
) -> dict[Period, dict[tuple, dict[str, object]]] | None:
    """Return the figures of the scope's summary rows per covered period, keyed like the groups.

    None when the summary cannot answer for this scope; a period it does not cover (no import
    since, or no care data then) is missing from the result. Only the summary columns named in
    ``figures`` are read: a page reads thousands of rows. One statement (two for a region).
    """
    area = _area(session, scope)
    if area is None:
        return None
    s = ScopeSummary
    wanted = _summary_conditions(area, dimensions, scope)
    # The row of all care in a period is there for every period the summary covers.
    in_periods = or_(*(_summary_period(period) for period in periods))
    columns = [*(_SUMMARY_COLUMNS[dimension] for dimension in dimensions),
               *(s.__table__.c[name] for name in figures)]
    # Two parts rather than one "wanted or overall": each part's conditions then go into the
    # summary's index, instead of every row of the periods being read and filtered.
    statement = union_all(
        select(s.year, s.quarter, literal(1).label("wanted"), *columns).where(in_periods, *wanted),
        select(s.year, s.quarter, literal(0).label("wanted"), *columns).where(in_periods, _OVERALL),
    )
    width = len(dimensions)
    # Keyed by (year, quarter) while reading: hashing a Period for each of thousands of rows costs.
    found: dict[tuple[int, int], dict[tuple, dict[str, object]]] = {}
    for year, quarter, is_wanted, *values in session.execute(statement).all():
        rows = found.setdefault((year, quarter), {})
        if is_wanted:
            rows[tuple(values[:width])] = dict(zip(figures, values[width:]))
    by_period = {(period.year, period.quarter or 0): period for period in periods}
    return {by_period[year_quarter]: rows for year_quarter, rows in found.items()}


#: The summary's row of all care in a period.
_OVERALL = and_(ScopeSummary.region_id.is_(None), ScopeSummary.municipality_id.is_(None),
                ScopeSummary.provider_id.is_(None), ScopeSummary.product_group.is_(None))


def _summary_conditions(area: tuple[str, int | None], dimensions: list[Dimension], scope: Scope) -> list:
    """Return the conditions on the summary's rows for a scope's area and a breakdown."""
    s = ScopeSummary
    kind, value = area
    wanted = []
    if Dimension.MUNICIPALITY in dimensions:
        wanted.append(s.municipality_id.is_not(None))
        if kind == "region":
            wanted.append(s.region_id == value)
        elif kind == "municipality":
            wanted.append(s.municipality_id == value)
    elif kind == "all":
        wanted += [s.region_id.is_(None), s.municipality_id.is_(None)]
    elif kind == "region":
        wanted += [s.region_id == value, s.municipality_id.is_(None)]
    else:
        wanted.append(s.municipality_id == value)
    for dimension, column, fixed in (
        (Dimension.PROVIDER, s.provider_id, scope.provider_id),
        (Dimension.PRODUCT_GROUP, s.product_group, scope.product_group),
    ):
        if dimension in dimensions:
            wanted.append(column.is_not(None))
        if fixed is not None:
            wanted.append(column == fixed)
        elif dimension not in dimensions:
            wanted.append(column.is_(None))
    return wanted


def _summary_period(period: Period) -> ColumnElement[bool]:
    return and_(ScopeSummary.year == period.year, ScopeSummary.quarter == (period.quarter or 0))


def _covered(session: Session, period: Period) -> bool:
    """Return whether the scope summary holds the period (it has a row of all care for each)."""
    return session.scalar(select(func.count()).select_from(ScopeSummary).where(_summary_period(period), _OVERALL)) > 0


def _summary_kpis(session: Session, query: _Query, period: Period, summarised: dict) -> list[KpiRow]:
    """Return kpis() from the summary rows of the period and the previous one, plus the spend."""
    current = summarised[period]
    before = summarised.get(period.previous(), {})
    keys = set(current) if query.dimensions else {()}
    result = []
    for key in keys:
        found = current.get(key)
        # The summary's figures have the KpiRow's names (and spend comes as a Decimal).
        figures = {} if found is None else {**_summary_figures(found), "spend": _number(found["spend"]) or 0.0}
        earlier = before.get(key)
        if earlier is not None:
            figures["previous_clients"] = earlier["clients"]
            figures["previous_spend"] = _number(earlier["spend"]) or 0.0
        result.append(KpiRow(group=_group(query.dimensions, key), **figures))
    _label(session, [row.group for row in result])
    return sorted(result, key=lambda row: (-row.spend, _sort_key(row.group)))


def _group(dimensions: list[Dimension], key: tuple) -> Group:
    group = Group()
    for dimension, value in zip(dimensions, key, strict=True):
        if dimension is Dimension.PROVIDER:
            group.provider_id = value
        elif dimension is Dimension.MUNICIPALITY:
            group.municipality_id = value
        else:
            group.product_group = value
    return group


def _label(session: Session, groups: list[Group]) -> None:
    """Fill in the KvK numbers, CBS codes and names of the groups (one query per kind)."""
    provider_ids = {group.provider_id for group in groups if group.provider_id is not None}
    if provider_ids:
        providers = {
            row.id: row
            for row in session.execute(
                select(Provider.id, Provider.kvk_number, Provider.name).where(Provider.id.in_(provider_ids))
            )
        }
        for group in groups:
            if group.provider_id is not None:
                group.provider_kvk = providers[group.provider_id].kvk_number
                group.provider_name = providers[group.provider_id].name
    municipality_ids = {group.municipality_id for group in groups if group.municipality_id is not None}
    if municipality_ids:
        municipalities = {
            row.id: row
            for row in session.execute(
                select(Municipality.id, Municipality.cbs_code, Municipality.name).where(
                    Municipality.id.in_(municipality_ids)
                )
            )
        }
        for group in groups:
            if group.municipality_id is not None:
                group.municipality_code = municipalities[group.municipality_id].cbs_code
                group.municipality_name = municipalities[group.municipality_id].name


def _sort_key(group: Group) -> tuple:
    return (group.provider_kvk or "", group.product_group or "", group.municipality_code or "")


# The report of `flask kpi report` --------------------------------------------------------


def report(session: Session, *, period: Period, scope: Scope = Scope()) -> dict:
    """Return the market figures and each provider's KPIs as plain data, ready for JSON.

    Rates and shares are fractions from 0 to 1, HHI is on the 0-10,000 scale, amounts are
    rounded to cents and other figures to two decimals; None where a figure has no data.
    """
    [whole] = market(session, period=period, scope=scope)
    providers = kpis(session, period=period, group_by=[Dimension.PROVIDER], scope=scope)
    return {
        "market": {
            "providers": whole.providers,
            "spend": _round(whole.spend),
            "cr3": _round(whole.cr3, 4),
            "cr10": _round(whole.cr10, 4),
            "hhi": _round(whole.hhi),
        },
        "providers": [
            {
                "kvk": row.group.provider_kvk,
                "clients": row.clients,
                "spend": _round(row.spend),
                "cost_per_client": _round(row.cost_per_client),
                "duration_median_days": _round(row.duration_median_days),
                "wait_median_days": _round(row.wait_median_days),
                "wait_p90_days": _round(row.wait_p90_days),
                "dropout_rate": _round(row.dropout_rate, 4),
                "according_to_plan_rate": _round(row.according_to_plan_rate, 4),
                "satisfaction_mean": _round(row.satisfaction_mean),
                "goal_attainment_rate": _round(row.goal_attainment_rate, 4),
            }
            for row in providers
        ],
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
