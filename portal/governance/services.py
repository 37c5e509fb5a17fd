"""Rules for governance declarations: fill in, import WNT statements, submit; profit caps; the
regions' reviews; and the compliance matrix, computed in a fixed number of queries."""

from __future__ import annotations

import csv
import enum
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal import clock
from portal.audit.services import pending_changes, record
from portal.governance import wnt
from portal.models import (
    Application,
    ApplicationScope,
    ApplicationStatus,
    EvidenceDocument,
    Provider,
    Region,
    Round,
    User,
)
from portal.models.governance import (
    PRINCIPLES,
    DeclarationStatus,
    EntityKind,
    GovernanceDeclaration,
    GovernanceNote,
    GovernancePrinciple,
    GovernanceReview,
    GroupEntity,
    RelatedPartyTransaction,
    ReviewVerdict,
    RoundProfitCap,
    SupervisoryMember,
    WntClass,
    WntFunction,
    WntMaximum,
    WntStatement,
)


class GovernanceError(Exception):
    """A rule about declarations was broken; the message can be shown as it is."""


class EditConflict(GovernanceError):
    """Someone else changed the object after this person opened the page."""


class InvalidInput(GovernanceError):
    """Some fields do not fit; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class RowError:
    """A CSV row that could not be read: its line number in the file and why."""

    line: int
    reason: str


class ImportFailed(GovernanceError):
    """A CSV import was refused; nothing of it was saved."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("The file was not imported: %(count)d rows have errors.", count=len(errors)))
        self.errors = errors


def _log(session: Session, declaration: GovernanceDeclaration, action: str, actor: User, changes: dict | None = None,
         region: Region | None = None) -> None:
    record(session, action=action, obj=declaration, object_type="governance_declaration",
           object_label=f"{declaration.provider.name} {declaration.financial_year}", actor=actor,
           organisation=region or declaration.provider, changes=changes)


def _require_draft(declaration: GovernanceDeclaration) -> None:
    if not declaration.is_draft:
        raise GovernanceError(_("This declaration has been submitted; it can no longer be changed."))


def _check_version(obj, seen_version: int | None) -> None:
    if seen_version is not None and obj.version != seen_version:
        raise EditConflict(_("Someone else changed this while you were working on it. Check it below; your input is kept."))


def _flush_versioned(session: Session, obj) -> None:
    """Flush a change to a versioned row; a colleague's change in between becomes an EditConflict."""
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        session.refresh(obj)
        raise EditConflict(_("Someone else changed this at the same moment. Check it again and save.")) from None


def _touch(declaration: GovernanceDeclaration) -> None:
    """Raise the declaration's version when one of its parts changes."""
    declaration.updated_at = clock.now()


# Loading -------------------------------------------------------------------------------------


def _full():
    return (
        selectinload(GovernanceDeclaration.provider),
        selectinload(GovernanceDeclaration.principles).selectinload(GovernancePrinciple.documents)
        .selectinload(EvidenceDocument.evidence_type),
        selectinload(GovernanceDeclaration.supervisors),
        selectinload(GovernanceDeclaration.entities),
        selectinload(GovernanceDeclaration.transactions),
        selectinload(GovernanceDeclaration.statements),
    )


def load_declaration(session: Session, declaration_id: int) -> GovernanceDeclaration | None:
    """Load a declaration with all its parts."""
    return session.scalar(select(GovernanceDeclaration).where(GovernanceDeclaration.id == declaration_id).options(*_full()))


def declarations_of(session: Session, provider: Provider) -> list[GovernanceDeclaration]:
    """Return the provider's declarations, newest year first."""
    return list(session.scalars(select(GovernanceDeclaration).where(GovernanceDeclaration.provider_id == provider.id)
                                .order_by(GovernanceDeclaration.financial_year.desc())))


