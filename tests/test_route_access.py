"""The route-access matrix: every route, every role, the expected answer.

A new route fails this test until it is added to MATRIX with who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from portal.models import Role
from tests.conftest import ROLE_NAMES, World, sign_in_as

ANONYMOUS = "anonymous"
OK = "ok"
LOGIN = "login"
STAFF = {r.value for r in Role if r.is_staff}
ADMINS = {Role.REGION_ADMIN.value, Role.PROVIDER_ADMIN.value}


@dataclass(frozen=True)
class Case:
    """What one route answers to each role."""

    url: Callable[[World], str]
    #: Every HTTP method the route accepts (HEAD and OPTIONS aside).
    methods: tuple[str, ...] = ("GET",)
    #: Roles that may use the route; None means every signed-in role.
    allowed: set[str] | None = None
    #: Answer for the anonymous visitor.
    anonymous: str | int = LOGIN
    #: Answers that differ from the rule, per role.
    special: dict[str, str | int] = field(default_factory=dict)

    def expected(self, role: str) -> str | int:
        """Return what this role should get."""
        if role == ANONYMOUS:
            return self.anonymous
        if role in self.special:
            return self.special[role]
        if self.allowed is None or role in self.allowed:
            return OK
        return 403


GET, POST, FORM = ("GET",), ("POST",), ("GET", "POST")


def _url(url) -> Callable[[World], str]:
    return url if callable(url) else (lambda w, u=url: u)


def public(url, methods=GET) -> Case:
    return Case(_url(url), methods, anonymous=OK)


def signed_in(url, methods=GET, **kw) -> Case:
    return Case(_url(url), methods, **kw)


def only(roles: set[str], url, methods=GET, **kw) -> Case:
    return Case(_url(url), methods, allowed=roles, **kw)


#: (endpoint, rule) -> what each role gets. Objects in URLs belong to the user's own world.
MATRIX: dict[tuple[str, str], Case] = {
    ("static", "/static/<path:filename>"): public("/static/css/portal.css"),
    ("home.index", "/"): public("/"),
    ("home.health", "/gezondheid"): public("/gezondheid"),
    ("auth.login", "/inloggen"): public("/inloggen", FORM),
    # The second sign-in step is open to all, but without a password step first it sends
    # everyone back to the sign-in page.
    ("auth.totp", "/inloggen/code"): Case(
        lambda w: "/inloggen/code", FORM, special={r: LOGIN for r in ROLE_NAMES}
    ),
    ("auth.totp_setup", "/inloggen/tweestaps-instellen"): Case(
        lambda w: "/inloggen/tweestaps-instellen", FORM, special={r: LOGIN for r in ROLE_NAMES}
    ),
    ("auth.logout", "/uitloggen"): signed_in("/uitloggen", POST),
    ("auth.forgot_password", "/wachtwoord-vergeten"): public("/wachtwoord-vergeten", FORM),
    # An unknown token is a 404 for everyone: the link page says it no longer works.
    ("auth.reset_password", "/wachtwoord-herstellen/<token>"): Case(
        lambda w: "/wachtwoord-herstellen/onbekend", FORM, anonymous=404, special={r: 404 for r in ROLE_NAMES}
    ),
    ("auth.accept_invitation", "/uitnodiging/<token>"): Case(
        lambda w: "/uitnodiging/onbekend", FORM, anonymous=404, special={r: 404 for r in ROLE_NAMES}
    ),
    ("auth.switch_organisation", "/organisatie-wisselen"): signed_in("/organisatie-wisselen", POST),
    ("auth.set_language", "/taal"): public("/taal", POST),
    ("auth.account", "/account"): signed_in("/account", FORM),
    ("auth.change_password", "/account/wachtwoord"): signed_in("/account/wachtwoord", POST),
    ("auth.account_totp", "/account/tweestaps"): signed_in("/account/tweestaps", FORM),
    ("organisations.profile", "/organisatie"): signed_in("/organisatie"),
    ("organisations.edit_profile", "/organisatie/bewerken"): only({"provider_admin"}, "/organisatie/bewerken", FORM),
    ("organisations.add_location", "/organisatie/locaties"): only({"provider_admin"}, "/organisatie/locaties", POST),
    ("organisations.remove_location", "/organisatie/locaties/<int:location_id>/verwijderen"): only(
        {"provider_admin"}, lambda w: f"/organisatie/locaties/{w.provider.locations[0].id}/verwijderen", POST
    ),
    ("organisations.add_contact", "/organisatie/contactpersonen"): only({"provider_admin"}, "/organisatie/contactpersonen", POST),
    ("organisations.remove_contact", "/organisatie/contactpersonen/<int:contact_id>/verwijderen"): only(
        {"provider_admin"}, lambda w: f"/organisatie/contactpersonen/{w.provider.contacts[0].id}/verwijderen", POST
    ),
    ("organisations.members", "/organisatie/leden"): only(ADMINS, "/organisatie/leden"),
    # Members of a region's body: the region admin manages them; a provider admin gets 404.
    ("organisations.members", "/organisaties/<int:organisation_id>/leden"): only(
        {"region_admin"}, lambda w: f"/organisaties/{w.council.id}/leden", special={"provider_admin": 404}
    ),
    ("organisations.invite", "/organisaties/<int:organisation_id>/uitnodigen"): only(
        {"region_admin"}, lambda w: f"/organisaties/{w.region.id}/uitnodigen", POST, special={"provider_admin": 404}
    ),
    ("organisations.revoke_invitation", "/uitnodigingen/<int:invitation_id>/intrekken"): only(
        {"region_admin"}, lambda w: f"/uitnodigingen/{w.invitation_id}/intrekken", POST, special={"provider_admin": 404}
    ),
    ("organisations.change_role", "/lidmaatschappen/<int:membership_id>/rol"): only(
        {"region_admin"}, lambda w: f"/lidmaatschappen/{w.user('buyer').memberships[0].id}/rol", POST,
        special={"provider_admin": 404},
    ),
    ("organisations.remove_member", "/lidmaatschappen/<int:membership_id>/verwijderen"): only(
        {"region_admin"}, lambda w: f"/lidmaatschappen/{w.user('buyer').memberships[0].id}/verwijderen", FORM,
        special={"provider_admin": 404},
    ),
    ("organisations.municipalities", "/regio/gemeenten"): only(STAFF, "/regio/gemeenten"),
    ("organisations.body", "/organen/<int:body_id>"): only(
        STAFF | {"body_member"}, lambda w: f"/organen/{w.council.id}"
    ),
    ("organisations.providers", "/regio/aanbieders"): only(STAFF, "/regio/aanbieders"),
    ("organisations.provider", "/regio/aanbieders/<int:provider_id>"): only(
        STAFF, lambda w: f"/regio/aanbieders/{w.provider.id}"
    ),
    ("admin.audit_log", "/beheer/logboek"): only({"region_admin", "auditor"}, "/beheer/logboek"),
    ("admin.audit_log_csv", "/beheer/logboek.csv"): only({"region_admin", "auditor"}, "/beheer/logboek.csv"),
    ("admin.outbox", "/beheer/uitgaande-mail"): only({"region_admin"}, "/beheer/uitgaande-mail"),
    ("admin.outbox_message", "/beheer/uitgaande-mail/<int:message_id>"): only(
        {"region_admin"}, lambda w: f"/beheer/uitgaande-mail/{w.message_id}"
    ),
}


def test_every_route_is_in_the_matrix(app):
    """A route, or a method of a route, that nobody declared in the matrix fails the build."""
    routes = {
        (rule.endpoint, rule.rule): tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
    }
    assert set(routes) - set(MATRIX) == set(), "add these routes to MATRIX"
    assert set(MATRIX) - set(routes) == set(), "these MATRIX entries have no route any more"
    wrong_methods = {route: methods for route, methods in routes.items() if tuple(sorted(MATRIX[route].methods)) != methods}
    assert wrong_methods == {}, "declare these methods in MATRIX"


def test_every_route_declares_who_may_use_it(app):
    """Every view carries an access declaration (the app also refuses to start without)."""
    from portal.access import undeclared_endpoints

    assert undeclared_endpoints(app) == []


@pytest.fixture
def matrix_world(world):
    """The world plus an open invitation and an e-mail in the outbox, for routes that need them."""
    from datetime import timedelta

    from portal.auth.services import invite
    from portal.extensions import db
    from portal.mail import queue_email

    invitation, _ = invite(
        db.session, email="nieuw@test.example.org", name="Nieuw", organisation=world.region,
        role=Role.BUYER, invited_by=None, valid_for=timedelta(days=1),
    )
    message = queue_email(db.session, to="x@test.example.org", subject="Test", template="email/password_reset.txt",
                          user=world.user("buyer"), link="http://example.org", minutes=5)
    db.session.commit()
    world.invitation_id = invitation.id
    world.message_id = message.id
    return world


CALLS = [(route, method) for route in sorted(MATRIX) for method in MATRIX[route].methods]


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLE_NAMES])
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c[1]} {c[0][0]}:{c[0][1]}")
def test_route_answers_each_role_as_declared(app, client, matrix_world, call, role):
    """Each role gets exactly the answer the matrix declares, and never a server error."""
    route, method = call
    case = MATRIX[route]
    user = None if role == ANONYMOUS else matrix_world.user(role)
    sign_in_as(client, user)
    url = case.url(matrix_world)
    response = client.open(url, method=method)
    expected = case.expected(role)
    status = response.status_code
    assert status < 500, f"{method} {url} as {role}: {status}"
    if expected == OK:
        assert status not in (401, 403, 404, 405), f"{method} {url} as {role}: {status}"
        assert "/inloggen" not in response.headers.get("Location", ""), f"{url} as {role} asked to sign in"
    elif expected == LOGIN:
        assert status == 302 and "/inloggen" in response.headers["Location"], f"{url} as {role}: {status}"
    else:
        assert status == expected, f"{method} {url} as {role}: {status}, expected {expected}"
