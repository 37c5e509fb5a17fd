"""The own organisation's profile and members, and the region's lists of municipalities,
bodies and providers."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.auth import ConfirmForm
from forms.organisations import (
    ChangeRoleForm,
    ContactForm,
    InviteForm,
    LocationForm,
    ProviderProfileForm,
    ProviderSearchForm,
    RemoveMemberForm,
    role_choices,
)
from portal.access import roles, signed_in
from portal.auth import services as accounts
from portal.auth.sessions import settings
from portal.extensions import db
from portal.labels import ROLE_LABELS
from portal.mail import queue_email
from portal.models import (
    ROLES_BY_KIND,
    STAFF_ROLES,
    Body,
    Invitation,
    LegalForm,
    Membership,
    Organisation,
    Provider,
    ProviderContact,
    ProviderLocation,
    Role,
)
from portal.organisations import policies, services
from portal.pages import get_or_404, render_form

bp = Blueprint("organisations", __name__)

ADMINS = (Role.PROVIDER_ADMIN, Role.REGION_ADMIN)


def _acting_organisation() -> Organisation:
    if g.membership is None:
        abort(404)
    return g.membership.organisation


def _manageable(organisation_id: int | None) -> Organisation:
    """Return the organisation whose members the current admin may manage, or 404."""
    organisation = _acting_organisation() if organisation_id is None else get_or_404(Organisation, organisation_id)
    if not policies.can_manage_members(g.membership, organisation):
        abort(404)
    return organisation


# The own organisation ---------------------------------------------------------------------


@bp.route("/organisatie")
@signed_in
def profile():
    """Show the organisation the user acts for."""
    organisation = _acting_organisation()
    return render_template(
        "organisations/profile.html",
        organisation=organisation,
        can_edit=policies.can_edit_profile(g.membership, organisation),
        location_form=LocationForm(formdata=None),
        contact_form=ContactForm(formdata=None),
    )


@bp.route("/organisatie/bewerken", methods=["GET", "POST"])
@roles(Role.PROVIDER_ADMIN)
def edit_profile():
    """Change the provider's registered details."""
    provider = _acting_organisation()
    form = ProviderProfileForm(obj=provider)
    if request.method == "GET":
        form.legal_form.data = provider.legal_form.value
        form.version.data = provider.version
    if form.validate_on_submit():
        try:
            services.update_provider_profile(
                db.session,
                provider=provider,
                seen_version=int(form.version.data or 0),
                actor=current_user,
                name=form.name.data,
                kvk_number=form.kvk_number.data,
                agb_code=form.agb_code.data,
                legal_form=LegalForm(form.legal_form.data),
                email=form.email.data,
                phone=form.phone.data,
                website=form.website.data,
            )
        except services.EditConflict as conflict:
            db.session.rollback()
            provider = db.session.get(Provider, provider.id)
            form.version.data = provider.version
            form.form_errors.append(str(conflict))
            return render_form("organisations/edit_profile.html", form, provider=provider, conflict=True)
        except services.OrganisationError as error:
            form.kvk_number.errors.append(str(error))
        else:
            flash(_("The profile has been saved."), "success")
            return redirect(url_for("organisations.profile"))
    return render_form("organisations/edit_profile.html", form, provider=provider, conflict=False)


def _profile_with_errors(provider: Provider, location_form: LocationForm, contact_form: ContactForm):
    return render_template(
        "organisations/profile.html", organisation=provider, can_edit=True,
        location_form=location_form, contact_form=contact_form,
    ), 422


def _remove_entry(kind, entry_id: int, anchor: str, message: str):
    provider = _acting_organisation()
    entry = get_or_404(kind, entry_id)
    if entry.provider_id != provider.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_profile_entry(db.session, entry=entry, actor=current_user)
        flash(message, "success")
    return redirect(url_for("organisations.profile") + anchor)


