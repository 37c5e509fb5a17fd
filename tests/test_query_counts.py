"""The number of SQL statements per page stays the same when the data grows (no queries in loops)."""

from __future__ import annotations

import pytest

from portal.audit.services import record
from portal.extensions import db
from portal.models import Role
from tests.conftest import sign_in_as
from tests.factories import BodyFactory, ContactFactory, LocationFactory, MunicipalityFactory, ProviderFactory, member
from tests.querycount import count_queries, nothing_kept


def _grow(world, n: int) -> None:
    """Add n more of everything the region's pages list."""
    for i in range(n):
        municipality = MunicipalityFactory(region=world.region)
        BodyFactory(municipality=municipality)
        member(Role.BUYER, world.region)
        member(Role.PROVIDER_MEMBER, world.provider)
        provider = ProviderFactory()
        LocationFactory(provider=provider)
        ContactFactory(provider=world.provider)
        LocationFactory(provider=world.provider)
        record(db.session, action="provider.updated", object_type="provider", object_id=i,
               actor=world.user("buyer"), organisation=world.region, changes={"name": ["a", "b"]})
    db.session.commit()


PAGES = [
    ("region_admin", "/"),
    ("region_admin", "/organisatie/leden"),
    ("region_admin", "/regio/gemeenten"),
    ("region_admin", "/beheer/logboek"),
    ("buyer", "/regio/aanbieders"),
    ("provider_admin", "/"),
    ("provider_admin", "/organisatie"),
    ("provider_admin", "/organisatie/leden"),
    ("body_member", "/"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_a_page_sends_as_many_statements_for_much_data_as_for_little(client, world, role, url):
    sign_in_as(client, world.user(role))
    client.get(url)  # warm up caches that are filled once
    nothing_kept()
    with count_queries() as little:
        assert client.get(url).status_code == 200
    _grow(world, 12)
    nothing_kept()
    with count_queries() as much:
        assert client.get(url).status_code == 200
    assert much.count == little.count, "\n".join(much.statements)
