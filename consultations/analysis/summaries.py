"""Summaries after the close: answers per question and audience, the theme × audience matrix and
representative quotes. Counting happens in the database.

A summary changes while staff code the points and then not at all, and computing one takes tens
of milliseconds (every coded point is read for the quotes), so the rendered summary is kept per
consultation and language (``kept``, portal.kept). One token covers every consultation: adding,
changing or removing a consultation, question, theme, reaction, answer or point (one by one or in
bulk) renews it when the transaction commits.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from cachetools import LRUCache, cached
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultations.analysis.masking import mask
from consultations.analysis.suggest import Features
from consultations.models import (
    AGREEMENT_CHOICES,
    SCALE_CHOICES,
    Answer,
    Audience,
    Consultation,
    Point,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    Theme,
)
from portal.kept import Kept, watch

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.AGREEMENT, QuestionKind.SCALE)

#: The kind of data a summary is computed from, and what changes it.
CONSULTATIONS = "consultations"
watch(CONSULTATIONS, Consultation, Question, Theme, Response, Answer, Point)
#: Rendered summaries and summary pages with what their access check needs, at most this many
#: per server process (up to four per consultation and language, a few KB each).
kept = Kept("consultation summaries", depends_on=(CONSULTATIONS,), size=256)


@dataclass
class Distribution:
    """How one question was answered, per audience: {audience: {option: count}}."""

    question: Question
    options: list[str]
    counts: dict[Audience, dict[str, int]] = field(default_factory=dict)

    @property
    def audiences(self) -> list[Audience]:
        """Return the audiences that answered, in the archive's order."""
        return [a for a in Audience if a in self.counts]

    def total(self, option: str) -> int:
        """Return how often an option was chosen over all audiences."""
        return sum(per.get(option, 0) for per in self.counts.values())


def _options(question: Question) -> list[str]:
    if question.kind is QuestionKind.AGREEMENT:
        return list(AGREEMENT_CHOICES)
    if question.kind is QuestionKind.SCALE:
        return list(SCALE_CHOICES)
    return list(question.options or [])


def distributions(session: Session, consultation: Consultation) -> list[Distribution]:
    """Count the choices of every choice, agreement and scale question per audience."""
    questions = [q for q in consultation.questions if q.kind in CHOICE_KINDS]
    result = {q.id: Distribution(q, _options(q)) for q in questions}
    rows = session.execute(
        select(Answer.question_id, Response.audience, Answer.choice, func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED,
               Answer.choice.is_not(None), Answer.question_id.in_(list(result)))
        .group_by(Answer.question_id, Response.audience, Answer.choice)
    )
    for question_id, audience, choice, number in rows:
        distribution = result[question_id]
        per = distribution.counts.setdefault(Audience(audience), {})
        # A multiple choice is stored as its options one per line; each option counts once.
        for option in choice.split("\n") if distribution.question.kind is QuestionKind.MULTIPLE else [choice]:
            per[option] = per.get(option, 0) + number
            if option not in distribution.options:
                distribution.options.append(option)
    return [result[q.id] for q in questions]


@dataclass
class MatrixCell:
    """Points of one theme from one audience, and how many respondents raised them."""

    points: int = 0
    respondents: int = 0


@dataclass
class ThemeRow:
    """One theme across the audiences."""

    theme: Theme
    cells: dict[Audience, MatrixCell]

    @property
    def audiences(self) -> list[Audience]:
        """Return the audiences that raised the theme."""
        return [a for a, cell in self.cells.items() if cell.points]

    @property
    def points(self) -> int:
        """Return the theme's points over all audiences."""
        return sum(cell.points for cell in self.cells.values())


@dataclass
class Matrix:
    """The theme × audience matrix, with the themes every audience and only one audience raised."""

    audiences: list[Audience]
    rows: list[ThemeRow]

    def raised_by_all(self, row: ThemeRow) -> bool:
        """Tell whether every audience that gave points raised this theme."""
        return len(self.audiences) > 1 and len(row.audiences) == len(self.audiences)

    def raised_by_one(self, row: ThemeRow) -> bool:
        """Tell whether only one audience raised this theme."""
        return len(self.audiences) > 1 and len(row.audiences) == 1


def theme_matrix(session: Session, consultation: Consultation) -> Matrix:
    """Count points and respondents per theme and audience (primary themes, submitted reactions)."""
    rows = session.execute(
        select(Point.theme_id, Response.audience, func.count(Point.id), func.count(func.distinct(Response.id)))
        .join(Answer, Answer.id == Point.answer_id).join(Response, Response.id == Answer.response_id)
        .where(Point.consultation_id == consultation.id, Point.theme_id.is_not(None),
               Response.status == ResponseStatus.SUBMITTED)
        .group_by(Point.theme_id, Response.audience)
    ).all()
    cells: dict[int, dict[Audience, MatrixCell]] = defaultdict(dict)
    present: set[Audience] = set()
    for theme_id, audience, points, respondents in rows:
        cells[theme_id][Audience(audience)] = MatrixCell(points, respondents)
        present.add(Audience(audience))
    audiences = [a for a in Audience if a in present]
    theme_rows = [ThemeRow(theme, {a: cells[theme.id].get(a, MatrixCell()) for a in audiences})
                  for theme in consultation.themes]
    theme_rows.sort(key=lambda row: (-row.points, row.theme.key))
    return Matrix(audiences, theme_rows)


