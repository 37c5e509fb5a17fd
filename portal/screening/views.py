"""Screening for the region's staff (queue, verdicts, completion requests, four-eyes decisions),
the provider's completion page, and the decision letter (HTML and PDF)."""

from __future__ import annotations

from datetime import date, time

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from forms.applications import APPLIES, DOES_NOT_APPLY
from forms.screening import (
    ACCEPT,
    CompletionRequestForm,
    DecisionActionForm,
    ProposeForm,
    QueueFilterForm,
    ResubmitForm,
    TakeIntoReviewForm,
    VerdictForm,
    completion_form,
)
from portal.access import roles
from portal.applications import services as applications
from portal.applications.views import STATUS_LABELS
from portal.clock import as_utc, from_local, local, now
from portal.evidence.vault import today, type_name
from portal.extensions import db
from portal.kept import ORGANISATIONS, Kept
from portal.models import (
    PROVIDER_ROLES,
    STAFF_ROLES,
    EvidenceDocument,
    Municipality,
    ProductGroup,
    Role,
    Round,
)
from portal.models.applications import STATEMENTS, STATEMENTS_BY_CODE, Application, ApplicationStatus
from portal.models.screening import Outcome, ScopeDecision
from portal.pages import get_or_404
from portal.screening import policies, services
from portal.screening.policies import SCREENERS, SCREENING_READERS

bp = Blueprint("screening", __name__)

PER_PAGE = 25
#: The deadline of a completion request is the end of the chosen Dutch day.
DEADLINE_TIME = time(23, 59)


@bp.app_template_global("outcome_label")
def outcome_label(outcome: Outcome) -> str:
    """Say a decision's outcome in words."""
    return _("Admitted") if Outcome(outcome) is Outcome.ADMITTED else _("Rejected")


