"""The analysis pages as staff, respondents and the public use them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consultations import services as consultation_services
from consultations.analysis import memo, responses
from consultations.analysis.models import PointReaction, ReactionStatus
from consultations.models import Audience, Point, Response
from portal.extensions import db
from portal.models import User
from tests.conftest import find, sign_in_as
from tests.consultations.data import import_consultation, points
from tests.querycount import count_queries, nothing_kept

P = "/analyse/consultaties/"


def _english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _points(consultation) -> list[Point]:
    return list(db.session.scalars(select(Point).where(Point.consultation_id == consultation.id).order_by(Point.id)))


def _finalise_all(world, consultation, text="Wij nemen dit mee."):
    for point in _points(consultation):
        responses.save_reaction(db.session, point=point, text=text, disposition="noted", reason=None, owner=None,
                                seen_version=None, actor=world.user("policy_officer"))
        responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("region_admin"))
        responses.finalise_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    db.session.commit()


def test_another_regions_staff_get_404(client, world):
    consultation = import_consultation(world.region, labelled=points()[:4])
    db.session.commit()
    outsider = db.session.scalar(select(User).where(User.email == "other_region_admin@test.example.org"))
    sign_in_as(client, outsider)

    for path in ("", "/coderen", "/codeboek", "/reactienota", "/reactienota.pdf", "/openbaar", "/terugkoppeling"):
        assert client.get(f"{P}{consultation.id}{path}").status_code == 404, path
    assert client.post(f"{P}{consultation.id}/punten/voorstellen").status_code == 404


def test_a_suggestion_is_accepted_with_one_click_and_the_next_suggestions_learn_from_it(client, world):
    consultation = import_consultation(world.region, labelled=points()[:20])
    db.session.commit()
    sign_in_as(client, world.user("policy_officer"))

    page = client.get(f"{P}{consultation.id}/coderen").get_data(as_text=True)
    point = _points(consultation)[0]
    form = re.search(rf'name="c{point.id}-theme" value="(\d+)">\s*<input type="hidden" name="c{point.id}-version" value="(\d+)"', page)
    assert form, "each suggestion is a one-click form"
    answer = client.post(f"{P}{consultation.id}/punten/{point.id}/thema",
                         data={f"c{point.id}-theme": form.group(1), f"c{point.id}-version": form.group(2)})

    assert answer.status_code == 302
    assert find(Point, point.id).theme_id == int(form.group(1))
    assert f'id="punt-{point.id}"' not in client.get(f"{P}{consultation.id}/coderen").get_data(as_text=True)


def test_coding_an_outdated_copy_answers_422_with_a_clear_message(client, world):
    consultation = import_consultation(world.region, labelled=points()[:4])
    db.session.commit()
    point = _points(consultation)[0]
    theme = consultation.themes[0]
    sign_in_as(client, world.user("policy_officer"))
    _english(client)

    client.post(f"{P}{consultation.id}/punten/{point.id}/thema", data={f"c{point.id}-theme": theme.id, f"c{point.id}-version": 1})
    answer = client.post(f"{P}{consultation.id}/punten/{point.id}/thema",
                         data={f"c{point.id}-theme": consultation.themes[1].id, f"c{point.id}-version": 1})

    assert answer.status_code == 422
    assert "Someone else changed this point" in answer.get_data(as_text=True)
    assert find(Point, point.id).theme_id == theme.id


def test_a_reaction_without_the_reason_for_not_adopting_keeps_what_was_typed(client, world):
    consultation = import_consultation(world.region, labelled=points()[:2])
    db.session.commit()
    point = _points(consultation)[0]
    sign_in_as(client, world.user("policy_officer"))

    answer = client.post(f"{P}{consultation.id}/punten/{point.id}",
                         data={"reaction": "Dit past niet in het kader.", "disposition": "not_adopted", "reason": "",
                               "owner": world.user("policy_officer").id, "version": ""})

    assert answer.status_code == 422
    assert "Dit past niet in het kader." in answer.get_data(as_text=True)
    assert db.session.get(PointReaction, point.id) is None


def test_the_writer_cannot_review_their_own_reaction_through_the_page(client, world):
    consultation = import_consultation(world.region, labelled=points()[:2])
    db.session.commit()
    point = _points(consultation)[0]
    sign_in_as(client, world.user("policy_officer"))
    client.post(f"{P}{consultation.id}/punten/{point.id}",
                data={"reaction": "Wij nemen dit mee.", "disposition": "noted", "owner": world.user("policy_officer").id})

    answer = client.post(f"{P}{consultation.id}/punten/{point.id}/beoordelen", data={"version": 1})

    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(PointReaction, point.id).status is ReactionStatus.DRAFT


def test_the_reactienota_page_refuses_to_finalise_with_an_open_point_and_offers_downloads(client, world):
    consultation = import_consultation(world.region, labelled=points()[:3], coded_every=1)
    db.session.commit()
    sign_in_as(client, world.user("policy_officer"))

    client.post(f"{P}{consultation.id}/reactienota/definitief")
    assert memo.report_of(db.session, consultation) is None

    pdf = client.get(f"{P}{consultation.id}/reactienota.pdf")
    docx = client.get(f"{P}{consultation.id}/reactienota.docx")
    html = client.get(f"{P}{consultation.id}/reactienota.html")
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    assert docx.data.startswith(b"PK") and "attachment" in docx.headers["Content-Disposition"]
    assert points()[0].text in html.get_data(as_text=True)


def test_the_public_page_is_previewed_masked_then_published(client, world):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    consultation.publish_reactions = True
    reaction = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id).order_by(Response.id)).first()
    reaction.respondent = "Pieter Bakker"
    reaction.answers[1].text += "\n\nBel Pieter Bakker op 06-12345678 of mail pieter@example.org. BSN 123456782."
    db.session.commit()
    _finalise_all(world, consultation)
    memo.finalise_memo(db.session, consultation=consultation, actor=world.user("policy_officer"))
    db.session.commit()

    assert client.get(f"/consultaties/{consultation.id}/uitkomst").status_code == 404
    sign_in_as(client, world.user("policy_officer"))
    preview = client.get(f"{P}{consultation.id}/openbaar").get_data(as_text=True)
    for secret in ("06-12345678", "pieter@example.org", "123456782", "Pieter Bakker"):
        assert secret not in preview, secret
    assert "[e-mailadres]" in preview and "[telefoonnummer]" in preview

    refused = client.post(f"{P}{consultation.id}/openbaar", data={})
    assert refused.status_code == 422 and memo.report_of(db.session, consultation).published_at is None
    assert client.post(f"{P}{consultation.id}/openbaar", data={"checked": "y"}).status_code == 302

    with client.session_transaction() as session:
        session.clear()
    public = client.get(f"/consultaties/{consultation.id}/uitkomst")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "06-12345678" not in text and "Pieter Bakker" not in text and points()[1].text in text


def test_an_invited_person_sees_only_their_own_points_through_their_link(client, world):
    consultation = import_consultation(world.region, labelled=points()[:12], coded_every=1)
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id).order_by(Response.id)).all()
    mine = next(r for r in reactions if r.audience is Audience.ERVARINGSDESKUNDIGE)
    invitation, token = consultation_services.invite_individual(
        db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, actor=world.user("policy_officer"))
    mine.invitation_id = invitation.id
    db.session.commit()
    _finalise_all(world, consultation, text="Hier is onze reactie.")

    answer = client.get(f"/consultaties/terugkoppeling/{token}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)

    own = {p.text for a in mine.answers for p in a.points}
    others = {p.text for r in reactions if r.id != mine.id for a in r.answers for p in a.points}
    assert own and all(text in page for text in own), page[-3000:]
    assert not any(text in page for text in others)
    assert "Hier is onze reactie." in page
    assert client.get("/consultaties/terugkoppeling/wrong-token").status_code == 404


def test_a_council_member_sees_their_bodys_feedback(client, world):
    consultation = import_consultation(world.region, labelled=points()[:12], coded_every=1)
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id).order_by(Response.id)).all()
    council = next(r for r in reactions if r.audience is Audience.GEMEENTERAAD)
    council.body_id = world.council.id
    db.session.commit()
    sign_in_as(client, world.user("body_member"))

    page = client.get(f"/consultaties/{consultation.id}/mijn-terugkoppeling").get_data(as_text=True)

    assert all(p.text in page for a in council.answers for p in a.points)
    others = [p.text for r in reactions if r.id != council.id for a in r.answers for p in a.points]
    assert not any(text in page for text in others)


def _grow_and_count(client, world, path_of, sizes=(6, 30)):
    counts = []
    for size in sizes:
        consultation = import_consultation(world.region, labelled=points()[:size], coded_every=2)
        db.session.commit()
        _finalise_all(world, consultation)
        path = path_of(consultation.id)
        nothing_kept()
        with count_queries() as counter:
            status = client.get(path).status_code
        assert status == 200
        counts.append(counter.count)
    return counts


@pytest.mark.parametrize("page", ["", "/coderen", "/reacties-op-punten", "/samenvatting", "/reactienota",
                                  "/openbaar", "/terugkoppeling", "/codeboek", "/voorstel"])
def test_the_analysis_pages_do_not_query_per_row(client, world, page):
    sign_in_as(client, world.user("policy_officer"))

    small, large = _grow_and_count(client, world, lambda cid: f"{P}{cid}{page}")

    assert large == small, f"{page}: {small} statements for 6 points, {large} for 30"


def test_the_list_of_consultations_to_analyse_does_not_query_per_row(client, world):
    sign_in_as(client, world.user("auditor"))
    counts = []
    for size in (1, 4):
        for _ in range(size):
            import_consultation(world.region, labelled=points()[:3])
        db.session.commit()
        nothing_kept()
        with count_queries() as counter:
            answer = client.get("/analyse/consultaties")
        assert answer.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert answer.get_data(as_text=True).count("/analyse/consultaties/") == 5
