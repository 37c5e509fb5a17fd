"""Validity rules: a document passes or fails on a date, with a reason the provider understands."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.evidence.rules import Rule, judge
from portal.extensions import db
from portal.models import EvidenceType, ValidityRule

ON = date(2026, 3, 1)


def test_a_kvk_extract_of_at_most_183_days_passes_and_an_older_one_fails(app):
    rule = Rule(ValidityRule.MAX_AGE, max_age_days=183)
    fresh = judge(rule, ON, issue_date=date(2025, 9, 1), expiry_date=None, financial_year=None)
    assert fresh.valid and fresh.valid_until == date(2026, 3, 3)
    old = judge(rule, ON, issue_date=date(2025, 8, 29), expiry_date=None, financial_year=None)
    assert not old.valid and "183" in old.reason


def test_a_document_dated_in_the_future_or_without_a_date_fails(app):
    rule = Rule(ValidityRule.MAX_AGE, max_age_days=183)
    assert not judge(rule, ON, issue_date=date(2026, 4, 1), expiry_date=None, financial_year=None).valid
    assert not judge(rule, ON, issue_date=None, expiry_date=None, financial_year=None).valid


def test_an_insurance_counts_up_to_and_including_its_expiry_date(app):
    rule = Rule(ValidityRule.EXPIRY_DATE)
    assert judge(rule, ON, issue_date=None, expiry_date=ON, financial_year=None).valid
    expired = judge(rule, ON, issue_date=None, expiry_date=date(2026, 2, 28), financial_year=None)
    assert not expired.valid and expired.valid_until == date(2026, 2, 28)


def test_annual_accounts_must_cover_the_year_asked_for(app):
    rule = Rule(ValidityRule.FINANCIAL_YEAR, financial_year=2024)
    assert judge(rule, ON, issue_date=None, expiry_date=None, financial_year=2024).valid
    wrong = judge(rule, ON, issue_date=None, expiry_date=None, financial_year=2023)
    assert not wrong.valid and "2024" in wrong.reason


def test_a_document_without_time_limit_always_passes(app):
    assert judge(Rule(ValidityRule.NONE), ON, issue_date=None, expiry_date=None, financial_year=None).valid


def test_the_migration_seeds_the_catalogue_from_domain(app):
    codes = set(db.session.scalars(select(EvidenceType.code)))
    assert {"kvk_extract", "gva", "tax_statement", "liability_insurance", "quality_certificate", "skj_big",
            "wtza", "governance_statement", "wnt_statement", "annual_accounts", "meldcode",
            "complaints_procedure", "ubo_structure"} <= codes
    gva = db.session.scalar(select(EvidenceType).where(EvidenceType.code == "gva"))
    assert gva.default_rule is ValidityRule.MAX_AGE and gva.default_max_age_days == 730
