"""Rules for applications: start, fill in the wizard, check completeness on the submission date,
and submit exactly once inside an open entry window."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import clock
from portal.audit.services import record
from portal.evidence.rules import Rule, judge
from portal.evidence.vault import type_name
from portal.governance.services import met_by_structured_declaration
from portal.mail import queue_email
from portal.models import (
    EvidenceDocument,
    EvidenceRequirement,
    Membership,
    Provider,
    Role,
    Round,
    RoundMunicipality,
    User,
    ValidityRule,
)
from portal.models.applications import (
    STATEMENTS,
    STATEMENTS_BY_CODE,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    ApplicationScope,
    ApplicationStatus,
    Declaration,
    PartnerRole,
    Subcontractor,
)
from portal.rounds.services import applies_to, open_window


class ApplicationError(Exception):
    """A rule about applications was broken; the message can be shown to the provider."""


class EditConflict(ApplicationError):
    """A colleague changed the application after this person opened the page."""


class AlreadySubmitted(ApplicationError):
    """The application was submitted already (double click, or a colleague at the same moment)."""


class InvalidAnswers(ApplicationError):
    """Some answers of the self-declaration do not fit; ``errors`` maps statement codes to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _require_draft(application: Application) -> None:
    if not application.is_draft:
        raise AlreadySubmitted(_("This application has already been submitted; it can no longer be changed."))


def _check_version(application: Application, seen_version: int | None) -> None:
    if seen_version is not None and application.version != seen_version:
        raise EditConflict(
            _("A colleague changed this application while you were working on it. Check it below; your input is kept.")
        )


def _touch(application: Application) -> None:
    """Raise the application's version with every change, so a submit at the same moment notices it."""
    application.updated_at = clock.now()


def _log(session: Session, application: Application, action: str, actor: User, changes: dict | None = None) -> None:
    record(session, action=action, obj=application, object_label=f"{application.provider.name}: {application.round.title}",
           actor=actor, organisation=application.provider, changes=changes)


# Loading -------------------------------------------------------------------------------------


def _full():
    """Loader options for everything the application's pages show, in a fixed number of queries."""
    return (
        selectinload(Application.round).selectinload(Round.region),
        selectinload(Application.round).selectinload(Round.product_groups),
        selectinload(Application.round).selectinload(Round.windows),
        selectinload(Application.round).selectinload(Round.municipalities).selectinload(RoundMunicipality.municipality),
        selectinload(Application.round).selectinload(Round.municipalities).selectinload(RoundMunicipality.closed_groups),
        selectinload(Application.round).selectinload(Round.requirements).selectinload(EvidenceRequirement.evidence_type),
        selectinload(Application.round).selectinload(Round.requirements).selectinload(EvidenceRequirement.product_groups),
        selectinload(Application.provider),
        selectinload(Application.scopes),
        selectinload(Application.declarations),
        selectinload(Application.subcontractors),
        selectinload(Application.evidence).selectinload(ApplicationEvidence.document).selectinload(EvidenceDocument.evidence_type),
        selectinload(Application.events).selectinload(ApplicationEvent.by),
        selectinload(Application.submitted_by),
    )


def load_application(session: Session, application_id: int) -> Application | None:
    """Load an application with everything its pages show."""
    return session.scalar(select(Application).where(Application.id == application_id).options(*_full()))


def applications_of(session: Session, provider: Provider) -> list[Application]:
    """Return the provider's applications, newest first, with their rounds and regions."""
    return list(session.scalars(
        select(Application).where(Application.provider_id == provider.id)
        .options(selectinload(Application.round).selectinload(Round.region), selectinload(Application.round).selectinload(Round.windows),
                 selectinload(Application.scopes))
        .order_by(Application.id.desc())
    ))


def application_for(session: Session, round: Round, provider: Provider) -> Application | None:
    """Return the provider's application to the round, if it started one."""
    return session.scalar(select(Application).where(Application.round_id == round.id, Application.provider_id == provider.id))


# Starting ------------------------------------------------------------------------------------


