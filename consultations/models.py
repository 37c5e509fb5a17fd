"""Consultation models: a draft put to councils, boards, young people, providers and residents.

A consultation belongs to a region. Reactions (``Response``) answer its questions; staff later
split answers into points, give them a theme, a reaction and a disposition (the analysis). Formal
council views (zienswijzen) and information evenings (meetings) are input too.

Times are stored in UTC; the pages show them in Europe/Amsterdam.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import as_utc
from portal.db import Base, Timestamped
from portal.models import Body, Municipality, Provider, Region, User
from portal.models._types import enum_type


class ConsultationPhase(enum.StrEnum):
    """Where a consultation stands; derived from ``published_at`` and the clock, never stored."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class Audience(enum.StrEnum):
    """Who is asked to react (the archive's ``audience`` values)."""

    GEMEENTERAAD = "gemeenteraad"
    ADVIESRAAD = "adviesraad"
    CLIENTENRAAD = "clientenraad"
    ERVARINGSDESKUNDIGE = "ervaringsdeskundige"
    ZORGAANBIEDER = "zorgaanbieder"
    INWONER = "inwoner"


class QuestionKind(enum.StrEnum):
    """How a question is answered."""

    OPEN = "open"
    SINGLE = "single"
    MULTIPLE = "multiple"
    AGREEMENT = "agreement"
    SCALE = "scale"


#: The answers on an agreement question, in the order they are offered.
AGREEMENT_CHOICES = ("eens", "deels eens", "oneens", "geen mening")
#: The answers on a 1–5 scale, stored as text like every choice.
SCALE_CHOICES = ("1", "2", "3", "4", "5")


class ResponseStatus(enum.StrEnum):
    """The life of a reaction: drafted, submitted, possibly withdrawn before the close."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Disposition(enum.StrEnum):
    """What was done with a point (filled in by the analysis)."""

    TEXT_CHANGED = "text_changed"
    PROCUREMENT_DOCUMENTS = "procurement_documents"
    NOTED = "noted"
    NOT_ADOPTED = "not_adopted"


class FormalViewStatus(enum.StrEnum):
    """Where a council's formal view stands; derived from the deadline and ``received_at``."""

    EXPECTED = "expected"
    RECEIVED = "received"
    LATE = "late"


class FollowUpStatus(enum.StrEnum):
    """Whether a follow-up action promised at a meeting has been done."""

    OPEN = "open"
    DONE = "done"


