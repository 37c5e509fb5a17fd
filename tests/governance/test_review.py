"""Reviewers compare providers in a compliance matrix, drill down, give a verdict the provider
answers, export the matrix; a round's WNT/governance requirement is met by the structured declaration."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from portal import clock
from portal.applications import services as applications
from portal.extensions import db
from portal.governance import services, wnt
from portal.models import (
    Application,
    ApplicationScope,
    ApplicationStatus,
    LegalForm,
    ProductGroup,
    Role,
    Round,
    RoundStatus,
)
from portal.models.governance import GovernanceReview, ReviewVerdict
from tests.conftest import find, sign_in_as
from tests.factories import ProviderFactory, member
from tests.governance.helpers import filled_declaration, statement_values
from tests.querycount import count_queries, nothing_kept


def applied(world, provider, round=None, groups=()):
    """Record a submitted application of the provider to a round of world.region."""
    if round is None:
        round = Round(region=world.region, title="Ronde", status=RoundStatus.PUBLISHED, published_at=clock.now())
        db.session.add(round)
        db.session.flush()
    application = Application(round=round, provider=provider, status=ApplicationStatus.SUBMITTED, submitted_at=clock.now())
    for group in groups:
        application.scopes.append(ApplicationScope(municipality_id=world.municipality.id, product_group_id=group.id))
    db.session.add(application)
    db.session.commit()
    return round


def english(client):
    with client.session_transaction() as s:
        s["locale"] = "en"


def test_the_matrix_shows_each_provider_and_year(client, world):
    admin = world.user("provider_admin")
    filled_declaration(world.provider, admin, 2024, ubo=False, statements=[
        statement_values(2024, pay=Decimal("200000"), deferred_pay=Decimal("0"), explanation="Oud contract.")])
    round = applied(world, world.provider)
    sole = ProviderFactory(legal_form=LegalForm.VOF, name="Vof Samen")
    filled_declaration(sole, member(Role.PROVIDER_ADMIN, sole), 2024)
    applied(world, sole, round)
    late = ProviderFactory(name="Laat BV", legal_form=LegalForm.BV)
    applied(world, late, round)
    rows = {(r.provider.name, r.year): r for r in services.matrix(db.session, region_id=world.region.id, years=[2024, 2023])}
    assert rows[("Aanbieder Een", 2024)].wnt is wnt.Outcome.EXCEEDED
    assert rows[("Aanbieder Een", 2024)].ubo_disclosed is False and rows[("Aanbieder Een", 2024)].declared
    assert rows[("Aanbieder Een", 2023)].declared is False
    assert rows[("Aanbieder Een", 2023)].wnt is wnt.Outcome.CANNOT_BE_CHECKED
    assert rows[("Vof Samen", 2024)].wnt is wnt.Outcome.NOT_APPLICABLE and rows[("Vof Samen", 2024)].ubo_disclosed
    assert rows[("Laat BV", 2024)].declared is False

    sign_in_as(client, world.user("reviewer"))
    english(client)
    page = client.get("/governance/matrix?year=2024").get_data(as_text=True)
    assert "Norm exceeded" in page and "WNT not applicable" in page and "Laat BV" in page


def test_a_margin_above_the_rounds_cap_is_a_breach(client, world):
    admin = world.user("provider_admin")
    round = Round(region=world.region, title="Ronde met winstnorm", status=RoundStatus.PUBLISHED, published_at=clock.now())
    db.session.add(round)
    verblijf = ProductGroup(round=round, code="VBL", name="Verblijf")
    begeleiding = ProductGroup(round=round, code="BGI", name="Begeleiding")
    db.session.add_all([verblijf, begeleiding])
    db.session.commit()
    applied(world, world.provider, round, groups=[verblijf])
    filled_declaration(world.provider, admin, 2024, revenue="1000000", result="80000", distributed="0")

    sign_in_as(client, world.user("buyer"))
    response = client.post(f"/governance/rondes/{round.id}/winstnorm", data={"max_margin_percent": "5"})
    assert response.status_code == 302
    row = services.matrix(db.session, region_id=world.region.id, years=[2024], round_id=round.id)[0]
    assert row.cap is services.CapStatus.BREACHED and len(row.cap_breaches) == 1

    cap = services.cap_of(db.session, round)
    services.set_cap(db.session, round=round, max_margin_percent=Decimal("10"), group_ids={begeleiding.id},
                     seen_version=cap.version, actor=world.user("buyer"))
    db.session.commit()
    assert services.matrix(db.session, region_id=world.region.id, years=[2024])[0].cap is services.CapStatus.RESPECTED
    # Distributing profit while applying for a group without distribution is a breach too.
    services.set_cap(db.session, round=round, max_margin_percent=None, group_ids={verblijf.id},
                     seen_version=services.cap_of(db.session, round).version, actor=world.user("buyer"))
    db.session.commit()
    declaration = services.declarations_of(db.session, world.provider)[0]
    declaration.profit_distributed = Decimal("1")
    db.session.commit()
    row = services.matrix(db.session, region_id=world.region.id, years=[2024])[0]
    assert row.cap is services.CapStatus.BREACHED and "Verblijf" in row.cap_breaches[0]
    # A stale form does not overwrite a colleague's cap.
    response = client.post(f"/governance/rondes/{round.id}/winstnorm", data={"max_margin_percent": "50", "version": "1"})
    assert response.status_code == 422
    assert services.cap_of(db.session, round).max_margin_percent is None


def test_a_reviewer_gives_a_verdict_and_the_provider_responds(client, world):
    declaration = filled_declaration(world.provider, world.user("provider_admin"), 2024)
    applied(world, world.provider)
    sign_in_as(client, world.user("reviewer"))
    url = f"/governance/beoordeling/{declaration.id}"
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/oordeel", data={"verdict": "questions", "note": ""}).status_code == 422
    assert client.post(f"{url}/oordeel", data={"verdict": "questions", "note": "Waarom geen cliëntenraad?"}).status_code == 302
    review = db.session.scalar(select(GovernanceReview))
    assert review.verdict is ReviewVerdict.QUESTIONS

    sign_in_as(client, world.user("provider_member"))
    page = client.get(f"/governance/{declaration.id}").get_data(as_text=True)
    assert "Waarom geen cliëntenraad?" in page
    assert client.post(f"/governance/{declaration.id}/bevindingen/{review.id}",
                       data={f"response-{review.id}-text": "Wij hebben een klantpanel."}).status_code == 302
    assert [n.by_provider for n in find(GovernanceReview, review.id).notes] == [False, True]

    sign_in_as(client, world.user("reviewer"))
    assert "Wij hebben een klantpanel." in client.get(url).get_data(as_text=True)
    # A reviewer with an outdated page does not overwrite a colleague's verdict.
    assert client.post(f"{url}/oordeel", data={"verdict": "in_order", "note": "", "version": "0"}).status_code == 422
    assert find(GovernanceReview, review.id).verdict is ReviewVerdict.QUESTIONS


def test_a_reviewer_of_another_region_gets_404(client, world):
    declaration = filled_declaration(world.provider, world.user("provider_admin"), 2024)
    applied(world, world.provider)
    outsider = member(Role.REVIEWER, world.other_region)
    sign_in_as(client, outsider)
    assert client.get(f"/governance/beoordeling/{declaration.id}").status_code == 404
    assert client.post(f"/governance/beoordeling/{declaration.id}/oordeel", data={"verdict": "in_order"}).status_code == 404
    other_admin = member(Role.REGION_ADMIN, world.other_region)
    sign_in_as(client, other_admin)
    assert client.post(f"/governance/beoordeling/{declaration.id}/oordeel", data={"verdict": "in_order"}).status_code == 404
    assert "Aanbieder Een" not in client.get("/governance/matrix").get_data(as_text=True)


def test_a_draft_declaration_or_a_provider_that_did_not_apply_stays_hidden(client, world):
    draft = filled_declaration(world.provider, world.user("provider_admin"), 2024, submit=False)
    applied(world, world.provider)
    other = filled_declaration(world.other_provider, world.other_provider.memberships[0].user, 2024)
    sign_in_as(client, world.user("reviewer"))
    assert client.get(f"/governance/beoordeling/{draft.id}").status_code == 404
    assert client.get(f"/governance/beoordeling/{other.id}").status_code == 404


def test_the_matrix_exports_as_csv_and_xlsx(client, world):
    filled_declaration(world.provider, world.user("provider_admin"), 2024)
    applied(world, world.provider)
    sign_in_as(client, world.user("auditor"))
    english(client)
    response = client.get("/governance/matrix.csv?year=2024")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Provider;KvK number;Year;Governance declared;WNT")
    assert lines[1].split(";")[:5] == ["Aanbieder Een", world.provider.kvk_number, "2024", "yes", "Within the norm"]
    assert "attachment" in response.headers["Content-Disposition"]

    response = client.get("/governance/matrix.xlsx?year=2024")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]][:5] == ["Aanbieder Een", world.provider.kvk_number, 2024, "yes", "Within the norm"]


def test_the_matrix_page_sends_as_many_statements_for_many_providers(client, world):
    round = applied(world, world.provider)
    filled_declaration(world.provider, world.user("provider_admin"), 2024)
    sign_in_as(client, world.user("reviewer"))
    client.get("/governance/matrix")
    nothing_kept()
    with count_queries() as little:
        assert client.get("/governance/matrix?year=2024").status_code == 200
    for _ in range(6):
        provider = ProviderFactory()
        filled_declaration(provider, member(Role.PROVIDER_ADMIN, provider), 2024,
                           statements=[statement_values(2024), statement_values(2024, name="Tweede")])
        applied(world, provider, round)
    nothing_kept()
    with count_queries() as much:
        assert client.get("/governance/matrix?year=2024").status_code == 200
    assert much.count == little.count, "\n".join(much.statements)


def test_a_wnt_requirement_of_a_round_is_met_by_the_structured_declaration(app, world):
    from tests.applications.helpers import complete_application
    from tests.rounds.helpers import published_round

    round = published_round(world)  # asks for a WNT statement 2025 from foundations and companies
    application = complete_application(world, round)
    wnt_requirement = next(r for r in round.requirements if r.evidence_type.code == "wnt_statement")
    application.evidence = [e for e in application.evidence if e.requirement_id != wnt_requirement.id]
    db.session.commit()
    loaded = applications.load_application(db.session, application.id)
    problems = applications.completeness(loaded, clock.local(clock.now()).date())
    assert [p.anchor for p in problems] == [f"requirement-{wnt_requirement.id}"]

    filled_declaration(world.provider, world.user("provider_admin"), 2025, statements=[
        statement_values(2025, function=__import__("portal.models.governance", fromlist=["WntFunction"]).WntFunction.EXECUTIVE)])
    loaded = applications.load_application(db.session, application.id)
    assert applications.completeness(loaded, clock.local(clock.now()).date()) == []


def test_a_draft_declaration_does_not_meet_the_requirement(app, world):
    from tests.applications.helpers import complete_application
    from tests.rounds.helpers import published_round

    round = published_round(world)
    application = complete_application(world, round)
    wnt_requirement = next(r for r in round.requirements if r.evidence_type.code == "wnt_statement")
    application.evidence = [e for e in application.evidence if e.requirement_id != wnt_requirement.id]
    filled_declaration(world.provider, world.user("provider_admin"), 2025, submit=False)
    loaded = applications.load_application(db.session, application.id)
    assert [p.anchor for p in applications.completeness(loaded, clock.local(clock.now()).date())] == [
        f"requirement-{wnt_requirement.id}"]


def test_a_region_admin_adds_a_maxima_year_in_the_page(client, world):
    sign_in_as(client, world.user("region_admin"))
    response = client.post("/governance/wnt-maxima", data={"year": "2026", "amount_V": "255000", "source": "Stcrt. 2025"})
    assert response.status_code == 302
    assert wnt.class_maximum(db.session, 2026, wnt.WntClass.V) == 255000
    again = client.post("/governance/wnt-maxima", data={"year": "2024", "amount_III": "1", "source": "Fout"})
    assert again.status_code == 422 and 'value="Fout"' in again.get_data(as_text=True)
    assert wnt.class_maximum(db.session, 2024, wnt.WntClass.III) == 190000
    sign_in_as(client, world.user("reviewer"))
    assert client.post("/governance/wnt-maxima", data={"year": "2027", "amount_V": "1", "source": "x"}).status_code == 403


def test_an_empty_response_is_refused_with_its_error(client, world):
    declaration = filled_declaration(world.provider, world.user("provider_admin"), 2024)
    applied(world, world.provider)
    review = services.give_verdict(db.session, region=world.region, declaration=declaration, verdict=ReviewVerdict.QUESTIONS,
                                   note="Vraag", seen_version=None, actor=world.user("reviewer"))
    db.session.commit()
    sign_in_as(client, world.user("provider_admin"))
    response = client.post(f"/governance/{declaration.id}/bevindingen/{review.id}", data={f"response-{review.id}-text": " "})
    assert response.status_code == 422
    assert f'href="#response-{review.id}-text"' in response.get_data(as_text=True)
    assert len(find(GovernanceReview, review.id).notes) == 1


def test_a_buyer_finds_the_profit_cap_from_the_matrix_of_a_round(client, world):
    round = applied(world, world.provider)
    sign_in_as(client, world.user("buyer"))
    assert f'/governance/rondes/{round.id}/winstnorm' in client.get(f"/governance/matrix?round={round.id}").get_data(as_text=True)
    sign_in_as(client, world.user("reviewer"))
    assert "/winstnorm" not in client.get(f"/governance/matrix?round={round.id}").get_data(as_text=True)
    other = Round(region=world.other_region, title="Elders", status=RoundStatus.PUBLISHED, published_at=clock.now())
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/governance/matrix?round={other.id}").status_code == 404
    sign_in_as(client, world.user("buyer"))
    assert client.get(f"/governance/rondes/{other.id}/winstnorm").status_code == 404
