"""Staff pages of the analysis (policy officers and region administrators act; other staff of the
region read; other regions get 404), the public outcome page and the feedback pages."""

from __future__ import annotations

import re

from flask import Blueprint, Response as HttpResponse, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from consultations.analysis import feedback, labels, memo, responses, services, summaries
from consultations.analysis.services import AnalysisError, point_ref
from consultations.models import Answer, Consultation, Meeting, Point, Response, ResponseStatus, Theme
from forms.auth import ConfirmForm
from forms.consultation_analysis import (
    CodeForm,
    MergeThemeForm,
    PointTextForm,
    ProposalForm,
    ProposeForm,
    PublishForm,
    ReactionForm,
    SplitPointForm,
    ThemeEditForm,
    ThemeForm,
    VersionForm,
)
from portal.access import public, roles
from portal.extensions import db
from portal.models import STAFF_ROLES, Membership, Role, User
from portal.organisations.policies import region_id_of
from portal.pages import get_or_404

bp = Blueprint("analysis", __name__)

#: Roles that analyse: split, code, answer, finalise and publish.
ANALYSTS = frozenset({Role.POLICY_OFFICER, Role.REGION_ADMIN})
PREFIX = "/analyse/consultaties/<int:consultation_id>"


@bp.app_context_processor
def _labels():
    return {"audience_label": labels.audience_label, "disposition_label": labels.disposition_label,
            "reaction_status_label": labels.status_label}


def can_analyse(membership: Membership | None) -> bool:
    """Tell whether the member may change the analysis (templates hide buttons with it)."""
    return membership is not None and membership.role in ANALYSTS


def _consultation(consultation_id: int) -> Consultation:
    """Load a consultation of the member's own region, or 404."""
    consultation = get_or_404(Consultation, consultation_id)
    if region_id_of(g.membership) != consultation.region_id:
        abort(404)
    return consultation


def _point(consultation: Consultation, point_id: int) -> Point:
    point = get_or_404(Point, point_id)
    if point.consultation_id != consultation.id:
        abort(404)
    return point


def _theme(consultation: Consultation, theme_id: int) -> Theme:
    theme = get_or_404(Theme, theme_id)
    if theme.consultation_id != consultation.id:
        abort(404)
    return theme


def _response(consultation: Consultation, response_id: int) -> Response:
    response = get_or_404(Response, response_id)
    if response.consultation_id != consultation.id or response.status is not ResponseStatus.SUBMITTED:
        abort(404)
    return response


def _context(consultation: Consultation, **extra) -> dict:
    return {"consultation": consultation, "can_analyse": can_analyse(g.membership), **extra}


# Overview -------------------------------------------------------------------------------------


@bp.route("/analyse/consultaties")
@roles(STAFF_ROLES)
def consultations():
    """List the region's consultations with how far their analysis is."""
    rows = db.session.execute(
        select(Consultation, func.count(Point.id), func.count(Point.theme_id))
        .outerjoin(Point, Point.consultation_id == Consultation.id)
        .where(Consultation.region_id == region_id_of(g.membership))
        .group_by(Consultation.id).order_by(Consultation.closes_at.desc(), Consultation.id)
    ).all()
    return render_template("consultations/analysis/consultations.html", rows=rows)



@bp.route(PREFIX)
@roles(STAFF_ROLES)
def index(consultation_id: int):
    """Show where the analysis stands and the reactions to split into points."""
    consultation = _consultation(consultation_id)
    rows = db.session.execute(
        select(Response, func.count(Point.id), func.count(Point.theme_id))
        .outerjoin(Answer, Answer.response_id == Response.id).outerjoin(Point, Point.answer_id == Answer.id)
        .where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Response.id).order_by(Response.id)
    ).all()
    meetings = db.session.scalars(select(Meeting).where(Meeting.consultation_id == consultation.id).order_by(Meeting.held_at)).all()
    imported = set(db.session.scalars(select(Response.ref).where(Response.consultation_id == consultation.id,
                                                                 Response.ref.startswith("m-"))))
    return render_template(
        "consultations/analysis/index.html", **_context(consultation), rows=rows, meetings=meetings, imported=imported,
        counts=services.counts(db.session, consultation), open_points=responses.open_points(db.session, consultation),
        form=ConfirmForm(formdata=None),
    )


