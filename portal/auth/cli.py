"""Command-line tasks for accounts: create an administrator, invite a user."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from portal.auth import services
from portal.extensions import db
from portal.labels import ROLE_LABELS
from portal.mail import queue_email
from portal.models import Organisation, Provider, Region, Role

users_cli = AppGroup("users", help="Manage accounts.")


def _find_organisation(region_code: str | None, kvk: str | None, organisation_id: int | None) -> Organisation:
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
    elif kvk:
        organisation = db.session.scalar(select(Provider).where(Provider.kvk_number == kvk))
    elif region_code:
        organisation = db.session.scalar(select(Region).where(Region.code == region_code))
    else:
        raise click.UsageError("Name the organisation with --region, --kvk or --organisation.")
    if organisation is None:
        raise click.ClickException("No such organisation.")
    return organisation


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--region", "region_code", required=True, help="Code of the region, e.g. JR-DEMO.")
@click.password_option(help="Password (asked when not given).")
def create_admin(email: str, name: str, region_code: str, password: str) -> None:
    """Create a region administrator with a password."""
    region = _find_organisation(region_code, None, None)
    if len(password) < 12:
        raise click.ClickException("Use a password of at least 12 characters.")
    try:
        user = services.create_user(db.session, email=email, name=name, password=password)
        services.add_membership(db.session, user=user, organisation=region, role=Role.REGION_ADMIN, actor=None)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created region administrator {user.email} for {region.name}.")


@users_cli.command("invite")
@click.argument("email")
@click.option("--name", required=True, help="Name of the invitee.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--region", "region_code", help="Invite to this region (code).")
@click.option("--kvk", help="Invite to the provider with this KvK number.")
@click.option("--organisation", "organisation_id", type=int, help="Invite to the organisation with this id.")
def invite(email: str, name: str, role: str, region_code: str | None, kvk: str | None, organisation_id: int | None) -> None:
    """Invite someone to an organisation and e-mail them the link."""
    from flask import current_app

    organisation = _find_organisation(region_code, kvk, organisation_id)
    settings = current_app.config["PORTAL_SETTINGS"]
    try:
        invitation, token = services.invite(
            db.session, email=email, name=name, organisation=organisation, role=Role(role),
            invited_by=None, valid_for=timedelta(days=settings.invitation_days),
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    with current_app.test_request_context(base_url=settings.base_url):
        link = settings.base_url + url_for("auth.accept_invitation", token=token)
        queue_email(
            db.session, to=invitation.email, subject=f"Uitnodiging voor {organisation.name}",
            template="email/invitation.txt", invitation=invitation, role_label=ROLE_LABELS[Role(role)], link=link,
            days=settings.invitation_days,
        )
    db.session.commit()
    from portal.mail import deliver_queued

    with current_app.test_request_context():
        deliver_queued()
    click.echo(f"Invited {invitation.email} to {organisation.name} as {role}.")
    click.echo(link)


def register(app: Flask) -> None:
    """Add the users command group."""
    app.cli.add_command(users_cli)
