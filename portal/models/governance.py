"""Governance and WNT: a provider's annual governance declaration (Governancecode Zorg 2022,
supervision, group structure, related parties, finances, WNT statements), the dated WNT maxima,
a round's profit cap, and a region's review of a declaration."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type
from portal.models.organisations import Provider, Region
from portal.models.rounds import ProductGroup, Round
from portal.models.users import User
from portal.models.vault import EvidenceDocument

#: Money in euros with cents.
Money = Numeric(14, 2)


class WntClass(enum.StrEnum):
    """The classes of the WNT sector regulation for care and youth care; V equals the general maximum."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


class DeclarationStatus(enum.StrEnum):
    """Where a governance declaration is in its life."""

    #: Being filled in by the provider; invisible to regions.
    DRAFT = "draft"
    #: Submitted: regions where the provider applied can read and review it.
    SUBMITTED = "submitted"


class SupervisorRole(enum.StrEnum):
    """The role of a member of the internal supervisory body."""

    CHAIR = "chair"
    MEMBER = "member"


class EntityKind(enum.StrEnum):
    """How an entity or person relates to the provider in its group structure."""

    #: A (legal) person holding shares or control of the provider.
    PARENT = "parent"
    #: A company the provider owns (wholly or partly).
    SUBSIDIARY = "subsidiary"
    #: A company with the same owner(s).
    SISTER = "sister"
    #: An ultimate beneficial owner (a natural person).
    UBO = "ubo"


class TransactionKind(enum.StrEnum):
    """The kinds of related-party transaction regions ask about."""

    REAL_ESTATE = "real_estate"
    MANAGEMENT_FEE = "management_fee"
    SERVICES = "services"
    LOAN = "loan"


class WntFunction(enum.StrEnum):
    """What a top official in a WNT statement is: an executive or a supervisory board member."""

    EXECUTIVE = "executive"
    SUPERVISORY_CHAIR = "supervisory_chair"
    SUPERVISORY_MEMBER = "supervisory_member"


class ReviewVerdict(enum.StrEnum):
    """A region's verdict on a provider's governance declaration."""

    #: Not judged yet.
    OPEN = "open"
    #: In order.
    IN_ORDER = "in_order"
    #: The region has questions the provider must answer.
    QUESTIONS = "questions"
    #: Not in order: the provider does not meet the region's governance requirements.
    NOT_IN_ORDER = "not_in_order"


class WntMaximum(Base):
    """A published WNT maximum: for a year and a class, in euros for a full year, full time."""

    __tablename__ = "wnt_maxima"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The calendar year the maximum applies to.
    year: Mapped[int] = mapped_column()
    #: The class (I to V) of the sector regulation.
    wnt_class: Mapped[WntClass] = mapped_column(enum_type(WntClass, "wnt_class"))
    #: The maximum in euros (full year, full time).
    amount: Mapped[Decimal] = mapped_column(Money)
    #: Where the figure comes from, e.g. the regulation in the Staatscourant.
    source: Mapped[str] = mapped_column(String(300))
    #: Who added it ("name <e-mail>"), empty for the seeded figures; a label, not a key, so the
    #: reference table never depends on accounts.
    added_by: Mapped[str] = mapped_column(String(300), default="")
    #: When it was added (UTC, set by the database).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("year", "wnt_class"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("year BETWEEN 2013 AND 2100", name="year_range"),
    )


