"""Who may use the evidence vault: the provider's members see and download, its admins change.

Another provider's document is a 404; so is a download by region staff of a document that no
submitted application to their region uses (the world's document is in none). Staff downloading
the versions an application submitted to them uses is tested in tests/screening/test_http.py.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from portal.models import EvidenceDocument, Provider, User
from tests.conftest import World
from tests.matrices import FORM, GET, STAFF, Case, only  # noqa: F401

PROVIDER = {"provider_admin", "provider_member"}

MATRIX: dict[tuple[str, str], Case] = {
    ("evidence.index", "/bewijsstukken"): only(PROVIDER, "/bewijsstukken"),
    ("evidence.upload", "/bewijsstukken/toevoegen"): only({"provider_admin"}, "/bewijsstukken/toevoegen", FORM),
    ("evidence.document", "/bewijsstukken/<int:document_id>"): only(
        PROVIDER, lambda w: f"/bewijsstukken/{w.document_id}"
    ),
    ("evidence.download", "/bewijsstukken/<int:document_id>/bestand"): only(
        PROVIDER, lambda w: f"/bewijsstukken/{w.document_id}/bestand", special={role: 404 for role in STAFF}
    ),
    ("evidence.withdraw", "/bewijsstukken/<int:document_id>/intrekken"): only(
        {"provider_admin"}, lambda w: f"/bewijsstukken/{w.document_id}/intrekken", FORM
    ),
}


def add_document(
    provider: Provider,
    user: User,
    code: str = "kvk_extract",
    *,
    data: bytes | None = None,
    filename: str = "document.pdf",
    issue_date: date | None = None,
    expiry_date: date | None = None,
    financial_year: int | None = None,
    issuer: str = "Kamer van Koophandel",
    on: date | None = None,
) -> EvidenceDocument:
    """Upload a document to a provider's vault through the service, as a finished request would."""
    from sqlalchemy import select

    from portal.evidence import vault
    from portal.extensions import db
    from portal.models import EvidenceType
    from tests import files_samples

    on = on or vault.today()
    evidence_type = db.session.scalar(select(EvidenceType).where(EvidenceType.code == code))
    if issue_date is None and expiry_date is None and financial_year is None:
        issue_date = on - timedelta(days=10)
    document = vault.upload_document(
        db.session, provider=provider, evidence_type=evidence_type,
        stream=io.BytesIO(data if data is not None else files_samples.pdf()), filename=filename,
        issue_date=issue_date, expiry_date=expiry_date, issuer=issuer, financial_year=financial_year,
        actor=user, on=on,
    )
    db.session.commit()
    return document


def prepare(world: World) -> None:
    """Put a KvK extract in the vault of the world's provider."""
    world.document_id = add_document(world.provider, world.user("provider_admin")).id
