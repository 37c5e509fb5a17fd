"""The consultation web pages: staff set-up and follow-up, respondents' reactions, the public page."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from consultations.models import ConsultationPhase, FollowUpStatus, FormalViewStatus, ResponseStatus
from forms.consultations import AGREEMENT_LABELS, AUDIENCE_LABELS, KIND_LABELS

bp = Blueprint("consultations", __name__)

PHASE_LABELS = {
    ConsultationPhase.DRAFT: _l("Draft"),
    ConsultationPhase.SCHEDULED: _l("Published, not open yet"),
    ConsultationPhase.OPEN: _l("Open for reactions"),
    ConsultationPhase.CLOSED: _l("Closed"),
}
RESPONSE_STATUS_LABELS = {
    ResponseStatus.DRAFT: _l("Draft"),
    ResponseStatus.SUBMITTED: _l("Submitted"),
    ResponseStatus.WITHDRAWN: _l("Withdrawn"),
}
FORMAL_VIEW_STATUS_LABELS = {
    FormalViewStatus.EXPECTED: _l("Expected"),
    FormalViewStatus.RECEIVED: _l("Received"),
    FormalViewStatus.LATE: _l("Late"),
}
FOLLOW_UP_LABELS = {FollowUpStatus.OPEN: _l("Open"), FollowUpStatus.DONE: _l("Done")}


@bp.app_context_processor
def _labels():
    return {
        "audience_label": lambda value: AUDIENCE_LABELS.get(value, value),
        "kind_label": lambda value: KIND_LABELS.get(value, value),
        "agreement_label": lambda value: AGREEMENT_LABELS.get(value, value),
        "phase_label": lambda value: PHASE_LABELS.get(value, value),
        "response_status_label": lambda value: RESPONSE_STATUS_LABELS.get(value, value),
        "formal_view_status_label": lambda value: FORMAL_VIEW_STATUS_LABELS.get(value, value),
        "follow_up_label": lambda value: FOLLOW_UP_LABELS.get(value, value),
        "analysis_ready": _analysis_ready,
    }


def _analysis_ready(consultation) -> bool:
    from consultations.services import analysis_ready
    from portal.extensions import db

    return analysis_ready(db.session, consultation)


from consultations.pages import respond, staff  # noqa: E402,F401  (routes register on bp)
