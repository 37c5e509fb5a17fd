"""Provider profiles, locations, contacts, members and the region's lists."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Membership, Provider, ProviderLocation, Role
from tests.conftest import find, sign_in_as
from tests.factories import LocationFactory, ProviderFactory, member


def _profile_data(provider, **changes):
    data = {
        "name": provider.name, "kvk_number": provider.kvk_number, "agb_code": provider.agb_code or "",
        "legal_form": provider.legal_form.value, "email": provider.email or "", "phone": provider.phone or "",
        "website": provider.website or "", "version": provider.version,
    }
    data.update(changes)
    return data


def test_a_provider_admin_changes_the_profile_and_the_log_says_what_changed(client, world):
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/bewerken", data=_profile_data(world.provider, agb_code="1234 5678", phone="030-1234567"))
    assert response.status_code == 302
    provider = find(Provider, world.provider.id)
    assert provider.agb_code == "12345678"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "provider.updated"))
    assert event.changes["agb_code"][1] == "12345678"
    assert event.changes["phone"] == [None, "030-1234567"]
    assert event.actor_id == world.user("provider_admin").id


def test_a_wrong_kvk_number_is_explained_and_the_input_kept(client, world):
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/bewerken", data=_profile_data(world.provider, kvk_number="1234567", name="Nieuwe naam"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#kvk_number"' in page
    assert 'value="1234567"' in page and 'value="Nieuwe naam"' in page
    assert find(Provider, world.provider.id).name == "Aanbieder Een"


def test_a_kvk_number_of_another_provider_is_refused(client, world):
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/bewerken", data=_profile_data(world.provider, kvk_number=world.other_provider.kvk_number))
    assert response.status_code == 422
    assert find(Provider, world.provider.id).kvk_number != world.other_provider.kvk_number


def test_two_admins_editing_at_once_do_not_overwrite_each_other(client, app, world):
    colleague = member(Role.PROVIDER_ADMIN, world.provider)
    seen = _profile_data(world.provider)
    other = app.test_client()
    sign_in_as(other, colleague)
    assert other.post("/organisatie/bewerken", data={**seen, "phone": "010-1111111"}).status_code == 302
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/bewerken", data={**seen, "phone": "020-2222222"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "010-1111111" in page  # the colleague's saved value is shown
    assert 'value="020-2222222"' in page  # and our own input is kept
    assert find(Provider, world.provider.id).phone == "010-1111111"
    # Saving again, now knowing the other change, works.
    fresh = find(Provider, world.provider.id)
    assert client.post("/organisatie/bewerken", data=_profile_data(fresh, phone="020-2222222")).status_code == 302
    assert find(Provider, world.provider.id).phone == "020-2222222"


def test_locations_are_added_and_removed(client, world):
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/locaties", data={"name": "Vestiging Noord", "address": "Dorpsstraat 1", "postcode": "1234ab", "city": "Eendorp"})
    assert response.status_code == 302
    location = db.session.scalar(select(ProviderLocation).where(ProviderLocation.name == "Vestiging Noord"))
    assert location.postcode == "1234 AB"
    location_id = location.id
    assert client.post(f"/organisatie/locaties/{location_id}/verwijderen").status_code == 302
    assert find(ProviderLocation, location_id) is None


def test_a_location_with_a_bad_postcode_is_refused_with_the_input_kept(client, world):
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/locaties", data={"name": "Vestiging Zuid", "address": "Laan 2", "postcode": "12345", "city": "Eendorp"})
    assert response.status_code == 422
    assert 'value="Vestiging Zuid"' in response.get_data(as_text=True)
    assert 'href="#postcode"' in response.get_data(as_text=True)


def test_a_provider_cannot_remove_another_providers_location(client, world):
    sign_in_as(client, world.user("provider_admin"))
    theirs = world.other_provider.locations[0]
    assert client.post(f"/organisatie/locaties/{theirs.id}/verwijderen").status_code == 404
    assert find(ProviderLocation, theirs.id) is not None


def test_a_provider_member_can_see_but_not_change_the_profile(client, world):
    sign_in_as(client, world.user("provider_member"))
    page = client.get("/organisatie").get_data(as_text=True)
    assert world.provider.kvk_number in page
    assert "/organisatie/bewerken" not in page
    assert client.post("/organisatie/bewerken", data=_profile_data(world.provider)).status_code == 403


def test_the_members_page_shows_only_the_own_organisation(client, world):
    sign_in_as(client, world.user("provider_admin"))
    page = client.get("/organisatie/leden").get_data(as_text=True)
    assert "provider_member@test.example.org" in page
    assert "other_provider_admin@test.example.org" not in page
    assert client.get(f"/organisaties/{world.other_provider.id}/leden").status_code == 404


def test_an_admin_changes_a_role_and_cannot_remove_the_last_admin(client, world):
    sign_in_as(client, world.user("provider_admin"))
    colleague = world.user("provider_member").memberships[0]
    colleague_id = colleague.id
    assert client.post(f"/lidmaatschappen/{colleague.id}/rol", data={"role": "provider_admin"}).status_code == 302
    assert find(Membership, colleague.id).role is Role.PROVIDER_ADMIN
    # A provider role cannot become a region role.
    client.post(f"/lidmaatschappen/{colleague.id}/rol", data={"role": "reviewer"})
    assert find(Membership, colleague.id).role is Role.PROVIDER_ADMIN
    # With two admins, one may go; the last one stays.
    own = world.user("provider_admin").memberships[0]
    client.post(f"/lidmaatschappen/{colleague_id}/verwijderen", data={"reason": "Uit dienst"})
    assert find(Membership, colleague_id) is None
    client.post(f"/lidmaatschappen/{own.id}/rol", data={"role": "provider_member"})
    assert find(Membership, own.id).role is Role.PROVIDER_ADMIN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.removed"))
    assert event.reason == "Uit dienst"


def test_a_region_admin_manages_the_members_of_a_council_in_the_region_only(client, world):
    sign_in_as(client, world.user("region_admin"))
    assert client.get(f"/organisaties/{world.council.id}/leden").status_code == 200
    assert client.get(f"/organisaties/{world.other_council.id}/leden").status_code == 404
    assert client.get(f"/organen/{world.other_council.id}").status_code == 404


def test_a_council_member_sees_their_own_council_but_not_another(client, world):
    sign_in_as(client, world.user("body_member"))
    assert client.get(f"/organen/{world.council.id}").status_code == 200
    assert client.get(f"/organen/{world.other_council.id}").status_code == 404


def test_staff_search_providers_by_name_kvk_or_agb(client, world):
    ProviderFactory(name="Kindhuis Zonnestraal", kvk_number="91234567", agb_code="87654321")
    sign_in_as(client, world.user("buyer"))
    for query in ("zonnestraal", "91234567", "87654321"):
        page = client.get("/regio/aanbieders", query_string={"q": query}).get_data(as_text=True)
        assert "Kindhuis Zonnestraal" in page and "Aanbieder Een" not in page


def test_the_provider_list_pages_through_many_providers(client, world):
    for n in range(30):
        ProviderFactory(name=f"Zz Aanbieder {n:02d}")
    sign_in_as(client, world.user("buyer"))
    first = client.get("/regio/aanbieders").get_data(as_text=True)
    second = client.get("/regio/aanbieders", query_string={"page": 2}).get_data(as_text=True)
    assert "Zz Aanbieder 29" not in first and "Zz Aanbieder 29" in second
    assert 'rel="next"' in first


def test_the_provider_list_uses_the_same_number_of_queries_for_more_providers(client, world):
    from tests.querycount import count_queries, nothing_kept

    sign_in_as(client, world.user("buyer"))
    nothing_kept()
    with count_queries() as few:
        client.get("/regio/aanbieders")
    for n in range(20):
        provider = ProviderFactory(name=f"Extra {n}")
        LocationFactory(provider=provider)
        LocationFactory(provider=provider)
    nothing_kept()
    with count_queries() as many:
        client.get("/regio/aanbieders")
    assert many.count == few.count
