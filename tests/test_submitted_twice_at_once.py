"""The same application or reaction submitted twice at once gives exactly one result (issue #8).

Real concurrency: two browser sessions post in two threads, each request with its own database
session and connection. A barrier inside the service holds both requests until each has read
the same unsubmitted row, so neither can see the other's submission before it writes: the
database (row version, unique index) must decide. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from consultations import services as consultation_services
from consultations.models import Audience, PersonalInvitation, Response, ResponseStatus
from consultations.services import AnswerInput
from portal.applications import services as application_services
from portal.extensions import db
from portal.models import Application, ApplicationEvent, ApplicationStatus, AuditEvent, Role
from tests import factories
from tests.applications.helpers import complete_application
from tests.conftest import find, outbox, sign_in_as
from tests.consultations.pages_helpers import open_consultation
from tests.rounds.helpers import published_round

#: How long a request waits at the barrier for the other before the test fails.
WAIT_SECONDS = 20


def in_english(client, user=None):
    """Sign the client in (when a user is given) and let it read English."""
    if user is not None:
        sign_in_as(client, user)
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def meet_inside(monkeypatch, module, name: str, barrier: threading.Barrier) -> None:
    """Make the first call of ``module.name`` in each thread wait for the other thread there."""
    original = getattr(module, name)
    met = threading.local()

    def waiting(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(met, "done", False):
            met.done = True
            barrier.wait(timeout=WAIT_SECONDS)
        return result

    monkeypatch.setattr(module, name, waiting)


def at_once(*requests):
    """Run each request in its own thread, started together; return their responses in order."""
    results: list = [None] * len(requests)

    def run(index: int, request) -> None:
        try:
            results[index] = request()
        except BaseException as error:  # a 500 in testing mode: keep it to fail the test with it
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, request)) for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS * 3)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    for result in results:
        assert not isinstance(result, BaseException), f"a request failed: {result!r}"
        assert result.status_code < 500
    db.session.expire_all()  # the threads changed rows this test's session may hold
    return results


def submitted_events(application_id: int) -> int:
    return db.session.scalar(select(func.count(ApplicationEvent.id)).where(
        ApplicationEvent.application_id == application_id, ApplicationEvent.status == ApplicationStatus.SUBMITTED))


def submitted_audits(response_ids: list[int]) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "consultation_response.submitted",
        AuditEvent.object_id.in_([str(i) for i in response_ids])))


# Applications --------------------------------------------------------------------------------


def test_an_application_submitted_twice_at_once_is_submitted_once_and_the_second_click_is_told(
        app, world, monkeypatch):
    round = published_round(world)
    application = complete_application(world, round)
    admin = world.user("provider_admin")
    one, two = in_english(app.test_client(), admin), in_english(app.test_client(), admin)
    version = find(Application, application.id).version
    url = f"/aanmeldingen/{application.id}/indienen"
    # Both requests have loaded the draft and checked it is complete before either writes.
    meet_inside(monkeypatch, application_services, "completeness", threading.Barrier(2))

    first, second = at_once(lambda: one.post(url, data={"version": version}),
                            lambda: two.post(url, data={"version": version}))

    assert first.status_code == second.status_code == 302
    pages = [text(client.get(f"/aanmeldingen/{application.id}")) for client in (one, two)]
    told = sorted("already been submitted" in page for page in pages)
    confirmed = sorted("Your application has been submitted" in page for page in pages)
    assert told == [False, True] and confirmed == [False, True]
    assert find(Application, application.id).status is ApplicationStatus.SUBMITTED
    assert submitted_events(application.id) == 1
    assert [(m.recipient, round.title in m.subject) for m in outbox()] == [(admin.email, True)]


# Reactions -------------------------------------------------------------------------------------


def test_a_council_reaction_submitted_by_two_members_at_once_is_submitted_once(app, world, monkeypatch):
    consultation = open_consultation(world)
    first = world.user("body_member")
    second = factories.member(Role.BODY_MEMBER, world.council, name="Tweede Raadslid", email="tweede@test.example.org")
    draft = consultation_services.save_body_draft(
        db.session, consultation=consultation, body=world.council, actor=first, seen_version=None,
        answers={"q2": AnswerInput(text="Let op de wachttijden.")})
    db.session.commit()
    question = next(q for q in consultation.questions if q.key == "q2")
    data = {"version": str(draft.version), f"q{question.id}_text": "Let op de wachttijden.", "send": "x"}
    one, two = in_english(app.test_client(), first), in_english(app.test_client(), second)
    url = f"/reageren/{consultation.id}"
    # Both requests have checked the version they saw before either saves.
    meet_inside(monkeypatch, consultation_services, "_check_version", threading.Barrier(2))

    results = at_once(lambda: one.post(url, data=data), lambda: two.post(url, data=data))

    assert sorted(r.status_code for r in results) == [302, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert "at the same moment" in text(refused)
    reactions = db.session.scalars(select(Response).where(Response.body_id == world.council.id)).all()
    assert [r.status for r in reactions] == [ResponseStatus.SUBMITTED]
    assert submitted_audits([reactions[0].id]) == 1
    confirmations = outbox()
    assert len(confirmations) == 1 and consultation.title in confirmations[0].subject
    winner = first if results[0].status_code == 302 else second
    assert confirmations[0].recipient == winner.email and reactions[0].submitted_by_id == winner.id


def test_a_new_reaction_sent_twice_at_once_through_a_personal_link_is_kept_once(app, world, monkeypatch):
    consultation = open_consultation(world)
    _invitation, token = consultation_services.invite_individual(
        db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, name="Noor",
        email="noor@example.org", actor=None)
    db.session.commit()
    question = next(q for q in consultation.questions if q.key == "q2")
    data = {"version": "", "name": "Noor", f"q{question.id}_text": "Meer hulp op school.", "send": "x"}
    one, two = in_english(app.test_client()), in_english(app.test_client())
    url = f"/mijn-reactie/{token}"
    # Neither request has found a reaction of this link when both start one.
    meet_inside(monkeypatch, consultation_services, "next_ref", threading.Barrier(2))

    results = at_once(lambda: one.post(url, data=data), lambda: two.post(url, data=data))

    assert sorted(r.status_code for r in results) == [302, 409]
    assert "at the same moment" in text(next(r for r in results if r.status_code == 409))
    invitation = db.session.scalar(select(PersonalInvitation).where(PersonalInvitation.name == "Noor"))
    reactions = db.session.scalars(select(Response).where(Response.invitation_id == invitation.id)).all()
    assert [(r.status, r.answers[0].text) for r in reactions] == [(ResponseStatus.SUBMITTED, "Meer hulp op school.")]
    assert submitted_audits([reactions[0].id]) == 1
    assert [m.recipient for m in outbox()] == ["noor@example.org"]


@pytest.fixture(autouse=True)
def _close_the_threads_connections(app):
    """Close the connections the threads opened, so none outlives the test."""
    yield
    with app.app_context():
        db.engine.dispose()


def resident_form(client, consultation, **answers) -> dict:
    """Open the public form and fill it in as a resident; return what the browser would send."""
    page = client.get(f"/inspraak/{consultation.id}/reageren").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page) or \
        re.search(r'id="submission_key" name="submission_key" type="hidden" value="([^"]+)"', page)
    assert key, "no one-time key in the form"
    question = next(q for q in consultation.questions if q.key == "q2")
    return {"submission_key": key.group(1), "version": "", "name": "Kim", "email": "kim@example.org",
            "municipality": "0", "website": "", f"q{question.id}_text": "Meer hulp op school.", "send": "x", **answers}


def test_a_residents_form_sent_twice_at_once_is_kept_once_and_the_second_is_told(app, world, monkeypatch):
    consultation = open_consultation(world)
    one = in_english(app.test_client())
    two = in_english(app.test_client())
    data = resident_form(one, consultation)
    url = f"/inspraak/{consultation.id}/reageren"
    # Both requests have looked for a reaction with this key, and found none, before either writes.
    meet_inside(monkeypatch, consultation_services, "next_ref", threading.Barrier(2))

    results = at_once(lambda: one.post(url, data=data), lambda: two.post(url, data=data))

    assert [r.status_code for r in results] == [302, 302]
    # The one that was kept goes on to the thank-you page with the private link; the other is told.
    assert sorted(r.headers["Location"].endswith("/bedankt") for r in results) == [False, True]
    pages = [text(client.get(r.headers["Location"])) for client, r in zip((one, two), results, strict=True)]
    assert sorted("already received this reaction" in page for page in pages) == [False, True]
    assert sorted("Keep this link" in page for page in pages) == [False, True]
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id)).all()
    assert [(r.respondent, r.status) for r in reactions] == [("Kim", ResponseStatus.SUBMITTED)]
    assert [m.recipient for m in outbox()] == ["kim@example.org"]


def test_a_residents_form_sent_again_later_is_kept_once(client, world):
    consultation = open_consultation(world)
    in_english(client)
    data = resident_form(client, consultation)
    url = f"/inspraak/{consultation.id}/reageren"

    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data, follow_redirects=True)

    assert "already received this reaction" in text(again)
    assert db.session.scalar(select(func.count(Response.id)).where(Response.consultation_id == consultation.id)) == 1
    assert len(outbox()) == 1


def test_two_residents_reacting_at_the_same_moment_are_both_kept_under_their_own_reference(app, world, monkeypatch):
    consultation = open_consultation(world)
    one, two = in_english(app.test_client()), in_english(app.test_client())
    first, second = resident_form(one, consultation, name="Kim"), resident_form(two, consultation, name="Sem")
    url = f"/inspraak/{consultation.id}/reageren"
    # Both have chosen the same next reference ("r-1") before either writes.
    meet_inside(monkeypatch, consultation_services, "next_ref", threading.Barrier(2))

    results = at_once(lambda: one.post(url, data=first), lambda: two.post(url, data=second))

    assert [r.status_code for r in results] == [302, 302]
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id)).all()
    assert sorted(r.respondent for r in reactions) == ["Kim", "Sem"]
    assert sorted(r.ref for r in reactions) == ["r-1", "r-2"]
