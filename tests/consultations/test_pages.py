"""The consultation pages over HTTP: bodies write together, invitees react by link, nothing typed is lost."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from consultations import services
from consultations.models import (
    Audience,
    Consultation,
    FormalView,
    PersonalInvitation,
    Response,
    ResponseStatus,
)
from consultations.services import AnswerInput
from forms.consultations import ANSWER_MAX_LENGTH
from portal.extensions import db
from portal.models import AuditEvent, BodyKind, Role, User
from tests import factories
from tests.conftest import csrf_token_from, find, outbox, sign_in_as
from tests.consultations.pages_helpers import draft_consultation, open_consultation
from tests.files_samples import pdf
from tests.querycount import count_queries, nothing_kept

#: A long council letter: more than 50,000 characters, with Dutch letters and line breaks.
LONG_TEXT = ("De raad van Eendorp vraagt aandacht voor wachttijden, cliëntondersteuning en één loket.\n" * 620)


@pytest.fixture
def consultation(world):
    """An open consultation of region one with five kinds of question and a document."""
    return open_consultation(world)


def field(consultation, key: str, text: bool = False) -> str:
    """Return the form field name of a question."""
    question = next(q for q in consultation.questions if q.key == key)
    return f"q{question.id}_text" if text else f"q{question.id}"


def version_in(response) -> str:
    """Return the version the page's form carries."""
    match = re.search(r'name="version" type="hidden" value="(\d*)"', response.get_data(as_text=True))
    assert match, "no version field in the page"
    return match.group(1)


def reaction_of(consultation, **sender) -> Response | None:
    """Return the living reaction of a body, provider or invitation, fresh from the database."""
    db.session.expire_all()
    return services.current_reaction(db.session, consultation=find(Consultation, consultation.id), **sender)


# Bodies write together ------------------------------------------------------------------------------


def test_a_council_reaction_is_drafted_by_two_members_and_submitted_by_one(app, world, consultation):
    first = world.user("body_member")
    second = factories.member(Role.BODY_MEMBER, world.council, name="Tweede Raadslid", email="tweede@test.example.org")
    one, two = app.test_client(), app.test_client()
    sign_in_as(one, first)
    sign_in_as(two, second)
    url = f"/reageren/{consultation.id}"

    page = one.get(url)
    assert page.status_code == 200 and version_in(page) == ""
    saved = one.post(url, data={"version": "", field(consultation, "q2", text=True): "Eerste alinea.", "save": "x"})
    assert saved.status_code == 302
    draft = reaction_of(consultation, body=world.council)
    assert draft.status is ResponseStatus.DRAFT and draft.created_by_id == first.id

    # The second member opens the same draft, adds to it and saves.
    page = two.get(url)
    assert "Eerste alinea." in page.get_data(as_text=True)
    seen_by_second = version_in(page)
    stale = version_in(one.get(url))
    assert two.post(url, data={"version": seen_by_second, field(consultation, "q1"): "deels eens",
                               field(consultation, "q2", text=True): "Eerste alinea.\nTweede alinea.",
                               "save": "x"}).status_code == 302

    # The first member still has the old version open: nothing is overwritten, both texts are shown.
    conflict = one.post(url, data={"version": stale, field(consultation, "q2", text=True): "Mijn eigen herschreven tekst.",
                                   "save": "x"})
    assert conflict.status_code == 409
    body = conflict.get_data(as_text=True)
    assert 'id="their-text"' in body and "Tweede alinea." in body and "Mijn eigen herschreven tekst." in body
    saved_texts = [a.text for a in reaction_of(consultation, body=world.council).answers if a.text]
    assert saved_texts == ["Eerste alinea.\nTweede alinea."]

    # The second member submits on behalf of the council.
    page = two.get(url)
    submitted = two.post(url, data={"version": version_in(page), field(consultation, "q1"): "deels eens",
                                    field(consultation, "q2", text=True): "Eerste alinea.\nTweede alinea.",
                                    "send": "x"})
    assert submitted.status_code == 302
    reaction = reaction_of(consultation, body=world.council)
    assert reaction.status is ResponseStatus.SUBMITTED
    assert (reaction.created_by_id, reaction.submitted_by_id) == (first.id, second.id)
    confirmation = outbox()[-1]
    assert confirmation.recipient == second.email and "Tweede alinea." in confirmation.body


