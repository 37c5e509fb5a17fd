"""The evidence vault: upload documents once as versions, see how long each stays valid,
withdraw a version, and remind providers before and after their documents expire."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import BinaryIO

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal import clock
from portal.audit.services import record
from portal.evidence.rules import Rule, Verdict, judge
from portal.files.services import save_upload
from portal.mail import queue_email
from portal.models import (
    EvidenceDocument,
    EvidenceReminder,
    EvidenceType,
    Membership,
    Provider,
    Role,
    User,
    ValidityRule,
)

#: Days before expiry that a document counts as "expires soon" and its provider is reminded:
#: a Gedragsverklaring Aanbesteden takes up to 8 weeks to obtain.
DEFAULT_LEAD_DAYS = 70
#: Financial years a document may cover: the first year of the DigiMV era up to next year.
EARLIEST_FINANCIAL_YEAR = 2000
#: Rules under which a document runs out, and so can expire and be reminded about.
TIME_LIMITED = (ValidityRule.MAX_AGE, ValidityRule.EXPIRY_DATE)


class VaultError(Exception):
    """A rule of the vault was broken; the message can be shown to the provider."""


class InvalidDetails(VaultError):
    """The details typed with an upload do not fit; ``errors`` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Status(enum.StrEnum):
    """Where a document stands on a given day."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


#: Each status in words, so that it never depends on colour.
STATUS_LABELS = {
    Status.VALID: _l("Valid"),
    Status.EXPIRING: _l("Expires soon"),
    Status.EXPIRED: _l("Expired"),
    Status.WITHDRAWN: _l("Withdrawn"),
}


@dataclass(frozen=True)
class Standing:
    """A document with its status on a day, by the catalogue's default rule."""

    document: EvidenceDocument
    status: Status
    verdict: Verdict
    #: How many versions its line has (withdrawn ones included).
    versions: int = 1

    @property
    def valid_until(self) -> date | None:
        """Return the last day the document is valid, if it runs out."""
        return self.verdict.valid_until


def today() -> date:
    """Return today's date in the Netherlands."""
    return clock.local(clock.now()).date()


def type_name(evidence_type: EvidenceType) -> str:
    """Return the name of a catalogue type in the user's language."""
    locale = get_locale()
    return evidence_type.name_en if locale is not None and locale.language == "en" else evidence_type.name


def catalogue(session: Session) -> list[EvidenceType]:
    """Return the catalogue of document types, by Dutch name."""
    return list(session.scalars(select(EvidenceType).order_by(EvidenceType.name)))


def rule_of(evidence_type: EvidenceType) -> Rule:
    """Return the catalogue's default validity rule of a type."""
    return Rule(evidence_type.default_rule, max_age_days=evidence_type.default_max_age_days)


# Who may ------------------------------------------------------------------------------------


def can_see(membership: Membership | None, document: EvidenceDocument) -> bool:
    """Tell whether the member may see and download a document: its provider's members, and the
    screening staff of a region to whose round the document was submitted in an application."""
    if membership is None:
        return False
    if membership.role in (Role.PROVIDER_ADMIN, Role.PROVIDER_MEMBER):
        return membership.organisation_id == document.provider_id
    return _screened_in_region(membership, document)


def _screened_in_region(membership: Membership, document: EvidenceDocument) -> bool:
    """Tell whether the document is used by a submitted application to a round of the member's
    region, and the member screens there (reviewer, buyer, region admin, auditor)."""
    from sqlalchemy import exists
    from sqlalchemy.orm import object_session

    from portal.models import Application, ApplicationEvidence, ApplicationStatus, Round
    from portal.screening.policies import SCREENING_READERS, region_of

    region_id = region_of(membership)
    session = object_session(document)
    if membership.role not in SCREENING_READERS or region_id is None or session is None:
        return False
    return bool(session.scalar(select(exists().where(
        ApplicationEvidence.document_id == document.id,
        ApplicationEvidence.application_id == Application.id,
        Application.status != ApplicationStatus.DRAFT,
        Application.round_id == Round.id,
        Round.region_id == region_id,
    ))))


def can_manage(membership: Membership | None, provider: Provider) -> bool:
    """Tell whether the member may upload and withdraw the provider's documents."""
    return membership is not None and membership.role is Role.PROVIDER_ADMIN and membership.organisation_id == provider.id


# Status ---------------------------------------------------------------------------------------


