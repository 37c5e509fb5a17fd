"""Who may use the routes of the consultation analysis: policy officers and region administrators
act, other staff of the region read, everyone else is refused; the outcome page is public once
published and the feedback pages belong to their respondent."""

from __future__ import annotations

from consultations.analysis import memo, responses
from consultations.models import Meeting, MeetingQuestion, Point, Response
from portal.extensions import db
from tests.conftest import World
from tests.matrices import POST, STAFF, Case, only, public

ANALYSTS = {"policy_officer", "region_admin"}
P = "/analyse/consultaties/"


def _c(path: str):
    return lambda w: P + str(w.analysis_id) + path.format(w=w)


MATRIX: dict[tuple[str, str], Case] = {
    ("analysis.consultations", "/analyse/consultaties"): only(STAFF, "/analyse/consultaties"),
    ("analysis.index", P + "<int:consultation_id>"): only(STAFF, _c("")),
    ("analysis.split_all", P + "<int:consultation_id>/punten/voorstellen"): only(ANALYSTS, _c("/punten/voorstellen"), POST),
    ("analysis.meeting_points", P + "<int:consultation_id>/bijeenkomsten/<int:meeting_id>/punten"): only(
        ANALYSTS, _c("/bijeenkomsten/{w.analysis_meeting_id}/punten"), POST),
    ("analysis.reaction", P + "<int:consultation_id>/reacties/<int:response_id>"): only(
        STAFF, _c("/reacties/{w.analysis_response_id}")),
    ("analysis.split_reaction", P + "<int:consultation_id>/reacties/<int:response_id>/splitsen"): only(
        ANALYSTS, _c("/reacties/{w.analysis_response_id}/splitsen"), POST),
    ("analysis.edit_point", P + "<int:consultation_id>/punten/<int:point_id>/tekst"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}/tekst"), POST),
    ("analysis.split_point", P + "<int:consultation_id>/punten/<int:point_id>/splitsen"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}/splitsen"), POST),
    ("analysis.merge_point", P + "<int:consultation_id>/punten/<int:point_id>/samenvoegen"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}/samenvoegen"), POST),
    ("analysis.coding", P + "<int:consultation_id>/coderen"): only(STAFF, _c("/coderen")),
    ("analysis.code_point", P + "<int:consultation_id>/punten/<int:point_id>/thema"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}/thema"), POST),
    ("analysis.codebook", P + "<int:consultation_id>/codeboek"): only(STAFF, _c("/codeboek")),
    ("analysis.add_theme", P + "<int:consultation_id>/codeboek"): only(ANALYSTS, _c("/codeboek"), POST),
    ("analysis.edit_theme", P + "<int:consultation_id>/codeboek/<int:theme_id>"): only(
        ANALYSTS, _c("/codeboek/{w.analysis_theme_id}"), POST),
    ("analysis.merge_theme", P + "<int:consultation_id>/codeboek/<int:theme_id>/samenvoegen"): only(
        ANALYSTS, _c("/codeboek/{w.analysis_theme_id}/samenvoegen"), POST),
    ("analysis.propose", P + "<int:consultation_id>/voorstel"): only(STAFF, _c("/voorstel")),
    ("analysis.accept_proposal", P + "<int:consultation_id>/voorstel"): only(ANALYSTS, _c("/voorstel"), POST),
    ("analysis.reactions", P + "<int:consultation_id>/reacties-op-punten"): only(STAFF, _c("/reacties-op-punten")),
    ("analysis.point", P + "<int:consultation_id>/punten/<int:point_id>"): only(STAFF, _c("/punten/{w.analysis_point_id}")),
    ("analysis.save_reaction", P + "<int:consultation_id>/punten/<int:point_id>"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}"), POST),
    ("analysis.review_reaction", P + "<int:consultation_id>/punten/<int:point_id>/beoordelen"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}/beoordelen"), POST),
    ("analysis.finalise_reaction", P + "<int:consultation_id>/punten/<int:point_id>/definitief"): only(
        ANALYSTS, _c("/punten/{w.analysis_point_id}/definitief"), POST),
    ("analysis.summary", P + "<int:consultation_id>/samenvatting"): only(STAFF, _c("/samenvatting")),
    ("analysis.memo_page", P + "<int:consultation_id>/reactienota"): only(STAFF, _c("/reactienota")),
    ("analysis.memo_html", P + "<int:consultation_id>/reactienota.html"): only(STAFF, _c("/reactienota.html")),
    ("analysis.memo_pdf", P + "<int:consultation_id>/reactienota.pdf"): only(STAFF, _c("/reactienota.pdf")),
    ("analysis.memo_docx", P + "<int:consultation_id>/reactienota.docx"): only(STAFF, _c("/reactienota.docx")),
    ("analysis.finalise_memo", P + "<int:consultation_id>/reactienota/definitief"): only(
        ANALYSTS, _c("/reactienota/definitief"), POST),
    ("analysis.preview", P + "<int:consultation_id>/openbaar"): only(STAFF, _c("/openbaar")),
    ("analysis.publish", P + "<int:consultation_id>/openbaar"): only(ANALYSTS, _c("/openbaar"), POST),
    ("analysis.withdraw", P + "<int:consultation_id>/openbaar/intrekken"): only(ANALYSTS, _c("/openbaar/intrekken"), POST),
    ("analysis.outcome", "/consultaties/<int:consultation_id>/uitkomst"): public(
        lambda w: f"/consultaties/{w.analysis_published_id}/uitkomst"),
    ("analysis.feedback_overview", P + "<int:consultation_id>/terugkoppeling"): only(STAFF, _c("/terugkoppeling")),
    ("analysis.feedback_page", P + "<int:consultation_id>/terugkoppeling/<int:response_id>"): only(
        STAFF, _c("/terugkoppeling/{w.analysis_response_id}")),
    ("analysis.send_feedback", P + "<int:consultation_id>/terugkoppeling/versturen"): only(
        ANALYSTS, _c("/terugkoppeling/versturen"), POST),
    ("analysis.invitee_feedback", "/consultaties/terugkoppeling/<token>"): public(
        lambda w: f"/consultaties/terugkoppeling/{w.analysis_token}"),
    ("analysis.my_feedback", "/consultaties/<int:consultation_id>/mijn-terugkoppeling"): only(
        {"body_member"}, lambda w: f"/consultaties/{w.analysis_id}/mijn-terugkoppeling"),
}


