"""The audit log for region administrators and auditors, and the demo mail outbox."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from sqlalchemy import func, select

from forms.admin import AuditFilterForm
from portal.access import roles
from portal.audit.queries import AuditFilter, csv_rows, page_of_events
from portal.auth.sessions import settings
from portal.extensions import db
from portal.models import OutboxMessage, Role
from portal.organisations.policies import region_id_of
from portal.pages import get_or_404

bp = Blueprint("admin", __name__, url_prefix="/beheer")

PER_PAGE = 50


def _audit_filter(form: AuditFilterForm) -> AuditFilter:
    region_id = region_id_of(g.membership)
    if region_id is None:
        abort(404)
    valid = form.validate()
    return AuditFilter(
        region_id=region_id,
        action=form.action.data if valid else None,
        actor=form.actor.data if valid else None,
        object_type=form.object_type.data if valid else None,
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
    )


@bp.route("/logboek")
@roles(Role.REGION_ADMIN, Role.AUDITOR)
def audit_log():
    """Show the region's audit log with filters."""
    form = AuditFilterForm(request.args)
    criteria = _audit_filter(form)
    page = max(form.page.data or 1, 1) if not form.page.errors else 1
    events, total = page_of_events(db.session, criteria, page=page, per_page=PER_PAGE)
    status = 422 if form.errors else 200
    return render_template(
        "admin/audit_log.html", form=form, events=events, total=total, page=page, per_page=PER_PAGE
    ), status


@bp.route("/logboek.csv")
@roles(Role.REGION_ADMIN, Role.AUDITOR)
def audit_log_csv():
    """Download the filtered audit log as CSV."""
    criteria = _audit_filter(AuditFilterForm(request.args))
    filename = f"logboek-{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(csv_rows(db.session, criteria)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _outbox_enabled() -> None:
    # The outbox only exists where mail is not really sent: the demo and tests.
    if settings().mail_transport != "outbox":
        abort(404)


@bp.route("/uitgaande-mail")
@roles(Role.REGION_ADMIN)
def outbox():
    """List the e-mail the demo would have sent."""
    _outbox_enabled()
    page = max(request.args.get("page", 1, type=int), 1)
    total = db.session.scalar(select(func.count(OutboxMessage.id)))
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return render_template("admin/outbox.html", messages=messages, total=total, page=page, per_page=PER_PAGE)


@bp.route("/uitgaande-mail/<int:message_id>")
@roles(Role.REGION_ADMIN)
def outbox_message(message_id: int):
    """Show one e-mail from the demo outbox."""
    _outbox_enabled()
    message = get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_message.html", message=message)
