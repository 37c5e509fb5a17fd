"""How the analysis's codes read to people, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consultations.analysis.models import ReactionStatus
from consultations.models import Audience, Disposition

AUDIENCE_LABELS = {
    Audience.GEMEENTERAAD: _l("Municipal councils"),
    Audience.ADVIESRAAD: _l("Advisory boards"),
    Audience.CLIENTENRAAD: _l("Client councils"),
    Audience.ERVARINGSDESKUNDIGE: _l("Experts by experience"),
    Audience.ZORGAANBIEDER: _l("Care providers"),
    Audience.INWONER: _l("Residents"),
}

DISPOSITION_LABELS = {
    Disposition.TEXT_CHANGED: _l("Text changed"),
    Disposition.PROCUREMENT_DOCUMENTS: _l("Taken into the procurement documents"),
    Disposition.NOTED: _l("Noted"),
    Disposition.NOT_ADOPTED: _l("Not adopted"),
}

STATUS_LABELS = {
    ReactionStatus.DRAFT: _l("Draft"),
    ReactionStatus.REVIEWED: _l("Reviewed"),
    ReactionStatus.FINAL: _l("Final"),
}


def audience_label(audience) -> str:
    """Return the audience in words."""
    return str(AUDIENCE_LABELS[Audience(audience)])


def disposition_label(disposition) -> str:
    """Return the disposition in words; an empty string when there is none."""
    return str(DISPOSITION_LABELS[Disposition(disposition)]) if disposition else ""


def status_label(status) -> str:
    """Return the review status in words."""
    return str(STATUS_LABELS[ReactionStatus(status)])
