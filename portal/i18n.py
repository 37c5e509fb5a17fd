"""Language choice: Dutch by default, English on request."""

from __future__ import annotations

from flask import Flask, has_request_context, session
from flask_login import current_user

#: Languages the portal speaks, with the name each uses for itself.
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LOCALE = "nl"


def select_locale() -> str:
    """Choose the language: the switch in this session, then the account's, then Dutch."""
    if not has_request_context():
        return DEFAULT_LOCALE  # the command line writes Dutch, like the portal by default
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    """Expose the language list and the current language to templates."""

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"languages": LANGUAGES, "current_locale": str(get_locale() or DEFAULT_LOCALE)}

    from flask_babel import format_date, format_datetime, format_decimal

    app.jinja_env.filters["datetime"] = lambda value: format_datetime(value, "d MMM yyyy HH:mm")
    app.jinja_env.filters["date"] = lambda value: format_date(value, "d MMM yyyy")
    app.jinja_env.filters["number"] = format_decimal
