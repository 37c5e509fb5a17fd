"""The KPI dashboards as their readers meet them: own figures only, small numbers hidden,
signals that point at the figures, charts that say what their tables say, and downloads."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from openpyxl import load_workbook

from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.kpi import dashboards
from portal.kpi.engine import Period
from portal.kpi.summary import new_data_version
from tests import factories
from tests.conftest import sign_in_as
from tests.kpi import trajectory
from tests.querycount import count_queries, nothing_kept

YEAR = {"2025-01": "1000.00", "2025-02": "1000.00"}


def _clients(prefix: str, count: int, *, provider, municipality, claims=None, group="BEH", start="2025-01-06",
             end="2025-03-31", reason="31", satisfaction=7, goals_met=True):
    """Give a provider count clients with one trajectory each."""
    for number in range(count):
        trajectory(
            f"{prefix}-{number}", provider=provider, municipality=municipality, start=start,
            request="2024-12-01" if start >= "2025" else start, end=end, reason=reason,
            satisfaction=satisfaction, goals_met=goals_met, product_group=group, claims=claims or YEAR,
        )


def _main(html: str) -> str:
    """Return the page's main content (the header repeats the address for the language switch)."""
    return re.search(r"<main.*</main>", html, re.S).group(0)


def _cells(html: str, key: str) -> list[list[str]]:
    """Return the text of the rows of one figure's table."""
    section = re.search(rf'<section class="kpi-figure" id="{key}".*?</section>', html, re.S).group(0)
    table = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def test_a_provider_sees_its_own_figures_and_never_another_providers(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    _clients("other", 6, provider=world.other_provider, municipality=world.municipality,
             claims={"2025-01": "7777.00"})
    sign_in_as(client, world.user("provider_admin"))

    for url in ("/kpi/aanbieder", f"/kpi/aanbieder?aanbieder={world.other_provider.kvk_number}"):
        html = _main(client.get(url).get_data(as_text=True))
        assert "Aanbieder Twee" not in html and world.other_provider.kvk_number not in html
        assert "7.777" not in html and "46.662" not in html  # the other's monthly and yearly spend
        assert _cells(html, "gemeenten")[0][:3] == ["Eendorp", "6", "€ 12.000"]
    csv_text = client.get("/kpi/aanbieder/gemeenten.csv").get_data(as_text=True)
    assert "7777" not in csv_text and "46662" not in csv_text and "12000" in csv_text
    assert client.get(f"/kpi/gemeente/aanbieders/{world.other_provider.kvk_number}").status_code == 403


def test_the_benchmark_shows_statistics_only_with_enough_providers(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    alone = _cells(client.get("/kpi/aanbieder").get_data(as_text=True), "kengetallen")
    assert alone[0] == [_("Clients"), "6", "–", "–", "–"]
    for index, count in enumerate((1, 2, 3, 4)):
        _clients(f"peer{index}", count, provider=factories.ProviderFactory(), municipality=world.municipality)
    rows = _cells(client.get("/kpi/aanbieder").get_data(as_text=True), "kengetallen")
    assert rows[0] == [_("Clients"), "6", "3", "2", "4"]  # median, 25th and 75th percentile of 1, 2, 3, 4, 6


def test_a_provider_is_refused_a_region_it_has_no_care_in(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("provider_admin"))
    assert client.get(f"/kpi/aanbieder?regio={world.other_region.code}").status_code == 404
    assert client.get(f"/kpi/aanbieder?regio={world.region.code}").status_code == 200


def test_the_council_never_sees_a_figure_of_four_clients(client, world):
    small = factories.MunicipalityFactory(region=world.region, name="Kleindorp")
    _clients("big", 6, provider=world.provider, municipality=world.municipality)
    _clients("small", 4, provider=world.provider, municipality=small, claims={"2025-01": "1234.00"})
    sign_in_as(client, world.user("policy_officer"))
    html = client.get("/kpi/raad").get_data(as_text=True)
    rows = {row[0]: row for row in _cells(html, "gemeenten")}
    assert rows["Kleindorp"][1:] == [_("fewer than 5")] * 7
    assert rows["Eendorp"][1] == "6"
    assert "4.936" not in html and "1.234" not in html
    assert "4936" not in client.get("/kpi/raad/gemeenten.csv").get_data(as_text=True)


def test_one_hidden_product_group_takes_the_next_smallest_with_it(app, world):
    _clients("beh", 9, provider=world.provider, municipality=world.municipality, group="BEH")
    _clients("bgi", 6, provider=world.provider, municipality=world.municipality, group="BGI")
    _clients("cri", 3, provider=world.provider, municipality=world.municipality, group="CRI")
    page = dashboards.council_view(db.session, municipality_ids=[world.municipality.id], period=Period(2025))
    rows = {row[1]: row for row in page.table("productgroepen").rows}
    assert rows["CRI"][2:] == [dashboards.SUPPRESSED] * 3
    assert rows["BGI"][2:] == [dashboards.SUPPRESSED] * 3  # else total minus BEH minus BGI = CRI
    assert rows["BEH"][2] == 9


def test_a_body_member_sees_only_the_municipality_of_the_body(client, world):
    other = factories.MunicipalityFactory(region=world.region, name="Anderdorp")
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    _clients("other", 6, provider=world.provider, municipality=other)
    sign_in_as(client, world.user("body_member"))
    rows = _cells(client.get("/kpi/raad").get_data(as_text=True), "gemeenten")
    assert [row[0] for row in rows] == ["Eendorp"]


def test_the_scoreboard_is_not_there_until_the_region_switches_it_on(client, world):
    _clients("good", 6, provider=world.provider, municipality=world.municipality)
    _clients("few", 4, provider=world.other_provider, municipality=world.municipality, satisfaction=2)
    assert client.get(f"/openbaar/scorebord/{world.region.code}").status_code == 404
    sign_in_as(client, world.user("region_admin"))
    response = client.post("/kpi/instellingen", data={"scoreboard_public": "y", "growth_threshold": "20"})
    assert response.status_code == 302
    assert dashboards.kpi_settings(db.session, world.region.id).growth_threshold == 20
    client.post("/uitloggen")
    html = client.get(f"/openbaar/scorebord/{world.region.code}").get_data(as_text=True)
    rows = {row[0]: row for row in _cells(html, "productgroep-beh")}
    assert rows["Aanbieder Een"][1:] == ["0,0%", "7,0", "100,0%"]
    assert rows["Aanbieder Twee"][1:] == [_("fewer than 5")] * 3
    assert "2,0" not in html
    assert client.get("/openbaar/scorebord/ONBEKEND").status_code == 404


def test_growth_mix_shift_and_small_providers_raise_signals_that_link_to_the_figures(client, world):
    shifting = world.provider
    # 2024: 10 clients in BGI, 5 in the expensive VBL; 2025: 20 in BGI (growth), 10 in VBL (more of the mix).
    _clients("a24", 10, provider=shifting, municipality=world.municipality, group="BGI", start="2024-01-08",
             end="2024-06-30", claims={"2024-01": "500.00"})
    _clients("b24", 5, provider=shifting, municipality=world.municipality, group="VBL", start="2024-01-08",
             end="2024-06-30", claims={"2024-01": "600.00"})
    _clients("a25", 20, provider=shifting, municipality=world.municipality, group="BGI", claims={"2025-01": "200.00"})
    _clients("b25", 10, provider=shifting, municipality=world.municipality, group="VBL", claims={"2025-01": "5000.00"})
    _clients("tiny", 2, provider=world.other_provider, municipality=world.municipality, group="BGI")
    sign_in_as(client, world.user("contract_manager"))
    html = client.get("/kpi/gemeente?jaar=2025&groei=15").get_data(as_text=True)
    signals = _cells(html, "signalen")
    kinds = {(row[0], row[1]) for row in signals}
    assert ("Aanbieder Een", _("Fast growth")) in kinds
    assert ("Aanbieder Een", _("Shift to more expensive products")) in kinds
    assert ("Aanbieder Twee", _("Very few clients")) in kinds
    link = re.search(rf'href="(/kpi/gemeente/aanbieders/{shifting.kvk_number}[^"]*)"', html).group(1)
    figures = client.get(link.replace("&amp;", "&"))
    assert figures.status_code == 200
    mix = {row[0]: row for row in _cells(figures.get_data(as_text=True), "productmix")}
    assert mix["VBL"][1] == "€ 50.000"
    assert _("Clients grew by %(growth)s, from %(before)s to %(now)s.", growth="+113,3%", before="15", now="32") in html
    assert "Clients grew" not in client.get("/kpi/gemeente?jaar=2025&groei=200").get_data(as_text=True)


def test_a_chart_has_a_title_and_description_and_says_what_its_table_says(client, world):
    _clients("beh", 6, provider=world.provider, municipality=world.municipality, group="BEH")
    _clients("cri", 7, provider=world.other_provider, municipality=world.municipality, group="CRI",
             claims={"2025-03": "3100.50"})
    sign_in_as(client, world.user("buyer"))
    html = client.get("/kpi/gemeente").get_data(as_text=True)
    section = re.search(r'<section class="kpi-figure" id="productgroepen".*?</section>', html, re.S).group(0)
    svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    ident = re.search(r'aria-labelledby="([^ ]+)-title \1-desc"', svg).group(1)
    assert 'role="img"' in svg and f'<title id="{ident}-title">' in svg and f'<desc id="{ident}-desc">' in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    table = _cells(section, "productgroepen")
    assert [text for text in texts if text.startswith("€")] == [row[1] for row in table]
    assert [text for text in texts if not text.startswith("€")] == [row[0] for row in table]


def test_the_downloads_hold_the_table(client, world):
    _clients("beh", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("buyer"))
    response = client.get("/kpi/gemeente/aanbieders.csv?jaar=2025")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == [_("Provider"), _("Spend"), _("Share of spend") + " (%)", _("Clients")]
    assert rows[1][:4] == ["Aanbieder Een", "12000.0", "100.0", "6"]
    workbook = load_workbook(io.BytesIO(client.get("/kpi/gemeente/aanbieders.xlsx?jaar=2025").data))
    values = list(workbook.active.iter_rows(values_only=True))
    assert values[1][:4] == (_("Provider"), _("Spend"), _("Share of spend") + " (%)", _("Clients"))
    assert values[2][:4] == ("Aanbieder Een", 12000, 100, 6)
    assert client.get("/kpi/gemeente/onbekend.csv").status_code == 404


def _grow(world, prefix: str, providers: int) -> None:
    municipality = factories.MunicipalityFactory(region=world.region)
    for index in range(providers):
        provider = factories.ProviderFactory()
        for group in ("BEH", "BGI"):
            _clients(f"{prefix}-{index}-{group}", 3, provider=provider, municipality=municipality, group=group)
            _clients(f"{prefix}-{index}-{group}-24", 2, provider=provider, municipality=world.municipality,
                     group=group, start="2024-02-05", end="2024-12-31", claims={"2024-03": "800.00"})


@pytest.mark.parametrize(("role", "url"), [
    ("provider_admin", "/kpi/aanbieder"),
    ("buyer", "/kpi/gemeente?jaar=2025"),
    ("buyer", "/kpi/gemeente/aanbieders/{kvk}?jaar=2025"),
    ("body_member", "/kpi/raad"),
    (None, "/openbaar/scorebord/R1"),
])
def test_a_dashboard_sends_as_many_statements_for_much_data_as_for_little(client, world, role, url):
    dashboards.save_kpi_settings(db.session, region_id=world.region.id, scoreboard_public=True, growth_threshold=15)
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    _grow(world, "little", 2)
    url = url.format(kvk=world.provider.kvk_number)
    sign_in_as(client, world.user(role) if role else None)
    client.get(url)
    new_data_version(db.session)  # computed again, not taken from the kept pages (portal.kpi.cache)
    db.session.commit()
    nothing_kept()
    with count_queries() as little:
        assert client.get(url).status_code == 200
    _grow(world, "much", 6)  # a new data version too, as after every import
    nothing_kept()
    with count_queries() as much:
        assert client.get(url).status_code == 200
    assert much.count == little.count, "\n".join(much.statements)
    with count_queries() as kept:
        assert client.get(url).status_code == 200
    assert kept.count < much.count, "\n".join(kept.statements)



def _peers(world, counts=(1, 2, 3, 4)) -> None:
    """Give other providers in world.municipality these numbers of clients in 2025-Q1."""
    for index, count in enumerate(counts):
        _clients(f"peer{index}", count, provider=factories.ProviderFactory(), municipality=world.municipality)


def test_the_providers_trend_shows_the_regional_median_as_a_dashed_line_and_in_the_table(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    _peers(world)  # 1, 2, 3 and 4 clients, each client 2,000 of spend in 2025-Q1
    sign_in_as(client, world.user("provider_admin"))
    html = _main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True))
    rows = {row[0]: row for row in _cells(html, "trend")}
    # Clients 6, 1, 2, 3, 4: median 3; spend 12,000, 2,000, 4,000, 6,000, 8,000: median 6,000.
    assert rows["2025-Q1"][1:5] == ["6", "3", "€ 12.000", "€ 6.000"]
    assert rows["2025-Q2"][2] == "–" and rows["2024-Q4"][2] == "–"  # nobody had care then: no median
    section = re.search(r'<section class="kpi-figure" id="trend".*?</section>', html, re.S).group(0)
    clients_chart, spend_chart = re.findall(r"<svg.*?</svg>", section, re.S)
    for chart, median in ((clients_chart, "3"), (spend_chart, "€ 6.000")):
        assert re.search(r'<polyline class="chart__reference" points="[^"]+"[^>]*stroke-dasharray', chart)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
        assert median in texts and _("Regional median") in texts


def test_the_regional_median_needs_five_providers(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    _peers(world, (1, 2, 3))
    sign_in_as(client, world.user("provider_admin"))
    html = _main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True))
    rows = {row[0]: row for row in _cells(html, "trend")}
    assert rows["2025-Q1"][1:5] == ["6", "–", "€ 12.000", "–"]
    assert "chart__reference" not in html