def standing(document: EvidenceDocument, on: date, *, lead_days: int = DEFAULT_LEAD_DAYS, versions: int = 1) -> Standing:
    """Judge a document on a day: valid, expiring within the lead time, expired or withdrawn."""
    verdict = judge(
        rule_of(document.evidence_type), on,
        issue_date=document.issue_date, expiry_date=document.expiry_date, financial_year=document.financial_year,
    )
    if document.is_withdrawn:
        status = Status.WITHDRAWN
    elif not verdict.valid:
        status = Status.EXPIRED
    elif verdict.valid_until is not None and verdict.valid_until <= on + timedelta(days=lead_days):
        status = Status.EXPIRING
    else:
        status = Status.VALID
    return Standing(document, status, verdict, versions)


def _line(document: EvidenceDocument) -> tuple[int, int, int]:
    return (document.provider_id, document.evidence_type_id, document.line_year)


def _current_of(documents: Iterable[EvidenceDocument]) -> list[tuple[EvidenceDocument, int]]:
    """Pick per line the newest version not withdrawn (or the newest, when all are), with the count."""
    lines: dict[tuple[int, int, int], list[EvidenceDocument]] = defaultdict(list)
    for document in documents:
        lines[_line(document)].append(document)
    current = []
    for versions in lines.values():
        versions.sort(key=lambda d: d.version)
        kept = [d for d in versions if not d.is_withdrawn]
        current.append(((kept or versions)[-1], len(versions)))
    return current


def current_documents(
    session: Session, provider: Provider, *, on: date, lead_days: int = DEFAULT_LEAD_DAYS
) -> list[Standing]:
    """Return the current version of each of the provider's document lines with its status."""
    documents = session.scalars(
        select(EvidenceDocument)
        .where(EvidenceDocument.provider_id == provider.id)
        .options(joinedload(EvidenceDocument.evidence_type), joinedload(EvidenceDocument.stored_file))
    ).all()
    standings = [standing(d, on, lead_days=lead_days, versions=n) for d, n in _current_of(documents)]
    standings.sort(key=lambda s: (type_name(s.document.evidence_type).lower(), -s.document.line_year))
    return standings


def summary(session: Session, provider: Provider, *, on: date, lead_days: int = DEFAULT_LEAD_DAYS) -> dict[Status, int]:
    """Count the provider's current documents per status."""
    counts = dict.fromkeys(Status, 0)
    for item in current_documents(session, provider, on=on, lead_days=lead_days):
        counts[item.status] += 1
    return counts


def versions_of(session: Session, document: EvidenceDocument) -> list[EvidenceDocument]:
    """Return every version of the document's line, newest first."""
    return list(
        session.scalars(
            select(EvidenceDocument)
            .where(
                EvidenceDocument.provider_id == document.provider_id,
                EvidenceDocument.evidence_type_id == document.evidence_type_id,
                EvidenceDocument.line_year == document.line_year,
            )
            .options(
                joinedload(EvidenceDocument.stored_file),
                joinedload(EvidenceDocument.uploaded_by),
                joinedload(EvidenceDocument.withdrawn_by),
            )
            .order_by(EvidenceDocument.version.desc())
        )
    )


# Uploading --------------------------------------------------------------------------------------


def check_details(
    evidence_type: EvidenceType,
    *,
    issue_date: date | None,
    expiry_date: date | None,
    financial_year: int | None,
    on: date,
) -> dict[str, str]:
    """Return what is wrong with an upload's dates and year, per form field; empty when all fits."""
    errors: dict[str, str] = {}
    rule = evidence_type.default_rule
    if issue_date is None and rule is ValidityRule.MAX_AGE:
        errors["issue_date"] = _("Enter the date of issue: this document is valid for %(days)d days after it.",
                                 days=evidence_type.default_max_age_days)
    elif issue_date is not None and issue_date > on:
        errors["issue_date"] = _("The date of issue cannot be in the future.")
    if expiry_date is None and rule is ValidityRule.EXPIRY_DATE:
        errors["expiry_date"] = _("Enter the expiry date that is on the document.")
    elif expiry_date is not None and issue_date is not None and expiry_date <= issue_date:
        errors["expiry_date"] = _("The expiry date must be after the date of issue.")
    if rule is ValidityRule.FINANCIAL_YEAR:
        if financial_year is None:
            errors["financial_year"] = _("Enter the financial year the document covers.")
        elif not EARLIEST_FINANCIAL_YEAR <= financial_year <= on.year:
            errors["financial_year"] = _("Enter a financial year from %(first)d to %(last)d.",
                                         first=EARLIEST_FINANCIAL_YEAR, last=on.year)
    elif financial_year is not None:
        errors["financial_year"] = _("This kind of document does not cover a financial year; leave this field empty.")
    return errors


