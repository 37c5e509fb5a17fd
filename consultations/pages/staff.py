"""Staff pages: prepare and publish a consultation, invite, follow formal views and meetings, see the counts."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consultations import policies, services
from consultations.models import (
    Audience,
    Consultation,
    ConsultationDocument,
    ConsultationMunicipality,
    FormalView,
    FormalViewStatus,
    Meeting,
    MeetingQuestion,
    PersonalInvitation,
    Response,
    ResponseStatus,
)
from consultations.pages import bp, mailing
from consultations.policies import CONSULTATION_MANAGERS
from forms.consultations import (
    ConfirmActionForm,
    ConsultationForm,
    DocumentForm,
    FormalViewForm,
    InviteForm,
    MeetingForm,
    MeetingQuestionForm,
    QuestionForm,
    ReceivedViewForm,
    RemindCouncilsForm,
)
from portal.access import roles
from portal.audit.services import record
from portal.clock import from_local, local, now
from portal.extensions import db
from portal.files.inspection import PDF, UploadRejected
from portal.files.services import download_response, save_upload
from portal.models import STAFF_ROLES, Body, BodyKind, Municipality, Region, StoredFile
from portal.organisations.policies import region_id_of
from portal.pages import get_or_404, render_form


def _consultation(consultation_id: int, manage: bool = False) -> Consultation:
    """Load a consultation of the member's own region (404 otherwise); 403 when they may only read."""
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id)
        .options(selectinload(Consultation.municipalities).joinedload(ConsultationMunicipality.municipality),
                 selectinload(Consultation.audiences))
    )
    if consultation is None or not policies.in_region(g.membership, consultation):
        abort(404)
    if manage and not policies.can_manage(g.membership, consultation):
        abort(403)
    return consultation


def _save_pdf(upload, owner) -> StoredFile:
    """Store an uploaded PDF, or raise UploadRejected."""
    if upload is None or not getattr(upload, "filename", None):
        raise UploadRejected(_("Choose a PDF file."))
    stored = save_upload(db.session, stream=upload.stream, filename=upload.filename, owner=owner,
                         uploaded_by=current_user)
    if stored.content_type != PDF.content_type:
        raise UploadRejected(_("The file must be a PDF."))
    return stored


# List, create, change ------------------------------------------------------------------------


@bp.route("/consultaties")
@roles(STAFF_ROLES)
def index():
    """List the region's consultations with their number of submitted reactions."""
    rows = services.consultations_of(db.session, region_id_of(g.membership))
    return render_template("consultations/index.html", rows=rows, now=now(),
                           can_create=g.membership.role in CONSULTATION_MANAGERS)


def _details_form_values(form: ConsultationForm, region: Region) -> dict:
    chosen = set(form.municipalities.data or [])
    return {
        "title": form.title.data,
        "summary": form.summary.data or "",
        "opens_at": from_local(form.opens_on.data, form.opens_time.data),
        "closes_at": from_local(form.closes_on.data, form.closes_time.data),
        "audiences": [Audience(value) for value in form.audiences.data],
        "municipalities": [m for m in region.municipalities if m.id in chosen],
        "publish_reactions": form.publish_reactions.data,
        "names_need_consent": form.names_need_consent.data,
        "residents_may_react": form.residents_may_react.data,
    }


@bp.route("/consultaties/nieuw", methods=["GET", "POST"])
@roles(CONSULTATION_MANAGERS)
def new():
    """Start a new consultation as a draft."""
    region = db.session.get(Region, region_id_of(g.membership))
    form = ConsultationForm()
    form.set_choices(region.municipalities)
    if form.validate_on_submit():
        try:
            consultation = services.create_consultation(db.session, region=region, actor=current_user,
                                                        **_details_form_values(form, region))
        except services.ConsultationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The consultation has been created as a draft."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_form("consultations/edit.html", form, consultation=None)


@bp.route("/consultaties/<int:consultation_id>/bewerken", methods=["GET", "POST"])
@roles(CONSULTATION_MANAGERS)
def edit(consultation_id: int):
    """Change the details of a consultation that has not opened yet."""
    consultation = _consultation(consultation_id, manage=True)
    form = ConsultationForm()
    form.set_choices(consultation.region.municipalities)
    if not form.is_submitted():
        opens, closes = local(consultation.opens_at), local(consultation.closes_at)
        form.process(
            obj=consultation, audiences=[a.value for a in consultation.audience_set],
            municipalities=[m.municipality_id for m in consultation.municipalities],
            opens_on=opens.date(), opens_time=opens.time(), closes_on=closes.date(), closes_time=closes.time(),
            fingerprint=services.consultation_fingerprint(consultation),
        )
    elif form.validate_on_submit():
        try:
            services.update_consultation(db.session, consultation=consultation, actor=current_user,
                                         seen_fingerprint=form.fingerprint.data or None,
                                         **_details_form_values(form, consultation.region))
        except services.ConsultationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The consultation has been saved."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    return render_form("consultations/edit.html", form, consultation=consultation)


