"""Respondent pages: bodies and providers through their account, invitees through a personal link,
residents through the public page. Every save stores a draft; nothing typed is ever thrown away."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from consultations import policies, services
from consultations.models import (
    Audience,
    Consultation,
    ConsultationPhase,
    PersonalInvitation,
    QuestionKind,
    Response,
    ResponseStatus,
)
from consultations.pages import bp, mailing
from consultations.pages.staff import _document_download
from consultations.policies import RESPONDENT_ROLES
from consultations.services import AnswerInput
from forms.consultations import (
    ConfirmActionForm,
    InvitedReactionForm,
    ReactionForm,
    ResidentReactionForm,
    choice_field_name,
    reaction_form,
    text_field_name,
)
from portal import resubmit
from portal.access import public, roles, signed_in
from portal.auth.services import hash_token
from portal.clock import now
from portal.extensions import db, limiter
from portal.files.inspection import PDF, UploadRejected
from portal.files.services import download_response, save_upload
from portal.models import StoredFile
from portal.pages import get_or_404

#: How many reactions one address may post through the public link.
RESIDENT_RATE_LIMIT = "10 per hour"
#: Where the session keeps a resident's new private link until the thank-you page has shown it.
PRIVATE_LINK_KEY = "resident_private_link"


# Shared pieces -----------------------------------------------------------------------------------


def _answers(form: ReactionForm, consultation: Consultation) -> dict[str, AnswerInput]:
    """Read every question's answer from the form."""
    answers = {}
    for question in consultation.questions:
        text = form[text_field_name(question)].data
        choice = None if question.kind is QuestionKind.OPEN else form[choice_field_name(question)].data
        answers[question.key] = AnswerInput(choice=choice or None, text=text or None)
    return answers


def _initial(response: Response | None) -> dict:
    """Return the form values of a saved reaction."""
    if response is None:
        return {}
    values: dict = {"version": str(response.version)}
    for answer in response.answers:
        question = answer.question
        if answer.choice is not None:
            values[choice_field_name(question)] = (answer.choices if question.kind is QuestionKind.MULTIPLE
                                                   else answer.choice)
        if answer.text is not None:
            values[text_field_name(question)] = answer.text
    return values


def _set_version(form: ReactionForm, version: int | None) -> None:
    """Put the version the person has now seen in the form, so their next save goes through."""
    value = "" if version is None else str(version)
    form.version.data = value
    form.version.raw_data = [value]


def _seen_version(form: ReactionForm) -> int | None:
    value = (form.version.data or "").strip()
    return int(value) if value.isdigit() else None


def _attach(response: Response, form: ReactionForm, owner) -> None:
    """Store an attached letter (PDF) on the reaction, when one was chosen."""
    upload = form.attachment.data
    if upload is None or not getattr(upload, "filename", None):
        return
    stored = save_upload(db.session, stream=upload.stream, filename=upload.filename, owner=owner,
                         uploaded_by=current_user if current_user.is_authenticated else None)
    if stored.content_type != PDF.content_type:
        raise UploadRejected(_("The attachment must be a PDF."))
    response.attachment_key = stored.key
    db.session.flush()


def _attachment_name(response: Response | None) -> str | None:
    if response is None or response.attachment_key is None:
        return None
    return db.session.scalar(select(StoredFile.filename).where(StoredFile.key == response.attachment_key))


def _refused(form: ReactionForm, error: Exception) -> None:
    """Undo the request's changes and show the reason above the kept input."""
    db.session.rollback()
    form.form_errors.append(str(error))


# Bodies and providers --------------------------------------------------------------------------------


@bp.route("/reageren")
@roles(RESPONDENT_ROLES)
def my_consultations():
    """List the published consultations the member's body or provider is asked to react to."""
    statement = (
        select(Consultation).where(Consultation.published_at.is_not(None)).order_by(Consultation.closes_at)
        .options(selectinload(Consultation.audiences), selectinload(Consultation.municipalities))
    )
    candidates = db.session.scalars(statement).all()
    consultations = [c for c in candidates if policies.may_react(g.membership, c)]
    reactions = {}
    if consultations:
        sender = Response.body_id if g.membership.role.value == "body_member" else Response.provider_id
        reactions = {
            r.consultation_id: r for r in db.session.scalars(
                select(Response).where(sender == g.membership.organisation_id,
                                       Response.status != ResponseStatus.WITHDRAWN,
                                       Response.consultation_id.in_([c.id for c in consultations])))
        }
    return render_template("consultations/my_consultations.html", consultations=consultations,
                           reactions=reactions, now=now(), local_label=services.local_label)


