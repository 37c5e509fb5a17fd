"""Who may see and change which round; templates use these to hide buttons."""

from __future__ import annotations

from portal.models import Membership, Role, Round

#: Roles that prepare and change rounds.
ROUND_MANAGERS = frozenset({Role.BUYER, Role.REGION_ADMIN})


def in_region(membership: Membership | None, round: Round) -> bool:
    """Tell whether the member is staff of the round's region."""
    return (
        membership is not None
        and membership.role.is_staff
        and membership.organisation.owning_region_id == round.region_id
    )


def can_manage(membership: Membership | None, round: Round) -> bool:
    """Tell whether the member may change the round and answer its questions."""
    return in_region(membership, round) and membership.role in ROUND_MANAGERS


def can_read_public(round: Round) -> bool:
    """Tell whether anyone may read the round: only once it is published."""
    return round.is_published
