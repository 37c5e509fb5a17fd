"""Who may see and change which admission; templates use these to hide buttons."""

from __future__ import annotations

from portal.models import Membership, Role
from portal.models.register import Admission
from portal.register.services import ACTIONS, TRANSITIONS

#: Roles that suspend, reinstate and end admissions; other staff of the region read.
REGISTER_KEEPERS = frozenset({Role.BUYER, Role.CONTRACT_MANAGER, Role.REGION_ADMIN})


def in_region(membership: Membership | None, admission: Admission) -> bool:
    """Tell whether the member is staff of the region that ran the admission's round."""
    return (
        membership is not None
        and membership.role.is_staff
        and membership.organisation.owning_region_id == admission.round.region_id
    )


def can_change(membership: Membership | None, admission: Admission) -> bool:
    """Tell whether the member may change the admission's status."""
    return in_region(membership, admission) and membership.role in REGISTER_KEEPERS


def possible_actions(admission: Admission) -> list[str]:
    """Return the status changes (keys of ACTIONS) possible from the admission's current status."""
    return [key for key, target in ACTIONS.items() if (admission.status, target) in TRANSITIONS]