def prepare(world: World) -> None:
    """Add an analysed consultation in world.region with a body's reaction, an invited person's
    reaction, a meeting, themes and points, and a second consultation whose outcome is public."""
    from datetime import timedelta

    from consultations import services
    from consultations.models import Audience
    from tests.consultations.data import import_consultation, points

    officer = world.user("policy_officer")
    data = points()
    consultation = import_consultation(world.region, labelled=data[:12], coded_every=2)
    reactions = sorted(consultation_responses(consultation), key=lambda r: r.id)
    body_response = next(r for r in reactions if r.audience is Audience.GEMEENTERAAD)
    invited_response = next(r for r in reactions if r.audience is Audience.ERVARINGSDESKUNDIGE)
    body_response.body_id = world.council.id
    invitation, token = services.invite_individual(
        db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, name="Sam",
        email="sam@example.org", actor=officer)
    invited_response.invitation_id = invitation.id
    meeting = Meeting(consultation_id=consultation.id, title="Informatieavond", audience=Audience.GEMEENTERAAD,
                      attendees=12, held_at=services.now_utc() - timedelta(days=30))
    meeting.questions.append(MeetingQuestion(position=1, question="Hoe lang zijn de wachtlijsten?"))
    db.session.add(meeting)
    db.session.flush()
    point = db.session.query(Point).filter(Point.consultation_id == consultation.id).order_by(Point.id).first()

    published = import_consultation(world.region, labelled=data[12:16], coded_every=1)
    for p in db.session.query(Point).filter(Point.consultation_id == published.id):
        responses.save_reaction(db.session, point=p, text="Wij nemen dit mee.", disposition="noted", reason=None,
                                owner=None, seen_version=None, actor=officer)
        responses.review_reaction(db.session, point=p, seen_version=None, actor=world.user("region_admin"))
        responses.finalise_reaction(db.session, point=p, seen_version=None, actor=officer)
    memo.finalise_memo(db.session, consultation=published, actor=officer)
    memo.publish(db.session, consultation=published, checked=True, actor=officer)
    db.session.commit()
    world.analysis_id = consultation.id
    world.analysis_published_id = published.id
    world.analysis_response_id = body_response.id
    world.analysis_point_id = point.id
    world.analysis_theme_id = consultation.themes[0].id
    world.analysis_meeting_id = meeting.id
    world.analysis_token = token


def consultation_responses(consultation) -> list[Response]:
    """Return the consultation's reactions."""
    return list(db.session.query(Response).filter(Response.consultation_id == consultation.id))
