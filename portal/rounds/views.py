"""Rounds for the buying team (prepare, publish, addenda, answer questions) and for everyone
else (read published rounds, providers ask questions)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.rounds import (
    QUESTIONS_CLOSE_TIME,
    QUESTIONS_OPEN_TIME,
    AddendumForm,
    AdmissionDocumentForm,
    AnswerForm,
    MunicipalitiesForm,
    ProductGroupForm,
    PublishForm,
    QuestionForm,
    RequirementForm,
    RoundForm,
    WindowForm,
)
from forms.auth import ConfirmForm
from portal.access import public, roles
from portal.clock import from_local, local, now
from portal.extensions import db
from portal.files.inspection import PDF, UploadRejected
from portal.files.services import download_response, save_upload
from portal.models import (
    PROVIDER_ROLES,
    STAFF_ROLES,
    EntryWindow,
    EvidenceRequirement,
    EvidenceType,
    LegalForm,
    ProductGroup,
    Region,
    Round,
    RoundQuestion,
    ValidityRule,
)
from portal.organisations.policies import region_id_of
from portal.pages import get_or_404, render_form
from portal.rounds import policies, services
from portal.models.rounds import DEFAULT_COMPLAINT_PERIOD_DAYS
from portal.rounds.policies import ROUND_MANAGERS

bp = Blueprint("rounds", __name__)


def _staff_round(round_id: int, manage: bool = False) -> Round:
    """Load a round of the member's own region, or 404."""
    round = services.load_round(db.session, round_id)
    if round is None or not policies.in_region(g.membership, round):
        abort(404)
    if manage and not policies.can_manage(g.membership, round):
        abort(403)
    return round


def _round_form_values(form: RoundForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "contract_term": form.contract_term.data or "",
        "complaint_period_days": form.complaint_period_days.data or DEFAULT_COMPLAINT_PERIOD_DAYS,
        "questions_open_at": from_local(form.questions_open_on.data, QUESTIONS_OPEN_TIME) if form.questions_open_on.data else None,
        "questions_close_at": from_local(form.questions_close_on.data, QUESTIONS_CLOSE_TIME) if form.questions_close_on.data else None,
    }


def _show(round: Round, status: int = 200, **forms):
    """Render the staff page of a round with its forms (some possibly carrying errors)."""
    catalogue = services.catalogue(db.session)
    requirement_form = forms.pop("requirement_form", None) or RequirementForm(formdata=None)
    requirement_form.set_choices(catalogue, round.product_groups)
    municipalities_form = forms.pop("municipalities_form", None) or MunicipalitiesForm(
        formdata=None,
        municipalities=[str(m.municipality_id) for m in round.municipalities],
        closed=[f"{m.municipality_id}:{g.id}" for m in round.municipalities for g in m.closed_groups],
    )
    municipalities_form.set_choices(round.region.municipalities, round.product_groups)
    context = {
        "round": round,
        "can_manage": policies.can_manage(g.membership, round),
        "problems": services.publication_problems(round),
        "group_form": forms.pop("group_form", None) or ProductGroupForm(formdata=None),
        "window_form": forms.pop("window_form", None) or WindowForm(formdata=None),
        "document_form": forms.pop("document_form", None) or AdmissionDocumentForm(formdata=None),
        "addendum_form": forms.pop("addendum_form", None) or AddendumForm(formdata=None),
        "requirement_form": requirement_form,
        "municipalities_form": municipalities_form,
        "open_window": services.open_window(round, now()),
        "local": local,
    }
    return render_template("rounds/show.html", **context), status


# The buying team -----------------------------------------------------------------------------


@bp.route("/rondes")
@roles(STAFF_ROLES)
def index():
    """List the region's rounds."""
    region_id = region_id_of(g.membership)
    return render_template(
        "rounds/index.html",
        rounds=services.rounds_of(db.session, region_id),
        can_create=g.membership.role in ROUND_MANAGERS,
    )


@bp.route("/rondes/nieuw", methods=["GET", "POST"])
@roles(ROUND_MANAGERS)
def new():
    """Start a new round."""
    form = RoundForm()
    if form.validate_on_submit():
        region = db.session.get(Region, region_id_of(g.membership))
        round = services.create_round(db.session, region=region, actor=current_user, **_round_form_values(form))
        flash(_("The round has been created as a draft."), "success")
        return redirect(url_for("rounds.show", round_id=round.id))
    return render_form("rounds/edit.html", form, round=None)


