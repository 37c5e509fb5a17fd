"""Staff move between a consultation's pages and its analysis, once there is something to analyse."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from consultations import services
from consultations.models import Consultation
from consultations.services import AnswerInput
from portal.extensions import db
from tests.conftest import sign_in_as
from tests.consultations.pages_helpers import open_consultation


def submit_council_reaction(world, consultation) -> None:
    member = world.user("body_member")
    response = services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=member,
                                        answers={"q2": AnswerInput(text="Let op de wachttijden.")}, seen_version=None)
    services.submit_body_reaction(db.session, response=response, actor=member, seen_version=response.version)
    db.session.commit()


def test_without_reactions_an_open_consultation_does_not_link_to_the_analysis(client, world):
    consultation = open_consultation(world)
    sign_in_as(client, world.user("policy_officer"))
    page = client.get(f"/consultaties/{consultation.id}").get_data(as_text=True)
    assert f"/analyse/consultaties/{consultation.id}" not in page
    overview = client.get(f"/consultaties/{consultation.id}/overzicht").get_data(as_text=True)
    assert f"/analyse/consultaties/{consultation.id}" not in overview and 'id="analysis"' in overview


def test_once_a_reaction_is_in_the_staff_pages_link_to_every_analysis_page_and_back(client, world):
    consultation = open_consultation(world)
    submit_council_reaction(world, consultation)
    sign_in_as(client, world.user("buyer"))
    page = client.get(f"/consultaties/{consultation.id}").get_data(as_text=True)
    assert f'href="/analyse/consultaties/{consultation.id}" id="analysis-link"' in page
    overview = client.get(f"/consultaties/{consultation.id}/overzicht").get_data(as_text=True)
    for path in ("", "/codeboek", "/samenvatting", "/reactienota"):
        url = f"/analyse/consultaties/{consultation.id}{path}"
        assert f'href="{url}"' in overview, url
        answer = client.get(url)
        assert answer.status_code == 200, url
    analysis = client.get(f"/analyse/consultaties/{consultation.id}").get_data(as_text=True)
    assert f'href="/consultaties/{consultation.id}/overzicht" id="consultation-link"' in analysis


def test_a_closed_consultation_links_to_its_analysis_even_without_reactions(client, world):
    consultation = open_consultation(world)
    now = services.now_utc()
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(opens_at=now - timedelta(days=20), closes_at=now - timedelta(minutes=1)))
    db.session.commit()
    sign_in_as(client, world.user("policy_officer"))
    page = client.get(f"/consultaties/{consultation.id}/zienswijzen").get_data(as_text=True)
    assert 'id="analysis-link"' in page


def test_the_lists_of_consultations_and_of_analyses_link_to_each_other(client, world):
    sign_in_as(client, world.user("policy_officer"))
    with client.session_transaction() as session:
        session["locale"] = "en"
    main = client.get("/consultaties").get_data(as_text=True).split("<main", 1)[1]
    assert '<a href="/analyse/consultaties">Analysis of the reactions</a>' in main
    main = client.get("/analyse/consultaties").get_data(as_text=True).split("<main", 1)[1]
    assert '<a href="/consultaties">All consultations</a>' in main
