"""Who may see and change which organisation; templates use these to hide buttons."""

from __future__ import annotations

from portal.models import Body, Membership, Organisation, Provider, Role


def region_id_of(membership: Membership | None) -> int | None:
    """Return the region a membership acts in, or None for providers and anonymous users."""
    return membership.organisation.owning_region_id if membership is not None else None


def can_manage_members(membership: Membership | None, organisation: Organisation) -> bool:
    """Tell whether the member may invite and remove members of the organisation."""
    if membership is None or not membership.role.is_admin:
        return False
    if membership.organisation_id == organisation.id:
        return True
    # A region administrator also manages the members of the region's municipalities and bodies.
    return (
        membership.role is Role.REGION_ADMIN
        and not isinstance(organisation, Provider)
        and organisation.owning_region_id == membership.organisation_id
    )


def can_edit_profile(membership: Membership | None, organisation: Organisation) -> bool:
    """Tell whether the member may change the organisation's profile."""
    return (
        membership is not None
        and membership.role is Role.PROVIDER_ADMIN
        and membership.organisation_id == organisation.id
    )


def can_see_body(membership: Membership | None, body: Body) -> bool:
    """Tell whether the member may see a body's page: its region's staff and its own members."""
    if membership is None:
        return False
    if membership.organisation_id == body.id:
        return True
    return membership.role.is_staff and region_id_of(membership) == body.owning_region_id