@bp.route("/rondes/<int:round_id>")
@roles(STAFF_ROLES)
def show(round_id: int):
    """Show a round with everything it asks, and the forms to prepare it."""
    return _show(_staff_round(round_id))


@bp.route("/rondes/<int:round_id>/bewerken", methods=["GET", "POST"])
@roles(ROUND_MANAGERS)
def edit(round_id: int):
    """Change the basic details of a draft round."""
    round = _staff_round(round_id, manage=True)
    form = RoundForm(obj=round)
    if not form.is_submitted():
        form.version.data = round.version
        form.questions_open_on.data = local(round.questions_open_at).date() if round.questions_open_at else None
        form.questions_close_on.data = local(round.questions_close_at).date() if round.questions_close_at else None
    if form.validate_on_submit():
        try:
            services.update_round(db.session, round=round, seen_version=int(form.version.data or 0),
                                  actor=current_user, **_round_form_values(form))
        except services.RoundError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The round has been saved."), "success")
            return redirect(url_for("rounds.show", round_id=round.id))
    return render_form("rounds/edit.html", form, round=round)


def _change_part(round: Round, form, form_name: str, change, *, error_field, anchor: str, message: str):
    """Make one change from a form on the round's page: on success say so and return to that part
    of the page; otherwise show the page again (422) with the form as typed and the refusal at
    error_field."""
    if form.validate_on_submit():
        try:
            change()
        except services.RoundError as error:
            error_field.errors.append(str(error))
        else:
            flash(message, "success")
            return redirect(url_for("rounds.show", round_id=round.id) + anchor)
    return _show(round, 422, **{form_name: form})


@bp.route("/rondes/<int:round_id>/productgroepen", methods=["POST"])
@roles(ROUND_MANAGERS)
def add_group(round_id: int):
    """Add a product group."""
    round = _staff_round(round_id, manage=True)
    form = ProductGroupForm()
    return _change_part(
        round, form, "group_form",
        lambda: services.add_product_group(db.session, round=round, code=form.code.data, name=form.name.data,
                                           description=form.description.data or "", actor=current_user),
        error_field=form.code, anchor="#productgroepen", message=_("The product group has been added."),
    )


def _remove_part(round_id: int, model, part_id: int, remove, anchor: str, message: str):
    """Remove a product group, entry window or requirement from a draft round of the own region."""
    round = _staff_round(round_id, manage=True)
    part = get_or_404(model, part_id)
    if part.round_id != round.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            remove(part)
        except services.RoundError as error:
            flash(str(error), "error")
        else:
            flash(message, "success")
    return redirect(url_for("rounds.show", round_id=round.id) + anchor)


@bp.route("/rondes/<int:round_id>/productgroepen/<int:group_id>/verwijderen", methods=["POST"])
@roles(ROUND_MANAGERS)
def remove_group(round_id: int, group_id: int):
    """Remove a product group from a draft round."""
    return _remove_part(
        round_id, ProductGroup, group_id,
        lambda group: services.remove_product_group(db.session, group=group, actor=current_user),
        "#productgroepen", _("The product group has been removed."),
    )


@bp.route("/rondes/<int:round_id>/gemeenten", methods=["POST"])
@roles(ROUND_MANAGERS)
def municipalities(round_id: int):
    """Set which municipalities take part and which product groups each keeps closed."""
    round = _staff_round(round_id, manage=True)
    form = MunicipalitiesForm()
    form.set_choices(round.region.municipalities, round.product_groups)
    return _change_part(
        round, form, "municipalities_form",
        lambda: services.set_municipalities(db.session, round=round, closed=form.closed_by_municipality(),
                                            actor=current_user),
        error_field=form.municipalities, anchor="#gemeenten", message=_("The municipalities have been saved."),
    )