def start_declaration(session: Session, *, provider: Provider, year: int, actor: User) -> GovernanceDeclaration:
    """Start the provider's declaration for a year; a second start returns the first."""
    if not 2013 <= year <= clock.local(clock.now()).year:
        raise GovernanceError(_("Choose a financial year from 2013 up to this year."))
    query = select(GovernanceDeclaration).where(GovernanceDeclaration.provider_id == provider.id,
                                                GovernanceDeclaration.financial_year == year)
    existing = session.scalar(query)
    if existing is not None:
        return existing
    declaration = GovernanceDeclaration(provider=provider, financial_year=year, status=DeclarationStatus.DRAFT)
    try:
        with session.begin_nested():
            session.add(declaration)
            session.flush()
    except IntegrityError:
        existing = session.scalar(query)
        if existing is None:
            raise
        return existing
    _log(session, declaration, "governance.started", actor)
    return declaration


# The main form -------------------------------------------------------------------------------


@dataclass
class PrincipleAnswer:
    """The provider's answer for one principle."""

    applied: bool | None
    explanation: str = ""
    document_ids: list[int] = field(default_factory=list)


def save_declaration(
    session: Session,
    *,
    declaration: GovernanceDeclaration,
    principles: dict[int, PrincipleAnswer],
    values: dict,
    seen_version: int | None,
    actor: User,
) -> None:
    """Save the principles, supervision, client council, finances and WNT class of a draft declaration."""
    _require_draft(declaration)
    _check_version(declaration, seen_version)
    errors: dict[str, str] = {}
    for number, answer in principles.items():
        if answer.applied is False and not answer.explanation.strip():
            errors[f"explanation_{number}"] = _("Principle %(number)d: explain why it is not applied.", number=number)
    points = [values.get(name) for name in ("points_knowledge", "points_tasks", "points_funding", "points_turnover")]
    wnt_class = None
    if any(p is not None for p in points):
        if any(p is None for p in points):
            errors["points_knowledge"] = _("Give the points for all four criteria, or for none.")
        else:
            total = sum(points)
            wnt_class = wnt.class_for_points(total)
            if wnt_class is None:
                errors["points_knowledge"] = _("The points add up to %(total)d; the classes I to V need 6 to 15 points.",
                                               total=total)
            elif not (values.get("class_reasoning") or "").strip():
                errors["class_reasoning"] = _("Explain why the supervisory board gave these points.")
    wanted_documents = {i for answer in principles.values() for i in answer.document_ids}
    documents = {d.id: d for d in session.scalars(select(EvidenceDocument).where(EvidenceDocument.id.in_(wanted_documents)))} \
        if wanted_documents else {}
    if any(d.provider_id != declaration.provider_id for d in documents.values()) or set(documents) != wanted_documents:
        errors["documents"] = _("You can only use documents from your own evidence vault.")
    if errors:
        raise InvalidInput(errors)
    existing = {p.number: p for p in declaration.principles}
    for number, answer in sorted(principles.items()):
        if answer.applied is None:
            if number in existing:
                declaration.principles.remove(existing[number])
            continue
        principle = existing.get(number)
        if principle is None:
            principle = GovernancePrinciple(number=number, applied=answer.applied)
            declaration.principles.append(principle)
        principle.applied = answer.applied
        principle.explanation = answer.explanation.strip()
        principle.documents = [documents[i] for i in answer.document_ids]
    for name in ("management_supervision_separated", "has_client_council", "revenue", "result", "profit_distributed",
                 "points_knowledge", "points_tasks", "points_funding", "points_turnover"):
        setattr(declaration, name, values.get(name))
    for name in ("separation_note", "client_council_note", "class_reasoning"):
        setattr(declaration, name, (values.get(name) or "").strip())
    declaration.wnt_class = wnt_class
    changes = pending_changes(declaration)
    _touch(declaration)
    _flush_versioned(session, declaration)
    _log(session, declaration, "governance.saved", actor, changes)


# Parts: supervisors, entities, transactions, statements ---------------------------------------


def add_supervisor(session: Session, *, declaration: GovernanceDeclaration, name: str, role, start_date: date,
                   term_end: date, reappointments: int, actor: User) -> SupervisoryMember:
    """Add a member of the supervisory body."""
    _require_draft(declaration)
    if term_end <= start_date:
        raise InvalidInput({"term_end": _("The end of the term must lie after its start.")})
    member = SupervisoryMember(name=name.strip(), role=role, start_date=start_date, term_end=term_end,
                               reappointments=reappointments)
    declaration.supervisors.append(member)
    _touch(declaration)
    session.flush()
    _log(session, declaration, "governance.supervisor_added", actor, {"supervisor": [None, member.name]})
    return member


