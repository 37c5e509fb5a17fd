"""Bring applications through screening for tests, through the services, as people would."""

from __future__ import annotations

from datetime import timedelta

from portal.applications import services as applications
from portal.clock import now
from portal.extensions import db
from portal.models import Application, Role, User
from portal.models.screening import Outcome, ScopeDecision
from portal.screening import services
from tests import factories
from tests.applications.helpers import complete_application
from tests.rounds.helpers import published_round


def second_reviewer(world) -> User:
    """Return a second reviewer of world.region (created once per test)."""
    from sqlalchemy import select

    existing = db.session.scalar(select(User).where(User.email == "reviewer2@test.example.org"))
    return existing or factories.member(Role.REVIEWER, world.region, email="reviewer2@test.example.org", name="Tweede Beoordelaar")


def submitted(world, title: str = "Open House Jeugdhulp 2027", groups=("BEH",), provider=None, user=None) -> Application:
    """A complete application of the world's provider, submitted to a fresh published round."""
    round = published_round(world, title)
    application = complete_application(world, round, groups=groups, provider=provider, user=user)
    applications.submit(db.session, application=application, seen_version=None,
                        actor=user or world.user("provider_admin"))
    db.session.commit()
    return application


def in_review(world, **kwargs) -> Application:
    """A submitted application that the world's reviewer took into review."""
    application = submitted(world, **kwargs)
    services.take_into_review(db.session, application=application, seen_version=None, actor=world.user("reviewer"))
    db.session.commit()
    return application


def requirement(application: Application, code: str):
    """Return the round's requirement for a catalogue code."""
    return next(r for r in application.round.requirements if r.evidence_type.code == code)


def judge_all(application: Application, reviewer: User, rejected: dict[str, str] | None = None) -> None:
    """Judge every applicable requirement: accepted, except the codes in `rejected` (code: reason)."""
    rejected = rejected or {}
    for item in applications.applicable_requirements(application):
        code = item.evidence_type.code
        services.record_verdict(db.session, application=application, requirement=item, accepted=code not in rejected,
                                reason=rejected.get(code, ""), seen_version=None, actor=reviewer)
    db.session.commit()


def completion_requested(world, rejected=("kvk_extract",), days: int = 14, **kwargs) -> Application:
    """An application in review whose listed documents were rejected and sent back for completion."""
    application = in_review(world, **kwargs)
    reviewer = world.user("reviewer")
    judge_all(application, reviewer, {code: "Het uittreksel is te oud." for code in rejected})
    services.request_completion(
        db.session, application=application, requirement_ids=[requirement(application, c).id for c in rejected],
        statements=[], deadline=now() + timedelta(days=days), note="Lever een recent uittreksel aan.", actor=reviewer,
    )
    db.session.commit()
    return application


def proposed(world, outcome: Outcome = Outcome.ADMITTED, reasons: str = "", proposer: User | None = None,
             **kwargs) -> ScopeDecision:
    """An application in review, every item accepted, with a proposal for its first scope."""
    application = in_review(world, **kwargs)
    judge_all(application, world.user("reviewer"))
    decision = services.propose(db.session, scope=application.scopes[0], outcome=outcome, reasons=reasons,
                                actor=proposer or world.user("reviewer"))
    db.session.commit()
    return decision


def decided(world, **kwargs) -> Application:
    """An application decided: its one scope admitted, proposed by the reviewer and confirmed by a second one."""
    decision = proposed(world, **kwargs)
    services.confirm(db.session, decision=decision, seen_version=None, actor=second_reviewer(world))
    db.session.commit()
    return decision.scope.application
