"""The evidence vault as providers use it: upload once, keep versions, see how long each is valid."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, format_date
from sqlalchemy import func, select

from portal import create_app
from portal.evidence import vault
from portal.extensions import db, file_store
from portal.models import AuditEvent, EvidenceDocument, StoredFile, User
from tests import files_samples as samples
from tests.conftest import IsolatedClient, find, make_settings, sign_in_as
from tests.matrices.evidence import add_document
from tests.querycount import count_queries, nothing_kept


def in_english(client) -> None:
    """Let the client's pages speak English, the language of the source texts."""
    with client.session_transaction() as session:
        session["locale"] = "en"


def signed_in(client, user):
    sign_in_as(client, user)
    in_english(client)
    return client


def post_upload(client, data: bytes | None = None, filename: str = "kvk-uittreksel.pdf", **fields):
    """Send the upload form as a browser does, with a PDF unless told otherwise."""
    form = {"evidence_type": "kvk_extract", "issuer": "Kamer van Koophandel", **fields}
    if data is not False:
        form["document"] = (io.BytesIO(samples.pdf() if data is None else data), filename)
    return client.post("/bewijsstukken/toevoegen", data=form, content_type="multipart/form-data")


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def shown(app, day) -> str:
    """Return a date as the English pages show it."""
    with app.test_request_context(), force_locale("en"):
        return format_date(day, "d MMM yyyy")


def stored_paths() -> set:
    return {path for path in file_store.backend.root.glob("**/*") if path.is_file()}


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# Uploading -------------------------------------------------------------------------------------


def test_a_provider_uploads_a_kvk_extract_and_sees_it_valid_until_183_days_after_issue(app, client, world):
    signed_in(client, world.user("provider_admin"))
    issued = vault.today() - timedelta(days=20)

    response = post_upload(client, issue_date=issued.isoformat())

    assert response.status_code == 302
    document = db.session.scalar(select(EvidenceDocument))
    assert (document.version, document.issue_date, document.issuer) == (1, issued, "Kamer van Koophandel")
    assert document.stored_file.organisation_id == world.provider.id
    overview = page_text(client.get("/bewijsstukken"))
    assert "Chamber of Commerce extract" in overview
    assert f"valid until {shown(app, issued + timedelta(days=183))}" in overview
    assert "<strong>Valid</strong>" in overview
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.uploaded"))
    assert event.organisation_id == world.provider.id and event.changes["version"] == [None, 1]


def test_a_second_upload_of_the_same_kind_becomes_version_2_and_version_1_stays_downloadable(client, world):
    signed_in(client, world.user("provider_admin"))
    first, second = samples.pdf(pages=1), samples.pdf(pages=2)
    post_upload(client, first, "kvk-2025.pdf", issue_date=(vault.today() - timedelta(days=200)).isoformat())
    post_upload(client, second, "kvk-2026.pdf", issue_date=(vault.today() - timedelta(days=3)).isoformat())

    old, new = db.session.scalars(select(EvidenceDocument).order_by(EvidenceDocument.version)).all()
    assert (old.version, new.version, new.supersedes_id) == (1, 2, old.id)
    page = page_text(client.get(f"/bewijsstukken/{new.id}"))
    assert "kvk-2025.pdf" in page and "kvk-2026.pdf" in page
    download = client.get(f"/bewijsstukken/{old.id}/bestand")
    assert download.status_code == 200 and download.data == first
    assert download.headers["Content-Disposition"].startswith("attachment")
    # The overview shows only the current version: valid again, version 2 of 2.
    overview = page_text(client.get("/bewijsstukken"))
    assert overview.count("Chamber of Commerce extract</a>") == 1 and "(of 2)" in overview


def test_financial_year_documents_keep_a_line_per_year(world):
    admin = world.user("provider_admin")
    first = add_document(world.provider, admin, "annual_accounts", financial_year=2023)
    other_year = add_document(world.provider, admin, "annual_accounts", financial_year=2024)
    again = add_document(world.provider, admin, "annual_accounts", financial_year=2024)

    assert (first.version, other_year.version, again.version) == (1, 1, 2)
    assert again.supersedes_id == other_year.id


def test_a_renamed_exe_is_refused_with_the_reason_and_nothing_is_stored(client, world):
    signed_in(client, world.user("provider_admin"))
    before = stored_paths()

    response = post_upload(client, samples.windows_executable(), "kvk.pdf", issue_date=vault.today().isoformat())

    assert response.status_code == 422
    error = page_text(response).split('id="document-error"')[1].split("</p>")[0]
    assert "The content of this file is not PDF, although its name ends in .pdf." in error
    assert (count(StoredFile), count(EvidenceDocument)) == (0, 0)
    assert stored_paths() == before


@pytest.fixture
def small_upload_app(_database):
    """The portal with an upload limit of 1 MB."""
    instance, url = _database
    application = create_app(make_settings(instance, url, max_upload_bytes=1024 * 1024))
    application.test_client_class = IsolatedClient
    return application


