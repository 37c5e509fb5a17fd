"""Demo governance declarations (fictional): provider one within the WNT norm, provider two above it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.services import find_user
from portal.governance import services, wnt
from portal.models import Provider, Region
from portal.models.governance import PRINCIPLES, EntityKind, GovernanceDeclaration, ReviewVerdict, SupervisorRole, WntFunction

#: The year declared: the maxima table has every class for it.
YEAR = 2024

#: (provider index, demo account, executive's total pay, deferred pay, explanation)
_PLAN = [
    (0, "aanbieder@demo.example.org", Decimal("148000"), Decimal("14000"), ""),
    (1, "aanbieder2@demo.example.org", Decimal("205000"), Decimal("21000"),
     "Afspraak uit het oude arbeidscontract; het bedrag boven het maximum wordt in 2025 teruggevorderd."),
]


def seed_governance(session: Session, region: Region, providers: list[Provider]) -> int:
    """Create the demo declarations that are missing; return how many were created."""
    created = 0
    for index, email, pay, deferred, explanation in _PLAN:
        provider, user = providers[index], find_user(session, email)
        if user is None or session.scalar(select(GovernanceDeclaration.id).where(
                GovernanceDeclaration.provider_id == provider.id, GovernanceDeclaration.financial_year == YEAR)):
            continue
        declaration = services.start_declaration(session, provider=provider, year=YEAR, actor=user)
        services.save_declaration(
            session, declaration=declaration, seen_version=None, actor=user,
            principles={n: services.PrincipleAnswer(True, "Beschreven in het bestuursverslag (fictief).") for n in PRINCIPLES},
            values={"management_supervision_separated": True, "separation_note": "Statuten met raad van toezicht (fictief).",
                    "has_client_council": True, "client_council_note": "", "revenue": Decimal("3400000"),
                    "result": Decimal("102000") if index == 0 else Decimal("306000"),
                    "profit_distributed": Decimal("0") if index == 0 else Decimal("150000"),
                    "points_knowledge": 2, "points_tasks": 2, "points_funding": 3, "points_turnover": 2,
                    "class_reasoning": "Besluit van de raad van toezicht (fictief)."},
        )
        services.add_supervisor(session, declaration=declaration, name="M. Voorbeeld (fictief)", role=SupervisorRole.CHAIR,
                                start_date=date(2022, 1, 1), term_end=date(2026, 1, 1), reappointments=0, actor=user)
        services.add_entity(session, declaration=declaration, name="J. Fictief", kind=EntityKind.UBO, kvk_number=None,
                            ownership_percent=Decimal("100"), actor=user)
        if wnt.applies_to(provider.legal_form):
            services.add_statement(session, declaration=declaration, actor=user, values={
                "name": "A. Bestuurder (fictief)", "position": "Bestuurder", "function": WntFunction.EXECUTIVE,
                "start_date": date(YEAR, 1, 1), "end_date": date(YEAR, 12, 31), "part_time_factor": Decimal("1"),
                "employed": True, "pay": pay, "deferred_pay": deferred, "being_recovered": bool(explanation),
                "explanation": explanation,
            })
        services.submit(session, declaration=declaration, seen_version=None, actor=user)
        if index == 1:
            reviewer = find_user(session, "beoordelaar@demo.example.org")
            if reviewer is not None:
                services.give_verdict(session, region=region, declaration=declaration, verdict=ReviewVerdict.QUESTIONS,
                                      note="De bezoldiging ligt boven de WNT-norm. Hoe loopt de terugvordering?",
                                      seen_version=None, actor=reviewer)
        created += 1
    session.flush()
    return created
