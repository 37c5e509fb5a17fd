"""Who may use the foundation's routes: sign-in, accounts, organisations, administration."""

from __future__ import annotations

from datetime import timedelta

from portal.models import Role
from tests.conftest import ROLE_NAMES, World
from tests.matrices import ADMINS, FORM, GET, LOGIN, POST, STAFF, Case, only, public, signed_in  # noqa: F401

#: (endpoint, rule) -> what each role gets. Objects in URLs belong to the user's own world.
MATRIX: dict[tuple[str, str], Case] = {
    ("static", "/static/<path:filename>"): public("/static/css/portal.css"),
    ("home.index", "/"): public("/"),
    ("home.health", "/gezondheid"): public("/gezondheid"),
    ("auth.login", "/inloggen"): public("/inloggen", FORM),
    # The second sign-in step is open to all, but without a password step first it sends
    # everyone back to the sign-in page.
    ("auth.totp", "/inloggen/code"): Case(
        lambda w: "/inloggen/code", FORM, special={r: LOGIN for r in ROLE_NAMES}
    ),
    ("auth.totp_setup", "/inloggen/tweestaps-instellen"): Case(
        lambda w: "/inloggen/tweestaps-instellen", FORM, special={r: LOGIN for r in ROLE_NAMES}
    ),
    ("auth.logout", "/uitloggen"): signed_in("/uitloggen", POST),
    ("auth.forgot_password", "/wachtwoord-vergeten"): public("/wachtwoord-vergeten", FORM),
    # An unknown token is a 404 for everyone: the link page says it no longer works.
    ("auth.reset_password", "/wachtwoord-herstellen/<token>"): Case(
        lambda w: "/wachtwoord-herstellen/onbekend", FORM, anonymous=404, special={r: 404 for r in ROLE_NAMES}
    ),
    ("auth.accept_invitation", "/uitnodiging/<token>"): Case(
        lambda w: "/uitnodiging/onbekend", FORM, anonymous=404, special={r: 404 for r in ROLE_NAMES}
    ),
    ("auth.switch_organisation", "/organisatie-wisselen"): signed_in("/organisatie-wisselen", POST),
    ("auth.set_language", "/taal"): public("/taal", POST),
    ("auth.account", "/account"): signed_in("/account", FORM),
    ("auth.change_password", "/account/wachtwoord"): signed_in("/account/wachtwoord", POST),
    ("auth.account_totp", "/account/tweestaps"): signed_in("/account/tweestaps", FORM),
    ("organisations.profile", "/organisatie"): signed_in("/organisatie"),
    ("organisations.edit_profile", "/organisatie/bewerken"): only({"provider_admin"}, "/organisatie/bewerken", FORM),
    ("organisations.add_location", "/organisatie/locaties"): only({"provider_admin"}, "/organisatie/locaties", POST),
    ("organisations.remove_location", "/organisatie/locaties/<int:location_id>/verwijderen"): only(
        {"provider_admin"}, lambda w: f"/organisatie/locaties/{w.provider.locations[0].id}/verwijderen", POST
    ),
    ("organisations.add_contact", "/organisatie/contactpersonen"): only({"provider_admin"}, "/organisatie/contactpersonen", POST),
    ("organisations.remove_contact", "/organisatie/contactpersonen/<int:contact_id>/verwijderen"): only(
        {"provider_admin"}, lambda w: f"/organisatie/contactpersonen/{w.provider.contacts[0].id}/verwijderen", POST
    ),
    ("organisations.members", "/organisatie/leden"): only(ADMINS, "/organisatie/leden"),
    # Members of a region's body: the region admin manages them; a provider admin gets 404.
    ("organisations.members", "/organisaties/<int:organisation_id>/leden"): only(
        {"region_admin"}, lambda w: f"/organisaties/{w.council.id}/leden", special={"provider_admin": 404}
    ),
    ("organisations.invite", "/organisaties/<int:organisation_id>/uitnodigen"): only(
        {"region_admin"}, lambda w: f"/organisaties/{w.region.id}/uitnodigen", POST, special={"provider_admin": 404}
    ),
    ("organisations.revoke_invitation", "/uitnodigingen/<int:invitation_id>/intrekken"): only(
        {"region_admin"}, lambda w: f"/uitnodigingen/{w.invitation_id}/intrekken", POST, special={"provider_admin": 404}
    ),
    ("organisations.change_role", "/lidmaatschappen/<int:membership_id>/rol"): only(
        {"region_admin"}, lambda w: f"/lidmaatschappen/{w.user('buyer').memberships[0].id}/rol", POST,
        special={"provider_admin": 404},
    ),
    ("organisations.remove_member", "/lidmaatschappen/<int:membership_id>/verwijderen"): only(
        {"region_admin"}, lambda w: f"/lidmaatschappen/{w.user('buyer').memberships[0].id}/verwijderen", FORM,
        special={"provider_admin": 404},
    ),
    ("organisations.municipalities", "/regio/gemeenten"): only(STAFF, "/regio/gemeenten"),
    ("organisations.body", "/organen/<int:body_id>"): only(
        STAFF | {"body_member"}, lambda w: f"/organen/{w.council.id}"
    ),
    ("organisations.providers", "/regio/aanbieders"): only(STAFF, "/regio/aanbieders"),
    ("organisations.provider", "/regio/aanbieders/<int:provider_id>"): only(
        STAFF, lambda w: f"/regio/aanbieders/{w.provider.id}"
    ),
    ("admin.audit_log", "/beheer/logboek"): only({"region_admin", "auditor"}, "/beheer/logboek"),
    ("admin.audit_log_csv", "/beheer/logboek.csv"): only({"region_admin", "auditor"}, "/beheer/logboek.csv"),
    ("admin.outbox", "/beheer/uitgaande-mail"): only({"region_admin"}, "/beheer/uitgaande-mail"),
    ("admin.outbox_message", "/beheer/uitgaande-mail/<int:message_id>"): only(
        {"region_admin"}, lambda w: f"/beheer/uitgaande-mail/{w.message_id}"
    ),
}




def prepare(world: World) -> None:
    """Add an open invitation and an e-mail in the outbox, for the routes that need them."""
    from portal.auth.services import invite
    from portal.extensions import db
    from portal.mail import queue_email

    invitation, _ = invite(
        db.session, email="nieuw@test.example.org", name="Nieuw", organisation=world.region,
        role=Role.BUYER, invited_by=None, valid_for=timedelta(days=1),
    )
    message = queue_email(db.session, to="x@test.example.org", subject="Test", template="email/password_reset.txt",
                          user=world.user("buyer"), link="http://example.org", minutes=5)
    db.session.commit()
    world.invitation_id = invitation.id
    world.message_id = message.id
