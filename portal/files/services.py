"""Accept an upload (check, hash, store, record) and serve stored files as downloads."""

from __future__ import annotations

import hashlib
import tempfile
from typing import BinaryIO

from flask import Response, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.extensions import file_store
from portal.files.inspection import UploadRejected, clean_filename, inspect_upload
from portal.files.store import FileStoreError
from portal.models import Organisation, StoredFile, User

_CHUNK = 1024 * 1024


def _spool(source: BinaryIO, limit: int) -> tuple[BinaryIO, int, str]:
    """Copy at most limit + 1 bytes into a temporary file; return it, its size and SHA-256."""
    spooled = tempfile.SpooledTemporaryFile(max_size=4 * _CHUNK)
    digest = hashlib.sha256()
    size = 0
    while size <= limit and (chunk := source.read(_CHUNK)):
        spooled.write(chunk)
        digest.update(chunk)
        size += len(chunk)
    spooled.seek(0)
    return spooled, size, digest.hexdigest()


def save_upload(
    session: Session,
    *,
    stream: BinaryIO,
    filename: str | None,
    owner: Organisation | None,
    uploaded_by: User | None,
) -> StoredFile:
    """Check an uploaded file, store its bytes and record it; raise UploadRejected with the reason."""
    limit = current_app.config["PORTAL_SETTINGS"].max_upload_bytes
    name = clean_filename(filename)
    spooled, size, sha256 = _spool(stream, limit)
    with spooled:
        kind = inspect_upload(spooled, name, size, limit)
        try:
            key = file_store.put(spooled)
        except FileStoreError as error:
            current_app.logger.error("File store failed during upload: %s", error)
            raise UploadRejected(
                _l("The file could not be stored. Nothing was saved; please try again later.")
            ) from error
    stored = StoredFile(
        key=key,
        filename=name,
        content_type=kind.content_type,
        size=size,
        sha256=sha256,
        organisation_id=owner.id if owner is not None else None,
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
    )
    session.add(stored)
    session.flush()
    return stored


def download_response(stored: StoredFile) -> Response:
    """Send a stored file as a download, never shown inside the browser."""
    from flask import send_file

    response = send_file(
        file_store.open(stored.key),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
        max_age=0,
        etag=stored.sha256,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
