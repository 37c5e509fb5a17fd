"""Who may use the routes of the admission register."""

from __future__ import annotations

from tests.conftest import World
from tests.matrices import GET, POST, STAFF, Case, only, public

KEEPERS = {"buyer", "contract_manager", "region_admin"}
PROVIDERS = {"provider_admin", "provider_member"}

MATRIX: dict[tuple[str, str], Case] = {
    ("register.index", "/toelatingsregister"): only(STAFF, "/toelatingsregister"),
    ("register.show", "/toelatingsregister/<int:admission_id>"): only(
        STAFF, lambda w: f"/toelatingsregister/{w.admission_id}"
    ),
    ("register.change", "/toelatingsregister/<int:admission_id>/status"): only(
        KEEPERS, lambda w: f"/toelatingsregister/{w.admission_id}/status", POST
    ),
    ("register.expiring", "/toelatingsregister/verlopend-bewijs"): only(STAFF, "/toelatingsregister/verlopend-bewijs"),
    ("register.expiring_csv", "/toelatingsregister/verlopend-bewijs.csv"): only(
        STAFF, "/toelatingsregister/verlopend-bewijs.csv"
    ),
    ("register.mine", "/mijn-toelatingen"): only(PROVIDERS, "/mijn-toelatingen"),
    ("register.public_regions", "/register"): public("/register", GET),
    ("register.public_region", "/register/<region_code>"): public(lambda w: f"/register/{w.region.code}"),
    ("register.public_municipality", "/register/<region_code>/<cbs_code>"): public(
        lambda w: f"/register/{w.region.code}/{w.municipality.cbs_code}"
    ),
}


def prepare(world: World) -> None:
    """Admit provider one for a product group in world.municipality."""
    from tests.register.helpers import admit
    from tests.rounds.helpers import draft_round

    [admission] = admit(world, draft_round(world, "Register"), world.provider)
    world.admission_id = admission.id
