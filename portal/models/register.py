"""The admission register: which provider is admitted (toegelaten) for which product group in which
municipality, under which round, and how that admission changed since."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type
from portal.models.organisations import Municipality, Provider
from portal.models.rounds import ProductGroup, Round
from portal.models.users import User


class AdmissionStatus(enum.StrEnum):
    """Where an admission is in its life."""

    #: The provider is contracted and may deliver care; shown on the public register.
    ACTIVE = "active"
    #: Temporarily not contracted (e.g. evidence expired); can be reinstated.
    SUSPENDED = "suspended"
    #: Ended for good; never becomes active again.
    ENDED = "ended"


class Admission(Base, Timestamped):
    """One provider admitted for one product group in one municipality (one entry of the register)."""

    __tablename__ = "admissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The admitted provider.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    #: The round the provider was admitted under.
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    #: The product group (perceel) of the round.
    product_group_id: Mapped[int] = mapped_column(ForeignKey("product_groups.id"), index=True)
    #: The municipality the admission is for.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The application scope the decision was about; one admission per scope.
    application_scope_id: Mapped[int] = mapped_column(
        ForeignKey("application_scopes.id"), unique=True
    )
    #: The date the admission took effect (the date of the decision).
    admitted_on: Mapped[date] = mapped_column(Date)
    #: Active, suspended or ended.
    status: Mapped[AdmissionStatus] = mapped_column(
        enum_type(AdmissionStatus, "status"), default=AdmissionStatus.ACTIVE, index=True
    )
    #: Raised on every change, so two colleagues acting at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    provider: Mapped[Provider] = relationship()
    round: Mapped[Round] = relationship()
    product_group: Mapped[ProductGroup] = relationship()
    municipality: Mapped[Municipality] = relationship()
    changes: Mapped[list[AdmissionChange]] = relationship(
        back_populates="admission", cascade="all, delete-orphan", order_by="AdmissionChange.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.product_group.name}, {self.municipality.name}"


class AdmissionChange(Base):
    """One step in an admission's history: who changed its status, when, and why."""

    __tablename__ = "admission_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(
        ForeignKey("admissions.id", ondelete="CASCADE"), index=True
    )
    #: When (UTC, set by the database).
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: Who did it.
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The status before; None for the admission itself.
    from_status: Mapped[AdmissionStatus | None] = mapped_column(
        enum_type(AdmissionStatus, "from_status")
    )
    #: The status after.
    to_status: Mapped[AdmissionStatus] = mapped_column(enum_type(AdmissionStatus, "to_status"))
    #: Why; required for suspending, reinstating and ending.
    reason: Mapped[str] = mapped_column(Text, default="")

    admission: Mapped[Admission] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()
