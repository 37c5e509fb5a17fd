"""Feedback to respondents: "what happened with your points", on a page and by e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consultations.analysis.labels import disposition_label
from consultations.analysis.models import PointReaction, ReactionStatus
from consultations.analysis.services import _audit
from consultations.models import Answer, Consultation, PersonalInvitation, Point, Response, ResponseStatus
from portal.auth.services import hash_token
from portal.mail import queue_email
from portal.models import User


@dataclass(frozen=True)
class FeedbackItem:
    """One of the respondent's points and what was done with it (only once final)."""

    point: str
    theme: str
    reaction: str | None
    disposition: str | None
    reason: str | None


def items(session: Session, response: Response) -> list[FeedbackItem]:
    """Return the respondent's own points with the final reaction to each; nothing of anyone else."""
    rows = session.execute(
        select(Point, PointReaction).join(Answer, Answer.id == Point.answer_id)
        .outerjoin(PointReaction, PointReaction.point_id == Point.id)
        .where(Answer.response_id == response.id).options(selectinload(Point.theme))
        .order_by(Answer.id, Point.position)
    ).all()
    result = []
    for point, reaction in rows:
        final = reaction is not None and reaction.status is ReactionStatus.FINAL
        result.append(FeedbackItem(
            point=point.text, theme=point.theme.label if point.theme else "",
            reaction=point.reaction if final else None,
            disposition=disposition_label(point.disposition) if final else None,
            reason=reaction.reason if final else None,
        ))
    return result


def response_for_token(session: Session, token: str) -> Response | None:
    """Return the submitted reaction made through this invitation link (expired links still show feedback)."""
    invitation = session.scalar(select(PersonalInvitation).where(PersonalInvitation.token_hash == hash_token(token)))
    if invitation is None or invitation.revoked_at is not None:
        return None
    return session.scalar(select(Response).where(Response.invitation_id == invitation.id,
                                                 Response.status == ResponseStatus.SUBMITTED))


def body_response(session: Session, consultation: Consultation, body_id: int) -> Response | None:
    """Return the body's submitted reaction to the consultation."""
    return session.scalar(select(Response).where(Response.consultation_id == consultation.id,
                                                 Response.body_id == body_id, Response.status == ResponseStatus.SUBMITTED))


def recipient(response: Response) -> str | None:
    """Return where the feedback e-mail goes: the invitee, the resident, or whoever submitted for a body."""
    if response.invitation is not None and response.invitation.email:
        return response.invitation.email
    if response.email:
        return response.email
    if response.submitted_by is not None:
        return response.submitted_by.email
    return None


def send_feedback(session: Session, *, consultation: Consultation, actor: User) -> int:
    """Queue a "what happened with your points" e-mail to every respondent with an address."""
    responses = list(session.scalars(
        select(Response).where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
        .options(selectinload(Response.invitation), selectinload(Response.submitted_by)).order_by(Response.id)
    ))
    sent = 0
    for response in responses:
        to = recipient(response)
        own = items(session, response)
        if to is None or not own:
            continue
        link = None
        if response.body_id is not None:
            link = url_for("analysis.my_feedback", consultation_id=consultation.id, _external=True)
        queue_email(session, to=to, subject=_("What happened with your points: %(title)s", title=consultation.title),
                    template="consultations/analysis/feedback_email.txt", consultation=consultation, items=own, link=link)
        sent += 1
    _audit(session, "consultation.feedback_sent", consultation, actor, consultation, changes={"e-mails": [None, sent]})
    return sent
