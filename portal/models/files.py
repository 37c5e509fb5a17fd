"""Files people uploaded; the bytes live in the file store, this row says what they are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class StoredFile(Base):
    """One uploaded file. Never changed after upload: a new version is a new row."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random key of the bytes in the file store; never derived from the file name.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    #: The cleaned file name, used only as the download name.
    filename: Mapped[str] = mapped_column(String(160))
    #: The type the content was recognised as, e.g. application/pdf.
    content_type: Mapped[str] = mapped_column(String(120))
    #: Size in bytes.
    size: Mapped[int] = mapped_column(BigInteger)
    #: SHA-256 of the content, hex.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The organisation that owns the file and whose members may download it.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    #: Who uploaded it.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was uploaded (UTC).
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def __str__(self) -> str:
        return self.filename
