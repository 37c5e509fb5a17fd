"""The figures of the KPI pages: which engine calls each page makes, and how small numbers hide.

Every page is a list of `Table`s; charts are drawn from the same table cells, so a chart never
shows a number its table does not. The number of statements per page is fixed: every engine call
is a fixed number of grouped statements, and Python only ranks and divides what comes back.

Small-number rule (DOMAIN.md): views shown outside the provider itself (the council view and the
public scoreboard) replace every figure that rests on fewer than 5 clients with SUPPRESSED:
- a row whose group has fewer than 5 clients loses all its figures;
- a rate or mean loses its value when its own denominator (ended trajectories with a reason in
  31-35, recorded outcomes, recorded scores, started trajectories) is below 5;
- complementary suppression: the council view shows each municipality's totals next to its
  product groups, so when exactly one product group of a municipality is suppressed, the next
  smallest is suppressed too (total minus the others would reveal it otherwise);
- neither view shows totals across municipalities or providers, and both choose whole years
  only, so no suppressed quarter can be derived as a year minus three quarters.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.kpi import engine
from portal.kpi.engine import Dimension, KpiRow, MarketRow, Period, Scope
from portal.models import Body, Municipality, ProductGroup, Provider, Region, Round, Trajectory
from portal.models.kpi import KpiSettings, ScopeSummary, SpendMonth
from portal.models.rounds import RoundStatus

#: Figures based on fewer clients than this are not shown outside the provider itself.
MIN_CLIENTS = 5
#: Benchmark statistics need at least this many providers, so no single one can be read off.
MIN_PEERS = 5
#: Growth signals need at least this many clients in the previous period (1 -> 3 is no trend).
MIN_BASE_CLIENTS = 5
DEFAULT_GROWTH_THRESHOLD = 15
DEFAULT_MIX_POINTS = 5
#: HHI thresholds of DOMAIN.md.
HHI_UNCONCENTRATED, HHI_CONCENTRATED = 1000, 1800


class _Suppressed:
    """A figure that rests on fewer than MIN_CLIENTS clients and is therefore not shown."""

    def __repr__(self) -> str:
        return "SUPPRESSED"

    def __bool__(self) -> bool:
        return False


SUPPRESSED = _Suppressed()
SUPPRESSED_TEXT = _l("fewer than 5")


class Kind(enum.StrEnum):
    """How a cell reads: decides its formatting on screen and in downloads."""

    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    DAYS = "days"
    RATE = "rate"
    GROWTH = "growth"
    SCORE = "score"
    INDEX = "index"


@dataclass(frozen=True)
class Cell:
    """A value with its own kind, for tables whose rows hold different kinds of figure."""

    value: object
    kind: Kind


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    label: object
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Chart:
    """A chart drawn from a table: bars or a line, labels from one column, values from another."""

    kind: str
    value_column: int
    title: object
    description: object
    label_column: int = 0
    #: A line chart's second, dashed line (e.g. the regional median), from this column.
    reference_column: int | None = None
    #: What the dashed line is, for its legend.
    reference_label: object = None


@dataclass
class Table:
    """A table of figures, its charts, and the links its first cells lead to."""

    key: str
    caption: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    #: The page the first cell of each row links to, or None.
    links: list[str | None] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    #: A sentence under the table, e.g. what suppression means here.
    note: object = None
    #: What to say instead of an empty table.
    empty: object = None

    def add(self, row: list, link: str | None = None) -> None:
        """Add a row and the link of its first cell."""
        self.rows.append(row)
        self.links.append(link)


# Formatting ----------------------------------------------------------------------------------


def kind_of(cell, column: Column) -> Kind:
    """Return the kind a cell reads as."""
    return cell.kind if isinstance(cell, Cell) else column.kind


def raw(cell):
    """Return the value inside a cell."""
    return cell.value if isinstance(cell, Cell) else cell


#: The quanta of numbers shown whole and with one decimal.
_QUANTA = (Decimal(1), Decimal("0.1"))


@dataclass(frozen=True)
class NumberFormat:
    """The number patterns of display() in one language: "#,##0", "#,##0.0" and "#,##0.0%".

    Gives exactly what babel's format_decimal and format_percent give for these patterns (the
    same steps: the value as a Decimal from its shortest text, scaled for a percentage, the sign
    kept apart, rounded half to even, grouped by three) without their cost per call, which was
    most of rendering a page with thousands of figures. tests/kpi/test_dashboards.py compares
    the two in the portal's languages. (Babel also drops quote characters from its result, which
    only matters where the group symbol is one, as in de_CH.)
    """

    #: Turns Python's "," and "." into the language's group and decimal symbols.
    symbols: dict

    @staticmethod
    @cache
    def of(locale: Locale | None) -> NumberFormat:
        """Return the formats of a language (babel's default language for None)."""
        group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
        return NumberFormat(str.maketrans({",": group, ".": decimal}))

    def number(self, value, decimals: int, percent: bool = False) -> str:
        """Return the value with 0 or 1 decimals, as a percentage when percent is set."""
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        if percent:
            exact = exact.scaleb(2)
        text = f"{abs(exact).quantize(_QUANTA[decimals]):,f}".translate(self.symbols)
        return ("-" if exact.is_signed() else "") + text + ("%" if percent else "")


def display(value, kind: Kind, numbers: NumberFormat | None = None) -> str:
    """Return a figure as people read it, in the current language; '–' where there is none.

    ``numbers`` (the current language's NumberFormat) saves looking it up for every figure
    when a caller formats many.
    """
    if value is SUPPRESSED:
        return str(SUPPRESSED_TEXT)
    if value is None:
        return "–"
    if kind is Kind.TEXT:
        return str(value)
    if numbers is None:
        numbers = NumberFormat.of(get_locale())
    if kind is Kind.COUNT or kind is Kind.INDEX:
        return numbers.number(round(value), 0)
    if kind is Kind.MONEY:
        return "€ " + numbers.number(round(value), 0)
    if kind is Kind.RATE:
        return numbers.number(value, 1, percent=True)
    if kind is Kind.GROWTH:
        return ("+" if value > 0 else "") + numbers.number(value, 1, percent=True)
    return numbers.number(value, 1)  # days and scores


def display_rows(table: Table) -> list[tuple[str | None, str, list[tuple[str, bool]]]]:
    """Return each row of a table as people read it: its link, its first cell, and every other
    cell with whether it is a figure (right-aligned) rather than text."""
    numbers = NumberFormat.of(get_locale())
    suppressed = str(SUPPRESSED_TEXT)  # translated once: a public table hides hundreds of figures
    columns = table.columns
    rows = []
    for row, link in zip(table.rows, table.links, strict=True):
        cells = []
        for cell, column in zip(row, columns, strict=True):
            kind, value = kind_of(cell, column), raw(cell)
            text = suppressed if value is SUPPRESSED else display(value, kind, numbers)
            cells.append((text, kind is not Kind.TEXT))
        rows.append((link, cells[0][0], cells[1:]))
    return rows


def export_value(value, kind: Kind):
    """Return a figure for CSV and XLSX: plain numbers (percentages for rates), text otherwise."""
    if value is SUPPRESSED:
        return str(SUPPRESSED_TEXT)
    if value is None:
        return ""
    if kind is Kind.TEXT:
        return str(value)
    if kind in (Kind.COUNT, Kind.INDEX):
        return int(round(value))
    if kind is Kind.MONEY:
        return round(float(value), 2)
    if kind in (Kind.RATE, Kind.GROWTH):
        return round(float(value) * 100, 1)
    return round(float(value), 1)


def export_header(column: Column) -> str:
    """Return a column's heading for downloads, with (%) where the values are percentages."""
    label = str(column.label)
    return f"{label} (%)" if column.kind in (Kind.RATE, Kind.GROWTH) else label


def concentration_words(hhi: float | None):
    """Describe an HHI with the thresholds of DOMAIN.md."""
    if hhi is None:
        return None
    if hhi < HHI_UNCONCENTRATED:
        return _l("unconcentrated")
    if hhi > HHI_CONCENTRATED:
        return _l("concentrated")
    return _l("moderately concentrated")


# Scopes, periods and the choices of the filters -----------------------------------------------


@dataclass(frozen=True)
class RegionScope(Scope):
    """A scope limited to a set of municipalities (a region, or the municipalities of a body)."""

    municipality_ids: tuple[int, ...] = ()

    def conditions(self, on=Trajectory):
        """Return the engine's conditions plus: in one of these municipalities."""
        return [*super().conditions(on), on.municipality_id.in_(self.municipality_ids)]


def period_of(year: int, quarter: int | None) -> Period:
    """Return the chosen period."""
    return Period(year, quarter)


def last_quarters(period: Period, count: int = 8) -> list[Period]:
    """Return the count quarters up to the end of the period, oldest first."""
    current = Period(period.year, period.quarter or 4)
    quarters = [current]
    for _ in range(count - 1):
        current = current.previous()
        quarters.append(current)
    return quarters[::-1]


def data_years(session: Session, municipality_ids: Sequence[int], provider_id: int | None = None) -> list[int]:
    """Return the years from the first to the last month with claims in these municipalities."""
    statement = select(func.min(SpendMonth.period), func.max(SpendMonth.period)).where(
        SpendMonth.municipality_id.in_(municipality_ids)
    )
    if provider_id is not None:
        statement = statement.where(SpendMonth.provider_id == provider_id)
    first, last = session.execute(statement).one()
    if first is None:
        return []
    first, last = _as_date(first), _as_date(last)
    return list(range(first.year, last.year + 1))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def region_municipalities(session: Session, region_id: int) -> list[Municipality]:
    """Return the municipalities of a region, by name."""
    return list(session.scalars(select(Municipality).where(Municipality.region_id == region_id).order_by(Municipality.name)))


@dataclass(frozen=True)
class MunicipalityName:
    """A municipality as plain values (kept between requests with the pages)."""

    id: int
    name: str


def body_municipalities(session: Session, body_id: int) -> list[MunicipalityName]:
    """Return the municipality of a municipal body (a council), or those of a regional body's region, by name."""
    body = select(Body.municipality_id, Body.region_id).where(Body.id == body_id).subquery()
    rows = session.execute(
        select(Municipality.id, Municipality.name).join(body, or_(
            Municipality.id == body.c.municipality_id,
            and_(body.c.municipality_id.is_(None), Municipality.region_id == body.c.region_id),
        )).order_by(Municipality.name)
    )
    return [MunicipalityName(id_, name) for id_, name in rows]


def product_groups(session: Session, municipality_ids: Sequence[int]) -> list[str]:
    """Return the product group codes that occur in these municipalities.

    Read from the scope summary (every trajectory counts in the year it starts, so each code of
    a municipality has rows there); from the trajectories while the summary is still empty.
    """
    s = ScopeSummary
    first, last = session.execute(select(func.min(s.year), func.max(s.year))).one()
    if first is not None:
        # Only the rows of whole years (a code with a quarter's row has one for its year), asked
        # year by year: the summary's index then finds them instead of the whole table being read.
        places = Municipality.__table__
        summarised = list(
            session.scalars(
                select(s.product_group)
                .where(s.year.in_(range(first, last + 1)), s.quarter == 0,
                       s.region_id.in_(select(places.c.region_id).where(places.c.id.in_(municipality_ids))),
                       s.municipality_id.in_(municipality_ids), s.product_group.is_not(None),
                       s.provider_id.is_(None))
                .distinct()
                .order_by(s.product_group)
            )
        )
        if summarised:
            return summarised
    return list(
        session.scalars(
            select(Trajectory.product_group)
            .where(Trajectory.municipality_id.in_(municipality_ids))
            .distinct()
            .order_by(Trajectory.product_group)
        )
    )


def group_names(session: Session, municipality_ids: Sequence[int]) -> dict[str, str]:
    """Return the name of each product group code, from the rounds of these municipalities' regions.

    A code the rounds do not know keeps its code as name; when rounds disagree, the latest
    published round wins over older and draft ones.
    """
    rows = session.execute(
        select(ProductGroup.code, ProductGroup.name)
        .join(Round, ProductGroup.round_id == Round.id)
        .where(Round.region_id.in_(select(Municipality.region_id).where(Municipality.id.in_(municipality_ids))))
        .order_by(Round.status == RoundStatus.PUBLISHED, Round.id, ProductGroup.id)
    )
    return {code: name for code, name in rows}


def group_name(code: str | None, names: dict[str, str]) -> str | None:
    """Return the name of a product group, or its code when it has none."""
    return names.get(code, code) if code is not None else None


@dataclass(frozen=True)
class RegionChoice:
    """A region a provider has care in, as plain values (kept between requests with the pages)."""

    id: int
    code: str
    name: str
    municipality_ids: tuple[int, ...]


def provider_regions(session: Session, provider_id: int) -> list[RegionChoice]:
    """Return the regions whose municipalities occur in the provider's trajectories, by name."""
    # One index lookup per municipality (provider_id, municipality_id), not a read of all the
    # provider's trajectories.
    works_there = (
        select(Trajectory.id)
        .where(Trajectory.provider_id == provider_id, Trajectory.municipality_id == Municipality.id)
        .exists()
    )
    region_ids = select(Municipality.region_id).distinct().where(works_there)
    regions = session.scalars(
        select(Region).where(Region.id.in_(region_ids)).order_by(Region.name).options(selectinload(Region.municipalities))
    )
    return [RegionChoice(r.id, r.code, r.name, tuple(m.id for m in r.municipalities)) for r in regions]


def kpi_settings(session: Session, region_id: int) -> KpiSettings:
    """Return the region's KPI settings, or unsaved defaults when it has none."""
    found = session.get(KpiSettings, region_id)
    return found or KpiSettings(region_id=region_id, scoreboard_public=False, growth_threshold=DEFAULT_GROWTH_THRESHOLD)


def save_kpi_settings(session: Session, *, region_id: int, scoreboard_public: bool, growth_threshold: int) -> KpiSettings:
    """Store the region's KPI settings; flush, never commit."""
    found = session.get(KpiSettings, region_id)
    if found is None:
        found = KpiSettings(region_id=region_id)
        session.add(found)
    found.scoreboard_public = scoreboard_public
    found.growth_threshold = growth_threshold
    session.flush()
    return found


# The figures every table draws on -------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """A KPI as tables show it: its heading, how it reads, and how to take it from a KpiRow."""

    label: object
    kind: Kind
    read: Callable[[KpiRow], object]

    @property
    def column(self) -> Column:
        """Return the table column of this figure."""
        return Column(self.label, self.kind)


#: Every figure a KPI table can show, by key; tables name the keys they show.
FIGURES: dict[str, Figure] = {
    "clients": Figure(_l("Clients"), Kind.COUNT, lambda row: row.clients),
    "spend": Figure(_l("Spend"), Kind.MONEY, lambda row: row.spend),
    "cost_per_client": Figure(_l("Cost per client"), Kind.MONEY, lambda row: row.cost_per_client),
    "duration_median": Figure(_l("Duration of ended care, median (days)"), Kind.DAYS,
                              lambda row: row.duration_median_days),
    "started": Figure(_l("Started trajectories"), Kind.COUNT, lambda row: row.started),
    "wait_median": Figure(_l("Waiting time, median (days)"), Kind.DAYS, lambda row: row.wait_median_days),
    "wait_p90": Figure(_l("Waiting time, 90th percentile (days)"), Kind.DAYS, lambda row: row.wait_p90_days),
    "dropout": Figure(_l("Drop-out rate"), Kind.RATE, lambda row: row.dropout_rate),
    "according_to_plan": Figure(_l("Ended according to plan"), Kind.RATE, lambda row: row.according_to_plan_rate),
    "satisfaction": Figure(_l("Client satisfaction (1-10)"), Kind.SCORE, lambda row: row.satisfaction_mean),
    "goal_attainment": Figure(_l("Goal attainment"), Kind.RATE, lambda row: row.goal_attainment_rate),
    "spend_growth": Figure(_l("Growth of spend"), Kind.GROWTH, lambda row: row.spend_growth),
    "clients_growth": Figure(_l("Growth of clients"), Kind.GROWTH, lambda row: row.clients_growth),
    "previous_clients": Figure(_l("Clients in the previous period"), Kind.COUNT, lambda row: row.previous_clients),
    "previous_spend": Figure(_l("Spend in the previous period"), Kind.MONEY, lambda row: row.previous_spend),
}

#: The provider's KPI list and benchmark.
METRICS: list[Figure] = [FIGURES[key] for key in (
    "clients", "spend", "cost_per_client", "duration_median", "wait_median", "wait_p90", "dropout",
    "according_to_plan", "satisfaction", "goal_attainment",
)]
#: The figures of the public scoreboard.
SCOREBOARD = ("dropout", "satisfaction", "goal_attainment")
#: A provider's share of the market's spend (not a KpiRow figure: it needs the market's total).
SHARE_OF_SPEND = Column(_l("Share of spend"), Kind.RATE)
#: The columns of an overview per provider, product group or municipality.
OVERVIEW = ("clients", "spend", "cost_per_client", "wait_median", "dropout", "satisfaction", "goal_attainment")


def figure_columns(first: object, *items: str | Column) -> list[Column]:
    """Return a text column headed first, then a column per figure key (or ready-made Column)."""
    return [Column(first), *(item if isinstance(item, Column) else FIGURES[item].column for item in items)]


def figure_cells(row: KpiRow, *keys: str) -> list:
    """Return the row's value of each figure key."""
    return [FIGURES[key].read(row) for key in keys]


def quantile(values: Sequence[float], fraction: float) -> float | None:
    """Return a percentile with linear interpolation (as percentile_cont and the engine)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    if lower + 1 >= len(ordered):
        return ordered[lower]
    return ordered[lower] + (position - lower) * (ordered[lower + 1] - ordered[lower])


def _one(rows: list[KpiRow]) -> KpiRow:
    return rows[0] if rows else KpiRow(group=engine.Group())


def _group_key(row: KpiRow, dimensions: Sequence[Dimension]) -> tuple:
    values = {
        Dimension.PROVIDER: row.group.provider_id,
        Dimension.PRODUCT_GROUP: row.group.product_group,
        Dimension.MUNICIPALITY: row.group.municipality_id,
    }
    return tuple(values[dimension] for dimension in dimensions)


def _guarded(value, base: int):
    """Return the value, or SUPPRESSED when the number it rests on is below MIN_CLIENTS."""
    return value if base >= MIN_CLIENTS else SUPPRESSED


def _growth_cell(value: float | None) -> Cell:
    return Cell(value, Kind.GROWTH)


# Provider dashboard ---------------------------------------------------------------------------


@dataclass
class Page:
    """The tables of a page, plus what the page says around them."""

    tables: list[Table]
    period: Period
    extra: dict = field(default_factory=dict)
    #: The tables as HTML, per language and address of the downloads (portal.kpi.views.render_figures):
    #: the same for everyone who gets this page, so rendered once while the page is kept.
    rendered: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, key: str) -> Table | None:
        """Return the table with this key, or None."""
        return next((table for table in self.tables if table.key == key), None)


def _kpi_table(key: str, caption, first: object, rows: list[KpiRow], label: Callable[[KpiRow], str]) -> Table:
    table = Table(key=key, caption=caption, columns=figure_columns(first, *OVERVIEW))
    for row in rows:
        table.add([label(row), *figure_cells(row, *OVERVIEW)])
    return table


def provider_dashboard(session: Session, *, provider: Provider, municipality_ids: Sequence[int], period: Period) -> Page:
    """Return the provider's own KPIs against anonymous statistics of the providers of these
    municipalities (a region)."""
    municipality_ids = tuple(municipality_ids)
    region_scope = RegionScope(municipality_ids=municipality_ids)
    own_scope = RegionScope(municipality_ids=municipality_ids, provider_id=provider.id)
    own = _one(engine.kpis(session, period=period, scope=own_scope))
    peers = engine.kpis(session, period=period, group_by=[Dimension.PROVIDER], scope=region_scope)
    names = group_names(session, municipality_ids)

    benchmark = Table(
        key="kengetallen",
        caption=_l("Your figures against the region's providers"),
        columns=[
            Column(_l("Figure")),
            Column(_l("Your value")),
            Column(_l("Regional median")),
            Column(_l("25th percentile")),
            Column(_l("75th percentile")),
        ],
        note=_l(
            "Median and percentiles are taken over the providers with care in the region (at least %(n)d "
            "providers); no other provider's own figures or name are shown.", n=MIN_PEERS,
        ),
    )
    for metric in METRICS:
        values = [value for value in (metric.read(row) for row in peers) if value is not None]
        enough = len(values) >= MIN_PEERS
        benchmark.add([
            metric.label,
            Cell(metric.read(own), metric.kind),
            Cell(quantile(values, 0.5) if enough else None, metric.kind),
            Cell(quantile(values, 0.25) if enough else None, metric.kind),
            Cell(quantile(values, 0.75) if enough else None, metric.kind),
        ])

    quarters = last_quarters(period)
    regional = _regional_medians(session, quarters, region_scope)
    median = _l("Regional median")
    trend = Table(
        key="trend",
        caption=_l("Your figures per quarter"),
        columns=figure_columns(
            _l("Quarter"), "clients", Column(_l("Clients, regional median"), Kind.COUNT),
            "spend", Column(_l("Spend, regional median"), Kind.MONEY), "cost_per_client", "wait_median", "dropout",
        ),
        charts=[
            Chart("line", 1, _l("Clients per quarter"), _l(
                "Line chart of your number of clients in the last eight quarters; a dashed line shows the "
                "median of the region's providers."), reference_column=2, reference_label=median),
            Chart("line", 3, _l("Spend per quarter"), _l(
                "Line chart of your spend in the last eight quarters; a dashed line shows the median of the "
                "region's providers."), reference_column=4, reference_label=median),
        ],
        note=_l("The regional median is taken over the providers with care in the region in that quarter "
                "(at least %(n)d providers).", n=MIN_PEERS),
    )
    own_quarters = engine.kpis_per_period(session, periods=quarters, scope=own_scope)
    for quarter in quarters:
        row = own_quarters[quarter]
        clients_median, spend_median = regional[quarter]
        trend.add([str(quarter), row.clients, clients_median, row.spend, spend_median,
                   *figure_cells(row, "cost_per_client", "wait_median", "dropout")])

    groups = _kpi_table(
        "productgroepen", _l("Your figures per product group"), _l("Product group"),
        engine.kpis(session, period=period, group_by=[Dimension.PRODUCT_GROUP], scope=own_scope),
        lambda row: group_name(row.group.product_group, names),
    )
    groups.charts.append(Chart("bar", 2, _l("Spend per product group"), _l("Bar chart of your spend per product group.")))
    places = _kpi_table(
        "gemeenten", _l("Your figures per municipality"), _l("Municipality"),
        engine.kpis(session, period=period, group_by=[Dimension.MUNICIPALITY], scope=own_scope),
        lambda row: row.group.municipality_name,
    )
    places.charts.append(Chart("bar", 1, _l("Clients per municipality"), _l("Bar chart of your clients per municipality.")))
    return Page([benchmark, trend, groups, places], period, {"own": own, "peers": len(peers)})


def _regional_medians(session: Session, quarters: list[Period], scope: Scope) -> dict[Period, tuple]:
    """Return per quarter the median clients and the median spend of the providers active in it.

    A median over fewer than MIN_PEERS providers is None, as in the benchmark table.
    """
    figures = engine.clients_and_spend(session, periods=quarters, group_by=[Dimension.PROVIDER], scope=scope)
    clients: dict[Period, list] = {quarter: [] for quarter in quarters}
    spend: dict[Period, list] = {quarter: [] for quarter in quarters}
    for (period, _provider), (count, amount) in figures.items():
        if count:
            clients[period].append(count)
        if amount:
            spend[period].append(amount)
    return {
        quarter: (
            quantile(clients[quarter], 0.5) if len(clients[quarter]) >= MIN_PEERS else None,
            quantile(spend[quarter], 0.5) if len(spend[quarter]) >= MIN_PEERS else None,
        )
        for quarter in quarters
    }


# Municipality dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """Something worth a conversation, with the page that shows the figures behind it."""

    kind: str
    subject: str
    message: str
    link: str

    @property
    def label(self):
        """Return what kind of signal this is, in words."""
        return SIGNAL_LABELS[self.kind]


def municipality_dashboard(
    session: Session,
    *,
    municipality_ids: Sequence[int],
    period: Period,
    product_group: str | None,
    growth_threshold: int,
    mix_points: int,
    link: Callable[..., str],
    names: dict[str, str] | None = None,
) -> Page:
    """Return where the money goes, how concentrated the market is, and the signals.

    ``link(kvk=None, product_group=None)`` returns the URL of the figures behind a signal;
    ``names`` maps product group codes to names (read from the rounds when not given).
    """
    ids = tuple(municipality_ids)
    names = group_names(session, ids) if names is None else names
    scope = RegionScope(municipality_ids=ids, product_group=product_group)
    whole_scope = RegionScope(municipality_ids=ids)
    total = _one(engine.kpis(session, period=period, scope=scope))
    [market] = engine.market(session, period=period, scope=scope)
    per_group = engine.kpis(session, period=period, group_by=[Dimension.PRODUCT_GROUP], scope=scope)
    group_markets = {row.group.product_group: row for row in engine.market(session, period=period, group_by=[Dimension.PRODUCT_GROUP], scope=scope)}
    per_provider = engine.kpis(session, period=period, group_by=[Dimension.PROVIDER], scope=scope)
    # Mixes are read over all product groups, whatever the filter, or no mix could shift.
    provider_totals = {row.group.provider_id: row for row in engine.kpis(session, period=period, group_by=[Dimension.PROVIDER], scope=whole_scope)} if product_group else {row.group.provider_id: row for row in per_provider}
    provider_groups = engine.kpis(session, period=period, group_by=[Dimension.PROVIDER, Dimension.PRODUCT_GROUP], scope=whole_scope)
    all_groups = engine.kpis(session, period=period, group_by=[Dimension.PRODUCT_GROUP], scope=whole_scope) if product_group else per_group

    summary = Table(
        key="samenvatting",
        caption=_l("The market in figures"),
        columns=[Column(_l("Figure")), Column(_l("Value"))],
    )
    for label, cell in [
        (_l("Spend"), Cell(total.spend, Kind.MONEY)),
        (_l("Growth of spend"), Cell(total.spend_growth, Kind.GROWTH)),
        (_l("Clients"), Cell(total.clients, Kind.COUNT)),
        (_l("Growth of clients"), Cell(total.clients_growth, Kind.GROWTH)),
        (_l("Cost per client"), Cell(total.cost_per_client, Kind.MONEY)),
        (_l("Providers with spend"), Cell(market.providers, Kind.COUNT)),
        (_l("CR3: share of the 3 largest providers"), Cell(market.cr3, Kind.RATE)),
        (_l("CR10: share of the 10 largest providers"), Cell(market.cr10, Kind.RATE)),
        (_l("HHI (0-10,000)"), Cell(market.hhi, Kind.INDEX)),
        (_l("Concentration"), Cell(concentration_words(market.hhi), Kind.TEXT)),
        (_l("Waiting time, median (days)"), Cell(total.wait_median_days, Kind.DAYS)),
        (_l("Waiting time, 90th percentile (days)"), Cell(total.wait_p90_days, Kind.DAYS)),
    ]:
        summary.add([label, cell])

    group_figures = ("spend", "spend_growth", "clients", "clients_growth", "cost_per_client")
    groups = Table(
        key="productgroepen",
        caption=_l("Spend and clients per product group"),
        columns=figure_columns(
            _l("Product group"), *group_figures, Column(_l("Providers with spend"), Kind.COUNT),
            Column(_l("HHI (0-10,000)"), Kind.INDEX), Column(_l("Concentration")),
        ),
        charts=[Chart("bar", 1, _l("Spend per product group"), _l("Bar chart of the spend per product group."))],
    )
    for row in per_group:
        group_market = group_markets.get(row.group.product_group, MarketRow(group=row.group))
        groups.add(
            [group_name(row.group.product_group, names), *figure_cells(row, *group_figures),
             group_market.providers, group_market.hhi, concentration_words(group_market.hhi)],
            link(product_group=row.group.product_group),
        )

    waiting = Table(
        key="wachttijden",
        caption=_l("Waiting times per product group"),
        columns=figure_columns(_l("Product group"), "started", "wait_median", "wait_p90"),
        charts=[Chart("bar", 3, _l("Waiting time (90th percentile) per product group"),
                      _l("Bar chart of the waiting time in days within which 9 in 10 clients started, per product group."))],
    )
    for row in sorted(per_group, key=lambda row: row.group.product_group):
        waiting.add([group_name(row.group.product_group, names), *figure_cells(row, "started", "wait_median", "wait_p90")])

    providers = Table(
        key="aanbieders",
        caption=_l("Spend and clients per provider"),
        columns=figure_columns(_l("Provider"), "spend", SHARE_OF_SPEND, "clients", "cost_per_client", "wait_median",
                        "dropout", "spend_growth"),
    )
    for row in per_provider:
        providers.add(
            [row.group.provider_name, row.spend, row.spend / market.spend if market.spend else None,
             *figure_cells(row, "clients", "cost_per_client", "wait_median", "dropout", "spend_growth")],
            link(kvk=row.group.provider_kvk),
        )

    top_spend = Table(
        key="top-uitgaven",
        caption=_l("The ten largest providers by spend"),
        columns=figure_columns(_l("Provider"), "spend", SHARE_OF_SPEND),
        charts=[Chart("bar", 1, _l("The ten largest providers by spend"), _l("Bar chart of the spend of the ten providers with the most spend."))],
    )
    for row in sorted(per_provider, key=lambda row: (-row.spend, row.group.provider_name or ""))[:10]:
        top_spend.add([row.group.provider_name, row.spend, row.spend / market.spend if market.spend else None],
                      link(kvk=row.group.provider_kvk))
    top_clients = Table(
        key="top-clienten",
        caption=_l("The ten largest providers by clients"),
        columns=figure_columns(_l("Provider"), "clients", "cost_per_client"),
        charts=[Chart("bar", 1, _l("The ten largest providers by clients"), _l("Bar chart of the clients of the ten providers with the most clients."))],
    )
    for row in sorted(per_provider, key=lambda row: (-row.clients, row.group.provider_name or ""))[:10]:
        top_clients.add([row.group.provider_name, row.clients, row.cost_per_client], link(kvk=row.group.provider_kvk))

    spread = Table(
        key="kosten-per-client",
        caption=_l("Spread of the cost per client between providers, per product group"),
        columns=[
            Column(_l("Product group")),
            Column(_l("Providers"), Kind.COUNT),
            Column(_l("Lowest"), Kind.MONEY),
            Column(_l("25th percentile"), Kind.MONEY),
            Column(_l("Median"), Kind.MONEY),
            Column(_l("75th percentile"), Kind.MONEY),
            Column(_l("Highest"), Kind.MONEY),
        ],
    )
    costs: dict[str, list[float]] = {}
    for row in provider_groups:
        if row.cost_per_client is not None and (product_group is None or row.group.product_group == product_group):
            costs.setdefault(row.group.product_group, []).append(row.cost_per_client)
    for code in sorted(costs):
        values = costs[code]
        spread.add([group_name(code, names), len(values), min(values), quantile(values, 0.25), quantile(values, 0.5),
                    quantile(values, 0.75), max(values)], link(product_group=code))

    signals = _signals(
        total=total, per_group=per_group, per_provider=per_provider, provider_totals=provider_totals,
        provider_groups=provider_groups, all_groups=all_groups, growth_threshold=growth_threshold,
        mix_points=mix_points, link=link, names=names,
    )
    signal_table = Table(
        key="signalen",
        caption=_l("Signals"),
        columns=[Column(_l("Subject")), Column(_l("Signal")), Column(_l("What it means"))],
        note=_l("Each subject links to the figures behind the signal."),
        empty=_l("No signals for this period."),
    )
    for signal in signals:
        signal_table.add([signal.subject, SIGNAL_LABELS[signal.kind], signal.message], signal.link)

    return Page(
        [signal_table, summary, groups, top_spend, top_clients, providers, spread, waiting],
        period,
        {"signals": signals, "market": market, "total": total},
    )


SIGNAL_LABELS = {
    "growth": _l("Fast growth"),
    "mix": _l("Shift to more expensive products"),
    "few_clients": _l("Very few clients"),
}


def _signals(*, total, per_group, per_provider, provider_totals, provider_groups, all_groups,
             growth_threshold: int, mix_points: int, link, names: dict[str, str]) -> list[Signal]:
    """Find fast growth, shifts to the most expensive product group and providers with few clients."""
    from flask_babel import gettext as _

    threshold = growth_threshold / 100
    signals: list[Signal] = []

    def growth(subject: str, row: KpiRow, **target: str | None) -> None:
        # The link is built only for a signal: most rows raise none, and building URLs is not free.
        if row.previous_clients < MIN_BASE_CLIENTS:
            return
        if row.spend_growth is not None and row.spend_growth > threshold:
            signals.append(Signal("growth", subject, _(
                "Spend grew by %(growth)s, from %(before)s to %(now)s.",
                growth=display(row.spend_growth, Kind.GROWTH), before=display(row.previous_spend, Kind.MONEY),
                now=display(row.spend, Kind.MONEY)), link(**target)))
        if row.clients_growth is not None and row.clients_growth > threshold:
            signals.append(Signal("growth", subject, _(
                "Clients grew by %(growth)s, from %(before)s to %(now)s.",
                growth=display(row.clients_growth, Kind.GROWTH), before=display(row.previous_clients, Kind.COUNT),
                now=display(row.clients, Kind.COUNT)), link(**target)))

    growth(_("All care"), total)
    for row in per_group:
        growth(group_name(row.group.product_group, names), row, product_group=row.group.product_group)
    for row in per_provider:
        growth(row.group.provider_name, row, kvk=row.group.provider_kvk)

    expensive = max((row for row in all_groups if row.cost_per_client is not None),
                    key=lambda row: row.cost_per_client, default=None)
    if expensive is not None:
        code = expensive.group.product_group
        for row in provider_groups:
            if row.group.product_group != code:
                continue
            whole = provider_totals.get(row.group.provider_id)
            if whole is None or not whole.spend or not whole.previous_spend:
                continue
            now = row.spend / whole.spend
            before = row.previous_spend / whole.previous_spend
            if (now - before) * 100 > mix_points:
                signals.append(Signal("mix", row.group.provider_name, _(
                    "The share of %(group)s (the product group with the highest cost per client) in this "
                    "provider's spend rose from %(before)s to %(now)s.",
                    group=group_name(code, names), before=display(before, Kind.RATE), now=display(now, Kind.RATE)),
                    link(kvk=row.group.provider_kvk)))

    for row in per_provider:
        if 0 < row.clients < MIN_CLIENTS:
            signals.append(Signal("few_clients", row.group.provider_name, _(
                "%(clients)s clients in this period.", clients=display(row.clients, Kind.COUNT)),
                link(kvk=row.group.provider_kvk)))
    return signals


def provider_figures(session: Session, *, provider: Provider, municipality_ids: Sequence[int], period: Period) -> Page:
    """Return one provider's figures per product group, now and in the previous period (for staff)."""
    scope = RegionScope(municipality_ids=tuple(municipality_ids), provider_id=provider.id)
    total = _one(engine.kpis(session, period=period, scope=scope))
    rows = engine.kpis(session, period=period, group_by=[Dimension.PRODUCT_GROUP], scope=scope)
    names = group_names(session, municipality_ids)
    overview = Table(
        key="kengetallen",
        caption=_l("Figures of %(name)s", name=provider.name),
        columns=[Column(_l("Figure")), Column(_l("Value"))],
    )
    for metric in [*METRICS, FIGURES["previous_clients"], FIGURES["previous_spend"]]:
        overview.add([metric.label, Cell(metric.read(total), metric.kind)])
    mix = Table(
        key="productmix",
        caption=_l("Spend per product group, now and in the previous period"),
        columns=figure_columns(
            _l("Product group"), "spend", SHARE_OF_SPEND, "previous_spend",
            Column(_l("Share in the previous period"), Kind.RATE), "clients", "previous_clients", "cost_per_client",
        ),
        charts=[Chart("bar", 1, _l("Spend per product group"), _l("Bar chart of the provider's spend per product group."))],
    )
    for row in sorted(rows, key=lambda row: row.group.product_group):
        mix.add([
            group_name(row.group.product_group, names), row.spend, row.spend / total.spend if total.spend else None,
            row.previous_spend, row.previous_spend / total.previous_spend if total.previous_spend else None,
            row.clients, row.previous_clients, row.cost_per_client,
        ])
    return Page([overview, mix], period, {"total": total})


# Council view and public scoreboard (suppressed) ---------------------------------------------


def council_view(session: Session, *, municipality_ids: Sequence[int], period: Period) -> Page:
    """Return figures per municipality and per product group, with small numbers suppressed."""
    scope = RegionScope(municipality_ids=tuple(municipality_ids))
    by_place = [Dimension.MUNICIPALITY]
    places = engine.kpis(session, period=period, group_by=by_place, scope=scope)
    note = _l("Figures based on fewer than 5 clients are shown as \u201cfewer than 5\u201d, so no child can be recognised.")
    summary = Table(
        key="gemeenten",
        caption=_l("Youth care per municipality"),
        columns=figure_columns(_l("Municipality"), *OVERVIEW),
        charts=[Chart("bar", 1, _l("Clients per municipality"), _l("Bar chart of the number of clients per municipality."))],
        note=note,
    )
    for row in sorted(places, key=lambda row: row.group.municipality_name or ""):
        summary.add(suppressed_row(row.group.municipality_name, row, row.scores))

    by_group = [Dimension.MUNICIPALITY, Dimension.PRODUCT_GROUP]
    cells = engine.kpis(session, period=period, group_by=by_group, scope=scope)
    detail = Table(
        key="productgroepen",
        caption=_l("Youth care per municipality and product group"),
        columns=figure_columns(_l("Municipality"), Column(_l("Product group")), "clients", "spend", "cost_per_client"),
        note=_l(
            "Where only one product group of a municipality would be hidden, the next smallest is hidden "
            "too, so it cannot be worked out from the municipality's total."
        ),
    )
    names = group_names(session, municipality_ids)
    per_place: dict[str, list[KpiRow]] = {}
    for row in cells:
        per_place.setdefault(row.group.municipality_name or "", []).append(row)
    for name in sorted(per_place):
        rows = sorted(per_place[name], key=lambda row: row.group.product_group)
        hidden = complementary_suppression(rows)
        for row in rows:
            if row.group.product_group in hidden:
                detail.add([name, group_name(row.group.product_group, names), SUPPRESSED, SUPPRESSED, SUPPRESSED])
            else:
                detail.add([name, group_name(row.group.product_group, names), *figure_cells(row, "clients", "spend", "cost_per_client")])
    return Page([summary, detail], period)


def suppressed_row(label: str, row: KpiRow, scores: int) -> list:
    """Return a row of the council view with every figure on fewer than 5 clients suppressed."""
    if row.clients < MIN_CLIENTS:
        return [label, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED]
    return [
        label,
        row.clients,
        row.spend,
        row.cost_per_client,
        _guarded(row.wait_median_days, row.started),
        _guarded(row.dropout_rate, row.ended_with_rate_reason),
        _guarded(row.satisfaction_mean, scores),
        _guarded(row.goal_attainment_rate, row.with_outcome),
    ]


def complementary_suppression(rows: list[KpiRow]) -> set[str]:
    """Return the product groups to hide in one municipality: those under 5 clients, and never just one.

    When exactly one group is under 5, the group with the fewest clients among the rest is
    hidden too; the municipality's total minus the shown groups then reveals only a sum of two.
    """
    hidden = {row.group.product_group for row in rows if row.clients < MIN_CLIENTS}
    if len(hidden) == 1:
        rest = [row for row in rows if row.group.product_group not in hidden]
        if rest:
            hidden.add(min(rest, key=lambda row: (row.clients, row.spend, row.group.product_group)).group.product_group)
    return hidden


def scoreboard(session: Session, *, region: Region, period: Period) -> Page:
    """Return drop-out, satisfaction and goal attainment per provider in each product group, suppressed."""
    scope = RegionScope(municipality_ids=tuple(m.id for m in region.municipalities))
    dimensions = [Dimension.PRODUCT_GROUP, Dimension.PROVIDER]
    rows = engine.kpis(session, period=period, group_by=dimensions, scope=scope)
    names = group_names(session, scope.municipality_ids)
    by_group: dict[str, list[KpiRow]] = {}
    for row in rows:
        by_group.setdefault(row.group.product_group, []).append(row)
    tables = []
    for code in sorted(by_group):
        table = Table(
            key=f"productgroep-{code.lower()}",
            caption=_l("Product group %(name)s", name=group_name(code, names)),
            columns=figure_columns(_l("Provider"), *SCOREBOARD),
            charts=[Chart("bar", 3, _l("Goal attainment per provider in %(name)s", name=group_name(code, names)),
                          _l("Bar chart of the share of ended trajectories whose goals were met, per provider."))],
            note=_l("Figures based on fewer than 5 clients are shown as \u201cfewer than 5\u201d."),
        )
        for row in sorted(by_group[code], key=lambda row: row.group.provider_name or ""):
            if row.clients < MIN_CLIENTS:
                table.add([row.group.provider_name, SUPPRESSED, SUPPRESSED, SUPPRESSED])
                continue
            table.add([
                row.group.provider_name,
                _guarded(row.dropout_rate, row.ended_with_rate_reason),
                _guarded(row.satisfaction_mean, row.scores),
                _guarded(row.goal_attainment_rate, row.with_outcome),
            ])
        tables.append(table)
    return Page(tables, period)


# Downloads -------------------------------------------------------------------------------------


def download(table: Table, fmt: str, name: str):
    """Return a table as a CSV or XLSX file download, with the same figures as on screen."""
    import csv
    import io

    from flask import Response

    header = [export_header(column) for column in table.columns]
    rows = [[export_value(raw(cell), kind_of(cell, column)) for cell, column in zip(row, table.columns, strict=True)]
            for row in table.rows]
    filename = f"{name}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        # The byte-order mark lets spreadsheet programs read the file as UTF-8.
        return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.key[:31])
    sheet.append([str(table.caption)])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
