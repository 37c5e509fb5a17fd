"""The route-access matrix: every route, every role, the expected answer.

The expectations live in tests/matrices/, one module per feature. A new route fails this test
until a module declares who may use it.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROLE_NAMES, sign_in_as
from tests.matrices import ANONYMOUS, LOGIN, OK, load

MATRIX, PREPARE = load()


def test_every_route_is_in_the_matrix(app):
    """A route, or a method of a route, that nobody declared in the matrix fails the build."""
    routes = {
        (rule.endpoint, rule.rule): tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
    }
    assert set(routes) - set(MATRIX) == set(), "add these routes to MATRIX"
    assert set(MATRIX) - set(routes) == set(), "these MATRIX entries have no route any more"
    wrong_methods = {route: methods for route, methods in routes.items() if tuple(sorted(MATRIX[route].methods)) != methods}
    assert wrong_methods == {}, "declare these methods in MATRIX"


def test_every_route_declares_who_may_use_it(app):
    """Every view carries an access declaration (the app also refuses to start without)."""
    from portal.access import undeclared_endpoints

    assert undeclared_endpoints(app) == []


CALLS = [(route, method) for route in sorted(MATRIX) for method in MATRIX[route].methods]


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLE_NAMES])
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c[1]} {c[0][0]}:{c[0][1]}")
def test_route_answers_each_role_as_declared(app, client, world, call, role):
    """Each role gets exactly the answer the matrix declares, and never a server error."""
    route, method = call
    case = MATRIX[route]
    if route in PREPARE:  # what the route's own module adds to the world for its URLs
        PREPARE[route](world)
    matrix_world = world
    user = None if role == ANONYMOUS else matrix_world.user(role)
    sign_in_as(client, user)
    url = case.url(matrix_world)
    response = client.open(url, method=method)
    expected = case.expected(role)
    status = response.status_code
    assert status < 500, f"{method} {url} as {role}: {status}"
    if expected == OK:
        assert status not in (401, 403, 404, 405), f"{method} {url} as {role}: {status}"
        assert "/inloggen" not in response.headers.get("Location", ""), f"{url} as {role} asked to sign in"
    elif expected == LOGIN:
        assert status == 302 and "/inloggen" in response.headers["Location"], f"{url} as {role}: {status}"
    else:
        assert status == expected, f"{method} {url} as {role}: {status}, expected {expected}"