def add_entity(session: Session, *, declaration: GovernanceDeclaration, name: str, kind: EntityKind,
               kvk_number: str | None, ownership_percent: Decimal, actor: User) -> GroupEntity:
    """Add an entity or ultimate beneficial owner to the group structure."""
    _require_draft(declaration)
    if kind is not EntityKind.UBO and not kvk_number:
        raise InvalidInput({"kvk_number": _("Give the KvK number of the company.")})
    entity = GroupEntity(name=name.strip(), kind=kind, kvk_number=kvk_number or None, ownership_percent=ownership_percent)
    declaration.entities.append(entity)
    _touch(declaration)
    session.flush()
    _log(session, declaration, "governance.entity_added", actor, {"entity": [None, entity.name]})
    return entity


def add_transaction(session: Session, *, declaration: GovernanceDeclaration, counterparty: str, kind, amount: Decimal,
                    arms_length: str, actor: User) -> RelatedPartyTransaction:
    """Add a related-party transaction."""
    _require_draft(declaration)
    transaction = RelatedPartyTransaction(counterparty=counterparty.strip(), kind=kind, amount=amount,
                                          arms_length=arms_length.strip())
    declaration.transactions.append(transaction)
    _touch(declaration)
    session.flush()
    _log(session, declaration, "governance.transaction_added", actor, {"transaction": [None, transaction.counterparty]})
    return transaction


def statement_errors(declaration: GovernanceDeclaration, values: dict, table) -> dict[str, str]:
    """Return {field: message} for a WNT statement's values; the same rules for the form and the import."""
    errors: dict[str, str] = {}
    year = declaration.financial_year
    start, end = values.get("start_date"), values.get("end_date")
    for name, day in (("start_date", start), ("end_date", end)):
        if day is not None and day.year != year:
            errors[name] = _("The date must lie in %(year)d, the year of this declaration.", year=year)
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = _("The end date lies before the start date.")
    if errors:
        return errors
    statement = WntStatement(**values)
    check = wnt.check_statement(statement, year=year, wnt_class=declaration.wnt_class,
                                legal_form=declaration.provider.legal_form, table=table)
    if check.outcome is wnt.Outcome.EXCEEDED and not (values.get("explanation") or "").strip():
        errors["explanation"] = _("The pay is %(above)s euros above the maximum of %(maximum)s euros: explain why and "
                                  "how it is recovered.", above=check.above, maximum=check.maximum)
    return errors


def add_statement(session: Session, *, declaration: GovernanceDeclaration, values: dict, actor: User) -> WntStatement:
    """Add a top official's WNT statement; pay above the norm needs an explanation."""
    _require_draft(declaration)
    errors = statement_errors(declaration, values, wnt.maxima_table(session))
    if errors:
        raise InvalidInput(errors)
    statement = WntStatement(**values)
    declaration.statements.append(statement)
    _touch(declaration)
    session.flush()
    _log(session, declaration, "governance.wnt_statement_added", actor, {"statement": [None, statement.name]})
    return statement


#: The parts a provider can remove one item of, by the name in the URL.
PARTS = {
    "toezicht": ("supervisors", SupervisoryMember),
    "groep": ("entities", GroupEntity),
    "transacties": ("transactions", RelatedPartyTransaction),
    "wnt": ("statements", WntStatement),
}


def remove_part(session: Session, *, declaration: GovernanceDeclaration, part: str, item_id: int, actor: User) -> None:
    """Remove one supervisor, entity, transaction or statement of a draft declaration."""
    _require_draft(declaration)
    attribute, _model = PARTS[part]
    items = getattr(declaration, attribute)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise GovernanceError(_("This item was removed already."))
    items.remove(item)
    _touch(declaration)
    session.flush()
    _log(session, declaration, "governance.part_removed", actor, {part: [item_id, None]})