@bp.route(PREFIX + "/punten/voorstellen", methods=["POST"])
@roles(ANALYSTS)
def split_all(consultation_id: int):
    """Propose points for every reaction that has none yet."""
    consultation = _consultation(consultation_id)
    if ConfirmForm().validate_on_submit():
        made = services.split_all(db.session, consultation=consultation, actor=current_user)
        db.session.commit()
        flash(_("%(count)s points were proposed. Check them per reaction.", count=made), "success")
    return redirect(url_for("analysis.index", consultation_id=consultation.id))


@bp.route(PREFIX + "/bijeenkomsten/<int:meeting_id>/punten", methods=["POST"])
@roles(ANALYSTS)
def meeting_points(consultation_id: int, meeting_id: int):
    """Bring a meeting's questions in as points."""
    consultation = _consultation(consultation_id)
    meeting = get_or_404(Meeting, meeting_id)
    if meeting.consultation_id != consultation.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.meeting_points(db.session, meeting=meeting, actor=current_user)
        except AnalysisError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The meeting's questions are now points."), "success")
    return redirect(url_for("analysis.index", consultation_id=consultation.id))


# Points of one reaction -----------------------------------------------------------------------


def _reaction_page(consultation: Consultation, response: Response, status: int = 200, failed=None):
    answers = list(db.session.scalars(
        select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)
    ))
    points = [p for a in answers for p in a.points]
    return render_template(
        "consultations/analysis/reaction.html", **_context(consultation), response=response, answers=answers,
        secondary=services.secondary_themes(db.session, points), source_of=services.source_of, failed=failed or {},
        form=(failed or {}).get("form"), blank_text=PointTextForm, blank_split=SplitPointForm, blank_version=VersionForm,
    ), status


@bp.route(PREFIX + "/reacties/<int:response_id>")
@roles(STAFF_ROLES)
def reaction(consultation_id: int, response_id: int):
    """Show a reaction with its answers and the points taken from them."""
    consultation = _consultation(consultation_id)
    return _reaction_page(consultation, _response(consultation, response_id))


@bp.route(PREFIX + "/reacties/<int:response_id>/splitsen", methods=["POST"])
@roles(ANALYSTS)
def split_reaction(consultation_id: int, response_id: int):
    """Propose points for this reaction's answers."""
    consultation = _consultation(consultation_id)
    response = _response(consultation, response_id)
    if ConfirmForm().validate_on_submit():
        for answer in response.answers:
            if answer.text:
                services.split_answer(db.session, answer=answer, actor=current_user)
        db.session.commit()
        flash(_("Points were proposed. Merge, split or change them where needed."), "success")
    return redirect(url_for("analysis.reaction", consultation_id=consultation.id, response_id=response.id))


def _point_action(consultation_id: int, point_id: int, form_class, act, message: str):
    consultation = _consultation(consultation_id)
    point = _point(consultation, point_id)
    response = point.answer.response
    # Each point on the page has its own forms; the prefix keeps their field ids apart.
    prefix = {PointTextForm: "t", SplitPointForm: "s"}.get(form_class)
    form = form_class(prefix=f"{prefix}{point_id}") if prefix else form_class()
    if form.validate_on_submit():
        try:
            act(point, form)
        except AnalysisError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("analysis.reaction", consultation_id=consultation.id, response_id=response.id)
                            + f"#punt-{point.id}")
    consultation = _consultation(consultation_id)
    return _reaction_page(consultation, _response(consultation, response.id), 422,
                          failed={"point_id": point_id, "form": form, "kind": form_class.__name__})


@bp.route(PREFIX + "/punten/<int:point_id>/tekst", methods=["POST"])
@roles(ANALYSTS)
def edit_point(consultation_id: int, point_id: int):
    """Change the words of a point."""
    return _point_action(consultation_id, point_id, PointTextForm,
                         lambda point, form: services.edit_point(db.session, point=point, text=form.text.data,
                                                                 seen_version=form.version.data, actor=current_user),
                         _("The point has been saved."))


def _split(point: Point, form: SplitPointForm) -> None:
    offset = point.text.find(form.second_part.data)
    if offset <= 0:
        raise AnalysisError(_("These words do not occur after the start of the point; copy them exactly."))
    services.split_point(db.session, point=point, offset=offset, seen_version=form.version.data, actor=current_user)


