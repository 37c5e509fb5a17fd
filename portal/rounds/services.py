"""Rules for rounds: preparing, publishing, addenda, and the questions providers ask."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.audit.services import pending_changes, record
from portal.clock import as_utc, local, now
from portal.models.rounds import DEFAULT_COMPLAINT_PERIOD_DAYS
from portal.models import (
    Addendum,
    EntryWindow,
    EvidenceRequirement,
    EvidenceType,
    LegalForm,
    ProductGroup,
    Provider,
    Region,
    Round,
    RoundMunicipality,
    RoundQuestion,
    RoundStatus,
    StoredFile,
    User,
    ValidityRule,
)


class RoundError(Exception):
    """A rule about rounds was broken; the message can be shown to the user."""


class EditConflict(RoundError):
    """Someone else changed the object after this person opened the form."""


def _require_draft(round: Round) -> None:
    if round.is_published:
        raise RoundError(_("The conditions of a published round are frozen. Publish an addendum instead."))


def _check_version(obj, seen_version: int | None) -> None:
    if seen_version is not None and obj.version != seen_version:
        raise EditConflict(_("Someone else saved a change while you were editing. Check it below; your input is kept."))


def _check_period(opens_at: datetime | None, closes_at: datetime | None, message: str) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise RoundError(message)


# Preparing -----------------------------------------------------------------------------------


def create_round(
    session: Session,
    *,
    region: Region,
    title: str,
    description: str,
    contract_term: str,
    questions_open_at: datetime | None,
    complaint_period_days: int = DEFAULT_COMPLAINT_PERIOD_DAYS,
    questions_close_at: datetime | None,
    actor: User,
) -> Round:
    """Start a new round in draft."""
    _check_period(questions_open_at, questions_close_at, _("The questions period must end after it starts."))
    round = Round(
        region=region, title=title.strip(), description=description.strip(), contract_term=contract_term.strip(),
        questions_open_at=questions_open_at, questions_close_at=questions_close_at,
        complaint_period_days=complaint_period_days,
    )
    session.add(round)
    session.flush()
    record(session, action="round.created", obj=round, actor=actor, organisation=region,
           changes={"title": [None, round.title]})
    return round


def update_round(session: Session, *, round: Round, seen_version: int | None, actor: User, **values) -> None:
    """Change the basic details of a draft round."""
    _require_draft(round)
    _check_version(round, seen_version)
    _check_period(values.get("questions_open_at"), values.get("questions_close_at"),
                  _("The questions period must end after it starts."))
    for field in ("title", "description", "contract_term", "complaint_period_days", "questions_open_at",
                  "questions_close_at"):
        if field in values:
            value = values[field]
            setattr(round, field, value.strip() if isinstance(value, str) else value)
    changes = pending_changes(round)
    if changes:
        record(session, action="round.updated", obj=round, actor=actor, organisation=round.region, changes=changes)
    session.flush()


def add_product_group(session: Session, *, round: Round, code: str, name: str, description: str, actor: User) -> ProductGroup:
    """Add a product group (perceel) to a draft round; codes are unique in the round."""
    _require_draft(round)
    code = code.strip().upper()
    if any(group.code == code for group in round.product_groups):
        raise RoundError(_("The code %(code)s is already used in this round.", code=code))
    group = ProductGroup(round=round, code=code, name=name.strip(), description=description.strip())
    session.add(group)
    session.flush()
    record(session, action="round.product_group_added", obj=group, object_label=f"{round.title}: {group}",
           actor=actor, organisation=round.region, changes={"code": [None, code], "name": [None, group.name]})
    return group


def remove_product_group(session: Session, *, group: ProductGroup, actor: User) -> None:
    """Remove a product group from a draft round."""
    _require_draft(group.round)
    record(session, action="round.product_group_removed", obj=group, object_label=f"{group.round.title}: {group}",
           actor=actor, organisation=group.round.region)
    group.round.product_groups.remove(group)
    session.flush()


def set_municipalities(
    session: Session, *, round: Round, closed: dict[int, set[int]], actor: User
) -> None:
    """Set the participating municipalities (keys) and the product groups each keeps closed (values)."""
    _require_draft(round)
    allowed = {m.id: m for m in round.region.municipalities}
    unknown = set(closed) - set(allowed)
    if unknown:
        raise RoundError(_("Only municipalities of the region can take part."))
    groups = {group.id: group for group in round.product_groups}
    existing = {entry.municipality_id: entry for entry in round.municipalities}
    for municipality_id, entry in list(existing.items()):
        if municipality_id not in closed:
            round.municipalities.remove(entry)
    for municipality_id, closed_ids in closed.items():
        entry = existing.get(municipality_id)
        if entry is None:
            entry = RoundMunicipality(municipality=allowed[municipality_id])
            session.add(entry)
            round.municipalities.append(entry)
        entry.closed_groups = [groups[group_id] for group_id in sorted(closed_ids) if group_id in groups]
    session.flush()
    record(session, action="round.municipalities_set", obj=round, actor=actor, organisation=round.region,
           changes={"municipalities": [sorted(existing), sorted(closed)]})


def add_window(
    session: Session, *, round: Round, opens_at: datetime, closes_at: datetime, actor: User, reason: str | None = None
) -> EntryWindow:
    """Add an entry window; after publication only with a reason, published as an addendum."""
    _check_period(opens_at, closes_at, _("An entry window must close after it opens."))
    if round.is_published and not (reason and reason.strip()):
        raise RoundError(_("The round is published: give the reason for the new entry window."))
    window = EntryWindow(round=round, opens_at=opens_at, closes_at=closes_at)
    session.add(window)
    session.flush()
    record(session, action="round.window_added", obj=window, object_label=round.title, actor=actor,
           organisation=round.region, changes={"opens_at": [None, opens_at.isoformat()], "closes_at": [None, closes_at.isoformat()]},
           reason=reason)
    if round.is_published:
        publish_addendum(
            session, round=round, actor=actor, reason=reason or "",
            text=_("New entry window from %(opens)s to %(closes)s.",
                   opens=local(opens_at).strftime("%d-%m-%Y %H:%M"), closes=local(closes_at).strftime("%d-%m-%Y %H:%M")),
        )
    return window


def remove_window(session: Session, *, window: EntryWindow, actor: User) -> None:
    """Remove an entry window from a draft round."""
    _require_draft(window.round)
    record(session, action="round.window_removed", obj=window, object_label=window.round.title, actor=actor,
           organisation=window.round.region)
    window.round.windows.remove(window)
    session.flush()


def add_requirement(
    session: Session,
    *,
    round: Round,
    evidence_type: EvidenceType,
    rule: ValidityRule,
    max_age_days: int | None,
    financial_year: int | None,
    legal_forms: Iterable[LegalForm],
    product_group_ids: Iterable[int],
    note: str,
    actor: User,
) -> EvidenceRequirement:
    """Ask for a document in a draft round, with its validity rule and to whom it applies."""
    _require_draft(round)
    if rule is ValidityRule.MAX_AGE and not max_age_days:
        raise RoundError(_("Give the maximum age in days."))
    if rule is ValidityRule.FINANCIAL_YEAR and not financial_year:
        raise RoundError(_("Give the financial year."))
    year = financial_year if rule is ValidityRule.FINANCIAL_YEAR else None
    if any(r.evidence_type_id == evidence_type.id and r.financial_year == year for r in round.requirements):
        raise RoundError(_("This document is already asked for in this round."))
    groups = {group.id: group for group in round.product_groups}
    requirement = EvidenceRequirement(
        round=round, evidence_type=evidence_type, rule=rule,
        max_age_days=max_age_days if rule is ValidityRule.MAX_AGE else None, financial_year=year,
        legal_forms=sorted(form.value for form in legal_forms),
        product_groups=[groups[group_id] for group_id in product_group_ids if group_id in groups],
        note=note.strip(),
    )
    session.add(requirement)
    session.flush()
    record(session, action="round.requirement_added", obj=requirement,
           object_label=f"{round.title}: {evidence_type.name}", actor=actor, organisation=round.region,
           changes={"rule": [None, rule.value], "max_age_days": [None, requirement.max_age_days],
                    "financial_year": [None, year], "legal_forms": [None, requirement.legal_forms]})
    return requirement


def remove_requirement(session: Session, *, requirement: EvidenceRequirement, actor: User) -> None:
    """Stop asking for a document in a draft round."""
    _require_draft(requirement.round)
    record(session, action="round.requirement_removed", obj=requirement,
           object_label=f"{requirement.round.title}: {requirement.evidence_type.name}", actor=actor,
           organisation=requirement.round.region)
    requirement.round.requirements.remove(requirement)
    session.flush()


def attach_admission_document(session: Session, *, round: Round, document: StoredFile, actor: User) -> None:
    """Attach (or replace) the admission document of a draft round."""
    _require_draft(round)
    old = round.admission_document.filename if round.admission_document else None
    round.admission_document = document
    session.flush()
    record(session, action="round.document_attached", obj=round, actor=actor, organisation=round.region,
           changes={"admission_document": [old, document.filename]})


def applies_to(requirement: EvidenceRequirement, legal_form: LegalForm, product_group_ids: set[int]) -> bool:
    """Tell whether a requirement applies to a provider of this legal form applying for these groups."""
    if requirement.legal_forms and legal_form.value not in requirement.legal_forms:
        return False
    if requirement.product_groups and not ({g.id for g in requirement.product_groups} & product_group_ids):
        return False
    return True


# Publishing ----------------------------------------------------------------------------------


def publication_problems(round: Round) -> list[str]:
    """List what must be done before the round can be published."""
    problems = []
    if round.admission_document is None:
        problems.append(_("Attach the admission document."))
    if not round.product_groups:
        problems.append(_("Add at least one product group."))
    if not round.municipalities:
        problems.append(_("Choose the municipalities that take part."))
    if not round.windows:
        problems.append(_("Add at least one entry window."))
    if not round.requirements:
        problems.append(_("Ask for at least one document."))
    if round.questions_open_at is None or round.questions_close_at is None:
        problems.append(_("Set the questions period."))
    return problems


def publish(session: Session, *, round: Round, seen_version: int | None, actor: User) -> None:
    """Publish the round: its conditions become public and frozen."""
    _require_draft(round)
    _check_version(round, seen_version)
    problems = publication_problems(round)
    if problems:
        raise RoundError(" ".join(problems))
    round.status = RoundStatus.PUBLISHED
    round.published_at = now()
    session.flush()
    record(session, action="round.published", obj=round, actor=actor, organisation=round.region,
           changes={"status": ["draft", "published"]})


def publish_addendum(session: Session, *, round: Round, text: str, reason: str, actor: User) -> Addendum:
    """Publish a dated change to a published round, with its reason."""
    if not round.is_published:
        raise RoundError(_("A draft round can still be changed directly; an addendum is for published rounds."))
    if not text.strip() or not reason.strip():
        raise RoundError(_("Describe the change and give the reason."))
    number = 1 + (session.scalar(select(func.max(Addendum.number)).where(Addendum.round_id == round.id)) or 0)
    addendum = Addendum(round=round, number=number, text=text.strip(), reason=reason.strip(),
                        published_at=now(), published_by=actor)
    session.add(addendum)
    session.flush()
    record(session, action="round.addendum_published", obj=addendum, object_label=f"{round.title}: addendum {number}",
           actor=actor, organisation=round.region, reason=reason.strip())
    return addendum


def open_window(round: Round, at: datetime) -> EntryWindow | None:
    """Return the entry window open at this moment, if any."""
    return next((w for w in round.windows if as_utc(w.opens_at) <= at < as_utc(w.closes_at)), None)


def next_window(round: Round, at: datetime) -> EntryWindow | None:
    """Return the first entry window that opens after this moment, if any."""
    return next((w for w in round.windows if as_utc(w.opens_at) > at), None)


def questions_open(round: Round, at: datetime) -> bool:
    """Tell whether providers can ask questions at this moment."""
    return (
        round.is_published
        and round.questions_open_at is not None
        and round.questions_close_at is not None
        and as_utc(round.questions_open_at) <= at < as_utc(round.questions_close_at)
    )


# Lists ---------------------------------------------------------------------------------------


def rounds_of(session: Session, region_id: int) -> list[Round]:
    """Return the region's rounds, newest first."""
    return list(session.scalars(select(Round).where(Round.region_id == region_id).order_by(Round.id.desc())))