class Consultation(Base, Timestamped):
    """A draft (inkoopkader, inkoopstrategie) that a region puts to its audiences."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The region that consults.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    #: Title as shown to everyone.
    title: Mapped[str] = mapped_column(String(300))
    #: A plain-language (B1) summary of the draft and of what is asked.
    summary: Mapped[str] = mapped_column(Text)
    #: From this moment reactions can be written (UTC).
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: At this moment the consultation closes; nothing can be submitted or withdrawn after (UTC).
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When staff published it; None while it is a draft that only staff see.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Whether the reactions will be published after the close.
    publish_reactions: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Whether a published reaction shows its sender's name only when the sender agreed.
    names_need_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Whether residents may react through a public link.
    residents_may_react: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The staff member who created it; None for the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    region: Mapped[Region] = relationship()
    created_by: Mapped[User | None] = relationship()
    documents: Mapped[list[ConsultationDocument]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationDocument.id"
    )
    audiences: Mapped[list[ConsultationAudience]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )
    municipalities: Mapped[list[ConsultationMunicipality]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="Question.position"
    )
    themes: Mapped[list[Theme]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="Theme.key"
    )

    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    @property
    def audience_set(self) -> frozenset[Audience]:
        """Return the invited audiences."""
        return frozenset(entry.audience for entry in self.audiences)

    def phase(self, now: datetime) -> ConsultationPhase:
        """Tell where the consultation stands at this moment."""
        if self.published_at is None:
            return ConsultationPhase.DRAFT
        if now < as_utc(self.opens_at):
            return ConsultationPhase.SCHEDULED
        if now < as_utc(self.closes_at):
            return ConsultationPhase.OPEN
        return ConsultationPhase.CLOSED

    def __str__(self) -> str:
        return self.title


class ConsultationDocument(Base, Timestamped):
    """A draft document (PDF) the consultation is about, in a numbered version."""

    __tablename__ = "consultation_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: Title of the document, e.g. "Concept inkoopkader jeugdhulp 2026".
    title: Mapped[str] = mapped_column(String(300))
    #: Version as the region numbers it, e.g. "0.9" or "2024-08-01".
    version: Mapped[str] = mapped_column(String(40))
    #: Key of the PDF in the file store; None until the file store exists or the file is uploaded.
    file_key: Mapped[str | None] = mapped_column(String(80))

    consultation: Mapped[Consultation] = relationship(back_populates="documents")

    __table_args__ = (UniqueConstraint("consultation_id", "title", "version"),)

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class ConsultationAudience(Base):
    """An audience invited to react."""

    __tablename__ = "consultation_audiences"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    #: The invited audience.
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience"), primary_key=True)

    consultation: Mapped[Consultation] = relationship(back_populates="audiences")


class ConsultationMunicipality(Base):
    """A municipality that takes part in the consultation."""

    __tablename__ = "consultation_municipalities"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    #: The participating municipality.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)

    consultation: Mapped[Consultation] = relationship(back_populates="municipalities")
    municipality: Mapped[Municipality] = relationship()


class Question(Base):
    """A question every audience answers."""

    __tablename__ = "consultation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: Short stable key ("q1"), used by the archive and the CSV import.
    key: Mapped[str] = mapped_column(String(40))
    #: Order in the form, from 1.
    position: Mapped[int] = mapped_column()
    #: The question as asked.
    text: Mapped[str] = mapped_column(Text)
    #: The same question in plain language for young people, when given.
    plain_text: Mapped[str | None] = mapped_column(Text)
    #: How it is answered.
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "kind"))
    #: The options of a single or multiple choice question, in order; empty for other kinds.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")

    __table_args__ = (
        UniqueConstraint("consultation_id", "key"),
        UniqueConstraint("consultation_id", "position"),
        CheckConstraint("position > 0", name="position_positive"),
    )

    def __str__(self) -> str:
        return self.key


class Theme(Base):
    """A theme of the consultation's codebook (filled in by the analysis)."""

    __tablename__ = "consultation_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: Short stable key ("kwaliteit").
    key: Mapped[str] = mapped_column(String(40))
    #: Name shown to people.
    label: Mapped[str] = mapped_column(String(200))
    #: What belongs under this theme, when described.
    description: Mapped[str | None] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="themes")

    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    def __str__(self) -> str:
        return self.label


class PersonalInvitation(Base):
    """A personal link that lets someone without an account react (e.g. an expert by experience)."""

    __tablename__ = "personal_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The audience the invitee reacts as.
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience"))
    #: The invitee's name, when staff know and may keep it; a link can be nameless.
    name: Mapped[str | None] = mapped_column(String(200))
    #: Where the link and the confirmation go, when known.
    email: Mapped[str | None] = mapped_column(String(254))
    #: SHA-256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Whether the invitee may react without their name.
    anonymous_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    #: After this moment the link no longer works.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When staff withdrew the link.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The staff member who made the link.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the link was made (UTC).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    consultation: Mapped[Consultation] = relationship()

    def __str__(self) -> str:
        return self.name or f"{self.audience.value} #{self.id}"