def upload_document(
    session: Session,
    *,
    provider: Provider,
    evidence_type: EvidenceType,
    stream: BinaryIO,
    filename: str | None,
    issue_date: date | None,
    expiry_date: date | None,
    issuer: str,
    financial_year: int | None,
    actor: User,
    on: date,
) -> EvidenceDocument:
    """Store a document as the next version of its line.

    Raises InvalidDetails when the dates or year do not fit the type, UploadRejected (from the
    file checks) when the file is refused, and VaultError when someone else uploaded a version
    of the same line at the same moment.
    """
    errors = check_details(evidence_type, issue_date=issue_date, expiry_date=expiry_date,
                           financial_year=financial_year, on=on)
    if errors:
        raise InvalidDetails(errors)
    stored = save_upload(session, stream=stream, filename=filename, owner=provider, uploaded_by=actor)
    line_year = financial_year or 0
    previous = session.scalar(
        select(EvidenceDocument)
        .where(
            EvidenceDocument.provider_id == provider.id,
            EvidenceDocument.evidence_type_id == evidence_type.id,
            EvidenceDocument.line_year == line_year,
        )
        .order_by(EvidenceDocument.version.desc())
        .limit(1)
    )
    document = EvidenceDocument(
        provider=provider,
        evidence_type=evidence_type,
        stored_file=stored,
        line_year=line_year,
        version=previous.version + 1 if previous else 1,
        supersedes=previous,
        issue_date=issue_date,
        expiry_date=expiry_date,
        issuer=issuer.strip(),
        financial_year=financial_year,
        uploaded_by_id=actor.id,
    )
    # The stored file's row already opened the transaction, so this savepoint nests on every driver.
    try:
        with session.begin_nested():
            session.add(document)
    except IntegrityError as error:
        raise VaultError(
            _("Someone else uploaded a version of this document at the same moment. "
              "Check the list and upload again if it is still needed.")
        ) from error
    record(
        session, action="evidence.uploaded", obj=document,
        object_label=f"{provider.name}: {evidence_type.name} v{document.version}",
        actor=actor, organisation=provider,
        changes={
            "evidence_type": [None, evidence_type.code],
            "version": [None, document.version],
            "file": [None, stored.filename],
            "sha256": [None, stored.sha256],
            "issue_date": [None, issue_date.isoformat() if issue_date else None],
            "expiry_date": [None, expiry_date.isoformat() if expiry_date else None],
            "issuer": [None, document.issuer],
            "financial_year": [None, financial_year],
        },
    )
    return document


def withdraw(session: Session, *, document: EvidenceDocument, actor: User, reason: str | None = None) -> None:
    """Withdraw a version: it is kept for applications that used it, but no longer offered."""
    if document.is_withdrawn:
        raise VaultError(_("This version was already withdrawn."))
    document.withdrawn_at = clock.now()
    document.withdrawn_by_id = actor.id
    record(
        session, action="evidence.withdrawn", obj=document,
        object_label=f"{document.provider.name}: {document.evidence_type.name} v{document.version}",
        actor=actor, organisation=document.provider, changes={"withdrawn": [False, True]}, reason=reason,
    )
    session.flush()


# Reminders --------------------------------------------------------------------------------------


def expiring_kind(lead_days: int) -> str:
    """Return the reminder kind for "expires within the lead time"."""
    return f"expires_{lead_days}d"


EXPIRED = "expired"


@dataclass(frozen=True)
class Due:
    """A reminder that should go out: which document, which kind, and its status."""

    standing: Standing
    kind: str

    @property
    def document(self) -> EvidenceDocument:
        """Return the document the reminder is about."""
        return self.standing.document


def _already_sent(session: Session, document_ids: list[int]) -> set[tuple[int, str]]:
    if not document_ids:
        return set()
    rows = session.execute(
        select(EvidenceReminder.document_id, EvidenceReminder.kind).where(EvidenceReminder.document_id.in_(document_ids))
    )
    return {(document_id, kind) for document_id, kind in rows}