def test_an_oversized_file_is_refused_with_the_reason(app, small_upload_app, world):
    client = signed_in(small_upload_app.test_client(), world.user("provider_admin"))
    before = stored_paths()

    response = post_upload(client, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 100), "groot.pdf",
                           issue_date=vault.today().isoformat())

    assert response.status_code == 422
    assert "The file is larger than 1 MB." in page_text(response)
    assert (count(StoredFile), count(EvidenceDocument)) == (0, 0)
    assert stored_paths() == before


def test_an_empty_file_is_refused(client, world):
    signed_in(client, world.user("provider_admin"))

    response = post_upload(client, b"", "leeg.pdf", issue_date=vault.today().isoformat())

    assert response.status_code == 422
    assert "The file is empty." in page_text(response)
    assert count(EvidenceDocument) == 0


def test_the_form_keeps_the_typed_issuer_and_dates_after_an_error(client, world):
    signed_in(client, world.user("provider_admin"))
    issued = (vault.today() - timedelta(days=5)).isoformat()

    response = post_upload(client, False, evidence_type="liability_insurance", issuer="Verzekeraar Zeker",
                           issue_date=issued, expiry_date="31-12-2020")

    page = page_text(response)
    assert response.status_code == 422
    assert 'value="Verzekeraar Zeker"' in page
    assert f'value="{issued}"' in page and 'value="31-12-2020"' in page
    assert '<option selected value="liability_insurance">' in page
    assert "The expiry date must be after the date of issue." in page
    assert "Choose the file to upload." in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"evidence_type": "gva"}, "issue_date", "Enter the date of issue: this document is valid for 730 days"),
        ({"evidence_type": "gva", "issue_date": "FUTURE"}, "issue_date", "The date of issue cannot be in the future."),
        ({"evidence_type": "gva", "issue_date": "15-13-2025"}, "issue_date", "for example 15-3-2026"),
        ({"evidence_type": "quality_certificate"}, "expiry_date", "Enter the expiry date that is on the document."),
        ({"evidence_type": "wnt_statement"}, "financial_year", "Enter the financial year the document covers."),
        ({"evidence_type": "wnt_statement", "financial_year": "1999"}, "financial_year", "Enter a financial year from 2000"),
        ({"evidence_type": "meldcode", "financial_year": "2024"}, "financial_year", "does not cover a financial year"),
    ],
)
def test_dates_that_do_not_fit_the_kind_of_document_are_refused_on_their_field(client, world, fields, field, message):
    signed_in(client, world.user("provider_admin"))
    if fields.get("issue_date") == "FUTURE":
        fields["issue_date"] = (vault.today() + timedelta(days=1)).isoformat()
    before = stored_paths()

    response = post_upload(client, **fields)

    assert response.status_code == 422
    error = page_text(response).split(f'id="{field}-error"')[1].split("</p>")[0]
    assert message in error
    # The file was fine, but the person must choose it again; the page says so.
    assert "Choose the file again" in page_text(response)
    assert (count(StoredFile), count(EvidenceDocument)) == (0, 0)
    assert stored_paths() == before


def test_dates_typed_without_a_date_picker_are_understood(client, world):
    signed_in(client, world.user("provider_admin"))
    issued = vault.today() - timedelta(days=40)

    response = post_upload(client, issue_date=f"{issued.day}-{issued.month}-{issued.year}")

    assert response.status_code == 302
    assert db.session.scalar(select(EvidenceDocument.issue_date)) == issued


def test_a_provider_member_sees_and_downloads_but_cannot_upload_or_withdraw(client, world):
    document = add_document(world.provider, world.user("provider_admin"))
    signed_in(client, world.user("provider_member"))

    assert client.get("/bewijsstukken/toevoegen").status_code == 403
    assert post_upload(client, issue_date=vault.today().isoformat()).status_code == 403
    assert client.post(f"/bewijsstukken/{document.id}/intrekken").status_code == 403
    overview = page_text(client.get("/bewijsstukken"))
    assert "Chamber of Commerce extract" in overview and "/bewijsstukken/toevoegen" not in overview
    assert client.get(f"/bewijsstukken/{document.id}/bestand").status_code == 200
    assert count(EvidenceDocument) == 1 and find(EvidenceDocument, document.id).withdrawn_at is None


# Who sees what ---------------------------------------------------------------------------------


def test_another_provider_cannot_see_or_download_the_document(client, world):
    document = add_document(world.provider, world.user("provider_admin"))
    outsider = db.session.scalar(select(User).where(User.email == "other_provider_admin@test.example.org"))
    signed_in(client, outsider)

    assert client.get(f"/bewijsstukken/{document.id}/bestand").status_code == 404
    assert client.get(f"/bewijsstukken/{document.id}").status_code == 404
    assert client.post(f"/bewijsstukken/{document.id}/intrekken").status_code == 404
    assert f'href="/bewijsstukken/{document.id}"' not in page_text(client.get("/bewijsstukken"))
    assert find(EvidenceDocument, document.id).withdrawn_at is None


