"""HTTP security headers and the handling of expired forms."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Request, current_app, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def large_uploads(view: Callable) -> Callable:
    """Let a view take uploads up to MAX_IMPORT_CONTENT_LENGTH rather than MAX_CONTENT_LENGTH."""
    view.large_uploads = True
    return view


class PortalRequest(Request):
    """A request whose size limit depends on its view, known before anything reads the body.

    Setting ``request.max_content_length`` inside the view would be too late: the CSRF check
    reads the form before the view runs.
    """

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.endpoint is not None:
            view = current_app.view_functions.get(self.endpoint)
            if getattr(view, "large_uploads", False):
                return current_app.config["MAX_IMPORT_CONTENT_LENGTH"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def init_app(app: Flask) -> None:
    """Size requests by their view and add the security headers to every response."""
    app.request_class = PortalRequest
    production = app.config["PORTAL_SETTINGS"].is_production

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user.is_authenticated and request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response