def _round_with_groups(region, *groups: tuple[str, str], status=None):
    from portal.models import ProductGroup, Round
    from portal.models.rounds import RoundStatus

    round_ = Round(region=region, title="Open House test", status=status or RoundStatus.PUBLISHED)
    round_.product_groups = [ProductGroup(code=code, name=name) for code, name in groups]
    db.session.add(round_)
    db.session.commit()
    return round_


def test_the_dashboards_name_product_groups_as_the_regions_rounds_do(client, world):
    from portal.models.rounds import RoundStatus

    _round_with_groups(world.region, ("BEH", "Behandeling in concept"), status=RoundStatus.DRAFT)
    _round_with_groups(world.region, ("BEH", "Behandeling"), ("BGI", "Begeleiding individueel"))
    _round_with_groups(world.other_region, ("CRI", "Crisis elders"))
    _clients("beh", 6, provider=world.provider, municipality=world.municipality, group="BEH")
    _clients("cri", 6, provider=world.provider, municipality=world.municipality, group="CRI")
    dashboards.save_kpi_settings(db.session, region_id=world.region.id, scoreboard_public=True, growth_threshold=15)
    db.session.commit()

    sign_in_as(client, world.user("provider_admin"))
    provider = _main(client.get("/kpi/aanbieder?jaar=2025").get_data(as_text=True))
    assert [row[0] for row in _cells(provider, "productgroepen")] == ["Behandeling", "CRI"]  # no name in this region

    sign_in_as(client, world.user("buyer"))
    market = _main(client.get("/kpi/gemeente?jaar=2025").get_data(as_text=True))
    for key in ("productgroepen", "wachttijden", "kosten-per-client"):
        assert {row[0] for row in _cells(market, key)} == {"Behandeling", "CRI"}, key
    assert '<option value="BEH">Behandeling</option>' in market
    assert "Behandeling in concept" not in market and "Crisis elders" not in market
    figures = _main(client.get(f"/kpi/gemeente/aanbieders/{world.provider.kvk_number}?jaar=2025").get_data(as_text=True))
    assert {row[0] for row in _cells(figures, "productmix")} == {"Behandeling", "CRI"}

    sign_in_as(client, world.user("policy_officer"))
    council = _main(client.get("/kpi/raad?jaar=2025").get_data(as_text=True))
    assert {row[1] for row in _cells(council, "productgroepen")} == {"Behandeling", "CRI"}

    client.post("/uitloggen")
    with client.session_transaction() as session:
        session["locale"] = "en"
    scoreboard = client.get(f"/openbaar/scorebord/{world.region.code}?jaar=2025").get_data(as_text=True)
    assert 'id="productgroep-beh-heading">Product group Behandeling</h2>' in scoreboard


