"""Build rounds for tests through the services, as the buying team would."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from portal.clock import now
from portal.extensions import db
from portal.files.services import save_upload
from portal.models import EvidenceType, LegalForm, Round, ValidityRule
from portal.rounds import services
from tests import files_samples


def evidence_type(code: str) -> EvidenceType:
    """Return a catalogue entry by code."""
    return db.session.scalar(select(EvidenceType).where(EvidenceType.code == code))


def draft_round(world, title: str = "Open House Jeugdhulp 2027", complete: bool = True) -> Round:
    """Create a draft round of world.region; complete means ready to publish."""
    actor = world.user("buyer")
    round = services.create_round(
        db.session, region=world.region, title=title, description="Jeugdhulp in de regio.",
        contract_term="4 jaar, 2 keer 2 jaar verlenging", questions_open_at=now() - timedelta(days=1),
        questions_close_at=now() + timedelta(days=20), actor=actor,
    )
    if complete:
        beh = services.add_product_group(db.session, round=round, code="BEH", name="Behandeling", description="", actor=actor)
        services.add_product_group(db.session, round=round, code="BGI", name="Begeleiding individueel", description="", actor=actor)
        services.set_municipalities(db.session, round=round, closed={world.municipality.id: set()}, actor=actor)
        services.add_window(db.session, round=round, opens_at=now() - timedelta(days=1), closes_at=now() + timedelta(days=30), actor=actor)
        services.add_requirement(db.session, round=round, evidence_type=evidence_type("kvk_extract"), rule=ValidityRule.MAX_AGE,
                                 max_age_days=183, financial_year=None, legal_forms=[], product_group_ids=[], note="", actor=actor)
        services.add_requirement(db.session, round=round, evidence_type=evidence_type("skj_big"), rule=ValidityRule.EXPIRY_DATE,
                                 max_age_days=None, financial_year=None, legal_forms=[], product_group_ids=[beh.id], note="", actor=actor)
        services.add_requirement(db.session, round=round, evidence_type=evidence_type("wnt_statement"), rule=ValidityRule.FINANCIAL_YEAR,
                                 max_age_days=None, financial_year=2025, legal_forms=[LegalForm.STICHTING, LegalForm.BV],
                                 product_group_ids=[], note="", actor=actor)
        document = save_upload(db.session, stream=io.BytesIO(files_samples.pdf()), filename="toelatingsdocument.pdf",
                               owner=world.region, uploaded_by=actor)
        services.attach_admission_document(db.session, round=round, document=document, actor=actor)
    db.session.commit()
    return round


def published_round(world, title: str = "Open House Jeugdhulp 2027") -> Round:
    """Create and publish a complete round of world.region."""
    round = draft_round(world, title)
    services.publish(db.session, round=round, seen_version=None, actor=world.user("buyer"))
    db.session.commit()
    return round