def published_rounds(session: Session) -> list[Round]:
    """Return every published round with its region, newest first."""
    return list(
        session.scalars(
            select(Round).where(Round.status == RoundStatus.PUBLISHED)
            .options(selectinload(Round.region), selectinload(Round.windows))
            .order_by(Round.published_at.desc())
        )
    )


def load_round(session: Session, round_id: int) -> Round | None:
    """Load a round with everything its pages show, in a fixed number of queries."""
    return session.scalar(
        select(Round).where(Round.id == round_id).options(
            selectinload(Round.product_groups),
            selectinload(Round.municipalities).selectinload(RoundMunicipality.municipality),
            selectinload(Round.municipalities).selectinload(RoundMunicipality.closed_groups),
            selectinload(Round.windows),
            selectinload(Round.requirements).selectinload(EvidenceRequirement.evidence_type),
            selectinload(Round.requirements).selectinload(EvidenceRequirement.product_groups),
            selectinload(Round.addenda),
            selectinload(Round.region).selectinload(Region.municipalities),
        )
    )


def catalogue(session: Session) -> list[EvidenceType]:
    """Return the evidence catalogue by name."""
    return list(session.scalars(select(EvidenceType).order_by(EvidenceType.name)))


# Questions (Nota van Inlichtingen) ----------------------------------------------------------