def _member_consultation(consultation_id: int) -> Consultation:
    """Load a consultation the member may react to on behalf of their body or provider, or 404."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not policies.may_react(g.membership, consultation):
        abort(404)
    return consultation


def _member_reaction(consultation: Consultation) -> Response | None:
    body = policies.reacting_body(g.membership, consultation)
    if body is not None:
        return services.current_reaction(db.session, consultation=consultation, body=body)
    return services.current_reaction(db.session, consultation=consultation,
                                     provider=policies.reacting_provider(g.membership, consultation))


def _member_save(consultation: Consultation, form: ReactionForm) -> Response:
    body = policies.reacting_body(g.membership, consultation)
    answers = _answers(form, consultation)
    if body is not None:
        response = services.save_body_draft(db.session, consultation=consultation, body=body, actor=current_user,
                                            answers=answers, seen_version=_seen_version(form))
    else:
        response = services.save_provider_draft(
            db.session, consultation=consultation, provider=policies.reacting_provider(g.membership, consultation),
            actor=current_user, answers=answers, seen_version=_seen_version(form))
    _attach(response, form, g.membership.organisation)
    return response


def _member_submit(response: Response) -> Response:
    if response.body_id is not None:
        return services.submit_body_reaction(db.session, response=response, actor=current_user,
                                             seen_version=response.version)
    return services.submit_provider_reaction(db.session, response=response, actor=current_user,
                                             seen_version=response.version)


@bp.route("/reageren/<int:consultation_id>", methods=["GET", "POST"])
@roles(RESPONDENT_ROLES)
def react(consultation_id: int):
    """Write the one reaction of the member's body or provider together: every save is a draft."""
    consultation = _member_consultation(consultation_id)
    response = _member_reaction(consultation)
    form = reaction_form(ReactionForm, consultation.questions, data=_initial(response))
    theirs = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                response = _member_save(consultation, form)
                if form.send.data:
                    response = _member_submit(response)
            except services.ReactionConflict as error:
                _refused(form, error)
                response = _member_reaction(consultation)
                theirs = response
                _set_version(form, response.version if response is not None else None)
                status = 409
            except (services.ConsultationError, UploadRejected) as error:
                _refused(form, error)
                response = _member_reaction(consultation)
                status = 422
            else:
                if response.status is ResponseStatus.SUBMITTED:
                    mailing.confirm_reaction(db.session, response=response, to=current_user.email)
                    flash(_("Your reaction has been submitted. A copy of the answers was sent to you by e-mail."), "success")
                else:
                    flash(_("Your draft has been saved. Colleagues can continue with it."), "success")
                return redirect(url_for("consultations.react", consultation_id=consultation.id))
        else:
            status = 422
    return render_template(
        "consultations/react.html", consultation=consultation, form=form, response=response, theirs=theirs,
        youth=False, is_open=policies.is_open(consultation), closed=consultation.phase(now()) is ConsultationPhase.CLOSED, attachment=_attachment_name(response),
        confirm_form=ConfirmActionForm(formdata=None), local_label=services.local_label,
        withdraw_url=url_for("consultations.withdraw", consultation_id=consultation.id),
        reopen_url=url_for("consultations.reopen", consultation_id=consultation.id),
    ), status


@bp.route("/reageren/<int:consultation_id>/intrekken", methods=["POST"])
@roles(RESPONDENT_ROLES)
def withdraw(consultation_id: int):
    """Withdraw the body's or provider's reaction before the close."""
    consultation = _member_consultation(consultation_id)
    response = _member_reaction(consultation)
    if ConfirmActionForm().validate_on_submit() and response is not None:
        try:
            services.withdraw_reaction(db.session, response=response, actor=current_user)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The reaction has been withdrawn."), "success")
    return redirect(url_for("consultations.react", consultation_id=consultation.id))


@bp.route("/reageren/<int:consultation_id>/wijzigen", methods=["POST"])
@roles(RESPONDENT_ROLES)
def reopen(consultation_id: int):
    """Open a submitted reaction again to change it before the close."""
    consultation = _member_consultation(consultation_id)
    response = _member_reaction(consultation)
    if ConfirmActionForm().validate_on_submit() and response is not None:
        try:
            services.reopen_reaction(db.session, response=response, actor=current_user)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The reaction is a draft again. Change it and submit it again before the close."), "success")
    return redirect(url_for("consultations.react", consultation_id=consultation.id))


