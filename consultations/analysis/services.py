"""Points and themes: split reactions into points, keep the codebook, code points, ask for help.

Every function takes the session, flushes but never commits, and raises ``AnalysisError`` with a
message that can be shown to the person; every change is written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from consultations.analysis import propose as proposing
from consultations.analysis import suggest as suggesting
from consultations.analysis.models import PointTheme
from consultations.analysis.splitting import propose_split, split_at
from consultations.models import (
    Answer,
    Consultation,
    Meeting,
    Point,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    Theme,
)
from portal.audit.services import pending_changes, record
from portal.models import User

#: A theme key: lower-case letters, digits and hyphens, like the archive's keys.
THEME_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class AnalysisError(Exception):
    """A rule of the analysis was broken; the message can be shown to the person."""


class StaleEdit(AnalysisError):
    """Someone else changed the same thing after this person opened it."""


def _stale() -> StaleEdit:
    return StaleEdit(_("Someone else changed this point while you were working on it. "
                       "Your input is kept below; check their change and try again."))


def check_version(obj, seen_version: int | None) -> None:
    """Refuse a change made on an outdated copy."""
    if seen_version is not None and obj.version != seen_version:
        raise _stale()


def flush(session: Session) -> None:
    """Flush, turning a concurrent save into a clear conflict."""
    try:
        session.flush()
    except StaleDataError as error:
        raise _stale() from error


def _audit(session: Session, action: str, obj, actor: User | None, consultation: Consultation, **kw) -> None:
    record(session, action=action, obj=obj, actor=actor, region_id=consultation.region_id, **kw)


def point_ref(point: Point) -> str:
    """Return how the archive and the command line name a point: its ref, or its id."""
    return point.ref or str(point.id)


# Points ---------------------------------------------------------------------------------------

def submitted_answers(session: Session, consultation: Consultation) -> list[Answer]:
    """Return the answers with text of the submitted reactions, with their points, in order."""
    return list(session.scalars(
        select(Answer).join(Response).join(Question)
        .where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED,
               Answer.text.is_not(None))
        .options(selectinload(Answer.points).selectinload(Point.theme), selectinload(Answer.question))
        .order_by(Response.id, Question.position)
    ))


def _next_refs(session: Session, consultation: Consultation, count: int) -> list[str]:
    taken = set(session.scalars(select(Point.ref).where(Point.consultation_id == consultation.id,
                                                         Point.ref.is_not(None))))
    refs, number = [], len(taken) + 1
    while len(refs) < count:
        if f"p-{number}" not in taken:
            refs.append(f"p-{number}")
        number += 1
    return refs


def split_answer(session: Session, *, answer: Answer, actor: User | None) -> list[Point]:
    """Turn an answer's text into points by paragraph and bullet; an answer split before is kept."""
    if answer.points:
        return list(answer.points)
    parts = propose_split(answer.text or "")
    consultation = answer.response.consultation
    refs = _next_refs(session, consultation, len(parts))
    for position, (part, ref) in enumerate(zip(parts, refs, strict=True), 1):
        answer.points.append(Point(consultation_id=consultation.id, ref=ref, position=position, text=part.text,
                                   source_start=part.start, source_end=part.end))
    flush(session)
    _audit(session, "consultation.points_split", answer.response, actor, consultation,
           changes={"answer": [None, answer.id], "points": [0, len(parts)]})
    return list(answer.points)


def split_all(session: Session, *, consultation: Consultation, actor: User | None) -> int:
    """Propose points for every submitted answer not split yet; return how many points were made."""
    made = 0
    for answer in submitted_answers(session, consultation):
        if not answer.points:
            made += len(split_answer(session, answer=answer, actor=actor))
    return made


def source_of(point: Point) -> str | None:
    """Return the words of the source answer the point was taken from."""
    if point.source_start is None or point.source_end is None or point.answer.text is None:
        return None
    return point.answer.text[point.source_start:point.source_end]


def _renumber(session: Session, answer: Answer, ordered: Sequence[Point]) -> None:
    """Give the answer's points positions 1..n in this order without breaking uniqueness midway."""
    session.execute(update(Point).where(Point.answer_id == answer.id)
                    .values(position=Point.position + 10000, version=Point.version + 1)
                    .execution_options(synchronize_session=False))
    for position, point in enumerate(ordered, 1):
        session.execute(update(Point).where(Point.id == point.id).values(position=position)
                        .execution_options(synchronize_session=False))
    session.expire(answer)
    for point in ordered:
        session.expire(point)


def edit_point(session: Session, *, point: Point, text: str, seen_version: int | None, actor: User | None) -> None:
    """Change a point's words; its link to the source stays."""
    text = (text or "").strip()
    if not text:
        raise AnalysisError(_("A point needs words."))
    check_version(point, seen_version)
    old = point.text
    point.text = text
    flush(session)
    _audit(session, "consultation.point_edited", point, actor, point.consultation, changes={"text": [old, text]})