def test_a_submitted_reaction_can_be_changed_and_withdrawn_before_the_close(client, world, consultation):
    sign_in_as(client, world.user("body_member"))
    url = f"/reageren/{consultation.id}"
    client.post(url, data={"version": "", field(consultation, "q1"): "eens", "send": "x"})
    assert reaction_of(consultation, body=world.council).status is ResponseStatus.SUBMITTED
    assert client.post(f"{url}/wijzigen").status_code == 302
    assert reaction_of(consultation, body=world.council).status is ResponseStatus.DRAFT
    assert client.post(f"{url}/intrekken").status_code == 302
    assert reaction_of(consultation, body=world.council) is None
    assert db.session.scalar(select(Response.status).where(Response.body_id == world.council.id)) is ResponseStatus.WITHDRAWN


def test_a_provider_reacts_through_its_account_with_a_letter_attached(client, world, consultation):
    sign_in_as(client, world.user("provider_member"))
    response = client.post(f"/reageren/{consultation.id}", data={
        "version": "", field(consultation, "q4"): ["Wachttijd", "Kosten"], field(consultation, "q5"): "4",
        "attachment": (io.BytesIO(pdf()), "brief.pdf"), "send": "x"}, content_type="multipart/form-data")
    assert response.status_code == 302
    reaction = reaction_of(consultation, provider=world.provider)
    assert reaction.status is ResponseStatus.SUBMITTED and reaction.attachment_key
    assert {a.question.key: a.choice for a in reaction.answers} == {"q4": "Wachttijd\nKosten", "q5": "4"}
    download = client.get(f"/reacties/{reaction.id}/bijlage")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")


