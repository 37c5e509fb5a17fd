"""The register's pages: staff read and change it within their region, providers see only their
own admissions, and anyone reads the public register of a municipality."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.evidence import vault
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.models.register import Admission, AdmissionStatus
from portal.register import services
from tests.conftest import find, sign_in_as
from tests.factories import MunicipalityFactory, ProviderFactory, member
from tests.matrices.evidence import add_document
from tests.querycount import count_queries, nothing_kept
from tests.register.helpers import admit
from tests.rounds.helpers import draft_round


def _english(client) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"


@pytest.fixture
def register(world):
    """A round with admissions: provider one active in Eendorp, a suspended and an ended one, and
    provider two active in another municipality of the region."""
    round = draft_round(world)
    other_town = MunicipalityFactory(region=world.region, name="Anderdorp")
    suspended = ProviderFactory(name="Geschorst Zorg")
    ended = ProviderFactory(name="Gestopt Zorg")
    [active] = admit(world, round, world.provider, groups=("BEH",))
    admit(world, round, world.provider, groups=("BGI",))
    [paused] = admit(world, round, suspended)
    [over] = admit(world, round, ended)
    admit(world, round, world.other_provider, groups=("BGI",), municipality=other_town)
    services.suspend(db.session, admission=paused, reason="Onderzoek", seen_version=None, actor=world.user("buyer"))
    services.end(db.session, admission=over, reason="Gestopt", seen_version=None, actor=world.user("buyer"))
    db.session.commit()
    return {"round": round, "other_town": other_town, "active": active, "suspended": paused, "ended": over}


def public_url(world, municipality=None) -> str:
    municipality = municipality or world.municipality
    return f"/register/{world.region.code}/{municipality.cbs_code}"


# Public -----------------------------------------------------------------------------------------------


def test_anyone_sees_only_the_active_providers_of_that_municipality(client, world, register):
    response = client.get(public_url(world))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert world.provider.name in page
    assert "Behandeling" in page and "Begeleiding individueel" in page
    assert "Geschorst Zorg" not in page
    assert "Gestopt Zorg" not in page
    assert world.other_provider.name not in page
    assert "Onderzoek" not in page  # no reasons or other internal details
    other = client.get(public_url(world, register["other_town"])).get_data(as_text=True)
    assert world.other_provider.name in other and world.provider.name not in other


def test_the_public_search_finds_providers_by_name_and_by_type_of_care(client, world, register):
    third = ProviderFactory(name="Jeugdhulp Zuid")
    admit(world, register["round"], third, groups=("BGI",))
    url = public_url(world)
    by_name = client.get(url, query_string={"q": "zuid"}).get_data(as_text=True)
    assert "Jeugdhulp Zuid" in by_name and world.provider.name not in by_name
    by_product = client.get(url, query_string={"q": "behandel"}).get_data(as_text=True)
    assert world.provider.name in by_product and "Jeugdhulp Zuid" not in by_product
    filtered = client.get(url, query_string={"product": "Begeleiding individueel"}).get_data(as_text=True)
    assert world.provider.name in filtered and "Jeugdhulp Zuid" in filtered
    _english(client)
    nothing = client.get(url, query_string={"q": "bestaat niet"})
    assert nothing.status_code == 200
    assert "No care provider matches your search" in nothing.get_data(as_text=True)
    for _ in range(2):  # the second answer is the kept page, with its status and its error
        wrong = client.get(url, query_string={"product": "Onbekend", "q": "mijn zoekwoord"})
        assert wrong.status_code == 422
        assert "<title>Error: " in wrong.get_data(as_text=True) and 'value="mijn zoekwoord"' in wrong.get_data(as_text=True)


def test_the_region_overview_links_to_its_municipalities_with_counts(client, world, register):
    page = client.get(f"/register/{world.region.code}").get_data(as_text=True)
    assert f'href="{public_url(world)}"' in page
    assert f'href="{public_url(world, register["other_town"])}"' in page
    assert client.get("/register").status_code == 200
    assert f'/register/{world.region.code}"' in client.get("/register").get_data(as_text=True)


def test_a_municipality_of_another_region_is_not_found_under_this_region(client, world, register):
    other_town = world.other_council.municipality
    assert client.get(f"/register/{world.region.code}/{other_town.cbs_code}").status_code == 404
    assert client.get("/register/ONBEKEND").status_code == 404


def test_the_public_page_sends_as_many_statements_for_many_providers_as_for_few(client, world, register):
    url = public_url(world)
    client.get(url)
    nothing_kept()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    with count_queries() as kept_lists:
        assert client.get(url).status_code == 200
    assert kept_lists.count < few.count
    for i in range(10):
        admit(world, register["round"], ProviderFactory(name=f"Extra {i}"), groups=("BEH", "BGI"))
    nothing_kept()
    with count_queries() as many:
        page = client.get(url)
    assert "Extra 9" in page.get_data(as_text=True)
    assert many.count == few.count, "\n".join(many.statements)


def test_the_kept_public_page_follows_admissions_suspensions_and_names_at_once(client, world, register):
    url = public_url(world)
    assert world.provider.name in client.get(url).get_data(as_text=True)
    assert world.provider.name in client.get(url).get_data(as_text=True)  # from the kept lists

    newcomer = world.other_provider  # admitted in another town only, so far
    assert newcomer.name not in client.get(url).get_data(as_text=True)
    [admission] = admit(world, register["round"], newcomer, groups=("BEH",))  # an INSERT statement
    assert newcomer.name in client.get(url).get_data(as_text=True)

    services.suspend(db.session, admission=admission, reason="Onderzoek", seen_version=None,
                     actor=world.user("buyer"))  # an UPDATE statement
    db.session.commit()
    assert newcomer.name not in client.get(url).get_data(as_text=True)

    world.provider.name = "Aanbieder Een en Zonen"  # a flush
    db.session.commit()
    assert "Aanbieder Een en Zonen" in client.get(url).get_data(as_text=True)


# Staff ------------------------------------------------------------------------------------------------


def test_staff_filter_the_register_of_their_region(client, world, register):
    sign_in_as(client, world.user("auditor"))
    page = client.get("/toelatingsregister").get_data(as_text=True)
    assert "Geschorst Zorg" in page and world.other_provider.name in page
    page = client.get("/toelatingsregister", query_string={"status": "suspended"}).get_data(as_text=True)
    assert "Geschorst Zorg" in page and world.provider.name not in page
    page = client.get("/toelatingsregister", query_string={"municipality": register["other_town"].id}).get_data(as_text=True)
    assert world.other_provider.name in page and world.provider.name not in page
    page = client.get("/toelatingsregister", query_string={"provider": "gestopt"}).get_data(as_text=True)
    assert "Gestopt Zorg" in page and "Geschorst Zorg" not in page
    group = register["active"].product_group_id
    page = client.get("/toelatingsregister", query_string={"product_group": group}).get_data(as_text=True)
    assert f'/toelatingsregister/{register["active"].id}"' in page
    assert world.other_provider.name not in page


def test_staff_of_another_region_get_not_found(client, world, register):
    outsider = member(Role.BUYER, world.other_region, email="buyer-two@test.example.org")
    db.session.commit()
    sign_in_as(client, outsider)
    admission = register["active"]
    assert client.get(f"/toelatingsregister/{admission.id}").status_code == 404
    response = client.post(f"/toelatingsregister/{admission.id}/status",
                           data={"action": "suspend", "reason": "Mag niet", "version": admission.version})
    assert response.status_code == 404
    assert find(Admission, admission.id).status is AdmissionStatus.ACTIVE
    assert world.provider.name not in client.get("/toelatingsregister").get_data(as_text=True)


def test_a_contract_manager_suspends_with_a_reason_and_sees_the_history(client, world, register):
    admission = register["active"]
    sign_in_as(client, world.user("contract_manager"))
    _english(client)
    url = f"/toelatingsregister/{admission.id}/status"
    response = client.post(url, data={"action": "suspend", "reason": "", "version": admission.version})
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    response = client.post(url, data={"action": "suspend", "reason": "Verzekering verlopen", "version": admission.version})
    assert response.status_code == 302
    assert find(Admission, admission.id).status is AdmissionStatus.SUSPENDED
    page = client.get(f"/toelatingsregister/{admission.id}").get_data(as_text=True)
    assert "Verzekering verlopen" in page and "Contract Manager" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admission.suspended")) is not None


def test_the_second_of_two_colleagues_gets_a_clear_message_and_keeps_the_typed_reason(client, world, register):
    admission = register["active"]
    seen = admission.version
    services.suspend(db.session, admission=admission, reason="Eerste", seen_version=seen, actor=world.user("buyer"))
    db.session.commit()
    sign_in_as(client, world.user("region_admin"))
    _english(client)
    response = client.post(f"/toelatingsregister/{admission.id}/status",
                           data={"action": "end", "reason": "Mijn tekst", "version": seen})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "A colleague changed this admission" in page
    assert "Mijn tekst" in page
    assert find(Admission, admission.id).status is AdmissionStatus.SUSPENDED


def test_readers_see_the_history_without_the_form(client, world, register):
    sign_in_as(client, world.user("reviewer"))
    page = client.get(f"/toelatingsregister/{register['suspended'].id}").get_data(as_text=True)
    assert "Onderzoek" in page
    assert "/status" not in page


def test_the_register_sends_as_many_statements_for_many_admissions_as_for_few(client, world, register):
    sign_in_as(client, world.user("buyer"))
    client.get("/toelatingsregister")
    nothing_kept()
    with count_queries() as few:
        assert client.get("/toelatingsregister").status_code == 200
    for i in range(10):
        admit(world, register["round"], ProviderFactory(name=f"Extra {i}"), groups=("BEH", "BGI"))
    nothing_kept()
    with count_queries() as many:
        assert client.get("/toelatingsregister").status_code == 200
    assert many.count == few.count, "\n".join(many.statements)


# Provider ---------------------------------------------------------------------------------------------


def test_a_provider_sees_only_its_own_admissions(client, world, register):
    sign_in_as(client, world.user("provider_member"))
    page = client.get("/mijn-toelatingen").get_data(as_text=True)
    assert "Eendorp" in page and "Behandeling" in page
    assert "Anderdorp" not in page  # only provider two is admitted there
    sign_in_as(client, world.users["provider_admin"])
    with count_queries() as few:
        client.get("/mijn-toelatingen")
    for code in ("BEH", "BGI"):
        admit(world, register["round"], world.provider, groups=(code,), municipality=MunicipalityFactory(region=world.region))
    with count_queries() as many:
        assert client.get("/mijn-toelatingen").status_code == 200
    assert many.count == few.count, "\n".join(many.statements)


# Expiring evidence ------------------------------------------------------------------------------------


def test_staff_see_admitted_providers_whose_required_evidence_expires_most_urgent_first(client, world, register):
    today = vault.today()
    user = world.user("provider_admin")
    # KvK extract (max 183 days): issued 170 days ago, so 13 days left. SKJ (expiry, Behandeling): expired 5 days ago.
    add_document(world.provider, user, "kvk_extract", issue_date=today - timedelta(days=170))
    add_document(world.provider, user, "skj_big", issue_date=today - timedelta(days=400),
                 expiry_date=today - timedelta(days=5), issuer="SKJ")
    # Provider two is admitted for Begeleiding only: its expired SKJ registration is not required.
    other_admin = world.other_provider.memberships[0].user
    add_document(world.other_provider, other_admin, "skj_big", issue_date=today - timedelta(days=400),
                 expiry_date=today - timedelta(days=5), issuer="SKJ")
    # The suspended provider's expired document is not listed; only active admissions count.
    add_document(register["suspended"].provider, user, "skj_big", issue_date=today - timedelta(days=400),
                 expiry_date=today - timedelta(days=1), issuer="SKJ")
    db.session.commit()
    sign_in_as(client, world.user("contract_manager"))
    response = client.get("/toelatingsregister/verlopend-bewijs.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["provider", "kvk_number", "document_type", "valid_until", "days_left", "expired"]
    body = [(r[0], r[4], r[5]) for r in rows[1:]]
    assert body == [(world.provider.name, "-5", "yes"), (world.provider.name, "13", "no")]
    assert client.get("/toelatingsregister/verlopend-bewijs").status_code == 200


def test_a_renewed_document_leaves_the_expiring_list(client, world, register):
    today = vault.today()
    user = world.user("provider_admin")
    add_document(world.provider, user, "kvk_extract", issue_date=today - timedelta(days=200))
    add_document(world.provider, user, "kvk_extract", issue_date=today - timedelta(days=2))
    db.session.commit()
    from portal.register.queries import expiring_evidence

    assert expiring_evidence(db.session, world.region.id, today=today, lead_days=70) == []
    assert expiring_evidence(db.session, world.other_region.id, today=today, lead_days=70) == []


def test_the_expiring_list_sends_as_many_statements_for_many_providers_as_for_few(client, world, register):
    today = vault.today()
    sign_in_as(client, world.user("buyer"))
    client.get("/toelatingsregister/verlopend-bewijs")
    nothing_kept()
    with count_queries() as few:
        client.get("/toelatingsregister/verlopend-bewijs")
    for i in range(6):
        provider = ProviderFactory(name=f"Extra {i}")
        admit(world, register["round"], provider)
        add_document(provider, world.user("provider_admin"), "kvk_extract", issue_date=today - timedelta(days=180))
    nothing_kept()
    with count_queries() as many:
        page = client.get("/toelatingsregister/verlopend-bewijs")
    assert "Extra 5" in page.get_data(as_text=True)
    assert many.count == few.count, "\n".join(many.statements)