def split_point(session: Session, *, point: Point, offset: int, seen_version: int | None,
                actor: User | None) -> Point:
    """Split a point in two at a character offset; both keep their place in the source."""
    check_version(point, seen_version)
    try:
        head, tail = split_at(point.text, offset)
    except ValueError:
        raise AnalysisError(_("Choose a place inside the text: both parts need words.")) from None
    answer = point.answer
    ordered = list(answer.points)
    at = ordered.index(point)
    start, end = point.source_start, point.source_end
    unchanged = start is not None and source_of(point) == point.text
    point.text = head
    new = Point(consultation_id=point.consultation_id, ref=_next_refs(session, point.consultation, 1)[0],
                position=len(ordered) + 10001, text=tail, theme_id=point.theme_id)
    if unchanged:
        cut = start + offset
        point.source_end = start + len(point.answer.text[start:cut].rstrip())
        new.source_start = cut + (len(answer.text[cut:end]) - len(answer.text[cut:end].lstrip()))
        new.source_end = end
    else:
        new.source_start, new.source_end = start, end
    session.add(new)
    new.answer = answer
    flush(session)
    ordered.insert(at + 1, new)
    _renumber(session, answer, ordered)
    _audit(session, "consultation.point_split", new, actor, new.consultation,
           changes={"from": [None, point_ref(point)]})
    return new


def merge_with_next(session: Session, *, point: Point, seen_version: int | None, actor: User | None) -> Point:
    """Join a point with the one after it in the same answer."""
    check_version(point, seen_version)
    ordered = list(point.answer.points)
    at = ordered.index(point)
    if at + 1 >= len(ordered):
        raise AnalysisError(_("This is the last point of the reaction; there is nothing to merge it with."))
    following = ordered[at + 1]
    point.text = f"{point.text}\n\n{following.text}"
    if point.source_start is not None and following.source_end is not None:
        point.source_start = min(point.source_start, following.source_start or point.source_start)
        point.source_end = max(point.source_end or 0, following.source_end)
    answer = point.answer
    gone = point_ref(following)
    session.delete(following)
    flush(session)
    _renumber(session, answer, [p for p in ordered if p is not following])
    _audit(session, "consultation.points_merged", point, actor, point.consultation, changes={"merged": [gone, None]})
    return point


def meeting_points(session: Session, *, meeting: Meeting, actor: User | None) -> Response:
    """Bring a meeting's questions in as input: one reaction of the meeting, one point per question.

    The questions become the answer to the consultation's first open question, so they are
    analysed, answered and reported like written reactions; the reaction's ref is ``m-<id>``.
    """
    consultation = meeting.consultation
    ref = f"m-{meeting.id}"
    existing = session.scalar(select(Response).where(Response.consultation_id == consultation.id, Response.ref == ref))
    if existing is not None:
        return existing
    question = next((q for q in consultation.questions if q.kind is QuestionKind.OPEN), None)
    if question is None:
        raise AnalysisError(_("The consultation has no open question to file the meeting's questions under."))
    if not meeting.questions:
        raise AnalysisError(_("The meeting has no questions recorded."))
    texts = [entry.question.strip() for entry in meeting.questions]
    source = "\n\n".join(texts)
    response = Response(consultation_id=consultation.id, ref=ref, respondent=meeting.title, audience=meeting.audience,
                        status=ResponseStatus.SUBMITTED, submitted_at=meeting.held_at)
    answer = Answer(question=question, text=source)
    response.answers.append(answer)
    session.add(response)
    offset = 0
    refs = _next_refs(session, consultation, len(texts))
    for position, (text, point_ref_) in enumerate(zip(texts, refs, strict=True), 1):
        answer.points.append(Point(consultation_id=consultation.id, ref=point_ref_, position=position, text=text,
                                   source_start=offset, source_end=offset + len(text)))
        offset += len(text) + 2
    flush(session)
    _audit(session, "consultation.meeting_points", response, actor, consultation,
           changes={"meeting": [None, meeting.id], "points": [0, len(texts)]})
    return response


# The codebook ---------------------------------------------------------------------------------

def add_theme(session: Session, *, consultation: Consultation, key: str, label: str, description: str | None,
              actor: User | None) -> Theme:
    """Add a theme to the consultation's codebook."""
    key = (key or "").strip().lower()
    if not THEME_KEY.match(key):
        raise AnalysisError(_("Use lower-case letters, digits and hyphens for the key (at most 40)."))
    if session.scalar(select(Theme.id).where(Theme.consultation_id == consultation.id, Theme.key == key)):
        raise AnalysisError(_("The codebook already has a theme with this key."))
    theme = Theme(consultation_id=consultation.id, key=key, label=label.strip(), description=(description or "").strip() or None)
    session.add(theme)
    session.flush()
    _audit(session, "consultation.theme_added", theme, actor, consultation)
    return theme


def update_theme(session: Session, *, theme: Theme, label: str, description: str | None, actor: User | None) -> None:
    """Rename a theme or change its description."""
    theme.label = label.strip()
    theme.description = (description or "").strip() or None
    _audit(session, "consultation.theme_changed", theme, actor, theme.consultation, changes=pending_changes(theme))


