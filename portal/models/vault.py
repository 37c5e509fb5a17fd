"""A provider's evidence vault: documents uploaded once, kept as versions, and the reminders
sent before and after they expire."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.evidence import EvidenceType
from portal.models.files import StoredFile
from portal.models.organisations import Provider
from portal.models.users import User


class EvidenceDocument(Base):
    """One version of a provider's document of a catalogue type.

    The versions of a "document line" (provider × type, and the financial year for types judged
    by financial year) are numbered 1, 2, ...; a new upload of the same line is the next version.
    Versions are never deleted, because applications refer to the exact version they used; a
    provider withdraws a version instead.
    """

    __tablename__ = "evidence_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The provider whose document this is; only its members may see it.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    #: The kind of document, from the catalogue.
    evidence_type_id: Mapped[int] = mapped_column(ForeignKey("evidence_types.id"))
    #: The uploaded file; one file belongs to one version.
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), unique=True)
    #: The financial year for financial-year types, else 0: with provider and type it names the
    #: line, and unlike the nullable year it lets the database keep version numbers unique.
    line_year: Mapped[int] = mapped_column(default=0)
    #: 1 for the first upload of the line, then 2, 3, ...
    version: Mapped[int] = mapped_column()
    #: The previous version of the same line; None for version 1.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_documents.id"), unique=True)
    #: The date the document was issued (required for types judged by age).
    issue_date: Mapped[date | None] = mapped_column(Date)
    #: The last day the document itself says it is valid (policies, certificates).
    expiry_date: Mapped[date | None] = mapped_column(Date)
    #: Who issued it, e.g. "Justis" or the insurer's name.
    issuer: Mapped[str] = mapped_column(String(200), default="")
    #: The financial year the document covers (annual accounts, WNT statement).
    financial_year: Mapped[int | None] = mapped_column()
    #: Who uploaded this version.
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When this version was uploaded (UTC, set by the database).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: When the provider withdrew this version; withdrawn versions are kept but no longer offered.
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who withdrew it.
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    provider: Mapped[Provider] = relationship()
    evidence_type: Mapped[EvidenceType] = relationship()
    stored_file: Mapped[StoredFile] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    supersedes: Mapped[EvidenceDocument | None] = relationship(remote_side=[id])

    __table_args__ = (
        UniqueConstraint("provider_id", "evidence_type_id", "line_year", "version", name="uq_evidence_documents_line_version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("(version = 1) = (supersedes_id IS NULL)", name="first_version_supersedes_nothing"),
        CheckConstraint("line_year = COALESCE(financial_year, 0)", name="line_year_is_financial_year"),
        CheckConstraint(
            "expiry_date IS NULL OR issue_date IS NULL OR expiry_date > issue_date", name="expiry_after_issue"
        ),
    )

    @property
    def is_withdrawn(self) -> bool:
        """Tell whether the provider withdrew this version."""
        return self.withdrawn_at is not None

    def __str__(self) -> str:
        return f"{self.evidence_type.name} v{self.version}"


class EvidenceReminder(Base):
    """A reminder e-mailed about a document; the constraint makes sure each is sent once."""

    __tablename__ = "evidence_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The document version the reminder was about.
    document_id: Mapped[int] = mapped_column(ForeignKey("evidence_documents.id", ondelete="CASCADE"))
    #: What it said: "expires_70d" (expires within 70 days) or "expired".
    kind: Mapped[str] = mapped_column(String(30))
    #: When it was written to the outbox (UTC, set by the database).
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    document: Mapped[EvidenceDocument] = relationship()

    __table_args__ = (UniqueConstraint("document_id", "kind"),)
