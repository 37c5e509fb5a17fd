"""Security headers, CSRF protection, and keeping typed input when a token or session expired."""

from __future__ import annotations

import re
import time

from portal.extensions import db
from portal.models import Provider
from tests.conftest import csrf_token_from, find, log_in, sign_in_as


def test_every_page_sends_the_security_headers(client, world):
    response = client.get("/inloggen")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(client, world):
    sign_in_as(client, world.user("region_admin"))
    for url in ("/", "/organisatie/leden", "/beheer/logboek", "/account/tweestaps"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page
        assert "style=" not in page


def test_signed_in_pages_are_not_cached(client, world):
    sign_in_as(client, world.user("buyer"))
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_form_without_a_csrf_token_changes_nothing(csrf_app, world):
    client = csrf_app.test_client()
    sign_in_as(client, world.user("provider_admin"))
    response = client.post("/organisatie/locaties", data={"name": "X", "address": "Y 1", "postcode": "1234 AB", "city": "Z"})
    assert response.status_code == 400
    assert find(Provider, world.provider.id).locations[0].name == "Hoofdvestiging"
    assert len(find(Provider, world.provider.id).locations) == 1


def test_an_expired_form_token_keeps_the_input_and_asks_to_confirm(csrf_app, world):
    client = csrf_app.test_client()
    sign_in_as(client, world.user("provider_admin"))
    long_text = "Dit is een lange tekst. " * 3000
    data = {"name": "Vestiging Oost", "address": "Oostweg 3", "postcode": "1234 AB", "city": long_text[:100], "csrf_token": "verlopen"}
    response = client.post("/organisatie/locaties", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Vestiging Oost"' in page and 'value="Oostweg 3"' in page
    assert 'action="/organisatie/locaties"' in page
    # Confirming sends the kept input with a fresh token, and it is saved.
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    response = client.post("/organisatie/locaties", data=kept)
    assert response.status_code == 302
    assert [loc.name for loc in find(Provider, world.provider.id).locations] == ["Hoofdvestiging", "Vestiging Oost"]


def test_an_expired_session_keeps_the_input_through_signing_in_again(csrf_app, world):
    client = csrf_app.test_client()
    page = client.get("/inloggen")
    log_in(client, "provider_admin@test.example.org", csrf_token=csrf_token_from(page))
    form = client.get("/organisatie")
    token = csrf_token_from(form)
    # The person leaves the page open past the idle time-out.
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 24 * 3600
    response = client.post(
        "/organisatie/contactpersonen",
        data={"name": "Fatima Yilmaz", "subject": "kwaliteit", "email": "f.yilmaz@aanbieder.example.org", "csrf_token": token},
    )
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'name="kept"' in page
    kept = re.search(r'name="kept" type="hidden" value="([^"]+)"', page) or re.search(r'name="kept" value="([^"]+)"', page)
    response = client.post(
        "/inloggen",
        data={"email": "provider_admin@test.example.org", "password": "correct horse battery staple",
              "kept": kept.group(1), "csrf_token": csrf_token_from(response)},
    )
    assert response.status_code == 200
    confirm = response.get_data(as_text=True)
    assert 'value="Fatima Yilmaz"' in confirm and 'action="/organisatie/contactpersonen"' in confirm
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm))
    assert client.post("/organisatie/contactpersonen", data=fields).status_code == 302
    assert "Fatima Yilmaz" in [c.name for c in find(Provider, world.provider.id).contacts]


def test_kept_input_cannot_be_forged_to_post_elsewhere(client, world):
    from portal import resubmit

    with client.application.test_request_context():
        assert resubmit.unpack("forged.value") is None
        token = resubmit.pack("https://evil.example.org/", [("a", "b")])
        assert resubmit.unpack(token) is None


def test_the_outbox_does_not_exist_when_mail_is_really_sent(_database, world):
    from portal import create_app
    from tests.conftest import IsolatedClient, make_settings

    instance, url = _database
    app = create_app(make_settings(instance, url, mail_transport="smtp://127.0.0.1:1"))
    app.test_client_class = IsolatedClient
    client = app.test_client()
    sign_in_as(client, world.user("region_admin"))
    assert client.get("/beheer/uitgaande-mail").status_code == 404
    assert "/beheer/uitgaande-mail" not in client.get("/").get_data(as_text=True)


def test_an_unknown_page_gets_a_friendly_404(client, world):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


def test_the_health_check_answers(client):
    assert client.get("/gezondheid").get_json() == {"status": "ok"}
