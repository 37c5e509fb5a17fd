"""The region's reaction (reactie) to each point: written, reviewed by a second person, final.

The text and the disposition live on the point (the archive exports them); the review lives in
``PointReaction``. Suggestions of earlier reactions to similar points help staff reuse them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consultations.analysis.models import ConsultationReport, PointReaction, ReactionStatus
from consultations.analysis.services import AnalysisError, _audit, check_version, flush, point_ref
from consultations.analysis.suggest import Features
from consultations.models import Consultation, Disposition, Point
from portal.clock import now
from portal.models import User

#: How many earlier reactions are offered for reuse.
SIMILAR = 3
#: Below this similarity an earlier reaction is not worth offering.
SIMILAR_FLOOR = 0.2
#: How many earlier answered points are compared at most (the newest).
SIMILAR_POOL = 3000


def memo_is_final(session: Session, consultation_id: int) -> bool:
    """Tell whether the reactienota is final (after which reactions no longer change)."""
    return session.scalar(select(ConsultationReport.memo_final_at).where(
        ConsultationReport.consultation_id == consultation_id)) is not None


def reactions_of(session: Session, points: Sequence[Point]) -> dict[int, PointReaction]:
    """Return the review state of each point that has a reaction, in one query."""
    if not points:
        return {}
    rows = session.scalars(select(PointReaction).where(PointReaction.point_id.in_([p.id for p in points]))
                           .options(selectinload(PointReaction.owner), selectinload(PointReaction.written_by),
                                    selectinload(PointReaction.reviewed_by)))
    return {row.point_id: row for row in rows}


def save_reaction(session: Session, *, point: Point, text: str, disposition: Disposition | str,
                  reason: str | None, owner: User | None, seen_version: int | None, actor: User) -> PointReaction:
    """Write or change the reaction to a point; a change sends it back to draft for a new review."""
    if memo_is_final(session, point.consultation_id):
        raise AnalysisError(_("The reactienota is final; reactions can no longer change."))
    text = (text or "").strip()
    reason = (reason or "").strip() or None
    try:
        disposition = Disposition(disposition)
    except ValueError:
        raise AnalysisError(_("Choose what was done with the point.")) from None
    if not text:
        raise AnalysisError(_("Write the reaction to the point."))
    if disposition is Disposition.NOT_ADOPTED and reason is None:
        raise AnalysisError(_("Say why the point is not adopted."))
    reaction = session.get(PointReaction, point.id)
    if reaction is not None:
        check_version(reaction, seen_version)
    elif seen_version:
        raise AnalysisError(_("Someone else changed this point while you were working on it. "
                              "Your input is kept below; check their change and try again."))
    old = {"reaction": point.reaction, "disposition": point.disposition.value if point.disposition else None}
    point.reaction, point.disposition = text, disposition
    if reaction is None:
        reaction = PointReaction(point_id=point.id, status=ReactionStatus.DRAFT)
        session.add(reaction)
    reaction.status = ReactionStatus.DRAFT
    reaction.reason = reason if disposition is Disposition.NOT_ADOPTED else None
    reaction.owner_id = owner.id if owner is not None else actor.id
    reaction.written_by_id = actor.id
    reaction.reviewed_by_id = None
    reaction.reviewed_at = None
    reaction.finalised_at = None
    flush(session)
    _audit(session, "consultation.reaction_saved", point, actor, point.consultation, object_label=point_ref(point),
           changes={"reaction": [old["reaction"], text], "disposition": [old["disposition"], disposition.value]})
    return reaction


def review_reaction(session: Session, *, point: Point, seen_version: int | None, actor: User) -> PointReaction:
    """Mark a draft reaction as checked; only someone other than its writer may."""
    reaction = session.get(PointReaction, point.id)
    if reaction is None or reaction.status is not ReactionStatus.DRAFT:
        raise AnalysisError(_("Only a draft reaction can be reviewed."))
    check_version(reaction, seen_version)
    if reaction.written_by_id == actor.id:
        raise AnalysisError(_("A second person must review the reaction: you wrote it yourself."))
    reaction.status = ReactionStatus.REVIEWED
    reaction.reviewed_by_id = actor.id
    reaction.reviewed_at = now()
    flush(session)
    _audit(session, "consultation.reaction_reviewed", point, actor, point.consultation, object_label=point_ref(point),
           changes={"status": ["draft", "reviewed"]})
    return reaction


def finalise_reaction(session: Session, *, point: Point, seen_version: int | None, actor: User) -> PointReaction:
    """Make a reviewed reaction final."""
    reaction = session.get(PointReaction, point.id)
    if reaction is None or reaction.status is not ReactionStatus.REVIEWED:
        raise AnalysisError(_("Only a reviewed reaction can be made final."))
    check_version(reaction, seen_version)
    reaction.status = ReactionStatus.FINAL
    reaction.finalised_at = now()
    flush(session)
    _audit(session, "consultation.reaction_final", point, actor, point.consultation, object_label=point_ref(point),
           changes={"status": ["reviewed", "final"]})
    return reaction


@dataclass(frozen=True)
class Reusable:
    """An earlier reaction to a similar point."""

    point_id: int
    consultation_title: str
    point_text: str
    reaction: str
    disposition: Disposition | None
    score: float


def similar_reactions(session: Session, *, point: Point, limit: int = SIMILAR) -> list[Reusable]:
    """Return earlier reactions to points like this one, in this and other consultations of the region."""
    consultation = point.consultation
    rows = session.execute(
        select(Point.id, Point.text, Point.reaction, Point.disposition, Consultation.title)
        .join(Consultation, Consultation.id == Point.consultation_id)
        .where(Consultation.region_id == consultation.region_id, Point.reaction.is_not(None), Point.id != point.id)
        .order_by(Point.id.desc()).limit(SIMILAR_POOL)
    ).all()
    if not rows:
        return []
    features = Features([point.text] + [row.text for row in rows])
    scores = (features.transform([row.text for row in rows]) @ features.transform([point.text]).T).toarray().ravel()
    ranked = sorted(range(len(rows)), key=lambda i: (-scores[i], -rows[i].id))
    found, seen = [], set()
    for i in ranked:
        if scores[i] < SIMILAR_FLOOR or len(found) == limit:
            break
        if rows[i].reaction in seen:
            continue
        seen.add(rows[i].reaction)
        found.append(Reusable(rows[i].id, rows[i].title, rows[i].text, rows[i].reaction, rows[i].disposition,
                              round(float(scores[i]), 3)))
    return found


def open_points(session: Session, consultation: Consultation) -> int:
    """Return how many points of the consultation lack a final reaction."""
    from sqlalchemy import func

    return session.scalar(
        select(func.count(Point.id)).outerjoin(PointReaction, PointReaction.point_id == Point.id)
        .where(Point.consultation_id == consultation.id,
               (PointReaction.status.is_(None)) | (PointReaction.status != ReactionStatus.FINAL))
    ) or 0