def start_application(session: Session, *, round: Round, provider: Provider, actor: User) -> Application:
    """Start the provider's application to a published round; a second start returns the first."""
    if not round.is_published:
        raise ApplicationError(_("Applications can only be made to a published round."))
    existing = application_for(session, round, provider)
    if existing is not None:
        return existing
    application = Application(round=round, provider=provider, created_by_id=actor.id, status=ApplicationStatus.DRAFT)
    try:
        # Two colleagues starting at once: the unique constraint keeps one, the other gets it.
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:
        existing = application_for(session, round, provider)
        if existing is None:
            raise
        return existing
    session.add(ApplicationEvent(application=application, status=ApplicationStatus.DRAFT, by_id=actor.id,
                                 note=_("Application started.")))
    session.flush()
    _log(session, application, "application.started", actor)
    return application


# Scope ---------------------------------------------------------------------------------------


def offered_pairs(round: Round) -> set[tuple[int, int]]:
    """Return the (municipality id, product group id) pairs the round offers: open groups of taking part municipalities."""
    return {
        (entry.municipality_id, group.id)
        for entry in round.municipalities
        for group in round.product_groups
        if group not in entry.closed_groups
    }


def set_scopes(
    session: Session, *, application: Application, pairs: Iterable[tuple[int, int]], seen_version: int | None, actor: User
) -> None:
    """Set the product groups × municipalities applied for; only pairs the round offers."""
    _require_draft(application)
    _check_version(application, seen_version)
    wanted = set(pairs)
    if wanted - offered_pairs(application.round):
        raise ApplicationError(
            _("You can only apply for product groups that a participating municipality keeps open in this round.")
        )
    before = {(s.municipality_id, s.product_group_id) for s in application.scopes}
    for scope in list(application.scopes):
        if (scope.municipality_id, scope.product_group_id) not in wanted:
            application.scopes.remove(scope)
    for municipality_id, group_id in sorted(wanted - before):
        application.scopes.append(ApplicationScope(municipality_id=municipality_id, product_group_id=group_id))
    _touch(application)
    session.flush()
    _log(session, application, "application.scopes_set", actor,
         {"scopes": [sorted(f"{m}:{g}" for m, g in before), sorted(f"{m}:{g}" for m, g in wanted)]})


def chosen_group_ids(application: Application) -> set[int]:
    """Return the ids of the product groups the application covers."""
    return {scope.product_group_id for scope in application.scopes}


# Self-declaration ----------------------------------------------------------------------------


def save_declaration(
    session: Session,
    *,
    application: Application,
    answers: dict[str, tuple[bool | None, str]],
    seen_version: int | None,
    actor: User,
) -> None:
    """Save the answers {statement code: (applies, explanation)}; an answer that needs one must be explained."""
    _require_draft(application)
    _check_version(application, seen_version)
    errors = {}
    for code, (applies, explanation) in answers.items():
        statement = STATEMENTS_BY_CODE.get(code)
        if statement is None:
            raise ApplicationError(_("Unknown statement."))
        if statement.needs_explanation(applies) and not explanation.strip():
            errors[code] = _("Explain this answer: what happened, and what the organisation has done about it.")
    if errors:
        raise InvalidAnswers(errors)
    existing = {d.statement: d for d in application.declarations}
    for code, (applies, explanation) in answers.items():
        answer = existing.get(code)
        if applies is None:
            if answer is not None:
                application.declarations.remove(answer)
            continue
        if answer is None:
            answer = Declaration(statement=code, applies=applies)
            application.declarations.append(answer)
        answer.applies = applies
        answer.explanation = explanation.strip()
    _touch(application)
    session.flush()
    _log(session, application, "application.declaration_saved", actor,
         {code: [None, applies] for code, (applies, _explanation) in answers.items()})


# Subcontractors ------------------------------------------------------------------------------


def add_subcontractor(
    session: Session, *, application: Application, name: str, kvk_number: str, role: PartnerRole, share_percent: int,
    actor: User,
) -> Subcontractor:
    """Name a subcontractor or combination partner."""
    _require_draft(application)
    kvk_number = kvk_number.strip()
    if not re.fullmatch(r"\d{8}", kvk_number):
        raise ApplicationError(_("A KvK number has 8 digits."))
    if not 1 <= share_percent <= 100:
        raise ApplicationError(_("The share of the work is a percentage from 1 to 100."))
    if any(s.kvk_number == kvk_number for s in application.subcontractors):
        raise ApplicationError(_("This company is already named in the application."))
    partner = Subcontractor(name=name.strip(), kvk_number=kvk_number, role=role, share_percent=share_percent)
    application.subcontractors.append(partner)
    _touch(application)
    session.flush()
    _log(session, application, "application.subcontractor_added", actor,
         {"subcontractor": [None, f"{partner.name} ({kvk_number}, {role.value}, {share_percent}%)"]})
    return partner


