"""Who may use the routes of screening: the region's reviewers, buyers and admins act, its auditor
reads; the provider's members complete and read their letter; everyone else is refused."""

from __future__ import annotations

from tests.conftest import World
from tests.matrices import FORM, POST, STAFF, only

SCREENERS = {"reviewer", "buyer", "region_admin"}
READERS = SCREENERS | {"auditor"}
PROVIDERS = {"provider_admin", "provider_member"}

MATRIX = {
    ("screening.queue", "/beoordeling"): only(READERS, "/beoordeling"),
    ("screening.show", "/beoordeling/<int:application_id>"): only(
        READERS, lambda w: f"/beoordeling/{_built(w).screening_decided_id}"
    ),
    ("screening.take", "/beoordeling/<int:application_id>/in-behandeling"): only(
        SCREENERS, lambda w: f"/beoordeling/{_built(w).screening_decided_id}/in-behandeling", POST
    ),
    ("screening.verdict", "/beoordeling/<int:application_id>/oordeel"): only(
        SCREENERS, lambda w: f"/beoordeling/{_built(w).screening_decided_id}/oordeel", POST
    ),
    ("screening.request_completion", "/beoordeling/<int:application_id>/herstelverzoek"): only(
        SCREENERS, lambda w: f"/beoordeling/{_built(w).screening_decided_id}/herstelverzoek", POST
    ),
    ("screening.propose", "/beoordeling/<int:application_id>/besluit"): only(
        SCREENERS, lambda w: f"/beoordeling/{_built(w).screening_decided_id}/besluit", POST
    ),
    ("screening.confirm", "/beoordeling/besluit/<int:decision_id>/bevestigen"): only(
        SCREENERS, lambda w: f"/beoordeling/besluit/{_built(w).screening_decision_id}/bevestigen", POST
    ),
    ("screening.withdraw", "/beoordeling/besluit/<int:decision_id>/intrekken"): only(
        SCREENERS, lambda w: f"/beoordeling/besluit/{_built(w).screening_decision_id}/intrekken", POST
    ),
    ("screening.completion", "/aanmeldingen/<int:application_id>/herstel"): only(
        PROVIDERS, lambda w: f"/aanmeldingen/{_built(w).screening_completion_id}/herstel", FORM
    ),
    ("screening.resubmit", "/aanmeldingen/<int:application_id>/herstel/indienen"): only(
        {"provider_admin"}, lambda w: f"/aanmeldingen/{_built(w).screening_completion_id}/herstel/indienen", POST
    ),
    ("screening.letter", "/besluitbrief/<int:application_id>"): only(
        PROVIDERS | STAFF, lambda w: f"/besluitbrief/{_built(w).screening_decided_id}"
    ),
    ("screening.letter_pdf", "/besluitbrief/<int:application_id>/pdf"): only(
        PROVIDERS | STAFF, lambda w: f"/besluitbrief/{_built(w).screening_decided_id}/pdf"
    ),
}


def _built(world: World) -> World:
    """Add, on first use, a decided application and one waiting for completion, both of the world's provider.

    Built only by the screening routes' own tests (not in a ``prepare`` hook that every route test
    runs), because it takes about a second. The screening actions on the decided application answer
    with a message (already decided) or an invalid form, which is enough to test who may use them.
    """
    if getattr(world, "screening_decided_id", None) is None:
        from tests.screening import helpers

        application = helpers.decided(world, title="Ronde besloten")
        world.screening_decided_id = application.id
        world.screening_decision_id = _decision_id(application.scopes[0].id)
        world.screening_completion_id = helpers.completion_requested(world, title="Ronde herstel").id
    return world


def _decision_id(scope_id: int) -> int:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models.screening import ScopeDecision

    return db.session.scalar(select(ScopeDecision.id).where(ScopeDecision.scope_id == scope_id))
