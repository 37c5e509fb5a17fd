"""Governance and WNT pages: the provider's declarations, the reviewers' compliance matrix and
review, the WNT maxima table, and a round's profit cap."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.auth import ConfirmForm
from forms.governance import (
    CapForm,
    DeclarationForm,
    EntityForm,
    ImportForm,
    MaximaForm,
    ResponseForm,
    StartForm,
    StatementForm,
    SubmitDeclarationForm,
    SupervisorForm,
    TransactionForm,
    VerdictForm,
    yes_no_value,
)
from portal.access import roles
from portal.clock import local, now
from portal.extensions import db
from portal.governance import services, wnt
from portal.models import PROVIDER_ROLES, STAFF_ROLES, Region, Role, Round
from portal.models.governance import (
    PRINCIPLES,
    EntityKind,
    GovernanceDeclaration,
    ReviewVerdict,
    SupervisorRole,
    TransactionKind,
    WntClass,
    WntFunction,
)
from portal.organisations.policies import region_id_of
from portal.pages import render_form

bp = Blueprint("governance", __name__)

#: Staff who give verdicts on declarations.
REVIEWERS = frozenset({Role.REVIEWER, Role.REGION_ADMIN})
#: Staff who set a round's profit cap.
CAP_SETTERS = frozenset({Role.BUYER, Role.REGION_ADMIN})
#: Only the provider's administrators submit: it binds the organisation.
SUBMITTERS = frozenset({Role.PROVIDER_ADMIN})

OUTCOME_LABELS = {
    wnt.Outcome.WITHIN: _l("Within the norm"),
    wnt.Outcome.EXCEEDED: _l("Norm exceeded"),
    wnt.Outcome.NOT_APPLICABLE: _l("WNT not applicable"),
    wnt.Outcome.CANNOT_BE_CHECKED: _l("Cannot be checked"),
}
CAP_LABELS = {
    services.CapStatus.RESPECTED: _l("Respected"),
    services.CapStatus.BREACHED: _l("Breached"),
    services.CapStatus.NO_CAP: _l("No cap set"),
    services.CapStatus.NO_FIGURES: _l("No figures"),
}
VERDICT_LABELS = {
    ReviewVerdict.OPEN: _l("Not judged yet"),
    ReviewVerdict.IN_ORDER: _l("In order"),
    ReviewVerdict.QUESTIONS: _l("Questions for the provider"),
    ReviewVerdict.NOT_IN_ORDER: _l("Not in order"),
}
FUNCTION_LABELS = {
    WntFunction.EXECUTIVE: _l("Executive"),
    WntFunction.SUPERVISORY_CHAIR: _l("Chair of the supervisory board"),
    WntFunction.SUPERVISORY_MEMBER: _l("Member of the supervisory board"),
}
ENTITY_LABELS = {
    EntityKind.PARENT: _l("Owner or parent company"),
    EntityKind.SUBSIDIARY: _l("Subsidiary"),
    EntityKind.SISTER: _l("Sister company"),
    EntityKind.UBO: _l("Ultimate beneficial owner (person)"),
}
TRANSACTION_LABELS = {
    TransactionKind.REAL_ESTATE: _l("Real estate (rent, purchase)"),
    TransactionKind.MANAGEMENT_FEE: _l("Management fee"),
    TransactionKind.SERVICES: _l("Services"),
    TransactionKind.LOAN: _l("Loan"),
}
SUPERVISOR_LABELS = {SupervisorRole.CHAIR: _l("Chair"), SupervisorRole.MEMBER: _l("Member")}
CHECK_REASONS = {
    "no_class": _l("no WNT class given"),
    "no_maximum": _l("the maxima table has no figure for this year and class"),
}


def _labels() -> dict:
    return {
        "outcome_labels": OUTCOME_LABELS, "cap_labels": CAP_LABELS, "verdict_labels": VERDICT_LABELS,
        "function_labels": FUNCTION_LABELS, "entity_labels": ENTITY_LABELS, "transaction_labels": TRANSACTION_LABELS,
        "supervisor_labels": SUPERVISOR_LABELS, "check_reasons": CHECK_REASONS, "principles": PRINCIPLES,
        "local": local,
    }


def _version(form) -> int | None:
    value = form.version.data
    return int(value) if value and str(value).isdigit() else None


def _checks(declaration: GovernanceDeclaration) -> dict[int, wnt.Check]:
    table = wnt.maxima_table(db.session)
    return {s.id: wnt.check_statement(s, year=declaration.financial_year, wnt_class=declaration.wnt_class,
                                      legal_form=declaration.provider.legal_form, table=table)
            for s in declaration.statements}


# The provider's side -------------------------------------------------------------------------


def _own(declaration_id: int) -> GovernanceDeclaration:
    """Load a declaration of the member's own provider; another provider's is a 404."""
    declaration = services.load_declaration(db.session, declaration_id)
    if declaration is None or g.membership.organisation_id != declaration.provider_id:
        abort(404)
    return declaration


@bp.route("/governance", methods=["GET", "POST"])
@roles(PROVIDER_ROLES)
def index():
    """List the provider's declarations per year, and start a new year."""
    provider = g.membership.organisation
    form = StartForm()
    if form.validate_on_submit():
        try:
            declaration = services.start_declaration(db.session, provider=provider, year=form.year.data, actor=current_user)
        except services.GovernanceError as error:
            form.year.errors.append(str(error))
        else:
            return redirect(url_for("governance.show", declaration_id=declaration.id))
    elif request.method == "GET":
        form.year.data = local(now()).year - 1
    return render_form("governance/index.html", form, declarations=services.declarations_of(db.session, provider),
                       wnt_applies=wnt.applies_to(provider.legal_form), **_labels())


