"""The route-access matrix, one module per feature: who may use which route.

Each module in this package defines ``MATRIX``: {(endpoint, rule): Case}, and may define
``prepare(world)`` to add the objects its URLs need. tests/test_route_access.py merges them all
and fails on any route that no module declares.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from portal.models import Role
from tests.conftest import World

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




def load() -> tuple[dict, dict]:
    """Merge the MATRIX of every module in this package; return it with, per route, the prepare
    hook of the module that declares it (a route's test prepares only what its own module needs)."""
    merged: dict = {}
    hooks: dict = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        overlap = set(merged) & set(module.MATRIX)
        assert not overlap, f"{info.name} declares routes declared elsewhere: {overlap}"
        merged.update(module.MATRIX)
        if hasattr(module, "prepare"):
            hooks.update(dict.fromkeys(module.MATRIX, module.prepare))
    return merged, hooks
