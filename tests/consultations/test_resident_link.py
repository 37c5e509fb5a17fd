"""A resident's private link: read, change and withdraw the reaction until the close, read it after."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from consultations import services
from consultations.models import Consultation, Response, ResponseStatus
from consultations.services import AnswerInput
from portal.auth.services import hash_token
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import outbox
from tests.consultations.pages_helpers import open_consultation


@pytest.fixture
def consultation(world):
    """An open consultation of region one that takes reactions from residents."""
    return open_consultation(world)


def field(consultation, key: str, text: bool = False) -> str:
    """Return the form field name of a question."""
    question = next(q for q in consultation.questions if q.key == key)
    return f"q{question.id}_text" if text else f"q{question.id}"


def react(client, consultation, **data):
    """Post a resident's reaction through the public page and return the answer."""
    form = {"name": "Kim", "municipality": "0", "website": "", "send": "x",
            field(consultation, "q2", text=True): "Meer hulp op school."}
    form.update(data)
    return client.post(f"/inspraak/{consultation.id}/reageren", data=form)


def link_on(page) -> str:
    """Return the private link shown on a page."""
    match = re.search(r'id="private-link-field" type="text" readonly value="([^"]+)"', page.get_data(as_text=True))
    assert match, "no private link on the page"
    return match.group(1)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def the_reaction() -> Response:
    db.session.expire_all()
    return db.session.scalar(select(Response))


def close(consultation) -> None:
    now = services.now_utc()
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(opens_at=now - timedelta(days=20), closes_at=now - timedelta(minutes=1)))
    db.session.commit()


def test_a_resident_sees_a_private_link_once_and_gets_it_by_mail(client, world, consultation):
    sent = react(client, consultation, email="kim@test.example.org")
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/inspraak/{consultation.id}/bedankt")
    thanks = client.get(f"/inspraak/{consultation.id}/bedankt")
    assert thanks.status_code == 200
    link = link_on(thanks)
    assert "/inspraak/reactie/" in link
    token = link.rsplit("/", 1)[1]
    # Only the hash is kept, as for personal invitations.
    assert the_reaction().private_link_hash == hash_token(token)
    assert token not in str(the_reaction().private_link_hash)
    # Shown once: a second visit sends the resident back to the consultation.
    again = client.get(f"/inspraak/{consultation.id}/bedankt")
    assert again.status_code == 302 and "reactie" not in again.get_data(as_text=True)
    mail = outbox()[-1]
    assert mail.recipient == "kim@test.example.org" and link in mail.body
    opened = client.get(path_of(link))
    assert opened.status_code == 200
    assert "Meer hulp op school." in opened.get_data(as_text=True)
    assert 'id="submitted-message"' in opened.get_data(as_text=True)


def test_an_anonymous_resident_without_an_address_still_gets_the_link(client, world, consultation):
    before = len(outbox())
    react(client, consultation, name="", anonymous="y")
    link = link_on(client.get(f"/inspraak/{consultation.id}/bedankt"))
    assert len(outbox()) == before
    assert client.get(path_of(link)).status_code == 200


def test_a_resident_changes_the_reaction_through_the_link(client, world, consultation):
    react(client, consultation, email="kim@test.example.org")
    path = path_of(link_on(client.get(f"/inspraak/{consultation.id}/bedankt")))
    form_page = client.get(path + "?wijzigen=1").get_data(as_text=True)
    assert "Meer hulp op school.</textarea>" in form_page and 'value="Kim"' in form_page
    version = the_reaction().version
    changed = client.post(path, data={
        "version": str(version), "name": "Kim", "email": "kim@test.example.org", "municipality": str(world.municipality.id),
        field(consultation, "q2", text=True): "Liever hulp thuis.", field(consultation, "q1"): "oneens",
        "website": "", "send": "x"})
    assert changed.status_code == 302
    reaction = the_reaction()
    assert reaction.status is ResponseStatus.SUBMITTED
    assert {(a.question.key, a.choice, a.text) for a in reaction.answers} == {
        ("q1", "oneens", None), ("q2", None, "Liever hulp thuis.")}
    assert reaction.municipality_id == world.municipality.id
    assert db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "consultation_response.changed")) == 1
    assert "Liever hulp thuis." in outbox()[-1].body
    # An old form (an older version) does not overwrite the change, and keeps what was typed.
    stale = client.post(path, data={"version": str(version), "name": "Kim", "municipality": "0",
                                    field(consultation, "q2", text=True): "Oude tekst.", "website": "", "send": "x"})
    assert stale.status_code == 409 and "Oude tekst." in stale.get_data(as_text=True)
    assert {a.text for a in the_reaction().answers} == {None, "Liever hulp thuis."}


def test_a_robot_filling_the_hidden_field_changes_nothing(client, world, consultation):
    react(client, consultation)
    path = path_of(link_on(client.get(f"/inspraak/{consultation.id}/bedankt")))
    posted = client.post(path, data={"version": str(the_reaction().version), "name": "Bot", "municipality": "0",
                                     field(consultation, "q2", text=True): "Koop nu!",
                                     "website": "http://spam.example", "send": "x"})
    assert posted.status_code == 302
    assert [a.text for a in the_reaction().answers] == ["Meer hulp op school."]


def test_a_resident_withdraws_the_reaction_through_the_link(client, world, consultation):
    react(client, consultation)
    path = path_of(link_on(client.get(f"/inspraak/{consultation.id}/bedankt")))
    assert client.post(path + "/intrekken").status_code == 302
    reaction = the_reaction()
    assert reaction.status is ResponseStatus.WITHDRAWN and reaction.withdrawn_at is not None
    page = client.get(path)
    assert page.status_code == 200 and 'id="withdrawn-message"' in page.get_data(as_text=True)
    assert 'name="send"' not in page.get_data(as_text=True)
    refused = client.post(path, data={"version": str(reaction.version), "name": "Kim", "municipality": "0",
                                      field(consultation, "q2", text=True): "Toch weer.", "website": "", "send": "x"})
    assert refused.status_code == 422
    assert the_reaction().status is ResponseStatus.WITHDRAWN


def test_after_the_close_the_link_shows_the_reaction_read_only(client, world, consultation):
    react(client, consultation)
    path = path_of(link_on(client.get(f"/inspraak/{consultation.id}/bedankt")))
    close(consultation)
    page = client.get(path + "?wijzigen=1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="closed-message"' in text and "Meer hulp op school." in text
    assert 'name="send"' not in text and "/intrekken" not in text
    late = client.post(path, data={"version": str(the_reaction().version), "name": "Kim", "municipality": "0",
                                   field(consultation, "q2", text=True): "Te laat.", "website": "", "send": "x"})
    assert late.status_code == 422 and "Te laat." in late.get_data(as_text=True)
    client.post(path + "/intrekken")
    reaction = the_reaction()
    assert reaction.status is ResponseStatus.SUBMITTED and [a.text for a in reaction.answers] == ["Meer hulp op school."]


def test_a_wrong_link_is_not_found(client, world, consultation):
    react(client, consultation)
    assert client.get("/inspraak/reactie/verzonnen-token").status_code == 404
    assert client.post("/inspraak/reactie/verzonnen-token/intrekken").status_code == 404


def test_only_a_residents_reaction_gets_a_private_link(world, consultation):
    reaction = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                        actor=world.user("body_member"),
                                        answers={"q2": AnswerInput(text="Wachttijden.")}, seen_version=None)
    with pytest.raises(services.ConsultationError):
        services.issue_private_link(db.session, response=reaction)
