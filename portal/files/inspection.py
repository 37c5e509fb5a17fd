"""Recognise what an uploaded file really is, and refuse what the portal must not keep.

The name of a file is a claim; the content decides. A file is accepted only when its content is
one of the allowed kinds, matches the extension of its name, opens without a password, and is not
built to harm (zip bombs, images of absurd size, PDFs with scripts).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Kind:
    """An accepted kind of file."""

    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", ("pdf",))
PNG = Kind("PNG", "image/png", ("png",))
JPEG = Kind("JPEG", "image/jpeg", ("jpg", "jpeg"))
DOCX = Kind("Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = Kind("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
ODT = Kind("OpenDocument (ODT)", "application/vnd.oasis.opendocument.text", ("odt",))
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT)
ALLOWED_EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)

#: Limits against files built to exhaust memory when opened.
MAX_IMAGE_PIXELS = 50_000_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ARCHIVE_ENTRIES = 10_000
#: Parts of an office package that hold macros (VBA); such documents are refused.
MACRO_PARTS = frozenset({"vbaproject.bin", "vbadata.xml"})


class UploadRejected(ValueError):
    """The file cannot be accepted; the message tells the person why, in plain words."""


def clean_filename(name: str | None, fallback: str = "bestand") -> str:
    """Return a safe file name: no folders, no control characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"_+", "_", re.sub(r"[^\w\-. ()]", "_", name))
    stem, dot, extension = name.rpartition(".")
    if dot and re.fullmatch(r"\w{1,10}", extension):
        # Keep the extension even when nothing usable is left of the name (" .pdf").
        stem = stem.strip(" .")[: 150 - len(extension) - 1].rstrip(" .") or fallback
        return f"{stem}.{extension}"
    return name.strip(" .")[:150].rstrip(" .") or fallback


def extension_of(filename: str) -> str:
    """Return the lower-case extension of a file name, without the dot."""
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def _sniff(head: bytes) -> Kind | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX  # a zip: which office kind is decided by its content
    return None


def inspect_upload(stream: BinaryIO, filename: str, size: int, max_bytes: int) -> Kind:
    """Check an uploaded file (stream at position 0) and return its kind, or raise UploadRejected."""
    if size == 0:
        raise UploadRejected(_l("The file is empty."))
    if size > max_bytes:
        raise UploadRejected(_l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    extension = extension_of(filename)
    if extension not in ALLOWED_EXTENSIONS:
        raise UploadRejected(
            _l("Files of this kind are not accepted. Use PDF, PNG, JPEG, DOCX, XLSX or ODT.")
        )
    head = stream.read(2048)
    stream.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRejected(
            _l("This document is protected with a password or saved in an old format. "
               "Remove the password or save it as PDF, and upload it again.")
        )
    kind = _sniff(head)
    if kind is DOCX:
        kind = _check_office(stream)
    elif kind is PDF:
        _check_pdf(stream)
    elif kind in (PNG, JPEG):
        _check_image(stream)
    stream.seek(0)
    if kind is None or extension not in kind.extensions:
        claimed = next((k.name for k in KINDS if extension in k.extensions), extension.upper())
        raise UploadRejected(
            _l("The content of this file is not %(kind)s, although its name ends in .%(ext)s.",
               kind=claimed, ext=extension)
        )
    return kind


def _check_pdf(stream: BinaryIO) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    data = stream.read()
    stream.seek(0)
    if b"/JavaScript" in data or b"/JS " in data or b"/JS(" in data or b"/Launch" in data:
        raise UploadRejected(
            _l("This PDF contains scripts or actions. Print it to a new PDF without them and upload that.")
        )
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRejected(_l("This PDF is protected with a password. Remove the password and upload it again."))
        if len(reader.pages) == 0:
            raise UploadRejected(_l("This PDF has no pages."))
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise UploadRejected(_l("This PDF is damaged and cannot be opened.")) from error
    finally:
        stream.seek(0)


def _check_image(stream: BinaryIO) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise UploadRejected(_l("This image is too large (too many pixels)."))
            image.verify()
    except UploadRejected:
        raise
    except Image.DecompressionBombError as error:
        raise UploadRejected(_l("This image is too large (too many pixels).")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadRejected(_l("This image is damaged and cannot be opened.")) from error
    finally:
        stream.seek(0)


def _check_office(stream: BinaryIO) -> Kind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ARCHIVE_ENTRIES:
                raise UploadRejected(_l("This document has an unusual structure and is refused."))
            unpacked = 0
            for entry in entries:
                if entry.flag_bits & 0x1:
                    raise UploadRejected(
                        _l("This document is protected with a password. Remove the password and upload it again.")
                    )
                unpacked += entry.file_size
                if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO and entry.file_size > 1024 * 1024:
                    raise UploadRejected(_l("This document unpacks to far more data than it holds and is refused."))
            if unpacked > MAX_UNPACKED_BYTES:
                raise UploadRejected(_l("This document unpacks to far more data than it holds and is refused."))
            names = {entry.filename for entry in entries}
            if any(name.lower().rpartition("/")[2] in MACRO_PARTS for name in names):
                raise UploadRejected(
                    _l("This document contains macros. Save it without macros or as PDF, and upload it again.")
                )
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.content_type.encode():
                return ODT
            return None
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as error:
        raise UploadRejected(_l("This document is damaged and cannot be opened.")) from error
    finally:
        stream.seek(0)
