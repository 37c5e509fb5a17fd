"""Importing care data on the web: a region's staff upload the two files, follow the import while
it runs and read back every rejected row; nothing of another region is touched."""

from __future__ import annotations

import html
import io
import os
import shutil
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.clock import now
from portal.extensions import db
from portal.kpi import importer, uploads
from portal.kpi.importer import ImportStep
from portal.models import AuditEvent, Claim, ImportStatus, KpiImport, KpiImportProblem, Role, Trajectory, User
from tests import factories
from tests.conftest import log_in, sign_in_as
from tests.kpi import CLAIM_HEADER, DATA, TRAJECTORY_HEADER, paused_import, run_import

URL = "/kpi/import"


@pytest.fixture
def inline(app, monkeypatch):
    """Run uploaded imports before the response, so a test reads the outcome at once."""
    monkeypatch.setitem(app.config, "KPI_IMPORT_IN_BACKGROUND", False)


@pytest.fixture
def admin(cast):
    user = factories.member(Role.REGION_ADMIN, cast.region, email="import-admin@test.example.org")
    db.session.commit()
    return user


def files(trajectories: bytes | str = "trajectories.csv", claims: bytes | str = "claims.csv") -> dict:
    """The form's two files: a sample of tests/kpi/data by name, or the given bytes."""
    data = {}
    for field, given in (("trajectories", trajectories), ("claims", claims)):
        content = (DATA / given).read_bytes() if isinstance(given, str) else given
        data[field] = (io.BytesIO(content), f"{field}.csv")
    return data


def rows(header: str, *lines: str) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


def trajectory_line(ref: str, municipality: str = "GM9801", client: str = "C-1") -> str:
    return f"{ref},{client},{municipality},90000001,BEH,45A12,wijkteam,2025-01-01,2025-01-10,,,,"


def sign_in(client, user) -> None:
    """Sign in, reading the pages in English (the Dutch catalogue is checked in test_i18n)."""
    sign_in_as(client, user)
    with client.session_transaction() as session:
        session["locale"] = "en"


def upload(client, user, **data):
    sign_in(client, user)
    return client.post(URL, data=data or files(), content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def spooled(app) -> list:
    folder = uploads.spool(app)
    return list(folder.iterdir()) if folder.exists() else []


def test_an_upload_is_imported_and_its_rejected_rows_are_shown_with_line_column_and_reason(app, client, admin, cast, inline):
    response = upload(client, admin)

    assert response.status_code == 302
    entry = db.session.scalar(select(KpiImport))
    assert response.headers["Location"].endswith(f"/kpi/import/{entry.id}")
    assert (entry.status, entry.region_id, entry.imported_by_id) == (ImportStatus.SUCCEEDED, cast.region.id, admin.id)
    assert (entry.trajectories_imported, entry.trajectories_rejected) == (7, 2)
    assert (entry.claims_imported, entry.claims_rejected) == (9, 4)
    assert count(Trajectory) == 7 and count(Claim) == 9
    assert spooled(app) == []  # the uploaded care data does not stay on disk
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "kpi_import")) == "kpi_import.started"

    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "The import has finished" in page
    assert "'2025-13-01' is not a date as YYYY-MM-DD" in page
    assert "no trajectory T-404 in the database or the trajectories file" in page
    problems = [(p.file, p.line, p.column_name) for p in entry.problems]
    assert problems[:2] == [("trajectories.csv", 8, "end_date"), ("trajectories.csv", 9, "municipality_code")]
    assert len(problems) == 8

    listing = client.get(URL).get_data(as_text=True)
    assert f"/kpi/import/{entry.id}" in listing


def test_importing_the_same_files_again_adds_nothing(client, admin, cast, inline):
    upload(client, admin)
    upload(client, admin)

    second = db.session.scalars(select(KpiImport).order_by(KpiImport.id)).all()[-1]
    assert (second.trajectories_imported, second.trajectories_unchanged) == (0, 7)
    assert (second.claims_imported, second.claims_unchanged) == (0, 9)
    assert count(Trajectory) == 7 and count(Claim) == 9


