"""The reactienota: every point with its reaction and disposition, grouped by audience and theme,
as HTML, PDF and DOCX; final only when every point has a final reaction. Also the public page."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consultations.analysis.labels import audience_label, disposition_label
from consultations.analysis.masking import mask
from consultations.analysis.models import ConsultationReport, PointReaction, ReactionStatus
from consultations.analysis.responses import open_points
from consultations.analysis.services import AnalysisError, _audit, point_ref
from consultations.analysis.summaries import hidden_names, sender
from consultations.models import Answer, Audience, Consultation, Point, Response, ResponseStatus
from portal.clock import now
from portal.models import User


@dataclass(frozen=True)
class MemoRow:
    """One point in the reactienota."""

    ref: str
    sender: str
    point: str
    reaction: str
    disposition: str
    reason: str
    final: bool


@dataclass
class MemoTheme:
    """The points of one theme within an audience."""

    label: str
    rows: list[MemoRow] = field(default_factory=list)


@dataclass
class MemoAudience:
    """The themes of one audience."""

    audience: Audience
    label: str
    themes: list[MemoTheme] = field(default_factory=list)


def report_of(session: Session, consultation: Consultation, *, create: bool = False) -> ConsultationReport | None:
    """Return the consultation's report, creating it when asked."""
    report = session.get(ConsultationReport, consultation.id)
    if report is None and create:
        report = ConsultationReport(consultation_id=consultation.id)
        session.add(report)
        session.flush()
    return report


def memo(session: Session, consultation: Consultation, *, masked: bool = False) -> list[MemoAudience]:
    """Return the reactienota's content: audience → theme → points (personal data masked when asked)."""
    rows = session.execute(
        select(Point, Response, PointReaction)
        .join(Answer, Answer.id == Point.answer_id).join(Response, Response.id == Answer.response_id)
        .outerjoin(PointReaction, PointReaction.point_id == Point.id)
        .where(Point.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
        .options(selectinload(Point.theme))
        .order_by(Response.id, Answer.id, Point.position)
    ).all()
    names = hidden_names({response for _, response, _ in rows}) if masked else []
    clean = (lambda text: mask(text, names)) if masked else (lambda text: text)
    groups: dict[Audience, dict[str, MemoTheme]] = {}
    for point, response, reaction in rows:
        audience = Audience(response.audience)
        label = point.theme.label if point.theme else _("Without theme")
        theme = groups.setdefault(audience, {}).setdefault(label, MemoTheme(label))
        theme.rows.append(MemoRow(
            ref=point_ref(point), sender=sender(consultation, response) if masked else response.respondent,
            point=clean(point.text), reaction=clean(point.reaction or ""),
            disposition=disposition_label(point.disposition), reason=clean(reaction.reason or "") if reaction else "",
            final=reaction is not None and reaction.status is ReactionStatus.FINAL,
        ))
    return [MemoAudience(a, audience_label(a), sorted(groups[a].values(), key=lambda t: t.label))
            for a in Audience if a in groups]


def finalise_memo(session: Session, *, consultation: Consultation, actor: User) -> ConsultationReport:
    """Make the reactienota final; refused while any point lacks a final reaction."""
    missing = open_points(session, consultation)
    if missing:
        raise AnalysisError(_("The reactienota cannot be made final: %(count)s point(s) have no final reaction yet.",
                              count=missing))
    if not session.scalar(select(Point.id).where(Point.consultation_id == consultation.id).limit(1)):
        raise AnalysisError(_("The reactienota cannot be made final: there are no points yet."))
    report = report_of(session, consultation, create=True)
    if report.memo_final_at is not None:
        raise AnalysisError(_("The reactienota is already final."))
    report.memo_final_at = now()
    report.memo_final_by_id = actor.id
    session.flush()
    _audit(session, "consultation.memo_final", report, actor, consultation)
    return report


def render_html(consultation: Consultation, groups: list[MemoAudience], *, final: bool, standalone: bool = True) -> str:
    """Return the reactienota as a complete HTML document (for download and for the PDF)."""
    return render_template("consultations/analysis/memo_document.html", consultation=consultation,
                           groups=groups, final=final)


def render_pdf(html: str) -> bytes:
    """Return the reactienota as PDF (WeasyPrint, no network: only inline styles)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def render_docx(consultation: Consultation, groups: list[MemoAudience], *, final: bool) -> bytes:
    """Return the reactienota as an editable Word document."""
    from docx import Document

    document = Document()
    document.core_properties.title = _("Reactienota: %(title)s", title=consultation.title)
    document.add_heading(_("Reactienota: %(title)s", title=consultation.title), level=0)
    if not final:
        document.add_paragraph(_("Draft: not every reaction is final yet."))
    headers = [_("Sender"), _("Point"), _("Reaction"), _("Disposition")]
    for audience in groups:
        document.add_heading(audience.label, level=1)
        for theme in audience.themes:
            document.add_heading(theme.label, level=2)
            table = document.add_table(rows=1, cols=len(headers))
            table.style = "Table Grid"
            for cell, header in zip(table.rows[0].cells, headers, strict=True):
                cell.text = header
            for row in theme.rows:
                cells = table.add_row().cells
                disposition = row.disposition + (f" — {row.reason}" if row.reason else "")
                for cell, value in zip(cells, [row.sender, row.point, row.reaction, disposition], strict=True):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# The public page ------------------------------------------------------------------------------

def public_reactions(session: Session, consultation: Consultation) -> list[tuple[str, Response, list[Answer]]]:
    """Return the reactions that may be published (the consultation said so), masked, with their sender."""
    if not consultation.publish_reactions:
        return []
    responses = list(session.scalars(
        select(Response).where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED,
                               ~Response.ref.startswith("m-"))
        .options(selectinload(Response.answers).selectinload(Answer.question)).order_by(Response.id)
    ))
    names = hidden_names(responses)
    result = []
    for response in responses:
        texts = [(answer.question, answer.choice, mask(answer.text or "", names)) for answer in response.answers]
        result.append((sender(consultation, response), response, texts))
    return result


def publish(session: Session, *, consultation: Consultation, checked: bool, actor: User) -> ConsultationReport:
    """Put the public page online after staff checked the preview; the reactienota must be final."""
    report = report_of(session, consultation, create=True)
    if report.memo_final_at is None:
        raise AnalysisError(_("Make the reactienota final before publishing."))
    if not checked:
        raise AnalysisError(_("Confirm that you checked the preview, including the masked personal data."))
    if report.published_at is not None:
        raise AnalysisError(_("The page is already public."))
    report.previewed_at = report.published_at = now()
    report.previewed_by_id = report.published_by_id = actor.id
    session.flush()
    _audit(session, "consultation.outcome_published", report, actor, consultation)
    return report


def withdraw_publication(session: Session, *, consultation: Consultation, actor: User) -> None:
    """Take the public page offline again."""
    report = report_of(session, consultation)
    if report is None or report.published_at is None:
        raise AnalysisError(_("The page is not public."))
    report.published_at = None
    report.published_by_id = None
    session.flush()
    _audit(session, "consultation.outcome_withdrawn", report, actor, consultation)
