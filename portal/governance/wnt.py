"""The WNT norm engine: the individual maximum of a top official from the dated maxima table.

Individual maximum = class maximum × part-time factor (at most 1.0) × days in office in the year /
days in that year. A supervisory board chair gets 15 % and a member 10 % of the class maximum
(no part-time factor), also in proportion to the days in office. Amounts are exact Decimals;
``whole_euros`` rounds half up as the published statements do.
"""

from __future__ import annotations

import enum
from calendar import isleap
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import LegalForm, WntClass, WntMaximum
from portal.models.governance import WntFunction

#: Legal forms outside the WNT: sole traders and partnerships.
OUTSIDE_WNT = frozenset({LegalForm.EENMANSZAAK, LegalForm.VOF, LegalForm.MAATSCHAP})

#: Share of the class maximum for supervisory board members.
SUPERVISOR_SHARE = {
    WntFunction.SUPERVISORY_CHAIR: Decimal("0.15"),
    WntFunction.SUPERVISORY_MEMBER: Decimal("0.10"),
}

#: Points to class: (lowest total, highest total, class).
CLASS_BY_POINTS = [
    (6, 7, WntClass.I),
    (8, 8, WntClass.II),
    (9, 9, WntClass.III),
    (10, 11, WntClass.IV),
    (12, 15, WntClass.V),
]


class WntError(Exception):
    """Input the norm engine cannot work with; the message can be shown as it is."""


class Outcome(enum.StrEnum):
    """The result of checking pay against the norm."""

    WITHIN = "within"
    EXCEEDED = "exceeded"
    NOT_APPLICABLE = "not_applicable"
    CANNOT_BE_CHECKED = "cannot_be_checked"


def applies_to(legal_form: LegalForm) -> bool:
    """Tell whether the WNT applies to a provider of this legal form."""
    return LegalForm(legal_form) not in OUTSIDE_WNT


def class_for_points(total: int) -> WntClass | None:
    """Return the class a total of points gives; None outside 6 to 15 points."""
    for low, high, wnt_class in CLASS_BY_POINTS:
        if low <= total <= high:
            return wnt_class
    return None


def parse_class(text: str) -> WntClass:
    """Read a class written I, II, III, IV or V."""
    try:
        return WntClass(text.strip().upper())
    except ValueError:
        raise WntError(f"Unknown WNT class {text!r}: write I, II, III, IV or V.") from None


def days_in_year(year: int) -> int:
    """Return 366 for a leap year, else 365."""
    return 366 if isleap(year) else 365


def days_in_office(year: int, start: date | None, end: date | None) -> int:
    """Return the days in office within the year, counting both the first and the last day."""
    first = max(start or date(year, 1, 1), date(year, 1, 1))
    last = min(end or date(year, 12, 31), date(year, 12, 31))
    if last < first:
        return 0
    return (last - first).days + 1


def maxima_table(session: Session) -> dict[tuple[int, WntClass], Decimal]:
    """Return the whole maxima table as {(year, class): amount} in one query."""
    return {(row.year, row.wnt_class): row.amount for row in session.scalars(select(WntMaximum))}


def class_maximum(session: Session, year: int, wnt_class: WntClass) -> Decimal | None:
    """Return the published maximum for a year and class, or None when it is not in the table."""
    return session.scalar(select(WntMaximum.amount).where(WntMaximum.year == year, WntMaximum.wnt_class == wnt_class))


def individual_maximum(
    maximum: Decimal,
    *,
    year: int,
    part_time: Decimal = Decimal("1"),
    start: date | None = None,
    end: date | None = None,
    function: WntFunction = WntFunction.EXECUTIVE,
) -> Decimal:
    """Return the exact individual maximum for a class maximum, part-time factor and period in the year."""
    if start and end and end < start:
        raise WntError("The end date lies before the start date.")
    for day in (start, end):
        if day is not None and day.year != year:
            raise WntError(f"The dates must lie in {year}.")
    part_time = Decimal(part_time)
    if part_time <= 0:
        raise WntError("The part-time factor must be more than 0.")
    if function in SUPERVISOR_SHARE:
        base = Decimal(maximum) * SUPERVISOR_SHARE[function]
    else:
        base = Decimal(maximum) * min(part_time, Decimal("1"))
    return base * days_in_office(year, start, end) / days_in_year(year)


def whole_euros(amount: Decimal) -> Decimal:
    """Round to whole euros, half up."""
    return Decimal(amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Check:
    """One WNT statement checked against its individual maximum."""

    outcome: Outcome
    #: The individual maximum in whole euros; None when it cannot be computed.
    maximum: Decimal | None = None
    #: Total pay above the maximum, in euros (0 when within).
    above: Decimal = Decimal("0")
    #: Why the check could not be done, in plain words.
    reason: str = ""


def check_statement(statement, *, year: int, wnt_class: WntClass | None, legal_form: LegalForm,
                    table: dict[tuple[int, WntClass], Decimal]) -> Check:
    """Check a statement's total pay against the norm, using a maxima table already loaded."""
    if not applies_to(legal_form):
        return Check(Outcome.NOT_APPLICABLE)
    if wnt_class is None:
        return Check(Outcome.CANNOT_BE_CHECKED, reason="no_class")
    maximum = table.get((year, WntClass(wnt_class)))
    if maximum is None:
        return Check(Outcome.CANNOT_BE_CHECKED, reason="no_maximum")
    norm = whole_euros(individual_maximum(
        maximum, year=year, part_time=statement.part_time_factor, start=statement.start_date,
        end=statement.end_date, function=WntFunction(statement.function),
    ))
    above = statement.total - norm
    if above > 0:
        return Check(Outcome.EXCEEDED, norm, above)
    return Check(Outcome.WITHIN, norm)


def overall(checks: list[Check], *, applicable: bool) -> Outcome:
    """Combine the checks of a declaration's statements into one outcome for the matrix."""
    if not applicable:
        return Outcome.NOT_APPLICABLE
    if not checks:
        return Outcome.CANNOT_BE_CHECKED
    if any(c.outcome is Outcome.EXCEEDED for c in checks):
        return Outcome.EXCEEDED
    if any(c.outcome is Outcome.CANNOT_BE_CHECKED for c in checks):
        return Outcome.CANNOT_BE_CHECKED
    return Outcome.WITHIN
