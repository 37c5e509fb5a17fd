"""Who may use the routes of the consultation pages (staff, respondents, invitees, the public)."""

from __future__ import annotations

from datetime import timedelta

from consultations import services
from consultations.models import Audience
from consultations.services import AnswerInput
from portal.extensions import db
from tests.conftest import World
from tests.matrices import FORM, GET, POST, STAFF, public, signed_in, only

MANAGERS = {"policy_officer", "region_admin"}
RESPONDENTS = {"body_member", "provider_admin", "provider_member"}
PROVIDERS = {"provider_admin", "provider_member"}


def _staff(path: str, roles=STAFF, methods=GET):
    return only(roles, lambda w: path.format(w=w), methods)


MATRIX = {
    ("consultations.index", "/consultaties"): only(STAFF, "/consultaties"),
    ("consultations.new", "/consultaties/nieuw"): only(MANAGERS, "/consultaties/nieuw", FORM),
    ("consultations.show", "/consultaties/<int:consultation_id>"): _staff("/consultaties/{w.c_draft}"),
    ("consultations.edit", "/consultaties/<int:consultation_id>/bewerken"): _staff(
        "/consultaties/{w.c_draft}/bewerken", MANAGERS, FORM),
    ("consultations.add_question", "/consultaties/<int:consultation_id>/vragen"): _staff(
        "/consultaties/{w.c_draft}/vragen", MANAGERS, POST),
    ("consultations.add_document", "/consultaties/<int:consultation_id>/documenten"): _staff(
        "/consultaties/{w.c_draft}/documenten", MANAGERS, POST),
    ("consultations.staff_document", "/consultaties/<int:consultation_id>/documenten/<int:document_id>"): _staff(
        "/consultaties/{w.c_open}/documenten/{w.c_document}"),
    ("consultations.publish", "/consultaties/<int:consultation_id>/publiceren"): _staff(
        "/consultaties/{w.c_draft}/publiceren", MANAGERS, POST),
    ("consultations.invite", "/consultaties/<int:consultation_id>/uitnodigingen"): _staff(
        "/consultaties/{w.c_open}/uitnodigingen", MANAGERS, POST),
    ("consultations.revoke_invitation", "/consultaties/<int:consultation_id>/uitnodigingen/<int:invitation_id>/intrekken"): _staff(
        "/consultaties/{w.c_open}/uitnodigingen/{w.c_invitation}/intrekken", MANAGERS, POST),
    ("consultations.renew_invitation", "/consultaties/<int:consultation_id>/uitnodigingen/<int:invitation_id>/vernieuwen"): _staff(
        "/consultaties/{w.c_open}/uitnodigingen/{w.c_invitation}/vernieuwen", MANAGERS, POST),
    ("consultations.overview", "/consultaties/<int:consultation_id>/overzicht"): _staff(
        "/consultaties/{w.c_open}/overzicht"),
    ("consultations.invite_bodies", "/consultaties/<int:consultation_id>/organen-uitnodigen"): _staff(
        "/consultaties/{w.c_open}/organen-uitnodigen", MANAGERS, POST),
    ("consultations.formal_views", "/consultaties/<int:consultation_id>/zienswijzen"): _staff(
        "/consultaties/{w.c_open}/zienswijzen"),
    ("consultations.expect_formal_view", "/consultaties/<int:consultation_id>/zienswijzen"): _staff(
        "/consultaties/{w.c_open}/zienswijzen", MANAGERS, POST),
    ("consultations.receive_formal_view", "/consultaties/<int:consultation_id>/zienswijzen/<int:view_id>/ontvangen"): _staff(
        "/consultaties/{w.c_open}/zienswijzen/{w.c_view}/ontvangen", MANAGERS, POST),
    ("consultations.formal_view_letter", "/consultaties/<int:consultation_id>/zienswijzen/<int:view_id>/brief"): _staff(
        "/consultaties/{w.c_open}/zienswijzen/{w.c_received_view}/brief"),
    ("consultations.remind_councils", "/consultaties/<int:consultation_id>/zienswijzen/herinneren"): _staff(
        "/consultaties/{w.c_open}/zienswijzen/herinneren", MANAGERS, POST),
    ("consultations.meetings", "/consultaties/<int:consultation_id>/bijeenkomsten"): _staff(
        "/consultaties/{w.c_open}/bijeenkomsten"),
    ("consultations.record_meeting", "/consultaties/<int:consultation_id>/bijeenkomsten"): _staff(
        "/consultaties/{w.c_open}/bijeenkomsten", MANAGERS, POST),
    ("consultations.add_meeting_question", "/consultaties/<int:consultation_id>/bijeenkomsten/<int:meeting_id>/vragen"): _staff(
        "/consultaties/{w.c_open}/bijeenkomsten/{w.c_meeting}/vragen", MANAGERS, POST),
    ("consultations.complete_follow_up",
     "/consultaties/<int:consultation_id>/bijeenkomsten/vragen/<int:entry_id>/afgerond"): _staff(
        "/consultaties/{w.c_open}/bijeenkomsten/vragen/{w.c_entry}/afgerond", MANAGERS, POST),
    ("consultations.my_consultations", "/reageren"): only(RESPONDENTS, "/reageren"),
    ("consultations.react", "/reageren/<int:consultation_id>"): only(
        RESPONDENTS, lambda w: f"/reageren/{w.c_open}", FORM),
    ("consultations.withdraw", "/reageren/<int:consultation_id>/intrekken"): only(
        RESPONDENTS, lambda w: f"/reageren/{w.c_open}/intrekken", POST),
    ("consultations.reopen", "/reageren/<int:consultation_id>/wijzigen"): only(
        RESPONDENTS, lambda w: f"/reageren/{w.c_open}/wijzigen", POST),
    # The council's own members and the region's staff read its attachment; providers get 404.
    ("consultations.attachment", "/reacties/<int:response_id>/bijlage"): signed_in(
        lambda w: f"/reacties/{w.c_reaction}/bijlage", special={role: 404 for role in PROVIDERS}),
    ("consultations.invited", "/mijn-reactie/<token>"): public(lambda w: f"/mijn-reactie/{w.c_token}", FORM),
    ("consultations.invited_withdraw", "/mijn-reactie/<token>/intrekken"): public(
        lambda w: f"/mijn-reactie/{w.c_token}/intrekken", POST),
    ("consultations.invited_reopen", "/mijn-reactie/<token>/wijzigen"): public(
        lambda w: f"/mijn-reactie/{w.c_token}/wijzigen", POST),
    ("consultations.public_index", "/inspraak"): public("/inspraak"),
    ("consultations.public_show", "/inspraak/<int:consultation_id>"): public(lambda w: f"/inspraak/{w.c_open}"),
    ("consultations.public_document", "/inspraak/<int:consultation_id>/documenten/<int:document_id>"): public(
        lambda w: f"/inspraak/{w.c_open}/documenten/{w.c_document}"),
    ("consultations.resident", "/inspraak/<int:consultation_id>/reageren"): public(
        lambda w: f"/inspraak/{w.c_open}/reageren", FORM),
    # Without a fresh link in the session the thank-you page sends people back to the consultation.
    ("consultations.resident_thanks", "/inspraak/<int:consultation_id>/bedankt"): public(
        lambda w: f"/inspraak/{w.c_open}/bedankt"),
    ("consultations.resident_reaction", "/inspraak/reactie/<token>"): public(
        lambda w: f"/inspraak/reactie/{w.c_resident_token}", FORM),
    ("consultations.resident_withdraw", "/inspraak/reactie/<token>/intrekken"): public(
        lambda w: f"/inspraak/reactie/{w.c_resident_token}/intrekken", POST),
}