# CSV import of WNT statements -----------------------------------------------------------------

#: The columns of the import file, in order; see docs/wnt-import-format.md.
CSV_COLUMNS = ["name", "position", "function", "start_date", "end_date", "part_time_factor", "employed", "pay",
               "deferred_pay", "being_recovered", "explanation"]
REQUIRED_COLUMNS = ["name", "position", "start_date", "end_date", "pay"]
FUNCTIONS = {
    "executive": WntFunction.EXECUTIVE, "bestuurder": WntFunction.EXECUTIVE,
    "supervisory_chair": WntFunction.SUPERVISORY_CHAIR, "voorzitter": WntFunction.SUPERVISORY_CHAIR,
    "supervisory_member": WntFunction.SUPERVISORY_MEMBER, "lid": WntFunction.SUPERVISORY_MEMBER,
}
BOOLEANS = {"ja": True, "yes": True, "true": True, "1": True, "nee": False, "no": False, "false": False, "0": False}
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def _decimal(text: str) -> Decimal:
    text = text.strip().replace(" ", "")
    if not _NUMBER.match(text):
        raise ValueError
    return Decimal(text.replace(",", "."))


def _date(text: str) -> date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def _row_values(row: dict[str, str]) -> tuple[dict, list[str]]:
    """Turn a CSV row into statement values; return them with the problems found."""
    problems: list[str] = []
    values: dict = {}
    for name in REQUIRED_COLUMNS:
        if not (row.get(name) or "").strip():
            problems.append(_("%(column)s is empty", column=name))
    if problems:
        return values, problems
    values["name"] = row["name"].strip()[:200]
    values["position"] = row["position"].strip()[:200]
    function = (row.get("function") or "executive").strip().lower()
    if function not in FUNCTIONS:
        problems.append(_("function %(value)s is not executive, supervisory_chair or supervisory_member", value=function))
    else:
        values["function"] = FUNCTIONS[function]
    for name in ("start_date", "end_date"):
        try:
            values[name] = _date(row[name])
        except ValueError:
            problems.append(_("%(column)s %(value)s is not a date (YYYY-MM-DD)", column=name, value=row[name]))
    for name, default in (("part_time_factor", "1"), ("pay", None), ("deferred_pay", "0")):
        text = (row.get(name) or "").strip() or default
        try:
            number = _decimal(text)
        except (ValueError, InvalidOperation):
            problems.append(_("%(column)s %(value)s is not a number", column=name, value=text))
            continue
        if number < 0 or (name == "part_time_factor" and number == 0):
            problems.append(_("%(column)s must be more than 0", column=name) if name == "part_time_factor"
                            else _("%(column)s cannot be negative", column=name))
        values[name] = number
    for name, default in (("employed", "ja"), ("being_recovered", "nee")):
        text = ((row.get(name) or "").strip() or default).lower()
        if text not in BOOLEANS:
            problems.append(_("%(column)s %(value)s is not ja or nee", column=name, value=text))
        else:
            values[name] = BOOLEANS[text]
    values["explanation"] = (row.get("explanation") or "").strip()
    return values, problems


def import_statements(session: Session, *, declaration: GovernanceDeclaration, content: bytes, actor: User) -> int:
    """Import WNT statements from CSV, one row per official: all rows or none; return how many."""
    _require_draft(declaration)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([RowError(1, _("The file is not UTF-8 text."))]) from None
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if missing or unknown:
        reasons = []
        if missing:
            reasons.append(_("missing columns: %(columns)s", columns=", ".join(missing)))
        if unknown:
            reasons.append(_("unknown columns: %(columns)s", columns=", ".join(unknown)))
        raise ImportFailed([RowError(1, "; ".join(reasons))])
    reader.fieldnames = header
    table = wnt.maxima_table(session)
    errors: list[RowError] = []
    rows: list[dict] = []
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if None in row:
            errors.append(RowError(line, _("more fields than columns")))
            continue
        values, problems = _row_values(row)
        if not problems:
            problems = list(statement_errors(declaration, values, table).values())
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
        else:
            rows.append(values)
    if not rows and not errors:
        errors.append(RowError(1, _("The file has no rows.")))
    if errors:
        raise ImportFailed(errors)
    for values in rows:
        declaration.statements.append(WntStatement(**values))
    _touch(declaration)
    session.flush()
    _log(session, declaration, "governance.wnt_imported", actor, {"statements": [None, len(rows)]})
    return len(rows)


