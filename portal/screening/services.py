"""Rules for screening applications: the queue, taking one into review, a verdict per requirement,
completion requests (herstelverzoek) and the provider's resubmission, four-eyes decisions per
product group × municipality, and the decision letter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import clock
from portal.applications import services as applications
from portal.audit.services import record
from portal.kept import watch
from portal.mail import queue_email
from portal.models import (
    PROVIDER_ROLES,
    EvidenceDocument,
    EvidenceRequirement,
    Membership,
    Provider,
    Round,
    User,
)
from portal.models.applications import (
    STATEMENTS_BY_CODE,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    ApplicationScope,
    ApplicationStatus,
    Declaration,
)
from portal.models.screening import (
    CompletionItem,
    CompletionRequest,
    DecisionLetter,
    Outcome,
    RequirementVerdict,
    ScopeDecision,
)
from portal.rounds.services import applies_to

class ScreeningError(Exception):
    """A rule of screening was broken; the message can be shown to the user."""


class Conflict(ScreeningError):
    """A colleague did the same thing, or changed the same item, at the same moment."""


class FourEyes(ScreeningError):
    """The proposer tried to confirm their own proposal."""


def _log(session: Session, application: Application, action: str, actor: User | None,
         changes: dict | None = None, reason: str | None = None) -> None:
    record(session, action=action, obj=application, object_type="application",
           object_label=f"{application.provider.name}: {application.round.title}", actor=actor,
           organisation=application.provider, region_id=application.round.region_id, changes=changes, reason=reason)


def _touch(application: Application) -> None:
    """Raise the application's version, so colleagues acting on it at the same moment notice."""
    application.updated_at = clock.now()


def _move(session: Session, application: Application, *, expected: ApplicationStatus, to: ApplicationStatus,
          actor: User, note: str = "", seen_version: int | None = None, conflict: str) -> None:
    """Move the application from one status to the next exactly once, with a timeline event."""
    if application.status is not expected or (seen_version is not None and application.version != seen_version):
        raise Conflict(conflict)
    try:
        with session.begin_nested():
            application.status = to
            _touch(application)
            session.flush()
    except StaleDataError:
        session.refresh(application)
        raise Conflict(conflict) from None
    session.add(ApplicationEvent(application=application, status=to, by_id=actor.id, note=note))
    session.flush()


# Loading --------------------------------------------------------------------------------------


def load_application(session: Session, application_id: int) -> Application | None:
    """Load an application with everything the screening pages show."""
    return applications.load_application(session, application_id)


def verdicts_of(session: Session, application: Application) -> dict[int, RequirementVerdict]:
    """Return the application's verdicts by requirement id."""
    rows = session.scalars(
        select(RequirementVerdict).where(RequirementVerdict.application_id == application.id)
        .options(selectinload(RequirementVerdict.by))
    )
    return {verdict.requirement_id: verdict for verdict in rows}


def decisions_of(session: Session, application: Application) -> dict[int, ScopeDecision]:
    """Return the decisions on the application's scopes by scope id."""
    rows = session.scalars(
        select(ScopeDecision).join(ScopeDecision.scope).where(ApplicationScope.application_id == application.id)
        .options(selectinload(ScopeDecision.proposed_by), selectinload(ScopeDecision.confirmed_by),
                 selectinload(ScopeDecision.scope).selectinload(ApplicationScope.product_group),
                 selectinload(ScopeDecision.scope).selectinload(ApplicationScope.municipality))
    )
    return {decision.scope_id: decision for decision in rows}


def open_request(session: Session, application: Application) -> CompletionRequest | None:
    """Return the completion request the provider has not answered yet, if any."""
    return session.scalar(
        select(CompletionRequest)
        .where(CompletionRequest.application_id == application.id, CompletionRequest.resubmitted_at.is_(None))
        .options(selectinload(CompletionRequest.items).selectinload(CompletionItem.requirement)
                 .selectinload(EvidenceRequirement.evidence_type))
        .order_by(CompletionRequest.id.desc())
    )


