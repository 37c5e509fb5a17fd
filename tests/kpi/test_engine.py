"""KPIs against hand-computed examples, on SQLite and PostgreSQL alike (DOMAIN.md definitions)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.kpi.engine import Dimension, Period, Scope, clients_and_spend, kpis, market
from tests import factories
from tests.kpi import trajectory


@pytest.fixture
def history(cast):
    """One provider's year, built so that every KPI can be worked out by hand.

    ref  client  request     start       end         reason  sat  goals  wait  duration
    T1   c1      2024-12-01  2025-01-01  2025-01-31  31      8    yes    31    30
    T2   c2      2025-01-20  2025-02-01  2025-03-03  32      4    no     12    30
    T3   c3      2025-03-01  2025-03-11  2025-06-08  36      -    -      10    89
    T4   c1      2025-04-01  2025-04-01  (ongoing)                       0
    T5   c4      2024-09-01  2024-10-01  2025-02-28  33      9    -      30    150  (spans two years)
    T6   c5      2025-05-01  2025-06-01  2025-12-31  38      -    yes    31    213
    """
    p, m = cast.provider, cast.municipality
    trajectory("T1", provider=p, municipality=m, client="c1", request="2024-12-01", start="2025-01-01",
               end="2025-01-31", reason="31", satisfaction=8, goals_met=True, claims={"2025-01": "1000.00"})
    trajectory("T2", provider=p, municipality=m, client="c2", request="2025-01-20", start="2025-02-01",
               end="2025-03-03", reason="32", satisfaction=4, goals_met=False,
               claims={"2025-02": "500.50", "2025-03": "250.25"})
    trajectory("T3", provider=p, municipality=m, client="c3", request="2025-03-01", start="2025-03-11",
               end="2025-06-08", reason="36")
    trajectory("T4", provider=p, municipality=m, client="c1", request="2025-04-01", start="2025-04-01",
               claims={"2025-04": "300", "2025-05": "300"})
    trajectory("T5", provider=p, municipality=m, client="c4", request="2024-09-01", start="2024-10-01",
               end="2025-02-28", reason="33", satisfaction=9,
               claims={"2024-12": "800", "2025-01": "800", "2025-02": "400"})
    trajectory("T6", provider=p, municipality=m, client="c5", request="2025-05-01", start="2025-06-01",
               end="2025-12-31", reason="38", goals_met=True)
    return cast


def test_a_providers_year_matches_the_hand_computed_kpis(history):
    [row] = kpis(db.session, period=Period(2025), group_by=[Dimension.PROVIDER])

    assert row.group.provider_kvk == "90000001"
    # c1 (twice: T1 and the ongoing T4), c2, c3, c4 (from 2024), c5.
    assert row.clients == 5
    assert row.spend == pytest.approx(3550.75)
    assert row.cost_per_client == pytest.approx(710.15)
    # Ended in 2025: 30, 30, 89, 150, 213 days: an odd count, the middle one.
    assert row.ended == 5
    assert row.duration_median_days == 89
    assert row.duration_mean_days == pytest.approx(102.4)
    # Started in 2025: 0, 10, 12, 31, 31 days; P90 at rank 1 + 0.9 * 4 = 4.6, between 31 and 31.
    assert row.started == 5
    assert row.wait_median_days == 12
    assert row.wait_p90_days == pytest.approx(31)
    # Reasons 36 and 38 are outside the denominator {31..35}: 31, 32 and 33 remain.
    assert row.ended_with_rate_reason == 3
    assert row.dropout_rate == pytest.approx(1 / 3)
    assert row.according_to_plan_rate == pytest.approx(1 / 3)
    assert row.satisfaction_mean == pytest.approx(7.0)  # (8 + 4 + 9) / 3
    assert row.goal_attainment_rate == pytest.approx(2 / 3)  # T1 yes, T2 no, T6 yes


def test_a_trajectory_spanning_two_years_counts_as_a_client_in_both(history):
    [year_2024] = kpis(db.session, period=Period(2024), group_by=[Dimension.PROVIDER])
    [year_2025] = kpis(db.session, period=Period(2025), group_by=[Dimension.PROVIDER])

    assert year_2024.clients == 1 and year_2024.spend == pytest.approx(800)
    assert year_2024.ended == 0 and year_2024.duration_median_days is None
    assert year_2024.wait_median_days == 30  # T5 started in 2024
    assert year_2025.previous_clients == 1
    assert year_2025.clients_growth == pytest.approx(4.0)
    assert year_2025.spend_growth == pytest.approx((3550.75 - 800) / 800)


def test_a_quarter_counts_care_during_the_quarter_and_compares_with_the_quarter_before(history):
    [q1] = kpis(db.session, period=Period(2025, 1), group_by=[Dimension.PROVIDER])

    assert q1.clients == 4  # T1, T2, T3 (from 11 March), T5; the ongoing T4 starts in April
    assert q1.spend == pytest.approx(2950.75)
    assert q1.ended == 3 and q1.duration_median_days == 30  # 30, 30, 150
    assert q1.previous_clients == 1 and q1.previous_spend == pytest.approx(800)  # 2024-Q4: T5


def test_an_ongoing_trajectory_counts_as_a_client_until_it_ends(history):
    [later] = kpis(db.session, period=Period(2027), group_by=[Dimension.PROVIDER])
    assert later.clients == 1  # T4 has no end date yet
    assert later.spend == 0 and later.cost_per_client == 0
    assert later.ended == 0 and later.dropout_rate is None and later.satisfaction_mean is None


def test_a_period_without_data_gives_none_not_zero_for_figures_that_need_data(cast):
    [overall] = kpis(db.session, period=Period(2025))
    assert (overall.clients, overall.spend) == (0, 0)
    assert overall.cost_per_client is None
    assert overall.duration_median_days is None and overall.wait_p90_days is None
    assert overall.goal_attainment_rate is None and overall.clients_growth is None
    assert kpis(db.session, period=Period(2025), group_by=[Dimension.PROVIDER]) == []


def test_even_counts_take_the_mean_of_the_middle_two_and_p90_interpolates(cast):
    p, m = cast.other_provider, cast.municipality
    for ref, request, start, end in [("W1", "2025-03-01", "2025-03-11", "2025-03-21"),   # wait 10, 10 days
                                     ("W2", "2025-03-01", "2025-03-21", "2025-04-10"),   # wait 20, 20 days
                                     ("W3", "2025-03-01", "2025-03-31", "2025-05-11"),   # wait 30, 41 days
                                     ("W4", "2025-03-01", "2025-06-09", "2025-07-29")]:  # wait 100, 50 days
        trajectory(ref, provider=p, municipality=m, request=request, start=start, end=end, reason="31")

    [row] = kpis(db.session, period=Period(2025), group_by=[Dimension.PROVIDER])

    assert row.wait_median_days == pytest.approx(25)      # (20 + 30) / 2
    assert row.wait_p90_days == pytest.approx(79)         # rank 3.7: 30 + 0.7 * (100 - 30)
    assert row.duration_median_days == pytest.approx(30.5)  # (20 + 41) / 2
    assert row.duration_mean_days == pytest.approx(30.25)
    assert row.dropout_rate == 0 and row.according_to_plan_rate == 1


def test_figures_break_down_by_municipality_and_product_group_and_filter_by_scope(cast):
    p, m, m2 = cast.provider, cast.municipality, cast.other_municipality
    trajectory("A", provider=p, municipality=m, start="2025-01-01", claims={"2025-01": "100"})
    trajectory("B", provider=p, municipality=m2, start="2025-01-01", claims={"2025-01": "200"})
    trajectory("C", provider=p, municipality=m2, start="2025-01-01", product_group="BEG", claims={"2025-02": "50"})

    rows = kpis(db.session, period=Period(2025), group_by=[Dimension.MUNICIPALITY, Dimension.PRODUCT_GROUP])
    assert [(r.group.municipality_code, r.group.product_group, r.clients, r.spend) for r in rows] == [
        ("GM9802", "BEH", 1, 200), ("GM9801", "BEH", 1, 100), ("GM9802", "BEG", 1, 50),
    ]
    [only] = kpis(db.session, period=Period(2025), scope=Scope(municipality_id=m2.id, product_group="BEH"))
    assert (only.clients, only.spend) == (1, 200)


def test_market_concentration_of_a_small_market(cast):
    """Spend 40, 20, 10 and eight times 3.75 (total 100): CR3 70%, CR10 96.25%, HHI 2212.5."""
    m = cast.municipality
    amounts = ["40", "20", "10"] + ["3.75"] * 8
    for n, amount in enumerate(amounts):
        provider = factories.ProviderFactory()
        trajectory(f"M{n}", provider=provider, municipality=m, start="2025-01-01",
                   claims={"2025-01": amount, "2024-06": "10"})
    # Not in the market: a provider whose claims are all zero, and another product group.
    trajectory("Z", provider=cast.provider, municipality=m, start="2025-01-01", claims={"2025-01": "0"})
    trajectory("G", provider=cast.other_provider, municipality=m, start="2025-01-01", product_group="BEG",
               claims={"2025-01": "500"})

    [beh] = market(db.session, period=Period(2025), scope=Scope(product_group="BEH"))

    assert beh.providers == 11
    assert beh.spend == pytest.approx(100)
    assert beh.cr3 == pytest.approx(0.70)
    assert beh.cr10 == pytest.approx(0.9625)
    assert beh.hhi == pytest.approx(1600 + 400 + 100 + 8 * 3.75**2)
    assert beh.spend_growth == pytest.approx((100 - 110) / 110)  # 2024: 11 x 10

    by_group = market(db.session, period=Period(2025), group_by=[Dimension.PRODUCT_GROUP])
    assert [(row.group.product_group, row.providers, row.hhi) for row in by_group] == [
        ("BEG", 1, pytest.approx(10_000)), ("BEH", 11, pytest.approx(2212.5)),
    ]


def test_an_empty_market_has_no_concentration_figures(cast):
    [empty] = market(db.session, period=Period(2025))
    assert (empty.providers, empty.spend, empty.cr3, empty.cr10, empty.hhi) == (0, 0, None, None, None)


def test_the_interpolated_percentiles_equal_postgresqls_percentile_cont(cast, app):
    """Same definition as percentile_cont: checked against PostgreSQL itself when it runs there."""
    waits = [0, 3, 3, 7, 12, 18, 25, 40, 41, 90, 120]
    for n, wait in enumerate(waits):
        day = 1 + wait % 28
        month = 1 + wait // 28
        trajectory(f"P{n}", provider=cast.provider, municipality=cast.municipality,
                   request="2025-01-01", start=f"2025-{month:02d}-{day:02d}")
    [row] = kpis(db.session, period=Period(2025))
    waits_in_days = sorted(
        int(days) for days in db.session.execute(text(
            "SELECT julianday(start_date) - julianday(request_date) FROM trajectories"
            if db.engine.dialect.name == "sqlite" else "SELECT start_date - request_date FROM trajectories"
        )).scalars()
    )

    def percentile_cont(values, fraction):
        position = (len(values) - 1) * fraction
        lower = int(position)
        upper = min(lower + 1, len(values) - 1)
        return values[lower] + (position - lower) * (values[upper] - values[lower])

    assert row.wait_median_days == pytest.approx(percentile_cont(waits_in_days, 0.5))
    assert row.wait_p90_days == pytest.approx(percentile_cont(waits_in_days, 0.9))
    if db.engine.dialect.name == "postgresql":
        median, p90 = db.session.execute(text(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY start_date - request_date),"
            " percentile_cont(0.9) WITHIN GROUP (ORDER BY start_date - request_date) FROM trajectories"
        )).one()
        assert (row.wait_median_days, row.wait_p90_days) == (pytest.approx(median), pytest.approx(p90))


def test_the_number_of_statements_does_not_grow_with_the_data(cast):
    from tests.querycount import count_queries

    def statements() -> int:
        with count_queries() as counter:
            kpis(db.session, period=Period(2025), group_by=[Dimension.PROVIDER, Dimension.MUNICIPALITY])
            market(db.session, period=Period(2025), group_by=[Dimension.MUNICIPALITY])
        return counter.count

    trajectory("S0", provider=cast.provider, municipality=cast.municipality, start="2025-01-01",
               claims={"2025-01": "1"})
    few = statements()
    for n in range(1, 8):
        provider = cast.other_provider if n % 2 else cast.third_provider
        trajectory(f"S{n}", provider=provider, municipality=cast.other_municipality, start="2025-01-01",
                   claims={"2025-01": "1"})
    assert statements() == few



def test_clients_and_spend_of_several_quarters_at_once_match_the_kpis_of_each_quarter(history):
    quarters = [Period(2024, 3), Period(2024, 4), Period(2025, 1), Period(2025, 2), Period(2025, 4)]
    together = clients_and_spend(db.session, periods=quarters, group_by=[Dimension.PROVIDER])
    provider = history.provider.id
    # By hand: Q1 2025 has c1 (T1), c2, c3 and c4 (T5) and 1000 + 500.50 + 250.25 + 800 + 400 of claims.
    assert together[(Period(2025, 1), provider)] == (4, pytest.approx(2950.75))
    assert (Period(2024, 3), provider) not in together  # nothing yet: left out, not zero
    for quarter in quarters[1:]:
        [one] = kpis(db.session, period=quarter, group_by=[Dimension.PROVIDER])
        assert together[(quarter, provider)] == (one.clients, pytest.approx(one.spend))
