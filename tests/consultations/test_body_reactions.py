"""Councils and boards react together: members draft, one submits, nobody overwrites another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consultations import services
from consultations.models import Audience, Consultation, Response, ResponseStatus
from consultations.services import (
    AnswerInput,
    ConsultationError,
    ConsultationNotOpen,
    ReactionConflict,
)
from portal.extensions import db
from portal.models import AuditEvent, Body, Role, User
from tests.conftest import find
from tests.factories import member


@pytest.fixture
def second_member(world):
    """Another member of the council of Eendorp."""
    return member(Role.BODY_MEMBER, world.council, name="Tweede Raadslid")


def test_a_council_reaction_drafted_by_two_members_and_submitted_by_one(world, consultation, second_member):
    first = world.user("body_member")
    draft = services.save_body_draft(
        db.session, consultation=consultation, body=world.council, actor=first,
        answers={"q1": AnswerInput(choice="eens")}, seen_version=None,
    )
    db.session.commit()
    services.save_body_draft(
        db.session, consultation=consultation, body=world.council, actor=second_member,
        answers={"q3": AnswerInput(text="Let op de wachttijden in Eendorp.")}, seen_version=draft.version,
    )
    db.session.commit()
    submitted = services.submit_body_reaction(db.session, response=draft, actor=second_member,
                                              seen_version=draft.version)
    db.session.commit()

    reaction = find(Response, submitted.id)
    assert reaction.status is ResponseStatus.SUBMITTED and reaction.submitted_at is not None
    assert (reaction.created_by_id, reaction.submitted_by_id) == (first.id, second_member.id)
    assert reaction.respondent == "Gemeenteraad Eendorp" and reaction.audience is Audience.GEMEENTERAAD
    assert reaction.municipality_id == world.municipality.id
    assert {a.question.key: (a.choice, a.text) for a in reaction.answers} == {
        "q1": ("eens", None), "q3": (None, "Let op de wachttijden in Eendorp.")}
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "consultation_response")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["consultation_response.draft_started", "consultation_response.draft_saved",
                       "consultation_response.submitted"]


def test_two_members_saving_the_same_draft_the_second_gets_a_conflict_and_nothing_is_lost(world, consultation, second_member):
    first = world.user("body_member")
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=first,
                                     answers={"q3": AnswerInput(text="Begin.")}, seen_version=None)
    db.session.commit()
    opened_version = draft.version  # both members open the draft now

    services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=first,
                             answers={"q3": AnswerInput(text="Tekst van het eerste raadslid.")},
                             seen_version=opened_version)
    db.session.commit()
    with pytest.raises(ReactionConflict, match="Raadslid|Body Member|saved this reaction"):
        services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=second_member,
                                 answers={"q3": AnswerInput(text="Tekst van het tweede raadslid.")},
                                 seen_version=opened_version)
    db.session.rollback()
    assert find(Response, draft.id).answers[0].text == "Tekst van het eerste raadslid."


def test_two_members_saving_at_the_same_moment_the_database_refuses_the_second(app, world, consultation, second_member):
    """Both read version 1 before either writes: the version check in the UPDATE catches it."""
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                     actor=world.user("body_member"), answers={"q3": AnswerInput(text="Begin.")},
                                     seen_version=None)
    db.session.commit()
    opened = []
    for user_id in (world.user("body_member").id, second_member.id):
        session = Session(db.engine)
        loaded = (session.get(Consultation, consultation.id), session.get(Body, world.council.id),
                  session.get(User, user_id))
        assert services.current_reaction(session, consultation=loaded[0], body=loaded[1]).version == 1
        opened.append((session, *loaded))
    (one, c1, b1, u1), (two, c2, b2, u2) = opened
    try:
        services.save_body_draft(one, consultation=c1, body=b1, actor=u1, seen_version=1,
                                 answers={"q3": AnswerInput(text="Eerste.")})
        one.commit()
        with pytest.raises(ReactionConflict):
            services.save_body_draft(two, consultation=c2, body=b2, actor=u2, seen_version=1,
                                     answers={"q3": AnswerInput(text="Tweede.")})
        two.rollback()
    finally:
        one.close()
        two.close()
    assert find(Response, draft.id).answers[0].text == "Eerste."


def test_a_reaction_after_the_close_is_refused_with_the_closing_moment(world, consultation):
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                     actor=world.user("body_member"), answers={"q1": AnswerInput(choice="oneens")},
                                     seen_version=None)
    db.session.commit()
    after_close = services.as_utc(consultation.closes_at) + timedelta(minutes=1)
    with pytest.raises(ConsultationNotOpen, match="closed on .*submitted") as refused:
        services.submit_body_reaction(db.session, response=draft, actor=world.user("body_member"),
                                      seen_version=draft.version, now=after_close)
    assert services.local_label(consultation.closes_at) in str(refused.value)
    db.session.rollback()
    assert find(Response, draft.id).status is ResponseStatus.DRAFT


def test_withdrawing_before_the_close_and_starting_again(world, consultation):
    actor = world.user("body_member")
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=actor,
                                     answers={"q1": AnswerInput(choice="eens")}, seen_version=None)
    services.submit_body_reaction(db.session, response=draft, actor=actor, seen_version=draft.version)
    services.withdraw_reaction(db.session, response=draft, actor=actor, reason="Besluit van de raad herzien")
    db.session.commit()
    withdrawn = find(Response, draft.id)
    assert withdrawn.status is ResponseStatus.WITHDRAWN and withdrawn.submitted_at is not None
    assert services.counts_per_audience(db.session, consultation)[Audience.GEMEENTERAAD]["submitted"] == 0

    again = services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=actor,
                                     answers={"q1": AnswerInput(choice="deels eens")}, seen_version=None)
    db.session.commit()
    assert again.id != draft.id and again.ref != draft.ref


def test_withdrawing_after_the_close_is_refused(world, consultation):
    actor = world.user("body_member")
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=actor,
                                     answers={"q1": AnswerInput(choice="eens")}, seen_version=None)
    services.submit_body_reaction(db.session, response=draft, actor=actor, seen_version=draft.version)
    db.session.commit()
    with pytest.raises(ConsultationNotOpen, match="withdrawn"):
        services.withdraw_reaction(db.session, response=draft, actor=actor,
                                   now=services.as_utc(consultation.closes_at) + timedelta(seconds=1))


def test_only_members_of_the_body_write_its_reaction(world, consultation):
    with pytest.raises(ConsultationError, match="Only members"):
        services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                 actor=world.user("provider_admin"), answers={"q1": AnswerInput(choice="eens")},
                                 seen_version=None)


def test_the_database_keeps_one_living_reaction_per_body(world, consultation):
    def reaction(ref, status):
        return Response(consultation_id=consultation.id, ref=ref, respondent="Raad", audience=Audience.GEMEENTERAAD,
                        body_id=world.council.id, status=status,
                        withdrawn_at=services.now_utc() if status is ResponseStatus.WITHDRAWN else None)

    db.session.add_all([reaction("r-1", ResponseStatus.WITHDRAWN), reaction("r-2", ResponseStatus.WITHDRAWN),
                        reaction("r-3", ResponseStatus.DRAFT)])
    db.session.commit()
    db.session.add(reaction("r-4", ResponseStatus.DRAFT))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count(Response.id))) == 3


def test_answers_are_checked_against_the_question(world, consultation):
    with pytest.raises(ConsultationError, match="not a valid answer"):
        services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                 actor=world.user("body_member"), answers={"q1": AnswerInput(choice="misschien")},
                                 seen_version=None)


def test_a_long_answer_is_kept_whole(world, consultation):
    long_text = ("Een heel lang betoog over jeugdhulp, met é, ë en 'aanhalingstekens'.\n" * 1000)[:60_000]
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                     actor=world.user("body_member"), answers={"q3": AnswerInput(text=long_text)},
                                     seen_version=None)
    db.session.commit()
    assert len(long_text) == 60_000
    assert find(Response, draft.id).answers[0].text == long_text
