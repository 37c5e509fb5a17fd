"""Staff revoke a personal link (and send a new one); the old link then shows a kind page and accepts nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consultations import services
from consultations.models import Audience, PersonalInvitation, Response, ResponseStatus
from consultations.services import AnswerInput
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import outbox, sign_in_as
from tests.consultations.pages_helpers import open_consultation


@pytest.fixture
def consultation(world):
    """An open consultation of region one."""
    return open_consultation(world)


@pytest.fixture
def invited(world, consultation):
    """A personal link for Sam with a saved draft under it; returns (invitation, token)."""
    invitation, token = services.invite_individual(
        db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, name="Sam",
        email="sam@test.example.org", actor=world.user("policy_officer"))
    services.save_invited_draft(db.session, token=token, answers={"q2": AnswerInput(text="Mijn concept.")},
                                seen_version=None, name="Sam")
    db.session.commit()
    return invitation, token


def field(consultation, key: str) -> str:
    question = next(q for q in consultation.questions if q.key == key)
    return f"q{question.id}_text"


def test_a_policy_officer_revokes_a_link_and_the_audit_log_says_who(client, world, consultation, invited):
    invitation, token = invited
    officer = world.user("policy_officer")
    sign_in_as(client, officer)
    page = client.get(f"/consultaties/{consultation.id}").get_data(as_text=True)
    assert f"/uitnodigingen/{invitation.id}/intrekken" in page
    answer = client.post(f"/consultaties/{consultation.id}/uitnodigingen/{invitation.id}/intrekken")
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(PersonalInvitation, invitation.id).revoked_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_invitation.revoked"))
    assert event is not None and event.actor_id == officer.id
    # The staff page says it was revoked and offers no second revocation.
    page = client.get(f"/consultaties/{consultation.id}").get_data(as_text=True)
    assert f"/uitnodigingen/{invitation.id}/intrekken" not in page


def test_a_revoked_link_shows_a_kind_page_and_accepts_nothing(client, world, consultation, invited):
    invitation, token = invited
    services.revoke_invitation(db.session, invitation=invitation, actor=world.user("policy_officer"))
    db.session.commit()
    page = client.get(f"/mijn-reactie/{token}")
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert 'name="send"' not in text and "<textarea" not in text
    posted = client.post(f"/mijn-reactie/{token}", data={"version": "1", "name": "Sam",
                                                         field(consultation, "q2"): "Nieuw.", "send": "x"})
    assert posted.status_code == 410
    assert client.post(f"/mijn-reactie/{token}/intrekken").status_code == 410
    assert client.post(f"/mijn-reactie/{token}/wijzigen").status_code == 410
    # The draft saved before stays, unchanged, for staff.
    db.session.expire_all()
    draft = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    assert draft.status is ResponseStatus.DRAFT and draft.answers[0].text == "Mijn concept."
    with pytest.raises(services.ConsultationError):
        services.save_invited_draft(db.session, token=token, answers={}, seen_version=None, name="Sam")


def test_a_new_link_replaces_the_old_one_and_is_mailed(client, world, consultation, invited):
    invitation, old_token = invited
    sign_in_as(client, world.user("policy_officer"))
    before = len(outbox())
    answer = client.post(f"/consultaties/{consultation.id}/uitnodigingen/{invitation.id}/vernieuwen")
    assert answer.status_code == 302
    assert len(outbox()) == before + 1 and outbox()[-1].recipient == "sam@test.example.org"
    new_path = "/mijn-reactie/" + outbox()[-1].body.split("/mijn-reactie/", 1)[1].split()[0]
    client.post("/uitloggen")
    assert client.get(f"/mijn-reactie/{old_token}").status_code == 410
    page = client.get(new_path)
    # Sam continues the draft written under the old link.
    assert page.status_code == 200 and "Mijn concept." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PersonalInvitation.id))) == 2
    db.session.expire_all()
    draft = db.session.scalar(select(Response).where(Response.status == ResponseStatus.DRAFT))
    assert draft.invitation_id != invitation.id


def test_a_link_is_revoked_once(world, consultation, invited):
    invitation, _ = invited
    services.revoke_invitation(db.session, invitation=invitation, actor=None)
    with pytest.raises(services.ConsultationError):
        services.revoke_invitation(db.session, invitation=invitation, actor=None)
    with pytest.raises(services.ConsultationError):
        services.renew_invitation(db.session, invitation=invitation, actor=None)


def test_staff_who_only_read_cannot_revoke(client, world, consultation, invited):
    invitation, _ = invited
    sign_in_as(client, world.user("buyer"))
    assert client.post(f"/consultaties/{consultation.id}/uitnodigingen/{invitation.id}/intrekken").status_code == 403
    db.session.expire_all()
    assert db.session.get(PersonalInvitation, invitation.id).revoked_at is None


def test_an_invitation_of_another_consultation_is_not_found(client, world, consultation, invited):
    invitation, _ = invited
    other = open_consultation(world, title="Andere consultatie")
    sign_in_as(client, world.user("policy_officer"))
    assert client.post(f"/consultaties/{other.id}/uitnodigingen/{invitation.id}/intrekken").status_code == 404
