"""The ``flask wnt`` commands: the individual WNT maximum, and adding a year to the maxima table."""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import click
from flask import Flask
from flask.cli import AppGroup

from portal.extensions import db
from portal.governance import services, wnt
from portal.models.governance import WntClass, WntFunction

wnt_cli = AppGroup("wnt", help="WNT: individual maxima and the maxima table.")

SUPERVISORS = {"chair": WntFunction.SUPERVISORY_CHAIR, "member": WntFunction.SUPERVISORY_MEMBER}


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


@wnt_cli.command("norm")
@click.option("--year", type=int, required=True, help="The calendar year, e.g. 2024.")
@click.option("--class", "wnt_class", required=True, help="The class: I, II, III, IV or V.")
@click.option("--part-time", default="1", show_default=True, help="Contract hours / full-time hours; capped at 1.0.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="First day in office (YYYY-MM-DD).")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Last day in office (YYYY-MM-DD).")
@click.option("--supervisor", type=click.Choice(["chair", "member"]), default=None,
              help="A supervisory board chair (15%) or member (10%) of the class maximum.")
def norm(year: int, wnt_class: str, part_time: str, start, end, supervisor: str | None) -> None:
    """Print the individual maximum in whole euros (rounded half up) on the last line.

    An unknown year or class, or a year/class missing from the maxima table, exits with status 2.
    """
    try:
        chosen = wnt.parse_class(wnt_class)
    except wnt.WntError as error:
        _fail(str(error))
    try:
        factor = Decimal(part_time)
    except InvalidOperation:
        _fail(f"The part-time factor {part_time!r} is not a number.")
    maximum = wnt.class_maximum(db.session, year, chosen)
    if maximum is None:
        _fail(f"The maxima table has no figure for {year} class {chosen.value}: it cannot be checked. "
              "Add it with `flask wnt add-year`.")
    try:
        amount = wnt.individual_maximum(
            maximum, year=year, part_time=factor, start=start.date() if start else None, end=end.date() if end else None,
            function=SUPERVISORS.get(supervisor, WntFunction.EXECUTIVE),
        )
    except wnt.WntError as error:
        _fail(str(error))
    first = start.date() if start else None
    last = end.date() if end else None
    days = wnt.days_in_office(year, first, last)
    click.echo(f"Class maximum {year} {chosen.value}: {maximum:.0f}; days in office {days}/{wnt.days_in_year(year)}.")
    click.echo(str(wnt.whole_euros(amount)))


@wnt_cli.command("add-year")
@click.option("--year", type=int, required=True, help="The year the maxima apply to.")
@click.option("--source", required=True, help="Where the figures are published.")
@click.option("--maximum", "maxima", multiple=True, required=True, metavar="CLASS=EUROS",
              help="A class maximum, e.g. --maximum V=246000; repeat for every class published.")
def add_year(year: int, source: str, maxima: tuple[str, ...]) -> None:
    """Add a year's published maxima to the table; existing figures are never overwritten."""
    amounts: dict[WntClass, Decimal] = {}
    for item in maxima:
        name, _sep, value = item.partition("=")
        try:
            amounts[wnt.parse_class(name)] = Decimal(value.strip())
        except (wnt.WntError, InvalidOperation):
            _fail(f"Cannot read {item!r}: write CLASS=EUROS, e.g. III=190000.")
    try:
        services.add_maxima(db.session, year=year, amounts=amounts, source=source, actor=None)
    except services.InvalidInput as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Added {len(amounts)} maxima for {year}.")


def register(app: Flask) -> None:
    """Add the wnt command group."""
    app.cli.add_command(wnt_cli)
