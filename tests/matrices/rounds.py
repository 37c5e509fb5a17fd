"""Who may use the routes of admission rounds."""

from __future__ import annotations

from portal.extensions import db
from portal.rounds import services
from tests.conftest import World
from tests.matrices import FORM, GET, POST, STAFF, Case, only, public  # noqa: F401

MANAGERS = {"buyer", "region_admin"}
PROVIDERS = {"provider_admin", "provider_member"}

MATRIX: dict[tuple[str, str], Case] = {
    ("rounds.index", "/rondes"): only(STAFF, "/rondes"),
    ("rounds.new", "/rondes/nieuw"): only(MANAGERS, "/rondes/nieuw", FORM),
    ("rounds.show", "/rondes/<int:round_id>"): only(STAFF, lambda w: f"/rondes/{w.draft_round_id}"),
    ("rounds.edit", "/rondes/<int:round_id>/bewerken"): only(MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/bewerken", FORM),
    ("rounds.add_group", "/rondes/<int:round_id>/productgroepen"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/productgroepen", POST
    ),
    ("rounds.remove_group", "/rondes/<int:round_id>/productgroepen/<int:group_id>/verwijderen"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/productgroepen/{w.draft_group_id}/verwijderen", POST
    ),
    ("rounds.municipalities", "/rondes/<int:round_id>/gemeenten"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/gemeenten", POST
    ),
    ("rounds.add_window", "/rondes/<int:round_id>/toetredingsmomenten"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/toetredingsmomenten", POST
    ),
    ("rounds.remove_window", "/rondes/<int:round_id>/toetredingsmomenten/<int:window_id>/verwijderen"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/toetredingsmomenten/{w.draft_window_id}/verwijderen", POST
    ),
    ("rounds.add_requirement", "/rondes/<int:round_id>/eisen"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/eisen", POST
    ),
    ("rounds.remove_requirement", "/rondes/<int:round_id>/eisen/<int:requirement_id>/verwijderen"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/eisen/{w.draft_requirement_id}/verwijderen", POST
    ),
    ("rounds.upload_document", "/rondes/<int:round_id>/toelatingsdocument"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/toelatingsdocument", POST
    ),
    ("rounds.publish", "/rondes/<int:round_id>/publiceren"): only(
        MANAGERS, lambda w: f"/rondes/{w.draft_round_id}/publiceren", FORM
    ),
    ("rounds.add_addendum", "/rondes/<int:round_id>/addenda"): only(
        MANAGERS, lambda w: f"/rondes/{w.published_round_id}/addenda", POST
    ),
    ("rounds.questions", "/rondes/<int:round_id>/vragen"): only(STAFF, lambda w: f"/rondes/{w.published_round_id}/vragen"),
    ("rounds.answer", "/rondes/vragen/<int:question_id>/antwoord"): only(
        MANAGERS, lambda w: f"/rondes/vragen/{w.question_id}/antwoord", POST
    ),
    ("rounds.public_index", "/open-house"): public("/open-house"),
    ("rounds.public_show", "/open-house/<int:round_id>"): public(lambda w: f"/open-house/{w.published_round_id}"),
    ("rounds.document", "/open-house/<int:round_id>/toelatingsdocument"): public(
        lambda w: f"/open-house/{w.published_round_id}/toelatingsdocument"
    ),
    ("rounds.ask", "/open-house/<int:round_id>/vragen"): only(
        PROVIDERS, lambda w: f"/open-house/{w.published_round_id}/vragen", POST
    ),
}


def prepare(world: World) -> None:
    """Add a draft round and a published round with a question, in world.region."""
    from tests.rounds.helpers import draft_round, published_round

    draft = draft_round(world, "Concept")
    published = published_round(world, "Gepubliceerd")
    question = services.ask_question(db.session, round=published, provider=world.provider,
                                     user=world.user("provider_admin"), text="Mag een zzp'er meedoen?")
    db.session.commit()
    world.draft_round_id = draft.id
    world.draft_group_id = draft.product_groups[0].id
    world.draft_window_id = draft.windows[0].id
    world.draft_requirement_id = draft.requirements[0].id
    world.published_round_id = published.id
    world.question_id = question.id
