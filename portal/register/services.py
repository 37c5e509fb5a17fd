"""Rules for the admission register: admit (called when a decision to admit is confirmed),
suspend, reinstate and end an admission with a reason, each change kept as history and audited."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.models import ApplicationScope, User
from portal.models.register import Admission, AdmissionChange, AdmissionStatus


class RegisterError(Exception):
    """A rule about the register was broken; the message can be shown to the user."""


class EditConflict(RegisterError):
    """A colleague changed the admission after this person opened the page."""


#: Which status changes are allowed, and the audit action of each.
TRANSITIONS: dict[tuple[AdmissionStatus, AdmissionStatus], str] = {
    (AdmissionStatus.ACTIVE, AdmissionStatus.SUSPENDED): "admission.suspended",
    (AdmissionStatus.SUSPENDED, AdmissionStatus.ACTIVE): "admission.reinstated",
    (AdmissionStatus.ACTIVE, AdmissionStatus.ENDED): "admission.ended",
    (AdmissionStatus.SUSPENDED, AdmissionStatus.ENDED): "admission.ended",
}

#: The status changes by the name a form posts.
ACTIONS: dict[str, AdmissionStatus] = {
    "suspend": AdmissionStatus.SUSPENDED,
    "reinstate": AdmissionStatus.ACTIVE,
    "end": AdmissionStatus.ENDED,
}


def _log(session: Session, admission: Admission, action: str, actor: User | None,
         changes: dict | None = None, reason: str | None = None) -> None:
    record(session, action=action, obj=admission, object_type="admission", actor=actor,
           organisation=admission.provider, region_id=admission.round.region_id,
           changes=changes, reason=reason)


def admission_for_scope(session: Session, scope_id: int) -> Admission | None:
    """Return the admission made for an application scope, if any."""
    return session.scalar(select(Admission).where(Admission.application_scope_id == scope_id))


def _insert_once(session: Session, values: dict) -> bool:
    """Insert an admission unless its scope has one; False when another request inserted it first."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        try:
            with session.begin_nested():
                session.execute(insert(Admission).values(**values))
        except IntegrityError:
            return False
        return True
    statement = (
        dialect_insert(Admission).values(**values)
        .on_conflict_do_nothing(index_elements=["application_scope_id"])
        .returning(Admission.id)
    )
    return session.execute(statement).scalar() is not None


def admit(session: Session, *, scope: ApplicationScope, admitted_on: date, actor: User) -> Admission:
    """Admit the scope's provider for its product group in its municipality under its round.

    Idempotent: a second call for the same scope (or two confirmations at the same moment)
    returns the existing admission; a unique constraint on the scope guards it. Audited; the
    caller's request commits.
    """
    existing = admission_for_scope(session, scope.id)
    if existing is not None:
        return existing
    application = scope.application
    values = {
        "provider_id": application.provider_id,
        "round_id": application.round_id,
        "product_group_id": scope.product_group_id,
        "municipality_id": scope.municipality_id,
        "application_scope_id": scope.id,
        "admitted_on": admitted_on,
        "status": AdmissionStatus.ACTIVE,
        "version": 1,
    }
    # Two confirmations at the same moment: the insert waits for the other one's row and then
    # does nothing, so exactly one admission exists. (No savepoint: on SQLite releasing a
    # savepoint outside a transaction would commit, and the request must commit or roll back.)
    if not _insert_once(session, values):
        return admission_for_scope(session, scope.id)
    admission = admission_for_scope(session, scope.id)
    session.add(AdmissionChange(admission=admission, by_id=actor.id if actor else None,
                                from_status=None, to_status=AdmissionStatus.ACTIVE, reason=""))
    session.flush()
    _log(session, admission, "admission.created", actor,
         {"status": [None, "active"], "admitted_on": [None, admitted_on.isoformat()]})
    return admission


def change_status(
    session: Session, *, admission: Admission, to: AdmissionStatus, reason: str,
    seen_version: int | None, actor: User,
) -> AdmissionChange:
    """Suspend, reinstate or end an admission with a required reason; refuse when a colleague
    changed it since the page was opened (seen_version) or at the same moment."""
    reason = (reason or "").strip()
    if not reason:
        raise RegisterError(_("Give a reason."))
    if seen_version is not None and admission.version != seen_version:
        raise EditConflict(_("A colleague changed this admission while you were looking at it. Check its status below and try again if still needed."))
    before = admission.status
    action = TRANSITIONS.get((before, to))
    if action is None:
        raise RegisterError(_("This change is not possible for an admission with this status."))
    # The UPDATE only matches the version this person read: a colleague's change in between (or
    # at the same moment) leaves it matching no row. A plain conditional UPDATE needs no savepoint,
    # so the request's one transaction stays whole on every database.
    changed = session.execute(
        update(Admission)
        .where(Admission.id == admission.id, Admission.version == admission.version)
        .values(status=to, version=Admission.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(admission)
    if changed != 1:
        raise EditConflict(_("A colleague changed this admission at the same moment. Check its status below and try again if still needed."))
    change = AdmissionChange(admission=admission, by_id=actor.id, from_status=before, to_status=to, reason=reason)
    session.add(change)
    session.flush()
    _log(session, admission, action, actor, {"status": [before.value, to.value]}, reason=reason)
    return change


def suspend(session: Session, *, admission: Admission, reason: str, seen_version: int | None, actor: User) -> AdmissionChange:
    """Suspend an active admission."""
    return change_status(session, admission=admission, to=AdmissionStatus.SUSPENDED, reason=reason,
                         seen_version=seen_version, actor=actor)


def reinstate(session: Session, *, admission: Admission, reason: str, seen_version: int | None, actor: User) -> AdmissionChange:
    """Make a suspended admission active again."""
    return change_status(session, admission=admission, to=AdmissionStatus.ACTIVE, reason=reason,
                         seen_version=seen_version, actor=actor)


def end(session: Session, *, admission: Admission, reason: str, seen_version: int | None, actor: User) -> AdmissionChange:
    """End an admission for good."""
    return change_status(session, admission=admission, to=AdmissionStatus.ENDED, reason=reason,
                         seen_version=seen_version, actor=actor)