@bp.route(PREFIX + "/punten/<int:point_id>/splitsen", methods=["POST"])
@roles(ANALYSTS)
def split_point(consultation_id: int, point_id: int):
    """Split a point in two."""
    return _point_action(consultation_id, point_id, SplitPointForm, _split, _("The point has been split."))


@bp.route(PREFIX + "/punten/<int:point_id>/samenvoegen", methods=["POST"])
@roles(ANALYSTS)
def merge_point(consultation_id: int, point_id: int):
    """Merge a point with the next one."""
    return _point_action(consultation_id, point_id, VersionForm,
                         lambda point, form: services.merge_with_next(db.session, point=point,
                                                                      seen_version=form.version.data, actor=current_user),
                         _("The points have been merged."))


# Coding ---------------------------------------------------------------------------------------


#: Uncoded points per page of the coding page.
PER_PAGE = 25


def _coding_page(consultation: Consultation, status: int = 200, failed=None):
    points = services.all_points(db.session, consultation)
    uncoded = [p for p in points if p.theme is None]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    shown = uncoded[(page - 1) * PER_PAGE: page * PER_PAGE]
    suggestions = {s.point: s.themes for s in services.suggestions(db.session, consultation, shown)}
    return render_template(
        "consultations/analysis/coding.html", **_context(consultation), shown=shown, uncoded=len(uncoded),
        coded=len(points) - len(uncoded), suggestions=suggestions, themes={t.key: t for t in consultation.themes},
        code_form=CodeForm, point_ref=point_ref, failed=failed or {}, form=(failed or {}).get("form"),
        page=page, per_page=PER_PAGE,
    ), status


@bp.route(PREFIX + "/coderen")
@roles(STAFF_ROLES)
def coding(consultation_id: int):
    """Show the uncoded points, each with its three suggested themes."""
    return _coding_page(_consultation(consultation_id))


