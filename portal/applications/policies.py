"""Who may see, change and submit which application; templates use these to hide buttons."""

from __future__ import annotations

from portal.models import PROVIDER_ROLES, Membership, Role
from portal.models.applications import Application

#: Roles that may submit an application on behalf of the provider: submitting binds the organisation.
SUBMITTERS = frozenset({Role.PROVIDER_ADMIN})


def can_see(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member may see the application: only its provider's members (screening comes later)."""
    return (
        membership is not None
        and membership.role in PROVIDER_ROLES
        and membership.organisation_id == application.provider_id
    )


def can_edit(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member may change the application: its provider's members, while it is a draft."""
    return can_see(membership, application) and application.is_draft


def can_submit(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member may submit the application: its provider's administrators, while it is a draft."""
    return can_edit(membership, application) and membership.role in SUBMITTERS
