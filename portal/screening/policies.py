"""Who may screen, decide and read which application; templates use these to hide buttons."""

from __future__ import annotations

from portal.models import PROVIDER_ROLES, Membership, Role
from portal.models.applications import Application
from portal.models.screening import ScopeDecision

#: Roles of the round's region that screen and decide.
SCREENERS = frozenset({Role.REVIEWER, Role.BUYER, Role.REGION_ADMIN})
#: Roles of the round's region that may read the queue and the screening pages.
SCREENING_READERS = SCREENERS | {Role.AUDITOR}


def region_of(membership: Membership | None) -> int | None:
    """Return the region the staff member works for, or None for anyone else."""
    if membership is None or not membership.role.is_staff:
        return None
    return membership.organisation.owning_region_id


def can_read(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member may read the screening of a submitted application: staff of its round's region."""
    return (
        membership is not None
        and membership.role in SCREENING_READERS
        and not application.is_draft
        and region_of(membership) == application.round.region_id
    )


def can_screen(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member may judge, ask for completion and decide: reviewers, buyers and admins of the region."""
    return can_read(membership, application) and membership.role in SCREENERS


def can_confirm(membership: Membership | None, user_id: int, decision: ScopeDecision) -> bool:
    """Tell whether this person may confirm a proposal: a screener who did not propose it (four eyes)."""
    return (
        can_screen(membership, decision.scope.application)
        and not decision.is_confirmed
        and decision.proposed_by_id != user_id
    )


def is_provider_member(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member works for the applying provider."""
    return (
        membership is not None
        and membership.role in PROVIDER_ROLES
        and membership.organisation_id == application.provider_id
    )


def can_read_letter(membership: Membership | None, application: Application) -> bool:
    """Tell whether the member may read the decision letter: the provider's members and the region's staff."""
    if application.status.value != "decided":
        return False
    if is_provider_member(membership, application):
        return True
    return (
        membership is not None
        and membership.role.is_staff
        and region_of(membership) == application.round.region_id
    )