# Submitting ----------------------------------------------------------------------------------


def problems(declaration: GovernanceDeclaration) -> list[str]:
    """List what is missing before the declaration can be submitted."""
    found = []
    answered = {p.number for p in declaration.principles}
    for number in PRINCIPLES:
        if number not in answered:
            found.append(_("Principle %(number)d of the Governancecode Zorg is not answered.", number=number))
    if declaration.management_supervision_separated is None:
        found.append(_("Say whether management and supervision are separated."))
    if declaration.has_client_council is None:
        found.append(_("Say whether you have a client council."))
    if declaration.revenue is None or declaration.result is None or declaration.profit_distributed is None:
        found.append(_("Give the revenue, the result and the profit distributed."))
    if wnt.applies_to(declaration.provider.legal_form):
        if declaration.wnt_class is None:
            found.append(_("Give the WNT points of the four criteria, so that the class is known."))
        if not declaration.statements:
            found.append(_("Add the WNT statement of at least one top official."))
    return found


def submit(session: Session, *, declaration: GovernanceDeclaration, seen_version: int | None, actor: User) -> None:
    """Submit a complete declaration exactly once; reviewing regions can then read it."""
    _require_draft(declaration)
    _check_version(declaration, seen_version)
    missing = problems(declaration)
    if missing:
        raise GovernanceError(_("The declaration is not complete yet: %(count)d points are missing.", count=len(missing)))
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.submitted_at = clock.now()
    declaration.submitted_by_id = actor.id
    _flush_versioned(session, declaration)
    _log(session, declaration, "governance.submitted", actor, {"status": ["draft", "submitted"]})


# WNT maxima ----------------------------------------------------------------------------------


def maxima(session: Session) -> list[WntMaximum]:
    """Return the maxima table, newest year first."""
    return list(session.scalars(select(WntMaximum).order_by(WntMaximum.year.desc(), WntMaximum.wnt_class)))


def add_maxima(session: Session, *, year: int, amounts: dict[WntClass, Decimal], source: str,
               actor: User | None) -> list[WntMaximum]:
    """Add the published maxima of a year; a class already in the table is refused, never overwritten."""
    if not 2013 <= year <= 2100:
        raise InvalidInput({"year": _("Give a year from 2013 to 2100.")})
    if not amounts:
        raise InvalidInput({"amounts": _("Give the maximum of at least one class.")})
    if not source.strip():
        raise InvalidInput({"source": _("Say where the figures come from.")})
    if any(amount <= 0 for amount in amounts.values()):
        raise InvalidInput({"amounts": _("A maximum must be more than 0 euros.")})
    present = set(session.scalars(select(WntMaximum.wnt_class).where(WntMaximum.year == year,
                                                                      WntMaximum.wnt_class.in_(list(amounts)))))
    if present:
        raise InvalidInput({"amounts": _("The table already has %(year)d for class %(classes)s; it is not changed.",
                                         year=year, classes=", ".join(sorted(c.value for c in present)))})
    rows = [WntMaximum(year=year, wnt_class=c, amount=a, source=source.strip(),
                       added_by=f"{actor.name} <{actor.email}>" if actor else "command line") for c, a in sorted(amounts.items())]
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        raise InvalidInput({"amounts": _("Someone added these maxima at the same moment; nothing was changed.")}) from None
    record(session, action="wnt.maxima_added", object_type="wnt_maximum", object_id=year, object_label=str(year),
           actor=actor, changes={c.value: [None, str(a)] for c, a in amounts.items()}, reason=source.strip())
    return rows


# Profit caps ---------------------------------------------------------------------------------


def cap_of(session: Session, round: Round) -> RoundProfitCap | None:
    """Return the round's profit cap, if it has one."""
    return session.scalar(select(RoundProfitCap).where(RoundProfitCap.round_id == round.id)
                          .options(selectinload(RoundProfitCap.no_distribution_groups)))


