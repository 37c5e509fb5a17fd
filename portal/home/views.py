"""The start page per role, and the health check."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user
from sqlalchemy import text

from forms.auth import SwitchOrganisationForm
from portal.access import public
from portal.extensions import db
from portal.audit.queries import recent_events
from portal.evidence import vault
from portal.models import PROVIDER_ROLES, STAFF_ROLES, Region
from portal.navigation import may_visit
from portal.organisations import services as organisations
from portal.organisations.policies import region_id_of
from portal.screening import services as screening

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    """Show the welcome page, or the signed-in user's work."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    membership = g.membership
    switch_form = SwitchOrganisationForm(formdata=None, membership=membership.id if membership else None)
    switch_form.set_memberships(current_user.memberships)
    context = {"switch_form": switch_form}
    if membership is None:
        return render_template("home/no_membership.html", **context)
    role = membership.role
    if role in STAFF_ROLES:
        region = db.session.get(Region, region_id_of(membership))
        context.update(
            region=region,
            counts=organisations.region_overview(db.session, region),
            recent_events=recent_events(db.session, region_id=region.id)
            if may_visit("admin.audit_log")
            else [],
        )
        return render_template("home/staff.html", **context)
    if role in PROVIDER_ROLES:
        provider = membership.organisation
        context.update(
            provider=provider,
            profile_gaps=organisations.profile_gaps(provider),
            inbox=screening.inbox(db.session, provider),
            evidence_counts=vault.summary(db.session, provider, on=vault.today())
            if may_visit("evidence.index")
            else None,
        )
        return render_template("home/provider.html", **context)
    body = membership.organisation
    context.update(body=body, members=organisations.members_of(db.session, body))
    return render_template("home/body.html", **context)


@bp.route("/gezondheid")
@public
def health():
    """Tell load balancers whether the application and its database answer."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
