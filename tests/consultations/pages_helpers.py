"""Builders for the consultation page tests and the route matrix: a draft, an open consultation with everything."""

from __future__ import annotations

import io
from datetime import timedelta

from consultations import services
from consultations.models import Audience, QuestionKind
from portal.extensions import db
from portal.files.services import save_upload
from tests.files_samples import pdf


def stored_pdf(owner, name: str = "brief.pdf"):
    """Store a small PDF in the file store and return its row."""
    return save_upload(db.session, stream=io.BytesIO(pdf()), filename=name, owner=owner, uploaded_by=None)


def draft_consultation(world, title: str = "Concept inkoopstrategie"):
    """A draft consultation of region one with one question."""
    now = services.now_utc()
    consultation = services.create_consultation(
        db.session, region=world.region, title=title, summary="Een concept.", opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=30), audiences=list(Audience), municipalities=[world.municipality],
        residents_may_react=True, actor=world.user("policy_officer"))
    services.add_question(db.session, consultation=consultation, key="q1", text="Wat vindt u ervan?",
                          kind=QuestionKind.OPEN, actor=world.user("policy_officer"))
    db.session.commit()
    return consultation


def open_consultation(world, title: str = "Concept inkoopkader jeugdhulp 2027", closes_in=timedelta(days=14)):
    """An open consultation of region one: five kinds of question, a document, residents welcome."""
    now = services.now_utc()
    officer = world.user("policy_officer")
    consultation = services.create_consultation(
        db.session, region=world.region, title=title,
        summary="We willen jeugdhulp anders inkopen.\nWat vindt u ervan?",
        opens_at=now - timedelta(days=1), closes_at=now + closes_in, audiences=list(Audience),
        municipalities=[world.municipality], residents_may_react=True, publish_reactions=True, actor=officer)
    questions = [
        ("q1", "Kunt u zich vinden in de voorgestelde koers?", QuestionKind.AGREEMENT, (), "Vind je de plannen goed?"),
        ("q2", "Welke punten wilt u ons meegeven?", QuestionKind.OPEN, (), "Wat wil je ons nog zeggen?"),
        ("q3", "Welke vorm van hulp is het belangrijkst?", QuestionKind.SINGLE, ("Thuis", "Op school"), None),
        ("q4", "Waar moeten we op letten?", QuestionKind.MULTIPLE, ("Wachttijd", "Kwaliteit", "Kosten"), None),
        ("q5", "Hoe tevreden bent u over de huidige jeugdhulp?", QuestionKind.SCALE, (), "Hoe blij ben je met de hulp nu?"),
    ]
    for key, text, kind, options, plain in questions:
        services.add_question(db.session, consultation=consultation, key=key, text=text, kind=kind, options=options,
                              plain_text=plain, actor=officer)
    services.add_document(db.session, consultation=consultation, title="Concept inkoopkader", version="0.9",
                          file_key=stored_pdf(world.region, "inkoopkader.pdf").key, actor=officer)
    services.publish_consultation(db.session, consultation=consultation, actor=officer,
                                  now=now - timedelta(days=2))
    db.session.commit()
    return consultation
