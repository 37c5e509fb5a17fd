"""E-mail of the consultation pages: personal links, invitations to bodies, reminders, confirmations.

Mail is written to the outbox inside the request's transaction and leaves after the commit.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from consultations import services
from consultations.models import Consultation, FormalView, PersonalInvitation, Response
from portal.mail import queue_email
from portal.models import Body


def absolute(path: str) -> str:
    """Return a link people can open from their mail."""
    return current_app.config["PORTAL_SETTINGS"].base_url.rstrip("/") + path


def send_personal_link(session: Session, *, invitation: PersonalInvitation, token: str) -> None:
    """Send the personal link that lets the invitee react without an account."""
    queue_email(
        session, to=invitation.email,
        subject=_("Your personal link to react: %(title)s", title=invitation.consultation.title),
        template="email/consultation_personal_link.txt", invitation=invitation,
        consultation=invitation.consultation,
        link=absolute(url_for("consultations.invited", token=token)),
        closes=services.local_label(invitation.consultation.closes_at),
    )


def invite_bodies(session: Session, *, consultation: Consultation, bodies: list[Body], reminder: bool) -> int:
    """Mail every member of these bodies a link to their body's reaction; return the number of mails."""
    members = services.members_of(session, bodies)
    link = absolute(url_for("consultations.react", consultation_id=consultation.id))
    sent = 0
    for body in bodies:
        for user in members[body.id]:
            queue_email(
                session, to=user.email,
                subject=(_("Reminder: react to %(title)s", title=consultation.title) if reminder
                         else _("Invitation to react: %(title)s", title=consultation.title)),
                template="email/consultation_body_invitation.txt", consultation=consultation, body=body,
                user=user, link=link, reminder=reminder, closes=services.local_label(consultation.closes_at),
            )
            sent += 1
    return sent


def remind_council(session: Session, *, view: FormalView) -> int:
    """Mail the members of a council that its formal view is due; return the number of mails."""
    members = services.members_of(session, [view.body])[view.body_id]
    for user in members:
        queue_email(
            session, to=user.email,
            subject=_("Reminder: formal view on %(title)s", title=view.consultation.title),
            template="email/consultation_formal_view_reminder.txt", view=view, user=user,
            deadline=services.local_label(view.deadline),
        )
    return len(members)


def confirm_reaction(session: Session, *, response: Response, to: str | None, youth: bool = False,
                     link: str | None = None) -> None:
    """Send a confirmation with a copy of the answers (and the private link, if any), when an address is known."""
    if not to:
        return
    questions = {answer.question_id: answer.question for answer in response.answers}
    queue_email(
        session, to=to,
        subject=_("We received your reaction: %(title)s", title=response.consultation.title),
        template="email/consultation_confirmation.txt", response=response, questions=questions,
        youth=youth, consultation=response.consultation, link=link,
        closes=services.local_label(response.consultation.closes_at),
    )
