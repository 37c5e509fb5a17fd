"""Kept pages (portal.kept): a kind of data gets a new token when a transaction that changed it
commits, however the change was made; a result is kept per the tokens of all it depends on."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import delete, insert, select, update

from consultations.models import Theme
from portal import kept
from portal.extensions import db
from portal.models import DataVersion
from tests.consultations.data import import_consultation, points
from tests.rounds.helpers import published_round

#: A store that depends on two kinds of data.
BOTH = kept.Kept("test: two kinds", depends_on=("organisations", "consultations"), size=4)


def _token(name: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(DataVersion.token).where(DataVersion.name == name))


def test_insert_update_and_delete_statements_renew_the_token_when_they_commit(app, world):
    consultation = import_consultation(world.region, labelled=points()[:2])
    db.session.commit()
    statements = [
        insert(Theme).values(consultation_id=consultation.id, key="extra", label="Extra"),
        update(Theme).where(Theme.key == "extra").values(label="Nog meer"),
        delete(Theme).where(Theme.key == "extra"),
    ]
    for statement in statements:
        before = _token("consultations")
        db.session.execute(statement)
        assert _token("consultations") == before  # not before the commit: the row stays unlocked
        db.session.commit()
        assert _token("consultations") != before, statement


def test_a_change_inside_a_savepoint_counts_when_the_transaction_commits(app, world):
    before = _token("organisations")
    with db.session.begin_nested():
        world.provider.name = "Aanbieder Een in een savepoint"
    assert _token("organisations") == before
    db.session.commit()
    assert _token("organisations") != before


def test_other_kinds_keep_their_tokens(app, world):
    before = {name: _token(name) for name in kept.watched()}
    world.provider.name = "Alleen een organisatie"
    db.session.commit()
    after = {name: _token(name) for name in kept.watched()}
    renewed = {name for name in kept.watched() if after[name] != before[name]}
    assert renewed == {"organisations", "accounts"}  # an organisation is in both kinds

    published_round(world, "Nieuwe ronde")
    again = {name: _token(name) for name in kept.watched()}
    assert {name for name in kept.watched() if again[name] != after[name]} == {"organisations"}, \
        "a new round changes no account"


def test_a_result_is_kept_per_the_tokens_of_every_kind_it_depends_on(app, world):
    both = BOTH
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    def next_request():
        g.pop("kept_tokens", None)

    with app.test_request_context():
        assert both.computed(db.session, ("page",), compute) == 1
        assert both.computed(db.session, ("page",), compute) == 1
        for name in ("organisations", "consultations"):
            kept.renew_at_commit(db.session, name)
            db.session.commit()
            next_request()
            assert both.computed(db.session, ("page",), compute) == len(calls) and calls
        assert len(calls) == 3
        db.session.execute(delete(DataVersion).where(DataVersion.name == "consultations"))
        db.session.commit()
        next_request()
        assert both.version(db.session) is None
        assert both.computed(db.session, ("page",), compute) == 4
        assert both.computed(db.session, ("page",), compute) == 5  # nothing kept without every token


def test_two_stores_never_share_a_label():
    with pytest.raises(ValueError):
        kept.Kept("KPI pages", depends_on=("organisations",), size=1)


def test_two_people_changing_the_same_kind_of_data_at_once_both_commit_and_renew_it(app, world):
    """Both transactions write the same token row just before they commit: the second waits for
    the first (PostgreSQL: a row lock; SQLite: one writer at a time) and neither change is lost."""
    import threading

    from portal.models import Provider

    before = _token("organisations")
    ids = [world.provider.id, world.other_provider.id]
    db.session.commit()
    ready = threading.Barrier(2, timeout=20)
    failures = []

    def rename(provider_id: int, name: str) -> None:
        try:
            with app.app_context():
                provider = db.session.get(Provider, provider_id)
                ready.wait()  # both have read before either writes
                provider.name = name
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)

    threads = [threading.Thread(target=rename, args=(provider_id, f"Tegelijk {number}"))
               for number, provider_id in enumerate(ids, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    db.session.expire_all()
    assert {db.session.get(Provider, provider_id).name for provider_id in ids} == {"Tegelijk 1", "Tegelijk 2"}
    assert _token("organisations") != before


def test_no_kept_page_holds_anything_of_the_person_who_asked_for_it(app, client, world):
    """Kept content is shown to everyone allowed to see the page: it must never carry a form token
    (the session's secret) or the name of whoever asked first."""
    from markupsafe import Markup

    from tests.conftest import sign_in_as
    from tests.screening import helpers

    helpers.submitted(world)
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=2)
    db.session.commit()
    pages = [("reviewer", "/beoordeling"), ("policy_officer", f"/analyse/consultaties/{consultation.id}/samenvatting"),
             (None, f"/register/{world.region.code}/{world.municipality.cbs_code}")]
    for role, url in pages:
        sign_in_as(client, world.user(role) if role else None)
        page = client.get(url).get_data(as_text=True)
        assert 'name="csrf_token"' in page or role is None  # the page itself has its forms
    kept_html = [value for name, store in app.extensions.items() if name.startswith("kept: ")
                 for value in _flattened(store.values()) if isinstance(value, Markup)]
    assert len(kept_html) >= 3
    for html in kept_html:
        assert "csrf_token" not in html
        assert not any(user.name in html or user.email in html for user in world.users.values())


def _flattened(values):
    for value in values:
        if isinstance(value, tuple):
            yield from _flattened(value)
        else:
            yield value
