"""Admission rounds: the buying team prepares and publishes; everyone reads; conditions stay frozen."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.clock import now
from portal.extensions import db
from portal.models import AuditEvent, LegalForm, Round, RoundStatus
from portal.rounds import services
from tests import files_samples
from tests.conftest import find, sign_in_as
from tests.factories import MunicipalityFactory, member
from tests.rounds.helpers import draft_round, evidence_type, published_round
from tests.querycount import count_queries, nothing_kept


def test_a_buyer_prepares_and_publishes_a_round_that_everyone_can_read(client, world):
    other = MunicipalityFactory(region=world.region, name="Tweedorp-Noord")
    sign_in_as(client, world.user("buyer"))
    response = client.post("/rondes/nieuw", data={"title": "Open House Jeugd 2028", "description": "Alle jeugdhulp",
                                                  "contract_term": "4+2+2 jaar", "complaint_period_days": "20",
                                                  "questions_open_on": "2026-01-05",
                                                  "questions_close_on": "2030-01-01"})
    assert response.status_code == 302
    round = db.session.scalar(select(Round).where(Round.title == "Open House Jeugd 2028"))
    base = f"/rondes/{round.id}"
    assert client.post(f"{base}/productgroepen", data={"code": "beh", "name": "Behandeling"}).status_code == 302
    assert client.post(f"{base}/productgroepen", data={"code": "VBL", "name": "Verblijf"}).status_code == 302
    round = find(Round, round.id)
    beh, vbl = sorted(round.product_groups, key=lambda g: g.code)
    assert beh.code == "BEH"
    response = client.post(f"{base}/gemeenten", data={"municipalities": [world.municipality.id, other.id],
                                                      "closed": [f"{other.id}:{vbl.id}"]})
    assert response.status_code == 302
    assert client.post(f"{base}/toetredingsmomenten", data={"opens_on": "2026-01-01", "opens_time": "09:00",
                                                            "closes_on": "2030-06-30", "closes_time": "12:00"}).status_code == 302
    assert client.post(f"{base}/eisen", data={"evidence_type": evidence_type("gva").id, "rule": "max_age",
                                              "max_age_days": "730"}).status_code == 302
    upload = {"document": (io.BytesIO(files_samples.pdf()), "Toelatingsdocument 2028.pdf")}
    assert client.post(f"{base}/toelatingsdocument", data=upload, content_type="multipart/form-data").status_code == 302
    assert client.post(f"{base}/publiceren", data={"version": find(Round, round.id).version}).status_code == 302
    round = find(Round, round.id)
    assert round.status is RoundStatus.PUBLISHED and round.published_at is not None

    anonymous = client.application.test_client()
    page = anonymous.get(f"/open-house/{round.id}").get_data(as_text=True)
    assert "Open House Jeugd 2028" in page and "Behandeling" in page and "Verblijf" in page
    assert "Tweedorp-Noord" in page and "Gedragsverklaring Aanbesteden" in page
    assert "20 dagen na de besluitbrief" in page
    assert "Open House Jeugd 2028" in anonymous.get("/open-house").get_data(as_text=True)
    download = anonymous.get(f"/open-house/{round.id}/toelatingsdocument")
    assert download.headers["Content-Disposition"].startswith("attachment")
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "round")))
    assert {"round.created", "round.published"} <= actions


def test_the_period_for_complaints_is_a_number_of_days_and_defaults_to_six_weeks(client, world):
    sign_in_as(client, world.user("buyer"))
    refused = client.post("/rondes/nieuw", data={"title": "Ronde zonder termijn", "complaint_period_days": "0"})
    assert refused.status_code == 422
    assert 'value="Ronde zonder termijn"' in refused.get_data(as_text=True)
    assert client.post("/rondes/nieuw", data={"title": "Ronde met standaardtermijn"}).status_code == 302
    round = db.session.scalar(select(Round).where(Round.title == "Ronde met standaardtermijn"))
    assert round.complaint_period_days == 42


def test_a_round_cannot_be_published_before_it_is_complete(client, world):
    round = draft_round(world, complete=False)
    sign_in_as(client, world.user("buyer"))
    page = client.get(f"/rondes/{round.id}/publiceren").get_data(as_text=True)
    assert "toelatingsdocument" in page.lower() or "admission document" in page.lower()
    response = client.post(f"/rondes/{round.id}/publiceren", data={"version": round.version})
    assert response.status_code == 422
    assert find(Round, round.id).status is RoundStatus.DRAFT


def test_a_draft_round_is_invisible_outside_the_buying_team(client, world):
    round = draft_round(world)
    assert client.get(f"/open-house/{round.id}").status_code == 404
    assert client.get(f"/open-house/{round.id}/toelatingsdocument").status_code == 404
    assert "Open House Jeugdhulp 2027" not in client.get("/open-house").get_data(as_text=True)
    sign_in_as(client, world.user("reviewer"))
    assert client.get(f"/open-house/{round.id}/toelatingsdocument").status_code == 200


def test_staff_of_another_region_do_not_see_the_round(client, world):
    round = draft_round(world)
    outsider = member(world.user("buyer").memberships[0].role, world.other_region)
    sign_in_as(client, outsider)
    assert client.get(f"/rondes/{round.id}").status_code == 404
    assert client.post(f"/rondes/{round.id}/productgroepen", data={"code": "X", "name": "X"}).status_code == 404


def test_the_conditions_of_a_published_round_are_frozen(client, world):
    round = published_round(world)
    sign_in_as(client, world.user("buyer"))
    response = client.post(f"/rondes/{round.id}/productgroepen", data={"code": "CRI", "name": "Crisis"})
    assert response.status_code == 422
    assert "addendum" in response.get_data(as_text=True).lower()
    assert [g.code for g in find(Round, round.id).product_groups] == ["BEH", "BGI"]
    with pytest.raises(services.RoundError):
        services.add_requirement(db.session, round=round, evidence_type=evidence_type("gva"), rule=evidence_type("gva").default_rule,
                                 max_age_days=730, financial_year=None, legal_forms=[], product_group_ids=[], note="",
                                 actor=world.user("buyer"))


def test_a_change_to_a_published_round_is_an_addendum_with_a_reason_for_all(client, world):
    round = published_round(world)
    sign_in_as(client, world.user("buyer"))
    without_reason = client.post(f"/rondes/{round.id}/toetredingsmomenten", data={
        "opens_on": "2031-01-01", "opens_time": "09:00", "closes_on": "2031-02-01", "closes_time": "12:00"})
    assert without_reason.status_code == 422
    assert len(find(Round, round.id).windows) == 1
    with_reason = client.post(f"/rondes/{round.id}/toetredingsmomenten", data={
        "opens_on": "2031-01-01", "opens_time": "09:00", "closes_on": "2031-02-01", "closes_time": "12:00",
        "reason": "Extra toetredingsmoment op verzoek van de gemeenten"})
    assert with_reason.status_code == 302
    assert client.post(f"/rondes/{round.id}/addenda", data={"text": "Paragraaf 3.2 vervalt.",
                                                            "reason": "Dubbel met paragraaf 4.1"}).status_code == 302
    page = client.application.test_client().get(f"/open-house/{round.id}").get_data(as_text=True)
    assert "Extra toetredingsmoment op verzoek van de gemeenten" in page
    assert "Paragraaf 3.2 vervalt." in page and "Dubbel met paragraaf 4.1" in page
    assert [a.number for a in find(Round, round.id).addenda] == [1, 2]


def test_the_admission_document_must_be_a_pdf(client, world):
    round = draft_round(world, complete=False)
    sign_in_as(client, world.user("buyer"))
    upload = {"document": (io.BytesIO(files_samples.office("docx")), "toelatingsdocument.docx")}
    response = client.post(f"/rondes/{round.id}/toelatingsdocument", data=upload, content_type="multipart/form-data")
    assert response.status_code == 422
    assert find(Round, round.id).admission_document is None


def test_two_buyers_editing_at_once_do_not_overwrite_each_other(client, app, world):
    round = draft_round(world, complete=False)
    colleague = member(world.user("buyer").memberships[0].role, world.region)
    form = {"title": "Titel A", "version": round.version, "questions_open_on": "", "questions_close_on": ""}
    other = app.test_client()
    sign_in_as(other, colleague)
    assert other.post(f"/rondes/{round.id}/bewerken", data={**form, "title": "Titel van collega"}).status_code == 302
    sign_in_as(client, world.user("buyer"))
    response = client.post(f"/rondes/{round.id}/bewerken", data={**form, "title": "Mijn titel"})
    assert response.status_code == 422
    assert 'value="Mijn titel"' in response.get_data(as_text=True)
    assert find(Round, round.id).title == "Titel van collega"


def test_questions_are_published_without_who_asked(client, app, world):
    round = published_round(world)
    provider_client = app.test_client()
    sign_in_as(provider_client, world.user("provider_admin"))
    response = provider_client.post(f"/open-house/{round.id}/vragen",
                                    data={"question": "Wij zijn Aanbieder Een. Geldt de SKJ-eis ook voor begeleiding?"})
    assert response.status_code == 302
    sign_in_as(client, world.user("buyer"))
    staff_page = client.get(f"/rondes/{round.id}/vragen").get_data(as_text=True)
    assert "Aanbieder Een" in staff_page  # the buying team knows who asked
    question = services.questions_of(db.session, find(Round, round.id))[0]
    response = client.post(f"/rondes/vragen/{question.id}/antwoord", data={
        f"q{question.id}-published_question": "Geldt de SKJ-eis ook voor begeleiding?",
        f"q{question.id}-answer": "Nee, alleen voor behandeling.", f"q{question.id}-version": question.version})
    assert response.status_code == 302
    public_page = app.test_client().get(f"/open-house/{round.id}").get_data(as_text=True)
    assert "Nee, alleen voor behandeling." in public_page
    assert "Geldt de SKJ-eis ook voor begeleiding?" in public_page
    assert "Aanbieder Een" not in public_page


def test_questions_outside_the_questions_period_are_refused(client, world):
    round = published_round(world)
    round.questions_close_at = now() - timedelta(minutes=1)
    db.session.commit()
    sign_in_as(client, world.user("provider_member"))
    response = client.post(f"/open-house/{round.id}/vragen", data={"question": "Te laat?"})
    assert response.status_code == 422
    assert services.questions_of(db.session, find(Round, round.id)) == []


def test_a_requirement_applies_by_legal_form_and_product_group(world):
    round = draft_round(world)
    by_code = {requirement.evidence_type.code: requirement for requirement in round.requirements}
    kvk, skj, wnt = by_code["kvk_extract"], by_code["skj_big"], by_code["wnt_statement"]
    beh = next(g.id for g in round.product_groups if g.code == "BEH")
    bgi = next(g.id for g in round.product_groups if g.code == "BGI")
    assert services.applies_to(kvk, LegalForm.EENMANSZAAK, {bgi})
    assert services.applies_to(skj, LegalForm.STICHTING, {beh}) and not services.applies_to(skj, LegalForm.STICHTING, {bgi})
    assert services.applies_to(wnt, LegalForm.STICHTING, {bgi}) and not services.applies_to(wnt, LegalForm.EENMANSZAAK, {bgi})


def test_the_public_round_page_does_not_query_more_for_bigger_rounds(client, world):
    small = published_round(world, "Klein")
    big = draft_round(world, "Groot")
    actor = world.user("buyer")
    for n in range(8):
        services.add_product_group(db.session, round=big, code=f"P{n}", name=f"Product {n}", description="", actor=actor)
        MunicipalityFactory(region=world.region)
    db.session.commit()
    services.set_municipalities(db.session, round=big, closed={m.id: {big.product_groups[0].id} for m in world.region.municipalities},
                                actor=actor)
    services.publish(db.session, round=big, seen_version=None, actor=actor)
    db.session.commit()
    client.get(f"/open-house/{small.id}")
    nothing_kept()
    with count_queries() as few:
        client.get(f"/open-house/{small.id}")
    nothing_kept()
    with count_queries() as many:
        client.get(f"/open-house/{big.id}")
    assert many.count == few.count
