"""The command line: `flask kpi import` and `flask kpi report`."""

from __future__ import annotations

import json
import sqlite3

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import ImportStatus, KpiImport, Trajectory
from tests.kpi import DATA


def flask_kpi(app, *args: str):
    return app.test_cli_runner().invoke(args=["kpi", *args])


def test_import_prints_the_counts_and_the_rejected_rows(app, cast):
    result = flask_kpi(app, "import", str(DATA / "trajectories.csv"), str(DATA / "claims.csv"))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "trajectories.csv: 7 imported, 0 updated, 0 unchanged, 2 rejected"
    assert lines[1] == "claims.csv: 9 imported, 0 updated, 0 unchanged, 4 rejected"
    assert "  trajectories.csv line 8, end_date: '2025-13-01' is not a date as YYYY-MM-DD" in lines
    assert "  claims.csv line 12, amount_granted: must not be negative" in lines
    assert db.session.scalar(select(func.count(Trajectory.id))) == 7

    again = flask_kpi(app, "import", str(DATA / "trajectories.csv"), str(DATA / "claims.csv"))
    assert again.output.splitlines()[0] == "trajectories.csv: 0 imported, 0 updated, 7 unchanged, 2 rejected"


def test_import_refuses_a_file_with_a_wrong_header_with_exit_status_2(app, cast):
    result = flask_kpi(app, "import", str(DATA / "trajectories_wrong_header.csv"), str(DATA / "claims.csv"))

    assert result.exit_code == 2
    assert "wrong header" in result.output and "nothing was imported" in result.output
    assert db.session.scalar(select(func.count(Trajectory.id))) == 0
    assert db.session.scalar(select(KpiImport.status)) is ImportStatus.FAILED


def test_import_refuses_when_the_database_cannot_be_written_with_exit_status_2(app, cast, monkeypatch):
    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT INTO kpi_imports", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("portal.kpi.cli.import_files", locked)

    result = flask_kpi(app, "import", str(DATA / "trajectories.csv"), str(DATA / "claims.csv"))

    assert result.exit_code == 2
    assert "Import refused: the database could not be written (database is locked)" in result.output
    assert db.session.scalar(select(func.count(Trajectory.id))) == 0


def test_import_of_a_missing_file_is_a_usage_error(app, cast, tmp_path):
    result = flask_kpi(app, "import", str(tmp_path / "nope.csv"), str(DATA / "claims.csv"))
    assert result.exit_code == 2


def test_report_prints_the_market_and_every_providers_kpis_as_json(app, cast):
    flask_kpi(app, "import", str(DATA / "trajectories.csv"), str(DATA / "claims.csv"))

    result = flask_kpi(app, "report", "--year", "2025", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    shares = [3550.75 / 3650.74 * 100, 99.99 / 3650.74 * 100]
    assert report == {
        "market": {"providers": 2, "spend": 3650.74, "cr3": 1.0, "cr10": 1.0,
                   "hhi": round(sum(share**2 for share in shares), 2)},
        "providers": [
            {"kvk": "90000001", "clients": 5, "spend": 3550.75, "cost_per_client": 710.15,
             "duration_median_days": 89.0, "wait_median_days": 12.0, "wait_p90_days": 31.0,
             "dropout_rate": 0.3333, "according_to_plan_rate": 0.3333, "satisfaction_mean": 7.0,
             "goal_attainment_rate": 0.6667},
            {"kvk": "90000002", "clients": 1, "spend": 99.99, "cost_per_client": 99.99,
             "duration_median_days": None, "wait_median_days": 9.0, "wait_p90_days": 9.0,
             "dropout_rate": None, "according_to_plan_rate": None, "satisfaction_mean": None,
             "goal_attainment_rate": None},
        ],
    }


def test_report_narrows_to_a_quarter_a_municipality_and_a_product_group(app, cast):
    flask_kpi(app, "import", str(DATA / "trajectories.csv"), str(DATA / "claims.csv"))

    result = flask_kpi(app, "report", "--year", "2025", "--quarter", "2", "--municipality", "GM9802",
                       "--product-group", "BEG", "--json")

    report = json.loads(result.output)
    assert report["market"] == {"providers": 0, "spend": 0.0, "cr3": None, "cr10": None, "hhi": None}
    assert [(row["kvk"], row["clients"], row["spend"]) for row in report["providers"]] == [("90000002", 1, 0.0)]


def test_report_refuses_an_unknown_municipality(app, cast):
    result = flask_kpi(app, "report", "--year", "2025", "--municipality", "GM0000")
    assert result.exit_code == 2 and "no municipality with CBS code GM0000" in result.output


def test_report_without_json_prints_a_table(app, cast):
    flask_kpi(app, "import", str(DATA / "trajectories.csv"), str(DATA / "claims.csv"))
    result = flask_kpi(app, "report", "--year", "2025")
    assert result.exit_code == 0
    assert result.output.startswith("Period 2025: 2 providers with spend, spend 3650.74")
    assert "90000001\t5\t3550.75" in result.output