class GovernanceDeclaration(Base, Timestamped):
    """A provider's governance declaration for one financial year."""

    __tablename__ = "governance_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The provider that declares; only its members and reviewing regions see it.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    #: The financial year declared.
    financial_year: Mapped[int] = mapped_column()
    #: Draft or submitted.
    status: Mapped[DeclarationStatus] = mapped_column(
        enum_type(DeclarationStatus, "status"), default=DeclarationStatus.DRAFT
    )
    #: Whether management and supervision are separated (statutes, separate persons).
    management_supervision_separated: Mapped[bool | None] = mapped_column()
    #: How management and supervision are separated, or why not.
    separation_note: Mapped[str] = mapped_column(Text, default="")
    #: Whether the provider has a client council (cliëntenraad).
    has_client_council: Mapped[bool | None] = mapped_column()
    #: How clients are heard, especially without a client council.
    client_council_note: Mapped[str] = mapped_column(Text, default="")
    #: Revenue (total income) in euros.
    revenue: Mapped[Decimal | None] = mapped_column(Money)
    #: Result (profit, negative for a loss) in euros.
    result: Mapped[Decimal | None] = mapped_column(Money)
    #: Profit distributed to owners in euros.
    profit_distributed: Mapped[Decimal | None] = mapped_column(Money)
    #: WNT points for knowledge intensity.
    points_knowledge: Mapped[int | None] = mapped_column()
    #: WNT points for the number of tasks.
    points_tasks: Mapped[int | None] = mapped_column()
    #: WNT points for the number of funding sources.
    points_funding: Mapped[int | None] = mapped_column()
    #: WNT points for turnover.
    points_turnover: Mapped[int | None] = mapped_column()
    #: The class the supervisory board set from the points; None until the points are given.
    wnt_class: Mapped[WntClass | None] = mapped_column(enum_type(WntClass, "wnt_class"))
    #: Why the supervisory board gave these points.
    class_reasoning: Mapped[str] = mapped_column(Text, default="")
    #: When it was submitted (UTC).
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Raised on every change, so two people editing at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    provider: Mapped[Provider] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    principles: Mapped[list[GovernancePrinciple]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="GovernancePrinciple.number"
    )
    supervisors: Mapped[list[SupervisoryMember]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="SupervisoryMember.id"
    )
    entities: Mapped[list[GroupEntity]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="GroupEntity.id"
    )
    transactions: Mapped[list[RelatedPartyTransaction]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="RelatedPartyTransaction.id"
    )
    statements: Mapped[list[WntStatement]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="WntStatement.id"
    )

    __table_args__ = (
        UniqueConstraint("provider_id", "financial_year"),
        CheckConstraint("financial_year BETWEEN 2013 AND 2100", name="financial_year_range"),
        CheckConstraint("(status = 'draft') = (submitted_at IS NULL)", name="submitted_at_with_status"),
        CheckConstraint("profit_distributed IS NULL OR profit_distributed >= 0", name="distribution_not_negative"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        """Tell whether the provider can still change the declaration."""
        return self.status is DeclarationStatus.DRAFT

    @property
    def margin(self) -> Decimal | None:
        """Return the margin: result / revenue; None without a positive revenue."""
        if self.revenue is None or self.result is None or self.revenue <= 0:
            return None
        return self.result / self.revenue

    def __str__(self) -> str:
        return f"{self.provider.name} {self.financial_year}"


#: Vault documents given as evidence for a principle.
principle_documents = Table(
    "governance_principle_documents",
    Base.metadata,
    Column("principle_id", Integer, ForeignKey("governance_principles.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", Integer, ForeignKey("evidence_documents.id"), primary_key=True),
)


class GovernancePrinciple(Base):
    """Apply or explain for one of the seven principles of the Governancecode Zorg 2022."""

    __tablename__ = "governance_principles"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("governance_declarations.id", ondelete="CASCADE"), index=True)
    #: The principle's number, 1 to 7.
    number: Mapped[int] = mapped_column()
    #: True: applied; False: not (fully) applied, explained.
    applied: Mapped[bool] = mapped_column()
    #: How the principle is applied, or why not (required when not applied).
    explanation: Mapped[str] = mapped_column(Text, default="")

    declaration: Mapped[GovernanceDeclaration] = relationship(back_populates="principles")
    documents: Mapped[list[EvidenceDocument]] = relationship(secondary=principle_documents)

    __table_args__ = (
        UniqueConstraint("declaration_id", "number"),
        CheckConstraint("number BETWEEN 1 AND 7", name="number_range"),
    )


class SupervisoryMember(Base):
    """A member of the provider's internal supervisory body (raad van toezicht / commissarissen)."""

    __tablename__ = "supervisory_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("governance_declarations.id", ondelete="CASCADE"), index=True)
    #: Full name.
    name: Mapped[str] = mapped_column(String(200))
    #: Chair or member.
    role: Mapped[SupervisorRole] = mapped_column(enum_type(SupervisorRole, "role"))
    #: First day of the current term.
    start_date: Mapped[date] = mapped_column(Date)
    #: Last day of the current term.
    term_end: Mapped[date] = mapped_column(Date)
    #: How often the member was reappointed.
    reappointments: Mapped[int] = mapped_column(default=0)

    declaration: Mapped[GovernanceDeclaration] = relationship(back_populates="supervisors")

    __table_args__ = (
        CheckConstraint("term_end > start_date", name="term_end_after_start"),
        CheckConstraint("reappointments >= 0", name="reappointments_not_negative"),
    )


class GroupEntity(Base):
    """An entity or person in the provider's group structure, with its ownership share."""

    __tablename__ = "group_entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("governance_declarations.id", ondelete="CASCADE"), index=True)
    #: Name of the company or person.
    name: Mapped[str] = mapped_column(String(200))
    #: How it relates to the provider.
    kind: Mapped[EntityKind] = mapped_column(enum_type(EntityKind, "kind"))
    #: KvK number of a Dutch company (eight digits); None for persons and foreign entities.
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    #: Ownership share in percent (of the provider, or of the subsidiary by the provider).
    ownership_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    declaration: Mapped[GovernanceDeclaration] = relationship(back_populates="entities")

    __table_args__ = (
        CheckConstraint("ownership_percent >= 0 AND ownership_percent <= 100", name="ownership_range"),
        CheckConstraint("kvk_number IS NULL OR length(kvk_number) = 8", name="kvk_number_length"),
    )


class RelatedPartyTransaction(Base):
    """A transaction with a related party (real estate, management fee, services, loan)."""

    __tablename__ = "related_party_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("governance_declarations.id", ondelete="CASCADE"), index=True)
    #: The related party.
    counterparty: Mapped[str] = mapped_column(String(200))
    #: What kind of transaction.
    kind: Mapped[TransactionKind] = mapped_column(enum_type(TransactionKind, "kind"))
    #: The amount in euros over the year.
    amount: Mapped[Decimal] = mapped_column(Money)
    #: Why the price is at arm's length (zakelijk).
    arms_length: Mapped[str] = mapped_column(Text)

    declaration: Mapped[GovernanceDeclaration] = relationship(back_populates="transactions")

    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)


class WntStatement(Base):
    """The WNT statement of one top official for the declaration's year."""

    __tablename__ = "wnt_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("governance_declarations.id", ondelete="CASCADE"), index=True)
    #: Full name.
    name: Mapped[str] = mapped_column(String(200))
    #: Position, e.g. "bestuurder" or "lid raad van toezicht".
    position: Mapped[str] = mapped_column(String(200))
    #: Executive, supervisory chair or supervisory member: decides the norm.
    function: Mapped[WntFunction] = mapped_column(enum_type(WntFunction, "function"), default=WntFunction.EXECUTIVE)
    #: First day in office in the year.
    start_date: Mapped[date] = mapped_column(Date)
    #: Last day in office in the year.
    end_date: Mapped[date] = mapped_column(Date)
    #: Contract hours / full-time hours (may exceed 1; the norm caps it at 1.0).
    part_time_factor: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("1"))
    #: Whether the official is employed (in dienstbetrekking).
    employed: Mapped[bool] = mapped_column(default=True)
    #: Pay: salary plus taxable allowances, in euros.
    pay: Mapped[Decimal] = mapped_column(Money)
    #: Deferred pay (pension and the like), in euros.
    deferred_pay: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    #: Whether the amount above the maximum is being recovered.
    being_recovered: Mapped[bool] = mapped_column(default=False)
    #: Why the maximum was exceeded and what is done about it (required when it is).
    explanation: Mapped[str] = mapped_column(Text, default="")

    declaration: Mapped[GovernanceDeclaration] = relationship(back_populates="statements")

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="end_not_before_start"),
        CheckConstraint("part_time_factor > 0", name="part_time_positive"),
        CheckConstraint("pay >= 0 AND deferred_pay >= 0", name="pay_not_negative"),
    )

    @property
    def total(self) -> Decimal:
        """Return the total pay: pay plus deferred pay."""
        return (self.pay or Decimal("0")) + (self.deferred_pay or Decimal("0"))


