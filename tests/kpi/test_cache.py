"""Computed KPI pages are kept per data version: never shown after what they were computed from
changed, never shown to someone whose key differs (portal.kpi.cache, portal.kept)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from flask import g

from portal.extensions import db
from portal.kpi import cache
from portal.models import DataVersion, User
from tests.conftest import sign_in_as
from tests.kpi.test_dashboards import _cells, _clients, _main, _round_with_groups


def _provider_page(client, key: str = "gemeenten") -> list[list[str]]:
    return _cells(_main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True)), key)


def test_new_care_data_shows_at_once(client, world):
    _clients("first", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    assert _provider_page(client)[0][:2] == ["Eendorp", "6"]
    assert _provider_page(client)[0][:2] == ["Eendorp", "6"]  # from the kept page
    _clients("more", 3, provider=world.provider, municipality=world.municipality)  # summaries rebuilt, as by an import
    assert _provider_page(client)[0][:2] == ["Eendorp", "9"]


def test_each_provider_gets_its_own_page_at_the_same_address(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    _clients("other", 8, provider=world.other_provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    assert _provider_page(client)[0][:2] == ["Eendorp", "6"]
    other = db.session.scalar(db.select(User).where(User.email == "other_provider_admin@test.example.org"))
    sign_in_as(client, other)
    assert _provider_page(client)[0][:2] == ["Eendorp", "8"]
    sign_in_as(client, world.user("provider_admin"))
    assert _provider_page(client)[0][:2] == ["Eendorp", "6"]


def test_a_renamed_municipality_and_provider_show_at_once(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    assert _provider_page(client)[0][0] == "Eendorp"
    world.municipality.name = "Eendorp aan Zee"
    db.session.commit()
    assert _provider_page(client)[0][0] == "Eendorp aan Zee"

    sign_in_as(client, world.user("buyer"))
    market = _main(client.get("/kpi/gemeente?jaar=2025").get_data(as_text=True))
    assert "Aanbieder Een" in market
    world.provider.name = "Aanbieder Een en Co"
    db.session.commit()
    market = _main(client.get("/kpi/gemeente?jaar=2025").get_data(as_text=True))
    assert "Aanbieder Een en Co" in market


def test_a_renamed_product_group_shows_at_once(client, world):
    round_ = _round_with_groups(world.region, ("BEH", "Behandeling"))
    _clients("own", 6, provider=world.provider, municipality=world.municipality, group="BEH")
    sign_in_as(client, world.user("provider_admin"))
    assert _provider_page(client, "productgroepen")[0][0] == "Behandeling"
    round_.product_groups[0].name = "Behandeling jeugd"
    db.session.commit()
    assert _provider_page(client, "productgroepen")[0][0] == "Behandeling jeugd"


def test_the_council_view_and_the_scoreboard_follow_new_data(client, world):
    from portal.kpi import dashboards

    dashboards.save_kpi_settings(db.session, region_id=world.region.id, scoreboard_public=True, growth_threshold=15)
    _clients("first", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("policy_officer"))
    council = lambda: _cells(client.get("/kpi/raad").get_data(as_text=True), "gemeenten")[0][1]  # noqa: E731
    assert council() == "6"
    _clients("more", 4, provider=world.provider, municipality=world.municipality)
    assert council() == "10"
    scoreboard = client.get(f"/openbaar/scorebord/{world.region.code}?jaar=2025").get_data(as_text=True)
    assert "Aanbieder Een" in scoreboard
    _clients("other", 6, provider=world.other_provider, municipality=world.municipality)
    scoreboard = client.get(f"/openbaar/scorebord/{world.region.code}?jaar=2025").get_data(as_text=True)
    assert "Aanbieder Twee" in scoreboard


def test_nothing_is_kept_before_the_summaries_exist(app):
    with app.test_request_context():
        assert db.session.get(DataVersion, "kpi") is None
        assert cache.pages.version(db.session) is None
        results = iter([1, 2])
        assert cache.computed(db.session, ("test",), lambda: next(results)) == 1
        assert cache.computed(db.session, ("test",), lambda: next(results)) == 2


def test_a_page_is_computed_once_per_key_and_version(app):
    with app.test_request_context():
        db.session.add(DataVersion(name="kpi", token=uuid4().hex))
        db.session.commit()
        calls = []
        compute = lambda: calls.append(1) or len(calls)  # noqa: E731
        assert cache.computed(db.session, ("one",), compute) == 1
        assert cache.computed(db.session, ("one",), compute) == 1
        assert cache.computed(db.session, ("two",), compute) == 2
        db.session.get(DataVersion, "kpi").token = uuid4().hex
        db.session.commit()
        del g.kept_tokens  # the version is read once per request: this is the next one
        assert cache.computed(db.session, ("one",), compute) == 3


@pytest.mark.parametrize("size", [1, 3])
def test_the_least_recently_used_page_goes_first(app, monkeypatch, size):
    monkeypatch.setattr(cache.pages, "size", size)
    monkeypatch.delitem(app.extensions, "kept: KPI pages", raising=False)
    with app.test_request_context():
        db.session.add(DataVersion(name="kpi", token=uuid4().hex))
        db.session.commit()
        for key in range(size + 1):
            assert cache.computed(db.session, (key,), lambda key=key: f"page {key}") == f"page {key}"
        assert cache.computed(db.session, (size,), lambda: "computed again") == f"page {size}"
        assert cache.computed(db.session, (0,), lambda: "computed again") == "computed again"
        assert len(app.extensions["kept: KPI pages"]) == size
    app.extensions.pop("kept: KPI pages")


def test_the_kept_tables_are_drawn_in_the_reader_s_language(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    dutch = _main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True))
    with client.session_transaction() as session:
        session["locale"] = "en"
    english = _main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True))
    with client.session_transaction() as session:
        session["locale"] = "nl"
    again = _main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True))
    assert "Downloaden als CSV" in dutch and "€ 12.000" in dutch
    assert "Download as CSV" in english and "€ 12,000" in english and "Downloaden als CSV" not in english
    assert _cells(again, "gemeenten") == _cells(dutch, "gemeenten") and "Downloaden als CSV" in again


def test_a_region_the_provider_gets_care_in_shows_at_once(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    assert client.get(f"/kpi/aanbieder?regio={world.other_region.code}").status_code == 404
    _clients("there", 6, provider=world.provider, municipality=world.other_region.municipalities[0])
    page = client.get(f"/kpi/aanbieder?regio={world.other_region.code}")
    assert page.status_code == 200
    assert _provider_page(client)[0][0] == "Eendorp"  # the first region by name is still the default


def test_a_new_round_s_name_for_a_product_group_shows_at_once(client, world):
    from portal.models.rounds import RoundStatus

    _clients("own", 6, provider=world.provider, municipality=world.municipality, group="BEH")
    sign_in_as(client, world.user("provider_admin"))
    assert _provider_page(client, "productgroepen")[0][0] == "BEH"  # no round names it yet
    draft = _round_with_groups(world.region, ("BEH", "Behandeling"), status=RoundStatus.DRAFT)
    assert _provider_page(client, "productgroepen")[0][0] == "Behandeling"
    _round_with_groups(world.region, ("BEH", "Behandeling (gepubliceerd)"))
    assert _provider_page(client, "productgroepen")[0][0] == "Behandeling (gepubliceerd)"
    db.session.delete(draft)
    db.session.commit()
    assert _provider_page(client, "productgroepen")[0][0] == "Behandeling (gepubliceerd)"


def _token():
    db.session.expire_all()
    return db.session.get(DataVersion, "organisations").token


def test_only_a_change_to_what_the_pages_name_gives_a_new_token(app, world):
    """The organisations' token: the KPI pages name organisations, rounds and product groups."""
    from portal.models import ProductGroup

    with app.test_request_context():
        before = _token()
        world.user("provider_admin").name = "Iemand anders"
        db.session.commit()
        assert _token() == before  # a person is not on the KPI pages
        round_ = _round_with_groups(world.region, ("BEH", "Behandeling"))
        assert _token() != before
        for change in (
            lambda: setattr(round_, "title", "Open House 2027"),
            lambda: db.session.add(ProductGroup(round=round_, code="BGI", name="Begeleiding")),
            lambda: db.session.delete(round_.product_groups[0]),
            lambda: setattr(world.other_provider, "kvk_number", "99887766"),
        ):
            before = _token()
            change()
            db.session.commit()
            assert _token() != before
        db.session.rollback()
