"""A corpus of hostile files sent through the real upload form of the evidence vault.

Each file is either refused with a reason — leaving no row and no bytes behind — or stored and
then only ever served as a download that no browser runs or sniffs. The files are made on the
fly; none is kept in the repository.
"""

from __future__ import annotations

import io
from datetime import date
import zipfile

import pytest
from sqlalchemy import func, select

from portal.extensions import db, file_store
from portal.models import EvidenceDocument, StoredFile
from tests import files_samples as samples
from tests.evidence.test_vault import post_upload, signed_in

STORED = "stored"


def _elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def _html_pdf_polyglot() -> bytes:
    """Starts as a PDF for a sniffer, but is a web page with a script."""
    return b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF"


def _png_zip_polyglot() -> bytes:
    """A valid picture with a zip archive (holding a web page) appended to it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("index.html", "<script>alert(1)</script>")
    return samples.image("PNG") + archive.getvalue()


def _jpeg_with_html_tail() -> bytes:
    return samples.image("JPEG") + b"<html><script>alert(1)</script></html>"


def _svg_as_png() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _docx_with_macros() -> bytes:
    return samples.office("docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64})


def _zip_slip_docx() -> bytes:
    return samples.office("docx", {"../../../../tmp/evil.sh": b"#!/bin/sh\nrm -rf /\n"})


CORPUS = [
    ("renamed Windows program", samples.windows_executable(), "factuur.pdf", "not PDF"),
    ("renamed Linux program", _elf(), "verklaring.docx", "not Word"),
    ("program under its own name", samples.windows_executable(), "setup.exe", "not accepted"),
    ("web page posing as PDF", _html_pdf_polyglot(), "gva.pdf", "damaged"),
    ("script in an SVG named PNG", _svg_as_png(), "logo.png", "not PNG"),
    ("PDF running JavaScript", samples.pdf(javascript=True), "polis.pdf", "scripts"),
    ("password-protected PDF", samples.pdf(password="geheim"), "jaarrekening.pdf", "password"),
    ("zip bomb as DOCX", samples.zip_bomb_docx(), "bom.docx", "unpacks"),
    ("image claiming 100,000 × 100,000 pixels", samples.png_claiming_size(100_000, 100_000), "scan.png", "too large"),
    ("empty file", b"", "leeg.pdf", "empty"),
    ("DOCX with macros", _docx_with_macros(), "macro.docx", "macros"),
    ("PNG with a zip appended", _png_zip_polyglot(), "foto.png", STORED),
    ("JPEG with a web page appended", _jpeg_with_html_tail(), "foto.jpg", STORED),
    ("DOCX with a path-escaping entry", _zip_slip_docx(), "slip.docx", STORED),
    ("right-to-left trick in the name", samples.pdf(), "rapport\u202efdp.exe.pdf", STORED),
]


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _files_on_disk() -> int:
    return sum(1 for path in file_store.backend.root.glob("**/*") if path.is_file())


@pytest.mark.parametrize(("label", "data", "filename", "outcome"), CORPUS, ids=[case[0] for case in CORPUS])
def test_a_hostile_file_is_refused_or_only_ever_downloaded(client, world, label, data, filename, outcome):
    signed_in(client, world.user("provider_admin"))
    files_before = _files_on_disk()

    response = post_upload(client, data, filename, issue_date=date.today().isoformat())

    if outcome != STORED:  # the outcome is the reason the page must give
        assert response.status_code == 422, label
        assert outcome in response.get_data(as_text=True), label
        assert _count(StoredFile) == 0 and _count(EvidenceDocument) == 0
        assert _files_on_disk() == files_before
        return
    assert response.status_code == 302, label
    document = db.session.scalar(select(EvidenceDocument))
    stored = document.stored_file
    assert "\u202e" not in stored.filename and "/" not in stored.filename
    download = client.get(f"/bewijsstukken/{document.id}/bestand")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "html" not in download.headers["Content-Type"] and "svg" not in download.headers["Content-Type"]
    assert download.data == data
