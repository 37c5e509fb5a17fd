"""The demo region has two fictional declarations: one within the WNT norm, one above it."""

from __future__ import annotations

from sqlalchemy import select

from portal.demo.seed import seed_demo
from portal.extensions import db
from portal.governance import services, wnt
from portal.models import Region
from portal.models.governance import GovernanceDeclaration


def test_the_demo_seeds_declarations_once_and_one_exceeds_the_norm(app):
    seed_demo(db.session)
    db.session.commit()
    seed_demo(db.session)
    db.session.commit()
    assert len(db.session.scalars(select(GovernanceDeclaration)).all()) == 2
    region = db.session.scalar(select(Region).where(Region.code == "JR-DEMO"))
    outcomes = {row.wnt for row in services.matrix(db.session, region_id=region.id, years=[2024]) if row.declared}
    assert wnt.Outcome.EXCEEDED in outcomes
