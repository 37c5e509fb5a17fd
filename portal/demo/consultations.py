"""The demo region's consultation: open, with questions, a document, bodies at work, an invited expert
and a formal view due soon. Everything is fictional."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import now
from portal.demo.documents import text_pdf
from portal.files.services import save_upload
from portal.mail import queue_email
from portal.models import Body, BodyKind, Region, User

TITLE = "Concept inkoopkader jeugdhulp Demo-Veluwe 2027 (fictief)"
SUMMARY = (
    "De gemeenten van de regio willen de jeugdhulp vanaf 2027 anders inkopen: minder aanbieders per kind, "
    "meer hulp dichtbij huis en kortere wachttijden.\n"
    "Wij vragen u: kunt u zich vinden in de koers en de uitgangspunten, en wat wilt u ons meegeven? "
    "Reageren kan tot de sluitingsdatum."
)
#: The three questions a real round asked every audience, with wording for young people.
QUESTIONS = [
    ("q1", "Kunt u zich vinden in de voorgestelde koers?", "agreement", "Vind je de plannen goed?"),
    ("q2", "Kunt u zich vinden in de uitgangspunten?", "agreement", "Vind je de regels die we kiezen goed?"),
    ("q3", "Welke punten wilt u ons meegeven?", "open", "Wat moeten we zeker weten of beter doen?"),
]


def seed_consultation(session: Session, region: Region, officer: User | None, council_member: User | None) -> int:
    """Create the demo consultation when missing; return how many consultations were created."""
    from consultations import services
    from consultations.models import Audience, Consultation
    from consultations.services import AnswerInput

    if session.scalar(select(Consultation.id).where(Consultation.title == TITLE)) is not None:
        return 0
    moment = now()
    consultation = services.create_consultation(
        session, region=region, title=TITLE, summary=SUMMARY, opens_at=moment - timedelta(days=7),
        closes_at=moment + timedelta(days=28), audiences=list(Audience), municipalities=region.municipalities,
        publish_reactions=True, residents_may_react=True, actor=officer,
    )
    for key, text, kind, plain in QUESTIONS:
        services.add_question(session, consultation=consultation, key=key, text=text, kind=kind, plain_text=plain,
                              actor=officer)
    pdf = text_pdf("Concept inkoopkader jeugdhulp 2027 (fictief)", [
        "Dit is een verzonnen document voor de demo.",
        "1. Koers: hulp dichtbij huis, minder schakels.",
        "2. Uitgangspunten: Open House, kwaliteit boven prijs.",
    ])
    stored = save_upload(session, stream=io.BytesIO(pdf), filename="Concept inkoopkader 2027.pdf", owner=region,
                         uploaded_by=officer)
    services.add_document(session, consultation=consultation, title="Concept inkoopkader jeugdhulp 2027",
                          version="0.9", file_key=stored.key, actor=officer)
    services.publish_consultation(session, consultation=consultation, actor=officer, now=moment - timedelta(days=7))
    councils = session.scalars(
        select(Body).where(Body.body_kind == BodyKind.GEMEENTERAAD, Body.municipality_id.in_(
            [m.id for m in region.municipalities])).order_by(Body.name)
    ).all()
    if councils:
        services.expect_formal_view(session, consultation=consultation, body=councils[0],
                                    deadline=moment + timedelta(days=5), actor=officer)
    if council_member is not None:
        body = next((m.organisation for m in council_member.memberships if isinstance(m.organisation, Body)), None)
        if body is not None:
            services.save_body_draft(
                session, consultation=consultation, body=body, actor=council_member, seen_version=None,
                answers={"q1": AnswerInput(choice="deels eens"),
                         "q3": AnswerInput(text="Let op de wachttijden voor jeugd-GGZ in de kleine kernen.")},
            )
    invitation, token = services.invite_individual(
        session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, name="Sam (jongerenpanel)",
        email="sam.jongerenpanel@demo.example.org", actor=officer,
    )
    base = current_app.config["PORTAL_SETTINGS"].base_url.rstrip("/")
    queue_email(session, to=invitation.email, subject=f"Jouw persoonlijke link om te reageren: {TITLE}",
                template="email/consultation_personal_link.txt", invitation=invitation, consultation=consultation,
                link=f"{base}/mijn-reactie/{token}", closes=services.local_label(consultation.closes_at))
    session.flush()
    return 1
