"""The ``flask kpi`` commands: import care data, print the KPI report."""

from __future__ import annotations

import json
import os

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.kpi.engine import Period, Scope, report
from portal.kpi.importer import DEFAULT_BATCH_SIZE, KpiImportError, import_files
from portal.models import Municipality

kpi_cli = AppGroup("kpi", help="Import care data and report KPIs.")

#: Rejected rows printed after an import; the counts always include all of them.
SHOWN_ERRORS = 20


@kpi_cli.command("import")
@click.argument("trajectories_path", metavar="TRAJECTORIES.csv", type=click.Path(exists=True, dir_okay=False))
@click.argument("claims_path", metavar="CLAIMS.csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=DEFAULT_BATCH_SIZE, show_default=True, type=click.IntRange(min=1),
              help="Rows sent to the database at a time.")
def import_command(trajectories_path: str, claims_path: str, batch_size: int) -> None:
    """Import trajectories and claims; rows already stored are updated, never duplicated.

    Exits with 0 when the files were imported, even if some rows were rejected (they are listed),
    and with 2 when nothing was imported (wrong header, unreadable file).
    """
    try:
        # utf-8-sig: spreadsheet programs often write a byte-order mark.
        with open(trajectories_path, encoding="utf-8-sig", newline="") as trajectories, \
                open(claims_path, encoding="utf-8-sig", newline="") as claims:
            result = import_files(
                db.session, trajectories=trajectories, claims=claims,
                trajectories_name=os.path.basename(trajectories_path), claims_name=os.path.basename(claims_path),
                batch_size=batch_size,
            )
    except (KpiImportError, OSError) as error:
        db.session.commit()  # keeps the log entry of the failed run; the care data is untouched
        click.echo(f"Import refused: {error}", err=True)
        raise SystemExit(2) from error
    except SQLAlchemyError as error:
        # The run could not even be logged: SQLite busy with another import, the server gone.
        db.session.rollback()
        click.echo(f"Import refused: the database could not be written ({getattr(error, 'orig', None) or error}); "
                   "nothing was changed. Try again later.", err=True)
        raise SystemExit(2) from error
    db.session.commit()
    for name, counts in ((os.path.basename(trajectories_path), result.trajectories),
                         (os.path.basename(claims_path), result.claims)):
        click.echo(f"{name}: {counts.imported} imported, {counts.updated} updated, "
                   f"{counts.unchanged} unchanged, {counts.rejected} rejected")
    if result.rejected:
        shown = result.errors[:SHOWN_ERRORS]
        more = "; only the first rejected rows are described" if result.errors_truncated else ""
        click.echo(f"Problems in rejected rows (showing {len(shown)} of {len(result.errors)}{more}):")
        for error in shown:
            click.echo(f"  {error}")


@kpi_cli.command("report")
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2025.")
@click.option("--quarter", type=click.IntRange(1, 4), help="Quarter of the year (1-4); the whole year if left out.")
@click.option("--municipality", "municipality_code", help="CBS code of one municipality, e.g. GM0200.")
@click.option("--product-group", help="Code of one product group, e.g. BEH.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def report_command(year: int, quarter: int | None, municipality_code: str | None, product_group: str | None,
                   as_json: bool) -> None:
    """Print the market figures and every provider's KPIs for a period."""
    municipality_id = None
    if municipality_code:
        municipality_id = db.session.scalar(select(Municipality.id).where(Municipality.cbs_code == municipality_code))
        if municipality_id is None:
            raise click.BadParameter(f"no municipality with CBS code {municipality_code}", param_hint="--municipality")
    period = Period(year, quarter)
    scope = Scope(municipality_id=municipality_id, product_group=product_group)
    figures = report(db.session, period=period, scope=scope)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    market = figures["market"]
    click.echo(f"Period {period}: {market['providers']} providers with spend, spend {_show(market['spend'])}, "
               f"CR3 {_show(market['cr3'])}, CR10 {_show(market['cr10'])}, HHI {_show(market['hhi'])}")
    columns = [key for key in figures["providers"][0]] if figures["providers"] else []
    if columns:
        click.echo("\t".join(columns))
        for row in figures["providers"]:
            click.echo("\t".join(_show(row[column]) for column in columns))


def _show(value) -> str:
    return "-" if value is None else str(value)


def register(app: Flask) -> None:
    """Add the kpi command group."""
    app.cli.add_command(kpi_cli)