def _show(consultation: Consultation, status: int = 200, **forms):
    """Render the staff page of a consultation with its forms (some possibly carrying errors)."""
    invite_form = forms.pop("invite_form", None) or InviteForm(formdata=None)
    invite_form.set_choices(sorted(consultation.audience_set, key=list(Audience).index))
    invitations = db.session.scalars(
        select(PersonalInvitation).where(PersonalInvitation.consultation_id == consultation.id)
        .order_by(PersonalInvitation.id)
    ).all()
    context = {
        "consultation": consultation,
        "phase": consultation.phase(now()),
        "can_manage": policies.can_manage(g.membership, consultation),
        "question_form": forms.pop("question_form", None) or QuestionForm(formdata=None),
        "document_form": forms.pop("document_form", None) or DocumentForm(formdata=None),
        "invite_form": invite_form,
        "confirm_form": ConfirmActionForm(formdata=None),
        "invitations": invitations,
        "invitation_reactions": services.invitation_reactions(db.session, consultation),
        "local_label": services.local_label,
    }
    return render_template("consultations/show.html", **context), status


@bp.route("/consultaties/<int:consultation_id>")
@roles(STAFF_ROLES)
def show(consultation_id: int):
    """Show a consultation with its questions, documents and invitations, and the forms to prepare it."""
    return _show(_consultation(consultation_id))