def _part_forms(**given) -> dict:
    forms = {
        "supervisor_form": SupervisorForm(prefix="supervisor", formdata=None),
        "entity_form": EntityForm(prefix="entity", formdata=None),
        "transaction_form": TransactionForm(prefix="transaction", formdata=None),
        "statement_form": StatementForm(prefix="statement", formdata=None),
        "import_form": ImportForm(prefix="import", formdata=None),
    }
    forms.update(given)
    return forms


def _show(declaration: GovernanceDeclaration, status: int = 200, import_errors=None, response_form=None, **given):
    """Render the declaration's page, with its part forms (one possibly carrying errors)."""
    reviews = services.reviews_for_provider(db.session, declaration)
    response_forms = {r.id: ResponseForm(prefix=f"response-{r.id}", formdata=None) for r in reviews}
    if response_form is not None:
        response_forms[response_form.review_id] = response_form
    return render_template(
        "governance/show.html", declaration=declaration, checks=_checks(declaration),
        problems=services.problems(declaration) if declaration.is_draft else [],
        can_edit=declaration.is_draft, can_submit=declaration.is_draft and g.membership.role in SUBMITTERS,
        wnt_applies=wnt.applies_to(declaration.provider.legal_form), reviews=reviews,
        submit_form=SubmitDeclarationForm(formdata=None, version=declaration.version),
        response_forms=response_forms,
        remove_form=ConfirmForm(formdata=None), import_errors=import_errors or [],
        **_part_forms(**given), **_labels(),
    ), status


@bp.route("/governance/<int:declaration_id>")
@roles(PROVIDER_ROLES)
def show(declaration_id: int):
    """Show the declaration with its parts, the WNT checks, what is missing and the regions' findings."""
    return _show(_own(declaration_id))


def _frozen(declaration: GovernanceDeclaration):
    flash(_("This declaration has been submitted; it can no longer be changed."), "error")
    return redirect(url_for("governance.show", declaration_id=declaration.id))


