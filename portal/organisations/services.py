"""Rules for organisation profiles, members and the region's lists."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.audit.services import pending_changes, record
from portal.models import (
    ROLES_BY_KIND,
    Body,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    Provider,
    ProviderContact,
    ProviderLocation,
    Region,
    Role,
    User,
)


class OrganisationError(Exception):
    """A rule about organisations was broken; the message can be shown to the user."""


class EditConflict(OrganisationError):
    """Someone else changed the object after this person opened the form."""


PROFILE_FIELDS = ("name", "kvk_number", "agb_code", "legal_form", "email", "phone", "website")


def update_provider_profile(
    session: Session, *, provider: Provider, seen_version: int, actor: User, **values
) -> dict:
    """Change a provider's profile; refuse when someone else saved a change in the meantime."""
    if provider.version != seen_version:
        raise EditConflict(
            _("Someone else saved this profile while you were editing. "
              "Check their changes below; your input is kept.")
        )
    optional = ("agb_code", "email", "phone", "website")
    for field in PROFILE_FIELDS:
        if field in values:
            value = values[field]
            setattr(provider, field, (value or None) if field in optional else value)
    changes = pending_changes(provider)
    with session.no_autoflush:
        clash = session.scalar(
            select(Provider.id).where(Provider.kvk_number == provider.kvk_number, Provider.id != provider.id)
        )
    if clash is not None:
        raise OrganisationError(_("Another provider is already registered with this KvK number."))
    if changes:
        record(session, action="provider.updated", obj=provider, actor=actor, organisation=provider, changes=changes)
    session.flush()
    return changes


#: Entries of a provider's profile that are added and removed as a whole, by audit name.
ProfileEntry = ProviderLocation | ProviderContact
_ENTRY_NAMES = {ProviderLocation: "location", ProviderContact: "contact"}


def add_profile_entry(session: Session, *, provider: Provider, actor: User, kind: type[ProfileEntry], **values) -> ProfileEntry:
    """Add a location or contact person to the provider's profile."""
    entry = kind(provider=provider, **values)
    session.add(entry)
    session.flush()
    record(session, action=f"provider.{_ENTRY_NAMES[kind]}_added", obj=entry,
           object_label=f"{provider.name}: {entry.name}", actor=actor, organisation=provider,
           changes={key: [None, value] for key, value in values.items()})
    return entry


def remove_profile_entry(session: Session, *, entry: ProfileEntry, actor: User) -> None:
    """Remove a location or contact person from the provider's profile."""
    record(session, action=f"provider.{_ENTRY_NAMES[type(entry)]}_removed", obj=entry,
           object_label=f"{entry.provider.name}: {entry.name}", actor=actor, organisation=entry.provider)
    session.delete(entry)
    session.flush()


# Members -----------------------------------------------------------------------------------


def members_of(session: Session, organisation: Organisation) -> list[Membership]:
    """Return the organisation's memberships with their users, by name."""
    return list(
        session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.organisation_id == organisation.id)
            .options(selectinload(Membership.user))
            .order_by(func.lower(User.name))
        )
    )


def open_invitations(session: Session, organisation: Organisation) -> list[Invitation]:
    """Return the invitations to the organisation that are neither accepted nor withdrawn."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def _admin_count(session: Session, organisation: Organisation) -> int:
    admin_roles = [role for role in ROLES_BY_KIND[organisation.kind] if role.is_admin]
    if not admin_roles:
        return 0
    return session.scalar(
        select(func.count(Membership.id)).where(
            Membership.organisation_id == organisation.id, Membership.role.in_(admin_roles)
        )
    )


def change_role(session: Session, *, membership: Membership, role: Role, actor: User, acting_for: Organisation) -> None:
    """Give a member another role; an organisation always keeps one administrator."""
    if role not in ROLES_BY_KIND[membership.organisation.kind]:
        raise OrganisationError(_("This role does not exist for this kind of organisation."))
    if membership.role.is_admin and not role.is_admin and _admin_count(session, membership.organisation) <= 1:
        raise OrganisationError(_("An organisation needs at least one administrator."))
    old = membership.role
    membership.role = role
    if old != role:
        record(session, action="membership.role_changed", obj=membership,
               object_label=f"{membership.user.email} — {membership.organisation.name}",
               changes={"role": [old.value, role.value]}, actor=actor, organisation=acting_for)
    session.flush()


def remove_member(session: Session, *, membership: Membership, actor: User, acting_for: Organisation, reason: str | None) -> None:
    """End a membership; an organisation always keeps one administrator."""
    if membership.role.is_admin and _admin_count(session, membership.organisation) <= 1:
        raise OrganisationError(_("An organisation needs at least one administrator."))
    record(session, action="membership.removed", obj=membership,
           object_label=f"{membership.user.email} — {membership.organisation.name}",
           changes={"role": [membership.role.value, None]}, actor=actor, organisation=acting_for, reason=reason)
    session.delete(membership)
    session.flush()


# The region's lists ------------------------------------------------------------------------


def municipalities_of(session: Session, region_id: int) -> list[Municipality]:
    """Return the region's municipalities by name."""
    return list(session.scalars(select(Municipality).where(Municipality.region_id == region_id).order_by(Municipality.name)))


def bodies_of(session: Session, region_id: int) -> list[Body]:
    """Return the region's bodies, regional first, then per municipality."""
    municipality_ids = select(Municipality.id).where(Municipality.region_id == region_id)
    return list(
        session.scalars(
            select(Body)
            .where(or_(Body.region_id == region_id, Body.municipality_id.in_(municipality_ids)))
            .options(selectinload(Body.municipality))
            .order_by(Body.municipality_id.is_not(None), Body.name)
        )
    )


def search_providers(session: Session, *, query: str | None, page: int, per_page: int = 25) -> tuple[list[Provider], int]:
    """Return one page of providers matching the query by name, KvK or AGB, and the total."""
    statement = select(Provider)
    if query:
        needle = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(func.lower(Provider.name).like(needle), Provider.kvk_number.like(needle), Provider.agb_code.like(needle))
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    providers = session.scalars(
        statement.options(selectinload(Provider.locations)).order_by(Provider.name).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(providers), total


def profile_gaps(provider: Provider) -> list[str]:
    """List what is missing from a provider's profile, in words for the provider."""
    gaps = []
    if not provider.agb_code:
        gaps.append(_("No AGB code yet: regions need it to pay for care."))
    if not provider.locations:
        gaps.append(_("No locations yet: add where you deliver care."))
    if not provider.contacts:
        gaps.append(_("No contact person yet: add who the region can call."))
    if not provider.email:
        gaps.append(_("No general e-mail address yet."))
    return gaps


def region_overview(session: Session, region: Region) -> dict[str, int]:
    """Count the region's municipalities, bodies, members and the providers known to the portal."""
    municipality_ids = select(Municipality.id).where(Municipality.region_id == region.id)
    return {
        "municipalities": session.scalar(select(func.count()).select_from(municipality_ids.subquery())),
        "bodies": session.scalar(
            select(func.count(Body.id)).where(or_(Body.region_id == region.id, Body.municipality_id.in_(municipality_ids)))
        ),
        "providers": session.scalar(select(func.count(Provider.id))),
        "members": session.scalar(select(func.count(Membership.id)).where(Membership.organisation_id == region.id)),
    }