@bp.route("/reacties/<int:response_id>/bijlage")
@signed_in
def attachment(response_id: int):
    """Download the letter attached to a reaction: for its senders and the region's staff."""
    response = get_or_404(Response, response_id)
    if not policies.may_read_reaction(g.membership, response) or response.attachment_key is None:
        abort(404)
    stored = db.session.scalar(select(StoredFile).where(StoredFile.key == response.attachment_key))
    if stored is None:
        abort(404)
    return download_response(stored)


# Invited individuals (a personal link, no account) ---------------------------------------------------


def _invitation(token: str) -> PersonalInvitation:
    """Load the invitation of a personal link; an expired link still shows why it no longer works."""
    invitation = db.session.scalar(select(PersonalInvitation).where(PersonalInvitation.token_hash == hash_token(token)))
    if invitation is None:
        abort(404)
    if invitation.revoked_at is not None:
        # A kind page that says what to do, and nothing that accepts input.
        abort(make_response(render_template("consultations/link_revoked.html", consultation=invitation.consultation), 410))
    return invitation


@bp.route("/mijn-reactie/<token>", methods=["GET", "POST"])
@public
def invited(token: str):
    """React through a personal link, without an account, with your name or anonymously."""
    invitation = _invitation(token)
    consultation = invitation.consultation
    youth = invitation.audience in (Audience.ERVARINGSDESKUNDIGE, Audience.INWONER)
    response = services.current_reaction(db.session, consultation=consultation, invitation=invitation)
    initial = _initial(response)
    if response is not None:
        initial.update(anonymous=response.anonymous, publish_name=response.publish_name,
                       name=None if response.anonymous else response.respondent)
    else:
        initial["name"] = invitation.name
    form = reaction_form(InvitedReactionForm, consultation.questions, youth=youth, data=initial)
    theirs = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                response = services.save_invited_draft(
                    db.session, token=token, answers=_answers(form, consultation), seen_version=_seen_version(form),
                    anonymous=form.anonymous.data, name=form.name.data,
                    publish_name=form.publish_name.data and not form.anonymous.data)
                _attach(response, form, None)
                if form.send.data:
                    response = services.submit_invited_reaction(db.session, token=token,
                                                                seen_version=response.version)
            except services.ReactionConflict as error:
                _refused(form, error)
                response = services.current_reaction(db.session, consultation=consultation, invitation=invitation)
                theirs = response
                _set_version(form, response.version if response is not None else None)
                status = 409
            except (services.ConsultationError, UploadRejected) as error:
                _refused(form, error)
                response = services.current_reaction(db.session, consultation=consultation, invitation=invitation)
                status = 422
            else:
                if response.status is ResponseStatus.SUBMITTED:
                    mailing.confirm_reaction(db.session, response=response, to=invitation.email, youth=youth)
                    flash(_("Thank you! Your reaction has been sent."), "success")
                else:
                    flash(_("Your answers are saved. You can come back with the same link."), "success")
                return redirect(url_for("consultations.invited", token=token))
        else:
            status = 422
    return render_template(
        "consultations/react.html", consultation=consultation, form=form, response=response, theirs=theirs,
        youth=youth, invitation=invitation, is_open=policies.is_open(consultation), closed=consultation.phase(now()) is ConsultationPhase.CLOSED,
        attachment=_attachment_name(response), confirm_form=ConfirmActionForm(formdata=None),
        local_label=services.local_label,
        withdraw_url=url_for("consultations.invited_withdraw", token=token),
        reopen_url=url_for("consultations.invited_reopen", token=token),
    ), status


@bp.route("/mijn-reactie/<token>/intrekken", methods=["POST"])
@public
def invited_withdraw(token: str):
    """Withdraw the reaction made through the personal link."""
    _invitation(token)
    if ConfirmActionForm().validate_on_submit():
        try:
            services.withdraw_invited_reaction(db.session, token=token)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("Your reaction has been withdrawn."), "success")
    return redirect(url_for("consultations.invited", token=token))


@bp.route("/mijn-reactie/<token>/wijzigen", methods=["POST"])
@public
def invited_reopen(token: str):
    """Open the reaction made through the personal link again to change it."""
    invitation = _invitation(token)
    response = services.current_reaction(db.session, consultation=invitation.consultation, invitation=invitation)
    if ConfirmActionForm().validate_on_submit() and response is not None:
        try:
            services.reopen_reaction(db.session, response=response, actor=None)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("You can change your reaction now. Send it again when you are ready."), "success")
    return redirect(url_for("consultations.invited", token=token))