@bp.route("/governance/<int:declaration_id>/bewerken", methods=["GET", "POST"])
@roles(PROVIDER_ROLES)
def edit(declaration_id: int):
    """Fill in the principles, supervision, client council, finances and the WNT class."""
    declaration = _own(declaration_id)
    if not declaration.is_draft:
        return _frozen(declaration)
    form = DeclarationForm()
    form.set_documents(services.vault_documents(db.session, declaration.provider))
    if request.method == "GET":
        _fill(form, declaration)
    elif form.validate_on_submit():
        principles = {n: services.PrincipleAnswer(yes_no_value(form[f"applied_{n}"]), form[f"explanation_{n}"].data or "",
                                                  [int(i) for i in form[f"documents_{n}"].data or []])
                      for n in PRINCIPLES}
        values = {name: form[name].data for name in (
            "separation_note", "client_council_note", "revenue", "result", "profit_distributed", "points_knowledge",
            "points_tasks", "points_funding", "points_turnover", "class_reasoning")}
        values["management_supervision_separated"] = yes_no_value(form.management_supervision_separated)
        values["has_client_council"] = yes_no_value(form.has_client_council)
        try:
            services.save_declaration(db.session, declaration=declaration, principles=principles, values=values,
                                      seen_version=_version(form), actor=current_user)
        except services.InvalidInput as error:
            for name, message in error.errors.items():
                target = form._fields.get(name)
                if target is None:
                    form.form_errors.append(message)
                else:
                    target.errors = [*target.errors, message]
        except services.GovernanceError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The declaration was saved."), "success")
            return redirect(url_for("governance.show", declaration_id=declaration.id))
    return render_form("governance/edit.html", form, declaration=declaration, **_labels())


def _fill(form: DeclarationForm, declaration: GovernanceDeclaration) -> None:
    """Put the saved answers in the form."""
    for name in ("separation_note", "client_council_note", "revenue", "result", "profit_distributed", "points_knowledge",
                 "points_tasks", "points_funding", "points_turnover", "class_reasoning"):
        form[name].data = getattr(declaration, name)
    for name in ("management_supervision_separated", "has_client_council"):
        value = getattr(declaration, name)
        form[name].data = None if value is None else ("yes" if value else "no")
    for principle in declaration.principles:
        form[f"applied_{principle.number}"].data = "yes" if principle.applied else "no"
        form[f"explanation_{principle.number}"].data = principle.explanation
        form[f"documents_{principle.number}"].data = [str(d.id) for d in principle.documents]
    form.version.data = declaration.version


@bp.route("/governance/<int:declaration_id>/<any(toezicht, groep, transacties, wnt):part>", methods=["POST"])
@roles(PROVIDER_ROLES)
def add_part(declaration_id: int, part: str):
    """Add a supervisor, group entity, related-party transaction or WNT statement."""
    declaration = _own(declaration_id)
    if not declaration.is_draft:
        return _frozen(declaration)
    form_class, prefix, key = {
        "toezicht": (SupervisorForm, "supervisor", "supervisor_form"),
        "groep": (EntityForm, "entity", "entity_form"),
        "transacties": (TransactionForm, "transaction", "transaction_form"),
        "wnt": (StatementForm, "statement", "statement_form"),
    }[part]
    form = form_class(prefix=prefix)
    if form.validate_on_submit():
        try:
            _add(declaration, part, form)
        except services.InvalidInput as error:
            for name, message in error.errors.items():
                target = form._fields.get({"name": "official_name"}.get(name, name))
                if target is None:
                    form.form_errors.append(message)
                else:
                    target.errors = [*target.errors, message]
        except services.GovernanceError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Added."), "success")
            return redirect(url_for("governance.show", declaration_id=declaration.id, _anchor=part))
    return _show(declaration, 422, **{key: form})


