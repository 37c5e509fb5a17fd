"""A fictional, hand-written labelled Dutch dataset to measure the theme suggestions.

``themes_nl.txt`` is the codebook (key | label | description); ``points_nl.txt`` holds the points
(theme | audience | text) as a person coded them. All text is invented for this purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from consultations.analysis.suggest import ThemeDoc, suggest

HERE = Path(__file__).parent


@dataclass(frozen=True)
class LabelledPoint:
    """A point with the theme and audience a person gave it."""

    ref: str
    theme: str
    audience: str
    text: str


def _rows(name: str) -> list[list[str]]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [[cell.strip() for cell in line.split("|", 2)] for line in lines if line.strip() and not line.startswith("#")]


def themes() -> list[ThemeDoc]:
    """Return the codebook."""
    return [ThemeDoc(key, label, description) for key, label, description in _rows("themes_nl.txt")]


def points() -> list[LabelledPoint]:
    """Return the labelled points, in file order, with refs p-1, p-2, ..."""
    return [LabelledPoint(f"p-{i}", theme, audience, text) for i, (theme, audience, text) in enumerate(_rows("points_nl.txt"), 1)]


def evaluate(coded_share: int = 3, coded_every: int | None = None) -> tuple[float, float, int]:
    """Code every ``coded_share``-th point, suggest the rest; return (first, in top 3, evaluated)."""
    data = points()
    step = coded_every or coded_share
    coded = [(p.text, p.theme) for i, p in enumerate(data) if i % step == 0]
    rest = [p for i, p in enumerate(data) if i % step != 0]
    return score(coded, rest)


def score(coded: list[tuple[str, str]], rest: list[LabelledPoint]) -> tuple[float, float, int]:
    """Suggest themes for ``rest`` given the coded points; return (first, in top 3, evaluated)."""
    results = suggest(themes(), coded, [(p.ref, p.text) for p in rest])
    truth = {p.ref: p.theme for p in rest}
    first = sum(1 for r in results if r.themes and r.themes[0][0] == truth[r.point])
    top3 = sum(1 for r in results if truth[r.point] in [key for key, _ in r.themes])
    return first / len(rest), top3 / len(rest), len(rest)


LETTER = """Geachte heer, mevrouw,

Namens de adviesraad sociaal domein danken wij u voor de gelegenheid om te reageren op het concept inkoopkader. Wij hebben het concept besproken in onze vergadering van september en willen u de volgende punten meegeven.

Onze punten:
- De wachtlijsten voor jeugd-GGZ zijn te lang; leg een maximale wachttijd vast.
- Betrek jongeren en ervaringsdeskundigen bij de beoordeling van aanbieders.
- Zorg dat ouders niet steeds dezelfde formulieren hoeven in te vullen.

Tot slot vragen wij u om de adviesraad op de hoogte te houden van het vervolg en ons de reactienota toe te sturen zodra die gereed is.

Met vriendelijke groet,
Adviesraad Sociaal Domein Eendorp"""


def archive_document(*, labelled: list[LabelledPoint] | None = None, with_themes: bool = True,
                     coded_every: int | None = None, per_response: int = 2) -> dict:
    """Return a consultation-archive/1 document of a closed consultation with the dataset's points.

    Points are grouped ``per_response`` to a reaction of their audience; every ``coded_every``-th
    point carries its theme (none when None). Each reaction also answers an agreement question.
    """
    labelled = points() if labelled is None else labelled
    responses = []
    by_audience: dict[str, list[LabelledPoint]] = {}
    for point in labelled:
        by_audience.setdefault(point.audience, []).append(point)
    number = 0
    choices = ["eens", "deels eens", "oneens", "geen mening"]
    for audience in sorted(by_audience):
        group = by_audience[audience]
        for start in range(0, len(group), per_response):
            number += 1
            chunk = group[start:start + per_response]
            answer_points = []
            for p in chunk:
                index = int(p.ref[2:]) - 1
                entry = {"ref": p.ref, "text": p.text}
                if coded_every and index % coded_every == 0:
                    entry["theme"] = p.theme
                answer_points.append(entry)
            responses.append({
                "ref": f"r-{number}", "respondent": f"{audience.title()} {number}", "audience": audience,
                "submitted": "2024-09-10T12:00:00+02:00",
                "answers": [{"question": "q1", "choice": choices[number % 4]},
                            {"question": "q2", "text": "\n\n".join(p.text for p in chunk), "points": answer_points}],
            })
    return {
        "format": "consultation-archive/1",
        "consultation": {
            "title": "Concept inkoopkader jeugdhulp (fictief)", "summary": "Wat vindt u van het nieuwe inkoopkader?",
            "opens": "2024-08-01T09:00:00+02:00", "closes": "2024-09-15T17:00:00+02:00",
            "audiences": sorted(by_audience),
            "questions": [{"key": "q1", "text": "Kunt u zich vinden in de voorgestelde koers?", "kind": "agreement"},
                          {"key": "q2", "text": "Welke punten wilt u ons meegeven?", "kind": "open"}],
        },
        "themes": [{"key": t.key, "label": t.label, "description": t.description} for t in themes()] if with_themes else [],
        "responses": responses,
    }


def import_consultation(region, **kwargs):
    """Import the dataset as a closed consultation of the region (flushed, not committed)."""
    import json

    from consultations import archive
    from portal.extensions import db

    return archive.import_archive(db.session, json.dumps(archive_document(**kwargs), ensure_ascii=False), region=region)