def test_a_file_with_a_wrong_header_is_refused_at_once_and_nothing_is_kept(app, client, admin, cast, inline):
    response = upload(client, admin, **files(trajectories="trajectories_wrong_header.csv"))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "has a wrong header" in page
    assert 'aria-invalid="true"' in page
    assert count(KpiImport) == 0 and count(Trajectory) == 0
    assert spooled(app) == []


def test_a_file_that_is_not_text_is_refused(client, admin, cast, inline):
    response = upload(client, admin, **files(claims=b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary"))

    assert response.status_code == 422
    assert "is not a UTF-8 text file" in response.get_data(as_text=True)
    assert count(KpiImport) == 0


def test_both_files_are_required(client, admin, cast, inline):
    sign_in(client, admin)
    data = files()
    del data["claims"]
    response = client.post(URL, data=data, content_type="multipart/form-data")

    assert response.status_code == 422
    assert count(KpiImport) == 0


def test_rows_of_another_region_are_rejected_and_its_data_is_left_alone(client, admin, cast, inline):
    other_region = factories.RegionFactory(name="Regio Elders", code="R-ELD")
    elsewhere = factories.MunicipalityFactory(region=other_region, name="Verweg", cbs_code="GM9803")
    db.session.commit()
    # Another region's care, imported by the command line: trajectory X-1 in GM9803.
    run_import(io.StringIO(rows(TRAJECTORY_HEADER, trajectory_line("X-1", "GM9803", client="C-ELD")).decode()),
               io.StringIO(rows(CLAIM_HEADER, "X-1,2025-02,300.00").decode()))

    upload(client, admin, **files(
        trajectories=rows(TRAJECTORY_HEADER, trajectory_line("T-1"), trajectory_line("T-2", "GM9803"),
                          trajectory_line("X-1")),
        claims=rows(CLAIM_HEADER, "T-1,2025-02,100.00", "X-1,2025-02,999.00"),
    ))

    entry = db.session.scalars(select(KpiImport).order_by(KpiImport.id)).all()[-1]
    reasons = [(p.line, p.column_name, p.reason) for p in entry.problems]
    assert reasons == [
        (3, "municipality_code", "no municipality with CBS code GM9803 in this region"),
        (4, "trajectory_ref", "is already used for care outside this region"),
        (3, "trajectory_ref", "no trajectory X-1 in the database or the trajectories file"),
    ]
    assert (entry.trajectories_imported, entry.trajectories_rejected, entry.claims_imported, entry.claims_rejected) == (1, 2, 1, 1)
    kept = db.session.scalar(select(Trajectory).where(Trajectory.trajectory_ref == "X-1"))
    assert (kept.municipality_id, kept.client_ref) == (elsewhere.id, "C-ELD")
    assert [str(c.amount_granted) for c in db.session.scalars(select(Claim).where(Claim.trajectory_id == kept.id))] == ["300.00"]


def test_the_page_shows_how_far_a_running_import_has_come(app, client, admin, cast):
    """Hold a real import in the background just after it has read the claims, and look."""
    with paused_import(ImportStep.READ_CLAIMS) as held:
        response = upload(client, admin)
        status_url = response.headers["Location"]
        assert held.wait(timeout=30), "the import did not reach the claims"
        running = client.get(status_url).get_data(as_text=True)

    steps = running.split('id="import-steps"', 1)[1].split("</ol>", 1)[0].split("<li")[1:]
    assert ["done" in step for step in steps] == [True, True, False, False, False]
    assert ["waiting" in step for step in steps] == [False, False, False, True, True]
    current = steps[2]
    assert 'aria-current="step"' in current and "Reading and checking the claims" in current
    assert "13 rows read" in current and 'value="100"' in current  # the whole file of 13 claims
    finished = _wait_until_finished(client, status_url)
    assert "T-404" in finished
    db.session.expire_all()
    assert db.session.scalar(select(KpiImport.status)) == ImportStatus.SUCCEEDED
    assert spooled(app) == []


def _wait_until_finished(client, url: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = client.get(url).get_data(as_text=True)
        if 'id="import-status">Running<' not in page:
            return page
        time.sleep(0.1)
    raise AssertionError("the import did not finish within 30 seconds")


def test_an_import_that_stopped_with_the_server_says_so(client, admin, cast):
    entry = KpiImport(imported_by_label="x", trajectories_file="t.csv", claims_file="c.csv",
                      status=ImportStatus.RUNNING, region_id=cast.region.id, started_at=now() - timedelta(hours=2))
    db.session.add(entry)
    db.session.commit()
    sign_in(client, admin)

    page = client.get(f"{URL}/{entry.id}").get_data(as_text=True)

    assert "has stopped before it finished" in page
    assert 'id="import-status">Stopped, nothing changed<' in page
    listed = client.get(URL).get_data(as_text=True).split("<tbody>", 1)[1]
    assert "<td>Stopped, nothing changed</td>" in listed and "Running" not in listed


@pytest.fixture
def quick_heartbeat(monkeypatch):
    """A heartbeat every 50 ms, and a run taken for stopped after half a second without one."""
    monkeypatch.setattr(uploads, "HEARTBEAT", 0.05)
    monkeypatch.setattr(uploads, "STALLED_AFTER", timedelta(seconds=0.5))


def test_a_run_whose_heartbeat_stopped_minutes_ago_is_shown_as_stopped(app, client, admin, cast):
    entry = KpiImport(imported_by_label="x", trajectories_file="t.csv", claims_file="c.csv",
                      status=ImportStatus.RUNNING, region_id=cast.region.id, started_at=now() - timedelta(minutes=10))
    db.session.add(entry)
    db.session.commit()
    folder = uploads.spool(app) / str(entry.id)
    folder.mkdir(parents=True)
    progress = folder / uploads.PROGRESS
    progress.write_text('{"step": "summarise", "rows": 0, "percent": null}')
    sign_in(client, admin)

    try:
        assert "has stopped before it finished" not in client.get(f"{URL}/{entry.id}").get_data(as_text=True)
        three_minutes_ago = time.time() - 180
        os.utime(progress, (three_minutes_ago, three_minutes_ago))
        assert "has stopped before it finished" in client.get(f"{URL}/{entry.id}").get_data(as_text=True)
    finally:
        shutil.rmtree(folder)


def test_a_run_busy_with_one_long_statement_keeps_its_heartbeat(app, client, admin, cast, quick_heartbeat,
                                                                monkeypatch):
    """The figures are one statement that takes minutes on years of data, without reports."""
    reached, go_on = threading.Event(), threading.Event()
    summarise = importer.refresh_summaries

    def slow_summaries(session):
        reached.set()
        go_on.wait(timeout=30)
        summarise(session)

    monkeypatch.setattr(importer, "refresh_summaries", slow_summaries)
    try:
        status_url = upload(client, admin).headers["Location"]
        assert reached.wait(timeout=30), "the import did not reach the figures"
        time.sleep(1.0)  # twice as long as a run may go without a heartbeat
        busy = client.get(status_url).get_data(as_text=True)
    finally:
        go_on.set()

    assert "has stopped before it finished" not in busy
    current = busy.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "Calculating the figures for the dashboards" in current and "busy" in current
    assert "T-404" in _wait_until_finished(client, status_url)
    assert spooled(app) == []


def test_a_run_waiting_for_another_import_is_not_taken_for_stopped(app, client, admin, cast, quick_heartbeat):
    with uploads._ONE_AT_A_TIME:  # another import of this process is running
        status_url = upload(client, admin).headers["Location"]
        time.sleep(1.0)
        waiting = client.get(status_url).get_data(as_text=True)

    assert "has stopped before it finished" not in waiting
    assert "The import will start as soon as the previous import has finished." in waiting
    assert 'aria-current="step"' not in waiting
    assert "T-404" in _wait_until_finished(client, status_url)
    assert spooled(app) == []


def test_when_the_files_cannot_be_stored_nothing_is_kept(app, client, admin, cast, inline, monkeypatch):
    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(uploads.shutil, "copyfileobj", disk_full)

    response = upload(client, admin)

    assert response.status_code == 422
    assert "could not be stored" in response.get_data(as_text=True)
    assert count(KpiImport) == 0 and count(Trajectory) == 0
    assert spooled(app) == []


def test_the_import_takes_files_larger_than_other_uploads_up_to_its_own_limit(app, client, admin, cast, inline, monkeypatch):
    size = len((DATA / "trajectories.csv").read_bytes()) + len((DATA / "claims.csv").read_bytes())
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", size // 4)
    monkeypatch.setitem(app.config, "MAX_IMPORT_CONTENT_LENGTH", size * 2)
    assert upload(client, admin).status_code == 302

    monkeypatch.setitem(app.config, "MAX_IMPORT_CONTENT_LENGTH", size // 2)
    assert upload(client, admin).status_code == 413


def test_staff_of_another_region_cannot_see_an_import(client, admin, cast, inline):
    upload(client, admin)
    entry = db.session.scalar(select(KpiImport))
    other_region = factories.RegionFactory(name="Regio Elders", code="R-ELD")
    outsider = factories.member(Role.REGION_ADMIN, other_region, email="outsider@test.example.org")
    db.session.commit()
    sign_in(client, outsider)

    assert client.get(f"{URL}/{entry.id}").status_code == 404
    assert f"/kpi/import/{entry.id}" not in client.get(URL).get_data(as_text=True)


def test_a_contract_manager_may_import_but_municipality_staff_may_not(client, cast, inline):
    manager = factories.member(Role.CONTRACT_MANAGER, cast.region, email="contract@test.example.org")
    municipal = factories.member(Role.REGION_ADMIN, cast.municipality, email="municipal@test.example.org")
    db.session.commit()

    assert upload(client, manager).status_code == 302
    assert f'href="{URL}"' in client.get("/").get_data(as_text=True)  # in the menu
    sign_in(client, municipal)
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/").get_data(as_text=True)


def test_the_reasons_read_in_dutch_by_default(client, admin, cast, inline):
    sign_in_as(client, admin)  # no language chosen: Dutch
    refused = client.post(URL, data=files(trajectories="trajectories_wrong_header.csv"), content_type="multipart/form-data")
    assert ("trajectories.csv heeft een verkeerde kopregel (ontbrekende kolommen: end_reason; onbekende kolommen: "
            "end_reasn); er is niets geïmporteerd.") in html.unescape(refused.get_data(as_text=True))

    response = client.post(URL, data=files(), content_type="multipart/form-data")
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))

    assert "'2025-13-01' is geen datum als JJJJ-MM-DD" in page
    assert "geen traject T-404 in de database of in het trajectenbestand" in page
    assert "'1.250,00': gebruik '.' als decimaalteken" in page
    # The English text stays beside it, as the command line prints it.
    assert db.session.scalar(select(KpiImportProblem.reason).where(KpiImportProblem.line == 8)) == (
        "'2025-13-01' is not a date as YYYY-MM-DD"
    )


def test_a_file_that_stops_being_utf8_after_the_header_check_fails_the_run_saying_so_in_dutch(client, admin, cast,
                                                                                             inline):
    """The upload's check reads the header; a bad character further down is found by the run."""
    claims = rows(CLAIM_HEADER, *["T-1,2025-01,100.00"] * 1000, "T-1,2025-02,1\xe9")
    sign_in_as(client, admin)  # no language chosen: Dutch
    response = client.post(URL, data=files(claims=claims.decode().encode("latin-1")),
                           content_type="multipart/form-data")
    assert response.status_code == 302  # the header was fine

    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "De import is mislukt. Er is niets gewijzigd." in page
    assert "claims.csv is geen UTF-8-tekstbestand: een teken na regel " in page
    assert "Sla het op als CSV (UTF-8); er is niets geïmporteerd." in page
    assert count(Trajectory) == 0


def test_a_fault_during_the_import_is_logged_as_failed_and_changes_nothing(app, client, admin, cast, inline, monkeypatch):
    def broken(*_args, **_kwargs):
        db.session.execute(Trajectory.__table__.insert().values(
            trajectory_ref="HALF", client_ref="C", municipality_id=cast.municipality.id, provider_id=cast.provider.id,
            product_group="BEH", product_code="45A12", referrer="wijkteam", request_date=now().date(),
            start_date=now().date(),
        ))
        raise RuntimeError("the database went away")

    monkeypatch.setattr(uploads, "import_files", broken)

    response = upload(client, admin)

    entry = db.session.scalar(select(KpiImport))
    assert (entry.status, entry.error) == (ImportStatus.FAILED, "The import failed because of a fault on our side and was undone.")
    assert count(Trajectory) == 0  # the half-done work was rolled back
    assert spooled(app) == []
    assert "The import failed. Nothing has been changed." in client.get(response.headers["Location"]).get_data(as_text=True)
    with client.session_transaction() as session:
        session["locale"] = "nl"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De import is mislukt door een fout aan onze kant en is teruggedraaid." in page


def test_signing_in_during_an_import_waits_for_it_instead_of_failing(app, client, admin, cast):
    """SQLite allows one writer: a sign-in (it records the moment) waits for an import's write
    transaction to end. With the five seconds it used to wait, it failed with "database is
    locked" (an error page); PostgreSQL never made it wait."""
    holding, done = threading.Event(), threading.Event()

    def import_writing() -> None:
        with app.app_context(), db.engine.connect() as writer:
            if writer.dialect.name == "sqlite":
                writer.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock an import holds to its end
            writer.execute(KpiImport.__table__.insert().values(
                imported_by_label="x", trajectories_file="t.csv", claims_file="c.csv",
                status=ImportStatus.RUNNING, region_id=cast.region.id,
            ))
            holding.set()
            time.sleep(6)  # longer than writes used to wait
            writer.commit()
        done.set()

    thread = threading.Thread(target=import_writing)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        response = log_in(client, admin.email)
    finally:
        thread.join(timeout=30)

    assert done.is_set()
    assert response.status_code == 302 and "/inloggen" not in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(User, admin.id).last_login_at is not None
    assert count(KpiImport) == 1


def test_the_pages_read_while_an_import_writes(app, client, admin, cast):
    """An import is one long write transaction; pages must not wait for it. On SQLite that takes
    the write-ahead log: with a rollback journal, the writer's exclusive lock made every read
    wait for busy_timeout and then fail (seen on the demo)."""
    entry = KpiImport(imported_by_label="x", trajectories_file="t.csv", claims_file="c.csv",
                      status=ImportStatus.RUNNING, region_id=cast.region.id)
    db.session.add(entry)
    db.session.commit()
    sign_in(client, admin)
    with db.engine.connect() as writer:
        if writer.dialect.name == "sqlite":
            writer.exec_driver_sql("BEGIN EXCLUSIVE")  # the lock an import's commit or a full cache takes
        writer.execute(KpiImport.__table__.update().values(error="being written"))
        began = time.monotonic()
        response = client.get(f"{URL}/{entry.id}")
        waited = time.monotonic() - began
        writer.rollback()

    assert response.status_code == 200
    assert waited < 2
    assert 'id="import-status">Running<' in response.get_data(as_text=True)
