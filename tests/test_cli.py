"""The command line: create an administrator, invite a user."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Invitation, Role, User
from tests.conftest import log_in, outbox


def test_create_admin_makes_a_region_administrator_who_can_sign_in(app, client, world):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "Nieuwe.Beheerder@test.example.org", "--name", "Nieuwe Beheerder",
              "--region", "R1", "--password", "een heel goed wachtwoord"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nieuwe.beheerder@test.example.org"))
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(world.region.id, Role.REGION_ADMIN)]
    assert log_in(client, "nieuwe.beheerder@test.example.org", "een heel goed wachtwoord").status_code == 302


def test_create_admin_refuses_an_unknown_region_and_a_short_password(app, world):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["users", "create-admin", "a@test.example.org", "--name", "A", "--region", "XX", "--password", "een heel goed wachtwoord"])
    assert unknown.exit_code != 0 and "No such organisation" in unknown.output
    short = runner.invoke(args=["users", "create-admin", "a@test.example.org", "--name", "A", "--region", "R1", "--password", "kort"])
    assert short.exit_code != 0 and "12 characters" in short.output


def test_invite_writes_an_invitation_and_an_email(app, world):
    result = app.test_cli_runner().invoke(
        args=["users", "invite", "nieuw@test.example.org", "--name", "Nieuw", "--role", "provider_member", "--kvk", world.provider.kvk_number]
    )
    assert result.exit_code == 0, result.output
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "nieuw@test.example.org"))
    assert invitation.organisation_id == world.provider.id and invitation.role is Role.PROVIDER_MEMBER
    [message] = outbox()
    assert "/uitnodiging/" in message.body
    assert result.output.strip().splitlines()[-1].split("/uitnodiging/")[1] in message.body


def test_invite_refuses_a_role_that_does_not_fit(app, world):
    result = app.test_cli_runner().invoke(
        args=["users", "invite", "x@test.example.org", "--name", "X", "--role", "reviewer", "--kvk", world.provider.kvk_number]
    )
    assert result.exit_code != 0
    assert outbox() == []