class Response(Base, Timestamped):
    """One reaction to a consultation: by a body, an invited person, a provider or a resident."""

    __tablename__ = "consultation_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: Reference kept by the archive ("r-17"); unique within the consultation.
    ref: Mapped[str] = mapped_column(String(50))
    #: Who reacted, as shown to staff and (with consent) in publications; "Anoniem" when anonymous.
    respondent: Mapped[str] = mapped_column(String(300))
    #: The audience the reaction speaks for.
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience"))
    #: The municipality the reaction comes from, when it comes from one.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The body (council, board) on whose behalf the reaction is made.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: The provider on whose behalf the reaction is made.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    #: The personal invitation the reaction came through.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("personal_invitations.id"), index=True
    )
    #: Whether the respondent reacts without their name.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Whether the respondent agreed that their name is published with the reaction.
    publish_name: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Address for the confirmation with a copy of the answers, when given (residents).
    email: Mapped[str | None] = mapped_column(String(254))
    #: SHA-256 of the token in a resident's private link to read, change or withdraw the reaction;
    #: the token itself is never stored (as with personal invitations). None for other senders.
    private_link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Key of an attached letter (PDF) in the file store, when one was attached.
    attachment_key: Mapped[str | None] = mapped_column(String(80))
    #: The one-time key of the public form a resident sent (residents have no account): the same
    #: form sent twice, by a double click or a retry, is kept once.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    #: Draft, submitted or withdrawn.
    status: Mapped[ResponseStatus] = mapped_column(
        enum_type(ResponseStatus, "status"), default=ResponseStatus.DRAFT
    )
    #: When the reaction was submitted (UTC); kept when it is withdrawn later.
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the reaction was withdrawn (UTC).
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Raised on every save, so two members editing at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)
    #: The member who started the reaction; None for invitations, residents and imports.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The member who saved it last.
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The member who submitted it on behalf of the body or provider.
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    body: Mapped[Body | None] = relationship()
    provider: Mapped[Provider | None] = relationship()
    invitation: Mapped[PersonalInvitation | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )

    __table_args__ = (
        UniqueConstraint("consultation_id", "ref"),
        UniqueConstraint("consultation_id", "submission_key"),
        # One living reaction per body, provider and invitation: a withdrawn reaction stays on
        # record and a new one may be started. Partial unique indexes say exactly that, and
        # PostgreSQL and SQLite both enforce them.
        *(
            Index(
                f"uq_consultation_responses_{column}_active",
                "consultation_id",
                column,
                unique=True,
                postgresql_where=sql(f"{column} IS NOT NULL AND status <> 'withdrawn'"),
                sqlite_where=sql(f"{column} IS NOT NULL AND status <> 'withdrawn'"),
            )
            for column in ("body_id", "provider_id", "invitation_id")
        ),
        CheckConstraint(
            "(CASE WHEN body_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN provider_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN invitation_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_sender",
        ),
        CheckConstraint("provider_id IS NULL OR audience = 'zorgaanbieder'", name="provider_audience"),
        CheckConstraint("NOT (anonymous AND publish_name)", name="anonymous_without_name"),
        CheckConstraint("status <> 'submitted' OR submitted_at IS NOT NULL", name="submitted_moment"),
        CheckConstraint("status <> 'withdrawn' OR withdrawn_at IS NOT NULL", name="withdrawn_moment"),
        CheckConstraint("version > 0", name="version_positive"),
    )
    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.ref} {self.respondent}"


class Answer(Base):
    """The answer of one reaction to one question."""

    __tablename__ = "consultation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), index=True
    )
    #: The choice made: an agreement value, "1".."5", the option of a single choice, or for a
    #: multiple choice the chosen options one per line in the question's order. None for open text.
    choice: Mapped[str | None] = mapped_column(Text)
    #: Free text: the answer to an open question or the explanation of a choice (no length limit).
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    points: Mapped[list[Point]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="Point.position"
    )

    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint("choice IS NOT NULL OR text IS NOT NULL", name="not_empty"),
    )

    @property
    def choices(self) -> list[str]:
        """Return the chosen options as a list (one element for single-valued kinds)."""
        return self.choice.split("\n") if self.choice else []


class Point(Base):
    """A point (aandachtspunt) staff took from an answer, with its theme and what was done with it."""

    __tablename__ = "consultation_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_answers.id", ondelete="CASCADE"), index=True
    )
    # Repeated from the answer's reaction so the database can keep refs unique per consultation.
    #: The consultation the point belongs to (the same as its answer's).
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: Reference kept by the archive ("p-1"); unique within the consultation when set.
    ref: Mapped[str | None] = mapped_column(String(50))
    #: Order within the answer, from 1.
    position: Mapped[int] = mapped_column()
    #: The point in the respondent's words.
    text: Mapped[str] = mapped_column(Text)
    #: The theme staff gave it.
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_themes.id", ondelete="SET NULL"), index=True
    )
    #: The region's reaction to the point (reactie).
    reaction: Mapped[str | None] = mapped_column(Text)
    #: What was done with the point.
    disposition: Mapped[Disposition | None] = mapped_column(enum_type(Disposition, "disposition"))
    #: Where the point starts in its answer's text when it was split from it (a character offset).
    source_start: Mapped[int | None] = mapped_column()
    #: Where the point ends in its answer's text (exclusive), kept when staff edit the point's words.
    source_end: Mapped[int | None] = mapped_column()
    #: Raised on every save, so two staff members coding or answering at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    answer: Mapped[Answer] = relationship(back_populates="points")
    consultation: Mapped[Consultation] = relationship()
    theme: Mapped[Theme | None] = relationship()

    __table_args__ = (
        UniqueConstraint("answer_id", "position"),
        UniqueConstraint("consultation_id", "ref"),
        CheckConstraint("position > 0", name="position_positive"),
    )
    __mapper_args__ = {"version_id_col": version}