def may_quote(consultation: Consultation, response: Response) -> bool:
    """Tell whether a reaction may be quoted: only when the consultation said reactions are published."""
    return bool(consultation.publish_reactions) and response.status is ResponseStatus.SUBMITTED


def sender(consultation: Consultation, response: Response) -> str:
    """Return who a reaction is from as it may be shown: organisations by name, people only with consent."""
    from consultations.analysis.labels import audience_label

    if response.body_id or response.provider_id:
        return response.respondent
    if response.publish_name and not response.anonymous:
        return response.respondent
    return audience_label(response.audience)


def hidden_names(responses) -> list[str]:
    """Return the names of people who did not agree to be named, to mask them in published text."""
    # Anonymous reactions carry no name ("Anoniem"); organisations are named openly.
    return [r.respondent for r in responses
            if not (r.body_id or r.provider_id) and not r.anonymous and not r.publish_name and r.respondent]


@dataclass(frozen=True)
class Quote:
    """A point that represents its theme, from a reaction that may be quoted."""

    theme: Theme
    text: str
    sender: str
    audience: Audience


#: The points chosen as quotes, by what they were chosen from (see quotes); a few consultations'
#: worth per process, since fitting the text features is the slow part of the summary page.
_CHOSEN: LRUCache[tuple, dict[int, int]] = LRUCache(maxsize=32)


def quotes(session: Session, consultation: Consultation) -> list[Quote]:
    """Return per theme the quotable point nearest to the theme's centre, masked."""
    rows = session.execute(
        select(Point, Response).join(Answer, Answer.id == Point.answer_id).join(Response, Response.id == Answer.response_id)
        .where(Point.consultation_id == consultation.id, Point.theme_id.is_not(None),
               Response.status == ResponseStatus.SUBMITTED)
        .order_by(Point.id)
    ).all()
    quotable = [may_quote(consultation, response) for _, response in rows]
    if not any(quotable):
        return []
    chosen = _chosen_points(consultation, rows, quotable)
    names = hidden_names({response for _, response in rows})
    by_id = {point.id: (point, response) for point, response in rows}
    found = []
    for theme in consultation.themes:
        if theme.id in chosen:
            point, response = by_id[chosen[theme.id]]
            found.append(Quote(theme, mask(point.text, names), sender(consultation, response), response.audience))
    return found


def _what_was_chosen_from(consultation: Consultation, rows, quotable: list[bool]) -> tuple:
    return (consultation.id, tuple((point.id, point.theme_id, hash(point.text), ok)
                                   for (point, _), ok in zip(rows, quotable, strict=True)))


@cached(_CHOSEN, key=_what_was_chosen_from, lock=threading.Lock())
def _chosen_points(consultation: Consultation, rows, quotable: list[bool]) -> dict[int, int]:
    """Return per theme the id of its most typical quotable point; remembered while the coded
    points, their words and who may be quoted stay the same."""
    by_theme: dict[int, list[Point]] = defaultdict(list)
    for (point, _), ok in zip(rows, quotable, strict=True):
        if ok:
            by_theme[point.theme_id].append(point)
    features = Features([point.text for point, _ in rows])
    chosen = {}
    for theme_id, members in by_theme.items():
        matrix = features.transform([point.text for point in members])
        centre = np.asarray(matrix.mean(axis=0)).ravel()
        chosen[theme_id] = members[int(np.argmax(matrix @ centre))].id
    return chosen


def summary_document(session: Session, consultation: Consultation) -> dict:
    """Return the counts per question × audience and the theme × audience matrix as plain data."""
    matrix = theme_matrix(session, consultation)
    return {
        "consultation": consultation.id,
        "questions": [
            {"question": d.question.key, "kind": d.question.kind.value, "options": d.options,
             "counts": {a.value: {o: d.counts[a].get(o, 0) for o in d.options} for a in d.audiences},
             "total": {o: d.total(o) for o in d.options}}
            for d in distributions(session, consultation)
        ],
        "themes": {
            "audiences": [a.value for a in matrix.audiences],
            "rows": [
                {"theme": row.theme.key, "label": row.theme.label,
                 "points": {a.value: row.cells[a].points for a in matrix.audiences},
                 "respondents": {a.value: row.cells[a].respondents for a in matrix.audiences},
                 "raised_by_all": matrix.raised_by_all(row), "raised_by_one": matrix.raised_by_one(row)}
                for row in matrix.rows
            ],
        },
    }
