"""Versions of data that computed pages are kept for (portal.kept)."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


def new_token() -> str:
    """Return a new random token."""
    return uuid4().hex


class DataVersion(Base):
    """A token that is new whenever the data behind some kept pages changed, one row per kind of
    data (``kpi``, ``consultations``). No row: nothing of that kind is kept."""

    __tablename__ = "data_versions"

    #: Which data: the name of its portal.kept.Kept.
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: A random token, new at every change.
    token: Mapped[str] = mapped_column(String(32))
    #: When the token was last renewed (UTC, set by the database).
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