#: Product groups in which a capped round allows no profit distribution at all.
profit_cap_groups = Table(
    "profit_cap_groups",
    Base.metadata,
    Column("cap_id", Integer, ForeignKey("round_profit_caps.id", ondelete="CASCADE"), primary_key=True),
    Column("product_group_id", Integer, ForeignKey("product_groups.id", ondelete="CASCADE"), primary_key=True),
)


class RoundProfitCap(Base, Timestamped):
    """A round's profit cap: a maximum margin, and product groups without profit distribution."""

    __tablename__ = "round_profit_caps"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    #: The highest margin (result / revenue) in percent; None: no maximum.
    max_margin_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    #: Raised on every change, so two buyers editing at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[Round] = relationship()
    no_distribution_groups: Mapped[list[ProductGroup]] = relationship(secondary=profit_cap_groups)

    __table_args__ = (
        CheckConstraint("max_margin_percent IS NULL OR (max_margin_percent >= 0 AND max_margin_percent <= 100)",
                        name="max_margin_range"),
    )
    __mapper_args__ = {"version_id_col": version}


class GovernanceReview(Base, Timestamped):
    """A region's verdict on a provider's declaration, with the conversation about it."""

    __tablename__ = "governance_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The reviewing region; other regions never see this review.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("governance_declarations.id", ondelete="CASCADE"), index=True)
    #: The current verdict.
    verdict: Mapped[ReviewVerdict] = mapped_column(enum_type(ReviewVerdict, "verdict"), default=ReviewVerdict.OPEN)
    #: Who gave the current verdict.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Raised on every change, so two reviewers at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship()
    declaration: Mapped[GovernanceDeclaration] = relationship()
    reviewed_by: Mapped[User | None] = relationship()
    notes: Mapped[list[GovernanceNote]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="GovernanceNote.id"
    )

    __table_args__ = (UniqueConstraint("region_id", "declaration_id"),)
    __mapper_args__ = {"version_id_col": version}


