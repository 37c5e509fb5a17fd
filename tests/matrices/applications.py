"""Who may use the routes of applications: the provider's members fill in a draft, its
administrators submit; staff get 404 on an application until screening comes."""

from __future__ import annotations

from tests.conftest import World
from tests.matrices import FORM, GET, POST, STAFF, Case, only

PROVIDERS = {"provider_admin", "provider_member"}
#: Staff may not see applications yet: the page answers as if there were none.
HIDDEN_FROM_STAFF = {role: 404 for role in STAFF}


def _page(path: str, methods=GET) -> Case:
    return only(PROVIDERS, lambda w: f"/aanmeldingen/{w.application_id}{path}", methods, special=HIDDEN_FROM_STAFF)


MATRIX: dict[tuple[str, str], Case] = {
    ("applications.index", "/aanmeldingen"): only(PROVIDERS, "/aanmeldingen"),
    ("applications.start", "/aanmeldingen/ronde/<int:round_id>"): only(
        PROVIDERS, lambda w: f"/aanmeldingen/ronde/{w.application_round_id}", POST
    ),
    ("applications.show", "/aanmeldingen/<int:application_id>"): _page(""),
    ("applications.scope", "/aanmeldingen/<int:application_id>/percelen"): _page("/percelen", FORM),
    ("applications.declaration", "/aanmeldingen/<int:application_id>/verklaring"): _page("/verklaring", FORM),
    ("applications.subcontractors", "/aanmeldingen/<int:application_id>/onderaannemers"): _page("/onderaannemers", FORM),
    ("applications.remove_subcontractor", "/aanmeldingen/<int:application_id>/onderaannemers/<int:subcontractor_id>/verwijderen"): only(
        PROVIDERS, lambda w: f"/aanmeldingen/{w.application_id}/onderaannemers/{w.subcontractor_id}/verwijderen", POST
    ),
    ("applications.evidence", "/aanmeldingen/<int:application_id>/bewijsstukken"): _page("/bewijsstukken", FORM),
    ("applications.check", "/aanmeldingen/<int:application_id>/controleren"): _page("/controleren"),
    ("applications.submit", "/aanmeldingen/<int:application_id>/indienen"): only(
        {"provider_admin"}, lambda w: f"/aanmeldingen/{w.application_id}/indienen", POST
    ),
}


def prepare(world: World) -> None:
    """Add a published round with a draft application of the world's provider naming one subcontractor."""
    from portal.applications import services
    from portal.extensions import db
    from portal.models import PartnerRole
    from tests.rounds.helpers import published_round

    round = published_round(world, "Aanmelden")
    actor = world.user("provider_admin")
    application = services.start_application(db.session, round=round, provider=world.provider, actor=actor)
    partner = services.add_subcontractor(db.session, application=application, name="Onder BV", kvk_number="12345678",
                                         role=PartnerRole.SUBCONTRACTOR, share_percent=20, actor=actor)
    db.session.commit()
    world.application_round_id = round.id
    world.application_id = application.id
    world.subcontractor_id = partner.id