def remove_subcontractor(session: Session, *, application: Application, subcontractor: Subcontractor, actor: User) -> None:
    """Remove a subcontractor or combination partner."""
    _require_draft(application)
    if subcontractor.application_id != application.id:
        raise ApplicationError(_("This company is not named in the application."))
    application.subcontractors.remove(subcontractor)
    _touch(application)
    session.flush()
    _log(session, application, "application.subcontractor_removed", actor,
         {"subcontractor": [f"{subcontractor.name} ({subcontractor.kvk_number})", None]})


# Evidence ------------------------------------------------------------------------------------


def applicable_requirements(application: Application) -> list[EvidenceRequirement]:
    """Return the round's requirements that apply to this provider's legal form and chosen product groups."""
    groups = chosen_group_ids(application)
    return [r for r in application.round.requirements if applies_to(r, application.provider.legal_form, groups)]


def rule_of(requirement: EvidenceRequirement) -> Rule:
    """Return the round's validity rule of a requirement."""
    return Rule(requirement.rule, max_age_days=requirement.max_age_days, financial_year=requirement.financial_year)


def judge_document(requirement: EvidenceRequirement, document: EvidenceDocument, on: date):
    """Judge a vault version by the round's rule for the requirement on a day."""
    return judge(rule_of(requirement), on, issue_date=document.issue_date, expiry_date=document.expiry_date,
                 financial_year=document.financial_year)


def candidate_documents(
    session: Session, application: Application, requirements: list[EvidenceRequirement], on: date
) -> dict[int, list[EvidenceDocument]]:
    """Return per requirement the provider's vault versions that fit it on the day (type, year, not withdrawn, valid)."""
    type_ids = {r.evidence_type_id for r in requirements}
    documents = session.scalars(
        select(EvidenceDocument)
        .where(EvidenceDocument.provider_id == application.provider_id, EvidenceDocument.evidence_type_id.in_(type_ids),
               EvidenceDocument.withdrawn_at.is_(None))
        .options(selectinload(EvidenceDocument.evidence_type), selectinload(EvidenceDocument.stored_file))
        .order_by(EvidenceDocument.line_year.desc(), EvidenceDocument.version.desc())
    ).all() if type_ids else []
    result: dict[int, list[EvidenceDocument]] = {}
    for requirement in requirements:
        result[requirement.id] = [
            d for d in documents
            if d.evidence_type_id == requirement.evidence_type_id and judge_document(requirement, d, on).valid
        ]
    return result


def choose_documents(
    session: Session,
    *,
    application: Application,
    choices: dict[int, EvidenceDocument | None],
    seen_version: int | None,
    actor: User,
) -> None:
    """Choose per requirement id the vault version to use (None: none yet); only the provider's own versions."""
    _require_draft(application)
    _check_version(application, seen_version)
    requirements = {r.id: r for r in application.round.requirements}
    for requirement_id, document in choices.items():
        requirement = requirements.get(requirement_id)
        if requirement is None:
            raise ApplicationError(_("This document is not asked for in the round."))
        if document is None:
            continue
        if document.provider_id != application.provider_id:
            raise ApplicationError(_("You can only use documents from your own evidence vault."))
        if document.evidence_type_id != requirement.evidence_type_id:
            raise ApplicationError(_("This document is of another kind than the round asks for."))
        if document.is_withdrawn:
            raise ApplicationError(_("This version was withdrawn; choose another one."))
    chosen = {item.requirement_id: item for item in application.evidence}
    changes = {}
    for requirement_id, document in choices.items():
        item = chosen.get(requirement_id)
        old = item.document_id if item else None
        new = document.id if document else None
        if old == new:
            continue
        changes[str(requirement_id)] = [old, new]
        if document is None:
            application.evidence.remove(item)
        elif item is None:
            application.evidence.append(ApplicationEvidence(requirement_id=requirement_id, document=document))
        else:
            item.document = document
    _touch(application)
    session.flush()
    if changes:
        _log(session, application, "application.evidence_chosen", actor, changes)


# Completeness --------------------------------------------------------------------------------


#: The wizard's steps, in order: (name, endpoint).
STEPS = ("scope", "declaration", "subcontractors", "evidence")


@dataclass(frozen=True)
class Problem:
    """Something missing or invalid, with the wizard step (and field anchor) to fix it."""

    step: str
    message: str
    anchor: str = ""


