"""Who may see and change which consultation, and who may react to it; templates reuse these."""

from __future__ import annotations

from consultations.models import Audience, Consultation, ConsultationPhase, Response
from consultations.services import AUDIENCE_OF_BODY, now_utc
from portal.models import PROVIDER_ROLES, Body, Membership, Provider, Role

#: Roles that prepare consultations and act on them; other staff of the region read.
CONSULTATION_MANAGERS = frozenset({Role.POLICY_OFFICER, Role.REGION_ADMIN})
#: Roles that react through their account.
RESPONDENT_ROLES = frozenset({Role.BODY_MEMBER, *PROVIDER_ROLES})


def in_region(membership: Membership | None, consultation: Consultation) -> bool:
    """Tell whether the member is staff of the consultation's region."""
    return (
        membership is not None
        and membership.role.is_staff
        and membership.organisation.owning_region_id == consultation.region_id
    )


def can_manage(membership: Membership | None, consultation: Consultation) -> bool:
    """Tell whether the member may change the consultation and act on it."""
    return in_region(membership, consultation) and membership.role in CONSULTATION_MANAGERS


def is_public(consultation: Consultation) -> bool:
    """Tell whether anyone may read the consultation: once it is published."""
    return consultation.published_at is not None


def reacting_body(membership: Membership | None, consultation: Consultation) -> Body | None:
    """Return the body the member reacts for on this consultation, or None when it is not asked."""
    if membership is None or membership.role is not Role.BODY_MEMBER or not is_public(consultation):
        return None
    body = membership.organisation
    if not isinstance(body, Body) or body.owning_region_id != consultation.region_id:
        return None
    if AUDIENCE_OF_BODY.get(body.body_kind) not in consultation.audience_set:
        return None
    participating = {m.municipality_id for m in consultation.municipalities}
    if participating and body.municipality_id is not None and body.municipality_id not in participating:
        return None
    return body


def reacting_provider(membership: Membership | None, consultation: Consultation) -> Provider | None:
    """Return the provider the member reacts for, when the consultation asks providers."""
    if membership is None or membership.role not in PROVIDER_ROLES or not is_public(consultation):
        return None
    if Audience.ZORGAANBIEDER not in consultation.audience_set:
        return None
    organisation = membership.organisation
    return organisation if isinstance(organisation, Provider) else None


def may_react(membership: Membership | None, consultation: Consultation) -> bool:
    """Tell whether the member may write a reaction on behalf of their body or provider."""
    return reacting_body(membership, consultation) is not None or reacting_provider(membership, consultation) is not None


def is_open(consultation: Consultation) -> bool:
    """Tell whether reactions can be written and changed now."""
    return consultation.phase(now_utc()) is ConsultationPhase.OPEN


def may_read_reaction(membership: Membership | None, response: Response) -> bool:
    """Tell whether the member may read a reaction and its attachment: its senders and the region's staff."""
    if membership is None:
        return False
    if in_region(membership, response.consultation):
        return True
    sender = response.body_id or response.provider_id
    return sender is not None and membership.organisation_id == sender
