"""Who may use which route: a declaration on every view, checked before it runs.

Every view carries exactly one of ``public``, ``signed_in`` or ``roles(...)``. The
application refuses to start when a view has none, and the route-access matrix test
checks each declaration against every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, g
from flask_login import current_user

from portal.extensions import login_manager
from portal.models import Role


@dataclass(frozen=True)
class Access:
    """The rule a view declares."""

    #: "public", "signed_in" or "roles".
    kind: str
    #: The roles allowed when kind is "roles".
    roles: frozenset[Role] = frozenset()


def _declare(rule: Access) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if rule.kind != "public" and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if rule.kind == "roles" and (
                g.membership is None or g.membership.role not in rule.roles
            ):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = rule
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    """Let anyone, signed in or not, use this view."""
    return _declare(Access("public"))(view)


def signed_in(view: Callable) -> Callable:
    """Let any signed-in user use this view, whatever their role."""
    return _declare(Access("signed_in"))(view)


def roles(*allowed: Role | Iterable[Role]) -> Callable:
    """Let only members acting in one of these roles use this view."""
    flat: set[Role] = set()
    for item in allowed:
        flat.update([item] if isinstance(item, Role) else item)
    return _declare(Access("roles", frozenset(flat)))


def undeclared_endpoints(app: Flask) -> list[str]:
    """Return the endpoints whose view declares no access rule."""
    missing = []
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        if getattr(view, "access", None) is None:
            missing.append(endpoint)
    return sorted(missing)


def check_declarations(app: Flask) -> None:
    """Refuse to start when any view forgot to say who may use it."""
    missing = undeclared_endpoints(app)
    if missing:
        raise RuntimeError("Views without an access declaration: " + ", ".join(missing))
