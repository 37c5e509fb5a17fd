"""Who may use the governance routes: the provider's members fill in its declarations (its
administrators submit); the region's staff read the matrix and declarations of providers that
applied there, reviewers give verdicts, region administrators extend the WNT maxima, buyers set
profit caps."""

from __future__ import annotations

from tests.conftest import World
from tests.matrices import FORM, GET, POST, STAFF, Case, only

PROVIDERS = {"provider_admin", "provider_member"}
REVIEWERS = {"reviewer", "region_admin"}


def _declaration(path: str, methods=GET, allowed=PROVIDERS) -> Case:
    return only(allowed, lambda w: f"/governance/{w.draft_declaration_id}{path}", methods)


MATRIX: dict[tuple[str, str], Case] = {
    ("governance.index", "/governance"): only(PROVIDERS, "/governance", FORM),
    ("governance.show", "/governance/<int:declaration_id>"): _declaration(""),
    ("governance.edit", "/governance/<int:declaration_id>/bewerken"): _declaration("/bewerken", FORM),
    ("governance.add_part", "/governance/<int:declaration_id>/<any(toezicht, groep, transacties, wnt):part>"):
        _declaration("/wnt", POST),
    ("governance.remove_part",
     "/governance/<int:declaration_id>/<any(toezicht, groep, transacties, wnt):part>/<int:item_id>/verwijderen"): only(
        PROVIDERS, lambda w: f"/governance/{w.draft_declaration_id}/toezicht/{w.supervisor_id}/verwijderen", POST),
    ("governance.import_statements", "/governance/<int:declaration_id>/wnt-import"): _declaration("/wnt-import", POST),
    ("governance.submit", "/governance/<int:declaration_id>/indienen"): _declaration("/indienen", POST, {"provider_admin"}),
    ("governance.respond", "/governance/<int:declaration_id>/bevindingen/<int:review_id>"): only(
        PROVIDERS, lambda w: f"/governance/{w.submitted_declaration_id}/bevindingen/{w.review_id}", POST),
    ("governance.matrix", "/governance/matrix"): only(STAFF, "/governance/matrix"),
    ("governance.export", "/governance/matrix.<any(csv, xlsx):fmt>"): only(STAFF, "/governance/matrix.xlsx"),
    ("governance.review", "/governance/beoordeling/<int:declaration_id>"): only(
        STAFF, lambda w: f"/governance/beoordeling/{w.submitted_declaration_id}"),
    ("governance.verdict", "/governance/beoordeling/<int:declaration_id>/oordeel"): only(
        REVIEWERS, lambda w: f"/governance/beoordeling/{w.submitted_declaration_id}/oordeel", POST),
    ("governance.maxima", "/governance/wnt-maxima"): only(STAFF, "/governance/wnt-maxima"),
    ("governance.add_maxima", "/governance/wnt-maxima"): only({"region_admin"}, "/governance/wnt-maxima", POST),
    ("governance.cap", "/governance/rondes/<int:round_id>/winstnorm"): only(
        {"buyer", "region_admin"}, lambda w: f"/governance/rondes/{w.governance_round_id}/winstnorm", FORM),
}


def prepare(world: World) -> None:
    """Add a submitted application of the world's provider in region one, a submitted declaration
    for 2024 with a review, and a draft declaration for 2023 with one supervisor."""
    from datetime import date

    from portal import clock
    from portal.extensions import db
    from portal.governance import services
    from portal.models import Application, ApplicationStatus, Round, RoundStatus
    from portal.models.governance import ReviewVerdict, SupervisorRole
    from tests.governance.helpers import filled_declaration

    user = world.user("provider_admin")
    round = Round(region=world.region, title="Governance-ronde", status=RoundStatus.PUBLISHED, published_at=clock.now())
    db.session.add(round)
    db.session.add(Application(round=round, provider=world.provider, status=ApplicationStatus.SUBMITTED,
                               submitted_at=clock.now()))
    db.session.flush()
    submitted = filled_declaration(world.provider, user, 2024)
    review = services.give_verdict(db.session, region=world.region, declaration=submitted, verdict=ReviewVerdict.QUESTIONS,
                                   note="Graag toelichting.", seen_version=None, actor=world.user("reviewer"))
    draft = services.start_declaration(db.session, provider=world.provider, year=2023, actor=user)
    member = services.add_supervisor(db.session, declaration=draft, name="B. Lid", role=SupervisorRole.MEMBER,
                                     start_date=date(2021, 1, 1), term_end=date(2025, 1, 1), reappointments=1, actor=user)
    db.session.commit()
    world.governance_round_id = round.id
    world.submitted_declaration_id = submitted.id
    world.draft_declaration_id = draft.id
    world.supervisor_id = member.id
    world.review_id = review.id
