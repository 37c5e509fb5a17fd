"""The WNT norm engine: worked norms from the published table, part-time, part-year, supervisors, leap years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.governance import wnt
from portal.models import LegalForm, WntClass
from portal.models.governance import WntFunction


def norm(year: int, wnt_class: str, **kwargs) -> Decimal:
    maximum = wnt.class_maximum(db.session, year, WntClass(wnt_class))
    assert maximum is not None
    return wnt.whole_euros(wnt.individual_maximum(maximum, year=year, **kwargs))


def test_the_migration_seeds_the_published_maxima(app):
    table = wnt.maxima_table(db.session)
    assert table[(2023, WntClass.I)] == 124000
    assert table[(2024, WntClass.III)] == 190000
    assert table[(2024, WntClass.V)] == 233000
    assert table[(2025, WntClass.V)] == 246000
    assert (2025, WntClass.III) not in table


def test_class_three_in_2024_at_part_time_0_8_for_the_whole_year(app):
    assert norm(2024, "III", part_time=Decimal("0.8")) == 152000


def test_class_one_in_2023_from_1_july_to_31_december(app):
    # 124,000 × 184 / 365 = 62,509.59
    assert norm(2023, "I", start=date(2023, 7, 1), end=date(2023, 12, 31)) == 62510


def test_a_supervisory_chair_in_class_five_in_2024_gets_15_percent(app):
    assert norm(2024, "V", function=WntFunction.SUPERVISORY_CHAIR) == 34950
    assert norm(2024, "V", function=WntFunction.SUPERVISORY_MEMBER) == 23300
    # The part-time factor does not count for supervisors.
    assert norm(2024, "V", function=WntFunction.SUPERVISORY_CHAIR, part_time=Decimal("0.2")) == 34950


def test_a_leap_year_counts_366_days(app):
    # 2024: 306 days of 366; 2023: 306 days of 365.
    assert norm(2024, "III", start=date(2024, 3, 1), end=date(2024, 12, 31)) == 158852
    assert wnt.days_in_office(2024, date(2024, 3, 1), date(2024, 12, 31)) == 306
    assert wnt.days_in_year(2024) == 366 and wnt.days_in_year(2023) == 365


def test_a_part_time_factor_above_one_is_capped(app):
    assert norm(2024, "III", part_time=Decimal("1.2")) == 190000


def test_whole_euros_round_half_up():
    assert wnt.whole_euros(Decimal("50.5")) == 51
    assert wnt.whole_euros(Decimal("50.49")) == 50
    assert wnt.individual_maximum(Decimal("101"), year=2023, part_time=Decimal("0.5")) == Decimal("50.5")


@pytest.mark.parametrize(("points", "wnt_class"), [(5, None), (6, "I"), (7, "I"), (8, "II"), (9, "III"), (10, "IV"),
                                                   (11, "IV"), (12, "V"), (15, "V"), (16, None)])
def test_the_class_follows_from_the_points(points, wnt_class):
    assert wnt.class_for_points(points) == (WntClass(wnt_class) if wnt_class else None)


@pytest.mark.parametrize("form", [LegalForm.EENMANSZAAK, LegalForm.VOF, LegalForm.MAATSCHAP])
def test_sole_traders_and_partnerships_are_outside_the_wnt(form):
    assert not wnt.applies_to(form)
    assert wnt.applies_to(LegalForm.STICHTING) and wnt.applies_to(LegalForm.BV)


def test_a_year_missing_from_the_table_cannot_be_checked_never_passes(app):
    class Statement:
        start_date, end_date = date(2025, 1, 1), date(2025, 12, 31)
        part_time_factor, function, total = Decimal("1"), WntFunction.EXECUTIVE, Decimal("1")

    table = wnt.maxima_table(db.session)
    check = wnt.check_statement(Statement(), year=2025, wnt_class=WntClass.III, legal_form=LegalForm.STICHTING, table=table)
    assert check.outcome is wnt.Outcome.CANNOT_BE_CHECKED and check.maximum is None
    assert wnt.overall([check], applicable=True) is wnt.Outcome.CANNOT_BE_CHECKED
    assert wnt.overall([], applicable=True) is wnt.Outcome.CANNOT_BE_CHECKED


def test_dates_outside_the_year_are_refused():
    with pytest.raises(wnt.WntError):
        wnt.individual_maximum(Decimal("190000"), year=2024, start=date(2023, 12, 1), end=date(2024, 12, 31))
    with pytest.raises(wnt.WntError):
        wnt.individual_maximum(Decimal("190000"), year=2024, start=date(2024, 6, 1), end=date(2024, 5, 1))


# The command line --------------------------------------------------------------------------------


def run(app, *args):
    return app.test_cli_runner().invoke(args=["wnt", *args])


def test_the_cli_prints_the_individual_maximum_on_its_last_line(app):
    result = run(app, "norm", "--year", "2024", "--class", "III", "--part-time", "0.8")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "152000"
    result = run(app, "norm", "--year", "2023", "--class", "I", "--start", "2023-07-01", "--end", "2023-12-31")
    assert result.output.strip().splitlines()[-1] == "62510"
    result = run(app, "norm", "--year", "2024", "--class", "V", "--supervisor", "chair")
    assert result.output.strip().splitlines()[-1] == "34950"
    result = run(app, "norm", "--year", "2024", "--class", "III", "--start", "2024-03-01", "--end", "2024-12-31")
    assert result.output.strip().splitlines()[-1] == "158852"


@pytest.mark.parametrize("args", [("--year", "2030", "--class", "III"), ("--year", "2025", "--class", "III"),
                                  ("--year", "2024", "--class", "VI")])
def test_the_cli_refuses_an_unknown_year_or_class_with_status_2(app, args):
    result = run(app, "norm", *args)
    assert result.exit_code == 2
    assert "class" in result.output.lower()
    assert not result.output.strip().splitlines()[-1].isdigit()


def test_the_cli_adds_a_year_and_then_knows_it(app):
    result = run(app, "add-year", "--year", "2026", "--source", "Staatscourant 2025, 12345", "--maximum", "V=255000",
                 "--maximum", "III=200000")
    assert result.exit_code == 0, result.output
    assert run(app, "norm", "--year", "2026", "--class", "III").output.strip().splitlines()[-1] == "200000"
    again = run(app, "add-year", "--year", "2026", "--source", "x", "--maximum", "V=1")
    assert again.exit_code == 2
    assert wnt.class_maximum(db.session, 2026, WntClass.V) == 255000
