"""Build governance declarations for tests through the services, as a provider would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.extensions import db
from portal.governance import services
from portal.models import Provider, User
from portal.models.governance import PRINCIPLES, EntityKind, GovernanceDeclaration, SupervisorRole, WntFunction


def statement_values(year: int, **overrides) -> dict:
    """Values of a WNT statement for a full-time executive for the whole year, well within the norm."""
    values = {
        "name": "A. Bestuurder", "position": "Bestuurder", "function": WntFunction.EXECUTIVE,
        "start_date": date(year, 1, 1), "end_date": date(year, 12, 31), "part_time_factor": Decimal("1"),
        "employed": True, "pay": Decimal("100000"), "deferred_pay": Decimal("10000"),
        "being_recovered": False, "explanation": "",
    }
    values.update(overrides)
    return values


def filled_declaration(provider: Provider, user: User, year: int = 2024, *, points=(2, 2, 3, 2),
                       revenue="1000000", result="50000", distributed="0", ubo: bool = True,
                       statements: list[dict] | None = None, submit: bool = True) -> GovernanceDeclaration:
    """Create a complete declaration (class III by default) and submit it unless told otherwise."""
    declaration = services.start_declaration(db.session, provider=provider, year=year, actor=user)
    services.save_declaration(
        db.session, declaration=declaration, seen_version=None, actor=user,
        principles={n: services.PrincipleAnswer(True, "Toegepast.") for n in PRINCIPLES},
        values={"management_supervision_separated": True, "separation_note": "Statuten", "has_client_council": True,
                "client_council_note": "", "revenue": Decimal(revenue), "result": Decimal(result),
                "profit_distributed": Decimal(distributed), "points_knowledge": points[0], "points_tasks": points[1],
                "points_funding": points[2], "points_turnover": points[3], "class_reasoning": "Besluit RvT."},
    )
    services.add_supervisor(db.session, declaration=declaration, name="C. Voorzitter", role=SupervisorRole.CHAIR,
                            start_date=date(2022, 1, 1), term_end=date(2026, 1, 1), reappointments=0, actor=user)
    if ubo:
        services.add_entity(db.session, declaration=declaration, name="D. Eigenaar", kind=EntityKind.UBO, kvk_number=None,
                            ownership_percent=Decimal("100"), actor=user)
    from portal.governance import wnt

    if wnt.applies_to(provider.legal_form):
        for values in statements if statements is not None else [statement_values(year)]:
            services.add_statement(db.session, declaration=declaration, values=values, actor=user)
    if submit:
        services.submit(db.session, declaration=declaration, seen_version=None, actor=user)
    db.session.commit()
    return declaration


def submitted_application(world, round=None, provider=None, user=None):
    """A submitted application of the provider (the world's by default) to a published round of world.region."""
    from portal.applications import services as applications
    from tests.applications.helpers import complete_application
    from tests.rounds.helpers import published_round

    round = round or published_round(world, "Open House Governance")
    application = complete_application(world, round, provider=provider, user=user)
    applications.submit(db.session, application=application, seen_version=None, actor=user or world.user("provider_admin"))
    db.session.commit()
    return application
