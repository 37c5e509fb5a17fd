"""The scope summary holds exactly what the engine computes live (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.kpi import engine
from portal.kpi.dashboards import RegionScope
from portal.kpi.engine import Dimension, Period, Scope, clients_and_spend, kpis
from portal.kpi.summary import refresh_summaries
from portal.models import Claim, Trajectory
from portal.models.kpi import END_REASONS, ScopeSummary
from tests import factories
from tests.kpi import make_cast, run_import, trajectory

GROUPINGS = [
    [],
    [Dimension.PROVIDER],
    [Dimension.PRODUCT_GROUP],
    [Dimension.MUNICIPALITY],
    [Dimension.PROVIDER, Dimension.PRODUCT_GROUP],
    [Dimension.MUNICIPALITY, Dimension.PRODUCT_GROUP],
    [Dimension.PRODUCT_GROUP, Dimension.PROVIDER],
]


@pytest.fixture
def varied(app):
    """Two regions, five municipalities, four providers, three product groups, 2022-2025, seeded at random.

    Clients come back (distinct counts matter), care spans years and quarters, some goes on,
    every end reason occurs, scores and outcomes are sometimes missing, waits are often equal
    (ties in the medians).
    """
    cast = make_cast()
    other_region = factories.RegionFactory(name="Regio Elders", code="R-ELD")
    places = [cast.municipality, cast.other_municipality, factories.MunicipalityFactory(region=cast.region),
              factories.MunicipalityFactory(region=other_region), factories.MunicipalityFactory(region=other_region)]
    providers = [cast.provider, cast.other_provider, cast.third_provider, factories.ProviderFactory()]
    chance = random.Random(7)
    reasons = sorted(END_REASONS)
    for number in range(240):
        start = date(2022, 1, 1) + timedelta(days=chance.randrange(4 * 365))
        request = start - timedelta(days=chance.choice([0, 7, 7, 14, 30, 45, 90]))
        end = start + timedelta(days=chance.randrange(20, 500)) if chance.random() < 0.85 else None
        if end is not None and end > date(2025, 12, 31):
            end = None
        row = Trajectory(
            trajectory_ref=f"V{number}", client_ref=f"c{chance.randrange(90)}",
            municipality_id=chance.choice(places).id, provider_id=chance.choice(providers).id,
            product_group=chance.choice(["BEH", "BEG", "VBL"]), product_code="45A12", referrer="wijkteam",
            request_date=request, start_date=start, end_date=end,
            end_reason=chance.choice(reasons) if end else None,
            satisfaction=chance.choice([None, 3, 6, 7, 8, 9]) if end else None,
            goals_met=chance.choice([None, True, False]) if end else None,
        )
        row.claims = [Claim(period=date(start.year, start.month, 1), amount_granted=Decimal(chance.randrange(50, 900)))]
        db.session.add(row)
    refresh_summaries(db.session)
    db.session.commit()
    return cast, places, providers


def _periods():
    return [Period(year) for year in range(2022, 2026)] + [Period(2024, q) for q in (1, 2, 3, 4)] + [Period(2022, 1)]


def test_the_summary_covers_every_year_and_quarter_with_care(varied):
    covered = set(db.session.execute(select(ScopeSummary.year, ScopeSummary.quarter).distinct()).all())
    assert covered == {(year, quarter) for year in range(2022, 2026) for quarter in range(5)}


def test_the_summary_equals_the_live_engine_for_every_scope_and_breakdown(varied):
    cast, places, providers = varied
    region_ids = tuple(m.id for m in places[:3])
    scopes = [
        Scope(),
        RegionScope(municipality_ids=region_ids),
        RegionScope(municipality_ids=(places[1].id,)),
        RegionScope(municipality_ids=region_ids, provider_id=providers[0].id),
        RegionScope(municipality_ids=region_ids, product_group="BEH"),
        RegionScope(municipality_ids=region_ids, product_group="BEG", provider_id=providers[1].id),
        Scope(municipality_id=places[3].id, product_group="VBL"),
        Scope(provider_id=providers[2].id),
    ]
    compared = 0
    for period in _periods():
        for scope in scopes:
            for group_by in GROUPINGS:
                if any(getattr(scope, f"{d.value}_id" if d is not Dimension.PRODUCT_GROUP else d.value, None)
                       for d in group_by):
                    continue
                summarised = engine._from_summary(db.session, [period], list(group_by), scope)
                assert summarised is not None and period in summarised  # the summary answers
                fast = kpis(db.session, period=period, group_by=group_by, scope=scope)
                live = kpis(db.session, period=period, group_by=group_by, scope=scope, live=True)
                assert fast == live, (period, scope, group_by)
                compared += len(live)
    assert compared > 500


def test_a_scope_the_summary_does_not_hold_is_computed_live_with_the_same_result(varied):
    cast, places, _providers = varied
    two_of_three = RegionScope(municipality_ids=(places[0].id, places[2].id))
    assert engine._from_summary(db.session, [Period(2024)], [], two_of_three) is None
    [row] = kpis(db.session, period=Period(2024), scope=two_of_three)
    clients = db.session.scalar(select(func.count(func.distinct(Trajectory.client_ref))).where(
        Trajectory.municipality_id.in_(two_of_three.municipality_ids), Trajectory.start_date <= date(2024, 12, 31),
        (Trajectory.end_date.is_(None)) | (Trajectory.end_date >= date(2024, 1, 1))))
    assert row.clients == clients > 0


def test_a_period_after_the_summary_is_computed_live(varied):
    assert engine._from_summary(db.session, [Period(2027)], [], Scope()) == {}
    [fast] = kpis(db.session, period=Period(2027))
    [live] = kpis(db.session, period=Period(2027), live=True)
    assert fast == live and fast.clients > 0  # ongoing care counts in every later year


def test_clients_and_spend_from_the_summary_equal_the_live_figures(varied):
    cast, places, _providers = varied
    scope = RegionScope(municipality_ids=tuple(m.id for m in places[:3]))
    quarters = [Period(2023, 3), Period(2023, 4), Period(2024, 1), Period(2024, 2)]
    fast = clients_and_spend(db.session, periods=quarters, group_by=[Dimension.PROVIDER], scope=scope)
    live = clients_and_spend(db.session, periods=quarters, group_by=[Dimension.PROVIDER], scope=scope, live=True)
    assert fast == live and len(fast) >= 8


def test_an_import_that_fails_after_the_rebuild_rolls_the_summary_back(app, monkeypatch):
    from portal.kpi import importer
    from portal.kpi.importer import KpiImportError
    from tests.kpi import CLAIM_HEADER, TRAJECTORY_HEADER, csv_text

    cast = make_cast()
    trajectory("K1", provider=cast.provider, municipality=cast.municipality, start="2025-01-01",
               claims={"2025-01": "10.00"})
    before = sorted(db.session.execute(select(ScopeSummary.year, ScopeSummary.quarter, ScopeSummary.clients)).all())
    assert (2025, 0, 1) in before
    rebuilt = []

    def rebuild_then_fail(session):
        refresh_summaries(session)
        rebuilt.append(session.scalar(select(func.max(ScopeSummary.clients))))
        raise KpiImportError("stopped after the rebuild")

    monkeypatch.setattr(importer, "refresh_summaries", rebuild_then_fail)
    with pytest.raises(KpiImportError):
        run_import(csv_text(TRAJECTORY_HEADER,
                            "K2,c9,GM9801,90000001,BEH,45A12,wijkteam,2025-02-01,2025-02-01,,,,"),
                   csv_text(CLAIM_HEADER, "K2,2025-02,5.00"))
    db.session.rollback()
    assert rebuilt == [2]  # the new client was in the rebuilt summary ...
    after = sorted(db.session.execute(select(ScopeSummary.year, ScopeSummary.quarter, ScopeSummary.clients)).all())
    assert after == before  # ... and is gone with the failed import


def test_the_kpis_of_several_periods_at_once_equal_those_of_each_period(varied):
    cast, places, providers = varied
    scope = RegionScope(municipality_ids=tuple(m.id for m in places[:3]), provider_id=providers[1].id)
    quarters = [Period(2023, 2), Period(2023, 3), Period(2023, 4), Period(2024, 1), Period(2024, 2)]
    together = engine.kpis_per_period(db.session, periods=quarters, scope=scope)
    for quarter in quarters:
        [live] = kpis(db.session, period=quarter, scope=scope, live=True)
        assert together[quarter] == live
    assert any(row.clients and row.spend and row.previous_spend for row in together.values())


def test_market_figures_from_the_summary_equal_the_live_ones(varied):
    cast, places, _providers = varied
    scopes = [Scope(), RegionScope(municipality_ids=tuple(m.id for m in places[:3])),
              RegionScope(municipality_ids=tuple(m.id for m in places[:3]), product_group="BEH"),
              Scope(municipality_id=places[4].id)]
    for period in [Period(2023), Period(2024, 2), Period(2025)]:
        for scope in scopes:
            for group_by in ([], [Dimension.PRODUCT_GROUP], [Dimension.MUNICIPALITY]):
                assert engine._covered(db.session, period)
                fast = engine.market(db.session, period=period, group_by=group_by, scope=scope)
                live = engine.market(db.session, period=period, group_by=group_by, scope=scope, live=True)
                assert len(fast) == len(live)
                for one, other in zip(fast, live, strict=True):
                    # The same sums; only the order of adding squared shares may differ in the last bit.
                    assert (one.group, one.providers, one.spend, one.top3_spend, one.top10_spend,
                            one.previous_spend) == (other.group, other.providers, other.spend, other.top3_spend,
                                                    other.top10_spend, other.previous_spend)
                    assert one.hhi == pytest.approx(other.hhi, rel=1e-12)


def test_the_product_groups_of_the_filter_come_from_the_summary_and_match_the_trajectories(varied):
    from portal.kpi.dashboards import product_groups

    cast, places, _providers = varied
    ids = [places[0].id, places[3].id]
    expected = sorted(db.session.scalars(
        select(Trajectory.product_group).where(Trajectory.municipality_id.in_(ids)).distinct()))
    assert product_groups(db.session, ids) == expected == ["BEG", "BEH", "VBL"]
