"""Reminders about expiring evidence: sent well before expiry and once after, never twice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.evidence import vault
from portal.extensions import db
from portal.models import AuditEvent, EvidenceReminder, Membership, Role
from tests.conftest import outbox
from tests.matrices.evidence import add_document

TODAY = date(2026, 3, 2)


def remind(app, *args: str, today: date = TODAY):
    """Run the daily command as cron would."""
    result = app.test_cli_runner().invoke(args=["registration", "remind", "--today", today.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.output


def gva_expiring_in(world, days: int):
    """Put a GVA (valid 730 days after issue) in the vault that runs out in this many days."""
    return add_document(world.provider, world.user("provider_admin"), "gva", issuer="Justis",
                        issue_date=TODAY - timedelta(days=730 - days), on=TODAY)


def test_a_gva_expiring_in_60_days_is_reminded_once_and_not_again_when_the_command_runs_twice(app, world):
    gva_expiring_in(world, 60)

    first = remind(app)
    second = remind(app)

    assert "Sent 1 reminder(s) in 1 e-mail(s)" in first
    assert "Sent 0 reminder(s)" in second
    [message] = outbox()
    assert message.recipient == world.user("provider_admin").email
    assert "Gedragsverklaring Aanbesteden (GVA)" in message.body
    assert "1 mei 2026" in message.body  # valid until, in Dutch: 2 March + 60 days
    assert "http://127.0.0.1:5000/bewijsstukken" in message.body
    assert db.session.scalar(select(EvidenceReminder.kind)) == "expires_70d"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "evidence.reminder_sent")) == 1


def test_a_document_far_from_expiry_or_without_an_end_gets_no_reminder(app, world):
    gva_expiring_in(world, 71)
    add_document(world.provider, world.user("provider_admin"), "meldcode", on=TODAY)

    assert "Sent 0 reminder(s)" in remind(app)
    assert outbox() == []


def test_an_expired_document_gets_its_own_expired_reminder_once(app, world):
    gva_expiring_in(world, 60)
    remind(app)

    after_expiry = TODAY + timedelta(days=61)
    assert "Sent 1 reminder(s)" in remind(app, today=after_expiry)
    assert "Sent 0 reminder(s)" in remind(app, today=after_expiry + timedelta(days=1))

    expiring, expired = outbox()
    assert "binnenkort" in expiring.subject and "verlopen" in expired.subject
    assert "zijn verlopen" in expired.body and "was geldig tot 1 mei 2026" in expired.body
    kinds = db.session.scalars(select(EvidenceReminder.kind).order_by(EvidenceReminder.id)).all()
    assert kinds == ["expires_70d", "expired"]


def test_a_document_replaced_by_a_new_version_is_not_reminded(app, world):
    gva_expiring_in(world, 30)
    add_document(world.provider, world.user("provider_admin"), "gva", issue_date=TODAY - timedelta(days=2), on=TODAY)

    assert "Sent 0 reminder(s)" in remind(app)


def test_a_withdrawn_version_is_not_reminded_about(app, world):
    document = gva_expiring_in(world, 30)
    vault.withdraw(db.session, document=document, actor=world.user("provider_admin"))
    db.session.commit()

    assert "Sent 0 reminder(s)" in remind(app)


def test_every_administrator_gets_the_reminder_and_members_do_not(app, world):
    from tests.factories import member

    second_admin = member(Role.PROVIDER_ADMIN, world.provider, email="tweede.beheerder@test.example.org", locale="en")
    gva_expiring_in(world, 10)

    assert "Sent 1 reminder(s) in 2 e-mail(s)" in remind(app)

    by_recipient = {message.recipient: message for message in outbox()}
    assert set(by_recipient) == {world.user("provider_admin").email, second_admin.email}
    # Each in their own language.
    english = by_recipient[second_admin.email]
    dutch = by_recipient[world.user("provider_admin").email]
    assert "Certificate of conduct for tenders (GVA)" in english.body and "expire within 70 days" in english.body
    assert "Gedragsverklaring Aanbesteden (GVA)" in dutch.body and "binnen 70 dagen" in dutch.body


def test_without_administrators_the_providers_general_address_is_reminded(app, world):
    db.session.execute(Membership.__table__.delete().where(Membership.organisation_id == world.provider.id))
    db.session.commit()
    gva_expiring_in(world, 10)

    assert "Sent 1 reminder(s)" in remind(app)

    [message] = outbox()
    assert message.recipient == world.provider.email


def test_a_run_that_checked_before_another_run_recorded_the_reminder_sends_nothing(app, world, monkeypatch):
    """Two runs at once: the second passed the check, but the unique record stops it sending."""
    gva_expiring_in(world, 60)
    assert "Sent 1 reminder(s)" in remind(app)
    # The second run saw no reminder yet when it checked.
    monkeypatch.setattr(vault, "_already_sent", lambda session, ids: set())
    assert len(vault.due_reminders(db.session, today=TODAY)) == 1

    run = vault.send_reminders(db.session, today=TODAY, link="http://portal.example.org/bewijsstukken")
    db.session.commit()

    assert (run.reminders, run.emails) == (0, 0)
    assert len(outbox()) == 1
    assert db.session.scalar(select(func.count(EvidenceReminder.id))) == 1


def test_a_longer_lead_time_reminds_earlier(app, world):
    gva_expiring_in(world, 80)

    assert "Sent 0 reminder(s)" in remind(app)
    assert "Sent 1 reminder(s)" in remind(app, "--lead-days", "90")
    assert db.session.scalar(select(EvidenceReminder.kind)) == "expires_90d"