@bp.route(PREFIX + "/punten/<int:point_id>/thema", methods=["POST"])
@roles(ANALYSTS)
def code_point(consultation_id: int, point_id: int):
    """Give a point its theme (also the one-click acceptance of a suggestion)."""
    consultation = _consultation(consultation_id)
    point = _point(consultation, point_id)
    form = CodeForm(prefix=f"c{point.id}")
    form.set_choices(consultation.themes)
    if form.validate_on_submit():
        themes = {t.id: t for t in consultation.themes}
        try:
            services.code_point(db.session, point=point, theme=themes[form.theme.data],
                                secondary=[themes[i] for i in form.secondary.data or []],
                                seen_version=form.version.data, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Point %(ref)s now has the theme %(theme)s.", ref=point_ref(point), theme=point.theme.label), "success")
            return redirect(request.form.get("next") == "reaction"
                            and url_for("analysis.reaction", consultation_id=consultation.id,
                                        response_id=point.answer.response_id) + f"#punt-{point.id}"
                            or url_for("analysis.coding", consultation_id=consultation.id))
    return _coding_page(_consultation(consultation_id), 422, failed={"point_id": point_id, "form": form})


# The codebook and proposals -------------------------------------------------------------------


def _codebook_page(consultation: Consultation, status: int = 200, form=None, failed=None):
    counts = dict(db.session.execute(
        select(Point.theme_id, func.count(Point.id)).where(Point.consultation_id == consultation.id)
        .group_by(Point.theme_id)).all())
    return render_template(
        "consultations/analysis/codebook.html", **_context(consultation), counts=counts,
        form=form or ThemeForm(formdata=None), failed=failed or {}, edit_form=ThemeEditForm, merge_form=MergeThemeForm,
    ), status


@bp.route(PREFIX + "/codeboek")
@roles(STAFF_ROLES)
def codebook(consultation_id: int):
    """Show the codebook with the number of points per theme."""
    return _codebook_page(_consultation(consultation_id))


@bp.route(PREFIX + "/codeboek", methods=["POST"])
@roles(ANALYSTS)
def add_theme(consultation_id: int):
    """Add a theme to the codebook."""
    consultation = _consultation(consultation_id)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            services.add_theme(db.session, consultation=consultation, key=form.key.data, label=form.label.data,
                               description=form.description.data, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.key.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The theme has been added."), "success")
            return redirect(url_for("analysis.codebook", consultation_id=consultation.id))
    return _codebook_page(_consultation(consultation_id), 422, form=form)


@bp.route(PREFIX + "/codeboek/<int:theme_id>", methods=["POST"])
@roles(ANALYSTS)
def edit_theme(consultation_id: int, theme_id: int):
    """Rename a theme or change its description."""
    consultation = _consultation(consultation_id)
    theme = _theme(consultation, theme_id)
    form = ThemeEditForm(prefix=f"e{theme.id}")
    if form.validate_on_submit():
        services.update_theme(db.session, theme=theme, label=form.label.data, description=form.description.data,
                              actor=current_user)
        db.session.commit()
        flash(_("The theme has been saved."), "success")
        return redirect(url_for("analysis.codebook", consultation_id=consultation.id))
    return _codebook_page(consultation, 422, failed={"theme_id": theme.id, "form": form})


@bp.route(PREFIX + "/codeboek/<int:theme_id>/samenvoegen", methods=["POST"])
@roles(ANALYSTS)
def merge_theme(consultation_id: int, theme_id: int):
    """Move every point of a theme to another theme and remove it."""
    consultation = _consultation(consultation_id)
    theme = _theme(consultation, theme_id)
    form = MergeThemeForm(prefix=f"m{theme.id}")
    form.target.choices = [SelectChoice(t.id, t.label) for t in consultation.themes if t.id != theme.id]
    if form.validate_on_submit():
        target = _theme(consultation, form.target.data)
        try:
            moved = services.merge_themes(db.session, source=theme, target=target, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.target.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The themes have been merged; %(count)s points moved.", count=moved), "success")
            return redirect(url_for("analysis.codebook", consultation_id=consultation.id))
    return _codebook_page(consultation, 422, failed={"theme_id": theme.id, "form": form})


def _propose_page(consultation: Consultation, status: int = 200, failed=None):
    search = ProposeForm(request.args)
    max_themes = search.max_themes.data if search.validate() else None
    candidates = services.proposals(db.session, consultation, max_themes=max_themes)
    texts = {point_ref(p): p.text for p in services.all_points(db.session, consultation) if p.theme is None}
    return render_template(
        "consultations/analysis/propose.html", **_context(consultation), search=search, candidates=candidates,
        texts=texts, failed=failed or {}, form=(failed or {}).get("form"), blank=ProposalForm,
    ), status


@bp.route(PREFIX + "/voorstel")
@roles(STAFF_ROLES)
def propose(consultation_id: int):
    """Propose candidate themes for the uncoded points (cold start)."""
    return _propose_page(_consultation(consultation_id))


@bp.route(PREFIX + "/voorstel", methods=["POST"])
@roles(ANALYSTS)
def accept_proposal(consultation_id: int):
    """Add a proposed theme (renamed if wanted) and give its points that theme."""
    consultation = _consultation(consultation_id)
    # Each proposal on the page has its own form, told apart by a prefix ("k1", "k2", ...).
    prefix = next((key[: -len("-points")] for key in request.form if re.fullmatch(r"k\d{1,3}-points", key)), None)
    form = ProposalForm(prefix=prefix) if prefix else ProposalForm()
    if form.validate_on_submit():
        try:
            theme = services.accept_proposal(db.session, consultation=consultation, key=form.key.data,
                                             label=form.label.data, refs=form.points.data.split(","), actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.key.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The theme %(theme)s has been added to the codebook with its points.", theme=theme.label), "success")
            return redirect(url_for("analysis.propose", consultation_id=consultation.id))
    return _propose_page(_consultation(consultation_id), 422, failed={"refs": form.points.data, "form": form})


# Reactions to points --------------------------------------------------------------------------


@bp.route(PREFIX + "/reacties-op-punten")
@roles(STAFF_ROLES)
def reactions(consultation_id: int):
    """List every point with its reaction and where the review stands."""
    consultation = _consultation(consultation_id)
    points = services.all_points(db.session, consultation)
    return render_template(
        "consultations/analysis/reactions.html", **_context(consultation), points=points,
        states=responses.reactions_of(db.session, points), point_ref=point_ref,
        open_points=responses.open_points(db.session, consultation),
    )


def _staff_of(consultation: Consultation) -> list[User]:
    organisations = [consultation.region_id, *(m.id for m in consultation.region.municipalities)]
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id.in_(organisations), Membership.role.in_(list(ANALYSTS)))
        .distinct().order_by(User.name)
    ))


def _point_page(consultation: Consultation, point: Point, status: int = 200, form=None, error_form=None):
    state = db.session.get(responses.PointReaction, point.id)
    reuse = request.args.get("reuse", type=int)
    earlier = db.session.get(Point, reuse) if reuse else None
    if earlier is not None and (earlier.consultation.region_id != consultation.region_id or not earlier.reaction):
        earlier = None
    if form is None:
        form = ReactionForm(formdata=None, reaction=earlier.reaction if earlier else point.reaction,
                            disposition=(earlier or point).disposition.value if (earlier or point).disposition else None,
                            reason=state.reason if state else None, owner=state.owner_id if state else current_user.id,
                            version=state.version if state else 0)
    form.owner.choices = [SelectChoice(u.id, u.name) for u in _staff_of(consultation)]
    return render_template(
        "consultations/analysis/point.html", **_context(consultation), point=point, state=state, form=form,
        similar=responses.similar_reactions(db.session, point=point), point_ref=point_ref,
        review_form=error_form or VersionForm(formdata=None, version=state.version if state else 0),
        source=services.source_of(point), memo_final=responses.memo_is_final(db.session, consultation.id),
    ), status


@bp.route(PREFIX + "/punten/<int:point_id>")
@roles(STAFF_ROLES)
def point(consultation_id: int, point_id: int):
    """Show a point with its source, its reaction and earlier reactions to similar points."""
    consultation = _consultation(consultation_id)
    return _point_page(consultation, _point(consultation, point_id))


@bp.route(PREFIX + "/punten/<int:point_id>", methods=["POST"])
@roles(ANALYSTS)
def save_reaction(consultation_id: int, point_id: int):
    """Write or change the reaction to a point."""
    consultation = _consultation(consultation_id)
    point = _point(consultation, point_id)
    form = ReactionForm()
    form.owner.choices = [SelectChoice(u.id, u.name) for u in _staff_of(consultation)]
    if form.validate_on_submit():
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        try:
            responses.save_reaction(db.session, point=point, text=form.reaction.data, disposition=form.disposition.data,
                                    reason=form.reason.data, owner=owner, seen_version=form.version.data or None,
                                    actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The reaction has been saved as a draft; a colleague reviews it next."), "success")
            return redirect(url_for("analysis.point", consultation_id=consultation.id, point_id=point.id))
    consultation = _consultation(consultation_id)
    return _point_page(consultation, _point(consultation, point_id), 422, form=form)


def _transition(consultation_id: int, point_id: int, act, message: str):
    consultation = _consultation(consultation_id)
    point = _point(consultation, point_id)
    form = VersionForm()
    if form.validate_on_submit():
        try:
            act(db.session, point=point, seen_version=form.version.data, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("analysis.point", consultation_id=consultation.id, point_id=point.id))
    consultation = _consultation(consultation_id)
    return _point_page(consultation, _point(consultation, point_id), 422, error_form=form)


@bp.route(PREFIX + "/punten/<int:point_id>/beoordelen", methods=["POST"])
@roles(ANALYSTS)
def review_reaction(consultation_id: int, point_id: int):
    """Mark a reaction as reviewed (by someone other than its writer)."""
    return _transition(consultation_id, point_id, responses.review_reaction, _("The reaction has been reviewed."))


@bp.route(PREFIX + "/punten/<int:point_id>/definitief", methods=["POST"])
@roles(ANALYSTS)
def finalise_reaction(consultation_id: int, point_id: int):
    """Make a reviewed reaction final."""
    return _transition(consultation_id, point_id, responses.finalise_reaction, _("The reaction is final."))


# Summaries ------------------------------------------------------------------------------------


@bp.route(PREFIX + "/samenvatting")
@roles(STAFF_ROLES)
def summary(consultation_id: int):
    """Show the answers per question and audience, the theme × audience matrix and quotes."""
    # The consultation's region and title and the page's content are kept while the consultation
    # stays the same (summaries.kept), so a kept page asks the database for the tokens only.
    found = summaries.kept.computed(db.session, ("region and title", consultation_id), lambda: _region_and_title(consultation_id))
    if found is None or found[0] != region_id_of(g.membership):
        abort(404)
    content = summaries.kept.computed(db.session, ("summary page", consultation_id, str(get_locale())),
                                      lambda: _summary_page(_consultation(consultation_id)))
    return render_template("consultations/analysis/summary.html", title=found[1], content=content)


def _region_and_title(consultation_id: int) -> tuple[int, str] | None:
    """Return the consultation's region and title, or None when there is no such consultation."""
    row = db.session.execute(select(Consultation.region_id, Consultation.title).where(Consultation.id == consultation_id)).first()
    return tuple(row) if row else None


def _summary_page(consultation: Consultation) -> Markup:
    """Render the summary page's content: heading, the analysis menu and the sections."""
    return Markup(render_template("consultations/analysis/_summary_page.html", consultation=consultation,
                                  summary_sections=summary_html(consultation, h_level=2)))


def summary_html(consultation: Consultation, *, h_level: int) -> Markup:
    """Return the summary's sections, rendered with headings from this level (shared by the staff
    page and the public page); kept while what it is computed from stays the same."""
    return summaries.kept.computed(
        db.session, ("summary", consultation.id, h_level, str(get_locale())),
        lambda: Markup(render_template("consultations/analysis/_summary.html", h_level=h_level,
                                       **summary_context(consultation))),
    )


def summary_context(consultation: Consultation) -> dict:
    """Return what the summary shows."""
    from consultations.analysis.charts import distribution_chart

    distributions = summaries.distributions(db.session, consultation)
    return {"distributions": distributions, "chart": distribution_chart,
            "matrix": summaries.theme_matrix(db.session, consultation),
            "quotes": summaries.quotes(db.session, consultation)}


# The reactienota ------------------------------------------------------------------------------


@bp.route(PREFIX + "/reactienota")
@roles(STAFF_ROLES)
def memo_page(consultation_id: int):
    """Show the reactienota with its downloads and the button to make it final."""
    consultation = _consultation(consultation_id)
    report = memo.report_of(db.session, consultation)
    return render_template(
        "consultations/analysis/memo.html", **_context(consultation), groups=memo.memo(db.session, consultation),
        report=report, open_points=responses.open_points(db.session, consultation), form=ConfirmForm(formdata=None),
    )


def _download(consultation: Consultation, body: bytes | str, mimetype: str, extension: str) -> HttpResponse:
    filename = f"reactienota-{consultation.id}.{extension}"
    return HttpResponse(body, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _memo_parts(consultation: Consultation):
    report = memo.report_of(db.session, consultation)
    return memo.memo(db.session, consultation), report is not None and report.memo_final_at is not None


@bp.route(PREFIX + "/reactienota.html")
@roles(STAFF_ROLES)
def memo_html(consultation_id: int):
    """Download the reactienota as HTML."""
    consultation = _consultation(consultation_id)
    groups, final = _memo_parts(consultation)
    return _download(consultation, memo.render_html(consultation, groups, final=final), "text/html", "html")


@bp.route(PREFIX + "/reactienota.pdf")
@roles(STAFF_ROLES)
def memo_pdf(consultation_id: int):
    """Download the reactienota as PDF."""
    consultation = _consultation(consultation_id)
    groups, final = _memo_parts(consultation)
    return _download(consultation, memo.render_pdf(memo.render_html(consultation, groups, final=final)),
                     "application/pdf", "pdf")


@bp.route(PREFIX + "/reactienota.docx")
@roles(STAFF_ROLES)
def memo_docx(consultation_id: int):
    """Download the reactienota as an editable Word document."""
    consultation = _consultation(consultation_id)
    groups, final = _memo_parts(consultation)
    return _download(consultation, memo.render_docx(consultation, groups, final=final),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")


@bp.route(PREFIX + "/reactienota/definitief", methods=["POST"])
@roles(ANALYSTS)
def finalise_memo(consultation_id: int):
    """Make the reactienota final; refused while a point lacks a final reaction."""
    consultation = _consultation(consultation_id)
    if ConfirmForm().validate_on_submit():
        try:
            memo.finalise_memo(db.session, consultation=consultation, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The reactienota is final."), "success")
    return redirect(url_for("analysis.memo_page", consultation_id=consultation.id))


# The public page ------------------------------------------------------------------------------


def _outcome(consultation: Consultation, *, preview: bool, form=None, status: int = 200):
    report = memo.report_of(db.session, consultation)
    return render_template(
        "consultations/analysis/outcome.html", consultation=consultation, preview=preview, report=report,
        groups=memo.memo(db.session, consultation, masked=True), reactions=memo.public_reactions(db.session, consultation),
        form=form or PublishForm(formdata=None), confirm=ConfirmForm(formdata=None),
        can_analyse=can_analyse(g.membership), summary_sections=summary_html(consultation, h_level=2),
    ), status


@bp.route(PREFIX + "/openbaar")
@roles(STAFF_ROLES)
def preview(consultation_id: int):
    """Show the public page exactly as it will be published, to check it first."""
    return _outcome(_consultation(consultation_id), preview=True)


@bp.route(PREFIX + "/openbaar", methods=["POST"])
@roles(ANALYSTS)
def publish(consultation_id: int):
    """Publish the public page after the preview was checked."""
    consultation = _consultation(consultation_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            memo.publish(db.session, consultation=consultation, checked=form.checked.data, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The page is public."), "success")
            return redirect(url_for("analysis.preview", consultation_id=consultation.id))
    return _outcome(_consultation(consultation_id), preview=True, form=form, status=422)


@bp.route(PREFIX + "/openbaar/intrekken", methods=["POST"])
@roles(ANALYSTS)
def withdraw(consultation_id: int):
    """Take the public page offline."""
    consultation = _consultation(consultation_id)
    if ConfirmForm().validate_on_submit():
        try:
            memo.withdraw_publication(db.session, consultation=consultation, actor=current_user)
        except AnalysisError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The page is no longer public."), "success")
    return redirect(url_for("analysis.preview", consultation_id=consultation.id))


@bp.route("/consultaties/<int:consultation_id>/uitkomst")
@public
def outcome(consultation_id: int):
    """Show the published outcome of a consultation to everyone."""
    consultation = get_or_404(Consultation, consultation_id)
    report = memo.report_of(db.session, consultation)
    if report is None or report.published_at is None:
        abort(404)
    return _outcome(consultation, preview=False)


# Feedback to respondents ----------------------------------------------------------------------


@bp.route(PREFIX + "/terugkoppeling")
@roles(STAFF_ROLES)
def feedback_overview(consultation_id: int):
    """List the respondents with their points, and send everyone their feedback."""
    consultation = _consultation(consultation_id)
    rows = db.session.execute(
        select(Response, func.count(Point.id)).join(Answer, Answer.response_id == Response.id)
        .join(Point, Point.answer_id == Answer.id)
        .where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Response.id).order_by(Response.id)
    ).all()
    return render_template("consultations/analysis/feedback_overview.html", **_context(consultation), rows=rows,
                           form=ConfirmForm(formdata=None))


@bp.route(PREFIX + "/terugkoppeling/<int:response_id>")
@roles(STAFF_ROLES)
def feedback_page(consultation_id: int, response_id: int):
    """Show what a respondent sees: what happened with their points."""
    consultation = _consultation(consultation_id)
    response = _response(consultation, response_id)
    return render_template("consultations/analysis/feedback.html", consultation=consultation, response=response,
                           feedback_items=feedback.items(db.session, response), staff=True)


@bp.route(PREFIX + "/terugkoppeling/versturen", methods=["POST"])
@roles(ANALYSTS)
def send_feedback(consultation_id: int):
    """E-mail every respondent what happened with their points."""
    consultation = _consultation(consultation_id)
    if ConfirmForm().validate_on_submit():
        sent = feedback.send_feedback(db.session, consultation=consultation, actor=current_user)
        db.session.commit()
        flash(_("%(count)s e-mails are on their way.", count=sent), "success")
    return redirect(url_for("analysis.feedback_overview", consultation_id=consultation.id))


@bp.route("/consultaties/terugkoppeling/<token>")
@public
def invitee_feedback(token: str):
    """Show an invited person what happened with their points; the link identifies them."""
    response = feedback.response_for_token(db.session, token)
    if response is None:
        abort(404)
    return render_template("consultations/analysis/feedback.html", consultation=response.consultation,
                           response=response, feedback_items=feedback.items(db.session, response), staff=False)


@bp.route("/consultaties/<int:consultation_id>/mijn-terugkoppeling")
@roles(Role.BODY_MEMBER)
def my_feedback(consultation_id: int):
    """Show a council or board member what happened with their body's points."""
    consultation = get_or_404(Consultation, consultation_id)
    response = feedback.body_response(db.session, consultation, g.membership.organisation_id)
    if response is None:
        abort(404)
    return render_template("consultations/analysis/feedback.html", consultation=consultation, response=response,
                           feedback_items=feedback.items(db.session, response), staff=False)
