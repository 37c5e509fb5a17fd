"""The provider's applications: the list, the wizard steps, the check-and-submit page and the status timeline."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.applications import (
    APPLIES,
    DOES_NOT_APPLY,
    PARTNER_ROLE_LABELS,
    DeclarationForm,
    ScopeForm,
    StartForm,
    SubcontractorForm,
    SubmitApplicationForm,
    evidence_form,
)
from forms.auth import ConfirmForm
from portal.access import roles
from portal.applications import policies, services
from portal.clock import local, now
from portal.evidence.vault import today, type_name
from portal.extensions import db
from portal.models import PROVIDER_ROLES, STAFF_ROLES, EvidenceDocument, Role, ValidityRule
from portal.models.applications import (
    STATEMENTS,
    Application,
    ApplicationStatus,
    PartnerRole,
    Subcontractor,
)
from portal.pages import get_or_404
from portal.rounds import services as round_services
from portal.rounds.policies import can_read_public

bp = Blueprint("applications", __name__)

#: Each status in words, so that it never depends on colour.
STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Draft, not submitted"),
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.IN_REVIEW: _l("In review"),
    ApplicationStatus.COMPLETION_REQUESTED: _l("Completion requested"),
    ApplicationStatus.DECIDED: _l("Decided"),
}

#: What the provider must do next, per status.
NEXT_STEPS = {
    ApplicationStatus.DRAFT: _l("Complete every step and submit the application while an entry window is open."),
    ApplicationStatus.SUBMITTED: _l("Nothing for now. The region's reviewers will screen your application; "
                                    "you get an e-mail when they ask for anything or decide."),
    ApplicationStatus.IN_REVIEW: _l("Nothing for now. Reviewers are screening your application."),
    ApplicationStatus.COMPLETION_REQUESTED: _l("Complete the items the reviewers asked for before the deadline."),
    ApplicationStatus.DECIDED: _l("Read the decision letter. You may object within the period it states."),
}


@bp.app_template_global("application_status_label")
def application_status_label(status: ApplicationStatus) -> str:
    """Say an application's status in words."""
    return str(STATUS_LABELS[ApplicationStatus(status)])

#: Pages of one application: its provider's members see them; staff get 404 until screening comes.
READERS = frozenset(PROVIDER_ROLES) | frozenset(STAFF_ROLES)


def _application(application_id: int) -> Application:
    """Load an application the member's provider owns, or 404."""
    application = services.load_application(db.session, application_id)
    if application is None or not policies.can_see(g.membership, application):
        abort(404)
    return application


def _frozen(application: Application):
    """Answer an edit of a submitted application: nothing changes, and the provider is told why."""
    flash(_("This application has already been submitted; it can no longer be changed."), "error")
    return redirect(url_for("applications.show", application_id=application.id))


def _version(form) -> int | None:
    value = form.version.data
    return int(value) if value and str(value).isdigit() else None


def _page(template: str, application: Application, status: int = 200, **context):
    """Render a page of the application with what every page of it shows."""
    return render_template(
        template, application=application, step=context.pop("step", None),
        can_edit=policies.can_edit(g.membership, application),
        can_submit=policies.can_submit(g.membership, application),
        local=local, **context,
    ), status


@bp.route("/aanmeldingen")
@roles(PROVIDER_ROLES)
def index():
    """List the provider's applications with their status."""
    applications = services.applications_of(db.session, g.membership.organisation)
    return render_template("applications/index.html", applications=applications, local=local, now=now(),
                           open_window=round_services.open_window)


@bp.route("/aanmeldingen/ronde/<int:round_id>", methods=["POST"])
@roles(PROVIDER_ROLES)
def start(round_id: int):
    """Start the provider's application to a published round, or open the one it has."""
    round = round_services.load_round(db.session, round_id)
    if round is None or not can_read_public(round):
        abort(404)
    if not StartForm().validate_on_submit():
        return redirect(url_for("rounds.public_show", round_id=round.id))
    try:
        application = services.start_application(db.session, round=round, provider=g.membership.organisation,
                                                 actor=current_user)
    except services.ApplicationError as error:
        flash(str(error), "error")
        return redirect(url_for("rounds.public_show", round_id=round.id))
    if not application.is_draft:
        return redirect(url_for("applications.show", application_id=application.id))
    return redirect(url_for("applications.scope", application_id=application.id))


