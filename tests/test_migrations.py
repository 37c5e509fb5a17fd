"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select

from portal import create_app
from portal.extensions import db
from tests.conftest import make_settings


def test_the_migrated_database_matches_the_models(app):
    """The suite's database was built by `upgrade`; autogenerate must find nothing to add."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_an_empty_database_upgrades_to_head_and_back(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    app = create_app(make_settings(str(tmp_path), url))
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"organisations", "users", "memberships", "audit_events", "outbox_messages"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        upgrade(revision="heads")
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() != ()
    engine.dispose()


def test_the_migrations_form_one_line(app):
    """Two revisions on the same parent must be put in order (or merged) before they land."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(app.extensions["migrate"].directory))
    assert len(script.get_heads()) == 1


def test_every_watched_kind_of_data_gets_its_token_at_installation(tmp_path):
    """portal.kept keeps nothing for a kind without a row: the migrations must write one for each."""
    from portal import kept
    from portal.models import DataVersion

    app = create_app(make_settings(str(tmp_path), f"sqlite:///{tmp_path}/fresh.sqlite3"))
    with app.app_context():
        upgrade(revision="heads")
        names = set(db.session.scalars(select(DataVersion.name)))
        db.session.remove()
        db.engine.dispose()
    assert set(kept.watched()) <= names
