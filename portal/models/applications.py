"""A provider's application (aanmelding) to an Open House round: what it applies for, its
self-declaration, subcontractors, the exact evidence versions it relies on, and its timeline."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type
from portal.models.organisations import Municipality, Provider
from portal.models.rounds import EvidenceRequirement, ProductGroup, Round
from portal.models.users import User
from portal.models.vault import EvidenceDocument


class ApplicationStatus(enum.StrEnum):
    """Where an application is in its life; screening adds the transitions after SUBMITTED."""

    #: Being filled in by the provider; everything can still change.
    DRAFT = "draft"
    #: Submitted inside an entry window; answers and evidence versions are frozen.
    SUBMITTED = "submitted"
    #: A reviewer is screening it.
    IN_REVIEW = "in_review"
    #: The reviewers asked the provider to complete named items (herstelverzoek).
    COMPLETION_REQUESTED = "completion_requested"
    #: Decided per product group × municipality.
    DECIDED = "decided"


class StatementKind(enum.StrEnum):
    """What kind of statement of the self-declaration a question is."""

    #: An exclusion ground: "applies to us" needs an explanation.
    EXCLUSION = "exclusion"
    #: A suitability requirement: "does not apply to us" needs an explanation.
    SUITABILITY = "suitability"


@dataclass(frozen=True)
class Statement:
    """One statement of the self-declaration (eigen verklaring / UEA)."""

    code: str
    kind: StatementKind
    text: str

    def needs_explanation(self, applies: bool | None) -> bool:
        """Tell whether this answer must be explained: an exclusion ground that applies, or a
        suitability requirement that is not met."""
        if applies is None:
            return False
        return applies if self.kind is StatementKind.EXCLUSION else not applies


#: The statements of the self-declaration, in the order they are asked. The codes are stored
#: with the answers, so a code never changes meaning; add new codes instead.
STATEMENTS: list[Statement] = [
    Statement("conviction_fraud", StatementKind.EXCLUSION,
              _l("The organisation, or a director or supervisor, has been irrevocably convicted of fraud.")),
    Statement("conviction_corruption", StatementKind.EXCLUSION,
              _l("The organisation, or a director or supervisor, has been irrevocably convicted of corruption (bribery).")),
    Statement("conviction_money_laundering", StatementKind.EXCLUSION,
              _l("The organisation, or a director or supervisor, has been irrevocably convicted of money laundering.")),
    Statement("conviction_terrorism", StatementKind.EXCLUSION,
              _l("The organisation, or a director or supervisor, has been irrevocably convicted of a terrorist offence or of financing terrorism.")),
    Statement("conviction_child_labour", StatementKind.EXCLUSION,
              _l("The organisation, or a director or supervisor, has been irrevocably convicted of child labour or human trafficking.")),
    Statement("taxes_unpaid", StatementKind.EXCLUSION,
              _l("The organisation has not paid taxes or social security contributions that were due.")),
    Statement("bankruptcy", StatementKind.EXCLUSION,
              _l("The organisation is bankrupt, in liquidation, in suspension of payments or in a debt arrangement.")),
    Statement("professional_misconduct", StatementKind.EXCLUSION,
              _l("The organisation has committed grave professional misconduct that calls its integrity into question.")),
    Statement("conflict_of_interest", StatementKind.EXCLUSION,
              _l("The organisation has a conflict of interest with the region or its municipalities in this procedure.")),
    Statement("false_statements", StatementKind.EXCLUSION,
              _l("The organisation has made false statements or withheld information in a procurement or admission procedure.")),
    Statement("registered_handelsregister", StatementKind.SUITABILITY,
              _l("The organisation is registered in the Handelsregister of the Chamber of Commerce (KvK).")),
    Statement("jeugdwet_quality", StatementKind.SUITABILITY,
              _l("The organisation meets the quality requirements of the Jeugdwet (chapter 4).")),
]
STATEMENTS_BY_CODE: dict[str, Statement] = {statement.code: statement for statement in STATEMENTS}


class PartnerRole(enum.StrEnum):
    """How another company takes part in an application."""

    #: Does part of the work under the applicant's responsibility.
    SUBCONTRACTOR = "subcontractor"
    #: Applies together with the applicant (combinatie), jointly responsible.
    COMBINATION_PARTNER = "combination_partner"


class Application(Base, Timestamped):
    """A provider's application (aanmelding) to a round: one per provider and round."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The round applied to.
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    #: The applying provider; only its members see the application.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    #: Draft until submitted; screening moves it on.
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "status"), default=ApplicationStatus.DRAFT
    )
    #: Raised on every change, so a double-clicked submit or two colleagues at once give one submission.
    version: Mapped[int] = mapped_column(default=1)
    #: When it was submitted (UTC).
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who submitted it.
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who started it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship()
    provider: Mapped[Provider] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    scopes: Mapped[list[ApplicationScope]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationScope.id"
    )
    declarations: Mapped[list[Declaration]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Declaration.id"
    )
    subcontractors: Mapped[list[Subcontractor]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Subcontractor.id"
    )
    evidence: Mapped[list[ApplicationEvidence]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvidence.id"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )

    __table_args__ = (
        UniqueConstraint("round_id", "provider_id"),
        CheckConstraint(
            "(status = 'draft') = (submitted_at IS NULL)", name="submitted_at_with_status"
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        """Tell whether the application can still be changed."""
        return self.status is ApplicationStatus.DRAFT

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.round.title}"


class ApplicationScope(Base):
    """One product group × municipality an application asks admission for."""

    __tablename__ = "application_scopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The product group (perceel) of the round.
    product_group_id: Mapped[int] = mapped_column(ForeignKey("product_groups.id"))
    #: A municipality taking part in the round that keeps the group open.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))

    application: Mapped[Application] = relationship(back_populates="scopes")
    product_group: Mapped[ProductGroup] = relationship()
    municipality: Mapped[Municipality] = relationship()

    __table_args__ = (UniqueConstraint("application_id", "product_group_id", "municipality_id"),)


class Declaration(Base):
    """The answer to one statement of the self-declaration."""

    __tablename__ = "application_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The statement's code in STATEMENTS.
    statement: Mapped[str] = mapped_column(String(40))
    #: True: "applies to us"; False: "does not apply to us".
    applies: Mapped[bool] = mapped_column()
    #: The explanation, required where an exclusion ground applies or a requirement is not met.
    explanation: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="declarations")

    __table_args__ = (UniqueConstraint("application_id", "statement"),)


class Subcontractor(Base):
    """A subcontractor or combination partner named in an application."""

    __tablename__ = "application_subcontractors"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The company's name.
    name: Mapped[str] = mapped_column(String(200))
    #: Its KvK number, 8 digits.
    kvk_number: Mapped[str] = mapped_column(String(8))
    #: Subcontractor or combination partner.
    role: Mapped[PartnerRole] = mapped_column(enum_type(PartnerRole, "role"))
    #: Its share of the work, in whole percent.
    share_percent: Mapped[int] = mapped_column()

    application: Mapped[Application] = relationship(back_populates="subcontractors")

    __table_args__ = (
        UniqueConstraint("application_id", "kvk_number"),
        CheckConstraint("length(kvk_number) = 8", name="kvk_number_8_digits"),
        CheckConstraint("share_percent BETWEEN 1 AND 100", name="share_percent_range"),
    )


class ApplicationEvidence(Base):
    """The exact vault version an application uses for one requirement; frozen on submit."""

    __tablename__ = "application_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("evidence_requirements.id"))
    #: The document version; versions are never deleted, so this stays what was submitted.
    document_id: Mapped[int] = mapped_column(ForeignKey("evidence_documents.id"), index=True)

    application: Mapped[Application] = relationship(back_populates="evidence")
    requirement: Mapped[EvidenceRequirement] = relationship()
    document: Mapped[EvidenceDocument] = relationship()

    __table_args__ = (UniqueConstraint("application_id", "requirement_id"),)


class ApplicationEvent(Base):
    """A step in an application's timeline, shown to the provider."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    #: The status the application reached.
    status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus, "status"))
    #: When (UTC, set by the database).
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: Who did it.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A note for the provider, e.g. what a completion request asks.
    note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()
