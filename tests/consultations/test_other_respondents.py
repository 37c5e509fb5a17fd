"""Experts by experience through a personal link, providers through their account, residents in public."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consultations import services
from consultations.models import Audience, PersonalInvitation, Response, ResponseStatus
from consultations.services import AnswerInput, ConsultationError, ConsultationNotOpen
from portal.auth.services import hash_token
from portal.extensions import db
from tests.conftest import find
from tests.consultations.conftest import make_consultation


def test_an_expert_by_experience_reacts_anonymously_through_a_link_without_an_account(world, consultation):
    invitation, token = services.invite_individual(
        db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE, name="Sam",
        email="sam@example.org", actor=world.user("policy_officer"))
    db.session.commit()
    stored = db.session.scalar(select(PersonalInvitation.token_hash).where(PersonalInvitation.id == invitation.id))
    assert stored == hash_token(token) and token not in stored

    draft = services.save_invited_draft(db.session, token=token, anonymous=True, seen_version=None,
                                        answers={"q3": AnswerInput(text="Luister echt naar jongeren.")})
    services.submit_invited_reaction(db.session, token=token, seen_version=draft.version)
    db.session.commit()

    reaction = find(Response, draft.id)
    assert reaction.status is ResponseStatus.SUBMITTED
    assert reaction.anonymous and not reaction.publish_name
    assert reaction.respondent == "Anoniem" and "Sam" not in reaction.respondent
    assert reaction.created_by_id is None and reaction.submitted_by_id is None
    assert reaction.audience is Audience.ERVARINGSDESKUNDIGE
    assert services.counts_per_audience(db.session, consultation)[Audience.ERVARINGSDESKUNDIGE]["submitted"] == 1


def test_a_wrong_or_expired_link_is_refused(world, consultation):
    _, token = services.invite_individual(db.session, consultation=consultation,
                                          audience=Audience.ERVARINGSDESKUNDIGE, actor=None,
                                          valid_for=timedelta(days=1))
    db.session.commit()
    with pytest.raises(ConsultationError, match="no longer valid"):
        services.save_invited_draft(db.session, token=token + "x", anonymous=True, seen_version=None,
                                    answers={"q3": AnswerInput(text="Hallo")})
    assert services.find_invitation(db.session, token, now=services.now_utc() + timedelta(days=2)) is None


def test_an_invitation_that_asks_for_a_name_refuses_anonymity(world, consultation):
    _, token = services.invite_individual(db.session, consultation=consultation, audience=Audience.CLIENTENRAAD,
                                          name="Mevrouw Jansen", anonymous_allowed=False, actor=None)
    with pytest.raises(ConsultationError, match="asks for your name"):
        services.save_invited_draft(db.session, token=token, anonymous=True, seen_version=None,
                                    answers={"q3": AnswerInput(text="Hallo")})
    draft = services.save_invited_draft(db.session, token=token, seen_version=None,
                                        answers={"q3": AnswerInput(text="Hallo")})
    assert draft.respondent == "Mevrouw Jansen"


def test_a_provider_has_one_reaction_written_by_its_staff(world, consultation):
    admin, staff = world.user("provider_admin"), world.user("provider_member")
    draft = services.save_provider_draft(db.session, consultation=consultation, provider=world.provider, actor=admin,
                                         answers={"q2": AnswerInput(choice="deels eens", text="Tarieven te laag.")},
                                         seen_version=None)
    again = services.save_provider_draft(db.session, consultation=consultation, provider=world.provider, actor=staff,
                                         answers={"q1": AnswerInput(choice="eens")}, seen_version=draft.version)
    services.submit_provider_reaction(db.session, response=again, actor=staff, seen_version=again.version)
    db.session.commit()
    assert again.id == draft.id
    assert db.session.scalars(select(Response.audience).where(Response.provider_id == world.provider.id)).all() == [
        Audience.ZORGAANBIEDER]
    with pytest.raises(ConsultationError, match="Only staff"):
        services.save_provider_draft(db.session, consultation=consultation, provider=world.provider,
                                     actor=world.user("body_member"), answers={}, seen_version=None)


def test_a_resident_reacts_through_the_public_link_only_when_allowed(world):
    closed_to_residents = make_consultation(world, residents_may_react=False)
    with pytest.raises(ConsultationError, match="residents"):
        services.submit_resident_reaction(db.session, consultation=closed_to_residents, name="Piet",
                                          answers={"q3": AnswerInput(text="Hallo")})
    open_to_residents = make_consultation(world)
    reaction = services.submit_resident_reaction(
        db.session, consultation=open_to_residents, name="Piet de Vries", email="Piet@Example.org",
        municipality=world.municipality, publish_name=True, answers={"q1": AnswerInput(choice="oneens")})
    db.session.commit()
    assert (reaction.status, reaction.audience, reaction.email) == (
        ResponseStatus.SUBMITTED, Audience.INWONER, "piet@example.org")


def test_nothing_can_be_written_before_the_opening(world):
    upcoming = make_consultation(world, opens_in=timedelta(days=3))
    assert upcoming.phase(services.now_utc()).value == "scheduled"
    with pytest.raises(ConsultationNotOpen, match="opens on"):
        services.save_body_draft(db.session, consultation=upcoming, body=world.council,
                                 actor=world.user("body_member"), answers={"q1": AnswerInput(choice="eens")},
                                 seen_version=None)


def test_an_audience_that_is_not_invited_cannot_react(world):
    providers_only = make_consultation(world, audiences=[Audience.ZORGAANBIEDER], residents_may_react=False)
    with pytest.raises(ConsultationError, match="does not ask gemeenteraad"):
        services.save_body_draft(db.session, consultation=providers_only, body=world.council,
                                 actor=world.user("body_member"), answers={"q1": AnswerInput(choice="eens")},
                                 seen_version=None)