def completeness(application: Application, on: date) -> list[Problem]:
    """List exactly what is missing or invalid for submitting on the given day."""
    problems: list[Problem] = []
    if not application.scopes:
        problems.append(Problem("scope", _("Choose at least one product group and municipality.")))
    answers = {d.statement: d for d in application.declarations}
    for number, statement in enumerate(STATEMENTS, start=1):
        answer = answers.get(statement.code)
        if answer is None:
            problems.append(Problem("declaration", _("Statement %(number)d of the self-declaration is not answered.", number=number),
                                    f"applies-{statement.code}"))
        elif statement.needs_explanation(answer.applies) and not answer.explanation.strip():
            problems.append(Problem("declaration", _("Statement %(number)d of the self-declaration needs an explanation.", number=number),
                                    f"explanation-{statement.code}"))
    chosen = {item.requirement_id: item.document for item in application.evidence}
    requirements = applicable_requirements(application)
    met_by_declaration = met_by_structured_declaration(application, requirements)
    for requirement in requirements:
        if requirement.id in met_by_declaration:
            continue  # a submitted governance declaration (with its WNT statements) stands in for the PDF
        name = type_name(requirement.evidence_type)
        if requirement.rule is ValidityRule.FINANCIAL_YEAR:
            name = f"{name} {requirement.financial_year}"
        anchor = f"requirement-{requirement.id}"
        document = chosen.get(requirement.id)
        if document is None:
            problems.append(Problem("evidence", _("%(document)s: no document chosen.", document=name), anchor))
        elif document.is_withdrawn:
            problems.append(Problem("evidence", _("%(document)s: the chosen version was withdrawn.", document=name), anchor))
        else:
            verdict = judge_document(requirement, document, on)
            if not verdict.valid:
                problems.append(Problem("evidence", f"{name}: {verdict.reason}", anchor))
    return problems


# Submitting ----------------------------------------------------------------------------------


def submit(
    session: Session, *, application: Application, seen_version: int | None, actor: User, link: str = "",
    at: datetime | None = None,
) -> None:
    """Submit a complete application inside an open entry window, exactly once; e-mail the provider's administrators."""
    at = at or clock.now()
    _require_draft(application)
    window = open_window(application.round, at)
    if window is None:
        raise ApplicationError(_("No entry window of this round is open now; the application can only be submitted while one is."))
    problems = completeness(application, clock.local(at).date())
    if problems:
        raise ApplicationError(_("The application is not complete yet: %(count)d points are missing or invalid.", count=len(problems)))
    _check_version(application, seen_version)
    try:
        # The version column makes this UPDATE conditional: a colleague's submit or change in
        # between leaves it matching no row, and the savepoint keeps the request usable.
        with session.begin_nested():
            application.status = ApplicationStatus.SUBMITTED
            application.submitted_at = at
            application.submitted_by_id = actor.id
            session.flush()
    except StaleDataError:
        session.refresh(application)
        if not application.is_draft:
            raise AlreadySubmitted(_("This application has already been submitted by you or a colleague.")) from None
        raise EditConflict(_("A colleague changed this application at the same moment. Check it again and submit.")) from None
    session.add(ApplicationEvent(application=application, status=ApplicationStatus.SUBMITTED, by_id=actor.id))
    session.flush()
    _log(session, application, "application.submitted", actor,
         {"status": ["draft", "submitted"], "evidence": {str(e.requirement_id): e.document_id for e in application.evidence}})
    _confirm(session, application=application, link=link)


def _recipients(session: Session, provider: Provider) -> list[tuple[str, str]]:
    """Return the (address, language) of the provider's administrators, else its general address."""
    rows = session.execute(
        select(User.email, User.locale).join(Membership.user)
        .where(Membership.organisation_id == provider.id, Membership.role == Role.PROVIDER_ADMIN)
        .order_by(User.email)
    ).all()
    if rows:
        return [(email, locale or "nl") for email, locale in rows]
    return [(provider.email, "nl")] if provider.email else []


def _confirm(session: Session, *, application: Application, link: str) -> None:
    for address, locale in _recipients(session, application.provider):
        with force_locale(locale):
            queue_email(
                session, to=address,
                subject=_("Application received: %(round)s", round=application.round.title),
                template="email/application_submitted.txt",
                application=application, submitted_at=clock.local(application.submitted_at), link=link,
                scopes=len(application.scopes), documents=len(application.evidence),
            )