@bp.route("/rondes/<int:round_id>/toetredingsmomenten", methods=["POST"])
@roles(ROUND_MANAGERS)
def add_window(round_id: int):
    """Add an entry window; in a published round this publishes an addendum."""
    round = _staff_round(round_id, manage=True)
    form = WindowForm()
    return _change_part(
        round, form, "window_form",
        lambda: services.add_window(
            db.session, round=round, actor=current_user, reason=form.reason.data,
            opens_at=from_local(form.opens_on.data, form.opens_time.data),
            closes_at=from_local(form.closes_on.data, form.closes_time.data),
        ),
        # In a published round the refusal concerns the addendum's reason, in a draft the dates.
        error_field=form.reason if round.is_published else form.closes_on,
        anchor="#toetredingsmomenten", message=_("The entry window has been added."),
    )


@bp.route("/rondes/<int:round_id>/toetredingsmomenten/<int:window_id>/verwijderen", methods=["POST"])
@roles(ROUND_MANAGERS)
def remove_window(round_id: int, window_id: int):
    """Remove an entry window from a draft round."""
    return _remove_part(
        round_id, EntryWindow, window_id,
        lambda window: services.remove_window(db.session, window=window, actor=current_user),
        "#toetredingsmomenten", _("The entry window has been removed."),
    )


@bp.route("/rondes/<int:round_id>/eisen", methods=["POST"])
@roles(ROUND_MANAGERS)
def add_requirement(round_id: int):
    """Ask for a document."""
    round = _staff_round(round_id, manage=True)
    form = RequirementForm()
    form.set_choices(services.catalogue(db.session), round.product_groups)
    return _change_part(
        round, form, "requirement_form",
        lambda: services.add_requirement(
            db.session, round=round, evidence_type=get_or_404(EvidenceType, form.evidence_type.data),
            rule=ValidityRule(form.rule.data), max_age_days=form.max_age_days.data,
            financial_year=form.financial_year.data,
            legal_forms=[LegalForm(value) for value in form.legal_forms.data or []],
            product_group_ids=form.product_groups.data or [], note=form.note.data or "", actor=current_user,
        ),
        error_field=form.evidence_type, anchor="#eisen", message=_("The requirement has been added."),
    )


@bp.route("/rondes/<int:round_id>/eisen/<int:requirement_id>/verwijderen", methods=["POST"])
@roles(ROUND_MANAGERS)
def remove_requirement(round_id: int, requirement_id: int):
    """Stop asking for a document in a draft round."""
    return _remove_part(
        round_id, EvidenceRequirement, requirement_id,
        lambda requirement: services.remove_requirement(db.session, requirement=requirement, actor=current_user),
        "#eisen", _("The requirement has been removed."),
    )


@bp.route("/rondes/<int:round_id>/toelatingsdocument", methods=["POST"])
@roles(ROUND_MANAGERS)
def upload_document(round_id: int):
    """Attach the admission document (PDF) to a draft round."""
    round = _staff_round(round_id, manage=True)
    form = AdmissionDocumentForm()
    if form.validate_on_submit():
        upload = form.document.data
        try:
            if round.is_published:
                raise UploadRejected(_("The conditions of a published round are frozen. Publish an addendum instead."))
            stored = save_upload(db.session, stream=upload.stream, filename=upload.filename,
                                 owner=round.region, uploaded_by=current_user)
            if stored.content_type != PDF.content_type:
                raise UploadRejected(_("The admission document must be a PDF."))
            services.attach_admission_document(db.session, round=round, document=stored, actor=current_user)
        except UploadRejected as error:
            form.document.errors.append(str(error))
        else:
            flash(_("The admission document has been uploaded."), "success")
            return redirect(url_for("rounds.show", round_id=round.id) + "#document")
    return _show(round, 422, document_form=form)


@bp.route("/rondes/<int:round_id>/publiceren", methods=["GET", "POST"])
@roles(ROUND_MANAGERS)
def publish(round_id: int):
    """Check the round and publish it."""
    round = _staff_round(round_id, manage=True)
    form = PublishForm(version=round.version)
    if form.validate_on_submit():
        try:
            services.publish(db.session, round=round, seen_version=int(form.version.data or 0), actor=current_user)
        except services.RoundError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The round has been published."), "success")
            return redirect(url_for("rounds.show", round_id=round.id))
    return render_form("rounds/publish.html", form, round=round, problems=services.publication_problems(round))


