"""Open House admission rounds: conditions, product groups, municipalities, windows, evidence asked,
addenda, and the questions providers ask (Nota van Inlichtingen)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type
from portal.models.evidence import EvidenceType, ValidityRule
from portal.models.files import StoredFile
from portal.models.organisations import Municipality, Provider, Region
from portal.models.users import User


#: The period for complaints when a round names none: six weeks.
DEFAULT_COMPLAINT_PERIOD_DAYS = 42

class RoundStatus(enum.StrEnum):
    """Where a round is in its life."""

    #: Being prepared by the buying team; invisible to providers.
    DRAFT = "draft"
    #: Published: conditions frozen, changes only by addendum.
    PUBLISHED = "published"


class Round(Base, Timestamped):
    """A toelatingsronde of a region: the published conditions providers are admitted under."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The region that runs the round.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    #: Title, e.g. "Open House Jeugdhulp 2027".
    title: Mapped[str] = mapped_column(String(200))
    #: What the round is about, in plain words.
    description: Mapped[str] = mapped_column(Text, default="")
    #: The contract term, e.g. "4 jaar, twee keer te verlengen met 2 jaar".
    contract_term: Mapped[str] = mapped_column(String(300), default="")
    #: Days after a decision letter within which a provider may lodge a complaint; announced
    #: with the conditions and frozen with them.
    complaint_period_days: Mapped[int] = mapped_column(default=DEFAULT_COMPLAINT_PERIOD_DAYS,
                                                       server_default=str(DEFAULT_COMPLAINT_PERIOD_DAYS))
    #: The admission document (toelatingsdocument) as PDF.
    admission_document_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: Providers may ask questions from this moment (UTC) ...
    questions_open_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: ... until this moment (UTC).
    questions_close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Draft or published.
    status: Mapped[RoundStatus] = mapped_column(enum_type(RoundStatus, "status"), default=RoundStatus.DRAFT)
    #: When the conditions were published (UTC).
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Raised on every change, so two buyers editing at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship()
    admission_document: Mapped[StoredFile | None] = relationship()
    product_groups: Mapped[list[ProductGroup]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ProductGroup.code"
    )
    municipalities: Mapped[list[RoundMunicipality]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundMunicipality.id"
    )
    windows: Mapped[list[EntryWindow]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="EntryWindow.opens_at"
    )
    requirements: Mapped[list[EvidenceRequirement]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="EvidenceRequirement.id"
    )
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Addendum.number"
    )

    __table_args__ = (
        CheckConstraint(
            "questions_close_at IS NULL OR questions_open_at IS NULL OR questions_close_at > questions_open_at",
            name="questions_period_order",
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_published(self) -> bool:
        """Tell whether the conditions are public and frozen."""
        return self.status is RoundStatus.PUBLISHED

    def __str__(self) -> str:
        return self.title


class ProductGroup(Base):
    """A product group (perceel) of a round, e.g. "Behandeling" or "Verblijf"."""

    __tablename__ = "product_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: Short code, unique in the round, e.g. "BEH".
    code: Mapped[str] = mapped_column(String(20))
    #: Name, e.g. "Behandeling".
    name: Mapped[str] = mapped_column(String(200))
    #: What the group covers.
    description: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="product_groups")

    __table_args__ = (UniqueConstraint("round_id", "code"),)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


#: Product groups a participating municipality does not buy in this round.
closed_product_groups = Table(
    "closed_product_groups",
    Base.metadata,
    Column("round_municipality_id", Integer, ForeignKey("round_municipalities.id", ondelete="CASCADE"), primary_key=True),
    Column("product_group_id", Integer, ForeignKey("product_groups.id", ondelete="CASCADE"), primary_key=True),
)

#: Product groups an evidence requirement is limited to (none: all groups).
requirement_product_groups = Table(
    "requirement_product_groups",
    Base.metadata,
    Column("requirement_id", Integer, ForeignKey("evidence_requirements.id", ondelete="CASCADE"), primary_key=True),
    Column("product_group_id", Integer, ForeignKey("product_groups.id", ondelete="CASCADE"), primary_key=True),
)


class RoundMunicipality(Base):
    """A municipality taking part in a round, with the product groups it keeps closed."""

    __tablename__ = "round_municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)

    round: Mapped[Round] = relationship(back_populates="municipalities")
    municipality: Mapped[Municipality] = relationship()
    closed_groups: Mapped[list[ProductGroup]] = relationship(secondary=closed_product_groups)

    __table_args__ = (UniqueConstraint("round_id", "municipality_id"),)


class EntryWindow(Base):
    """An entry moment (toetredingsmoment): applications can be submitted between these moments."""

    __tablename__ = "entry_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: Opens at this moment (UTC).
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Closes at this moment (UTC); a submission at or after it is refused.
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    round: Mapped[Round] = relationship(back_populates="windows")

    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)


class EvidenceRequirement(Base):
    """A document a round asks for, with its validity rule and to whom it applies."""

    __tablename__ = "evidence_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    evidence_type_id: Mapped[int] = mapped_column(ForeignKey("evidence_types.id"), index=True)
    #: How validity is judged on the submission date.
    rule: Mapped[ValidityRule] = mapped_column(enum_type(ValidityRule, "rule"))
    #: For the max-age rule: the maximum age in days.
    max_age_days: Mapped[int | None] = mapped_column()
    #: For the financial-year rule: the year asked for.
    financial_year: Mapped[int | None] = mapped_column()
    #: Legal forms the requirement applies to (values of LegalForm); empty means all.
    legal_forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: An explanation for providers, e.g. where to get the document.
    note: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="requirements")
    evidence_type: Mapped[EvidenceType] = relationship()
    product_groups: Mapped[list[ProductGroup]] = relationship(secondary=requirement_product_groups)

    __table_args__ = (
        UniqueConstraint("round_id", "evidence_type_id", "financial_year"),
        CheckConstraint("(rule = 'max_age') = (max_age_days IS NOT NULL)", name="max_age_days_with_rule"),
        CheckConstraint("(rule = 'financial_year') = (financial_year IS NOT NULL)", name="year_with_rule"),
        CheckConstraint("max_age_days IS NULL OR max_age_days > 0", name="max_age_days_positive"),
    )


class Addendum(Base):
    """A dated change to a published round, with its reason, shown to every applicant."""

    __tablename__ = "addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: 1, 2, ... in the order of publication.
    number: Mapped[int] = mapped_column()
    #: What changes.
    text: Mapped[str] = mapped_column(Text)
    #: Why it changes.
    reason: Mapped[str] = mapped_column(Text)
    #: When it was published (UTC).
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship(back_populates="addenda")
    published_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "number"),)


class RoundQuestion(Base, Timestamped):
    """A provider's question about a round (Nota van Inlichtingen); published without who asked."""

    __tablename__ = "round_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: The provider that asked; never shown outside the buying team.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The question as asked.
    question: Mapped[str] = mapped_column(Text)
    #: The question as published: staff may remove what identifies the asker.
    published_question: Mapped[str | None] = mapped_column(Text)
    #: The answer.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the answer was published for all (UTC); None while unanswered.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Raised on every change, so two staff answering at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[Round] = relationship()
    provider: Mapped[Provider] = relationship()

    __mapper_args__ = {"version_id_col": version}
