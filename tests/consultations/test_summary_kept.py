"""A consultation's summary is kept while what it shows stays the same, and never after it changed
(consultations.analysis.summaries.kept, portal.kept)."""

from __future__ import annotations

import re

from sqlalchemy import select

from consultations.analysis import services, summaries
from consultations.models import Point, Response, ResponseStatus
from portal.clock import now
from portal.extensions import db
from portal.models import DataVersion, User
from tests.conftest import sign_in_as
from tests.querycount import count_queries
from tests.consultations.data import import_consultation, points

P = "/analyse/consultaties/"


def _matrix(client, consultation) -> dict[str, str]:
    """Return the summary's theme × audience matrix as {theme label: its cells, joined}."""
    page = client.get(f"{P}{consultation.id}/samenvatting")
    assert page.status_code == 200
    table = re.search(r'<table class="table" id="theme-matrix">(.*?)</table>', page.get_data(as_text=True), re.S)
    rows = re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table.group(1), re.S) if table else []
    return {label: " ".join(re.findall(r"<td>(.*?)</td>", cells)) for label, cells in rows}


def _coded(consultation) -> list[Point]:
    return list(db.session.scalars(
        select(Point).where(Point.consultation_id == consultation.id, Point.theme_id.is_not(None)).order_by(Point.id)))


def _counting_computations(monkeypatch) -> list[int]:
    computed = []
    real = summaries.theme_matrix
    monkeypatch.setattr(summaries, "theme_matrix", lambda *args: computed.append(1) or real(*args))
    return computed


def test_the_summary_is_computed_once_while_nothing_changes(client, world, monkeypatch):
    consultation = import_consultation(world.region, labelled=points()[:12], coded_every=2)
    db.session.commit()
    computed = _counting_computations(monkeypatch)
    sign_in_as(client, world.user("policy_officer"))

    first = _matrix(client, consultation)
    assert first and _matrix(client, consultation) == first
    assert len(computed) == 1
    with client.session_transaction() as session:
        session["locale"] = "en"
    assert "Themes per audience" in client.get(f"{P}{consultation.id}/samenvatting").get_data(as_text=True)
    assert len(computed) == 2  # another language is another rendering


def test_coding_merging_and_renaming_show_at_once(client, world):
    consultation = import_consultation(world.region, labelled=points()[:12], coded_every=1)
    db.session.commit()
    actor = world.user("policy_officer")
    sign_in_as(client, actor)
    before = _matrix(client, consultation)

    # Coding one point: an ORM change in a flush.
    point = _coded(consultation)[0]
    themes = list(consultation.themes)
    other, target = [theme for theme in themes if theme.id != point.theme_id][:2]
    services.code_point(db.session, point=point, theme=other, seen_version=None, actor=actor)
    db.session.commit()
    coded = _matrix(client, consultation)
    assert coded[other.label] != before[other.label]

    # Merging two themes: a bulk UPDATE of the points, then the source theme removed.
    source = other
    services.merge_themes(db.session, source=source, target=target, actor=actor)
    db.session.commit()
    merged = _matrix(client, consultation)
    assert source.label not in merged and merged[target.label] != coded[target.label]

    # Renaming a theme.
    old_label = target.label
    services.update_theme(db.session, theme=target, label="Wachttijden en doorlooptijden", description=None, actor=actor)
    db.session.commit()
    renamed = _matrix(client, consultation)
    assert renamed["Wachttijden en doorlooptijden"] == merged[old_label] and old_label not in renamed


def test_a_reaction_withdrawn_and_submitted_again_shows_at_once(client, world):
    consultation = import_consultation(world.region, labelled=points()[:12], coded_every=1)
    db.session.commit()
    sign_in_as(client, world.user("policy_officer"))
    before = _matrix(client, consultation)

    response = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id)).first()
    response.status, response.withdrawn_at = ResponseStatus.WITHDRAWN, now()
    db.session.commit()
    withdrawn = _matrix(client, consultation)
    assert withdrawn != before

    response.status, response.withdrawn_at = ResponseStatus.SUBMITTED, None
    db.session.commit()
    assert _matrix(client, consultation) == before


def test_a_bulk_update_renews_the_token_when_it_commits(app, world):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    db.session.commit()
    token = lambda: db.session.scalar(select(DataVersion.token).where(DataVersion.name == "consultations"))  # noqa: E731
    before = token()
    db.session.execute(db.update(Point).where(Point.consultation_id == consultation.id)
                       .values(theme_id=None).execution_options(synchronize_session=False))
    assert token() == before  # renewed when the transaction commits, not before
    db.session.commit()
    assert token() != before


def test_nothing_is_kept_without_a_token(client, world, monkeypatch):
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=1)
    db.session.execute(db.delete(DataVersion).where(DataVersion.name == "consultations"))
    db.session.commit()
    computed = _counting_computations(monkeypatch)
    sign_in_as(client, world.user("policy_officer"))

    assert _matrix(client, consultation) == _matrix(client, consultation)
    assert len(computed) == 2


def test_a_kept_summary_page_asks_only_for_the_tokens_and_still_checks_the_region(client, world):
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=2)
    db.session.commit()
    sign_in_as(client, world.user("policy_officer"))
    url = f"{P}{consultation.id}/samenvatting"
    client.get(url)
    with count_queries() as kept_page:
        page = client.get(url).get_data(as_text=True)
    assert consultation.title in page
    assert kept_page.count == 1, kept_page.statements  # the tokens: the user and the page are kept

    consultation.title = "Een nieuwe titel"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "<title>Samenvatting: Een nieuwe titel" in page and "<h1>Samenvatting: Een nieuwe titel</h1>" in page

    outsider = db.session.scalar(select(User).where(User.email == "other_region_admin@test.example.org"))
    sign_in_as(client, outsider)
    assert client.get(url).status_code == 404, "kept for one region, not shown to another"
    assert client.get(f"{P}999999/samenvatting").status_code == 404
