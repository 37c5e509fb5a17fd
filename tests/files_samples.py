"""Small files of every kind, good and bad, made on the fly for upload tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf(pages: int = 1, password: str | None = None, javascript: bool = False) -> bytes:
    """Return a valid PDF, optionally protected or carrying a script."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:
        from pypdf.actions import JavaScript

        writer.add_open_action(JavaScript("app.alert('hallo');"))
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    """Return a small valid PNG or JPEG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (23, 69, 122)).save(buffer, format=kind)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims enormous dimensions."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


def office(kind: str = "docx", extra: dict[str, bytes] | None = None) -> bytes:
    """Return a minimal DOCX, XLSX or ODT package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_docx() -> bytes:
    """Return a DOCX that unpacks to 60 MB of zeros from a few kilobytes."""
    return office("docx", {"word/media/zeros.bin": b"\x00" * (60 * 1024 * 1024)})


def windows_executable() -> bytes:
    """Return the start of a Windows program (MZ header), as a renamed .exe would have."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
