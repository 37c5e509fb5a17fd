"""Fixtures for the consultation stories: an open consultation of region one with three questions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultations import services
from consultations.models import Audience, QuestionKind
from portal.extensions import db

#: The three questions a real round asked every audience (DOMAIN.md, Consultations).
QUESTIONS = [
    ("q1", "Kunt u zich vinden in de voorgestelde koers?", QuestionKind.AGREEMENT),
    ("q2", "Kunt u zich vinden in de uitgangspunten?", QuestionKind.AGREEMENT),
    ("q3", "Welke punten wilt u ons meegeven?", QuestionKind.OPEN),
]


def make_consultation(world, *, opens_in=timedelta(days=-1), closes_in=timedelta(days=14),
                      audiences=tuple(Audience), residents_may_react=True, publish=True):
    """Create a consultation of region one with the three questions, published unless told."""
    now = services.now_utc()
    consultation = services.create_consultation(
        db.session, region=world.region, title="Concept inkoopkader jeugdhulp 2026",
        summary="We willen jeugdhulp anders inkopen. Wat vindt u ervan?",
        opens_at=now + opens_in, closes_at=now + closes_in, audiences=audiences,
        municipalities=[world.municipality], residents_may_react=residents_may_react,
        actor=world.user("policy_officer"),
    )
    for key, text, kind in QUESTIONS:
        services.add_question(db.session, consultation=consultation, key=key, text=text, kind=kind,
                              actor=world.user("policy_officer"))
    if publish:
        services.publish_consultation(db.session, consultation=consultation, actor=world.user("policy_officer"))
    db.session.commit()
    return consultation


@pytest.fixture
def consultation(world):
    """An open consultation that closes in two weeks, asking every audience."""
    return make_consultation(world)


@pytest.fixture(autouse=True)
def _english_messages(app):
    """Compare messages in the source language; the Dutch catalogue is tested elsewhere."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
