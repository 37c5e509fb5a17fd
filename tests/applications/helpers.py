"""Build applications for tests through the services, as a provider would."""

from __future__ import annotations

from datetime import timedelta

from portal.applications import services
from portal.evidence import vault
from portal.extensions import db
from portal.models import Application, Provider, Round, User
from portal.models.applications import STATEMENTS, StatementKind
from tests.matrices.evidence import add_document

#: Answers that raise no exclusion ground and meet every suitability requirement.
CLEAN_ANSWERS = {s.code: (s.kind is StatementKind.SUITABILITY, "") for s in STATEMENTS}


def group(round: Round, code: str):
    """Return a product group of the round by code."""
    return next(g for g in round.product_groups if g.code == code)


def fill_vault(provider: Provider, user: User) -> dict[str, object]:
    """Put a valid KvK extract, SKJ registration and WNT statement 2025 in the provider's vault."""
    today = vault.today()
    return {
        "kvk_extract": add_document(provider, user, "kvk_extract", issue_date=today - timedelta(days=10)),
        "skj_big": add_document(provider, user, "skj_big", issue_date=today - timedelta(days=100),
                                expiry_date=today + timedelta(days=365), issuer="SKJ"),
        "wnt_statement": add_document(provider, user, "wnt_statement", financial_year=2025, issuer="Accountant"),
    }


def complete_application(world, round: Round, groups=("BEH",), provider: Provider | None = None,
                         user: User | None = None) -> Application:
    """Start an application and fill in every step, with documents from a freshly filled vault."""
    provider = provider or world.provider
    user = user or world.user("provider_admin")
    documents = fill_vault(provider, user)
    application = services.start_application(db.session, round=round, provider=provider, actor=user)
    services.set_scopes(db.session, application=application, seen_version=None, actor=user,
                        pairs={(world.municipality.id, group(round, code).id) for code in groups})
    services.save_declaration(db.session, application=application, answers=CLEAN_ANSWERS, seen_version=None, actor=user)
    by_type = {d.evidence_type_id: d for d in documents.values()}
    services.choose_documents(
        db.session, application=application, seen_version=None, actor=user,
        choices={r.id: by_type[r.evidence_type_id] for r in services.applicable_requirements(application)},
    )
    db.session.commit()
    return application
