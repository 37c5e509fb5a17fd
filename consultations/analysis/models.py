"""Tables the analysis adds beside the consultation core: secondary themes, the review of each
reaction (reactie) and the consultation's report (reactienota and public page)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultations.models import Consultation, Point, Theme
from portal.db import Base, Timestamped
from portal.models import User
from portal.models._types import enum_type


class ReactionStatus(enum.StrEnum):
    """Where the region's reaction to a point stands: written, checked by a second person, final."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
    FINAL = "final"


class PointTheme(Base):
    """A secondary theme of a point (the primary theme is ``Point.theme``)."""

    __tablename__ = "consultation_point_themes"

    point_id: Mapped[int] = mapped_column(ForeignKey("consultation_points.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("consultation_themes.id", ondelete="CASCADE"), primary_key=True)

    point: Mapped[Point] = relationship()
    theme: Mapped[Theme] = relationship()


class PointReaction(Base, Timestamped):
    """The review of the reaction to a point; its text and disposition live on the point itself."""

    __tablename__ = "consultation_point_reactions"

    point_id: Mapped[int] = mapped_column(ForeignKey("consultation_points.id", ondelete="CASCADE"), primary_key=True)
    #: Draft, reviewed (by someone other than the writer) or final.
    status: Mapped[ReactionStatus] = mapped_column(enum_type(ReactionStatus, "status"), default=ReactionStatus.DRAFT)
    #: Why the point was not adopted; required with the disposition not_adopted.
    reason: Mapped[str | None] = mapped_column(Text)
    #: The staff member responsible for answering the point.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who last wrote the reaction.
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who checked it; never the writer.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was checked (UTC).
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When it was made final (UTC).
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Raised on every save, so two people answering at once never overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    point: Mapped[Point] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    written_by: Mapped[User | None] = relationship(foreign_keys=[written_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (
        CheckConstraint("reviewed_by_id IS NULL OR written_by_id IS NULL OR reviewed_by_id <> written_by_id",
                        name="second_person_reviews"),
        CheckConstraint("status = 'draft' OR reviewed_at IS NOT NULL", name="reviewed_before_final"),
        CheckConstraint("version > 0", name="version_positive"),
    )
    __mapper_args__ = {"version_id_col": version}


class ConsultationReport(Base, Timestamped):
    """The outcome of a consultation: the reactienota's state and the public page."""

    __tablename__ = "consultation_reports"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    #: When the reactienota was made final (UTC); None while it is a draft.
    memo_final_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who made it final.
    memo_final_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When staff last checked the preview of the public page (UTC); a change resets it.
    previewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who checked the preview.
    previewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the public page went online (UTC); None while it is not public.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who published it.
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Raised on every save.
    version: Mapped[int] = mapped_column(default=1)

    consultation: Mapped[Consultation] = relationship()

    __table_args__ = (
        CheckConstraint("published_at IS NULL OR previewed_at IS NOT NULL", name="previewed_before_published"),
        CheckConstraint("version > 0", name="version_positive"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"Reactienota {self.consultation.title}" if self.consultation else "Reactienota"
