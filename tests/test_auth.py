"""Signing in and out, throttling, password reset, invitations and two-step sign-in."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from portal.auth import services
from portal.extensions import db, limiter
from portal.models import AuditEvent, Invitation, Membership, Role, User
from tests.conftest import find, log_in, make_settings, outbox, sign_in_as
from tests.factories import PASSWORD, member
from tests.querycount import count_queries


def test_a_member_signs_in_and_sees_their_home_page(client, world):
    response = log_in(client, "buyer@test.example.org")
    assert response.status_code == 302
    home = client.get("/")
    assert "Welkom, Buyer" in home.get_data(as_text=True) or "Welcome, Buyer" in home.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.signed_in"))
    assert event is not None and event.actor_id == world.user("buyer").id


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, world):
    wrong_password = log_in(client, "buyer@test.example.org", "not the password")
    unknown = log_in(client, "nobody@test.example.org", "not the password")
    assert wrong_password.status_code == unknown.status_code == 422

    def message(response):
        text = response.get_data(as_text=True)
        return text[text.index('class="error-summary"'):text.index("</ul>", text.index('class="error-summary"'))]

    assert message(wrong_password) == message(unknown)
    # The typed address stays in the form.
    assert 'value="nobody@test.example.org"' in unknown.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in(client, world):
    world.user("buyer").active = False
    db.session.commit()
    assert log_in(client, "buyer@test.example.org").status_code == 422


@pytest.fixture
def throttled_client(_database):
    """A client of an application whose sign-in limit is small (the suite's own is 50 a minute)."""
    from portal import create_app
    from tests.conftest import IsolatedClient

    instance, url = _database
    application = create_app(make_settings(instance, url, login_rate_limit="5 per minute"))
    application.test_client_class = IsolatedClient
    yield application.test_client()
    limiter.reset()


def test_repeated_failed_sign_ins_are_throttled(throttled_client, world):
    for _ in range(5):
        assert log_in(throttled_client, "buyer@test.example.org", "wrong password!").status_code == 422
    assert log_in(throttled_client, "buyer@test.example.org", "wrong password!").status_code == 429
    # Even the right password waits until the window has passed.
    assert log_in(throttled_client, "buyer@test.example.org").status_code == 429


def test_successful_sign_ins_do_not_use_up_the_limit(throttled_client, world):
    for _ in range(5 + 2):
        assert log_in(throttled_client, "buyer@test.example.org").status_code == 302


def test_signing_out_ends_the_session(client, world):
    log_in(client, "buyer@test.example.org")
    assert client.post("/uitloggen").status_code == 302
    response = client.get("/account")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_the_session_cookie_is_httponly_and_samesite(client, world):
    response = log_in(client, "buyer@test.example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_idle_session_is_signed_out(app, client, world):
    log_in(client, "buyer@test.example.org")
    idle = app.config["PORTAL_SETTINGS"].session_idle_minutes * 60
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle - 5
    response = client.get("/account")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_being_seen_is_noted_once_a_minute_and_renews_the_cookie(client, world):
    from portal.auth.sessions import SEEN_EVERY_SECONDS

    log_in(client, "buyer@test.example.org")
    client.get("/account")  # the first page after signing in adds the form token to the session
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - SEEN_EVERY_SECONDS + 10
    assert "Set-Cookie" not in client.get("/account").headers, "nothing new to write"
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - SEEN_EVERY_SECONDS - 1
    response = client.get("/account")
    assert "Set-Cookie" in response.headers
    with client.session_transaction() as session:
        assert session["seen"] >= int(time.time()) - 2


def test_a_new_password_ends_other_sessions(client, app, world):
    other_device = app.test_client()
    log_in(client, "buyer@test.example.org")
    log_in(other_device, "buyer@test.example.org")
    response = client.post(
        "/account/wachtwoord",
        data={"current_password": PASSWORD, "password": "een nieuw lang wachtwoord", "confirm_password": "een nieuw lang wachtwoord"},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert "/inloggen" in other_device.get("/account").headers["Location"]


# Password reset ----------------------------------------------------------------------------


def _reset_link(message) -> str:
    return next(line for line in message.body.splitlines() if "/wachtwoord-herstellen/" in line).split("5000", 1)[-1].strip()


def test_a_reset_link_works_once(client, world):
    response = client.post("/wachtwoord-vergeten", data={"email": "Buyer@Test.example.org"})
    assert response.status_code == 302
    [message] = outbox()
    assert message.recipient == "buyer@test.example.org"
    link = _reset_link(message)
    assert client.get(link).status_code == 200
    new = "correct paard batterij nietje"
    assert client.post(link, data={"password": new, "confirm_password": new}).status_code == 302
    assert log_in(client, "buyer@test.example.org", new).status_code == 302
    assert client.get(link).status_code == 404


def _without_csrf_token(html: str) -> str:
    return re.sub(r'(name="csrf_token" value=)"[^"]*"', r'\1"TOKEN"', html)


def test_a_reset_request_for_an_unknown_address_looks_the_same_and_sends_nothing(client, world):
    known = client.post("/wachtwoord-vergeten", data={"email": "buyer@test.example.org"}, follow_redirects=True)
    unknown = client.post("/wachtwoord-vergeten", data={"email": "niemand@test.example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    # The CSRF token carries a timestamp, so two pages a second apart differ there and only there.
    known_text = _without_csrf_token(known.get_data(as_text=True).replace("buyer@test.example.org", "ADDRESS"))
    unknown_text = _without_csrf_token(unknown.get_data(as_text=True).replace("niemand@test.example.org", "ADDRESS"))
    assert known_text == unknown_text
    assert [m.recipient for m in outbox()] == ["buyer@test.example.org"]


def test_an_expired_reset_link_is_refused(client, world):
    user, token = services.request_password_reset(db.session, email="buyer@test.example.org", valid_for=timedelta(minutes=-1))
    db.session.commit()
    response = client.get(f"/wachtwoord-herstellen/{token}")
    assert response.status_code == 404


def test_a_weak_new_password_is_refused_with_a_message(client, world):
    user, token = services.request_password_reset(db.session, email="buyer@test.example.org", valid_for=timedelta(hours=1))
    db.session.commit()
    response = client.post(f"/wachtwoord-herstellen/{token}", data={"password": "kort", "confirm_password": "kort"})
    assert response.status_code == 422
    assert 'href="#password"' in response.get_data(as_text=True)


# Invitations -------------------------------------------------------------------------------


def test_an_admin_invites_a_colleague_who_sets_a_password(client, app, world):
    sign_in_as(client, world.user("region_admin"))
    response = client.post(
        f"/organisaties/{world.region.id}/uitnodigen",
        data={"name": "Nieuwe Inkoper", "email": "Nieuw@Test.example.org", "role": "buyer"},
    )
    assert response.status_code == 302
    [message] = outbox()
    link = next(line for line in message.body.splitlines() if "/uitnodiging/" in line).split("5000", 1)[-1].strip()
    invitee = app.test_client()
    assert invitee.get(link).status_code == 200
    response = invitee.post(link, data={"name": "Nieuwe Inkoper", "password": "een goed lang wachtwoord", "confirm_password": "een goed lang wachtwoord"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nieuw@test.example.org"))
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(world.region.id, Role.BUYER)]
    assert invitee.get("/account").status_code == 200
    # The link works once.
    assert app.test_client().get(link).status_code == 404


def test_an_existing_user_accepts_an_invitation_while_signed_in(client, world):
    invitation, token = services.invite(
        db.session, email="provider_admin@test.example.org", name="X", organisation=world.council,
        role=Role.BODY_MEMBER, invited_by=world.user("region_admin"), valid_for=timedelta(days=1),
    )
    db.session.commit()
    # Not signed in: asked to sign in, nothing accepted.
    page = client.get(f"/uitnodiging/{token}")
    assert page.status_code == 200 and "/inloggen" in page.get_data(as_text=True)
    assert client.post(f"/uitnodiging/{token}").status_code == 200
    assert find(Invitation, invitation.id).accepted_at is None
    log_in(client, "provider_admin@test.example.org")
    assert client.post(f"/uitnodiging/{token}").status_code == 302
    roles = {m.role for m in find(User, world.user("provider_admin").id).memberships}
    assert roles == {Role.PROVIDER_ADMIN, Role.BODY_MEMBER}


def test_an_expired_or_withdrawn_invitation_is_refused(client, world):
    _, expired = services.invite(
        db.session, email="a@test.example.org", name="A", organisation=world.region, role=Role.BUYER,
        invited_by=None, valid_for=timedelta(seconds=-1),
    )
    invitation, withdrawn = services.invite(
        db.session, email="b@test.example.org", name="B", organisation=world.region, role=Role.BUYER,
        invited_by=None, valid_for=timedelta(days=1),
    )
    services.revoke_invitation(db.session, invitation=invitation, actor=world.user("region_admin"), acting_for=world.region)
    db.session.commit()
    assert client.get(f"/uitnodiging/{expired}").status_code == 404
    assert client.get(f"/uitnodiging/{withdrawn}").status_code == 404


def test_a_role_that_does_not_fit_the_organisation_is_refused(world):
    with pytest.raises(services.AccountError):
        services.invite(
            db.session, email="c@test.example.org", name="C", organisation=world.provider, role=Role.REVIEWER,
            invited_by=None, valid_for=timedelta(days=1),
        )


def test_inviting_an_existing_member_again_is_refused_with_a_field_error(client, world):
    sign_in_as(client, world.user("region_admin"))
    response = client.post(
        f"/organisaties/{world.region.id}/uitnodigen",
        data={"name": "Buyer", "email": "buyer@test.example.org", "role": "buyer"},
    )
    assert response.status_code == 422
    assert 'href="#email"' in response.get_data(as_text=True)
    assert outbox() == []


# Two-step sign-in ---------------------------------------------------------------------------


@pytest.fixture
def totp_app(_database):
    """An application that requires two-step sign-in for staff, as production does."""
    from portal import create_app
    from tests.conftest import IsolatedClient

    instance, url = _database
    application = create_app(make_settings(instance, url, require_totp_for_staff=True))
    application.test_client_class = IsolatedClient
    return application


def test_staff_must_set_up_two_step_sign_in_before_entering(totp_app, world):
    client = totp_app.test_client()
    response = log_in(client, "reviewer@test.example.org")
    assert response.status_code == 200
    assert "otpauth" not in response.get_data(as_text=True)  # the QR code is an image, not a link
    assert "data:image/svg+xml" in response.get_data(as_text=True)
    # Not signed in yet.
    assert "/inloggen" in client.get("/account").headers["Location"]
    with client.session_transaction() as session:
        secret = session["pending_sign_in"]["secret"]
    assert client.post("/inloggen/tweestaps-instellen", data={"code": "000000"}).status_code == 422
    response = client.post("/inloggen/tweestaps-instellen", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert find(User, world.user("reviewer").id).totp_secret == secret


def test_a_code_is_needed_after_the_password_and_cannot_be_used_twice(totp_app, world):
    user = world.user("reviewer")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    code = pyotp.TOTP(user.totp_secret).now()
    first = totp_app.test_client()
    assert log_in(first, "reviewer@test.example.org").status_code == 200
    assert first.post("/inloggen/code", data={"code": code}).status_code == 302
    assert first.get("/account").status_code == 200
    second = totp_app.test_client()
    log_in(second, "reviewer@test.example.org")
    assert second.post("/inloggen/code", data={"code": code}).status_code == 422


def test_providers_are_not_forced_into_two_step_sign_in(totp_app, world):
    client = totp_app.test_client()
    assert log_in(client, "provider_admin@test.example.org").status_code == 302


def test_staff_cannot_turn_off_required_two_step_sign_in(totp_app, world):
    user = world.user("reviewer")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    with pytest.raises(services.AccountError):
        services.disable_totp(db.session, user=user, actor=user, required=True)


def test_a_provider_can_turn_two_step_sign_in_on_and_off(client, world):
    sign_in_as(client, world.user("provider_admin"))
    assert client.get("/account/tweestaps").status_code == 200
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    assert client.post("/account/tweestaps", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert find(User, world.user("provider_admin").id).has_totp
    assert client.post("/account/tweestaps").status_code == 302
    assert not find(User, world.user("provider_admin").id).has_totp


def test_verify_totp_accepts_one_step_of_clock_drift_only(world):
    user = world.user("reviewer")
    user.totp_secret = pyotp.random_base32()
    now = datetime.now(UTC).timestamp()
    totp = pyotp.TOTP(user.totp_secret)
    assert services.verify_totp(user, totp.at(now - 30), at=now)
    assert not services.verify_totp(user, totp.at(now - 90), at=now)


def test_the_signed_in_user_is_kept_and_every_change_to_the_account_counts_at_the_next_request(client, world):
    user = world.user("buyer")
    sign_in_as(client, user)
    client.get("/account")
    with count_queries() as kept:
        page = client.get("/account").get_data(as_text=True)
    assert user.name in page and world.region.name in page
    assert not [s for s in kept.statements if "FROM users" in s], "the user is not read again"

    user.name = "Nieuwe Naam"
    world.region.name = "Hernoemde Regio"
    db.session.commit()
    page = client.get("/account").get_data(as_text=True)
    assert "Nieuwe Naam" in page and "Hernoemde Regio" in page

    assert client.get("/regio/aanbieders").status_code == 200
    buyer = user.memberships[0]
    buyer.role = Role.BODY_MEMBER  # a new role: the buyer's pages close
    db.session.commit()
    assert client.get("/regio/aanbieders").status_code == 403

    db.session.execute(update(User).where(User.id == user.id).values(active=False))
    db.session.commit()  # an account switched off in bulk: signed out at the next request
    response = client.get("/account")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_change_to_the_kept_signed_in_user_is_saved_and_leaves_the_kept_copy_alone(client, world):
    user = world.user("buyer")
    sign_in_as(client, user)
    client.get("/account")
    response = client.post("/account", data={"name": "Andere Naam", "locale": "en"})
    assert response.status_code == 302
    db.session.expire_all()
    assert find(User, user.id).name == "Andere Naam" and find(User, user.id).locale == "en"
    assert "Andere Naam" in client.get("/account").get_data(as_text=True)


def test_switching_organisation_changes_the_acting_role(client, world):
    user = world.user("buyer")
    member_of_council = Membership(user=user, organisation=world.council, role=Role.BODY_MEMBER)
    db.session.add(member_of_council)
    db.session.commit()
    sign_in_as(client, user)
    assert client.get("/regio/aanbieders").status_code == 200
    client.post("/organisatie-wisselen", data={"membership": member_of_council.id})
    assert client.get("/regio/aanbieders").status_code == 403
    # Someone else's membership cannot be chosen.
    other = world.user("reviewer").memberships[0].id
    client.post("/organisatie-wisselen", data={"membership": other})
    assert client.get("/regio/aanbieders").status_code == 403


def test_a_member_without_password_cannot_sign_in(client, world):
    member(Role.BUYER, world.region, email="nopass@test.example.org", password_hash=None)
    assert log_in(client, "nopass@test.example.org", "").status_code == 422
    assert log_in(client, "nopass@test.example.org", "anything at all").status_code == 422


def test_throttling_counts_in_redis_when_configured(_database, world):
    """With several workers the counters must be shared: Redis keeps them."""
    import os

    import redis

    from portal import create_app
    from tests.conftest import IsolatedClient

    url = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    instance, db_url = _database
    app = create_app(make_settings(instance, db_url, ratelimit_storage_uri=url, login_rate_limit="3 per minute"))
    app.test_client_class = IsolatedClient
    try:
        first_worker, second_worker = app.test_client(), app.test_client()
        for _ in range(3):
            assert log_in(first_worker, "buyer@test.example.org", "wrong password!").status_code == 422
        assert log_in(second_worker, "buyer@test.example.org", "wrong password!").status_code == 429
        assert any(b"inloggen" in key or b"login" in key for key in connection.keys("*"))
    finally:
        limiter.reset()
        connection.flushdb()