# The public page and residents -----------------------------------------------------------------------


def _published(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not policies.is_public(consultation):
        abort(404)
    return consultation


@bp.route("/inspraak")
@public
def public_index():
    """List the open consultations, for everyone."""
    moment = now()
    consultations = [
        c for c in db.session.scalars(
            select(Consultation).where(Consultation.published_at.is_not(None), Consultation.closes_at > moment)
            .options(joinedload(Consultation.region)).order_by(Consultation.closes_at)
        )
        if c.phase(moment) is ConsultationPhase.OPEN
    ]
    return render_template("consultations/public_index.html", consultations=consultations,
                           local_label=services.local_label)


@bp.route("/inspraak/<int:consultation_id>")
@public
def public_show(consultation_id: int):
    """Show a published consultation: the summary, the documents and how to react."""
    consultation = _published(consultation_id)
    return render_template(
        "consultations/public_show.html", consultation=consultation, phase=consultation.phase(now()),
        may_react=policies.may_react(g.get("membership"), consultation), local_label=services.local_label,
    )


@bp.route("/inspraak/<int:consultation_id>/documenten/<int:document_id>")
@public
def public_document(consultation_id: int, document_id: int):
    """Download a draft document of a published consultation."""
    return _document_download(_published(consultation_id), document_id)


@bp.route("/inspraak/<int:consultation_id>/reageren", methods=["GET", "POST"])
@public
@limiter.limit(RESIDENT_RATE_LIMIT, methods=["POST"])
def resident(consultation_id: int):
    """Let a resident react through the public link, when the consultation allows it."""
    consultation = _published(consultation_id)
    if not consultation.residents_may_react or Audience.INWONER not in consultation.audience_set:
        abort(404)
    form = reaction_form(ResidentReactionForm, consultation.questions, youth=True)
    form.set_choices(consultation.region.municipalities)
    if form.validate_on_submit():
        if form.website.data:
            # Only robots fill in the hidden field: answer as if it worked, keep nothing.
            flash(_("Thank you! Your reaction has been sent."), "success")
            return redirect(url_for("consultations.public_show", consultation_id=consultation.id))
        municipality = next((m for m in consultation.region.municipalities if m.id == form.municipality.data), None)
        try:
            response = services.submit_resident_reaction(
                db.session, consultation=consultation, answers=_answers(form, consultation), name=form.name.data,
                email=form.email.data, municipality=municipality, anonymous=form.anonymous.data,
                publish_name=form.publish_name.data and not form.anonymous.data,
                submission_key=form.submission_key.data)
            _attach(response, form, None)
            token = services.issue_private_link(db.session, response=response)
        except services.AlreadyReceived as error:
            flash(str(error), "info")
            return redirect(url_for("consultations.public_show", consultation_id=consultation.id))
        except (services.ConsultationError, UploadRejected) as error:
            _refused(form, error)
        else:
            mailing.confirm_reaction(db.session, response=response, to=response.email, youth=True,
                                     link=mailing.absolute(url_for("consultations.resident_reaction", token=token)))
            # The link is shown once, on the next page; only its hash is kept in the database.
            session[PRIVATE_LINK_KEY] = {"consultation": consultation.id, "token": token}
            return redirect(url_for("consultations.resident_thanks", consultation_id=consultation.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "consultations/react.html", consultation=consultation, form=form, response=None, theirs=None,
        youth=True, resident=True, is_open=policies.is_open(consultation), closed=consultation.phase(now()) is ConsultationPhase.CLOSED, attachment=None,
        confirm_form=None, local_label=services.local_label,
    ), status


@bp.route("/inspraak/<int:consultation_id>/bedankt")
@public
def resident_thanks(consultation_id: int):
    """Thank the resident and show, this once, the private link to their reaction."""
    consultation = _published(consultation_id)
    kept = session.pop(PRIVATE_LINK_KEY, None)
    if not kept or kept.get("consultation") != consultation.id:
        return redirect(url_for("consultations.public_show", consultation_id=consultation.id))
    path = url_for("consultations.resident_reaction", token=kept["token"])
    return render_template("consultations/resident_thanks.html", consultation=consultation, path=path,
                           link=mailing.absolute(path), local_label=services.local_label)


def _private_reaction(token: str) -> Response:
    """Load the resident's reaction of a private link, or 404."""
    response = services.find_private_reaction(db.session, token)
    if response is None:
        abort(404)
    return response


def _resident_initial(response: Response) -> dict:
    initial = _initial(response)
    initial.update(name=None if response.anonymous else response.respondent, anonymous=response.anonymous,
                   publish_name=response.publish_name, email=response.email,
                   municipality=response.municipality_id or 0)
    return initial


@bp.route("/inspraak/reactie/<token>", methods=["GET", "POST"])
@public
@limiter.limit(RESIDENT_RATE_LIMIT, methods=["POST"])
def resident_reaction(token: str):
    """Let a resident read their reaction through the private link, and change it until the close."""
    response = _private_reaction(token)
    consultation = response.consultation
    form = reaction_form(ResidentReactionForm, consultation.questions, youth=True, data=_resident_initial(response))
    form.set_choices(consultation.region.municipalities)
    is_open = policies.is_open(consultation)
    editing = is_open and response.status is ResponseStatus.SUBMITTED and request.args.get("wijzigen") == "1"
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        elif form.website.data:
            # Only robots fill in the hidden field: answer as if it worked, change nothing.
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("consultations.resident_reaction", token=token))
        else:
            municipality = next((m for m in consultation.region.municipalities if m.id == form.municipality.data), None)
            try:
                services.change_resident_reaction(
                    db.session, response=response, answers=_answers(form, consultation),
                    seen_version=_seen_version(form), name=form.name.data, email=form.email.data,
                    municipality=municipality, anonymous=form.anonymous.data,
                    publish_name=form.publish_name.data and not form.anonymous.data)
                _attach(response, form, None)
            except (services.ConsultationError, UploadRejected) as error:
                _refused(form, error)
                response = _private_reaction(token)
                status = 409 if isinstance(error, services.ReactionConflict) else 422
            else:
                mailing.confirm_reaction(db.session, response=response, to=response.email, youth=True,
                                         link=mailing.absolute(url_for("consultations.resident_reaction", token=token)))
                flash(_("Your changes have been saved."), "success")
                return redirect(url_for("consultations.resident_reaction", token=token))
    return render_template(
        "consultations/react.html", consultation=consultation, form=form, response=response, theirs=None,
        youth=True, resident=True, editing=editing, is_open=is_open,
        closed=consultation.phase(now()) is ConsultationPhase.CLOSED, attachment=_attachment_name(response),
        confirm_form=ConfirmActionForm(formdata=None), local_label=services.local_label,
        withdraw_url=url_for("consultations.resident_withdraw", token=token),
        change_url=url_for("consultations.resident_reaction", token=token, wijzigen=1),
    ), status


@bp.route("/inspraak/reactie/<token>/intrekken", methods=["POST"])
@public
def resident_withdraw(token: str):
    """Withdraw the resident's reaction through the private link, before the close."""
    response = _private_reaction(token)
    if ConfirmActionForm().validate_on_submit():
        try:
            services.withdraw_reaction(db.session, response=response, actor=None)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("Your reaction has been withdrawn."), "success")
    return redirect(url_for("consultations.resident_reaction", token=token))