def test_figures_are_right_aligned_in_tabular_digits_and_text_is_not(client, world):
    _clients("own", 6, provider=world.provider, municipality=world.municipality)
    sign_in_as(client, world.user("buyer"))
    page = client.get("/kpi/gemeente?jaar=2025").get_data(as_text=True)
    html = _main(page)
    section = re.search(r'<section class="kpi-figure" id="aanbieders".*?</section>', html, re.S).group(0)
    headings = re.findall(r'<th scope="col"( class="number")?>', section)
    assert headings[0] == "" and all(headings[1:])  # provider name left, the seven figures right
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", section, re.S).group(1)
    assert '<th scope="row">' in row and len(re.findall(r'<td class="number">', row)) == 7
    styles = "".join(client.get(link).get_data(as_text=True)
                     for link in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page))
    assert re.search(r"\.number \{[^}]*text-align: right;[^}]*font-variant-numeric: tabular-nums", styles)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_figures_read_as_babel_formats_them_in_every_language_of_the_portal(language):
    numbers = dashboards.NumberFormat.of(Locale.parse(language))
    values = [0, 0.0, -0.0, 7, -7, 0.5, 1.5, 2.5, -2.5, 0.0005, -0.0004, 0.125, 999.95, 1234567.891, -1234567.5,
              10**15, Decimal("1234.50"), Decimal("-0.00"), Decimal("12345678901234.99")]
    values += [number / 2000 for number in range(0, 100_000, 7)]  # every half step of the rounding
    for value in values:
        assert numbers.number(value, 0) == format_decimal(value, "#,##0", locale=language), value
        assert numbers.number(value, 1) == format_decimal(value, "#,##0.0", locale=language), value
        assert numbers.number(value, 1, percent=True) == format_percent(value, "#,##0.0%", locale=language), value
