"""Care data for the KPIs: trajectories, their monthly claims and the log of import runs."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Index,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type

#: End reasons of the iJw code list JZ588, with what they mean.
END_REASONS: dict[str, str] = {
    "02": "death",
    "20": "temporarily ended",
    "31": "ended according to plan",
    "32": "ended early, one-sidedly by the client (drop-out)",
    "33": "ended early, one-sidedly by the provider",
    "34": "ended early by mutual agreement",
    "35": "ended early by external circumstances",
    "36": "ended by the municipality",
    "37": "ended by a change request",
    "38": "switch of provider",
    "39": "outflow to another domain",
}
#: The end reason that counts as drop-out (uitval).
DROPOUT_REASON = "32"
#: The end reason that counts as ended according to plan.
ACCORDING_TO_PLAN_REASON = "31"
#: End reasons that form the denominator of the drop-out and according-to-plan rates.
RATE_DENOMINATOR_REASONS = ("31", "32", "33", "34", "35")

_END_REASON_LIST = ", ".join(f"'{code}'" for code in sorted(END_REASONS))


class Trajectory(Base, Timestamped):
    """One client's care at one provider for one product, from referral to end (iJw JW301-JW307)."""

    __tablename__ = "trajectories"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The region's own key of the trajectory; re-imports update the row with this key.
    trajectory_ref: Mapped[str] = mapped_column(String(50), unique=True)
    #: Pseudonymous key of the client (never a BSN); one client can have several trajectories.
    client_ref: Mapped[str] = mapped_column(String(50))
    #: The municipality that pays for the care (resolved from the CBS code in the file).
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The provider that delivers the care (resolved from its KvK number in the file).
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    #: Product group (perceel) code, e.g. "BEH" for Behandeling. Not indexed: a handful of codes
    #: select too much of the table for an index to help, and every imported row paid for it.
    product_group: Mapped[str] = mapped_column(String(10))
    #: Product code within the group, e.g. the iJw product code "45A12".
    product_code: Mapped[str] = mapped_column(String(20))
    #: Who referred the client, e.g. "wijkteam", "huisarts", "medisch_specialist", "gi".
    referrer: Mapped[str] = mapped_column(String(30))
    #: When the allocation was requested (referral date); waiting time counts from here.
    request_date: Mapped[date] = mapped_column(Date)
    #: When care started (JW305).
    start_date: Mapped[date] = mapped_column(Date, index=True)
    #: When care ended (JW307); None while care goes on.
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    #: JZ588 end reason, two digits; None while care goes on.
    end_reason: Mapped[str | None] = mapped_column(String(2))
    #: The client's satisfaction with the usefulness of the help, 1 to 10; None if not asked.
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    #: Whether the agreed goals were met at the end; None when no outcome was recorded.
    goals_met: Mapped[bool | None] = mapped_column(Boolean)

    claims: Mapped[list[Claim]] = relationship(
        back_populates="trajectory", cascade="all, delete-orphan", order_by="Claim.period"
    )

    __table_args__ = (
        CheckConstraint("start_date >= request_date", name="starts_after_request"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint("(end_date IS NULL) = (end_reason IS NULL)", name="end_has_reason"),
        CheckConstraint(
            f"end_reason IS NULL OR end_reason IN ({_END_REASON_LIST})", name="end_reason_jz588"
        ),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 10", name="satisfaction_range"
        ),
        # Provider first, so it serves every "this provider's trajectories" query, and with the
        # municipality a one-lookup answer to "does the provider work in this municipality".
        Index("ix_trajectories_provider_id_municipality_id", "provider_id", "municipality_id"),
    )