def _add(declaration: GovernanceDeclaration, part: str, form) -> None:
    session, actor = db.session, current_user
    if part == "toezicht":
        services.add_supervisor(session, declaration=declaration, name=form.name.data, role=SupervisorRole(form.role.data),
                                start_date=form.start_date.data, term_end=form.term_end.data,
                                reappointments=form.reappointments.data or 0, actor=actor)
    elif part == "groep":
        services.add_entity(session, declaration=declaration, name=form.entity_name.data, kind=EntityKind(form.kind.data),
                            kvk_number=form.kvk_number.data or None, ownership_percent=form.ownership_percent.data,
                            actor=actor)
    elif part == "transacties":
        services.add_transaction(session, declaration=declaration, counterparty=form.counterparty.data,
                                 kind=TransactionKind(form.transaction_kind.data), amount=form.amount.data,
                                 arms_length=form.arms_length.data, actor=actor)
    else:
        services.add_statement(session, declaration=declaration, actor=actor, values={
            "name": form.official_name.data, "position": form.position.data, "function": WntFunction(form.function.data),
            "start_date": form.start_date.data, "end_date": form.end_date.data,
            "part_time_factor": form.part_time_factor.data, "employed": yes_no_value(form.employed) is not False,
            "pay": form.pay.data, "deferred_pay": form.deferred_pay.data or Decimal("0"),
            "being_recovered": yes_no_value(form.being_recovered) is True, "explanation": form.explanation.data or "",
        })


@bp.route("/governance/<int:declaration_id>/<any(toezicht, groep, transacties, wnt):part>/<int:item_id>/verwijderen",
          methods=["POST"])
@roles(PROVIDER_ROLES)
def remove_part(declaration_id: int, part: str, item_id: int):
    """Remove one item of a part of a draft declaration."""
    declaration = _own(declaration_id)
    if not declaration.is_draft:
        return _frozen(declaration)
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_part(db.session, declaration=declaration, part=part, item_id=item_id, actor=current_user)
        except services.GovernanceError as error:
            flash(str(error), "error")
        else:
            flash(_("Removed."), "success")
    return redirect(url_for("governance.show", declaration_id=declaration.id, _anchor=part))


@bp.route("/governance/<int:declaration_id>/wnt-import", methods=["POST"])
@roles(PROVIDER_ROLES)
def import_statements(declaration_id: int):
    """Import WNT statements from a CSV file: every row or none."""
    declaration = _own(declaration_id)
    if not declaration.is_draft:
        return _frozen(declaration)
    form = ImportForm(prefix="import")
    if form.validate_on_submit():
        content = form.file.data.read(2 * 1024 * 1024 + 1)
        if len(content) > 2 * 1024 * 1024:
            form.file.errors = [_("The file is larger than 2 MB.")]
            return _show(declaration, 422, import_form=form)
        try:
            count = services.import_statements(db.session, declaration=declaration, content=content, actor=current_user)
        except services.ImportFailed as error:
            form.file.errors = [str(error)]
            return _show(declaration, 422, import_form=form, import_errors=error.errors)
        except services.GovernanceError as error:
            form.file.errors = [str(error)]
            return _show(declaration, 422, import_form=form)
        flash(_("%(count)d statements imported.", count=count), "success")
        return redirect(url_for("governance.show", declaration_id=declaration.id, _anchor="wnt"))
    return _show(declaration, 422, import_form=form)


@bp.route("/governance/<int:declaration_id>/indienen", methods=["POST"])
@roles(SUBMITTERS)
def submit(declaration_id: int):
    """Submit the declaration, so that the regions the provider applied to can review it."""
    declaration = _own(declaration_id)
    form = SubmitDeclarationForm()
    if form.validate_on_submit():
        try:
            services.submit(db.session, declaration=declaration, seen_version=_version(form), actor=current_user)
        except services.GovernanceError as error:
            flash(str(error), "error")
            return _show(declaration, 422)
        flash(_("The declaration was submitted."), "success")
    return redirect(url_for("governance.show", declaration_id=declaration.id))


@bp.route("/governance/<int:declaration_id>/bevindingen/<int:review_id>", methods=["POST"])
@roles(PROVIDER_ROLES)
def respond(declaration_id: int, review_id: int):
    """Answer a region's findings on the declaration."""
    declaration = _own(declaration_id)
    review = next((r for r in services.reviews_for_provider(db.session, declaration) if r.id == review_id), None)
    if review is None:
        abort(404)
    form = ResponseForm(prefix=f"response-{review.id}")
    if form.validate_on_submit():
        services.respond(db.session, review=review, text=form.text.data, actor=current_user)
        flash(_("Your response was sent."), "success")
        return redirect(url_for("governance.show", declaration_id=declaration.id, _anchor="findings"))
    form.review_id = review.id
    return _show(declaration, 422, response_form=form)