def due_reminders(session: Session, *, today: date, lead_days: int = DEFAULT_LEAD_DAYS) -> list[Due]:
    """Return the reminders not sent yet: current documents expiring within the lead time or expired."""
    documents = session.scalars(
        select(EvidenceDocument)
        .join(EvidenceDocument.evidence_type)
        .where(EvidenceDocument.withdrawn_at.is_(None), EvidenceType.default_rule.in_(TIME_LIMITED))
        .options(joinedload(EvidenceDocument.evidence_type), joinedload(EvidenceDocument.provider))
    ).all()
    candidates = []
    for document, _count in _current_of(documents):
        item = standing(document, today, lead_days=lead_days)
        if item.status is Status.EXPIRING:
            candidates.append(Due(item, expiring_kind(lead_days)))
        elif item.status is Status.EXPIRED:
            candidates.append(Due(item, EXPIRED))
    sent = _already_sent(session, [due.document.id for due in candidates])
    due = [item for item in candidates if (item.document.id, item.kind) not in sent]
    due.sort(key=lambda item: (item.document.provider_id, item.standing.valid_until or today))
    return due


def _claim(session: Session, document_id: int, kind: str) -> bool:
    """Record that a reminder goes out; False when another run recorded it first.

    The insert waits for a concurrent run's insert of the same row and then does nothing, so two
    runs at once never both send it.
    """
    values = {"document_id": document_id, "kind": kind}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = (
            dialect_insert(EvidenceReminder).values(**values)
            .on_conflict_do_nothing(index_elements=["document_id", "kind"])
            .returning(EvidenceReminder.id)
        )
        return session.execute(statement).scalar() is not None
    try:
        with session.begin_nested():
            session.execute(insert(EvidenceReminder).values(**values))
    except IntegrityError:
        return False
    return True


def _recipients(session: Session, provider_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Return per provider the (address, language) of its administrators."""
    rows = session.execute(
        select(Membership.organisation_id, User.email, User.locale)
        .join(Membership.user)
        .where(Membership.organisation_id.in_(provider_ids), Membership.role == Role.PROVIDER_ADMIN)
        .order_by(User.email)
    )
    recipients: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for provider_id, email, locale in rows:
        recipients[provider_id].append((email, locale or "nl"))
    return recipients


@dataclass
class ReminderRun:
    """What a reminder run did."""

    #: Reminders recorded and e-mailed (one per document and kind).
    reminders: int = 0
    #: E-mails written to the outbox.
    emails: int = 0
    #: Providers with due reminders but no address to write to.
    unreachable: list[str] = field(default_factory=list)


def send_reminders(
    session: Session, *, today: date, link: str, lead_days: int = DEFAULT_LEAD_DAYS
) -> ReminderRun:
    """E-mail each provider's administrators (else its general address) about its due reminders.

    Each reminder is recorded before its e-mail is written, under a unique constraint, so it
    goes out once even when runs overlap. The caller commits; e-mail leaves after the commit.
    """
    run = ReminderRun()
    by_provider: dict[int, list[Due]] = defaultdict(list)
    for due in due_reminders(session, today=today, lead_days=lead_days):
        by_provider[due.document.provider_id].append(due)
    if not by_provider:
        return run
    admins = _recipients(session, list(by_provider))
    for provider_id, items in by_provider.items():
        provider = items[0].document.provider
        recipients = admins.get(provider_id) or ([(provider.email, "nl")] if provider.email else [])
        if not recipients:
            run.unreachable.append(provider.name)
            continue
        claimed = [due for due in items if _claim(session, due.document.id, due.kind)]
        if not claimed:
            continue
        for due in claimed:
            record(
                session, action="evidence.reminder_sent", obj=due.document,
                object_label=f"{provider.name}: {due.document.evidence_type.name} v{due.document.version}",
                organisation=provider, changes={"reminder": [None, due.kind]},
            )
        for address, locale in recipients:
            _queue_reminder(session, to=address, locale=locale, provider=provider, items=claimed,
                            link=link, lead_days=lead_days)
            run.emails += 1
        run.reminders += len(claimed)
    session.flush()
    return run


def _queue_reminder(session: Session, *, to: str, locale: str, provider: Provider, items: list[Due],
                    link: str, lead_days: int) -> None:
    with force_locale(locale):
        expiring = [item for item in items if item.kind != EXPIRED]
        expired = [item for item in items if item.kind == EXPIRED]
        subject = (
            _("Evidence of %(provider)s has expired", provider=provider.name)
            if expired
            else _("Evidence of %(provider)s expires soon", provider=provider.name)
        )
        queue_email(
            session, to=to, subject=subject, template="email/evidence_reminder.txt",
            provider=provider, expiring=expiring, expired=expired, link=link, lead_days=lead_days,
            type_name=type_name,
        )