@bp.route("/aanmeldingen/<int:application_id>")
@roles(READERS)
def show(application_id: int):
    """Show where the application stands: the timeline and what to do next."""
    application = _application(application_id)
    reached = {}
    for event in application.events:
        reached.setdefault(event.status, event)
    return _page("applications/show.html", application, reached=reached, next_step=NEXT_STEPS[application.status],
                 stages=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW,
                         ApplicationStatus.COMPLETION_REQUESTED, ApplicationStatus.DECIDED])


@bp.route("/aanmeldingen/<int:application_id>/percelen", methods=["GET", "POST"])
@roles(READERS)
def scope(application_id: int):
    """Choose the product groups × municipalities to apply for."""
    application = _application(application_id)
    offered = services.offered_pairs(application.round)
    form = ScopeForm()
    form.set_choices(offered)
    if request.method == "GET":
        form.scopes.data = [f"{s.municipality_id}:{s.product_group_id}" for s in application.scopes]
        form.version.data = application.version
    elif not application.is_draft:
        return _frozen(application)
    elif form.validate_on_submit():
        try:
            services.set_scopes(db.session, application=application, pairs=form.chosen_pairs(),
                                seen_version=_version(form), actor=current_user)
        except services.ApplicationError as error:
            form.scopes.errors.append(str(error))
        else:
            flash(_("The product groups and municipalities have been saved."), "success")
            return redirect(url_for("applications.declaration", application_id=application.id))
    return _page("applications/scope.html", application, 422 if form.errors else 200, step="scope", form=form,
                 offered=offered)


@bp.route("/aanmeldingen/<int:application_id>/verklaring", methods=["GET", "POST"])
@roles(READERS)
def declaration(application_id: int):
    """Answer the self-declaration (eigen verklaring)."""
    application = _application(application_id)
    form = DeclarationForm()
    if request.method == "GET":
        answers = {d.statement: d for d in application.declarations}
        for statement in STATEMENTS:
            answer = answers.get(statement.code)
            if answer is not None:
                form[f"applies-{statement.code}"].data = APPLIES if answer.applies else DOES_NOT_APPLY
                form[f"explanation-{statement.code}"].data = answer.explanation
        form.version.data = application.version
    elif not application.is_draft:
        return _frozen(application)
    elif form.validate_on_submit():
        try:
            services.save_declaration(db.session, application=application, answers=form.answers(),
                                      seen_version=_version(form), actor=current_user)
        except services.InvalidAnswers as invalid:
            for code, message in invalid.errors.items():
                form[f"explanation-{code}"].errors.append(message)
        except services.ApplicationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The self-declaration has been saved."), "success")
            return redirect(url_for("applications.subcontractors", application_id=application.id))
    return _page("applications/declaration.html", application, 422 if form.errors else 200, step="declaration",
                 form=form, statements=STATEMENTS)


@bp.route("/aanmeldingen/<int:application_id>/onderaannemers", methods=["GET", "POST"])
@roles(READERS)
def subcontractors(application_id: int):
    """List the subcontractors and combination partners, and add one."""
    application = _application(application_id)
    form = SubcontractorForm(formdata=None) if request.method == "GET" else SubcontractorForm()
    if request.method == "POST":
        if not application.is_draft:
            return _frozen(application)
        if form.validate_on_submit():
            try:
                services.add_subcontractor(db.session, application=application, name=form.name.data,
                                           kvk_number=form.kvk_number.data, role=PartnerRole(form.role.data),
                                           share_percent=form.share_percent.data, actor=current_user)
            except services.ApplicationError as error:
                form.kvk_number.errors.append(str(error))
            else:
                flash(_("The company has been added."), "success")
                return redirect(url_for("applications.subcontractors", application_id=application.id))
    return _page("applications/subcontractors.html", application, 422 if form.errors else 200, step="subcontractors",
                 form=form, role_labels=PARTNER_ROLE_LABELS)


@bp.route("/aanmeldingen/<int:application_id>/onderaannemers/<int:subcontractor_id>/verwijderen", methods=["POST"])
@roles(PROVIDER_ROLES)
def remove_subcontractor(application_id: int, subcontractor_id: int):
    """Remove a subcontractor or combination partner."""
    application = _application(application_id)
    subcontractor = get_or_404(Subcontractor, subcontractor_id)
    if subcontractor.application_id != application.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.remove_subcontractor(db.session, application=application, subcontractor=subcontractor,
                                          actor=current_user)
        except services.ApplicationError as error:
            flash(str(error), "error")
        else:
            flash(_("The company has been removed."), "success")
    return redirect(url_for("applications.subcontractors", application_id=application.id))