@pytest.mark.parametrize("role", ["reviewer", "buyer", "region_admin"])
def test_region_staff_cannot_download_a_vault_document_yet(client, world, role):
    document = add_document(world.provider, world.user("provider_admin"))
    sign_in_as(client, world.user(role))

    assert client.get(f"/bewijsstukken/{document.id}/bestand").status_code == 404


# Withdrawing -----------------------------------------------------------------------------------


def test_withdrawing_a_wrong_upload_makes_the_previous_version_current_and_keeps_the_file(client, world):
    admin = world.user("provider_admin")
    first = add_document(world.provider, admin, "gva", issue_date=vault.today() - timedelta(days=100))
    wrong = add_document(world.provider, admin, "gva", issue_date=vault.today() - timedelta(days=1))
    signed_in(client, admin)

    confirm = client.get(f"/bewijsstukken/{wrong.id}/intrekken")
    assert confirm.status_code == 200 and "Withdraw version 2" in page_text(confirm)
    response = client.post(f"/bewijsstukken/{wrong.id}/intrekken", data={"reason": "Verkeerd bestand"})

    assert response.status_code == 302
    assert find(EvidenceDocument, wrong.id).withdrawn_at is not None
    assert client.get(f"/bewijsstukken/{wrong.id}/bestand").status_code == 200
    overview = page_text(client.get("/bewijsstukken"))
    assert f'href="/bewijsstukken/{first.id}"' in overview and "(of 2)" in overview
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.withdrawn"))
    assert event.reason == "Verkeerd bestand" and event.object_id == str(wrong.id)
    again = client.post(f"/bewijsstukken/{wrong.id}/intrekken")
    assert again.status_code == 422 and "already withdrawn" in page_text(again)


def test_a_line_with_every_version_withdrawn_shows_as_withdrawn(client, world):
    admin = world.user("provider_admin")
    document = add_document(world.provider, admin)
    vault.withdraw(db.session, document=document, actor=admin)
    db.session.commit()

    [item] = vault.current_documents(db.session, world.provider, on=vault.today())
    assert item.status is vault.Status.WITHDRAWN
    assert vault.summary(db.session, world.provider, on=vault.today())[vault.Status.VALID] == 0


# Status ----------------------------------------------------------------------------------------


def test_status_follows_the_catalogue_rule_and_the_lead_time(world):
    admin = world.user("provider_admin")
    today = vault.today()
    add_document(world.provider, admin, "kvk_extract", issue_date=today - timedelta(days=200))  # expired
    add_document(world.provider, admin, "gva", issue_date=today - timedelta(days=700))  # 30 days left
    add_document(world.provider, admin, "liability_insurance", expiry_date=today + timedelta(days=365))
    add_document(world.provider, admin, "meldcode")
    add_document(world.provider, admin, "wnt_statement", financial_year=today.year - 1)

    statuses = {item.document.evidence_type.code: (item.status, item.valid_until)
                for item in vault.current_documents(db.session, world.provider, on=today)}

    assert statuses == {
        "kvk_extract": (vault.Status.EXPIRED, today - timedelta(days=200) + timedelta(days=183)),
        "gva": (vault.Status.EXPIRING, today + timedelta(days=30)),
        "liability_insurance": (vault.Status.VALID, today + timedelta(days=365)),
        "meldcode": (vault.Status.VALID, None),
        "wnt_statement": (vault.Status.VALID, None),
    }


def test_the_start_page_counts_valid_expiring_and_expired_documents(client, world):
    admin = world.user("provider_admin")
    today = vault.today()
    add_document(world.provider, admin, "kvk_extract", issue_date=today - timedelta(days=200))
    add_document(world.provider, admin, "gva", issue_date=today - timedelta(days=700))
    add_document(world.provider, admin, "meldcode")
    signed_in(client, admin)

    page = page_text(client.get("/"))

    assert "Valid: 1" in page and "Expires soon: 1" in page and "Expired: 1" in page
    assert 'href="/bewijsstukken"' in page


def test_the_vault_page_sends_as_many_statements_for_many_documents_as_for_one(client, world):
    admin = world.user("provider_admin")
    add_document(world.provider, admin)
    sign_in_as(client, admin)
    client.get("/bewijsstukken")
    nothing_kept()
    with count_queries() as little:
        assert client.get("/bewijsstukken").status_code == 200
    for code in ("gva", "tax_statement", "ubo_structure", "vog_own"):
        add_document(world.provider, admin, code)
        add_document(world.provider, admin, code)
    for year in (2021, 2022, 2023):
        add_document(world.provider, admin, "annual_accounts", financial_year=year)
    nothing_kept()
    with count_queries() as much:
        assert client.get("/bewijsstukken").status_code == 200
    assert much.count == little.count, "\n".join(much.statements)

    document_page = f"/bewijsstukken/{db.session.scalar(select(func.max(EvidenceDocument.id)))}"
    with count_queries() as one_version:
        client.get(document_page)
    add_document(world.provider, admin, "annual_accounts", financial_year=2023)
    add_document(world.provider, admin, "annual_accounts", financial_year=2023)
    with count_queries() as three_versions:
        client.get(document_page)
    assert three_versions.count == one_version.count
