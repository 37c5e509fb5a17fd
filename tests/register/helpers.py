"""Admit providers for tests through the register's service, as a confirmed decision would."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Application, ApplicationScope, Municipality, Provider, Round, RoundMunicipality
from portal.models.register import Admission
from portal.register import services


def group(round: Round, code: str):
    """Return a product group of the round by code."""
    return next(g for g in round.product_groups if g.code == code)


def take_part(round: Round, municipality: Municipality) -> None:
    """Let another municipality take part in the round (all groups open)."""
    if all(m.municipality_id != municipality.id for m in round.municipalities):
        db.session.add(RoundMunicipality(round=round, municipality=municipality))
        db.session.flush()


def admit(world, round: Round, provider: Provider, *, groups=("BEH",), municipality: Municipality | None = None,
          admitted_on: date = date(2026, 3, 1)) -> list[Admission]:
    """Give the provider an application to the round for the groups in the municipality, and admit each scope."""
    municipality = municipality or world.municipality
    take_part(round, municipality)
    application = db.session.scalar(
        select(Application).where(Application.round_id == round.id, Application.provider_id == provider.id)
    )
    if application is None:
        application = Application(round=round, provider=provider)
        db.session.add(application)
        db.session.flush()
    admissions = []
    for code in groups:
        scope = ApplicationScope(application=application, product_group=group(round, code), municipality=municipality)
        db.session.add(scope)
        db.session.flush()
        admissions.append(services.admit(db.session, scope=scope, admitted_on=admitted_on, actor=world.user("reviewer")))
    db.session.commit()
    return admissions
