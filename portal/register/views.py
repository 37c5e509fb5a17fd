"""The admission register: staff read and change it, providers see their own admissions, and
everyone reads the public register per municipality."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from forms.register import STATUS_LABELS, PublicSearchForm, RegisterFilterForm, StatusChangeForm
from portal.access import public, roles
from portal.audit.queries import _safe_cell
from portal.evidence import vault
from portal.evidence.vault import type_name
from portal.extensions import db
from portal.models import PROVIDER_ROLES, STAFF_ROLES, Region
from portal.models.register import Admission, AdmissionStatus
from portal.organisations.policies import region_id_of
from portal.register import policies, queries, services
from portal.register.policies import REGISTER_KEEPERS

bp = Blueprint("register", __name__)

PER_PAGE = 50


@bp.app_template_global("admission_status_label")
def admission_status_label(status: AdmissionStatus | None) -> str:
    """Say an admission's status in words."""
    return str(STATUS_LABELS[AdmissionStatus(status)]) if status else "–"


def _staff_region_id() -> int:
    region_id = region_id_of(g.membership)
    if region_id is None:
        abort(404)
    return region_id


def _staff_admission(admission_id: int) -> Admission:
    """Load an admission of the member's own region, or 404."""
    admission = queries.load_admission(db.session, admission_id)
    if admission is None or not policies.in_region(g.membership, admission):
        abort(404)
    return admission


# Staff ------------------------------------------------------------------------------------------


@bp.route("/toelatingsregister")
@roles(STAFF_ROLES)
def index():
    """List the region's admissions, filtered by municipality, product group, status and provider."""
    region_id = _staff_region_id()
    form = RegisterFilterForm(request.args)
    municipalities, groups = queries.filter_choices(db.session, region_id)
    form.set_choices(municipalities, groups)
    valid = form.validate()
    criteria = queries.RegisterFilter(
        region_id=region_id,
        municipality_id=form.municipality.data or None if valid else None,
        product_group_id=form.product_group.data or None if valid else None,
        status=AdmissionStatus(form.status.data) if valid and form.status.data else None,
        provider=form.provider.data or None if valid else None,
    )
    page = max(form.page.data or 1, 1) if valid else 1
    admissions, total = queries.page_of_register(db.session, criteria, page=page, per_page=PER_PAGE)
    status = 200 if valid else 422
    return render_template("register/index.html", form=form, admissions=admissions, total=total,
                           page=page, per_page=PER_PAGE), status


@bp.route("/toelatingsregister/<int:admission_id>")
@roles(STAFF_ROLES)
def show(admission_id: int):
    """Show an admission with its history and, for those who may, the form to change its status."""
    admission = _staff_admission(admission_id)
    return _show(admission)


def _show(admission: Admission, form: StatusChangeForm | None = None, status: int = 200):
    actions = policies.possible_actions(admission)
    if form is None:
        form = StatusChangeForm(formdata=None, version=admission.version)
    form.limit_to(actions)
    return render_template(
        "register/show.html", admission=admission, form=form,
        can_change=policies.can_change(g.membership, admission) and bool(actions),
    ), status


@bp.route("/toelatingsregister/<int:admission_id>/status", methods=["POST"])
@roles(REGISTER_KEEPERS)
def change(admission_id: int):
    """Suspend, reinstate or end an admission with a reason."""
    admission = _staff_admission(admission_id)
    form = StatusChangeForm()
    form.limit_to(policies.possible_actions(admission))
    seen = int(form.version.data) if (form.version.data or "").isdigit() else None
    if seen is not None and seen != admission.version:
        # Say first that a colleague got there first, even when the chosen change no longer fits.
        form.validate_on_submit()
        form.form_errors.append(_("A colleague changed this admission while you were looking at it. Check its status below and try again if still needed."))
        form.version.data = admission.version
        return _show(admission, form, 409)
    if form.validate_on_submit():
        try:
            services.change_status(db.session, admission=admission, to=services.ACTIONS[form.action.data],
                                   reason=form.reason.data, seen_version=seen, actor=current_user)
        except services.RegisterError as error:
            form.form_errors.append(str(error))
            form.version.data = admission.version
            return _show(admission, form, 409 if isinstance(error, services.EditConflict) else 422)
        flash(_("The admission is now: %(status)s.", status=admission_status_label(admission.status)), "success")
        return redirect(url_for("register.show", admission_id=admission.id))
    return _show(admission, form, 422)


