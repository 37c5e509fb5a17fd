"""The demo region's Open House rounds: one published with questions answered, one in draft."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import from_local, local, now
from portal.demo.documents import text_pdf
from portal.files.services import save_upload
from portal.models import EvidenceType, LegalForm, Provider, Region, Round, User, ValidityRule
from portal.rounds import services

PUBLISHED_TITLE = "Open House Jeugdhulp Demo-Veluwe 2027 (fictief)"
DRAFT_TITLE = "Open House Wmo-begeleiding 2028 (concept, fictief)"

PRODUCT_GROUPS = [
    ("BEH", "Behandeling", "Jeugdhulp gericht op herstel of stabilisatie, door een SKJ- of BIG-geregistreerde professional."),
    ("BGI", "Begeleiding individueel", "Ondersteuning van jeugdige en gezin bij het dagelijks leven."),
    ("BGG", "Begeleiding groep", "Dagbesteding en groepsbegeleiding."),
    ("VBL", "Verblijf en wonen", "Verblijf in een gezinshuis, pleeggezin of instelling."),
    ("RSP", "Respijtzorg", "Tijdelijke overname van de zorg om ouders te ontlasten."),
    ("CRI", "Crisis", "Hulp binnen 24 uur bij een crisis."),
]
CORPORATE_FORMS = [LegalForm.BV, LegalForm.NV, LegalForm.STICHTING, LegalForm.VERENIGING, LegalForm.COOPERATIE]
#: (catalogue code, rule, max age, financial year, legal forms, product group codes)
REQUIREMENTS = [
    ("kvk_extract", ValidityRule.MAX_AGE, 183, None, [], []),
    ("gva", ValidityRule.MAX_AGE, 730, None, [], []),
    ("tax_statement", ValidityRule.MAX_AGE, 183, None, [], []),
    ("liability_insurance", ValidityRule.EXPIRY_DATE, None, None, [], []),
    ("quality_certificate", ValidityRule.EXPIRY_DATE, None, None, [], []),
    ("skj_big", ValidityRule.EXPIRY_DATE, None, None, [], ["BEH", "CRI"]),
    ("wtza", ValidityRule.NONE, None, None, [], []),
    ("governance_statement", ValidityRule.FINANCIAL_YEAR, None, 2025, CORPORATE_FORMS, []),
    ("wnt_statement", ValidityRule.FINANCIAL_YEAR, None, 2025, CORPORATE_FORMS, []),
    ("annual_accounts", ValidityRule.FINANCIAL_YEAR, None, 2025, [], []),
    ("meldcode", ValidityRule.NONE, None, None, [], []),
    ("complaints_procedure", ValidityRule.NONE, None, None, [], []),
    ("ubo_structure", ValidityRule.MAX_AGE, 365, None, [LegalForm.BV, LegalForm.NV], []),
]
QUESTIONS = [
    ("Moet een zzp'er zonder personeel ook een VOG-beleid aanleveren?",
     "Nee. Een zelfstandige zonder personeel levert een eigen VOG van hoogstens 3 jaar oud."),
    ("Kunnen wij ons aanmelden voor Crisis als wij niet 24 uur per dag bereikbaar zijn?",
     "Nee. Voor Crisis is bereikbaarheid 24 uur per dag, 7 dagen per week een voorwaarde (paragraaf 4.3)."),
    ("Telt een HKZ-certificaat dat over twee maanden verloopt?",
     "Ja, als het op de datum van aanmelding geldig is. Wij vragen u het nieuwe certificaat op tijd aan te leveren."),
]


def _type(session: Session, code: str) -> EvidenceType:
    return session.scalar(select(EvidenceType).where(EvidenceType.code == code))


def seed_rounds(session: Session, region: Region, buyer: User, provider: Provider, asker: User) -> int:
    """Create the demo rounds when missing; return how many were created."""
    existing = set(session.scalars(select(Round.title).where(Round.region_id == region.id)))
    created = 0
    if PUBLISHED_TITLE not in existing:
        round = _build(session, region, buyer, PUBLISHED_TITLE, complete=True)
        services.publish(session, round=round, seen_version=None, actor=buyer)
        services.publish_addendum(
            session, round=round, actor=buyer,
            text="De sluitingstijd van het eerste toetredingsmoment is 12:00 uur in plaats van 17:00 uur.",
            reason="Gelijk aan de openingstijden van het servicepunt (fictief voorbeeld).",
        )
        round.questions_open_at = _day(-14, time(9))  # so demo providers can ask
        for text, answer in QUESTIONS:
            question = services.RoundQuestion(round=round, provider=provider, asked_by_id=asker.id, question=text)
            session.add(question)
            session.flush()
            services.answer_question(session, question=question, published_question=text, answer=answer,
                                     seen_version=None, actor=buyer)
        created += 1
    if DRAFT_TITLE not in existing:
        _build(session, region, buyer, DRAFT_TITLE, complete=False)
        created += 1
    session.flush()
    return created


def _day(offset: int, at: time) -> datetime:
    """Return a Dutch date relative to today at a round hour, as a UTC moment."""
    return from_local(local(now()).date() + timedelta(days=offset), at)


def _build(session: Session, region: Region, buyer: User, title: str, complete: bool) -> Round:
    round = services.create_round(
        session, region=region, title=title,
        description="Fictieve toelatingsronde voor de demo: alle aanbieders die aan de voorwaarden voldoen, worden toegelaten.",
        contract_term="4 jaar, daarna 2 keer te verlengen met 2 jaar", complaint_period_days=20,
        questions_open_at=_day(-1, time(9)), questions_close_at=_day(45, time(12)), actor=buyer,
    )
    groups = {code: services.add_product_group(session, round=round, code=code, name=name, description=text, actor=buyer)
              for code, name, text in (PRODUCT_GROUPS if complete else PRODUCT_GROUPS[1:3])}
    closed = {m.id: set() for m in region.municipalities}
    if complete and len(region.municipalities) > 2:
        closed[region.municipalities[2].id] = {groups["RSP"].id}
    services.set_municipalities(session, round=round, closed=closed, actor=buyer)
    services.add_window(session, round=round, opens_at=_day(-14, time(9)), closes_at=_day(60, time(12)), actor=buyer)
    services.add_window(session, round=round, opens_at=_day(240, time(9)), closes_at=_day(280, time(12)), actor=buyer)
    for code, rule, max_age, year, forms, group_codes in REQUIREMENTS if complete else REQUIREMENTS[:3]:
        services.add_requirement(
            session, round=round, evidence_type=_type(session, code), rule=rule, max_age_days=max_age,
            financial_year=year, legal_forms=forms, product_group_ids=[groups[c].id for c in group_codes if c in groups],
            note="", actor=buyer,
        )
    if complete:
        pdf = text_pdf(f"Toelatingsdocument - {title}", [
            "FICTIEF DEMODOCUMENT - geen echte aanbesteding of toelating.",
            "",
            "1. Inleiding: de regio laat iedere aanbieder toe die aan de voorwaarden voldoet.",
            "2. Productgroepen: Behandeling, Begeleiding, Verblijf, Respijtzorg, Crisis.",
            "3. Geschiktheid: zie de gevraagde bewijsstukken in het portaal.",
            "4. Toetreding: op de gepubliceerde toetredingsmomenten.",
            "5. Bezwaar: een klacht binnen 20 dagen na het besluit.",
        ])
        document = save_upload(session, stream=io.BytesIO(pdf), filename="Toelatingsdocument Demo-Veluwe 2027.pdf",
                               owner=region, uploaded_by=buyer)
        services.attach_admission_document(session, round=round, document=document, actor=buyer)
    return round
