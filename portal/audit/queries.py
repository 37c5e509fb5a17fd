"""Reading the audit log: filters, pages and the CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    """The criteria staff can filter the log on."""

    region_id: int
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _statement(criteria: AuditFilter) -> Select:
    statement = select(AuditEvent).where(AuditEvent.region_id == criteria.region_id)
    if criteria.action:
        statement = statement.where(AuditEvent.action.like(f"{criteria.action.strip()}%"))
    if criteria.actor:
        statement = statement.where(func.lower(AuditEvent.actor_label).like(f"%{criteria.actor.strip().lower()}%"))
    if criteria.object_type:
        statement = statement.where(AuditEvent.object_type == criteria.object_type.strip())
    if criteria.date_from:
        statement = statement.where(AuditEvent.occurred_at >= datetime.combine(criteria.date_from, time.min, tzinfo=UTC))
    if criteria.date_to:
        statement = statement.where(AuditEvent.occurred_at < datetime.combine(criteria.date_to + timedelta(days=1), time.min, tzinfo=UTC))
    return statement


def page_of_events(session: Session, criteria: AuditFilter, *, page: int, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    """Return one page of matching events, newest first, and the number of matches."""
    statement = _statement(criteria)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    events = session.scalars(
        statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(events), total


def recent_events(session: Session, *, region_id: int, limit: int = 8) -> list[AuditEvent]:
    """Return the region's latest events, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.region_id == region_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


CSV_COLUMNS = ["id", "occurred_at", "actor", "action", "object_type", "object_id", "object", "changes", "reason", "ip_address"]


def csv_rows(session: Session, criteria: AuditFilter) -> Iterator[str]:
    """Yield the matching events as CSV text, a row at a time, oldest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    statement = _statement(criteria).order_by(AuditEvent.occurred_at, AuditEvent.id).execution_options(yield_per=500)
    for event in session.scalars(statement):
        writer.writerow(
            [
                event.id,
                event.occurred_at.isoformat(),
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id or "",
                _safe_cell(event.object_label),
                json.dumps(event.changes, ensure_ascii=False, sort_keys=True),
                _safe_cell(event.reason or ""),
                event.ip_address or "",
            ]
        )
        yield flush()


def _safe_cell(value: str) -> str:
    """Stop spreadsheet programs from running text that looks like a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