def test_an_attachment_that_is_not_a_pdf_is_refused_and_the_text_kept(client, world, consultation):
    sign_in_as(client, world.user("body_member"))
    response = client.post(f"/reageren/{consultation.id}", data={
        "version": "", field(consultation, "q2", text=True): "Mijn tekst blijft staan.",
        "attachment": (io.BytesIO(b"MZ" + b"\0" * 200), "brief.exe"), "save": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Mijn tekst blijft staan." in response.get_data(as_text=True)
    assert reaction_of(consultation, body=world.council) is None


# Invited individuals ------------------------------------------------------------------------------------


def test_an_expert_by_experience_reacts_anonymously_through_the_link_without_an_account(app, world, consultation):
    officer, app_client = app.test_client(), app.test_client()
    sign_in_as(officer, world.user("policy_officer"))
    invited = officer.post(f"/consultaties/{consultation.id}/uitnodigingen", data={
        "audience": "ervaringsdeskundige", "name": "Sam", "email": "sam@test.example.org", "anonymous_allowed": "y"})
    assert invited.status_code == 302
    mail = outbox()[-1]
    assert mail.recipient == "sam@test.example.org"
    link = re.search(r"http://\S+/mijn-reactie/(\S+)", mail.body)
    assert link, mail.body
    token = link.group(1)

    page = app_client.get(f"/mijn-reactie/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Vind je de plannen goed?" in text and "Kunt u zich vinden in de voorgestelde koers?" not in text

    sent = app_client.post(f"/mijn-reactie/{token}", data={
        "version": "", "anonymous": "y", "name": "", field(consultation, "q1"): "oneens",
        field(consultation, "q2", text=True): "Ik wil dat ze beter luisteren.", "send": "x"})
    assert sent.status_code == 302
    invitation = db.session.scalar(select(PersonalInvitation).where(PersonalInvitation.email == "sam@test.example.org"))
    reaction = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    assert reaction.status is ResponseStatus.SUBMITTED
    assert reaction.anonymous and reaction.respondent == "Anoniem" and not reaction.publish_name
    assert reaction.created_by_id is None and reaction.audience is Audience.ERVARINGSDESKUNDIGE
    confirmation = outbox()[-1]
    assert confirmation.recipient == "sam@test.example.org" and "Ik wil dat ze beter luisteren." in confirmation.body
    assert "Vind je de plannen goed?" in confirmation.body


def test_an_unknown_link_answers_404(client, world, consultation):
    assert client.get("/mijn-reactie/not-a-real-token").status_code == 404


# The close ---------------------------------------------------------------------------------------------


def _close(consultation) -> None:
    now = services.now_utc()
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(opens_at=now - timedelta(days=20), closes_at=now - timedelta(minutes=1)))
    db.session.commit()


def test_a_reaction_after_the_close_is_refused_with_a_clear_message_and_the_text_kept(client, world, consultation):
    sign_in_as(client, world.user("body_member"))
    url = f"/reageren/{consultation.id}"
    client.post(url, data={"version": "", field(consultation, "q2", text=True): "Concept.", "save": "x"})
    version = version_in(client.get(url))
    _close(consultation)

    page = client.get(url)
    assert page.status_code == 200 and 'id="closed-message"' in page.get_data(as_text=True)
    late = client.post(url, data={"version": version, field(consultation, "q2", text=True): "Te laat geschreven.",
                                  "send": "x"})
    assert late.status_code == 422
    assert "Te laat geschreven." in late.get_data(as_text=True)
    with client.session_transaction() as session:
        session["locale"] = "en"
    late = client.post(url, data={"version": version, field(consultation, "q2", text=True): "Te laat.", "send": "x"})
    assert "reactions can no longer be" in late.get_data(as_text=True)
    reaction = reaction_of(consultation, body=world.council)
    assert reaction.status is ResponseStatus.DRAFT and reaction.answers[0].text == "Concept."
    assert client.post(f"{url}/intrekken").status_code == 302
    assert reaction_of(consultation, body=world.council).status is ResponseStatus.DRAFT


def test_a_resident_reaction_after_the_close_is_refused(client, world, consultation):
    _close(consultation)
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = client.post(f"/inspraak/{consultation.id}/reageren", data={
        "name": "Kim", field(consultation, "q2", text=True): "Te laat.", "municipality": "0", "send": "x"})
    assert response.status_code == 422
    assert "closed on" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 0


# Nothing is lost -----------------------------------------------------------------------------------------


def test_an_expired_session_at_submit_keeps_every_answer_of_50000_characters(client, world, consultation):
    assert len(LONG_TEXT) > 50_000
    member = world.user("body_member")
    sign_in_as(client, member)
    url = f"/reageren/{consultation.id}"
    with client.session_transaction() as session:
        session["seen"] = 0  # inactive for hours: the session has ended
    posted = client.post(url, data={"version": "", field(consultation, "q2", text=True): LONG_TEXT,
                                    field(consultation, "q1"): "eens", "send": "x"})
    assert posted.status_code == 401
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', posted.get_data(as_text=True))
    assert kept, "the sign-in page does not carry the typed text"
    assert reaction_of(consultation, body=world.council) is None

    confirm = client.post("/inloggen", data={"email": member.email, "password": factories.PASSWORD,
                                             "kept": html.unescape(kept.group(1)), "next": url})
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert html.unescape(fields[field(consultation, "q2", text=True)]) == LONG_TEXT
    question = next(q for q in consultation.questions if q.key == "q2")
    assert f"<dt>{html.escape(question.text)}</dt>" in page  # the question people saw, not a field name
    assert f"<dt>{field(consultation, 'q2', text=True)}</dt>" not in page

    again = client.post(url, data={name: html.unescape(value) for name, value in fields.items()})
    assert again.status_code == 302
    reaction = reaction_of(consultation, body=world.council)
    assert reaction.status is ResponseStatus.SUBMITTED
    assert next(a.text for a in reaction.answers if a.text) == LONG_TEXT


def test_an_expired_form_token_at_submit_keeps_every_answer(csrf_app, world, consultation):
    client = csrf_app.test_client()
    _, token = services.invite_individual(db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE,
                                          name="Noor", actor=None)
    db.session.commit()
    url = f"/mijn-reactie/{token}"
    assert client.get(url).status_code == 200
    posted = client.post(url, data={"csrf_token": "expired-token", "version": "", "name": "Noor",
                                    field(consultation, "q2", text=True): LONG_TEXT, "save": "x"})
    assert posted.status_code == 400
    page = posted.get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert html.unescape(fields[field(consultation, "q2", text=True)]) == LONG_TEXT
    data = {name: html.unescape(value) for name, value in fields.items() if name != "csrf_token"}
    again = client.post(url, data={**data, "csrf_token": csrf_token_from(posted)})
    assert again.status_code == 302
    invitation = db.session.scalar(select(PersonalInvitation).where(PersonalInvitation.name == "Noor"))
    reaction = reaction_of(consultation, invitation=invitation)
    assert reaction.status is ResponseStatus.DRAFT and reaction.answers[0].text == LONG_TEXT


def test_an_answer_longer_than_the_limit_is_refused_and_kept(client, world, consultation):
    sign_in_as(client, world.user("body_member"))
    too_long = "x" * (ANSWER_MAX_LENGTH + 1)
    response = client.post(f"/reageren/{consultation.id}", data={
        "version": "", field(consultation, "q2", text=True): too_long, "save": "x"})
    assert response.status_code == 422 and too_long in response.get_data(as_text=True)
    assert reaction_of(consultation, body=world.council) is None


# Formal views ----------------------------------------------------------------------------------------------


def test_a_council_is_reminded_before_its_deadline_and_shown_late_after_it(client, world, consultation):
    member = world.user("body_member")
    sign_in_as(client, world.user("policy_officer"))
    deadline = services.local_label(services.now_utc() + timedelta(days=5)).split()
    day, month, year = deadline[0].split("-")
    expected = client.post(f"/consultaties/{consultation.id}/zienswijzen", data={
        "body": world.council.id, "deadline_on": f"{year}-{month}-{day}", "deadline_time": "17:00"})
    assert expected.status_code == 302
    view = db.session.scalar(select(FormalView).where(FormalView.body_id == world.council.id))
    assert client.get(f"/consultaties/{consultation.id}/zienswijzen").get_data(as_text=True).count('data-status="expected"') == 1

    reminded = client.post(f"/consultaties/{consultation.id}/zienswijzen/herinneren", data={"within_days": "7"})
    assert reminded.status_code == 302
    assert find(FormalView, view.id).reminded_at is not None
    assert [m.recipient for m in outbox()] == [member.email]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "formal_view.reminded")) == 1

    db.session.execute(update(FormalView).where(FormalView.id == view.id)
                       .values(deadline=services.now_utc() - timedelta(hours=1)))
    db.session.commit()
    page = client.get(f"/consultaties/{consultation.id}/zienswijzen").get_data(as_text=True)
    assert f'id="view-{view.id}" data-status="late"' in page
    assert re.search(r'id="count-late">1<', page)


