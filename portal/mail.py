"""Write e-mail inside the transaction; deliver it only after the commit."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import MailStatus, OutboxMessage


def queue_email(session: Session, *, to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Write an e-mail from a text template into the outbox; it leaves after the commit."""
    message = OutboxMessage(
        recipient=to,
        subject=subject,
        body=render_template(template, **context),
        status=MailStatus.QUEUED,
    )
    session.add(message)
    session.flush()
    return message


def deliver_queued() -> int:
    """Send queued messages through SMTP when configured; the outbox transport keeps them."""
    transport = current_app.config["PORTAL_SETTINGS"].mail_transport
    if not transport.startswith("smtp"):
        return 0
    session = db.session
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == MailStatus.QUEUED).limit(100)
    ).all()
    if not messages:
        return 0
    sender = current_app.config["PORTAL_SETTINGS"].mail_sender
    parts = urlsplit(transport)
    sent = 0
    try:
        with smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=10) as smtp:
            if transport.startswith("smtps") or "starttls" in parts.query:
                smtp.starttls()
            if parts.username:
                smtp.login(parts.username, parts.password or "")
            for message in messages:
                smtp.send_message(_as_email(message, sender))
                message.status = MailStatus.SENT
                message.sent_at = datetime.now(UTC)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Mail delivery failed, will retry: %s", error)
        for message in messages[sent:]:
            message.error = str(error)
    session.commit()
    return sent


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email
