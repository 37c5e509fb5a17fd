"""Shared fixtures: one application per run, a clean database for every test.

The suite runs on SQLite by default and on PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
The schema is created by the Alembic migrations, so every run also tests them.
"""

from __future__ import annotations

import contextvars
import os
import re
import time
from dataclasses import dataclass
from functools import cache

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, insert, make_url, select, text

from portal import create_app, kept
from portal.config import Settings, normalise_database_url
from portal.extensions import db, limiter
from portal.models import Body, DataVersion, Municipality, Provider, Region, Role, User
from portal.models.versions import new_token
from tests import factories

TEST_SECRET = "test-secret-key-" + "x" * 32
#: Reference data the migrations seed; kept between tests.
REFERENCE_TABLES = frozenset({"evidence_types", "wnt_maxima"})
APPEND_ONLY_TABLE = "audit_events"


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own application context, as in production.

    pytest-flask keeps a request context open during each test; without this, requests would
    share `g` (and Flask-Login's cached user) and the database session with the test.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)

        def run_request():
            response = FlaskClient.open(self, *args, **kwargs)
            # Pop the request's contexts here, in the context that pushed them.
            self._context_stack.close()
            return response

        response = contextvars.Context().run(run_request)
        if has_app_context():
            db.session.expire_all()
        return response


def database_url(tmp_path_factory) -> str:
    """Return the test database: PostgreSQL when configured, else a fresh SQLite file.

    Under pytest-xdist each worker gets its own PostgreSQL database beside the configured one
    (`<name>_gw0`, ...), made here and dropped when the worker ends.
    """
    configured = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not configured:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    url = normalise_database_url(configured)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        parsed = make_url(url)
        url = parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)
        _postgresql_server(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        _postgresql_server(url, f'CREATE DATABASE "{make_url(url).database}"')
    return url


def _postgresql_server(url: str, statement: str) -> None:
    """Run one statement on the server's `postgres` database, outside a transaction."""
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(statement))
    server.dispose()


def make_settings(instance_path: str, url: str, **overrides) -> Settings:
    """Return test settings; CSRF is off unless a test asks for it."""
    flask_overrides = {"TESTING": True, "WTF_CSRF_ENABLED": False}
    flask_overrides.update(overrides.pop("flask", {}))
    values = {"login_rate_limit": "50 per minute", **overrides}
    return Settings(
        environment="test",
        secret_key=TEST_SECRET,
        database_url=url,
        instance_path=instance_path,
        overrides=flask_overrides,
        **values,
    )


@pytest.fixture(scope="session")
def _database(tmp_path_factory):
    url = database_url(tmp_path_factory)
    instance = str(tmp_path_factory.mktemp("instance"))
    app = create_app(make_settings(instance, url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade(revision="heads")
        db.engine.dispose()
    yield instance, url
    if os.environ.get("PYTEST_XDIST_WORKER") and make_url(url).get_backend_name() == "postgresql":
        with app.app_context():
            db.engine.dispose()
        _postgresql_server(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(_database):
    """The application under test, created once."""
    instance, url = _database
    application = create_app(make_settings(instance, url))
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after each test that used the database."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    if has_app_context():
        db.session.remove()
    with app.app_context():
        db.session.remove()
        tables = tuple(table.name for table in reversed(db.metadata.sorted_tables) if table.name not in REFERENCE_TABLES)
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(_postgresql_emptying(tables))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
            # As every installation starts (migration 0024): what depends on these is kept.
            connection.execute(insert(DataVersion), [{"name": name, "token": new_token()} for name in kept.watched()])
    limiter.reset()


@cache
def _postgresql_emptying(tables: tuple[str, ...]) -> str:
    """One round trip that empties the tables and restarts their id sequences.

    DELETE on a handful of small tables is much cheaper than TRUNCATE, which makes new files for
    every table it touches; the sequences restart so that ids are the same as on SQLite. The audit
    log refuses DELETE (a trigger keeps it append-only), so it alone is truncated.
    """
    return "; ".join(
        [f"TRUNCATE {APPEND_ONLY_TABLE}"]
        + [f"DELETE FROM {table}" for table in tables if table != APPEND_ONLY_TABLE]
        + [
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1, false)"
            for table in tables
            if "id" in db.metadata.tables[table].c and db.metadata.tables[table].c.id.autoincrement is not False
        ]
    )


@pytest.fixture
def csrf_app(_database):
    """An application with CSRF protection on, as in production."""
    instance, url = _database
    application = create_app(make_settings(instance, url, flask={"WTF_CSRF_ENABLED": True}))
    application.test_client_class = IsolatedClient
    return application


@dataclass
class World:
    """Two regions and two providers with a user for every role: the cast of most tests."""

    region: Region
    municipality: Municipality
    council: Body
    provider: Provider
    other_provider: Provider
    other_region: Region
    other_council: Body
    users: dict[str, User]

    def user(self, role: str) -> User:
        """Return the user who acts in this role."""
        return self.users[role]


ROLE_NAMES = [role.value for role in Role]


@pytest.fixture
def world(app) -> World:
    """Build the cast: a user per role in region one and provider one, and outsiders."""
    region = factories.RegionFactory(name="Regio Een", code="R1")
    municipality = factories.MunicipalityFactory(region=region, name="Eendorp")
    council = factories.BodyFactory(municipality=municipality, name="Gemeenteraad Eendorp")
    provider = factories.ProviderFactory(name="Aanbieder Een")
    factories.LocationFactory(provider=provider)
    factories.ContactFactory(provider=provider)
    other_provider = factories.ProviderFactory(name="Aanbieder Twee")
    factories.LocationFactory(provider=other_provider)
    other_region = factories.RegionFactory(name="Regio Twee", code="R2")
    other_municipality = factories.MunicipalityFactory(region=other_region, name="Tweedorp")
    other_council = factories.BodyFactory(municipality=other_municipality, name="Gemeenteraad Tweedorp")
    users = {}
    for role in Role:
        if role in (Role.PROVIDER_ADMIN, Role.PROVIDER_MEMBER):
            organisation = provider
        elif role is Role.BODY_MEMBER:
            organisation = council
        else:
            organisation = region
        users[role.value] = factories.member(role, organisation, email=f"{role.value}@test.example.org", name=role.value.replace("_", " ").title())
    factories.member(Role.PROVIDER_ADMIN, other_provider, email="other_provider_admin@test.example.org")
    factories.member(Role.REGION_ADMIN, other_region, email="other_region_admin@test.example.org")
    return World(region, municipality, council, provider, other_provider, other_region, other_council, users)


def sign_in_as(client: FlaskClient, user: User | None, membership_id: int | None = None) -> None:
    """Put a signed-in session for the user in the client's cookie (skips the login form)."""
    if user is None:
        return
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["membership_id"] = membership_id or user.memberships[0].id
        session["seen"] = int(time.time())


def log_in(client: FlaskClient, email: str, password: str = factories.PASSWORD, **extra):
    """Sign in through the login form, as a person would."""
    return client.post("/inloggen", data={"email": email, "password": password, **extra})


def csrf_token_from(response) -> str:
    """Return the CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


def find(model, object_id):
    """Load a row fresh from the database, or None when it is gone."""
    return db.session.scalar(select(model).where(model.id == object_id).execution_options(populate_existing=True))


def outbox() -> list:
    """Return the e-mail written so far, oldest first."""
    from portal.models import OutboxMessage

    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