def test_a_council_decision_letter_is_recorded_and_served_as_attachment(client, world, consultation):
    view = services.expect_formal_view(db.session, consultation=consultation, body=world.council,
                                       deadline=services.now_utc() + timedelta(days=3), actor=None)
    db.session.commit()
    sign_in_as(client, world.user("region_admin"))
    prefix = f"v{view.id}-"
    response = client.post(f"/consultaties/{consultation.id}/zienswijzen/{view.id}/ontvangen", data={
        prefix + "received_on": services.now_utc().date().isoformat(), prefix + "received_time": "00:00",
        prefix + "summary": "De raad steunt de koers.", prefix + "letter": (io.BytesIO(pdf()), "besluit.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    recorded = find(FormalView, view.id)
    assert recorded.received_at is not None and recorded.letter_key
    sign_in_as(client, world.user("auditor"))
    letter = client.get(f"/consultaties/{consultation.id}/zienswijzen/{view.id}/brief")
    assert letter.status_code == 200 and letter.headers["Content-Disposition"].startswith("attachment")


# Staff set-up ---------------------------------------------------------------------------------------------


def test_a_policy_officer_creates_a_consultation_in_dutch_time_and_prepares_it(client, world):
    sign_in_as(client, world.user("policy_officer"))
    created = client.post("/consultaties/nieuw", data={
        "title": "Concept inkoopstrategie", "summary": "Wat vindt u?", "audiences": ["gemeenteraad", "inwoner"],
        "municipalities": [str(world.municipality.id)], "opens_on": "2031-07-01", "opens_time": "09:00",
        "closes_on": "2031-08-15", "closes_time": "17:00", "residents_may_react": "y", "names_need_consent": "y"})
    assert created.status_code == 302
    consultation = db.session.scalar(select(Consultation))
    assert consultation.opens_at.replace(tzinfo=None).isoformat() == "2031-07-01T07:00:00"  # CEST is UTC+2
    assert consultation.audience_set == {Audience.GEMEENTERAAD, Audience.INWONER}
    base = f"/consultaties/{consultation.id}"
    for key, kind, options in [("q1", "open", ""), ("q2", "single", "Ja\nNee"), ("q3", "multiple", "A\nB\nC"),
                               ("q4", "agreement", ""), ("q5", "scale", "")]:
        assert client.post(f"{base}/vragen", data={"key": key, "kind": kind, "text": f"Vraag {key}",
                                                    "plain_text": f"Jouw vraag {key}", "options": options}).status_code == 302
    refused = client.post(f"{base}/vragen", data={"key": "q6", "kind": "single", "text": "Eén optie", "options": "Ja"})
    assert refused.status_code == 422 and 'value="q6"' in refused.get_data(as_text=True)
    document = client.post(f"{base}/documenten", data={"title": "Concept", "version": "0.9",
                                                       "document": (io.BytesIO(pdf()), "concept.pdf")},
                           content_type="multipart/form-data")
    assert document.status_code == 302
    consultation = find(Consultation, consultation.id)
    assert [q.kind.value for q in consultation.questions] == ["open", "single", "multiple", "agreement", "scale"]
    assert consultation.documents[0].file_key
    download = client.get(f"{base}/documenten/{consultation.documents[0].id}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert client.post(f"{base}/publiceren").status_code == 302
    assert find(Consultation, consultation.id).published_at is not None


def test_a_colleague_change_to_the_details_is_not_overwritten(client, world):
    consultation = draft_consultation(world)
    sign_in_as(client, world.user("policy_officer"))
    page = client.get(f"/consultaties/{consultation.id}/bewerken")
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    data = {"title": "Mijn titel", "summary": "Samenvatting", "audiences": ["gemeenteraad"], "opens_on": "2031-07-01",
            "opens_time": "09:00", "closes_on": "2031-08-15", "closes_time": "17:00", "fingerprint": fingerprint}
    assert client.post(f"/consultaties/{consultation.id}/bewerken", data={**data, "title": "Titel van collega"}).status_code == 302
    stale = client.post(f"/consultaties/{consultation.id}/bewerken", data=data)
    assert stale.status_code == 422 and "Mijn titel" in stale.get_data(as_text=True)
    assert find(Consultation, consultation.id).title == "Titel van collega"


def test_meetings_are_recorded_with_questions_and_follow_ups(client, world, consultation):
    sign_in_as(client, world.user("policy_officer"))
    base = f"/consultaties/{consultation.id}/bijeenkomsten"
    assert client.post(base, data={"title": "Informatieavond", "held_on": "2026-09-01", "held_time": "19:30",
                                   "audience": "gemeenteraad", "attendees": "34"}).status_code == 302
    meeting_id = db.session.scalar(select(func.max(AuditEvent.object_id)).where(AuditEvent.action == "meeting.recorded"))
    prefix = f"m{meeting_id}-"
    missing_owner = client.post(f"{base}/{meeting_id}/vragen", data={prefix + "question": "Wat kost het?",
                                                                     prefix + "follow_up": "Cijfers sturen"})
    assert missing_owner.status_code == 422 and "Wat kost het?" in missing_owner.get_data(as_text=True)
    assert client.post(f"{base}/{meeting_id}/vragen", data={
        prefix + "question": "Wat kost het?", prefix + "answer": "Dat zoeken we uit.",
        prefix + "follow_up": "Cijfers sturen", prefix + "follow_up_owner": "Team inkoop"}).status_code == 302
    from consultations.models import MeetingQuestion

    entry = db.session.scalar(select(MeetingQuestion))
    assert client.post(f"{base}/vragen/{entry.id}/afgerond").status_code == 302
    assert find(MeetingQuestion, entry.id).follow_up_status.value == "done"
    counts = client.get(f"/consultaties/{consultation.id}/overzicht").get_data(as_text=True)
    assert re.search(r'data-audience="gemeenteraad">\s*<th scope="row">[^<]+</th>\s*<td>0</td>\s*<td>0</td>\s*<td>1</td>', counts)


def test_the_overview_counts_per_audience_and_reminds_the_bodies_that_have_not_reacted(client, world, consultation):
    board = factories.BodyFactory(municipality=world.municipality, name="Adviesraad Eendorp", body_kind=BodyKind.ADVIESRAAD)
    board_member = factories.member(Role.BODY_MEMBER, board, email="adviesraad@test.example.org")
    services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=world.user("body_member"),
                             answers={"q1": AnswerInput(choice="eens")}, seen_version=None)
    db.session.commit()
    sign_in_as(client, world.user("policy_officer"))
    page = client.get(f"/consultaties/{consultation.id}/overzicht").get_data(as_text=True)
    assert re.search(r'data-audience="gemeenteraad">\s*<th scope="row">[^<]+</th>\s*<td>0</td>\s*<td>1</td>', page)
    missing = re.search(r'<ul id="bodies-missing">(.*?)</ul>', page, re.S).group(1)
    assert "Adviesraad Eendorp" in missing and "Gemeenteraad Eendorp" in missing
    assert client.post(f"/consultaties/{consultation.id}/organen-uitnodigen").status_code == 302
    recipients = {m.recipient for m in outbox()}
    assert recipients == {board_member.email, world.user("body_member").email}
    assert all(f"/reageren/{consultation.id}" in m.body for m in outbox())
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "consultation.bodies_reminded")) == 1


# Residents ----------------------------------------------------------------------------------------------------


def test_a_resident_reacts_through_the_public_page_and_gets_a_copy(client, world, consultation):
    public = client.get(f"/inspraak/{consultation.id}")
    assert public.status_code == 200 and f"/inspraak/{consultation.id}/reageren" in public.get_data(as_text=True)
    response = client.post(f"/inspraak/{consultation.id}/reageren", data={
        "name": "Kim", "email": "kim@test.example.org", "municipality": str(world.municipality.id),
        field(consultation, "q2", text=True): "Meer hulp op school.", "website": "", "send": "x"})
    assert response.status_code == 302
    reaction = db.session.scalar(select(Response))
    assert (reaction.respondent, reaction.audience, reaction.municipality_id) == ("Kim", Audience.INWONER, world.municipality.id)
    assert outbox()[-1].recipient == "kim@test.example.org" and "Meer hulp op school." in outbox()[-1].body


def test_a_robot_filling_the_hidden_field_leaves_nothing(client, world, consultation):
    response = client.post(f"/inspraak/{consultation.id}/reageren", data={
        "name": "Bot", field(consultation, "q2", text=True): "Koop nu!", "website": "http://spam.example", "send": "x"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_residents_are_rate_limited(client, world, consultation):
    url = f"/inspraak/{consultation.id}/reageren"
    answers = [client.post(url, data={"anonymous": "y", field(consultation, "q2", text=True): f"Reactie {n}",
                                      "send": "x"}).status_code for n in range(11)]
    assert answers[:10] == [302] * 10 and answers[10] == 429
    assert db.session.scalar(select(func.count(Response.id))) == 10


def test_residents_cannot_react_when_the_consultation_does_not_ask_them(client, world, consultation):
    db.session.execute(update(Consultation).values(residents_may_react=False))
    db.session.commit()
    assert client.get(f"/inspraak/{consultation.id}/reageren").status_code == 404


def test_a_draft_consultation_is_not_public(client, world):
    consultation = draft_consultation(world)
    assert client.get(f"/inspraak/{consultation.id}").status_code == 404


# Other organisations see nothing ------------------------------------------------------------------------------


def test_another_regions_staff_and_another_bodys_members_get_404(client, world, consultation):
    reaction = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                        actor=world.user("body_member"), answers={"q1": AnswerInput(choice="eens")},
                                        seen_version=None)
    board = factories.BodyFactory(municipality=world.municipality, name="Adviesraad Eendorp", body_kind=BodyKind.ADVIESRAAD)
    board_member = factories.member(Role.BODY_MEMBER, board)
    other_council_member = factories.member(Role.BODY_MEMBER, world.other_council)
    db.session.commit()
    other_admin = db.session.scalar(select(User).where(User.email == "other_region_admin@test.example.org"))

    sign_in_as(client, other_admin)
    for path in ("", "/overzicht", "/zienswijzen", "/bijeenkomsten", "/bewerken"):
        assert client.get(f"/consultaties/{consultation.id}{path}").status_code == 404, path
    assert client.get(f"/reacties/{reaction.id}/bijlage").status_code == 404

    sign_in_as(client, other_council_member)
    assert client.get(f"/reageren/{consultation.id}").status_code == 404

    sign_in_as(client, board_member)
    page = client.get(f"/reageren/{consultation.id}")
    assert page.status_code == 200 and "eens" not in re.findall(r'checked[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert client.get(f"/reacties/{reaction.id}/bijlage").status_code == 404


# Query counts -------------------------------------------------------------------------------------------------


def _grow(world, consultation, n: int) -> None:
    for number in range(n):
        body = factories.BodyFactory(municipality=world.municipality, name=f"Raad {number}")
        member = factories.member(Role.BODY_MEMBER, body)
        services.save_body_draft(db.session, consultation=consultation, body=body, actor=member,
                                 answers={"q1": AnswerInput(choice="eens")}, seen_version=None)
        services.expect_formal_view(db.session, consultation=consultation, body=body,
                                    deadline=services.now_utc() + timedelta(days=number + 1), actor=None)
        meeting = services.record_meeting(db.session, consultation=consultation, title=f"Avond {number}",
                                          held_at=services.now_utc(), audience=Audience.INWONER, attendees=3, actor=None)
        services.add_meeting_question(db.session, meeting=meeting, question="Waarom?", follow_up="Uitzoeken",
                                      follow_up_owner="Team", actor=None)
    draft_consultation(world, title=f"Nog een {n}")
    open_consultation(world, title=f"Open {n}")
    db.session.commit()


@pytest.mark.parametrize(("role", "path"), [
    ("policy_officer", "/consultaties"), ("policy_officer", "/consultaties/{id}/overzicht"),
    ("policy_officer", "/consultaties/{id}/zienswijzen"), ("policy_officer", "/consultaties/{id}/bijeenkomsten"),
    ("policy_officer", "/consultaties/{id}"), ("body_member", "/reageren"), ("provider_admin", "/reageren"),
    ("body_member", "/inspraak"),
])
def test_a_page_sends_as_many_statements_for_much_data_as_for_little(client, world, consultation, role, path):
    sign_in_as(client, world.user(role))
    url = path.format(id=consultation.id)
    _grow(world, consultation, 1)
    client.get(url)  # warm up caches that are filled once
    nothing_kept()
    with count_queries() as little:
        assert client.get(url).status_code == 200
    _grow(world, consultation, 8)
    nothing_kept()
    with count_queries() as much:
        assert client.get(url).status_code == 200
    assert much.count == little.count, "\n".join(much.statements)



def test_a_member_whose_colleague_submitted_meanwhile_keeps_their_text(app, world, consultation):
    first = world.user("body_member")
    second = factories.member(Role.BODY_MEMBER, world.council, email="tweede@test.example.org")
    one, two = app.test_client(), app.test_client()
    sign_in_as(one, first)
    sign_in_as(two, second)
    url = f"/reageren/{consultation.id}"
    one.post(url, data={"version": "", field(consultation, "q1"): "eens", "save": "x"})
    stale = version_in(one.get(url))
    assert two.post(url, data={"version": version_in(two.get(url)), field(consultation, "q1"): "eens",
                               "send": "x"}).status_code == 302
    late = one.post(url, data={"version": stale, field(consultation, "q2", text=True): "Mijn late aanvulling.", "save": "x"})
    assert late.status_code == 409
    assert "Mijn late aanvulling." in late.get_data(as_text=True)
    assert reaction_of(consultation, body=world.council).status is ResponseStatus.SUBMITTED
