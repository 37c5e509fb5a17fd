"""Error pages that say what happened in plain words, and keep typed input on CSRF errors."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from portal import resubmit
from portal.auth.sessions import sign_in_to_continue

#: Forms that hold a password: an expired token there just shows the form again.
_SIGN_IN_ENDPOINTS = {"auth.login", "auth.totp", "auth.totp_setup"}


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        if request.method != "POST" or not request.form:
            return render_template("errors/error.html", code=400), 400
        if request.endpoint in _SIGN_IN_ENDPOINTS:
            flash(_("The page had expired. Please try again."), "info")
            return redirect(request.full_path.rstrip("?"))
        view = app.view_functions.get(request.endpoint)
        rule = getattr(view, "access", None)
        if not current_user.is_authenticated and rule is not None and rule.kind != "public":
            return sign_in_to_continue()
        return resubmit.confirm_page(request.full_path.rstrip("?"), resubmit.posted_fields())

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _page_for(code))


def _page_for(code: int):
    def handler(error):
        return render_template("errors/error.html", code=code), code

    return handler