# Labels of kept answers --------------------------------------------------------------------------
# When a session or form token expired at submit, the confirm page lists what was typed with the
# questions as the person saw them (see portal/resubmit.py). Only published consultations.


def _labelled_form(consultation: Consultation | None, base, *, youth: bool):
    if consultation is None or not policies.is_public(consultation):
        return None
    return reaction_form(base, consultation.questions, youth=youth, formdata=None)


@resubmit.form_of("consultations.react")
def _react_form(consultation_id: int):
    return _labelled_form(db.session.get(Consultation, consultation_id), ReactionForm, youth=False)


@resubmit.form_of("consultations.invited")
def _invited_form(token: str):
    invitation = db.session.scalar(select(PersonalInvitation).where(PersonalInvitation.token_hash == hash_token(token)))
    if invitation is None:
        return None
    youth = invitation.audience in (Audience.ERVARINGSDESKUNDIGE, Audience.INWONER)
    return _labelled_form(invitation.consultation, InvitedReactionForm, youth=youth)


@resubmit.form_of("consultations.resident")
def _resident_form(consultation_id: int):
    return _labelled_form(db.session.get(Consultation, consultation_id), ResidentReactionForm, youth=True)


@resubmit.form_of("consultations.resident_reaction")
def _resident_reaction_form(token: str):
    response = services.find_private_reaction(db.session, token)
    return _labelled_form(response.consultation if response else None, ResidentReactionForm, youth=True)