def _expiring():
    region_id = _staff_region_id()
    today = vault.today()
    items = queries.expiring_evidence(db.session, region_id, today=today, lead_days=vault.DEFAULT_LEAD_DAYS)
    return items, today


@bp.route("/toelatingsregister/verlopend-bewijs")
@roles(STAFF_ROLES)
def expiring():
    """List admitted providers whose required evidence has expired or expires within the lead time."""
    items, today = _expiring()
    return render_template("register/expiring.html", documents=items, today=today,
                           lead_days=vault.DEFAULT_LEAD_DAYS)


@bp.route("/toelatingsregister/verlopend-bewijs.csv")
@roles(STAFF_ROLES)
def expiring_csv():
    """Download the expiring-evidence list as CSV."""
    items, today = _expiring()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["provider", "kvk_number", "document_type", "valid_until", "days_left", "expired"])
    for item in items:
        writer.writerow([_safe_cell(item.provider.name), item.provider.kvk_number,
                         _safe_cell(type_name(item.evidence_type)), item.valid_until.isoformat(),
                         item.days_left, "yes" if item.expired else "no"])
    return Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="verlopend-bewijs-{today.isoformat()}.csv"'})


# Provider -----------------------------------------------------------------------------------------


@bp.route("/mijn-toelatingen")
@roles(PROVIDER_ROLES)
def mine():
    """Show the provider's own admissions."""
    admissions = queries.admissions_of_provider(db.session, g.membership.organisation_id)
    return render_template("register/mine.html", admissions=admissions)


# Public -------------------------------------------------------------------------------------------


@bp.route("/register")
@public
def public_regions():
    """List the regions, each linking to the public register of its municipalities."""
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    return render_template("register/public_regions.html", regions=regions)


@bp.route("/register/<region_code>")
@public
def public_region(region_code: str):
    """Show a region's municipalities, each with how many providers are contracted there."""
    region = db.session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        abort(404)
    return render_template("register/public_region.html", region=region,
                           municipalities=queries.region_overview(db.session, region))


@bp.route("/register/<region_code>/<cbs_code>")
@public
def public_municipality(region_code: str, cbs_code: str):
    """Show the providers contracted in a municipality and their types of care, with a search."""
    municipality = queries.LISTS.computed(db.session, ("municipality", region_code, cbs_code),
                                          lambda: queries.public_municipality(db.session, region_code, cbs_code))
    if municipality is None:
        abort(404)
    # The page's content is kept per search and language (queries.LISTS): a visitor's page asks
    # the database for the tokens only.
    content, status = queries.LISTS.computed(
        db.session, ("page", municipality.id, tuple(sorted(request.args.items(multi=True))), str(get_locale())),
        lambda: _public_municipality_content(municipality),
    )
    return render_template("register/public_municipality.html", municipality=municipality, content=content,
                           has_errors=status == 422), status


def _public_municipality_content(municipality: queries.PublicMunicipality) -> tuple[Markup, int]:
    """Render the search and the providers it finds; with 422 when the search is wrong."""
    form = PublicSearchForm(request.args)
    products = queries.LISTS.computed(db.session, ("products", municipality.id),
                                      lambda: queries.public_products(db.session, municipality))
    form.set_choices(products)
    valid = form.validate()
    search, product = ((form.q.data or ""), (form.product.data or "")) if valid else ("", "")
    providers = queries.public_register(db.session, municipality, search=search, product=product)
    searched = valid and bool(form.q.data or form.product.data)
    content = render_template("register/_public_municipality.html", municipality=municipality, form=form,
                              providers=providers, searched=searched)
    return Markup(content), (200 if valid else 422)
