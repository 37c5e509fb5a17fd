"""Screening of applications: a verdict per requirement, completion requests (herstelverzoek)
with the items they name, four-eyes decisions per product group × municipality, and the letter."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models._types import enum_type
from portal.models.applications import Application, ApplicationScope
from portal.models.rounds import EvidenceRequirement
from portal.models.users import User
from portal.models.vault import EvidenceDocument


class RequirementVerdict(Base):
    """A reviewer's judgement of one requirement of an application: accepted, or rejected with a reason."""

    __tablename__ = "screening_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The requirement judged.
    requirement_id: Mapped[int] = mapped_column(ForeignKey("evidence_requirements.id"))
    #: The document version that was judged (the one the application used at that moment).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_documents.id"))
    #: True: accepted; False: rejected.
    accepted: Mapped[bool] = mapped_column()
    #: Why; required when rejected.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Who judged it last.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When (UTC).
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: Raised on every change, so two reviewers judging at once never overwrite each other silently.
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[Application] = relationship()
    requirement: Mapped[EvidenceRequirement] = relationship()
    document: Mapped[EvidenceDocument | None] = relationship()
    by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("application_id", "requirement_id"),
        CheckConstraint("accepted OR length(reason) > 0", name="reason_when_rejected"),
    )
    __mapper_args__ = {"version_id_col": version}


class CompletionRequest(Base):
    """A request to the provider to complete named items before a deadline (herstelverzoek)."""

    __tablename__ = "completion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The last moment the provider may resubmit (UTC).
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: What the reviewer asks, in words, for the provider.
    note: Mapped[str] = mapped_column(Text, default="")
    #: The reviewer who asked.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When it was asked (UTC).
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: When the provider resubmitted the items; None while open.
    resubmitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who resubmitted.
    resubmitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    resubmitted_by: Mapped[User | None] = relationship(foreign_keys=[resubmitted_by_id])
    items: Mapped[list[CompletionItem]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="CompletionItem.id"
    )

    @property
    def is_open(self) -> bool:
        """Tell whether the provider has not resubmitted yet."""
        return self.resubmitted_at is None


class CompletionItem(Base):
    """One item a completion request names: a requirement's document, or a statement's answer."""

    __tablename__ = "completion_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("completion_requests.id", ondelete="CASCADE"), index=True)
    #: The requirement whose document must be replaced, or None for a statement.
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_requirements.id"))
    #: The statement code of the self-declaration to answer again, or None for a document.
    statement: Mapped[str | None] = mapped_column(String(40))
    #: The reviewer's reason, shown to the provider.
    reason: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[CompletionRequest] = relationship(back_populates="items")
    requirement: Mapped[EvidenceRequirement | None] = relationship()

    __table_args__ = (
        CheckConstraint("(requirement_id IS NULL) <> (statement IS NULL)", name="one_subject"),
        UniqueConstraint("request_id", "requirement_id"),
        UniqueConstraint("request_id", "statement"),
    )


class Outcome(enum.StrEnum):
    """What a decision on a product group × municipality says."""

    #: Toegelaten.
    ADMITTED = "admitted"
    #: Afgewezen.
    REJECTED = "rejected"


class ScopeDecision(Base):
    """The decision on one product group × municipality: proposed by one reviewer, confirmed by another."""

    __tablename__ = "scope_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The product group × municipality decided; one decision each, so two proposals at once give one.
    scope_id: Mapped[int] = mapped_column(ForeignKey("application_scopes.id", ondelete="CASCADE"), unique=True)
    #: Admitted or rejected.
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, "outcome"))
    #: The reasons, as the letter states them.
    reasons: Mapped[str] = mapped_column(Text, default="")
    #: The reviewer who proposed it.
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: When it was proposed (UTC).
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The second reviewer who confirmed it; never the proposer (four eyes).
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When it was confirmed (UTC).
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Raised on every change, so two confirmations at once give one.
    version: Mapped[int] = mapped_column(default=1)

    scope: Mapped[ApplicationScope] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    __table_args__ = (
        CheckConstraint("confirmed_by_id IS NULL OR confirmed_by_id <> proposed_by_id", name="four_eyes"),
        CheckConstraint("(confirmed_by_id IS NULL) = (confirmed_at IS NULL)", name="confirmed_at_with_confirmer"),
        CheckConstraint("outcome = 'admitted' OR length(reasons) > 0", name="reasons_when_rejected"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_confirmed(self) -> bool:
        """Tell whether a second reviewer confirmed the decision."""
        return self.confirmed_by_id is not None


class DecisionLetter(Base):
    """The letter of a decided application: its date, and when the provider first opened it."""

    __tablename__ = "decision_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    #: The date of the letter (UTC moment the last decision was confirmed).
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When a member of the provider first opened it; None while unread.
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    application: Mapped[Application] = relationship()
