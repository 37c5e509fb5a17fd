"""Keep what someone typed when their session or form token expired, and let them confirm it.

A form posted after the CSRF token or the sign-in session expired is not processed. Instead the
posted text is carried, signed, through the sign-in page if needed, and shown on a page that
posts it again with a fresh token once the person confirms. Nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.exceptions import HTTPException

#: Field names never carried along: tokens and secrets.
_SKIPPED = ("csrf_token", "password", "new_password", "confirm_password", "code", "kept")


#: Per endpoint: a function of the URL's arguments that returns the (empty) form its page shows,
#: so that kept fields are shown with the labels people saw, not with their technical names.
_FORMS: dict[str, Callable[..., FlaskForm | None]] = {}


def form_of(endpoint: str):
    """Register the function that builds the form posted to an endpoint (see _FORMS)."""
    def register(function: Callable[..., FlaskForm | None]):
        _FORMS[endpoint] = function
        return function
    return register


def field_labels(target: str) -> dict[str, str]:
    """Return {field name: label} of the form posted to target, or nothing when it is unknown."""
    try:
        endpoint, arguments = current_app.url_map.bind("localhost").match(urlsplit(target).path, method="POST")
    except HTTPException:
        return {}
    build = _FORMS.get(endpoint)
    form = build(**arguments) if build is not None else None
    return {field.name: str(field.label.text) for field in form} if form is not None else {}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal.resubmit")


def is_local_path(target: str | None) -> bool:
    """Tell whether a redirect target stays on this site."""
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


def posted_fields() -> list[tuple[str, str]]:
    """Return the posted fields worth keeping, in order, without tokens or passwords."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in _SKIPPED and "password" not in name
    ]


def pack(target: str, fields: list[tuple[str, str]]) -> str:
    """Sign the target and fields so they can travel through a form unchanged."""
    return _serializer().dumps({"target": target, "fields": fields})


def unpack(token: str | None) -> tuple[str, list[tuple[str, str]]] | None:
    """Return (target, fields) from a packed value, or None when it was tampered with."""
    if not token:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    target = data.get("target")
    if not is_local_path(target):
        return None
    return target, [(str(name), str(value)) for name, value in data.get("fields", [])]


def confirm_page(target: str, fields: list[tuple[str, str]], status: int = 400):
    """Show the kept input with a button that sends it again with a fresh token."""
    return (
        render_template("resubmit.html", target=target, fields=fields, labels=field_labels(target),
                        had_files=bool(request.files)),
        status,
    )
