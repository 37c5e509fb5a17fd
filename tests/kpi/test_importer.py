"""Importing care data: every row checked, bad rows reported, re-imports change nothing."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.kpi import importer
from portal.kpi.importer import ImportStep, KpiImportError, RowError, import_files
from portal.models import Claim, ImportStatus, KpiImport, Trajectory
from tests.kpi import CLAIM_HEADER, TRAJECTORY_HEADER, csv_text, run_import, trajectory_row


def stored(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_sample_files_import_with_bad_rows_reported_and_the_rest_stored(cast):
    result = run_import("trajectories.csv", "claims.csv")

    assert (result.trajectories.imported, result.trajectories.rejected) == (7, 2)
    assert (result.claims.imported, result.claims.rejected) == (9, 4)
    assert stored(Trajectory) == 7 and stored(Claim) == 9
    assert result.errors == [
        RowError("trajectories.csv", 8, "end_date", "'2025-13-01' is not a date as YYYY-MM-DD"),
        RowError("trajectories.csv", 9, "municipality_code", "no municipality with CBS code GM9999"),
        RowError("trajectories.csv", 9, "satisfaction", "'11' is not a whole number from 1 to 10"),
        RowError("trajectories.csv", 9, "goals_met", "'maybe' is not yes, no or empty"),
        RowError("claims.csv", 10, "trajectory_ref",
                 "no trajectory T-007 in the database or the trajectories file"),
        RowError("claims.csv", 11, "amount_granted",
                 "'1.250,00': use '.' as the decimal separator, no thousands separator"),
        RowError("claims.csv", 12, "amount_granted", "must not be negative"),
        RowError("claims.csv", 13, "trajectory_ref",
                 "no trajectory T-404 in the database or the trajectories file"),
    ]
    ended = db.session.scalar(select(Trajectory).where(Trajectory.trajectory_ref == "T-001"))
    assert (ended.municipality_id, ended.provider_id) == (cast.municipality.id, cast.provider.id)
    assert (ended.end_date, ended.end_reason, ended.satisfaction, ended.goals_met) == (date(2025, 1, 31), "31", 8, True)
    ongoing = db.session.scalar(select(Trajectory).where(Trajectory.trajectory_ref == "T-004"))
    assert (ongoing.end_date, ongoing.end_reason, ongoing.goals_met) == (None, None, None)
    # The second claim for T-009 2025-02 is used: the first one on line 11 was rejected.
    amounts = db.session.scalars(
        select(Claim.amount_granted).join(Trajectory).where(Trajectory.trajectory_ref == "T-009")
    ).all()
    assert [Decimal(str(amount)) for amount in amounts] == [Decimal("99.99")]


def test_importing_the_same_files_again_changes_nothing(cast):
    run_import("trajectories.csv", "claims.csv")
    updated_at = db.session.scalar(select(Trajectory.updated_at).where(Trajectory.trajectory_ref == "T-001"))

    again = run_import("trajectories.csv", "claims.csv")

    assert (again.trajectories.imported, again.trajectories.updated, again.trajectories.unchanged) == (0, 0, 7)
    assert (again.claims.imported, again.claims.updated, again.claims.unchanged) == (0, 0, 9)
    assert again.rejected == 6  # the same bad rows, reported again
    assert stored(Trajectory) == 7 and stored(Claim) == 9
    assert db.session.scalar(select(Trajectory.updated_at).where(Trajectory.trajectory_ref == "T-001")) == updated_at
    assert [log.status for log in db.session.scalars(select(KpiImport).order_by(KpiImport.id))] == [
        ImportStatus.SUCCEEDED, ImportStatus.SUCCEEDED
    ]


def test_a_changed_row_updates_the_stored_trajectory_and_claim(cast):
    run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1"), trajectory_row("T-2")),
               csv_text(CLAIM_HEADER, "T-1,2025-01,100.00", "T-2,2025-01,200.00"))

    result = run_import(
        csv_text(TRAJECTORY_HEADER, trajectory_row("T-1", end_date="2025-03-31", end_reason="31", goals_met="yes"),
                 trajectory_row("T-2"), trajectory_row("T-3")),
        csv_text(CLAIM_HEADER, "T-1,2025-01,100.00", "T-2,2025-01,250.00", "T-2,2025-02,250.00"),
    )

    assert (result.trajectories.imported, result.trajectories.updated, result.trajectories.unchanged) == (1, 1, 1)
    assert (result.claims.imported, result.claims.updated, result.claims.unchanged) == (1, 1, 1)
    changed = db.session.scalar(select(Trajectory).where(Trajectory.trajectory_ref == "T-1"))
    assert (changed.end_date, changed.end_reason, changed.goals_met) == (date(2025, 3, 31), "31", True)
    total = db.session.scalar(select(func.sum(Claim.amount_granted)))
    assert float(total) == 600.0


def test_a_wrong_header_refuses_the_whole_import_and_keeps_the_earlier_data(cast):
    run_import("trajectories.csv", "claims.csv")

    with pytest.raises(KpiImportError, match="wrong header"):
        run_import("trajectories_wrong_header.csv", "claims.csv")
    db.session.commit()  # the command line keeps the log of the failed run

    assert stored(Trajectory) == 7 and stored(Claim) == 9
    failed = db.session.scalar(select(KpiImport).order_by(KpiImport.id.desc()))
    assert failed.status is ImportStatus.FAILED
    assert "missing columns: end_reason; unknown columns: end_reasn" in failed.error
    assert failed.trajectories_imported == 0


def test_a_file_separated_by_semicolons_is_refused_with_a_hint(cast):
    with pytest.raises(KpiImportError, match="separated by semicolons; use commas"):
        run_import(csv_text(TRAJECTORY_HEADER.replace(",", ";")))
    db.session.rollback()
    assert stored(Trajectory) == 0


def test_a_header_with_columns_in_another_order_is_accepted(cast):
    header = "goals_met," + TRAJECTORY_HEADER.replace(",goals_met", "")
    row = trajectory_row("T-1", goals_met="no")
    row = "no," + row.rsplit(",", 1)[0]
    result = run_import(csv_text(header, row))
    assert result.trajectories.imported == 1
    assert db.session.scalar(select(Trajectory.goals_met)) is False


class _FailingStream:
    """A text stream that breaks after a number of lines, like a network share going away."""

    def __init__(self, text: str, fail_after: int) -> None:
        self.lines = iter(text.splitlines(keepends=True))
        self.left = fail_after

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.left == 0:
            raise OSError("connection lost")
        self.left -= 1
        return next(self.lines)

    def close(self) -> None:
        pass


def test_an_import_that_fails_half_way_leaves_the_previous_data_intact(cast):
    run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1")), csv_text(CLAIM_HEADER, "T-1,2025-01,100.00"))

    # The trajectories file is read and merged completely; the claims file breaks on line 4.
    claims = "\n".join([CLAIM_HEADER] + [f"T-{n},2025-01,999.00" for n in range(1, 7)]) + "\n"
    with pytest.raises(KpiImportError, match="connection lost"):
        run_import(
            csv_text(TRAJECTORY_HEADER, *[trajectory_row(f"T-{n}", client_ref="changed") for n in range(1, 7)]),
            _FailingStream(claims, fail_after=4),
            batch_size=2,
        )
    db.session.rollback()

    assert stored(Trajectory) == 1 and stored(Claim) == 1
    assert db.session.scalar(select(Trajectory.client_ref)) == "C-1"
    assert float(db.session.scalar(select(Claim.amount_granted))) == 100.0


def test_a_database_error_is_logged_in_the_databases_words_without_the_statement_or_its_values(cast, monkeypatch,
                                                                                               caplog):
    run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1")), csv_text(CLAIM_HEADER, "T-1,2025-01,100.00"))

    def broken_summaries(session):
        session.execute(text("SELECT * FROM no_such_table WHERE client_ref = :ref"), {"ref": "C-PRIVATE"})

    monkeypatch.setattr(importer, "refresh_summaries", broken_summaries)
    with pytest.raises(KpiImportError):
        run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1", client_ref="changed")))
    db.session.commit()  # the command line keeps the log of the failed run

    failed = db.session.scalar(select(KpiImport).order_by(KpiImport.id.desc()))
    assert failed.status is ImportStatus.FAILED
    assert failed.error.startswith("The import failed and was undone: ") and "no_such_table" in failed.error
    assert "C-PRIVATE" not in failed.error and "SELECT" not in failed.error  # shown on the import page
    assert "C-PRIVATE" in caplog.text  # the whole error is in the server's log
    assert db.session.scalar(select(Trajectory.client_ref)) == "C-1"


def _claims_stream(*, bad_line: str, good_lines: int = 1000) -> io.TextIOWrapper:
    """Claims with a bad line after more good ones than the first block the file is decoded in."""
    raw = "\n".join([CLAIM_HEADER] + ["T-1,2025-01,100.00"] * good_lines + [bad_line]) + "\n"
    return io.TextIOWrapper(io.BytesIO(raw.encode("latin-1")), encoding="utf-8", newline="")


def test_a_file_that_stops_being_utf8_part_way_fails_saying_after_which_line_and_changes_nothing(cast):
    run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1")), csv_text(CLAIM_HEADER, "T-1,2025-01,100.00"))

    with pytest.raises(KpiImportError) as refused:
        run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1", client_ref="changed")),
                   _claims_stream(bad_line="T-1,2025-02,1\xe9"))  # é in Latin-1: not UTF-8

    found = re.fullmatch(r"claims.csv is not a UTF-8 text file: a character after line (\d+) cannot be read\. "
                         r"Save it as CSV \(UTF-8\); nothing was imported\.", str(refused.value))
    assert found and 1 < int(found[1]) < 1002  # the bad character is on line 1002
    assert db.session.scalar(select(Trajectory.client_ref)) == "C-1"
    failed = db.session.scalar(select(KpiImport).order_by(KpiImport.id.desc()))
    assert (failed.status, failed.error, failed.error_values) == (
        ImportStatus.FAILED, str(refused.value), {"file": "claims.csv", "line": int(found[1])},
    )


def test_a_file_that_is_not_csv_part_way_fails_saying_why(cast):
    with pytest.raises(KpiImportError, match=r"claims.csv cannot be read as CSV after line 1001 "
                                             r"\(field larger than field limit \(131072\)\); nothing was imported"):
        run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1")),
                   _claims_stream(bad_line='T-1,"' + "x" * 200_000))  # a quote that is never closed
    db.session.rollback()
    assert stored(Trajectory) == 0


def test_reading_in_batches_of_three_gives_the_same_result_as_one_batch(cast):
    rows = [trajectory_row(f"T-{n}", client_ref=f"C-{n % 4}") for n in range(10)]
    claims = [f"T-{n},2025-0{1 + n % 3},{n}0.50" for n in range(10)]
    progress = []

    small = run_import(csv_text(TRAJECTORY_HEADER, *rows), csv_text(CLAIM_HEADER, *claims),
                       batch_size=3, on_progress=lambda step, read: progress.append((step, read)))
    stored_small = db.session.execute(
        select(Trajectory.trajectory_ref, Trajectory.client_ref, Claim.period, Claim.amount_granted)
        .join(Claim).order_by(Trajectory.trajectory_ref)
    ).all()
    db.session.execute(Claim.__table__.delete())
    db.session.execute(Trajectory.__table__.delete())
    db.session.commit()
    large = run_import(csv_text(TRAJECTORY_HEADER, *rows), csv_text(CLAIM_HEADER, *claims))

    assert progress == [
        (ImportStep.READ_TRAJECTORIES, 0), (ImportStep.READ_TRAJECTORIES, 3), (ImportStep.READ_TRAJECTORIES, 6),
        (ImportStep.READ_TRAJECTORIES, 9), (ImportStep.READ_TRAJECTORIES, 10), (ImportStep.SAVE_TRAJECTORIES, 0),
        (ImportStep.READ_CLAIMS, 0), (ImportStep.READ_CLAIMS, 3), (ImportStep.READ_CLAIMS, 6),
        (ImportStep.READ_CLAIMS, 9), (ImportStep.READ_CLAIMS, 10), (ImportStep.SAVE_CLAIMS, 0),
        (ImportStep.SUMMARISE, 0),
    ]
    assert (small.trajectories, small.claims) == (large.trajectories, large.claims)
    assert small.imported == 20
    assert db.session.execute(
        select(Trajectory.trajectory_ref, Trajectory.client_ref, Claim.period, Claim.amount_granted)
        .join(Claim).order_by(Trajectory.trajectory_ref)
    ).all() == stored_small


def test_a_trajectory_given_twice_in_one_file_is_used_once_and_the_repeat_reported(cast):
    result = run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1"), trajectory_row("T-2"),
                                 trajectory_row("T-1", client_ref="other")),
                        csv_text(CLAIM_HEADER, "T-1,2025-01,1.00", "T-1,2025-01,2.00"))

    assert (result.trajectories.imported, result.trajectories.rejected) == (2, 1)
    assert (result.claims.imported, result.claims.rejected) == (1, 1)
    assert result.errors == [
        RowError("trajectories.csv", 4, "trajectory_ref", "repeats the trajectory_ref of line 2; that row was used"),
        RowError("claims.csv", 3, "period", "repeats the trajectory_ref and period of line 2; that row was used"),
    ]
    assert db.session.scalar(select(Trajectory.client_ref).where(Trajectory.trajectory_ref == "T-1")) == "C-1"


def test_claims_may_refer_to_trajectories_imported_earlier(cast):
    run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1")))
    result = run_import(None, csv_text(CLAIM_HEADER, "T-1,2025-02,10.00"))
    assert (result.claims.imported, result.claims.rejected) == (1, 0)


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"trajectory_ref": ""}, "trajectory_ref", "is required"),
        ({"client_ref": "x" * 51}, "client_ref", "is longer than 50 characters"),
        ({"municipality_code": "0200"}, "municipality_code", "'0200' is not a CBS code like GM0123"),
        ({"provider_kvk": "1234"}, "provider_kvk", "'1234' is not a KvK number of 8 digits"),
        ({"provider_kvk": "99999999"}, "provider_kvk", "no provider with KvK number 99999999"),
        ({"request_date": "01-01-2025"}, "request_date", "'01-01-2025' is not a date as YYYY-MM-DD"),
        ({"start_date": "20250110"}, "start_date", "'20250110' is not a date as YYYY-MM-DD"),
        ({"start_date": "2024-12-31"}, "start_date", "is before request_date"),
        ({"end_date": "2025-01-09", "end_reason": "31"}, "end_date", "is before start_date"),
        ({"end_date": "2025-02-01"}, "end_reason", "is required when end_date is given"),
        ({"end_reason": "31"}, "end_date", "is required when end_reason is given"),
        ({"end_date": "2025-02-01", "end_reason": "99"}, "end_reason", "'99' is not a JZ588 end reason"),
        ({"satisfaction": "0"}, "satisfaction", "'0' is not a whole number from 1 to 10"),
        ({"satisfaction": "7.5"}, "satisfaction", "'7.5' is not a whole number from 1 to 10"),
        ({"goals_met": "ja"}, "goals_met", "'ja' is not yes, no or empty"),
    ],
)
def test_a_trajectory_row_breaking_a_rule_is_rejected_with_its_column_and_reason(cast, changes, column, reason):
    result = run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-0"), trajectory_row("T-1", **changes)))
    assert result.errors == [RowError("trajectories.csv", 3, column, reason)]
    assert (result.trajectories.imported, result.trajectories.rejected) == (1, 1)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("T-1,2025-1,10.00", "period", "'2025-1' is not a month as YYYY-MM"),
        ("T-1,2025-13,10.00", "period", "'2025-13' is not a month as YYYY-MM"),
        ("T-1,2025-01,", "amount_granted", "is required"),
        ("T-1,2025-01,10.001", "amount_granted", "'10.001' is not an amount like 1234.56"),
        ("T-1,2025-01,€10", "amount_granted", "'€10' is not an amount like 1234.56"),
        ("T-1,2025-01", None, "expected 3 fields, found 2"),
    ],
)
def test_a_claim_row_breaking_a_rule_is_rejected_with_its_column_and_reason(cast, row, column, reason):
    result = run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-1")), csv_text(CLAIM_HEADER, row))
    assert result.errors == [RowError("claims.csv", 2, column, reason)]
    assert result.claims.rejected == 1 and stored(Claim) == 0


def test_only_the_first_rejections_are_described_but_all_are_counted(cast):
    rows = [trajectory_row(f"T-{n}", satisfaction="0") for n in range(5)]
    result = import_files(db.session, trajectories=csv_text(TRAJECTORY_HEADER, *rows),
                          claims=csv_text(CLAIM_HEADER), max_errors=2)
    assert result.trajectories.rejected == 5
    assert [error.line for error in result.errors] == [2, 3]
    assert result.errors_truncated


def _summary() -> dict[tuple, Decimal]:
    from portal.models.kpi import SpendMonth

    rows = db.session.execute(select(
        SpendMonth.period, SpendMonth.provider_id, SpendMonth.product_group, SpendMonth.amount,
    ))
    return {(period, provider, group): amount for period, provider, group, amount in rows}


def test_the_spend_summary_holds_the_claims_sums_after_every_import_and_survives_a_failed_one(cast):
    run_import(
        csv_text(TRAJECTORY_HEADER, trajectory_row("T-1"), trajectory_row("T-2", client_ref="C-2")),
        csv_text(CLAIM_HEADER, "T-1,2025-01,100.10", "T-2,2025-01,200.20", "T-2,2025-02,50.00"),
    )
    beh = cast.provider.id
    assert _summary() == {(date(2025, 1, 1), beh, "BEH"): Decimal("300.30"),
                          (date(2025, 2, 1), beh, "BEH"): Decimal("50.00")}

    # A re-import moves T-2 to another provider and product group and changes an amount.
    run_import(
        csv_text(TRAJECTORY_HEADER, trajectory_row("T-2", client_ref="C-2", provider_kvk="90000002",
                                                   product_group="BGI")),
        csv_text(CLAIM_HEADER, "T-2,2025-01,201.00"),
    )
    other = cast.other_provider.id
    expected = {(date(2025, 1, 1), beh, "BEH"): Decimal("100.10"), (date(2025, 1, 1), other, "BGI"): Decimal("201.00"),
                (date(2025, 2, 1), other, "BGI"): Decimal("50.00")}
    assert _summary() == expected

    with pytest.raises(KpiImportError):
        run_import(csv_text(TRAJECTORY_HEADER, trajectory_row("T-3")),
                   _FailingStream(CLAIM_HEADER + "\nT-3,2025-03,999.00\nT-3,2025-04,999.00\n", fail_after=2))
    db.session.rollback()
    assert _summary() == expected