@bp.route("/organisatie/locaties", methods=["POST"])
@roles(Role.PROVIDER_ADMIN)
def add_location():
    """Add a location to the provider's profile."""
    provider = _acting_organisation()
    form = LocationForm()
    if not form.validate_on_submit():
        return _profile_with_errors(provider, form, ContactForm(formdata=None))
    services.add_profile_entry(
        db.session, provider=provider, actor=current_user, kind=ProviderLocation,
        name=form.name.data, address=form.address.data, postcode=form.postcode.data, city=form.city.data,
    )
    flash(_("The location has been added."), "success")
    return redirect(url_for("organisations.profile") + "#locaties")


@bp.route("/organisatie/locaties/<int:location_id>/verwijderen", methods=["POST"])
@roles(Role.PROVIDER_ADMIN)
def remove_location(location_id: int):
    """Remove a location from the provider's profile."""
    return _remove_entry(ProviderLocation, location_id, "#locaties", _("The location has been removed."))


@bp.route("/organisatie/contactpersonen", methods=["POST"])
@roles(Role.PROVIDER_ADMIN)
def add_contact():
    """Add a contact person to the provider's profile."""
    provider = _acting_organisation()
    form = ContactForm()
    if not form.validate_on_submit():
        return _profile_with_errors(provider, LocationForm(formdata=None), form)
    services.add_profile_entry(
        db.session, provider=provider, actor=current_user, kind=ProviderContact,
        name=form.name.data, subject=form.subject.data, email=form.email.data, phone=form.phone.data or None,
    )
    flash(_("The contact person has been added."), "success")
    return redirect(url_for("organisations.profile") + "#contactpersonen")


@bp.route("/organisatie/contactpersonen/<int:contact_id>/verwijderen", methods=["POST"])
@roles(Role.PROVIDER_ADMIN)
def remove_contact(contact_id: int):
    """Remove a contact person from the provider's profile."""
    return _remove_entry(ProviderContact, contact_id, "#contactpersonen", _("The contact person has been removed."))


# Members ----------------------------------------------------------------------------------


def _members_page(organisation: Organisation, invite_form: InviteForm | None = None, status: int = 200):
    invite_form = invite_form or InviteForm(formdata=None)
    invite_form.set_roles(ROLES_BY_KIND[organisation.kind])
    return (
        render_template(
            "organisations/members.html",
            organisation=organisation,
            members=services.members_of(db.session, organisation),
            invitations=services.open_invitations(db.session, organisation),
            invite_form=invite_form,
            role_choices=role_choices(ROLES_BY_KIND[organisation.kind]),
            change_form=ChangeRoleForm(formdata=None),
            remove_form=RemoveMemberForm(formdata=None),
        ),
        status,
    )


@bp.route("/organisatie/leden")
@bp.route("/organisaties/<int:organisation_id>/leden")
@roles(ADMINS)
def members(organisation_id: int | None = None):
    """List the members and open invitations of an organisation the admin manages."""
    return _members_page(_manageable(organisation_id))