def _version(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _staff_application(application_id: int, screen: bool = False) -> Application:
    """Load a submitted application of the member's region, or 404; 403 when they may only read."""
    application = services.load_application(db.session, application_id)
    if application is None or not policies.can_read(g.membership, application):
        abort(404)
    if screen and not policies.can_screen(g.membership, application):
        abort(403)
    return application


def _link(application: Application) -> str:
    return url_for("applications.show", application_id=application.id, _external=True)


# The queue ------------------------------------------------------------------------------------

#: The region's rounds, product groups and municipalities the queue's filters offer, kept while
#: none of them changes (portal.kept).
_FILTER_LISTS = Kept("screening filter lists", depends_on=(ORGANISATIONS,), size=32)
#: The queue's content (filters, rows, page links), rendered per region, request arguments,
#: language and Dutch day (the days waited), and kept until an application, its scopes or an
#: organisation changes. Reviewers open the queue far more often than applications change. It
#: shows nothing of the reader: every screening reader of the region sees the same queue.
_QUEUES = Kept("screening queue", depends_on=(services.APPLICATIONS, ORGANISATIONS), size=256)


def _filter_lists(region_id: int) -> tuple[list, list, list]:
    """Return (id, title) of the rounds, (id, name, round title) of their product groups and (id,
    name) of the municipalities of a region, each in the order the filters show them."""
    rounds = db.session.execute(
        select(Round.id, Round.title).where(Round.region_id == region_id).order_by(Round.title)
    )
    groups = db.session.execute(
        select(ProductGroup.id, ProductGroup.name, Round.title).join(ProductGroup.round)
        .where(Round.region_id == region_id).order_by(ProductGroup.name, Round.title)
    )
    municipalities = db.session.execute(
        select(Municipality.id, Municipality.name).where(Municipality.region_id == region_id).order_by(Municipality.name)
    )
    return [tuple(row) for row in rounds], [tuple(row) for row in groups], [tuple(row) for row in municipalities]


@bp.route("/beoordeling")
@roles(SCREENING_READERS)
def queue():
    """List the region's submitted applications, longest waiting first, with filters."""
    region_id = policies.region_of(g.membership)
    on = today()
    key = (region_id, tuple(sorted(request.args.items(multi=True))), str(get_locale()), on)
    content, status = _QUEUES.computed(db.session, key, lambda: _queue_content(region_id, on))
    return render_template("screening/queue.html", content=content, has_errors=status == 422), status


def _queue_content(region_id: int, on: date) -> tuple[Markup, int]:
    """Render the filters, a page of the queue and the links to the other pages, as the request's
    arguments ask; with 422 when they are wrong."""
    rounds, groups, municipalities = _FILTER_LISTS.computed(db.session, (region_id,), lambda: _filter_lists(region_id))
    form = QueueFilterForm(request.args)
    form.set_choices(
        [(i, title) for i, title in rounds],
        [(s.value, str(label)) for s, label in STATUS_LABELS.items() if s is not ApplicationStatus.DRAFT],
        [(i, f"{name} ({title})") for i, name, title in groups],
        [(i, name) for i, name in municipalities],
    )
    valid = form.validate()
    status = form.status.data if valid and form.status.data in {s.value for s in ApplicationStatus} else None
    criteria = services.QueueFilter(
        round_id=form.number(form.round.data) if valid else None,
        status=ApplicationStatus(status) if status else None,
        product_group_id=form.number(form.product_group.data) if valid else None,
        municipality_id=form.number(form.municipality.data) if valid else None,
        provider_name=(form.provider.data or "") if valid else "",
    )
    page = max(form.page.data or 1, 1) if valid else 1
    result = services.queue(db.session, region_id=region_id, criteria=criteria, page=page, per_page=PER_PAGE)
    content = render_template("screening/_queue.html", form=form, rows=result.rows, total=result.total, page=page,
                              per_page=PER_PAGE, today=on)
    return Markup(content), (200 if valid else 422)


# One application ------------------------------------------------------------------------------


def _screen_page(application: Application, status: int = 200, **forms):
    """Render the screening page of an application with its forms (some possibly carrying errors)."""
    verdicts = services.verdicts_of(db.session, application)
    decisions = services.decisions_of(db.session, application)
    requirements = applications.applicable_requirements(application)
    rejected = [(r.id, services.requirement_name(r)) for r in requirements
                if r.id in verdicts and not verdicts[r.id].accepted]
    completion_form_ = forms.pop("completion_form", None) or CompletionRequestForm(formdata=None)
    completion_form_.set_choices(rejected, [s.code for s in STATEMENTS])
    on = today()
    chosen = {item.requirement_id: item.document for item in application.evidence}
    return render_template(
        "screening/show.html",
        application=application,
        requirements=requirements,
        chosen=chosen,
        validity={r.id: applications.judge_document(r, chosen[r.id], on) for r in requirements if r.id in chosen},
        verdicts=verdicts,
        decisions=decisions,
        requests=services.requests_of(db.session, application),
        scope_requirements={s.id: {r.id for r in services.scope_requirements(application, s)} for s in application.scopes},
        statements=STATEMENTS,
        answers={d.statement: d for d in application.declarations},
        requirement_name=services.requirement_name,
        can_screen=policies.can_screen(g.membership, application),
        failed_verdict=forms.pop("failed_verdict", None),
        failed_proposal=forms.pop("failed_proposal", None),
        take_form=TakeIntoReviewForm(formdata=None, version=application.version),
        completion_form=completion_form_,
        action_form=DecisionActionForm(formdata=None),
        verdict_form_for=lambda requirement_id: VerdictForm(
            formdata=None, requirement=requirement_id,
            version=verdicts[requirement_id].version if requirement_id in verdicts else 0,
            verdict=(ACCEPT if verdicts[requirement_id].accepted else "reject") if requirement_id in verdicts else None,
            reason=verdicts[requirement_id].reason if requirement_id in verdicts else ""),
        propose_form_for=lambda scope_id: ProposeForm(formdata=None, scope=scope_id),
        local=local,
        user_id=current_user.id,
    ), status


@bp.route("/beoordeling/<int:application_id>")
@roles(SCREENING_READERS)
def show(application_id: int):
    """Show a submitted application to screen: answers, scope, the frozen evidence, verdicts and decisions."""
    return _screen_page(_staff_application(application_id))


@bp.route("/beoordeling/<int:application_id>/in-behandeling", methods=["POST"])
@roles(SCREENERS)
def take(application_id: int):
    """Take a submitted application into review."""
    application = _staff_application(application_id, screen=True)
    form = TakeIntoReviewForm()
    if form.validate_on_submit():
        try:
            services.take_into_review(db.session, application=application, seen_version=_version(form.version.data),
                                      actor=current_user, link=_link(application))
        except services.ScreeningError as error:
            flash(str(error), "error")
        else:
            flash(_("The application is now in review."), "success")
    return redirect(url_for("screening.show", application_id=application.id))


@bp.route("/beoordeling/<int:application_id>/oordeel", methods=["POST"])
@roles(SCREENERS)
def verdict(application_id: int):
    """Accept or reject one requirement."""
    application = _staff_application(application_id, screen=True)
    form = VerdictForm()
    requirement = next((r for r in application.round.requirements if str(r.id) == (form.requirement.data or "")), None)
    if requirement is None:
        flash(_("Choose an item of the application to judge."), "error")
        return _screen_page(application, 422)
    if form.validate_on_submit():
        try:
            services.record_verdict(db.session, application=application, requirement=requirement,
                                    accepted=form.verdict.data == ACCEPT, reason=form.reason.data or "",
                                    seen_version=_version(form.version.data) if form.version.data else None,
                                    actor=current_user)
        except services.ScreeningError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The verdict has been saved."), "success")
            return redirect(url_for("screening.show", application_id=application.id) + f"#requirement-{requirement.id}")
    # The page shows a verdict form per requirement; point the error summary at this one's fields.
    form.verdict.id, form.reason.id = f"verdict-{requirement.id}-accept", f"reason-{requirement.id}"
    return _screen_page(application, 422, failed_verdict=(requirement.id, form))


@bp.route("/beoordeling/<int:application_id>/herstelverzoek", methods=["POST"])
@roles(SCREENERS)
def request_completion(application_id: int):
    """Ask the provider to complete named rejected items before a deadline."""
    application = _staff_application(application_id, screen=True)
    form = CompletionRequestForm()
    verdicts = services.verdicts_of(db.session, application)
    form.set_choices([(r.id, services.requirement_name(r)) for r in applications.applicable_requirements(application)
                      if r.id in verdicts and not verdicts[r.id].accepted], [s.code for s in STATEMENTS])
    if form.validate_on_submit():
        try:
            services.request_completion(
                db.session, application=application,
                requirement_ids=[int(v) for v in form.requirements.data or []], statements=list(form.statements.data or []),
                deadline=from_local(form.deadline.data, DEADLINE_TIME), note=form.note.data or "",
                actor=current_user, link=url_for("screening.completion", application_id=application.id, _external=True),
            )
        except services.ScreeningError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The completion request has been sent to the provider."), "success")
            return redirect(url_for("screening.show", application_id=application.id))
    return _screen_page(application, 422, completion_form=form)


@bp.route("/beoordeling/<int:application_id>/besluit", methods=["POST"])
@roles(SCREENERS)
def propose(application_id: int):
    """Propose the decision on one product group × municipality."""
    application = _staff_application(application_id, screen=True)
    form = ProposeForm()
    scope = next((s for s in application.scopes if str(s.id) == (form.scope.data or "")), None)
    if scope is None:
        flash(_("Choose a product group and municipality of the application."), "error")
        return _screen_page(application, 422)
    if form.validate_on_submit():
        try:
            services.propose(db.session, scope=scope, outcome=Outcome(form.outcome.data), reasons=form.reasons.data or "",
                             actor=current_user)
        except services.ScreeningError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The decision has been proposed. Another reviewer must confirm it."), "success")
            return redirect(url_for("screening.show", application_id=application.id) + f"#scope-{scope.id}")
    form.outcome.id, form.reasons.id = f"outcome-{scope.id}-admitted", f"reasons-{scope.id}"
    return _screen_page(application, 422, failed_proposal=(scope.id, form))


def _decision(decision_id: int) -> ScopeDecision:
    """Load a decision on an application of the member's region that they may act on, or 404/403."""
    decision = get_or_404(ScopeDecision, decision_id)
    _staff_application(decision.scope.application_id, screen=True)
    return decision


@bp.route("/beoordeling/besluit/<int:decision_id>/bevestigen", methods=["POST"])
@roles(SCREENERS)
def confirm(decision_id: int):
    """Confirm a colleague's proposal (four eyes)."""
    decision = _decision(decision_id)
    application = decision.scope.application
    form = DecisionActionForm()
    if form.validate_on_submit():
        try:
            services.confirm(db.session, decision=decision, seen_version=_version(form.version.data), actor=current_user,
                             link=url_for("screening.letter", application_id=application.id, _external=True))
        except services.ScreeningError as error:
            flash(str(error), "error")
        else:
            flash(_("The decision has been confirmed."), "success")
    return redirect(url_for("screening.show", application_id=application.id) + f"#scope-{decision.scope_id}")


@bp.route("/beoordeling/besluit/<int:decision_id>/intrekken", methods=["POST"])
@roles(SCREENERS)
def withdraw(decision_id: int):
    """Take back a proposal nobody has confirmed yet."""
    decision = _decision(decision_id)
    application_id, scope_id = decision.scope.application_id, decision.scope_id
    form = DecisionActionForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(db.session, decision=decision, seen_version=_version(form.version.data),
                                       actor=current_user)
        except services.ScreeningError as error:
            flash(str(error), "error")
        else:
            flash(_("The proposal has been withdrawn."), "success")
    return redirect(url_for("screening.show", application_id=application_id) + f"#scope-{scope_id}")


# The provider's completion --------------------------------------------------------------------


def _provider_application(application_id: int) -> Application:
    """Load an application of the member's provider, or 404."""
    application = services.load_application(db.session, application_id)
    if application is None or not policies.is_provider_member(g.membership, application):
        abort(404)
    return application


def _document_label(document: EvidenceDocument) -> str:
    parts = [f"{type_name(document.evidence_type)} v{document.version}", document.stored_file.filename]
    if document.issue_date:
        parts.append(_("issued %(date)s", date=document.issue_date.strftime("%d-%m-%Y")))
    if document.expiry_date:
        parts.append(_("valid until %(date)s", date=document.expiry_date.strftime("%d-%m-%Y")))
    if document.financial_year:
        parts.append(str(document.financial_year))
    return " – ".join(parts)


@bp.route("/aanmeldingen/<int:application_id>/herstel", methods=["GET", "POST"])
@roles(PROVIDER_ROLES)
def completion(application_id: int):
    """Show the items the reviewers asked to complete, and change exactly those."""
    application = _provider_application(application_id)
    open_request = services.open_request(db.session, application)
    if open_request is None:
        flash(_("There is no open completion request for this application."), "info")
        return redirect(url_for("applications.show", application_id=application.id))
    listed = services.listed_requirement_ids(open_request)
    statements = sorted(services.listed_statements(open_request))
    requirements = [r for r in application.round.requirements if r.id in listed]
    on = today()
    candidates = applications.candidate_documents(db.session, application, requirements, on)
    chosen = {item.requirement_id: item.document for item in application.evidence}
    options = {}
    for requirement in requirements:
        documents = list(candidates[requirement.id])
        current = chosen.get(requirement.id)
        if current is not None and current not in documents:
            documents.insert(0, current)
        options[requirement.id] = [(str(d.id), _document_label(d)) for d in documents]
    labels = {r.id: services.requirement_name(r) for r in requirements}
    form = completion_form(options, labels, statements, formdata=None if request.method == "GET" else request.form)
    answers = {d.statement: d for d in application.declarations}
    if request.method == "GET":
        for requirement in requirements:
            current = chosen.get(requirement.id)
            form[f"requirement-{requirement.id}"].data = str(current.id) if current else ""
        for code in statements:
            answer = answers.get(code)
            if answer is not None:
                form[f"applies-{code}"].data = APPLIES if answer.applies else DOES_NOT_APPLY
                form[f"explanation-{code}"].data = answer.explanation
    elif form.validate_on_submit():
        documents = {d.id: d for docs in candidates.values() for d in docs}
        documents.update({d.id: d for d in chosen.values()})
        picks = {}
        for requirement in requirements:
            value = form[f"requirement-{requirement.id}"].data
            picks[requirement.id] = documents.get(int(value)) if value and value.isdigit() else None
        replies = {
            code: ({APPLIES: True, DOES_NOT_APPLY: False}.get(form[f"applies-{code}"].data),
                   form[f"explanation-{code}"].data or "")
            for code in statements
        }
        try:
            services.replace_documents(db.session, application=application, request=open_request, choices=picks,
                                       actor=current_user)
            if replies:
                services.answer_statements(db.session, application=application, request=open_request, answers=replies,
                                           actor=current_user)
        except applications.InvalidAnswers as invalid:
            for code, message in invalid.errors.items():
                form[f"explanation-{code}"].errors.append(message)
        except services.ScreeningError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Your changes have been saved. Resubmit the items when they are complete."), "success")
            return redirect(url_for("screening.completion", application_id=application.id))
    problems = services.resubmission_problems(application, open_request, on)
    return render_template(
        "screening/completion.html", application=application, completion=open_request, form=form,
        requirements=requirements, statements=[STATEMENTS_BY_CODE[c] for c in statements], problems=problems,
        resubmit_form=ResubmitForm(formdata=None, version=application.version), local=local,
        overdue=now() > as_utc(open_request.deadline),
        can_resubmit=g.membership.role is Role.PROVIDER_ADMIN,
    ), 422 if form.errors or form.form_errors else 200


@bp.route("/aanmeldingen/<int:application_id>/herstel/indienen", methods=["POST"])
@roles(Role.PROVIDER_ADMIN)
def resubmit(application_id: int):
    """Resubmit the completed items before the deadline, exactly once."""
    application = _provider_application(application_id)
    form = ResubmitForm()
    if form.validate_on_submit():
        try:
            services.resubmit(db.session, application=application, request=services.open_request(db.session, application),
                              seen_version=_version(form.version.data), actor=current_user,
                              link=url_for("screening.show", application_id=application.id, _external=True))
        except services.Conflict as error:
            flash(str(error), "info")
            return redirect(url_for("applications.show", application_id=application.id))
        except services.ScreeningError as error:
            flash(str(error), "error")
            if services.open_request(db.session, application) is None:
                return redirect(url_for("applications.show", application_id=application.id))
            return redirect(url_for("screening.completion", application_id=application.id))
        flash(_("The items have been resubmitted. The reviewers will screen them again."), "success")
    return redirect(url_for("applications.show", application_id=application.id))


# The letter -----------------------------------------------------------------------------------


def _letter(application_id: int) -> services.Letter:
    """Load the letter of a decided application the member may read, or 404."""
    application = services.load_application(db.session, application_id)
    if application is None or not policies.can_read_letter(g.membership, application):
        abort(404)
    letter = services.letter(db.session, application)
    if letter is None:
        abort(404)
    if policies.is_provider_member(g.membership, application):
        services.mark_letter_read(db.session, application=application, actor=current_user)
    return letter


@bp.route("/besluitbrief/<int:application_id>")
@roles(PROVIDER_ROLES | STAFF_ROLES)
def letter(application_id: int):
    """Show the decision letter."""
    return render_template("screening/letter.html", letter=_letter(application_id))


@bp.route("/besluitbrief/<int:application_id>/pdf")
@roles(PROVIDER_ROLES | STAFF_ROLES)
def letter_pdf(application_id: int):
    """Send the decision letter as a PDF download."""
    from weasyprint import HTML

    letter = _letter(application_id)
    html = render_template("screening/letter_pdf.html", letter=letter)
    pdf = HTML(string=html, base_url=request.host_url).write_pdf()
    filename = f"besluitbrief-{letter.application.id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    })