@bp.route("/consultaties/<int:consultation_id>/vragen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def add_question(consultation_id: int):
    """Add a question."""
    consultation = _consultation(consultation_id, manage=True)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(db.session, consultation=consultation, key=form.key.data, text=form.text.data,
                                  kind=form.kind.data, options=form.option_list(),
                                  plain_text=form.plain_text.data, actor=current_user)
        except services.ConsultationError as error:
            form.key.errors.append(str(error))
        else:
            flash(_("The question has been added."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id) + "#vragen")
    return _show(consultation, 422, question_form=form)


@bp.route("/consultaties/<int:consultation_id>/documenten", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def add_document(consultation_id: int):
    """Attach a version of a draft document as PDF."""
    consultation = _consultation(consultation_id, manage=True)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            stored = _save_pdf(form.document.data, consultation.region)
            services.add_document(db.session, consultation=consultation, title=form.title.data,
                                  version=form.version.data, file_key=stored.key, actor=current_user)
        except (UploadRejected, services.ConsultationError) as error:
            form.document.errors.append(str(error))
        else:
            flash(_("The document has been added."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id) + "#documenten")
    return _show(consultation, 422, document_form=form)


@bp.route("/consultaties/<int:consultation_id>/publiceren", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def publish(consultation_id: int):
    """Publish the consultation; it opens and closes at its moments."""
    consultation = _consultation(consultation_id, manage=True)
    if ConfirmActionForm().validate_on_submit():
        try:
            services.publish_consultation(db.session, consultation=consultation, actor=current_user)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The consultation has been published."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id))


@bp.route("/consultaties/<int:consultation_id>/uitnodigingen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def invite(consultation_id: int):
    """Send someone without an account (an expert by experience) a personal link."""
    consultation = _consultation(consultation_id, manage=True)
    form = InviteForm()
    form.set_choices(sorted(consultation.audience_set, key=list(Audience).index))
    if form.validate_on_submit():
        try:
            invitation, token = services.invite_individual(
                db.session, consultation=consultation, audience=Audience(form.audience.data), name=form.name.data,
                email=form.email.data, anonymous_allowed=form.anonymous_allowed.data, actor=current_user)
        except services.ConsultationError as error:
            form.audience.errors.append(str(error))
        else:
            mailing.send_personal_link(db.session, invitation=invitation, token=token)
            flash(_("The personal link has been sent."), "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id) + "#uitnodigingen")
    return _show(consultation, 422, invite_form=form)


def _invitation_of(consultation: Consultation, invitation_id: int) -> PersonalInvitation:
    invitation = get_or_404(PersonalInvitation, invitation_id)
    if invitation.consultation_id != consultation.id:
        abort(404)
    return invitation


@bp.route("/consultaties/<int:consultation_id>/uitnodigingen/<int:invitation_id>/intrekken", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def revoke_invitation(consultation_id: int, invitation_id: int):
    """Make a personal link stop working; a reaction saved under it stays."""
    consultation = _consultation(consultation_id, manage=True)
    invitation = _invitation_of(consultation, invitation_id)
    if ConfirmActionForm().validate_on_submit():
        try:
            services.revoke_invitation(db.session, invitation=invitation, actor=current_user)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The personal link has been revoked. It no longer works."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id) + "#uitnodigingen")


@bp.route("/consultaties/<int:consultation_id>/uitnodigingen/<int:invitation_id>/vernieuwen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def renew_invitation(consultation_id: int, invitation_id: int):
    """Revoke a personal link and send the same person a new one."""
    consultation = _consultation(consultation_id, manage=True)
    invitation = _invitation_of(consultation, invitation_id)
    if ConfirmActionForm().validate_on_submit():
        try:
            renewed, token = services.renew_invitation(db.session, invitation=invitation, actor=current_user)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            mailing.send_personal_link(db.session, invitation=renewed, token=token)
            flash(_("The old link has been revoked and a new personal link has been sent. Answers saved under the old link can be continued with the new one."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id) + "#uitnodigingen")


@bp.route("/consultaties/<int:consultation_id>/documenten/<int:document_id>")
@roles(STAFF_ROLES)
def staff_document(consultation_id: int, document_id: int):
    """Download a draft document, also before publication."""
    consultation = _consultation(consultation_id)
    return _document_download(consultation, document_id)


def _document_download(consultation: Consultation, document_id: int):
    document = get_or_404(ConsultationDocument, document_id)
    if document.consultation_id != consultation.id or document.file_key is None:
        abort(404)
    stored = db.session.scalar(select(StoredFile).where(StoredFile.key == document.file_key))
    if stored is None:
        abort(404)
    return download_response(stored)


# Overview and reminders to bodies ----------------------------------------------------------------


def _reacted_bodies(consultation: Consultation) -> list[tuple[str, str]]:
    """Return (respondent, status) of the bodies' living reactions, by name."""
    return db.session.execute(
        select(Response.respondent, Response.status)
        .where(Response.consultation_id == consultation.id, Response.body_id.is_not(None),
               Response.status != ResponseStatus.WITHDRAWN).order_by(Response.respondent)
    ).all()


@bp.route("/consultaties/<int:consultation_id>/overzicht")
@roles(STAFF_ROLES)
def overview(consultation_id: int):
    """Show live counts per audience and which bodies have and have not reacted."""
    consultation = _consultation(consultation_id)
    return render_template(
        "consultations/overview.html", consultation=consultation,
        counts=services.counts_per_audience(db.session, consultation),
        missing=services.bodies_without_reaction(db.session, consultation),
        reacted=_reacted_bodies(consultation),
        can_manage=policies.can_manage(g.membership, consultation),
        is_open=policies.is_open(consultation), confirm_form=ConfirmActionForm(formdata=None),
    )


@bp.route("/consultaties/<int:consultation_id>/organen-uitnodigen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def invite_bodies(consultation_id: int):
    """Mail the members of every invited body that has not reacted: an invitation or a reminder."""
    consultation = _consultation(consultation_id, manage=True)
    if ConfirmActionForm().validate_on_submit():
        if not policies.is_public(consultation):
            flash(_("Publish the consultation before inviting bodies."), "error")
        else:
            bodies = services.bodies_without_reaction(db.session, consultation)
            reminder = policies.is_open(consultation)
            sent = mailing.invite_bodies(db.session, consultation=consultation, bodies=bodies, reminder=reminder)
            record(db.session, action="consultation.bodies_reminded" if reminder else "consultation.bodies_invited",
                   obj=consultation, actor=current_user, organisation=consultation.region,
                   changes={"bodies": [None, [body.name for body in bodies]], "mails": [None, sent]})
            flash(_("%(mails)d e-mails were sent to the members of %(bodies)d bodies.", mails=sent, bodies=len(bodies)),
                  "success")
    return redirect(url_for("consultations.overview", consultation_id=consultation.id))


# Formal views ------------------------------------------------------------------------------------


def _councils(consultation: Consultation) -> list[Body]:
    """Return the councils of the consultation's region, by name."""
    in_region = select(Municipality.id).where(Municipality.region_id == consultation.region_id)
    return db.session.scalars(
        select(Body).where(Body.body_kind == BodyKind.GEMEENTERAAD,
                           Body.municipality_id.in_(in_region) | (Body.region_id == consultation.region_id))
        .order_by(Body.name)
    ).all()


def _formal_views(consultation: Consultation, status: int = 200, **forms):
    expect_form = forms.pop("expect_form", None) or FormalViewForm(formdata=None)
    expect_form.set_choices(_councils(consultation))
    views = services.formal_views(db.session, consultation)
    # Load the councils in one query and keep them referenced: each view's body then comes
    # from the identity map instead of a query per row.
    councils = db.session.scalars(select(Body).where(Body.id.in_({view.body_id for view in views}))).all()
    received = forms.pop("received_forms", {})
    moment = now()
    return render_template(
        "consultations/formal_views.html", consultation=consultation, views=views, now=moment, councils=councils,
        overview=services.formal_view_overview(db.session, consultation, now=moment),
        statuses=FormalViewStatus, expect_form=expect_form,
        received_forms={view.id: received.get(view.id) or ReceivedViewForm(formdata=None, prefix=f"v{view.id}")
                        for view in views if view.received_at is None},
        remind_form=forms.pop("remind_form", None) or RemindCouncilsForm(formdata=None),
        can_manage=policies.can_manage(g.membership, consultation), local_label=services.local_label,
    ), status


@bp.route("/consultaties/<int:consultation_id>/zienswijzen")
@roles(STAFF_ROLES)
def formal_views(consultation_id: int):
    """Show per council the deadline and status of its formal view, and which councils have responded."""
    return _formal_views(_consultation(consultation_id))


@bp.route("/consultaties/<int:consultation_id>/zienswijzen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def expect_formal_view(consultation_id: int):
    """Ask a council for its formal view by a deadline."""
    consultation = _consultation(consultation_id, manage=True)
    form = FormalViewForm()
    form.set_choices(_councils(consultation))
    if form.validate_on_submit():
        body = db.session.get(Body, form.body.data)
        try:
            services.expect_formal_view(db.session, consultation=consultation, body=body, actor=current_user,
                                        deadline=from_local(form.deadline_on.data, form.deadline_time.data))
        except services.ConsultationError as error:
            form.body.errors.append(str(error))
        else:
            flash(_("The formal view is expected."), "success")
            return redirect(url_for("consultations.formal_views", consultation_id=consultation.id))
    return _formal_views(consultation, 422, expect_form=form)


def _view_of(consultation: Consultation, view_id: int) -> FormalView:
    view = get_or_404(FormalView, view_id)
    if view.consultation_id != consultation.id:
        abort(404)
    return view


@bp.route("/consultaties/<int:consultation_id>/zienswijzen/<int:view_id>/ontvangen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def receive_formal_view(consultation_id: int, view_id: int):
    """Record that a council's formal view arrived, with its decision letter as PDF."""
    consultation = _consultation(consultation_id, manage=True)
    view = _view_of(consultation, view_id)
    form = ReceivedViewForm(prefix=f"v{view.id}")
    if form.validate_on_submit():
        try:
            letter = _save_pdf(form.letter.data, consultation.region) if form.letter.data and form.letter.data.filename else None
            services.record_formal_view(
                db.session, view=view, received_at=from_local(form.received_on.data, form.received_time.data),
                summary=form.summary.data, letter_key=letter.key if letter else None, actor=current_user)
        except (UploadRejected, services.ConsultationError) as error:
            form.letter.errors.append(str(error))
        else:
            flash(_("The formal view has been recorded."), "success")
            return redirect(url_for("consultations.formal_views", consultation_id=consultation.id))
    return _formal_views(consultation, 422, received_forms={view.id: form})


@bp.route("/consultaties/<int:consultation_id>/zienswijzen/<int:view_id>/brief")
@roles(STAFF_ROLES)
def formal_view_letter(consultation_id: int, view_id: int):
    """Download the council's decision letter."""
    view = _view_of(_consultation(consultation_id), view_id)
    stored = db.session.scalar(select(StoredFile).where(StoredFile.key == view.letter_key)) if view.letter_key else None
    if stored is None:
        abort(404)
    return download_response(stored)


@bp.route("/consultaties/<int:consultation_id>/zienswijzen/herinneren", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def remind_councils(consultation_id: int):
    """Remind the councils that have not responded and whose deadline is near; note each reminder."""
    consultation = _consultation(consultation_id, manage=True)
    form = RemindCouncilsForm()
    if form.validate_on_submit():
        views = services.councils_to_remind(db.session, consultation=consultation,
                                            within=timedelta(days=form.within_days.data))
        mails = 0
        for view in views:
            mails += mailing.remind_council(db.session, view=view)
            services.note_reminder(db.session, view=view, actor=current_user)
        flash(_("%(councils)d councils were reminded (%(mails)d e-mails).", councils=len(views), mails=mails),
              "success" if views else "info")
        return redirect(url_for("consultations.formal_views", consultation_id=consultation.id))
    return _formal_views(consultation, 422, remind_form=form)


# Meetings ----------------------------------------------------------------------------------------


def _meetings(consultation: Consultation, status: int = 200, **forms):
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.consultation_id == consultation.id).order_by(Meeting.held_at)
        .options(selectinload(Meeting.questions))
    ).all()
    asked = forms.pop("question_forms", {})
    return render_template(
        "consultations/meetings.html", consultation=consultation, meetings=meetings,
        meeting_form=forms.pop("meeting_form", None) or MeetingForm(formdata=None),
        question_forms={meeting.id: asked.get(meeting.id) or MeetingQuestionForm(formdata=None, prefix=f"m{meeting.id}")
                        for meeting in meetings},
        confirm_form=ConfirmActionForm(formdata=None),
        can_manage=policies.can_manage(g.membership, consultation), local_label=services.local_label,
    ), status


@bp.route("/consultaties/<int:consultation_id>/bijeenkomsten")
@roles(STAFF_ROLES)
def meetings(consultation_id: int):
    """Show the meetings with the questions asked, answers and follow-up actions."""
    return _meetings(_consultation(consultation_id))


@bp.route("/consultaties/<int:consultation_id>/bijeenkomsten", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def record_meeting(consultation_id: int):
    """Record a meeting."""
    consultation = _consultation(consultation_id, manage=True)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            services.record_meeting(db.session, consultation=consultation, title=form.title.data,
                                    held_at=from_local(form.held_on.data, form.held_time.data),
                                    audience=Audience(form.audience.data), attendees=form.attendees.data,
                                    actor=current_user)
        except services.ConsultationError as error:
            form.title.errors.append(str(error))
        else:
            flash(_("The meeting has been recorded."), "success")
            return redirect(url_for("consultations.meetings", consultation_id=consultation.id))
    return _meetings(consultation, 422, meeting_form=form)


@bp.route("/consultaties/<int:consultation_id>/bijeenkomsten/<int:meeting_id>/vragen", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def add_meeting_question(consultation_id: int, meeting_id: int):
    """Add a question asked at a meeting, the answer and any follow-up."""
    consultation = _consultation(consultation_id, manage=True)
    meeting = get_or_404(Meeting, meeting_id)
    if meeting.consultation_id != consultation.id:
        abort(404)
    form = MeetingQuestionForm(prefix=f"m{meeting.id}")
    if form.validate_on_submit():
        try:
            services.add_meeting_question(db.session, meeting=meeting, question=form.question.data,
                                          answer=form.answer.data, follow_up=form.follow_up.data,
                                          follow_up_owner=form.follow_up_owner.data, actor=current_user)
        except services.ConsultationError as error:
            form.question.errors.append(str(error))
        else:
            flash(_("The question has been added."), "success")
            return redirect(url_for("consultations.meetings", consultation_id=consultation.id) + f"#meeting-{meeting.id}")
    return _meetings(consultation, 422, question_forms={meeting.id: form})


@bp.route("/consultaties/<int:consultation_id>/bijeenkomsten/vragen/<int:entry_id>/afgerond", methods=["POST"])
@roles(CONSULTATION_MANAGERS)
def complete_follow_up(consultation_id: int, entry_id: int):
    """Mark a follow-up action as done."""
    consultation = _consultation(consultation_id, manage=True)
    entry = get_or_404(MeetingQuestion, entry_id)
    if entry.meeting.consultation_id != consultation.id:
        abort(404)
    if ConfirmActionForm().validate_on_submit():
        try:
            services.complete_follow_up(db.session, entry=entry, actor=current_user)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The follow-up is marked as done."), "success")
    return redirect(url_for("consultations.meetings", consultation_id=consultation.id) + f"#meeting-{entry.meeting_id}")