def merge_themes(session: Session, *, source: Theme, target: Theme, actor: User | None) -> int:
    """Move every point of one theme to another and remove the first; return how many moved."""
    if source.consultation_id != target.consultation_id or source.id == target.id:
        raise AnalysisError(_("Choose another theme of the same consultation."))
    moved = session.execute(update(Point).where(Point.theme_id == source.id)
                            .values(theme_id=target.id, version=Point.version + 1)
                            .execution_options(synchronize_session=False)).rowcount
    already = select(PointTheme.point_id).where(PointTheme.theme_id == target.id)
    session.execute(delete(PointTheme).where(PointTheme.theme_id == source.id, PointTheme.point_id.in_(already)))
    session.execute(update(PointTheme).where(PointTheme.theme_id == source.id).values(theme_id=target.id))
    # A point whose primary theme is now also a secondary one keeps it only once.
    session.execute(delete(PointTheme).where(PointTheme.theme_id == target.id, PointTheme.point_id.in_(
        select(Point.id).where(Point.theme_id == target.id))))
    _audit(session, "consultation.themes_merged", target, actor, target.consultation,
           changes={"merged": [source.key, target.key], "points": [None, moved]})
    session.delete(source)
    session.flush()
    session.expire_all()
    return moved


def code_point(session: Session, *, point: Point, theme: Theme | None, secondary: Iterable[Theme] = (),
               seen_version: int | None, actor: User | None) -> None:
    """Give a point its primary theme and any secondary themes."""
    check_version(point, seen_version)
    for given in [theme, *secondary]:
        if given is not None and given.consultation_id != point.consultation_id:
            raise AnalysisError(_("Choose a theme of this consultation."))
    old = point.theme.key if point.theme else None
    point.theme = theme
    session.execute(delete(PointTheme).where(PointTheme.point_id == point.id))
    keys = []
    for extra in secondary:
        if theme is not None and extra.id == theme.id:
            continue
        session.add(PointTheme(point_id=point.id, theme_id=extra.id))
        keys.append(extra.key)
    flush(session)
    _audit(session, "consultation.point_coded", point, actor, point.consultation,
           object_label=f"{point_ref(point)}", changes={"theme": [old, theme.key if theme else None],
                                                         "secondary": [None, sorted(keys)]})


def secondary_themes(session: Session, points: Sequence[Point]) -> dict[int, list[Theme]]:
    """Return the secondary themes of each point, in one query."""
    result: dict[int, list[Theme]] = {p.id: [] for p in points}
    if not points:
        return result
    rows = session.execute(select(PointTheme.point_id, Theme).join(Theme, Theme.id == PointTheme.theme_id)
                           .where(PointTheme.point_id.in_([p.id for p in points])).order_by(Theme.key))
    for point_id, theme in rows:
        result[point_id].append(theme)
    return result


# Help: suggest and propose -------------------------------------------------------------------

def all_points(session: Session, consultation: Consultation) -> list[Point]:
    """Return the consultation's points of submitted reactions, with source and theme, in order."""
    return list(session.scalars(
        select(Point).join(Answer).join(Response)
        .where(Point.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
        .options(selectinload(Point.theme), selectinload(Point.answer).selectinload(Answer.response))
        .order_by(Response.id, Answer.id, Point.position)
    ))


def suggestions(session: Session, consultation: Consultation, points: Sequence[Point] | None = None
                ) -> list[suggesting.Suggestion]:
    """Suggest up to three themes for every uncoded point (or the given ones), best first."""
    everything = all_points(session, consultation)
    coded = [(p.text, p.theme.key) for p in everything if p.theme is not None]
    targets = [p for p in (points if points is not None else everything) if p.theme is None]
    themes = [suggesting.ThemeDoc(t.key, t.label, t.description or "") for t in consultation.themes]
    return suggesting.suggest(themes, coded, [(point_ref(p), p.text) for p in targets])


def proposals(session: Session, consultation: Consultation, max_themes: int | None = None
              ) -> list[proposing.Candidate]:
    """Group the uncoded points into candidate themes; each uncoded point is in exactly one."""
    uncoded = [(point_ref(p), p.text) for p in all_points(session, consultation) if p.theme is None]
    return proposing.propose(uncoded, max_themes=max_themes)


def accept_proposal(session: Session, *, consultation: Consultation, key: str, label: str, refs: Iterable[str],
                    actor: User | None) -> Theme:
    """Add a proposed theme (possibly renamed) to the codebook and code its uncoded points with it."""
    theme = add_theme(session, consultation=consultation, key=key, label=label, description=None, actor=actor)
    wanted = set(refs)
    for point in all_points(session, consultation):
        if point.theme is None and point_ref(point) in wanted:
            point.theme = theme
    flush(session)
    return theme


def counts(session: Session, consultation: Consultation) -> dict[str, int]:
    """Return how many points there are and how many are coded."""
    total, coded = session.execute(
        select(func.count(Point.id), func.count(Point.theme_id)).where(Point.consultation_id == consultation.id)
    ).one()
    return {"points": total, "coded": coded}