# The region's side ---------------------------------------------------------------------------


def _region_id() -> int:
    region_id = region_id_of(g.membership)
    if region_id is None:
        abort(404)
    return region_id


def _matrix_filter(region_id: int) -> tuple[Round | None, list[int], list[Round]]:
    """Read the round and year from the query string; a round of another region is a 404."""
    rounds = services.rounds_of_region(db.session, region_id)
    round = None
    if request.args.get("round", "").isdigit():
        round = next((r for r in rounds if r.id == int(request.args["round"])), None)
        if round is None:
            abort(404)
    this_year = local(now()).year
    year_text = request.args.get("year", "")
    if year_text.isdigit() and 2013 <= int(year_text) <= this_year:
        years = [int(year_text)]
    else:
        years = [this_year - 1, this_year - 2]
    return round, years, rounds


@bp.route("/governance/matrix")
@roles(STAFF_ROLES)
def matrix():
    """Show the compliance matrix: per provider and year, governance, WNT, profit cap, UBO and verdict."""
    region_id = _region_id()
    round, years, rounds = _matrix_filter(region_id)
    rows = services.matrix(db.session, region_id=region_id, years=years, round_id=round.id if round else None)
    return render_template("governance/matrix.html", rows=rows, rounds=rounds, round=round, years=years,
                           year_choices=list(range(local(now()).year, 2012, -1))[:6], **_labels())


def _export_rows(rows) -> list[list]:
    header = [_("Provider"), _("KvK number"), _("Year"), _("Governance declared"), _("WNT"), _("Profit cap"),
              _("UBO disclosed"), _("Verdict")]
    yes, no, unknown = _("yes"), _("no"), _("unknown")
    data = [header]
    for row in rows:
        data.append([
            row.provider.name, row.provider.kvk_number, row.year, yes if row.declared else no,
            str(OUTCOME_LABELS[row.wnt]), str(CAP_LABELS[row.cap]),
            unknown if row.ubo_disclosed is None else (yes if row.ubo_disclosed else no),
            str(VERDICT_LABELS[row.verdict]),
        ])
    return data


@bp.route("/governance/matrix.<any(csv, xlsx):fmt>")
@roles(STAFF_ROLES)
def export(fmt: str):
    """Download the matrix as CSV or as an Excel workbook."""
    region_id = _region_id()
    round, years, _rounds = _matrix_filter(region_id)
    data = _export_rows(services.matrix(db.session, region_id=region_id, years=years, round_id=round.id if round else None))
    name = f"governance-matrix-{now().date().isoformat()}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        for line in data:
            writer.writerow([_safe_cell(v) for v in line])
        body, mimetype = "\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Matrix")[:31]
        for line in data:
            sheet.append([_safe_cell(v) for v in line])
        stream = io.BytesIO()
        workbook.save(stream)
        body, mimetype = stream.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _safe_cell(value):
    """Keep spreadsheet programs from running text that looks like a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _reviewed(declaration_id: int) -> tuple[GovernanceDeclaration, int]:
    """Load a declaration the member's region may review; anything else is a 404."""
    region_id = _region_id()
    declaration = services.load_declaration(db.session, declaration_id)
    if declaration is None or not services.region_may_see(db.session, region_id, declaration):
        abort(404)
    return declaration, region_id


def _review_page(declaration: GovernanceDeclaration, region_id: int, form: VerdictForm | None = None):
    review = services.review_of(db.session, region_id, declaration)
    if form is None:
        form = VerdictForm(formdata=None, verdict=(review.verdict.value if review else ReviewVerdict.OPEN.value),
                           version=review.version if review else "")
    row = next((r for r in services.matrix(db.session, region_id=region_id, years=[declaration.financial_year])
                if r.provider.id == declaration.provider_id), None)
    return render_form("governance/review.html", form, declaration=declaration, review=review, checks=_checks(declaration),
                       can_review=g.membership.role in REVIEWERS, row=row,
                       wnt_applies=wnt.applies_to(declaration.provider.legal_form), **_labels())


