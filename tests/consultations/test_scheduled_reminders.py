"""The scheduled reminders: councils before their formal-view deadline, bodies before the close, each once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consultations import reminders, services
from consultations.models import ReminderKind, SentReminder
from consultations.services import AnswerInput
from portal.extensions import db
from portal.models import Role
from tests import factories
from tests.conftest import outbox
from tests.consultations.pages_helpers import open_consultation


def run_cli(app, *extra):
    result = app.test_cli_runner().invoke(args=["consultations", "send-reminders", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_council_is_reminded_of_its_formal_view_once_before_the_deadline(app, world):
    consultation = open_consultation(world, closes_in=timedelta(days=40))
    now = services.now_utc()
    due = services.expect_formal_view(db.session, consultation=consultation, body=world.council,
                                      deadline=now + timedelta(days=5), actor=None)
    later_council = factories.BodyFactory(municipality=world.municipality, name="Gemeenteraad Later")
    factories.member(Role.BODY_MEMBER, later_council)
    services.expect_formal_view(db.session, consultation=consultation, body=later_council,
                                deadline=now + timedelta(days=30), actor=None)
    db.session.commit()

    output = run_cli(app)
    assert "Sent 1 formal-view reminder(s)" in output.splitlines()[-1]
    mails = [m for m in outbox() if "zienswijze" in m.subject.lower() or "formal view" in m.subject.lower()]
    assert [m.recipient for m in mails] == [world.user("body_member").email]
    db.session.expire_all()
    assert db.session.get(type(due), due.id).reminded_at is not None
    sent = db.session.scalar(select(SentReminder).where(SentReminder.kind == ReminderKind.FORMAL_VIEW))
    assert (sent.body_id, sent.mails) == (world.council.id, 1)

    # Run again the same day: nothing new goes out.
    before = len(outbox())
    output = run_cli(app)
    assert "Sent 0 formal-view reminder(s)" in output.splitlines()[-1]
    assert len(outbox()) == before


def test_a_council_that_already_sent_its_view_or_was_reminded_by_hand_is_not_reminded(app, world):
    consultation = open_consultation(world, closes_in=timedelta(days=40))
    now = services.now_utc()
    view = services.expect_formal_view(db.session, consultation=consultation, body=world.council,
                                       deadline=now + timedelta(days=5), actor=None)
    services.note_reminder(db.session, view=view, actor=world.user("policy_officer"), now=now - timedelta(days=1))
    db.session.commit()
    run = reminders.send_reminders(db.session, now=now, formal_view_days=14, reaction_days=1)
    assert run.formal_views == 0
    view.reminded_at = None
    services.record_formal_view(db.session, view=view, received_at=now, actor=None)
    run = reminders.send_reminders(db.session, now=now, formal_view_days=14, reaction_days=1)
    assert run.formal_views == 0


def test_bodies_without_a_reaction_are_reminded_once_before_the_close(app, world):
    closing = open_consultation(world, title="Sluit bijna", closes_in=timedelta(days=3))
    open_consultation(world, title="Sluit later", closes_in=timedelta(days=20))
    reacted = factories.BodyFactory(municipality=world.municipality, name="Gemeenteraad Al Gereageerd")
    member = factories.member(Role.BODY_MEMBER, reacted)
    db.session.commit()
    response = services.save_body_draft(db.session, consultation=closing, body=reacted, actor=member,
                                        answers={"q2": AnswerInput(text="Wij zijn akkoord.")}, seen_version=None)
    services.submit_body_reaction(db.session, response=response, actor=member, seen_version=response.version)
    db.session.commit()

    output = run_cli(app)
    assert "and 1 reaction reminder(s)" in output.splitlines()[-1]
    reminded = [m for m in outbox() if "Sluit bijna" in m.subject]
    assert [m.recipient for m in reminded] == [world.user("body_member").email]
    assert not [m for m in outbox() if "Sluit later" in m.subject]
    assert f"/reageren/{closing.id}" in reminded[0].body

    before = len(outbox())
    assert "and 0 reaction reminder(s)" in run_cli(app).splitlines()[-1]
    assert len(outbox()) == before
    assert db.session.scalar(select(func.count(SentReminder.id)).where(SentReminder.kind == ReminderKind.REACTION)) == 1


def test_the_number_of_days_can_be_given(app, world):
    open_consultation(world, title="Sluit over tien dagen", closes_in=timedelta(days=10))
    assert "and 0 reaction reminder(s)" in run_cli(app).splitlines()[-1]
    assert "and 1 reaction reminder(s)" in run_cli(app, "--reaction-days", "12").splitlines()[-1]


def test_a_body_without_members_is_reported_and_tried_again(app, world):
    consultation = open_consultation(world, closes_in=timedelta(days=40))
    lonely = factories.BodyFactory(municipality=world.municipality, name="Gemeenteraad Zonder Leden")
    services.expect_formal_view(db.session, consultation=consultation, body=lonely,
                                deadline=services.now_utc() + timedelta(days=2), actor=None)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["consultations", "send-reminders"])
    assert "Gemeenteraad Zonder Leden" in result.output
    assert db.session.scalar(select(func.count(SentReminder.id))) == 0