class Claim(Base, Timestamped):
    """The amount granted for one trajectory in one month (iJw JW323/JW325)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The trajectory the care was delivered in.
    trajectory_id: Mapped[int] = mapped_column(
        ForeignKey("trajectories.id", ondelete="CASCADE")
    )
    #: The month claimed, stored as its first day. Not indexed on its own: the pages read months
    #: from the spend summary, and an index costs every imported claim.
    period: Mapped[date] = mapped_column(Date)
    #: The amount the municipality granted for that month, in euros.
    amount_granted: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    trajectory: Mapped[Trajectory] = relationship(back_populates="claims")

    __table_args__ = (
        # Also the index for "claims of a trajectory": trajectory_id leads.
        UniqueConstraint("trajectory_id", "period"),
        CheckConstraint("amount_granted >= 0", name="amount_not_negative"),
    )


class SpendMonth(Base):
    """The claims of one month summed per provider, municipality and product group.

    A summary the KPI pages read spend from instead of joining every claim to its trajectory;
    rebuilt from claims and trajectories after every change to them (portal.kpi.summary), so it
    always holds exactly their sums.
    """

    __tablename__ = "kpi_spend_months"

    #: The month, stored as its first day.
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    #: The municipality that paid.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True
    )
    #: The provider that delivered the care.
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    #: The product group of the trajectories claimed for.
    product_group: Mapped[str] = mapped_column(String(10), primary_key=True)
    #: The sum of the amounts granted, in euros.
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class ScopeSummary(Base):
    """Every KPI figure a page asks for, per period and scope, computed at import.

    One row per period (a year, or a quarter of it) and scope: all care, one region or one
    municipality, by every provider or one, in every product group or one. A None dimension
    means "all". Distinct clients, medians and percentiles do not add up across scopes, so each
    scope has its own row. Rebuilt with the spend summary after every change to care data
    (portal.kpi.summary); the engine reads it when it covers the period, and computes live
    otherwise. Holds exactly what the engine computes live from the trajectories.
    """

    __tablename__ = "kpi_scope_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The calendar year of the period.
    year: Mapped[int] = mapped_column(Integer)
    #: The quarter 1-4, or 0 for the whole year.
    quarter: Mapped[int] = mapped_column(SmallInteger)
    #: The region of the scope; None for all care in the database.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    #: The municipality of the scope; None for the whole region (or all care).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    #: The provider of the scope; None for all providers.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    #: The product group of the scope; None for all product groups.
    product_group: Mapped[str | None] = mapped_column(String(10))
    #: Distinct clients with care during the period.
    clients: Mapped[int] = mapped_column(Integer, default=0)
    #: The amounts granted for the months of the period (the spend summary's sums).
    spend: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    #: Trajectories that ended in the period, and the median and mean of their duration in days.
    ended: Mapped[int] = mapped_column(Integer, default=0)
    duration_median_days: Mapped[float | None] = mapped_column(Float)
    duration_mean_days: Mapped[float | None] = mapped_column(Float)
    #: Of the ended: with reason 31-35, with reason 32 (drop-out), with reason 31 (according to plan).
    ended_with_rate_reason: Mapped[int] = mapped_column(Integer, default=0)
    dropouts: Mapped[int] = mapped_column(Integer, default=0)
    according_to_plan: Mapped[int] = mapped_column(Integer, default=0)
    #: Of the ended: the mean satisfaction score and the number of recorded scores.
    satisfaction_mean: Mapped[float | None] = mapped_column(Float)
    scores: Mapped[int] = mapped_column(Integer, default=0)
    #: Of the ended: with a recorded outcome, and those whose goals were met.
    with_outcome: Mapped[int] = mapped_column(Integer, default=0)
    goals_met: Mapped[int] = mapped_column(Integer, default=0)
    #: Trajectories that started in the period, and the median and 90th percentile of their wait in days.
    started: Mapped[int] = mapped_column(Integer, default=0)
    wait_median_days: Mapped[float | None] = mapped_column(Float)
    wait_p90_days: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_kpi_scope_summary_scope", "year", "quarter", "region_id", "municipality_id", "provider_id"),
    )


class ImportStatus(enum.StrEnum):
    """Where an import run stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class KpiImport(Base):
    """One run of the care-data import: who, when, which files, and what it did."""

    __tablename__ = "kpi_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When the run started (UTC, set by the database).
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    #: When the run finished, successfully or not.
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The user who ran the import; None for the command line.
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The importer's name and e-mail at that moment, or "command line".
    imported_by_label: Mapped[str] = mapped_column(String(300))
    #: Name of the trajectories file as given by the user.
    trajectories_file: Mapped[str] = mapped_column(String(255))
    #: Name of the claims file as given by the user.
    claims_file: Mapped[str] = mapped_column(String(255))
    #: Running, succeeded or failed; a failed run changed no care data.
    status: Mapped[ImportStatus] = mapped_column(
        enum_type(ImportStatus, "status"), default=ImportStatus.RUNNING
    )
    #: Why the run failed, for a failed run, in English as the command line prints it.
    error: Mapped[str | None] = mapped_column(Text)
    #: The reason's template in the message catalogue and its values, to show it translated.
    error_template: Mapped[str | None] = mapped_column(Text)
    error_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Trajectory rows that were new.
    trajectories_imported: Mapped[int] = mapped_column(Integer, default=0)
    #: Trajectory rows that changed an existing trajectory.
    trajectories_updated: Mapped[int] = mapped_column(Integer, default=0)
    #: Trajectory rows identical to what was stored.
    trajectories_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    #: Trajectory rows refused, each reported with line, column and reason.
    trajectories_rejected: Mapped[int] = mapped_column(Integer, default=0)
    #: Claim rows that were new.
    claims_imported: Mapped[int] = mapped_column(Integer, default=0)
    #: Claim rows that changed an existing claim.
    claims_updated: Mapped[int] = mapped_column(Integer, default=0)
    #: Claim rows identical to what was stored.
    claims_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    #: Claim rows refused, each reported with line, column and reason.
    claims_rejected: Mapped[int] = mapped_column(Integer, default=0)
    #: The region whose staff uploaded the files, limited to its municipalities; None for the
    #: command line, which imports for every region.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)

    #: Why rows were rejected, by file and line; at most the importer's ``max_errors`` of them.
    problems: Mapped[list[KpiImportProblem]] = relationship(
        back_populates="kpi_import", order_by="KpiImportProblem.id", cascade="all, delete-orphan", passive_deletes=True
    )


