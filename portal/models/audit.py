"""The append-only log of who changed what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, event, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class AuditEvent(Base):
    """One state change in the portal. Rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened (UTC, set by the database).
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    #: The user who acted; None for the system or the command line.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The actor's name and e-mail at that moment, kept even if the account goes.
    actor_label: Mapped[str] = mapped_column(String(300))
    #: The organisation the actor acted for, if any.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    #: The region whose log this belongs to, so region staff see their own region only.
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="SET NULL"), index=True
    )
    #: Dotted verb, e.g. "user.invited" or "provider.updated".
    action: Mapped[str] = mapped_column(String(80), index=True)
    #: Kind of object changed, e.g. "provider".
    object_type: Mapped[str] = mapped_column(String(50))
    #: Primary key of the object changed.
    object_id: Mapped[str | None] = mapped_column(String(50))
    #: Human-readable description of the object at that moment.
    object_label: Mapped[str] = mapped_column(String(300), default="")
    #: What changed: {field: [old, new]}.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The reason the actor gave, if any.
    reason: Mapped[str | None] = mapped_column(Text)
    #: The client address of the request, if any.
    ip_address: Mapped[str | None] = mapped_column(String(45))


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise RuntimeError("The audit log is append-only.")
