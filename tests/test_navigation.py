"""The main menu shows each member the pages their role may open, and only those."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from portal.extensions import db
from portal.models import Membership, Role
from tests.conftest import ROLE_NAMES, sign_in_as


def _menu(client) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="main-nav"[^>]*>(.*?)</nav>', page, re.S)
    return re.findall(r'<a href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_menu_entry_opens_for_the_member_it_is_shown_to(client, world, role):
    sign_in_as(client, world.user(role))
    entries = _menu(client)
    assert entries, f"{role} sees no menu"
    for address in entries:
        assert client.get(address).status_code in (200, 302), f"{role} is shown {address} but may not open it"


def test_each_member_gets_the_menu_of_their_own_role_and_organisation(app, client, world):
    sign_in_as(client, world.user("provider_admin"))
    provider_menu = _menu(client)
    sign_in_as(client, world.user("reviewer"))
    reviewer_menu = _menu(client)
    sign_in_as(client, world.user("provider_admin"))
    assert _menu(client) == provider_menu  # the same menu again, not the reviewer's

    with app.test_request_context():
        screening, our_kpis = url_for("screening.queue"), url_for("kpi.provider")
    assert screening in reviewer_menu and screening not in provider_menu
    assert our_kpis in provider_menu and our_kpis not in reviewer_menu

    # A person with two memberships: the menu follows the one they act in.
    person = world.user("reviewer")
    second = Membership(user=person, organisation=world.provider, role=Role.PROVIDER_ADMIN)
    db.session.add(second)
    db.session.commit()
    sign_in_as(client, person, membership_id=second.id)
    assert _menu(client) == provider_menu
    sign_in_as(client, person)
    assert _menu(client) == reviewer_menu
