"""The catalogue of evidence (bewijsstukken) a region can ask for, and how long each stays valid."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models._types import enum_type


class ValidityRule(enum.StrEnum):
    """How a document's validity is judged on a given date."""

    #: Issued at most N days before the date (e.g. a KvK extract of at most 183 days).
    MAX_AGE = "max_age"
    #: Its own expiry date is on or after the date (insurance policy, certificate).
    EXPIRY_DATE = "expiry_date"
    #: It covers a given financial year (annual accounts, WNT statement).
    FINANCIAL_YEAR = "financial_year"
    #: No time limit (complaints procedure, meldcode).
    NONE = "none"


class EvidenceType(Base):
    """One kind of document in the catalogue, e.g. "Gedragsverklaring Aanbesteden"."""

    __tablename__ = "evidence_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable short code, e.g. "gva"; used in exports and imports.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: Name in Dutch, as regions and providers know it.
    name: Mapped[str] = mapped_column(String(200))
    #: Name in English.
    name_en: Mapped[str] = mapped_column(String(200))
    #: What the document is and where a provider gets it.
    description: Mapped[str] = mapped_column(Text, default="")
    #: The validity rule rounds start from.
    default_rule: Mapped[ValidityRule] = mapped_column(enum_type(ValidityRule, "default_rule"))
    #: For the max-age rule: the usual maximum age in days.
    default_max_age_days: Mapped[int | None] = mapped_column()
    #: Whether sole traders and partnerships (outside the WNT) are exempt by default.
    wnt_related: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint(
            "(default_rule = 'max_age') = (default_max_age_days IS NOT NULL)", name="max_age_days_with_rule"
        ),
    )

    def __str__(self) -> str:
        return self.name


#: The catalogue as seeded by the migration: (code, name, English name, rule, max age, wnt, description).
CATALOGUE: list[tuple[str, str, str, ValidityRule, int | None, bool, str]] = [
    ("kvk_extract", "Uittreksel Kamer van Koophandel", "Chamber of Commerce extract", ValidityRule.MAX_AGE, 183, False,
     "Uittreksel uit het Handelsregister van de KvK."),
    ("gva", "Gedragsverklaring Aanbesteden (GVA)", "Certificate of conduct for tenders (GVA)", ValidityRule.MAX_AGE, 730, False,
     "Aan te vragen bij Justis; de aanvraag duurt tot 8 weken."),
    ("vog_policy", "VOG-beleid medewerkers", "Certificate-of-conduct policy for staff", ValidityRule.NONE, None, False,
     "Beschrijving hoe medewerkers een VOG overleggen (afgegeven hoogstens 3 maanden voor indiensttreding)."),
    ("vog_own", "VOG van de zelfstandige", "Own certificate of conduct (self-employed)", ValidityRule.MAX_AGE, 1095, False,
     "Verklaring Omtrent het Gedrag van de zorgverlener zelf."),
    ("tax_statement", "Verklaring betalingsgedrag belastingen", "Tax payment statement", ValidityRule.MAX_AGE, 183, False,
     "Verklaring van de Belastingdienst over het betalingsgedrag."),
    ("liability_insurance", "Bewijs aansprakelijkheidsverzekering", "Liability insurance", ValidityRule.EXPIRY_DATE, None, False,
     "Polis of verzekeringsverklaring met looptijd."),
    ("quality_certificate", "Kwaliteitscertificaat (HKZ/ISO)", "Quality certificate (HKZ/ISO)", ValidityRule.EXPIRY_DATE, None, False,
     "Geldig certificaat met vervaldatum."),
    ("skj_big", "SKJ- of BIG-registratie", "SKJ or BIG registration", ValidityRule.EXPIRY_DATE, None, False,
     "Registratie van de jeugdprofessionals; nodig voor behandeling."),
    ("wtza", "Wtza-meldingsbewijs", "Wtza notification", ValidityRule.NONE, None, False,
     "Bewijs van melding bij het CIBG op grond van de Wtza."),
    ("governance_statement", "Verklaring Governancecode Zorg", "Governance code statement", ValidityRule.FINANCIAL_YEAR, None, True,
     "Toepassen of uitleggen van de zeven principes van de Governancecode Zorg 2022."),
    ("wnt_statement", "WNT-verantwoording", "WNT accountability statement", ValidityRule.FINANCIAL_YEAR, None, True,
     "Verantwoording van de bezoldiging van topfunctionarissen onder de WNT."),
    ("annual_accounts", "Jaarverantwoording (DigiMV)", "Annual accounts (DigiMV)", ValidityRule.FINANCIAL_YEAR, None, False,
     "Jaarrekening en jaarverslag, uiterlijk 31 mei in DigiMV."),
    ("meldcode", "Meldcode huiselijk geweld en kindermishandeling", "Reporting code for domestic violence and child abuse", ValidityRule.NONE, None, False,
     "De meldcode zoals de organisatie die toepast."),
    ("complaints_procedure", "Klachtenregeling", "Complaints procedure", ValidityRule.NONE, None, False,
     "Klachtenregeling en aansluiting bij een geschilleninstantie."),
    ("ubo_structure", "UBO-verklaring en groepsstructuur", "UBO declaration and group structure", ValidityRule.MAX_AGE, 365, False,
     "Uiteindelijk belanghebbenden en de structuur van de groep."),
]