class GovernanceNote(Base):
    """A finding of a reviewer, or the provider's response to it."""

    __tablename__ = "governance_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("governance_reviews.id", ondelete="CASCADE"), index=True)
    #: True for the provider's response, False for a reviewer's finding.
    by_provider: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The text.
    text: Mapped[str] = mapped_column(Text)
    #: When it was written (UTC, set by the database).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    review: Mapped[GovernanceReview] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


#: The seven principles of the Governancecode Zorg 2022, as numbered in the code.
PRINCIPLES = {
    1: "Goede zorg",
    2: "Waarden en normen",
    3: "Invloed belanghebbenden",
    4: "Inrichting governance",
    5: "Goed bestuur",
    6: "Verantwoord toezicht",
    7: "Continue ontwikkeling",
}

#: The WNT maxima as published (DOMAIN.md), seeded by the migration: {year: {class: euros}}.
SEEDED_MAXIMA_SOURCE = "Regeling bezoldigingsmaxima topfunctionarissen zorg en jeugdhulp (Staatscourant), per DOMAIN.md"
SEEDED_MAXIMA: dict[int, dict[str, int]] = {
    2023: {"I": 124_000, "II": 151_000, "III": 182_000, "IV": 205_000, "V": 223_000},
    2024: {"I": 130_000, "II": 158_000, "III": 190_000, "IV": 214_000, "V": 233_000},
    2025: {"V": 246_000},
}