def prepare(world: World) -> None:
    """Add a draft and an open consultation with a document, formal views, a meeting, a reaction and a link."""
    from tests.consultations.pages_helpers import draft_consultation, open_consultation, stored_pdf

    officer = world.user("policy_officer")
    draft = draft_consultation(world)
    consultation = open_consultation(world)
    now = services.now_utc()
    view = services.expect_formal_view(db.session, consultation=consultation, body=world.council,
                                       deadline=now + timedelta(days=10), actor=officer)
    from tests import factories

    second_council = factories.BodyFactory(municipality=world.municipality, name="Gemeenteraad Tweede")
    received = services.expect_formal_view(db.session, consultation=consultation, body=second_council,
                                           deadline=now + timedelta(days=10), actor=officer)
    services.record_formal_view(db.session, view=received, received_at=now, letter_key=stored_pdf(world.region).key,
                                actor=officer)
    meeting = services.record_meeting(db.session, consultation=consultation, title="Informatieavond",
                                      held_at=now - timedelta(hours=5), audience=Audience.GEMEENTERAAD,
                                      attendees=20, actor=officer)
    entry = services.add_meeting_question(db.session, meeting=meeting, question="Wat kost het?",
                                          follow_up="Cijfers sturen", follow_up_owner="Team inkoop", actor=officer)
    reaction = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                        actor=world.user("body_member"),
                                        answers={"q2": AnswerInput(text="Graag meer aandacht voor wachttijden.")},
                                        seen_version=None)
    reaction.attachment_key = stored_pdf(world.council).key
    invitation, token = services.invite_individual(
        db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, name="Sam",
        email="sam@test.example.org", actor=officer)
    resident = services.submit_resident_reaction(db.session, consultation=consultation, anonymous=True,
                                                 answers={"q2": AnswerInput(text="Meer hulp op school.")})
    resident_token = services.issue_private_link(db.session, response=resident)
    db.session.commit()
    world.c_resident_token = resident_token
    world.c_draft = draft.id
    world.c_open = consultation.id
    world.c_document = consultation.documents[0].id
    world.c_view = view.id
    world.c_received_view = received.id
    world.c_meeting = meeting.id
    world.c_entry = entry.id
    world.c_reaction = reaction.id
    world.c_token = token
    world.c_invitation = invitation.id
