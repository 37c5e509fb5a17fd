"""Property-based tests of the validators and parsers that take input from outside.

Hypothesis generates the input; each property states what must hold for every value, so a
validator that lets through one odd string or a parser that crashes instead of reporting fails here.
"""

from __future__ import annotations

import io
import json
import string
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forms.validators import is_agb_code, is_kvk_number, normalise_digits, normalise_postcode
from portal.files.inspection import ALLOWED_EXTENSIONS, UploadRejected, clean_filename, inspect_upload
from portal.kpi import importer

ASCII_DIGITS = st.text(alphabet=string.digits, min_size=8, max_size=8)
#: Function-scoped fixtures are fine here: every example cleans up after itself.
WITH_APP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# KvK numbers and AGB codes -----------------------------------------------------------------------

@given(ASCII_DIGITS)
def test_eight_ascii_digits_are_a_kvk_number_and_an_agb_code(value):
    assert is_kvk_number(value)
    assert is_agb_code(value)


@given(st.one_of(st.text(max_size=12), st.text(alphabet=st.characters(categories=["Nd"]), min_size=8, max_size=8)))
@example("12345678\n")
@example("\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668")
def test_anything_but_eight_ascii_digits_is_refused(value):
    expected = len(value) == 8 and all(ch in string.digits for ch in value)
    assert is_kvk_number(value) is expected
    assert is_agb_code(value) is expected


@given(ASCII_DIGITS, st.lists(st.sampled_from([" ", ".", "\t"]), max_size=4), st.data())
def test_spaces_and_dots_people_type_are_removed_from_numbers(value, separators, data):
    typed = value
    for separator in separators:
        position = data.draw(st.integers(min_value=0, max_value=len(typed)))
        typed = typed[:position] + separator + typed[position:]
    assert normalise_digits(typed) == value


@given(st.integers(min_value=1000, max_value=9999), st.text(alphabet=string.ascii_letters, min_size=2, max_size=2),
       st.sampled_from(["", " ", "  "]))
def test_a_postcode_is_written_as_four_digits_a_space_and_two_capitals(number, letters, gap):
    assert normalise_postcode(f"{number}{gap}{letters}") == f"{number} {letters.upper()}"


# File names and uploads --------------------------------------------------------------------------

@given(st.text(max_size=400))
def test_a_cleaned_file_name_is_safe_short_and_stable(name):
    cleaned = clean_filename(name)
    assert cleaned
    assert len(cleaned) <= 150
    assert "/" not in cleaned and "\\" not in cleaned
    assert not cleaned.startswith(".")
    assert all(ch.isprintable() for ch in cleaned)
    assert clean_filename(cleaned) == cleaned


@given(st.text(alphabet=string.ascii_letters + string.digits + "-_ ", min_size=1, max_size=300),
       st.sampled_from(sorted(ALLOWED_EXTENSIONS)))
def test_a_cleaned_file_name_keeps_its_extension(stem, extension):
    cleaned = clean_filename(f"{stem}.{extension}")
    assert cleaned.endswith(f".{extension}")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4096), st.sampled_from(sorted(ALLOWED_EXTENSIONS)),
       st.sampled_from([b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04"]))
def test_any_bytes_are_either_accepted_as_their_kind_or_refused_with_a_reason(app, body, extension, magic):
    content = magic + body
    try:
        kind = inspect_upload(io.BytesIO(content), f"bestand.{extension}", len(content), 20 * 1024 * 1024)
    except UploadRejected as refusal:
        assert str(refusal)
    else:
        assert extension in kind.extensions


# The KPI import's row checks ----------------------------------------------------------------------

CELL = st.one_of(st.text(max_size=14), st.sampled_from(["", "2024-01-31", "2024-13-01", "GM0001", "12345678", "yes", "no", "06", "7"]))


@given(st.lists(CELL, min_size=13, max_size=13))
def test_a_trajectory_row_is_either_ready_or_rejected_with_reasons(values):
    row, problems = importer._check_trajectory(values, {"GM0001": 1}, {"12345678": 7})
    assert (row is None) == bool(problems)
    known_columns = set(importer.TRAJECTORY_COLUMNS)
    for column, reason in problems:
        assert column in known_columns
        assert reason
    if row is not None:
        request_date, start_date, end_date = row[7], row[8], row[9]
        assert request_date <= start_date
        assert end_date is None or start_date <= end_date
        assert row[11] is None or 1 <= row[11] <= 10


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_every_real_date_in_iso_form_is_read_back(day):
    problems: list = []
    assert importer._parse_date("start_date", day.isoformat(), problems) == day
    assert problems == []


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2), st.integers(2000, 2100),
       st.integers(1, 12))
def test_every_valid_claim_is_read_exactly(amount, year, month):
    row, problems = importer._check_claim(["t-1", f"{year}-{month:02d}", str(amount)])
    assert problems == []
    ref, period, granted = row
    # The checked texts go to the database, which reads them as the month's first day and the amount.
    assert (ref, date.fromisoformat(period), Decimal(granted)) == ("t-1", date(year, month, 1), amount)


@given(st.lists(st.text(max_size=16), min_size=3, max_size=3))
def test_a_claim_row_is_either_ready_or_rejected_with_reasons(values):
    row, problems = importer._check_claim(values)
    assert (row is None) == bool(problems)
    for column, reason in problems:
        assert column in importer.CLAIM_COLUMNS and reason
    if row is not None:
        assert row[2] >= 0


# The consultation archive ------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=12)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20,
)
ARCHIVE_KEYS = st.sampled_from(["format", "consultation", "themes", "responses", "title", "questions", "answers",
                                "audience", "key", "kind", "text", "opens", "closes", "points", "ref"])


def _archive_like():
    """Documents that look like archives, with parts missing or of the wrong kind."""
    return st.fixed_dictionaries(
        {"format": st.sampled_from(["consultation-archive/1", "consultation-archive/2", 1])},
        optional={
            "consultation": st.dictionaries(ARCHIVE_KEYS, JSON_VALUES, max_size=6),
            "themes": st.lists(st.dictionaries(ARCHIVE_KEYS, JSON_VALUES, max_size=4), max_size=3),
            "responses": st.lists(st.dictionaries(ARCHIVE_KEYS, JSON_VALUES, max_size=5), max_size=3),
        },
    )


@WITH_APP
@given(st.one_of(_archive_like().map(json.dumps), st.text(max_size=200)))
def test_a_malformed_archive_is_refused_with_a_location_and_leaves_nothing(world, data):
    from consultations import archive
    from consultations.models import Consultation
    from portal.extensions import db

    before = db.session.query(Consultation).count()
    savepoint = db.session.begin_nested()
    try:
        archive.import_archive(db.session, data, region=world.region)
    except archive.ArchiveError as refusal:
        savepoint.rollback()
        assert str(refusal)
        assert db.session.query(Consultation).count() == before
    else:  # pragma: no cover - hypothesis would have to invent a complete, valid archive
        savepoint.rollback()
        pytest.fail("a random document was accepted as an archive")
