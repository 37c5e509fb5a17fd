"""Record who changed what, when and why."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import has_request_context, request
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Organisation, User

#: Attributes never written to the log, because they are secrets.
SECRET_FIELDS = frozenset({"password_hash", "totp_secret", "session_token", "token_hash"})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def pending_changes(obj: Any) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the column attributes changed on obj since loading."""
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SECRET_FIELDS or attr.key in ("created_at", "updated_at"):
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if _plain(old) != _plain(new):
            changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def record(
    session: Session,
    *,
    action: str,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    object_label: str | None = None,
    actor: User | None = None,
    organisation: Organisation | None = None,
    region_id: int | None = None,
    changes: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append an event to the audit log; call it in the same transaction as the change."""
    if obj is not None:
        session.flush()
        object_type = object_type or obj.__tablename__.rstrip("s")
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
        object_label = object_label if object_label is not None else str(obj)
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=f"{actor.name} <{actor.email}>" if actor is not None else "systeem",
        organisation_id=organisation.id if organisation is not None else None,
        region_id=region_id
        if region_id is not None
        else (organisation.owning_region_id if organisation is not None else None),
        action=action,
        object_type=object_type or "",
        object_id=str(object_id) if object_id is not None else None,
        object_label=(object_label or "")[:300],
        changes={key: value for key, value in (changes or {}).items() if key not in SECRET_FIELDS},
        reason=reason or None,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    session.flush()
    return event
