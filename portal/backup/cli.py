"""The ``flask backup`` commands: create, check and restore a backup folder."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from portal.backup.services import BackupError, create_backup, read_manifest, restore_backup
from portal.extensions import db, file_store

backup_cli = AppGroup("backup", help="Back up and restore the database and the file store.")


def _summary(report) -> str:
    return f"{report.total_rows} rows in {len(report.rows)} tables, {report.files} files ({report.file_bytes} bytes)"


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def create_command(folder: Path) -> None:
    """Write a backup of the database and every stored file to a new FOLDER."""
    try:
        report = create_backup(db.engine, file_store, folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {folder}: {_summary(report)}")
    if report.missing_files:
        click.echo(f"{len(report.missing_files)} stored files were missing from the file store:", err=True)
        for key in report.missing_files:
            click.echo(f"  {key}", err=True)
        raise SystemExit(1)


@backup_cli.command("check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_command(folder: Path) -> None:
    """Check a backup FOLDER: its manifest and the checksum of every table and file."""
    try:
        manifest = read_manifest(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(entry["rows"] for entry in manifest["tables"].values())
    click.echo(f"Backup of {manifest['created']} at revision {manifest['revision']} is complete: "
               f"{rows} rows, {len(manifest['files'])} files")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Restore a backup FOLDER into this empty instance (migrated to the backup's revision)."""
    try:
        report = restore_backup(db.engine, file_store, folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {_summary(report)}")


def register(app: Flask) -> None:
    """Add the backup command group to the app's command line."""
    app.cli.add_command(backup_cli)