class FormalView(Base, Timestamped):
    """A council's formal view (zienswijze) on the draft: expected by a deadline, then received."""

    __tablename__ = "formal_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The council (a body of kind gemeenteraad) whose view is asked.
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    #: The view must arrive before this moment (UTC).
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When the view arrived (UTC); None while it is awaited.
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Key of the council's decision letter in the file store.
    letter_key: Mapped[str | None] = mapped_column(String(80))
    #: A short summary of the view, written by staff.
    summary: Mapped[str | None] = mapped_column(Text)
    #: When the council was last reminded (UTC).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    consultation: Mapped[Consultation] = relationship()
    body: Mapped[Body] = relationship()

    __table_args__ = (UniqueConstraint("consultation_id", "body_id"),)

    def status(self, now: datetime) -> FormalViewStatus:
        """Tell whether the view is expected, received in time, or late (missing or after the deadline)."""
        deadline = as_utc(self.deadline)
        if self.received_at is not None:
            return FormalViewStatus.RECEIVED if as_utc(self.received_at) <= deadline else FormalViewStatus.LATE
        return FormalViewStatus.LATE if now > deadline else FormalViewStatus.EXPECTED

    def __str__(self) -> str:
        return f"Zienswijze {self.body.name}" if self.body else "Zienswijze"


class ReminderKind(enum.StrEnum):
    """What a scheduled reminder was about."""

    FORMAL_VIEW = "formal_view"
    REACTION = "reaction"


class SentReminder(Base):
    """A reminder the scheduled job sent to a body, so that running the job again never sends it twice."""

    __tablename__ = "consultation_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The body (a council for a formal view, any invited body for a reaction) that was reminded.
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    #: Whether the reminder was about the formal view or about the reaction.
    kind: Mapped[ReminderKind] = mapped_column(enum_type(ReminderKind, "kind"))
    #: How many e-mails went out (one per active member).
    mails: Mapped[int] = mapped_column()
    #: When it was sent (UTC).
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    consultation: Mapped[Consultation] = relationship()
    body: Mapped[Body] = relationship()

    __table_args__ = (
        UniqueConstraint("consultation_id", "body_id", "kind"),
        CheckConstraint("mails >= 0", name="mails_not_negative"),
    )


class Meeting(Base, Timestamped):
    """An information evening or other meeting on the draft, recorded by staff as input."""

    __tablename__ = "consultation_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: What the meeting was, e.g. "Informatieavond raadsleden".
    title: Mapped[str] = mapped_column(String(300))
    #: When it was held (UTC).
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The audience it was for.
    audience: Mapped[Audience] = mapped_column(enum_type(Audience, "audience"))
    #: How many people attended.
    attendees: Mapped[int] = mapped_column()
    #: The staff member who recorded it.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    questions: Mapped[list[MeetingQuestion]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingQuestion.position"
    )

    __table_args__ = (CheckConstraint("attendees >= 0", name="attendees_not_negative"),)

    def __str__(self) -> str:
        return self.title


class MeetingQuestion(Base):
    """A question asked at a meeting, the answer given, and any follow-up promised."""

    __tablename__ = "meeting_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_meetings.id", ondelete="CASCADE"), index=True
    )
    #: Order within the meeting, from 1.
    position: Mapped[int] = mapped_column()
    #: The question as asked.
    question: Mapped[str] = mapped_column(Text)
    #: The answer given at the meeting, if any.
    answer: Mapped[str | None] = mapped_column(Text)
    #: What was promised to do afterwards, if anything.
    follow_up: Mapped[str | None] = mapped_column(Text)
    #: Who does the follow-up (a person or team).
    follow_up_owner: Mapped[str | None] = mapped_column(String(200))
    #: Whether the follow-up is done.
    follow_up_status: Mapped[FollowUpStatus | None] = mapped_column(
        enum_type(FollowUpStatus, "follow_up_status")
    )

    meeting: Mapped[Meeting] = relationship(back_populates="questions")

    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint(
            "(follow_up IS NULL) = (follow_up_status IS NULL)", name="follow_up_has_status"
        ),
    )


__all__ = [
    "AGREEMENT_CHOICES",
    "SCALE_CHOICES",
    "Answer",
    "Audience",
    "Consultation",
    "ConsultationAudience",
    "ConsultationDocument",
    "ConsultationMunicipality",
    "ConsultationPhase",
    "Disposition",
    "FollowUpStatus",
    "FormalView",
    "FormalViewStatus",
    "Meeting",
    "MeetingQuestion",
    "PersonalInvitation",
    "Point",
    "Question",
    "QuestionKind",
    "ReminderKind",
    "Response",
    "ResponseStatus",
    "SentReminder",
    "Theme",
]