@bp.route("/governance/beoordeling/<int:declaration_id>")
@roles(STAFF_ROLES)
def review(declaration_id: int):
    """Show a provider's declaration to the region's staff, with the region's verdict and findings."""
    declaration, region_id = _reviewed(declaration_id)
    return _review_page(declaration, region_id)


@bp.route("/governance/beoordeling/<int:declaration_id>/oordeel", methods=["POST"])
@roles(REVIEWERS)
def verdict(declaration_id: int):
    """Give or change the region's verdict, with findings the provider reads."""
    declaration, region_id = _reviewed(declaration_id)
    form = VerdictForm()
    if form.validate_on_submit():
        try:
            services.give_verdict(db.session, region=db.session.get(Region, region_id), declaration=declaration,
                                  verdict=ReviewVerdict(form.verdict.data), note=form.note.data or "",
                                  seen_version=_version(form), actor=current_user)
        except services.InvalidInput as error:
            form.note.errors = [*form.note.errors, *error.errors.values()]
        except services.GovernanceError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The verdict was saved."), "success")
            return redirect(url_for("governance.review", declaration_id=declaration.id))
    return _review_page(declaration, region_id, form)


@bp.route("/governance/wnt-maxima")
@roles(STAFF_ROLES)
def maxima():
    """Show the WNT maxima table with its sources; region administrators add new years."""
    form = MaximaForm(formdata=None)
    return _maxima_page(form)


def _maxima_page(form: MaximaForm):
    return render_form("governance/maxima.html", form, maxima=services.maxima(db.session),
                       can_add=g.membership.role is Role.REGION_ADMIN, classes=list(WntClass))


@bp.route("/governance/wnt-maxima", methods=["POST"])
@roles(Role.REGION_ADMIN)
def add_maxima():
    """Add the published maxima of a year."""
    form = MaximaForm()
    if form.validate_on_submit():
        amounts = {c: form[f"amount_{c.value}"].data for c in WntClass if form[f"amount_{c.value}"].data is not None}
        try:
            services.add_maxima(db.session, year=form.year.data, amounts=amounts, source=form.source.data, actor=current_user)
        except services.InvalidInput as error:
            for name, message in error.errors.items():
                target = form._fields.get(name)
                if target is None:
                    form.form_errors.append(message)
                else:
                    target.errors = [*target.errors, message]
        else:
            flash(_("The maxima of %(year)d were added.", year=form.year.data), "success")
            return redirect(url_for("governance.maxima"))
    return _maxima_page(form)


@bp.route("/governance/rondes/<int:round_id>/winstnorm", methods=["GET", "POST"])
@roles(CAP_SETTERS)
def cap(round_id: int):
    """Set a round's profit cap: a maximum margin and product groups without profit distribution."""
    round = db.session.get(Round, round_id)
    if round is None or round.region_id != _region_id():
        abort(404)
    existing = services.cap_of(db.session, round)
    if request.method == "GET":
        form = CapForm(formdata=None, max_margin_percent=existing.max_margin_percent if existing else None,
                       groups=[str(g.id) for g in existing.no_distribution_groups] if existing else [],
                       version=existing.version if existing else "")
    else:
        form = CapForm()
    form.groups.choices = [(str(g.id), f"{g.code} {g.name}") for g in round.product_groups]
    if form.validate_on_submit():
        try:
            services.set_cap(db.session, round=round, max_margin_percent=form.max_margin_percent.data,
                             group_ids={int(i) for i in form.groups.data or []}, seen_version=_version(form),
                             actor=current_user)
        except services.GovernanceError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The profit cap was saved."), "success")
            return redirect(url_for("governance.cap", round_id=round.id))
    return render_form("governance/cap.html", form, round=round)
