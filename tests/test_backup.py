"""A backup restores into an empty instance with every row and every file back."""

from __future__ import annotations

import gzip
import io
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from portal import create_app
from portal.backup.services import BackupError, create_backup, read_manifest, restore_backup
from portal.db import Base
from portal.demo.seed import seed_demo
from portal.extensions import db, file_store
from portal.files.services import save_upload
from portal.models import Organisation, StoredFile, User
from tests import files_samples as samples
from tests.conftest import make_settings


def _plain(value):
    """Times compared in UTC without a zone: SQLite keeps no zone, PostgreSQL does."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    return value if isinstance(value, (int, float, bool, type(None), dict, list)) else str(value)


def fingerprints(engine) -> dict[str, tuple[int, str]]:
    """Rows and a checksum of every table, comparable across databases."""
    result = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            digest = hashlib.sha256()
            rows = 0
            order = list(table.primary_key.columns) or list(table.columns)
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(json.dumps([_plain(value) for value in row], sort_keys=True).encode())
                rows += 1
            result[table.name] = (rows, digest.hexdigest())
    return result


def _second_database(app, tmp_path) -> str:
    """On PostgreSQL a fresh database beside the suite's (so sequences are tested); else SQLite."""
    suite = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if suite.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path}/restored.sqlite3"
    name = f"{suite.database}_restore"
    server = create_engine(suite.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return suite.set(database=name).render_as_string(hide_password=False)


def _drop_second_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def empty_instance(app, tmp_path):
    """A second instance on its own SQLite database and file folder, migrated to the same revision."""
    url = _second_database(app, tmp_path)
    target = create_app(make_settings(str(tmp_path / "restored"), url))
    with target.app_context():
        upgrade(revision="heads")
    yield target
    with target.app_context():
        db.session.remove()
        db.engine.dispose()
    _drop_second_database(url)


@pytest.fixture
def demo_backup(app, tmp_path) -> Path:
    seed_demo(db.session)
    db.session.commit()
    folder = tmp_path / "backup"
    report = create_backup(db.engine, file_store, folder)
    assert report.missing_files == []
    assert report.files > 0 and report.rows["organisations"] > 0 and report.rows["trajectories"] > 1000
    return folder


@pytest.fixture
def small_backup(world, tmp_path) -> Path:
    """A backup of the test world with one stored file: quicker than the demo."""
    save_upload(db.session, stream=io.BytesIO(samples.pdf()), filename="kvk.pdf", owner=world.provider,
                uploaded_by=None)
    db.session.commit()
    folder = tmp_path / "small-backup"
    create_backup(db.engine, file_store, folder)
    return folder


def test_a_backup_of_the_demo_restores_into_an_empty_instance_with_everything_back(app, demo_backup, empty_instance):
    source = fingerprints(db.engine)
    keys = db.session.scalars(select(StoredFile.key)).all()
    originals = {key: file_store.open(key).read() for key in keys}
    target = empty_instance

    with target.app_context():
        report = restore_backup(db.engine, file_store, demo_backup)
        restored = fingerprints(db.engine)
        restored_files = {key: file_store.open(key).read() for key in keys}
        assert file_store.backend.root != app.extensions["file_store.backend"].root

    assert report.total_rows == sum(rows for rows, _ in source.values())
    assert restored == source
    assert report.files == len(keys) > 0
    assert restored_files == originals


def test_ids_go_on_after_the_restored_ones(app, small_backup, empty_instance):
    target = empty_instance
    with target.app_context():
        restore_backup(db.engine, file_store, small_backup)
        highest = db.session.scalar(select(Organisation.id).order_by(Organisation.id.desc()).limit(1))
        from portal.models import Provider

        extra = Provider(name="Na herstel BV", kvk_number="99999999", legal_form="bv")
        db.session.add(extra)
        db.session.commit()
        assert extra.id > highest
        db.session.remove()


def test_a_restore_into_an_instance_with_data_is_refused(app, small_backup):
    with pytest.raises(BackupError, match="empty instance"):
        restore_backup(db.engine, file_store, small_backup)


def test_a_damaged_or_unfinished_backup_is_refused_and_leaves_the_instance_empty(app, small_backup, empty_instance):
    target = empty_instance
    table_file = small_backup / "tables" / "users.jsonl.gz"
    table_file.write_bytes(gzip.compress(b"[1]\n"))
    with pytest.raises(BackupError, match="users"):
        read_manifest(small_backup)
    (small_backup / "manifest.json").unlink()
    with target.app_context():
        with pytest.raises(BackupError, match="did not finish"):
            restore_backup(db.engine, file_store, small_backup)
        assert db.session.scalar(select(User.id).limit(1)) is None


def test_a_backup_at_another_revision_is_refused_and_puts_no_files(app, small_backup, empty_instance):
    target = empty_instance
    manifest = json.loads((small_backup / "manifest.json").read_text())
    manifest["revision"] = "0001"
    (small_backup / "manifest.json").write_text(json.dumps(manifest))
    with target.app_context():
        with pytest.raises(BackupError, match="revision"):
            restore_backup(db.engine, file_store, small_backup)
        assert not any(file_store.exists(key) for key in manifest["files"])


def test_the_backup_folder_must_be_new(app, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "note.txt").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        create_backup(db.engine, file_store, tmp_path / "used")


def test_the_commands_create_check_and_restore(app, world, tmp_path):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["backup", "create", str(tmp_path / "b")])
    assert created.exit_code == 0, created.output
    assert "Backup written" in created.output
    checked = runner.invoke(args=["backup", "check", str(tmp_path / "b")])
    assert checked.exit_code == 0 and "complete" in checked.output
    refused = runner.invoke(args=["backup", "restore", str(tmp_path / "b")])
    assert refused.exit_code == 1 and "empty instance" in refused.output
