"""Demo applications to the published demo round, one in each state of screening."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.applications import services as applications
from portal.auth.services import find_user
from portal.clock import local, now
from portal.demo.documents import text_pdf
from portal.demo.rounds import PUBLISHED_TITLE
from portal.evidence import vault
from portal.models import (
    Application,
    EvidenceDocument,
    EvidenceRequirement,
    Membership,
    Provider,
    Region,
    Role,
    Round,
    User,
    ValidityRule,
)
from portal.models.applications import STATEMENTS, StatementKind
from portal.models.screening import Outcome
from portal.screening import services as screening

#: Answers that raise no exclusion ground and meet every suitability requirement.
_CLEAN_ANSWERS = {s.code: (s.kind is StatementKind.SUITABILITY, "") for s in STATEMENTS}

#: (index into the demo providers, state, product group codes, days since submission; the entry
#: window opened 14 days ago).
#: The first two are the providers of the demo accounts aanbieder@ and aanbieder2@.
_PLAN = [
    (0, "completion_requested", ("BGI", "BGG"), 9),
    (1, "decided", ("BGI",), 13),
    (2, "submitted", ("BGI", "VBL"), 6),
    (3, "draft", ("BGI",), 0),
    (7, "in_review", ("BGG",), 11),
]


def seed_applications(session: Session, region: Region, providers: list[Provider]) -> int:
    """Create the demo applications that are missing; return how many were created."""
    round = session.scalar(select(Round).where(Round.region_id == region.id, Round.title == PUBLISHED_TITLE))
    reviewer = find_user(session, "beoordelaar@demo.example.org")
    second = find_user(session, "beoordelaar2@demo.example.org")
    if round is None or reviewer is None or second is None:
        return 0
    created = 0
    for index, state, group_codes, days_ago in _PLAN:
        if index >= len(providers):
            continue
        provider = providers[index]
        if applications.application_for(session, round, provider) is not None:
            continue
        actor = _administrator(session, provider)
        if actor is None:
            continue
        _build(session, round, provider, actor, state, group_codes, days_ago, reviewer, second)
        created += 1
    session.flush()
    return created


def _administrator(session: Session, provider: Provider) -> User | None:
    return session.scalar(
        select(User).join(Membership.user)
        .where(Membership.organisation_id == provider.id, Membership.role == Role.PROVIDER_ADMIN).order_by(User.id)
    ) or session.scalar(select(User).join(Membership.user).where(Membership.organisation_id == provider.id).order_by(User.id))


def _build(session: Session, round: Round, provider: Provider, actor: User, state: str, group_codes, days_ago: int,
           reviewer: User, second: User) -> Application:
    application = applications.start_application(session, round=round, provider=provider, actor=actor)
    groups = {g.code: g.id for g in round.product_groups}
    pairs = {(m.municipality_id, groups[code]) for m in round.municipalities[:2] for code in group_codes
             if groups[code] not in {g.id for g in m.closed_groups}}
    applications.set_scopes(session, application=application, pairs=pairs, seen_version=None, actor=actor)
    if state == "draft":
        return application
    applications.save_declaration(session, application=application, answers=_CLEAN_ANSWERS, seen_version=None, actor=actor)
    requirements = applications.applicable_requirements(application)
    at = now() - timedelta(days=days_ago)
    applications.choose_documents(session, application=application, seen_version=None, actor=actor, choices={
        r.id: _document(session, provider, actor, r, local(at).date()) for r in requirements})
    applications.submit(session, application=application, seen_version=None, actor=actor, at=at)
    if state == "submitted":
        return application
    screening.take_into_review(session, application=application, seen_version=None, actor=reviewer)
    by_code = {r.evidence_type.code: r for r in requirements}
    rejected = {"kvk_extract": "Het uittreksel noemt nog de vorige bestuurder. Lever een recent uittreksel aan."} \
        if state == "completion_requested" else {}
    for requirement in requirements:
        code = requirement.evidence_type.code
        if state == "in_review" and code not in ("kvk_extract", "gva"):
            continue  # half-way through screening
        screening.record_verdict(session, application=application, requirement=requirement, accepted=code not in rejected,
                                 reason=rejected.get(code, ""), seen_version=None, actor=reviewer)
    if state == "completion_requested":
        screening.request_completion(
            session, application=application, requirement_ids=[by_code["kvk_extract"].id], statements=[],
            deadline=now() + timedelta(days=14), note="Lever binnen twee weken een actueel KvK-uittreksel aan.",
            actor=reviewer,
        )
    elif state == "decided":
        for scope in application.scopes:
            decision = screening.propose(session, scope=scope, outcome=Outcome.ADMITTED,
                                         reasons="De aanbieder voldoet aan alle gepubliceerde voorwaarden.", actor=reviewer)
            screening.confirm(session, decision=decision, seen_version=None, actor=second)
    return application


def _document(session: Session, provider: Provider, actor: User, requirement: EvidenceRequirement, submitted_on: date):
    """Return a version in the provider's vault that fits the requirement on the submission day and today,
    uploading one when there is none."""
    today = vault.today()
    versions = session.scalars(
        select(EvidenceDocument).where(EvidenceDocument.provider_id == provider.id,
                                       EvidenceDocument.evidence_type_id == requirement.evidence_type_id,
                                       EvidenceDocument.withdrawn_at.is_(None))
        .order_by(EvidenceDocument.version.desc())
    )
    fitting = next((d for d in versions if applications.judge_document(requirement, d, today).valid
                    and applications.judge_document(requirement, d, submitted_on).valid), None)
    if fitting is not None:
        return fitting
    evidence_type = requirement.evidence_type
    default = evidence_type.default_rule
    financial_year = requirement.financial_year or (today.year - 1) if default is ValidityRule.FINANCIAL_YEAR else None
    expiry = today + timedelta(days=365) if ValidityRule.EXPIRY_DATE in (default, requirement.rule) else None
    pdf = text_pdf(f"{evidence_type.name} - {provider.name}", ["FICTIEF DEMODOCUMENT - geen echt bewijsstuk."])
    return vault.upload_document(
        session, provider=provider, evidence_type=evidence_type, stream=io.BytesIO(pdf),
        filename=f"{evidence_type.code}.pdf", issue_date=today - timedelta(days=30), expiry_date=expiry,
        issuer="Demo-uitgever", financial_year=financial_year, actor=actor, on=today,
    )
