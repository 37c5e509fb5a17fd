"""Dutch by default, English on request, and a catalogue with every text translated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import sign_in_as

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "portal" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_the_portal_speaks_dutch_by_default(client):
    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "<h1>Inloggen</h1>" in page
    assert "Naar de hoofdinhoud" in page


def test_the_language_switch_turns_the_portal_english_and_back(client):
    client.post("/taal", data={"language": "en", "next": "/inloggen"})
    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Sign in</h1>" in page
    client.post("/taal", data={"language": "nl", "next": "/inloggen"})
    assert "<h1>Inloggen</h1>" in client.get("/inloggen").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    client.post("/taal", data={"language": "xx", "next": "/inloggen"})
    assert '<html lang="nl">' in client.get("/inloggen").get_data(as_text=True)


def test_the_language_switch_only_sends_people_back_into_the_portal(client):
    response = client.post("/taal", data={"language": "en", "next": "https://evil.example.org/"})
    assert response.headers["Location"] == "/"


def test_a_signed_in_user_keeps_their_language(client, world):
    sign_in_as(client, world.user("buyer"))
    client.post("/taal", data={"language": "en", "next": "/"})
    assert world.user("buyer").locale == "en"


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="nl")


def test_every_text_in_the_catalogue_is_translated_with_its_placeholders():
    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {ids[0]}")
    assert problems == []


def test_every_text_in_the_code_is_in_the_catalogue(tmp_path):
    """Run the extraction; a user-facing text that is not in the catalogue fails the build."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(template), "--no-location", "."],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    with template.open("rb") as handle:
        extracted = {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle) if message.id}
    known = {message.id if isinstance(message.id, str) else message.id[0] for message in _catalogue() if message.id}
    assert sorted(extracted - known) == [], "run `make extract-messages` and translate the new texts"


def test_the_catalogue_compiles_without_errors():
    """Placeholders that do not match make `pybabel compile` (and so `make run`) fail."""
    problems = [(message.id, str(error)) for message, errors in _catalogue().check() for error in errors]
    assert problems == []


def test_money_reads_as_people_of_the_language_write_it(app):
    from decimal import Decimal

    from flask_babel import force_locale

    from portal.labels import euro

    with app.test_request_context():
        assert euro(Decimal("1234.5")) == "€\u00a01.234,50"
        assert euro(190000, cents=False) == "€\u00a0190.000"
        assert euro(None) == "–"
        with force_locale("en"):
            assert euro(Decimal("1234.5")) == "€\u00a01,234.50"


def test_a_message_follows_a_change_of_language_within_a_request(app):
    """The catalogue is looked up once per request and language (portal.i18n): an e-mail written
    in its recipient's language in the middle of a Dutch page must still be English, and the page
    Dutch again after it."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext, refresh

    template = "{{ _('Sign out') }} {{ ngettext('%(num)d application', '%(num)d applications', 2) }}"
    label = lazy_gettext("Sign out")
    with app.test_request_context("/"):
        assert gettext("Sign out") == "Uitloggen" == str(label)
        assert render_template_string(template) == "Uitloggen 2 aanmeldingen"
        with force_locale("en"):
            assert gettext("Sign out") == "Sign out" == str(label)
            assert render_template_string(template) == "Sign out 2 applications"
        assert gettext("Sign out") == "Uitloggen"
        assert render_template_string(template) == "Uitloggen 2 aanmeldingen"
        from flask import session

        session["locale"] = "en"
        refresh()  # the language chosen in this request
        assert gettext("Sign out") == "Sign out"
    with app.app_context():  # the command line writes Dutch
        assert gettext("Sign out") == "Uitloggen"
