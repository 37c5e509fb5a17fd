"""Judge whether a document is valid on a date, by the rule a round or the catalogue sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from portal.models.evidence import ValidityRule


@dataclass(frozen=True)
class Rule:
    """A validity rule with its parameter."""

    kind: ValidityRule
    #: For MAX_AGE: the maximum age in days.
    max_age_days: int | None = None
    #: For FINANCIAL_YEAR: the year the document must cover.
    financial_year: int | None = None


@dataclass(frozen=True)
class Verdict:
    """Whether a document passes a rule on a date, and why not."""

    valid: bool
    #: Why the document does not pass, in words for the provider; None when valid.
    reason: str | None = None
    #: The last day the document passes this rule, if it has one.
    valid_until: date | None = None


def judge(
    rule: Rule,
    on: date,
    *,
    issue_date: date | None,
    expiry_date: date | None,
    financial_year: int | None,
) -> Verdict:
    """Judge a document (its issue date, expiry date and financial year) on the given date."""
    if rule.kind is ValidityRule.MAX_AGE:
        if issue_date is None:
            return Verdict(False, str(_l("The issue date is missing.")))
        valid_until = issue_date + timedelta(days=rule.max_age_days or 0)
        if issue_date > on:
            return Verdict(False, str(_l("The issue date lies in the future.")), valid_until)
        if valid_until < on:
            return Verdict(
                False,
                str(_l("Issued on %(date)s: more than %(days)d days ago.", date=issue_date.isoformat(), days=rule.max_age_days)),
                valid_until,
            )
        return Verdict(True, None, valid_until)
    if rule.kind is ValidityRule.EXPIRY_DATE:
        if expiry_date is None:
            return Verdict(False, str(_l("The expiry date is missing.")))
        if expiry_date < on:
            return Verdict(False, str(_l("Expired on %(date)s.", date=expiry_date.isoformat())), expiry_date)
        return Verdict(True, None, expiry_date)
    if rule.kind is ValidityRule.FINANCIAL_YEAR:
        if financial_year is None:
            return Verdict(False, str(_l("The financial year is missing.")))
        if rule.financial_year is not None and financial_year != rule.financial_year:
            return Verdict(
                False,
                str(_l("This covers %(given)d; %(wanted)d is asked for.", given=financial_year, wanted=rule.financial_year)),
            )
        return Verdict(True)
    return Verdict(True)