@bp.route("/organisaties/<int:organisation_id>/uitnodigen", methods=["POST"])
@roles(ADMINS)
def invite(organisation_id: int):
    """Invite someone by e-mail to join an organisation."""
    organisation = _manageable(organisation_id)
    form = InviteForm()
    form.set_roles(ROLES_BY_KIND[organisation.kind])
    if form.validate_on_submit():
        try:
            invitation, token = accounts.invite(
                db.session,
                email=form.email.data,
                name=form.name.data,
                organisation=organisation,
                role=Role(form.role.data),
                invited_by=current_user,
                valid_for=timedelta(days=settings().invitation_days),
                acting_for=g.membership.organisation,
            )
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            queue_email(
                db.session,
                to=invitation.email,
                subject=_("Invitation to join %(org)s", org=organisation.name),
                template="email/invitation.txt",
                invitation=invitation,
                role_label=ROLE_LABELS[invitation.role],
                link=settings().base_url + url_for("auth.accept_invitation", token=token),
                days=settings().invitation_days,
            )
            flash(_("An invitation has been sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("organisations.members", organisation_id=organisation.id))
    return _members_page(organisation, form, status=422)


@bp.route("/uitnodigingen/<int:invitation_id>/intrekken", methods=["POST"])
@roles(ADMINS)
def revoke_invitation(invitation_id: int):
    """Withdraw an invitation that was not accepted yet."""
    invitation = get_or_404(Invitation, invitation_id)
    organisation = _manageable(invitation.organisation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts.revoke_invitation(db.session, invitation=invitation, actor=current_user, acting_for=g.membership.organisation)
        except accounts.AccountError as error:
            flash(str(error), "error")
        else:
            flash(_("The invitation has been withdrawn."), "success")
    return redirect(url_for("organisations.members", organisation_id=organisation.id))


def _managed_membership(membership_id: int) -> Membership:
    membership = get_or_404(Membership, membership_id)
    _manageable(membership.organisation_id)
    return membership


@bp.route("/lidmaatschappen/<int:membership_id>/rol", methods=["POST"])
@roles(ADMINS)
def change_role(membership_id: int):
    """Give a member another role."""
    membership = _managed_membership(membership_id)
    form = ChangeRoleForm()
    form.set_roles(ROLES_BY_KIND[membership.organisation.kind])
    if form.validate_on_submit():
        try:
            services.change_role(
                db.session, membership=membership, role=Role(form.role.data), actor=current_user,
                acting_for=g.membership.organisation,
            )
        except services.OrganisationError as error:
            flash(str(error), "error")
        else:
            flash(_("The role of %(name)s has been changed.", name=membership.user.name), "success")
    else:
        flash(_("Choose a role."), "error")
    return redirect(url_for("organisations.members", organisation_id=membership.organisation_id))


@bp.route("/lidmaatschappen/<int:membership_id>/verwijderen", methods=["GET", "POST"])
@roles(ADMINS)
def remove_member(membership_id: int):
    """Ask for confirmation and a reason, then end someone's membership of the organisation."""
    membership = _managed_membership(membership_id)
    organisation_id = membership.organisation_id
    form = RemoveMemberForm()
    if form.validate_on_submit():
        name = membership.user.name
        try:
            services.remove_member(
                db.session, membership=membership, actor=current_user,
                acting_for=g.membership.organisation, reason=form.reason.data,
            )
        except services.OrganisationError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("%(name)s is no longer a member.", name=name), "success")
            return redirect(url_for("organisations.members", organisation_id=organisation_id))
    return render_form("organisations/remove_member.html", form, membership=membership)


# The region's lists -----------------------------------------------------------------------


def _region_id() -> int:
    region_id = policies.region_id_of(g.membership)
    if region_id is None:
        abort(404)
    return region_id


@bp.route("/regio/gemeenten")
@roles(STAFF_ROLES)
def municipalities():
    """List the region's municipalities and their bodies."""
    region_id = _region_id()
    return render_template(
        "organisations/municipalities.html",
        municipalities=services.municipalities_of(db.session, region_id),
        bodies=services.bodies_of(db.session, region_id),
        can_manage=lambda organisation: policies.can_manage_members(g.membership, organisation),
    )


@bp.route("/organen/<int:body_id>")
@roles(STAFF_ROLES | {Role.BODY_MEMBER})
def body(body_id: int):
    """Show a council, advisory board or panel with its members."""
    body = get_or_404(Body, body_id)
    if not policies.can_see_body(g.membership, body):
        abort(404)
    return render_template(
        "organisations/body.html",
        body=body,
        members=services.members_of(db.session, body),
        can_manage=policies.can_manage_members(g.membership, body),
    )


@bp.route("/regio/aanbieders")
@roles(STAFF_ROLES)
def providers():
    """Search the providers registered in the portal."""
    form = ProviderSearchForm(request.args)
    page = max(form.page.data or 1, 1) if form.validate() else 1
    found, total = services.search_providers(db.session, query=form.q.data, page=page)
    return render_template(
        "organisations/providers.html", form=form, providers=found, total=total, page=page, per_page=25
    )


@bp.route("/regio/aanbieders/<int:provider_id>")
@roles(STAFF_ROLES)
def provider(provider_id: int):
    """Show a provider's registered details to region staff."""
    provider = get_or_404(Provider, provider_id)
    return render_template("organisations/provider.html", provider=provider)
