"""Uploads: recognised by content, refused with a clear reason, stored so nothing is half-written."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db, file_store
from portal.files import inspection
from portal.files.inspection import UploadRejected, clean_filename, inspect_upload
from portal.files.services import download_response, save_upload
from portal.files.store import FileStoreError, LocalBackend, S3Backend
from portal.models import StoredFile
from tests import files_samples as samples

LIMIT = 20 * 1024 * 1024


def english(error: Exception) -> str:
    """Return a refusal as an English-speaking user reads it."""
    from flask_babel import force_locale

    with force_locale("en"):
        return str(error)


def check(data: bytes, name: str, limit: int = LIMIT):
    return inspect_upload(io.BytesIO(data), name, len(data), limit)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (samples.pdf(), "kvk-uittreksel.pdf", inspection.PDF),
        (samples.image("PNG"), "logo.png", inspection.PNG),
        (samples.image("JPEG"), "scan.jpg", inspection.JPEG),
        (samples.image("JPEG"), "scan.JPEG", inspection.JPEG),
        (samples.office("docx"), "verklaring.docx", inspection.DOCX),
        (samples.office("xlsx"), "begroting.xlsx", inspection.XLSX),
        (samples.office("odt"), "klachtenregeling.odt", inspection.ODT),
    ],
)
def test_allowed_kinds_are_recognised_by_their_content(data, name, kind):
    assert check(data, name) is kind


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "leeg.pdf", "empty"),
        (samples.windows_executable(), "factuur.pdf", "not PDF"),
        (samples.windows_executable(), "setup.exe", "not accepted"),
        (samples.office("docx"), "verklaring.pdf", "not PDF"),
        (samples.pdf(), "document.docx", "not Word"),
        (samples.pdf(password="geheim"), "beveiligd.pdf", "password"),
        (samples.pdf(javascript=True), "script.pdf", "scripts"),
        (b"%PDF-1.7\n" + b"rommel" * 100, "kapot.pdf", "damaged"),
        (samples.image("PNG")[:60], "half.png", "damaged"),
        (samples.png_claiming_size(100_000, 100_000), "enorm.png", "too large"),
        (samples.zip_bomb_docx(), "bom.docx", "unpacks"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "beveiligd.docx", "password"),
        (b"PK\x03\x04" + b"\x00" * 100, "kapot.docx", "damaged"),
    ],
)
def test_bad_files_are_refused_with_a_reason(app, data, name, reason):
    with pytest.raises(UploadRejected) as refused:
        check(data, name)
    assert reason in english(refused.value)


def test_a_file_over_the_limit_is_refused(app):
    with pytest.raises(UploadRejected) as refused:
        check(samples.pdf(), "groot.pdf", limit=100)
    assert "larger than" in english(refused.value)


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Verklaring WNT 2024.pdf", "Verklaring WNT 2024.pdf"),
        ("<script>alert(1)</script>.pdf", "script_.pdf"),
        ("rapport<2024>?.pdf", "rapport_2024_.pdf"),
        ("naam\x00met\x1fstuurtekens.pdf", "naammetstuurtekens.pdf"),
        (".htaccess", "bestand.htaccess"),
        (" .pdf", "bestand.pdf"),
        ("...", "bestand"),
        ("", "bestand"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
        ("Cliëntenraad reglement.odt", "Cliëntenraad reglement.odt"),
    ],
)
def test_file_names_are_cleaned(given, cleaned):
    assert clean_filename(given) == cleaned


def test_an_upload_is_stored_under_a_random_key_with_its_hash(app, world):
    data = samples.pdf()
    stored = save_upload(db.session, stream=io.BytesIO(data), filename="../GVA 2026.pdf",
                         owner=world.provider, uploaded_by=world.user("provider_admin"))
    db.session.commit()
    import hashlib

    assert stored.filename == "GVA 2026.pdf"
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data) and stored.content_type == "application/pdf"
    assert "GVA" not in stored.key and len(stored.key) == 40
    with file_store.open(stored.key) as handle:
        assert handle.read() == data


def _stored_paths() -> set:
    return {path for path in file_store.backend.root.glob("**/*") if path.is_file()}


def test_a_refused_upload_leaves_no_row_and_no_file(app, world):
    before = _stored_paths()
    with pytest.raises(UploadRejected):
        save_upload(db.session, stream=io.BytesIO(samples.windows_executable()), filename="x.pdf",
                    owner=world.provider, uploaded_by=None)
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0
    assert _stored_paths() == before


def test_a_failing_file_store_gives_a_clear_error_and_no_row(app, world, monkeypatch):
    def broken_put(key, stream):
        raise FileStoreError("No space left on device")

    monkeypatch.setattr(file_store.backend, "put", broken_put)
    with pytest.raises(UploadRejected) as refused:
        save_upload(db.session, stream=io.BytesIO(samples.pdf()), filename="x.pdf", owner=world.provider, uploaded_by=None)
    assert "could not be stored" in english(refused.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_files_of_a_failed_request_are_deleted(app, world):
    with app.test_request_context():
        key = file_store.put(io.BytesIO(b"inhoud"))
        assert file_store.exists(key)
        file_store.request_rolled_back()
        assert not file_store.exists(key)
    with app.test_request_context():
        kept = file_store.put(io.BytesIO(b"inhoud"))
        file_store.request_committed()
        file_store.request_rolled_back()
        assert file_store.exists(kept)


def test_the_local_store_never_shows_half_a_file(tmp_path):
    backend = LocalBackend(tmp_path)

    class Failing(io.BytesIO):
        def read(self, *args):
            if self.tell() > 0:
                raise OSError("disk full")
            return super().read(4)

    with pytest.raises(FileStoreError):
        backend.put("abcdef", Failing(b"0123456789"))
    assert not backend.exists("abcdef")
    assert [p for p in tmp_path.glob("**/*") if p.is_file()] == []
    with pytest.raises(FileStoreError):
        backend.put("../evil", io.BytesIO(b"x"))


def test_downloads_are_attachments_that_browsers_never_run(app, world):
    stored = save_upload(db.session, stream=io.BytesIO(samples.pdf()), filename="besluit.pdf",
                         owner=world.provider, uploaded_by=None)
    db.session.commit()
    with app.test_request_context():
        response = download_response(stored)
        response.direct_passthrough = False
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "besluit.pdf" in response.headers["Content-Disposition"]
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data().startswith(b"%PDF-")
        response.close()


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3-compatible server on loopback (moto's), for the S3 back-end."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_the_s3_backend_stores_reads_and_deletes(s3_endpoint, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="bewijs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    backend = S3Backend("bewijs", "/portal/", endpoint_url=s3_endpoint)
    backend.put("abc123", io.BytesIO(b"inhoud"))
    assert backend.exists("abc123")
    assert client.head_object(Bucket="bewijs", Key="portal/abc123")["ContentLength"] == 6
    assert backend.open("abc123").read() == b"inhoud"
    backend.delete("abc123")
    assert not backend.exists("abc123")
    with pytest.raises(FileStoreError):
        S3Backend("bestaat-niet", endpoint_url=s3_endpoint).put("x", io.BytesIO(b"x"))