class KpiImportProblem(Base):
    """Why one row of an import was rejected, kept so that the person who imported can read it back."""

    __tablename__ = "kpi_import_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("kpi_imports.id", ondelete="CASCADE"), index=True)
    #: The file name as given by the user.
    file: Mapped[str] = mapped_column(String(255))
    #: The line in that file, the header being line 1.
    line: Mapped[int] = mapped_column(Integer)
    #: The column at fault, or None when the row as a whole is wrong.
    column_name: Mapped[str | None] = mapped_column(String(30))
    #: The reason in English, as the command line prints it.
    reason: Mapped[str] = mapped_column(Text)
    #: The reason's template in the message catalogue and its values, to show it translated.
    reason_template: Mapped[str | None] = mapped_column(Text)
    reason_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    kpi_import: Mapped[KpiImport] = relationship(back_populates="problems")


class KpiSettings(Base, Timestamped):
    """A region's choices for its KPI pages; a region without a row uses the defaults."""

    __tablename__ = "kpi_settings"

    #: The region these settings belong to.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    #: Whether the public scoreboard of the region's providers is online.
    scoreboard_public: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Growth of spend or clients against the previous period, in percent, that raises a signal.
    growth_threshold: Mapped[int] = mapped_column(SmallInteger, default=15)

    __table_args__ = (
        CheckConstraint("growth_threshold BETWEEN 1 AND 1000", name="growth_threshold_range"),
    )


__all__ = [
    "ACCORDING_TO_PLAN_REASON",
    "DROPOUT_REASON",
    "END_REASONS",
    "RATE_DENOMINATOR_REASONS",
    "Claim",
    "ScopeSummary",
    "SpendMonth",
    "ImportStatus",
    "KpiImport",
    "KpiSettings",
    "Trajectory",
]