def set_cap(session: Session, *, round: Round, max_margin_percent: Decimal | None, group_ids: set[int],
            seen_version: int | None, actor: User) -> RoundProfitCap:
    """Set a round's maximum margin and the product groups in which no profit may be distributed."""
    groups = [g for g in round.product_groups if g.id in group_ids]
    if len(groups) != len(group_ids):
        raise InvalidInput({"groups": _("Choose product groups of this round.")})
    cap = cap_of(session, round)
    if cap is None:
        cap = RoundProfitCap(round=round)
        session.add(cap)
    else:
        _check_version(cap, seen_version)
    before = [str(cap.max_margin_percent) if cap.max_margin_percent is not None else None,
              sorted(g.id for g in cap.no_distribution_groups)]
    cap.max_margin_percent = max_margin_percent
    cap.no_distribution_groups = groups
    cap.updated_at = clock.now()
    try:
        with session.begin_nested():
            session.flush()
    except (StaleDataError, IntegrityError):
        raise EditConflict(_("Someone else changed the profit cap at the same moment. Check it again and save.")) from None
    record(session, action="round.profit_cap_set", obj=round, actor=actor, organisation=round.region,
           changes={"profit_cap": [before, [str(max_margin_percent) if max_margin_percent is not None else None,
                                            sorted(group_ids)]]})
    return cap


class CapStatus(enum.StrEnum):
    """Whether a provider's finances respect the profit caps of the rounds it applied to."""

    RESPECTED = "respected"
    BREACHED = "breached"
    NO_CAP = "no_cap"
    NO_FIGURES = "no_figures"


def cap_check(declaration: GovernanceDeclaration | None, caps: list[tuple[RoundProfitCap, set[int]]]) -> tuple[CapStatus, list[str]]:
    """Check finances against caps, each given with the product group ids the provider applied for in that round."""
    if not caps:
        return CapStatus.NO_CAP, []
    if declaration is None or declaration.revenue is None or declaration.result is None \
            or declaration.profit_distributed is None:
        return CapStatus.NO_FIGURES, []
    breaches = []
    margin = declaration.margin
    for cap, group_ids in caps:
        if cap.max_margin_percent is not None and margin is not None and margin * 100 > cap.max_margin_percent:
            breaches.append(_("The margin of %(margin)s percent is above the maximum of %(cap)s percent in %(round)s.",
                              margin=(margin * 100).quantize(Decimal("0.1")), cap=cap.max_margin_percent,
                              round=cap.round.title))
        closed = [g for g in cap.no_distribution_groups if g.id in group_ids]
        if closed and declaration.profit_distributed > 0:
            breaches.append(_("Profit was distributed while %(round)s allows no distribution for %(groups)s.",
                              round=cap.round.title, groups=", ".join(g.name for g in closed)))
    return (CapStatus.BREACHED if breaches else CapStatus.RESPECTED), breaches


# Who may see what ----------------------------------------------------------------------------


def _applied_in_region(region_id: int):
    """Filter: the provider submitted an application to a round of the region."""
    return (select(Application.provider_id).join(Round, Round.id == Application.round_id)
            .where(Round.region_id == region_id, Application.status != ApplicationStatus.DRAFT))


def region_may_see(session: Session, region_id: int | None, declaration: GovernanceDeclaration) -> bool:
    """Tell whether a region's staff may read the declaration: submitted, by a provider that applied there."""
    if region_id is None or declaration.is_draft:
        return False
    return bool(session.scalar(select(exists(_applied_in_region(region_id)
                                             .where(Application.provider_id == declaration.provider_id)))))


# Reviews -------------------------------------------------------------------------------------


def review_of(session: Session, region_id: int, declaration: GovernanceDeclaration) -> GovernanceReview | None:
    """Return the region's review of the declaration, with its notes."""
    return session.scalar(select(GovernanceReview).where(GovernanceReview.region_id == region_id,
                                                         GovernanceReview.declaration_id == declaration.id)
                          .options(selectinload(GovernanceReview.notes).selectinload(GovernanceNote.author)))


