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
from portal.models import Membership, OrganisationKind, Role


@dataclass(frozen=True)
class Access:
    """The rule a view declares."""

    #: "public", "signed_in" or "roles".
    kind: str
    #: The roles allowed when kind is "roles".
    roles: frozenset[Role] = frozenset()
    #: The kinds of organisation the member must act for; None when any will do.
    organisations: frozenset[OrganisationKind] | None = None

    def admits(self, membership: Membership | None) -> bool:
        """Tell whether a member acting in this membership passes a "roles" rule."""
        if membership is None or membership.role not in self.roles:
            return False
        return self.organisations is None or membership.organisation.kind in self.organisations


def _declare(rule: Access) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if rule.kind != "public" and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if rule.kind == "roles" and not rule.admits(g.membership):
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


def roles(*allowed: Role | Iterable[Role], of: OrganisationKind | None = None) -> Callable:
    """Let only members acting in one of these roles use this view; with ``of``, only when they
    act for that kind of organisation (a region's administrator, not a municipality's)."""
    flat: set[Role] = set()
    for item in allowed:
        flat.update([item] if isinstance(item, Role) else item)
    return _declare(Access("roles", frozenset(flat), None if of is None else frozenset({of})))


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