def requests_of(session: Session, application: Application) -> list[CompletionRequest]:
    """Return every completion request of the application, newest first."""
    return list(session.scalars(
        select(CompletionRequest).where(CompletionRequest.application_id == application.id)
        .options(selectinload(CompletionRequest.items), selectinload(CompletionRequest.requested_by))
        .order_by(CompletionRequest.id.desc())
    ))


def letter_of(session: Session, application: Application) -> DecisionLetter | None:
    """Return the decision letter of the application, once decided."""
    return session.scalar(select(DecisionLetter).where(DecisionLetter.application_id == application.id))


# The queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to; None or "" means any."""

    round_id: int | None = None
    status: ApplicationStatus | None = None
    product_group_id: int | None = None
    municipality_id: int | None = None
    provider_name: str = ""


@dataclass(frozen=True)
class QueueRow:
    """One application in the queue as the queue shows it."""

    id: int
    provider: str
    round: str
    status: ApplicationStatus
    submitted_at: datetime
    #: How many product group × municipality combinations it applies for.
    scopes: int

    def days_waited(self, today: date) -> int:
        """Return the days it has waited on the Dutch day `today`: 0 on the day of submission."""
        return max((today - clock.local(self.submitted_at).date()).days, 0)


#: Applications and what they apply for: the queue shows them, so its pages are kept per token of
#: this kind (and of the organisations, whose names it shows); see portal.kept.
APPLICATIONS = "applications"
watch(APPLICATIONS, Application, ApplicationScope)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue and the number of applications in all pages."""

    rows: tuple[QueueRow, ...] = ()
    total: int = 0


def queue(session: Session, *, region_id: int, criteria: QueueFilter, page: int = 1, per_page: int = 25) -> QueuePage:
    """Return a page of the region's submitted applications, longest waiting first."""
    conditions = [Round.region_id == region_id, Application.status != ApplicationStatus.DRAFT]
    if criteria.round_id:
        conditions.append(Application.round_id == criteria.round_id)
    if criteria.status:
        conditions.append(Application.status == criteria.status)
    if criteria.product_group_id or criteria.municipality_id:
        scope = select(ApplicationScope.id).where(ApplicationScope.application_id == Application.id)
        if criteria.product_group_id:
            scope = scope.where(ApplicationScope.product_group_id == criteria.product_group_id)
        if criteria.municipality_id:
            scope = scope.where(ApplicationScope.municipality_id == criteria.municipality_id)
        conditions.append(exists(scope))
    if criteria.provider_name.strip():
        pattern = "%" + criteria.provider_name.strip().lower().replace("%", r"\%").replace("_", r"\_") + "%"
        conditions.append(func.lower(Provider.name).like(pattern, escape="\\"))
    base = select(Application.id).join(Application.round).join(Provider, Provider.id == Application.provider_id).where(*conditions)
    scopes = (
        select(func.count(ApplicationScope.id)).where(ApplicationScope.application_id == Application.id)
        .correlate(Application).scalar_subquery()
    )
    # One statement of the columns the queue shows, with the number of applications in all pages.
    rows = session.execute(
        base.add_columns(Provider.name, Round.title, Application.status, Application.submitted_at, scopes,
                         func.count().over())
        .order_by(Application.submitted_at, Application.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    if rows:
        total = rows[0][-1]
    elif page > 1:  # past the last page: no row to carry the number
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    else:
        total = 0
    return QueuePage(tuple(QueueRow(*row[:-1]) for row in rows), total)


# Notifications --------------------------------------------------------------------------------


def _provider_members(session: Session, application: Application) -> list[tuple[str, str]]:
    """Return the (address, language) of every member of the applying provider."""
    rows = session.execute(
        select(User.email, User.locale).join(Membership.user)
        .where(Membership.organisation_id == application.provider_id, Membership.role.in_(PROVIDER_ROLES),
               User.active.is_(True))
        .order_by(User.email)
    ).all()
    if rows:
        return [(email, locale or "nl") for email, locale in rows]
    return [(application.provider.email, "nl")] if application.provider.email else []


def _notify(session: Session, recipients: list[tuple[str, str]], *, subject, template: str, **context) -> None:
    """Queue one e-mail per recipient in their language; `subject(round title)` gives the translated subject."""
    for address, locale in recipients:
        with force_locale(locale):
            queue_email(session, to=address, subject=subject(context["application"].round.title),
                        template=template, **context)


# Taking into review ---------------------------------------------------------------------------


def take_into_review(session: Session, *, application: Application, seen_version: int | None, actor: User,
                     link: str = "") -> None:
    """Start screening a submitted application; only one reviewer can do so."""
    _move(session, application, expected=ApplicationStatus.SUBMITTED, to=ApplicationStatus.IN_REVIEW, actor=actor,
          seen_version=seen_version,
          conflict=_("A colleague has already taken this application into review."))
    _log(session, application, "application.in_review", actor, {"status": ["submitted", "in_review"]})
    _notify(session, _provider_members(session, application), subject=lambda title: _("Your application is being reviewed: %(round)s", round=title),
            template="email/screening_in_review.txt", application=application, link=link)


# Verdicts per requirement ---------------------------------------------------------------------


def record_verdict(
    session: Session,
    *,
    application: Application,
    requirement: EvidenceRequirement,
    accepted: bool,
    reason: str,
    seen_version: int | None,
    actor: User,
) -> RequirementVerdict:
    """Accept or reject one requirement (a reason is required when rejecting); never overwrite a colleague's verdict silently.

    `seen_version` is the verdict's version the reviewer saw, 0 when there was none yet.
    """
    if application.status is not ApplicationStatus.IN_REVIEW:
        raise ScreeningError(_("Take the application into review first; only then can items be judged."))
    if requirement.round_id != application.round_id:
        raise ScreeningError(_("This document is not asked for in the round."))
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ScreeningError(_("Give a reason when you reject an item."))
    document_id = next((e.document_id for e in application.evidence if e.requirement_id == requirement.id), None)
    existing = session.scalar(select(RequirementVerdict).where(
        RequirementVerdict.application_id == application.id, RequirementVerdict.requirement_id == requirement.id))
    conflict = _("A colleague judged this item at the same moment. Their verdict is shown; check it and judge again if needed.")
    if existing is None:
        if seen_version:
            raise Conflict(conflict)
        verdict = RequirementVerdict(application_id=application.id, requirement_id=requirement.id, document_id=document_id,
                                     accepted=accepted, reason=reason, by_id=actor.id)
        try:
            with session.begin_nested():
                session.add(verdict)
                session.flush()
        except IntegrityError:
            raise Conflict(conflict) from None
        old = None
    else:
        if seen_version is not None and existing.version != seen_version:
            raise Conflict(conflict)
        old = ("accepted" if existing.accepted else "rejected", existing.reason)
        try:
            with session.begin_nested():
                existing.accepted = accepted
                existing.reason = reason
                existing.document_id = document_id
                existing.by_id = actor.id
                existing.at = clock.now()
                session.flush()
        except StaleDataError:
            session.refresh(existing)
            raise Conflict(conflict) from None
        verdict = existing
    _log(session, application, "application.verdict", actor,
         {f"requirement {requirement.id}": [old[0] if old else None, "accepted" if accepted else "rejected"],
          "document": [None, document_id]}, reason=reason or None)
    return verdict


# Completion requests --------------------------------------------------------------------------


def request_completion(
    session: Session,
    *,
    application: Application,
    requirement_ids: list[int],
    statements: list[str],
    deadline: datetime,
    note: str,
    actor: User,
    link: str = "",
    at: datetime | None = None,
) -> CompletionRequest:
    """Ask the provider to complete the named rejected requirements (and statements) before a deadline."""
    at = at or clock.now()
    if application.status is not ApplicationStatus.IN_REVIEW:
        raise ScreeningError(_("A completion request can only be made while the application is in review."))
    if not requirement_ids and not statements:
        raise ScreeningError(_("Choose at least one item the provider must complete."))
    if clock.as_utc(deadline) <= at:
        raise ScreeningError(_("The deadline must be in the future."))
    verdicts = verdicts_of(session, application)
    items = []
    for requirement_id in requirement_ids:
        verdict = verdicts.get(requirement_id)
        if verdict is None or verdict.accepted:
            raise ScreeningError(_("Only rejected items can be part of a completion request; reject the item first."))
        items.append(CompletionItem(requirement_id=requirement_id, reason=verdict.reason))
    for code in statements:
        if code not in STATEMENTS_BY_CODE:
            raise ScreeningError(_("Unknown statement."))
        items.append(CompletionItem(statement=code, reason=note.strip()))
    request = CompletionRequest(application_id=application.id, deadline=deadline, note=note.strip(),
                                requested_by_id=actor.id, items=items)
    session.add(request)
    _move(session, application, expected=ApplicationStatus.IN_REVIEW, to=ApplicationStatus.COMPLETION_REQUESTED,
          actor=actor, note=note.strip(),
          conflict=_("A colleague changed this application at the same moment. Check it and try again."))
    session.flush()
    _log(session, application, "application.completion_requested", actor,
         {"status": ["in_review", "completion_requested"], "requirements": sorted(requirement_ids),
          "statements": sorted(statements), "deadline": [None, clock.as_utc(deadline).isoformat()]}, reason=note or None)
    _notify(session, _provider_members(session, application), subject=lambda title: _("Please complete your application: %(round)s", round=title),
            template="email/screening_completion_requested.txt", application=application, request=request,
            deadline=clock.local(deadline), link=link)
    return request


def _require_open(application: Application, request: CompletionRequest | None) -> CompletionRequest:
    if application.status is not ApplicationStatus.COMPLETION_REQUESTED or request is None or not request.is_open:
        raise ScreeningError(_("There is no open completion request for this application."))
    return request


def _require_before_deadline(request: CompletionRequest, at: datetime) -> None:
    if at > clock.as_utc(request.deadline):
        raise ScreeningError(_(
            "The deadline for completing the application passed on %(date)s. It can no longer be resubmitted; "
            "contact the region if you think this is wrong.",
            date=clock.local(request.deadline).strftime("%d-%m-%Y %H:%M")))


def listed_requirement_ids(request: CompletionRequest) -> set[int]:
    """Return the ids of the requirements a completion request names."""
    return {item.requirement_id for item in request.items if item.requirement_id is not None}


def listed_statements(request: CompletionRequest) -> set[str]:
    """Return the statement codes a completion request names."""
    return {item.statement for item in request.items if item.statement is not None}


def replace_documents(
    session: Session,
    *,
    application: Application,
    request: CompletionRequest | None,
    choices: dict[int, EvidenceDocument | None],
    actor: User,
    at: datetime | None = None,
) -> None:
    """Let the provider choose new vault versions for the listed requirements only; the rest stays frozen."""
    at = at or clock.now()
    request = _require_open(application, request)
    _require_before_deadline(request, at)
    listed = listed_requirement_ids(request)
    if set(choices) - listed:
        raise ScreeningError(_("Only the items the reviewers named can be changed; the rest of the application is frozen."))
    requirements = {r.id: r for r in application.round.requirements}
    chosen = {item.requirement_id: item for item in application.evidence}
    changes = {}
    for requirement_id, document in choices.items():
        if document is None:
            continue
        requirement = requirements[requirement_id]
        if document.provider_id != application.provider_id:
            raise ScreeningError(_("You can only use documents from your own evidence vault."))
        if document.evidence_type_id != requirement.evidence_type_id:
            raise ScreeningError(_("This document is of another kind than the round asks for."))
        if document.is_withdrawn:
            raise ScreeningError(_("This version was withdrawn; choose another one."))
        item = chosen.get(requirement_id)
        if item is None:
            application.evidence.append(ApplicationEvidence(requirement_id=requirement_id, document=document))
            changes[str(requirement_id)] = [None, document.id]
        elif item.document_id != document.id:
            changes[str(requirement_id)] = [item.document_id, document.id]
            item.document = document
    _touch(application)
    session.flush()
    if changes:
        _log(session, application, "application.completion_documents", actor, changes)


def answer_statements(
    session: Session,
    *,
    application: Application,
    request: CompletionRequest | None,
    answers: dict[str, tuple[bool | None, str]],
    actor: User,
    at: datetime | None = None,
) -> None:
    """Let the provider answer the listed statements of the self-declaration again; nothing else."""
    at = at or clock.now()
    request = _require_open(application, request)
    _require_before_deadline(request, at)
    listed = listed_statements(request)
    if set(answers) - listed:
        raise ScreeningError(_("Only the items the reviewers named can be changed; the rest of the application is frozen."))
    errors = {}
    for code, (applies, explanation) in answers.items():
        if applies is not None and STATEMENTS_BY_CODE[code].needs_explanation(applies) and not explanation.strip():
            errors[code] = _("Explain this answer: what happened, and what the organisation has done about it.")
    if errors:
        raise applications.InvalidAnswers(errors)
    existing = {d.statement: d for d in application.declarations}
    changes = {}
    for code, (applies, explanation) in answers.items():
        if applies is None:
            continue
        answer = existing.get(code)
        if answer is None:
            answer = Declaration(statement=code, applies=applies)
            application.declarations.append(answer)
        changes[code] = [answer.applies if answer.id else None, applies]
        answer.applies = applies
        answer.explanation = explanation.strip()
    _touch(application)
    session.flush()
    _log(session, application, "application.completion_statements", actor, changes)


def resubmission_problems(application: Application, request: CompletionRequest, on) -> list[str]:
    """List what is still missing or invalid among the listed items on the given day."""
    problems = []
    chosen = {item.requirement_id: item.document for item in application.evidence}
    requirements = {r.id: r for r in application.round.requirements}
    for requirement_id in sorted(listed_requirement_ids(request)):
        requirement = requirements[requirement_id]
        name = requirement_name(requirement)
        document = chosen.get(requirement_id)
        if document is None:
            problems.append(_("%(document)s: no document chosen.", document=name))
        elif document.is_withdrawn:
            problems.append(_("%(document)s: the chosen version was withdrawn.", document=name))
        else:
            verdict = applications.judge_document(requirement, document, on)
            if not verdict.valid:
                problems.append(f"{name}: {verdict.reason}")
    answers = {d.statement: d for d in application.declarations}
    for code in sorted(listed_statements(request)):
        answer = answers.get(code)
        statement = STATEMENTS_BY_CODE[code]
        if answer is None:
            problems.append(_("A statement of the self-declaration is not answered: %(statement)s", statement=statement.text))
        elif statement.needs_explanation(answer.applies) and not answer.explanation.strip():
            problems.append(_("A statement of the self-declaration needs an explanation: %(statement)s",
                              statement=statement.text))
    return problems


def requirement_name(requirement: EvidenceRequirement) -> str:
    """Name a requirement in the user's language, with its financial year where it has one."""
    from portal.evidence.vault import type_name
    from portal.models import ValidityRule

    name = type_name(requirement.evidence_type)
    return f"{name} {requirement.financial_year}" if requirement.rule is ValidityRule.FINANCIAL_YEAR else name


def resubmit(
    session: Session,
    *,
    application: Application,
    request: CompletionRequest | None,
    seen_version: int | None,
    actor: User,
    link: str = "",
    at: datetime | None = None,
) -> None:
    """Send the completed items back before the deadline, exactly once; the reviewer screens them again."""
    at = at or clock.now()
    if application.status is ApplicationStatus.IN_REVIEW and request is None:
        raise Conflict(_("The items have already been resubmitted by you or a colleague."))
    request = _require_open(application, request)
    _require_before_deadline(request, at)
    problems = resubmission_problems(application, request, clock.local(at).date())
    if problems:
        raise ScreeningError(_("Not every item is complete yet: %(problems)s", problems="; ".join(problems)))
    _move(session, application, expected=ApplicationStatus.COMPLETION_REQUESTED, to=ApplicationStatus.IN_REVIEW,
          actor=actor, seen_version=seen_version, note=_("The provider resubmitted the requested items."),
          conflict=_("The items have already been resubmitted by you or a colleague."))
    request.resubmitted_at = at
    request.resubmitted_by_id = actor.id
    # The fixed items are judged afresh; the old verdicts stay in the audit log.
    listed = listed_requirement_ids(request)
    for verdict in verdicts_of(session, application).values():
        if verdict.requirement_id in listed:
            session.delete(verdict)
    session.flush()
    _log(session, application, "application.resubmitted", actor,
         {"status": ["completion_requested", "in_review"],
          "evidence": {str(e.requirement_id): e.document_id for e in application.evidence if e.requirement_id in listed}})
    reviewer = request.requested_by
    if reviewer is not None and reviewer.active:
        _notify(session, [(reviewer.email, reviewer.locale or "nl")], subject=lambda title: _("Items resubmitted: %(round)s", round=title),
                template="email/screening_resubmitted.txt", application=application, link=link)


# Decisions ------------------------------------------------------------------------------------


def scope_requirements(application: Application, scope: ApplicationScope) -> list[EvidenceRequirement]:
    """Return the round's requirements that apply to the provider for the scope's product group."""
    return [r for r in application.round.requirements
            if applies_to(r, application.provider.legal_form, {scope.product_group_id})]


def propose(
    session: Session,
    *,
    scope: ApplicationScope,
    outcome: Outcome,
    reasons: str,
    actor: User,
) -> ScopeDecision:
    """Propose admitting or rejecting one product group × municipality; a second reviewer must confirm it."""
    application = scope.application
    if application.status is not ApplicationStatus.IN_REVIEW:
        raise ScreeningError(_("Decisions can only be proposed while the application is in review."))
    reasons = (reasons or "").strip()
    if outcome is Outcome.REJECTED and not reasons:
        raise ScreeningError(_("Give the reasons for rejecting."))
    if outcome is Outcome.ADMITTED:
        verdicts = verdicts_of(session, application)
        if any(r.id not in verdicts or not verdicts[r.id].accepted for r in scope_requirements(application, scope)):
            raise ScreeningError(_("Admission needs every required document for this product group to be accepted first."))
    decision = ScopeDecision(scope_id=scope.id, outcome=outcome, reasons=reasons, proposed_by_id=actor.id)
    try:
        with session.begin_nested():
            session.add(decision)
            session.flush()
    except IntegrityError:
        raise Conflict(_("A colleague proposed a decision on this product group and municipality at the same moment. "
                         "Their proposal is shown.")) from None
    _log(session, application, "application.decision_proposed", actor,
         {f"scope {scope.id}": [None, outcome.value]}, reason=reasons or None)
    return decision


def withdraw_proposal(session: Session, *, decision: ScopeDecision, seen_version: int | None, actor: User) -> None:
    """Take back a proposal that nobody confirmed yet, so another can be made."""
    application = decision.scope.application
    if decision.is_confirmed:
        raise Conflict(_("This decision has already been confirmed; it can no longer be withdrawn."))
    if seen_version is not None and decision.version != seen_version:
        raise Conflict(_("A colleague changed this proposal at the same moment. Check it again."))
    outcome = decision.outcome.value
    try:
        with session.begin_nested():
            session.delete(decision)
            session.flush()
    except StaleDataError:
        raise Conflict(_("A colleague changed this proposal at the same moment. Check it again.")) from None
    _log(session, application, "application.decision_withdrawn", actor, {f"scope {decision.scope_id}": [outcome, None]})


def confirm(
    session: Session,
    *,
    decision: ScopeDecision,
    seen_version: int | None,
    actor: User,
    link: str = "",
    at: datetime | None = None,
) -> None:
    """Confirm a colleague's proposal (never one's own); when every scope is confirmed the application is decided."""
    at = at or clock.now()
    scope = decision.scope
    application = scope.application
    if decision.proposed_by_id == actor.id:
        raise FourEyes(_("You proposed this decision yourself; another reviewer must confirm it (four-eyes principle)."))
    already = _("A colleague has already confirmed this decision.")
    if decision.is_confirmed:
        raise Conflict(already)
    if seen_version is not None and decision.version != seen_version:
        raise Conflict(_("A colleague changed this proposal at the same moment. Check it again."))
    if application.status is ApplicationStatus.DECIDED:
        raise Conflict(already)
    if application.status is not ApplicationStatus.IN_REVIEW:
        raise ScreeningError(_("Decisions can only be confirmed while the application is in review."))
    try:
        with session.begin_nested():
            decision.confirmed_by_id = actor.id
            decision.confirmed_at = at
            # Confirmations on other scopes of the same application wait for each other.
            _touch(application)
            session.flush()
    except (StaleDataError, IntegrityError):
        session.refresh(decision)
        session.refresh(application)
        if decision.is_confirmed:
            raise Conflict(already) from None
        raise Conflict(_("A colleague changed this application at the same moment. Check it and try again.")) from None
    _log(session, application, "application.decision_confirmed", actor,
         {f"scope {scope.id}": [decision.outcome.value, "confirmed"]})
    if decision.outcome is Outcome.ADMITTED:
        from portal.register.services import admit

        admit(session, scope=scope, admitted_on=clock.local(at).date(), actor=actor)
    decisions = decisions_of(session, application)
    if all(s.id in decisions and decisions[s.id].is_confirmed for s in application.scopes):
        _decide(session, application=application, actor=actor, at=at, link=link)


def _decide(session: Session, *, application: Application, actor: User, at: datetime, link: str) -> None:
    application.status = ApplicationStatus.DECIDED
    _touch(application)
    session.add(ApplicationEvent(application=application, status=ApplicationStatus.DECIDED, by_id=actor.id))
    session.add(DecisionLetter(application_id=application.id, decided_at=at))
    session.flush()
    _log(session, application, "application.decided", actor, {"status": ["in_review", "decided"]})
    _notify(session, _provider_members(session, application), subject=lambda title: _("Decision on your application: %(round)s", round=title),
            template="email/screening_decided.txt", application=application, link=link)


# The letter -----------------------------------------------------------------------------------


@dataclass
class Letter:
    """Everything a decision letter says."""

    application: Application
    date: datetime
    decisions: list[ScopeDecision]
    signers: list[User]

    @property
    def complaint_period_days(self) -> int:
        """The period for complaints the round announced."""
        return self.application.round.complaint_period_days


def letter(session: Session, application: Application) -> Letter | None:
    """Gather the decision letter of a decided application: each scope's outcome and reasons, and who signed."""
    record_ = letter_of(session, application)
    if record_ is None:
        return None
    decisions = sorted(decisions_of(session, application).values(),
                       key=lambda d: (d.scope.product_group.name, d.scope.municipality.name))
    signers: list[User] = []
    for decision in decisions:
        for person in (decision.proposed_by, decision.confirmed_by):
            if person is not None and person not in signers:
                signers.append(person)
    return Letter(application, clock.local(record_.decided_at), decisions, signers)


def mark_letter_read(session: Session, *, application: Application, actor: User) -> None:
    """Note the first time a member of the provider opened the letter, so it leaves their inbox."""
    record_ = letter_of(session, application)
    if record_ is not None and record_.read_at is None:
        record_.read_at = clock.now()
        session.flush()
        _log(session, application, "application.letter_read", actor)


# The provider's inbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """Something the provider must still do: finish a draft, complete items, read a letter."""

    kind: str
    application: Application
    deadline: datetime | None = None


def inbox(session: Session, provider: Provider) -> list[Action]:
    """Return the provider's open actions: drafts, open completion requests with their deadline, unread letters."""
    rows = session.execute(
        select(Application, CompletionRequest.deadline, DecisionLetter.id)
        .outerjoin(CompletionRequest, (CompletionRequest.application_id == Application.id)
                   & CompletionRequest.resubmitted_at.is_(None)
                   & (Application.status == ApplicationStatus.COMPLETION_REQUESTED))
        .outerjoin(DecisionLetter, (DecisionLetter.application_id == Application.id) & DecisionLetter.read_at.is_(None))
        .where(Application.provider_id == provider.id)
        .options(selectinload(Application.round))
        .order_by(Application.id)
    ).all()
    actions = []
    for application, deadline, unread_letter in rows:
        if application.status is ApplicationStatus.DRAFT:
            actions.append(Action("draft", application))
        elif deadline is not None:
            actions.append(Action("completion", application, clock.local(deadline)))
        elif unread_letter is not None:
            actions.append(Action("letter", application))
    actions.sort(key=lambda a: (a.kind != "completion", a.deadline or clock.now(), a.application.id))
    return actions