def reviews_for_provider(session: Session, declaration: GovernanceDeclaration) -> list[GovernanceReview]:
    """Return every region's review of a declaration, for the provider to read and answer."""
    return list(session.scalars(select(GovernanceReview).where(GovernanceReview.declaration_id == declaration.id)
                                .options(selectinload(GovernanceReview.region),
                                         selectinload(GovernanceReview.notes).selectinload(GovernanceNote.author))
                                .order_by(GovernanceReview.id)))


def give_verdict(session: Session, *, region: Region, declaration: GovernanceDeclaration, verdict: ReviewVerdict,
                 note: str, seen_version: int | None, actor: User) -> GovernanceReview:
    """Give or change the region's verdict on a declaration, with a finding for the provider."""
    if verdict is not ReviewVerdict.IN_ORDER and verdict is not ReviewVerdict.OPEN and not note.strip():
        raise InvalidInput({"note": _("Write down your findings, so that the provider knows what to answer.")})
    review = review_of(session, region.id, declaration)
    if review is None:
        review = GovernanceReview(region=region, declaration=declaration)
        try:
            with session.begin_nested():
                session.add(review)
                session.flush()
        except IntegrityError:
            raise EditConflict(_("A colleague reviewed this declaration at the same moment. Check it again.")) from None
    else:
        _check_version(review, seen_version)
    before = review.verdict.value if review.verdict else None
    review.verdict = verdict
    review.reviewed_by_id = actor.id
    if note.strip():
        review.notes.append(GovernanceNote(by_provider=False, author_id=actor.id, text=note.strip()))
    review.updated_at = clock.now()
    _flush_versioned(session, review)
    _log(session, declaration, "governance.verdict_given", actor, {"verdict": [before, verdict.value]}, region=region)
    return review


def respond(session: Session, *, review: GovernanceReview, text: str, actor: User) -> GovernanceNote:
    """Add the provider's response to a region's findings."""
    if not text.strip():
        raise InvalidInput({"text": _("Write your response.")})
    note = GovernanceNote(by_provider=True, author_id=actor.id, text=text.strip())
    review.notes.append(note)
    session.flush()
    _log(session, review.declaration, "governance.response_given", actor, {"response": [None, note.id]})
    return note


# The compliance matrix -----------------------------------------------------------------------


@dataclass
class MatrixRow:
    """One provider × year of the compliance matrix."""

    provider: Provider
    year: int
    declaration: GovernanceDeclaration | None
    wnt: wnt.Outcome
    cap: CapStatus
    cap_breaches: list[str]
    ubo_disclosed: bool | None
    verdict: ReviewVerdict

    @property
    def declared(self) -> bool:
        """Tell whether a submitted declaration exists for the year."""
        return self.declaration is not None and not self.declaration.is_draft


