"""Scheduled reminders: councils whose formal view is due, and invited bodies that have not reacted.

``flask --app wsgi consultations send-reminders`` runs this from cron. Every reminder is recorded
(``SentReminder``) under a unique constraint before its e-mail is written, so a second run, or two
runs at once, never send it twice. The caller commits; e-mail leaves after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from consultations import services
from consultations.models import Consultation, FormalView, ReminderKind, SentReminder, as_utc
from consultations.pages import mailing
from portal.audit.services import record
from portal.models import Body


@dataclass
class ReminderRun:
    """What one run of the scheduled reminders did."""

    #: Councils reminded of their formal view.
    formal_views: int = 0
    #: Bodies reminded to react before the close.
    reactions: int = 0
    #: E-mails written to the outbox.
    emails: int = 0
    #: Bodies with a reminder due but no active member to write to (tried again next run).
    unreachable: list[str] = field(default_factory=list)


def _claim(session: Session, *, consultation_id: int, body_id: int, kind: ReminderKind) -> bool:
    """Record that a reminder goes out; False when it was sent before or another run claimed it first."""
    values = {"consultation_id": consultation_id, "body_id": body_id, "kind": kind.value, "mails": 0}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = (
            dialect_insert(SentReminder).values(**values)
            .on_conflict_do_nothing(index_elements=["consultation_id", "body_id", "kind"])
            .returning(SentReminder.id)
        )
        return session.execute(statement).scalar() is not None
    try:
        with session.begin_nested():
            session.execute(insert(SentReminder).values(**values))
    except IntegrityError:
        return False
    return True


def _note_mails(session: Session, *, consultation_id: int, body_id: int, kind: ReminderKind, mails: int) -> None:
    reminder = session.scalar(select(SentReminder).where(
        SentReminder.consultation_id == consultation_id, SentReminder.body_id == body_id, SentReminder.kind == kind))
    reminder.mails = mails


def _sent(session: Session, kind: ReminderKind) -> set[tuple[int, int]]:
    rows = session.execute(select(SentReminder.consultation_id, SentReminder.body_id).where(SentReminder.kind == kind))
    return {(consultation_id, body_id) for consultation_id, body_id in rows}


def due_formal_views(session: Session, *, now: datetime, within: timedelta) -> list[FormalView]:
    """Return the formal views still awaited whose deadline falls within the period and not reminded yet.

    A council a colleague reminded by hand within the period is not reminded again.
    """
    sent = _sent(session, ReminderKind.FORMAL_VIEW)
    views = session.scalars(
        select(FormalView).join(FormalView.consultation)
        .where(FormalView.received_at.is_(None), Consultation.published_at.is_not(None),
               FormalView.deadline > now, FormalView.deadline <= now + within)
        .options(joinedload(FormalView.body), joinedload(FormalView.consultation))
        .order_by(FormalView.deadline, FormalView.id)
    ).all()
    return [
        view for view in views
        if (view.consultation_id, view.body_id) not in sent
        and (view.reminded_at is None or as_utc(view.reminded_at) < as_utc(view.deadline) - within)
    ]


def closing_consultations(session: Session, *, now: datetime, within: timedelta) -> list[Consultation]:
    """Return the published consultations that are open and close within the period."""
    return list(session.scalars(
        select(Consultation)
        .where(Consultation.published_at.is_not(None), Consultation.opens_at <= now,
               Consultation.closes_at > now, Consultation.closes_at <= now + within)
        .order_by(Consultation.closes_at, Consultation.id)
    ))


def send_reminders(session: Session, *, now: datetime, formal_view_days: int, reaction_days: int) -> ReminderRun:
    """Remind councils of formal views that are due and bodies that have not reacted before the close."""
    run = ReminderRun()
    for view in due_formal_views(session, now=now, within=timedelta(days=formal_view_days)):
        if not services.members_of(session, [view.body])[view.body_id]:
            run.unreachable.append(view.body.name)
            continue
        if not _claim(session, consultation_id=view.consultation_id, body_id=view.body_id,
                      kind=ReminderKind.FORMAL_VIEW):
            continue
        mails = mailing.remind_council(session, view=view)
        _note_mails(session, consultation_id=view.consultation_id, body_id=view.body_id,
                    kind=ReminderKind.FORMAL_VIEW, mails=mails)
        services.note_reminder(session, view=view, actor=None, now=now)
        run.formal_views += 1
        run.emails += mails

    for consultation in closing_consultations(session, now=now, within=timedelta(days=reaction_days)):
        sent = _sent(session, ReminderKind.REACTION)
        bodies = [body for body in services.bodies_without_reaction(session, consultation)
                  if (consultation.id, body.id) not in sent]
        members = services.members_of(session, bodies)
        reminded: list[Body] = []
        for body in bodies:
            if not members[body.id]:
                run.unreachable.append(body.name)
                continue
            if not _claim(session, consultation_id=consultation.id, body_id=body.id, kind=ReminderKind.REACTION):
                continue
            mails = mailing.invite_bodies(session, consultation=consultation, bodies=[body], reminder=True)
            _note_mails(session, consultation_id=consultation.id, body_id=body.id, kind=ReminderKind.REACTION,
                        mails=mails)
            reminded.append(body)
            run.emails += mails
        if reminded:
            record(session, action="consultation.bodies_reminded", obj=consultation, actor=None,
                   organisation=consultation.region,
                   changes={"bodies": [None, [body.name for body in reminded]], "scheduled": [None, True]})
            run.reactions += len(reminded)
    session.flush()
    return run