def ask_question(session: Session, *, round: Round, provider: Provider, user: User, text: str) -> RoundQuestion:
    """Let a provider ask a question while the questions period is open."""
    if not questions_open(round, now()):
        raise RoundError(_("Questions can only be asked during the questions period."))
    if not text.strip():
        raise RoundError(_("Write your question."))
    question = RoundQuestion(round=round, provider=provider, asked_by_id=user.id, question=text.strip())
    session.add(question)
    session.flush()
    record(session, action="round.question_asked", obj=question, object_label=round.title, actor=user,
           organisation=provider)
    return question


def answer_question(
    session: Session, *, question: RoundQuestion, published_question: str, answer: str, seen_version: int | None, actor: User
) -> None:
    """Answer a question and publish it for all, without saying who asked."""
    _check_version(question, seen_version)
    if not published_question.strip() or not answer.strip():
        raise RoundError(_("Give the question as it will be published, and the answer."))
    first = question.published_at is None
    question.published_question = published_question.strip()
    question.answer = answer.strip()
    question.answered_by_id = actor.id
    question.published_at = question.published_at or now()
    session.flush()
    record(session, action="round.question_answered" if first else "round.answer_changed", obj=question,
           object_label=question.round.title, actor=actor, organisation=question.round.region)


def questions_of(session: Session, round: Round) -> list[RoundQuestion]:
    """Return all questions of a round, unanswered first (for staff)."""
    return list(session.scalars(
        select(RoundQuestion).where(RoundQuestion.round_id == round.id)
        .options(selectinload(RoundQuestion.provider))
        .order_by(RoundQuestion.published_at.is_not(None), RoundQuestion.id)
    ))


def published_answers(session: Session, round: Round) -> list[RoundQuestion]:
    """Return the answered questions of a round, in the order they were published."""
    return list(session.scalars(
        select(RoundQuestion).where(RoundQuestion.round_id == round.id, RoundQuestion.published_at.is_not(None))
        .order_by(RoundQuestion.published_at, RoundQuestion.id)
    ))