@bp.route("/rondes/<int:round_id>/addenda", methods=["POST"])
@roles(ROUND_MANAGERS)
def add_addendum(round_id: int):
    """Publish an addendum to a published round."""
    round = _staff_round(round_id, manage=True)
    form = AddendumForm()
    return _change_part(
        round, form, "addendum_form",
        lambda: services.publish_addendum(db.session, round=round, text=form.text.data, reason=form.reason.data,
                                          actor=current_user),
        error_field=form.text, anchor="#addenda", message=_("The addendum has been published."),
    )


def _answer_forms(questions: list[RoundQuestion]) -> dict[int, AnswerForm]:
    """Return an answer form per question, each with its own field names on the shared page."""
    return {
        q.id: AnswerForm(formdata=None, prefix=f"q{q.id}", published_question=q.published_question or q.question,
                         answer=q.answer, version=q.version)
        for q in questions
    }


@bp.route("/rondes/<int:round_id>/vragen")
@roles(STAFF_ROLES)
def questions(round_id: int):
    """List the questions providers asked, with who asked (for staff only) and answer forms."""
    round = _staff_round(round_id)
    questions = services.questions_of(db.session, round)
    forms = _answer_forms(questions)
    return render_template("rounds/questions.html", round=round, questions=questions, forms=forms,
                           can_manage=policies.can_manage(g.membership, round))


@bp.route("/rondes/vragen/<int:question_id>/antwoord", methods=["POST"])
@roles(ROUND_MANAGERS)
def answer(question_id: int):
    """Answer a question and publish it without the name of who asked."""
    question = get_or_404(RoundQuestion, question_id)
    round = _staff_round(question.round_id, manage=True)
    form = AnswerForm(prefix=f"q{question.id}")
    if form.validate_on_submit():
        try:
            services.answer_question(db.session, question=question, published_question=form.published_question.data,
                                     answer=form.answer.data, seen_version=int(form.version.data or 0), actor=current_user)
        except services.RoundError as error:
            form.answer.errors.append(str(error))
        else:
            flash(_("The answer has been published."), "success")
            return redirect(url_for("rounds.questions", round_id=round.id))
    questions = services.questions_of(db.session, round)
    forms = _answer_forms(questions)
    forms[question.id] = form
    return render_template("rounds/questions.html", round=round, questions=questions, forms=forms, can_manage=True), 422


# Everyone ------------------------------------------------------------------------------------


def _published_round(round_id: int) -> Round:
    round = services.load_round(db.session, round_id)
    if round is None or not policies.can_read_public(round):
        abort(404)
    return round


@bp.route("/open-house")
@public
def public_index():
    """List the published rounds of every region."""
    return render_template("rounds/public_index.html", rounds=services.published_rounds(db.session),
                           open_window=services.open_window, now=now(), local=local)


@bp.route("/open-house/<int:round_id>", methods=["GET"])
@public
def public_show(round_id: int):
    """Show a published round: conditions, addenda and the published questions and answers."""
    round = _published_round(round_id)
    return _public_page(round, QuestionForm(formdata=None))


def _public_page(round: Round, question_form: QuestionForm, status: int = 200):
    may_ask = g.get("membership") is not None and g.membership.role in PROVIDER_ROLES
    return render_template(
        "rounds/public_show.html", round=round, answers=services.published_answers(db.session, round),
        question_form=question_form, may_ask=may_ask, questions_open=services.questions_open(round, now()),
        open_window=services.open_window(round, now()), next_window=services.next_window(round, now()), local=local,
    ), status


@bp.route("/open-house/<int:round_id>/toelatingsdocument")
@public
def document(round_id: int):
    """Download the admission document: public once published, for the region's staff before."""
    round = services.load_round(db.session, round_id)
    if round is None or round.admission_document is None:
        abort(404)
    if not (policies.can_read_public(round) or policies.in_region(g.get("membership"), round)):
        abort(404)
    return download_response(round.admission_document)


@bp.route("/open-house/<int:round_id>/vragen", methods=["POST"])
@roles(PROVIDER_ROLES)
def ask(round_id: int):
    """Let a provider ask a question about a published round."""
    round = _published_round(round_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.ask_question(db.session, round=round, provider=g.membership.organisation, user=current_user,
                                  text=form.question.data)
        except services.RoundError as error:
            form.question.errors.append(str(error))
        else:
            flash(_("Your question has been sent. The answer will be published here for all providers."), "success")
            return redirect(url_for("rounds.public_show", round_id=round.id) + "#vragen")
    return _public_page(round, form, 422)
