"""Command-line tasks for consultations: import and export the archive, import reactions from CSV."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from consultations import archive
from consultations.models import Consultation
from portal.extensions import db
from portal.models import Region

consultations_cli = AppGroup("consultations", help="Import, export and analyse consultations.")


def register(app: Flask) -> None:
    """Add the consultations command group."""
    app.cli.add_command(consultations_cli)


def _consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise click.ClickException(f"No consultation with id {consultation_id}.")
    return consultation


@consultations_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--region", "region_code", required=True, help="Code of the region that consulted, e.g. JR-DEMO.")
def import_command(file, region_code: str) -> None:
    """Create a consultation from an archive file; print its id on the last line."""
    region = db.session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise click.ClickException(f"No region with code {region_code}.")
    try:
        consultation = archive.import_archive(db.session, file.read(), region=region)
    except archive.ArchiveError as error:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {error}. Nothing was imported.") from error
    db.session.commit()
    click.echo(f"Imported {consultation.title!r} with {len(consultation.questions)} questions.")
    click.echo(consultation.id)


@consultations_cli.command("export")
@click.argument("consultation_id", type=int)
def export_command(consultation_id: int) -> None:
    """Print the archive of a consultation (JSON, consultation-archive/1)."""
    click.echo(archive.export_archive(db.session, _consultation(consultation_id)), nl=False)


@consultations_cli.command("import-csv")
@click.argument("consultation_id", type=int)
@click.argument("file", type=click.File("rb"))
def import_csv_command(consultation_id: int, file) -> None:
    """Add reactions from a CSV file (respondent, audience, municipality, one column per question key)."""
    consultation = _consultation(consultation_id)
    try:
        created = archive.import_csv(db.session, file.read(), consultation=consultation)
    except archive.CsvImportError as error:
        db.session.rollback()
        for line in error.errors:
            click.echo(f"{file.name}: {line}", err=True)
        raise click.ClickException(f"{len(error.errors)} problem(s) found; nothing was imported.") from error
    db.session.commit()
    click.echo(f"Imported {len(created)} reactions: {', '.join(r.ref for r in created)}.")


@consultations_cli.command("send-reminders")
@click.option("--formal-view-days", type=click.IntRange(min=1), default=None,
              help="Remind councils whose formal-view deadline is within this many days "
                   "(default: PORTAL_FORMAL_VIEW_REMINDER_DAYS, 14).")
@click.option("--reaction-days", type=click.IntRange(min=1), default=None,
              help="Remind invited bodies without a reaction when the consultation closes within this many days "
                   "(default: PORTAL_REACTION_REMINDER_DAYS, 7).")
def send_reminders_command(formal_view_days: int | None, reaction_days: int | None) -> None:
    """Send the due reminders (formal views, reactions before the close); safe to run several times a day.

    Each reminder is sent once: a second run sends nothing new.
    """
    from consultations import reminders, services
    from portal.mail import deliver_queued

    settings = current_app.config["PORTAL_SETTINGS"]
    with current_app.test_request_context(base_url=settings.base_url):
        run = reminders.send_reminders(
            db.session, now=services.now_utc(),
            formal_view_days=formal_view_days or settings.formal_view_reminder_days,
            reaction_days=reaction_days or settings.reaction_reminder_days)
        db.session.commit()
        deliver_queued()
    for name in run.unreachable:
        click.echo(f"Not reminded, no member with an e-mail address: {name}", err=True)
    click.echo(f"Sent {run.formal_views} formal-view reminder(s) and {run.reactions} reaction reminder(s) "
               f"in {run.emails} e-mail(s).")


@consultations_cli.command("suggest-themes")
@click.argument("consultation_id", type=int)
@click.option("--json", "as_json", is_flag=True, required=True, help="Print JSON (the only output format).")
def suggest_themes_command(consultation_id: int, as_json: bool) -> None:
    """Print up to three suggested themes with a score for every point without a theme."""
    import json

    from consultations.analysis import services as analysis

    found = analysis.suggestions(db.session, _consultation(consultation_id))
    click.echo(json.dumps([
        {"point": s.point, "suggestions": [{"theme": key, "score": score} for key, score in s.themes]} for s in found
    ], ensure_ascii=False, indent=2))


@consultations_cli.command("propose-themes")
@click.argument("consultation_id", type=int)
@click.option("--max-themes", type=click.IntRange(min=1), default=None, help="Propose at most this many themes.")
@click.option("--json", "as_json", is_flag=True, required=True, help="Print JSON (the only output format).")
def propose_themes_command(consultation_id: int, max_themes: int | None, as_json: bool) -> None:
    """Print candidate themes that together cover every point without a theme exactly once."""
    import json

    from consultations.analysis import services as analysis

    found = analysis.proposals(db.session, _consultation(consultation_id), max_themes=max_themes)
    click.echo(json.dumps([
        {"label": c.label, "keywords": c.keywords, "points": c.points, "representative": c.representative}
        for c in found
    ], ensure_ascii=False, indent=2))


@consultations_cli.command("summary")
@click.argument("consultation_id", type=int)
@click.option("--json", "as_json", is_flag=True, required=True, help="Print JSON (the only output format).")
def summary_command(consultation_id: int, as_json: bool) -> None:
    """Print the counts per question and audience and the theme × audience matrix."""
    import json

    from consultations.analysis.summaries import summary_document

    click.echo(json.dumps(summary_document(db.session, _consultation(consultation_id)), ensure_ascii=False, indent=2))