def matrix(session: Session, *, region_id: int, years: list[int], round_id: int | None = None) -> list[MatrixRow]:
    """Compute the matrix for the providers that applied in the region (or one round), in a fixed number of queries."""
    applied = (select(Application.provider_id, Application.round_id, ApplicationScope.product_group_id)
               .join(Round, Round.id == Application.round_id)
               .outerjoin(ApplicationScope, ApplicationScope.application_id == Application.id)
               .where(Round.region_id == region_id, Application.status != ApplicationStatus.DRAFT))
    if round_id is not None:
        applied = applied.where(Application.round_id == round_id)
    groups_by_provider_round: dict[tuple[int, int], set[int]] = {}
    for provider_id, rid, group_id in session.execute(applied):
        entry = groups_by_provider_round.setdefault((provider_id, rid), set())
        if group_id is not None:
            entry.add(group_id)
    provider_ids = {p for p, _r in groups_by_provider_round}
    if not provider_ids:
        return []
    providers = list(session.scalars(select(Provider).where(Provider.id.in_(provider_ids)).order_by(Provider.name)))
    declarations = {
        (d.provider_id, d.financial_year): d
        for d in session.scalars(
            select(GovernanceDeclaration)
            .where(GovernanceDeclaration.provider_id.in_(provider_ids), GovernanceDeclaration.financial_year.in_(years),
                   GovernanceDeclaration.status == DeclarationStatus.SUBMITTED)
            .options(selectinload(GovernanceDeclaration.statements), selectinload(GovernanceDeclaration.entities))
        )
    }
    round_ids = {r for _p, r in groups_by_provider_round}
    caps = {c.round_id: c for c in session.scalars(
        select(RoundProfitCap).where(RoundProfitCap.round_id.in_(round_ids))
        .options(selectinload(RoundProfitCap.no_distribution_groups), selectinload(RoundProfitCap.round)))}
    verdicts = dict(session.execute(
        select(GovernanceReview.declaration_id, GovernanceReview.verdict)
        .where(GovernanceReview.region_id == region_id,
               GovernanceReview.declaration_id.in_([d.id for d in declarations.values()]))
    ).all()) if declarations else {}
    table = wnt.maxima_table(session)
    rows = []
    for provider in providers:
        provider_caps = [(caps[r], groups) for (p, r), groups in groups_by_provider_round.items()
                         if p == provider.id and r in caps]
        applicable = wnt.applies_to(provider.legal_form)
        for year in sorted(years, reverse=True):
            declaration = declarations.get((provider.id, year))
            if declaration is None:
                outcome = wnt.Outcome.NOT_APPLICABLE if not applicable else wnt.Outcome.CANNOT_BE_CHECKED
                cap_status, breaches = cap_check(None, provider_caps)
                rows.append(MatrixRow(provider, year, None, outcome, cap_status, breaches, None, ReviewVerdict.OPEN))
                continue
            checks = [wnt.check_statement(s, year=year, wnt_class=declaration.wnt_class, legal_form=provider.legal_form,
                                          table=table) for s in declaration.statements]
            cap_status, breaches = cap_check(declaration, provider_caps)
            rows.append(MatrixRow(
                provider, year, declaration, wnt.overall(checks, applicable=applicable), cap_status, breaches,
                any(e.kind is EntityKind.UBO for e in declaration.entities),
                verdicts.get(declaration.id, ReviewVerdict.OPEN),
            ))
    return rows


# Link with Open House ------------------------------------------------------------------------

#: Catalogue codes a structured declaration can stand in for.
STRUCTURED_EVIDENCE = frozenset({"wnt_statement", "governance_statement"})


def requirements_met_by_declaration(session: Session, *, provider_id: int, requirements) -> set[int]:
    """Return the ids of requirements ("WNT statement for year Y", "governance declaration") that a
    submitted structured declaration of the provider meets, so no PDF is needed for them."""
    wanted = [r for r in requirements if r.evidence_type.code in STRUCTURED_EVIDENCE]
    if not wanted:
        return set()
    years = set(session.scalars(select(GovernanceDeclaration.financial_year).where(
        GovernanceDeclaration.provider_id == provider_id, GovernanceDeclaration.status == DeclarationStatus.SUBMITTED)))
    return {r.id for r in wanted if years and (r.financial_year is None or r.financial_year in years)}


def met_by_structured_declaration(application, requirements) -> set[int]:
    """The hook of the application's completeness check: the requirements its provider's
    submitted governance declarations meet (see requirements_met_by_declaration)."""
    session = object_session(application)
    if session is None:
        return set()
    return requirements_met_by_declaration(session, provider_id=application.provider_id, requirements=requirements)


def vault_documents(session: Session, provider: Provider) -> list[EvidenceDocument]:
    """Return the provider's vault versions that can serve as evidence (not withdrawn)."""
    return list(session.scalars(
        select(EvidenceDocument).where(EvidenceDocument.provider_id == provider.id, EvidenceDocument.withdrawn_at.is_(None))
        .options(selectinload(EvidenceDocument.evidence_type))
        .order_by(EvidenceDocument.evidence_type_id, EvidenceDocument.line_year.desc(), EvidenceDocument.version.desc())
    ))


def rounds_of_region(session: Session, region_id: int) -> list[Round]:
    """Return the region's rounds for the matrix filter."""
    return list(session.scalars(select(Round).where(Round.region_id == region_id).order_by(Round.id.desc())))