def _document_label(document: EvidenceDocument) -> str:
    parts = [f"{type_name(document.evidence_type)} v{document.version}", document.stored_file.filename]
    if document.issue_date:
        parts.append(_("issued %(date)s", date=document.issue_date.strftime("%d-%m-%Y")))
    if document.expiry_date:
        parts.append(_("valid until %(date)s", date=document.expiry_date.strftime("%d-%m-%Y")))
    if document.financial_year:
        parts.append(str(document.financial_year))
    return " – ".join(parts)


def _requirement_label(requirement) -> str:
    name = type_name(requirement.evidence_type)
    return f"{name} {requirement.financial_year}" if requirement.rule is ValidityRule.FINANCIAL_YEAR else name


@bp.route("/aanmeldingen/<int:application_id>/bewijsstukken", methods=["GET", "POST"])
@roles(READERS)
def evidence(application_id: int):
    """Choose per applicable requirement a valid version from the provider's evidence vault."""
    application = _application(application_id)
    on = today()
    requirements = services.applicable_requirements(application)
    candidates = services.candidate_documents(db.session, application, requirements, on)
    chosen = {item.requirement_id: item.document for item in application.evidence}
    options = {}
    for requirement in requirements:
        documents = list(candidates[requirement.id])
        current = chosen.get(requirement.id)
        if current is not None and current not in documents:
            documents.insert(0, current)  # keep showing the current choice, even when it no longer fits
        options[requirement.id] = [(str(d.id), _document_label(d)) for d in documents]
    labels = {r.id: _requirement_label(r) for r in requirements}
    form = evidence_form(options, labels, formdata=None if request.method == "GET" else request.form)
    if request.method == "GET":
        for requirement in requirements:
            current = chosen.get(requirement.id)
            form[f"requirement-{requirement.id}"].data = str(current.id) if current else ""
        form.version.data = application.version
    elif not application.is_draft:
        return _frozen(application)
    elif form.validate_on_submit():
        picked = form.choices_by_requirement([r.id for r in requirements])
        documents = {d.id: d for docs in candidates.values() for d in docs}
        documents.update({d.id: d for d in chosen.values()})
        try:
            services.choose_documents(
                db.session, application=application, seen_version=_version(form), actor=current_user,
                choices={rid: (documents[did] if did is not None else None) for rid, did in picked.items()},
            )
        except services.ApplicationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The documents have been saved."), "success")
            return redirect(url_for("applications.check", application_id=application.id))
    verdicts = {
        r.id: services.judge_document(r, chosen[r.id], on) for r in requirements if r.id in chosen
    }
    return _page("applications/evidence.html", application, 422 if form.errors else 200, step="evidence", form=form,
                 requirements=requirements, verdicts=verdicts, chosen=chosen, requirement_label=_requirement_label)


@bp.route("/aanmeldingen/<int:application_id>/controleren")
@roles(READERS)
def check(application_id: int):
    """Show what is still missing or invalid on today's date, and the button to submit."""
    application = _application(application_id)
    return _check_page(application, SubmitApplicationForm(formdata=None, version=application.version))


def _check_page(application: Application, form: SubmitApplicationForm, status: int = 200):
    at = now()
    return _page(
        "applications/check.html", application, status, step="check", form=form,
        problems=services.completeness(application, local(at).date()) if application.is_draft else [],
        window=round_services.open_window(application.round, at),
        next_window=round_services.next_window(application.round, at),
        requirements=services.applicable_requirements(application), requirement_label=_requirement_label,
    )


@bp.route("/aanmeldingen/<int:application_id>/indienen", methods=["POST"])
@roles(Role.PROVIDER_ADMIN)
def submit(application_id: int):
    """Submit the application: once, complete, inside an open entry window."""
    application = _application(application_id)
    form = SubmitApplicationForm()
    if form.validate_on_submit():
        try:
            services.submit(db.session, application=application, seen_version=_version(form), actor=current_user,
                            link=url_for("applications.show", application_id=application.id, _external=True))
        except services.AlreadySubmitted as error:
            flash(str(error), "info")
            return redirect(url_for("applications.show", application_id=application.id))
        except services.ApplicationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Your application has been submitted. A confirmation has been sent by e-mail."), "success")
            return redirect(url_for("applications.show", application_id=application.id))
    form.version.data = application.version
    return _check_page(application, form, 422)
