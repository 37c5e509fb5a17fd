"""E-mail written by the portal: the outbox, sent after the transaction commits."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models._types import enum_type


class MailStatus(enum.StrEnum):
    """Where a message is on its way out."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One e-mail. In the demo it stays here for administrators to read."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When the message was written (UTC).
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    #: Recipient address.
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    #: Subject line.
    subject: Mapped[str] = mapped_column(String(300))
    #: Plain-text body.
    body: Mapped[str] = mapped_column(Text)
    #: queued, sent or failed.
    status: Mapped[MailStatus] = mapped_column(
        enum_type(MailStatus, "status"), default=MailStatus.QUEUED
    )
    #: When the transport accepted it.
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The transport's error after a failed attempt.
    error: Mapped[str | None] = mapped_column(Text)
