"""All models, importable from one place."""

from portal.models.audit import AuditEvent
from portal.models.kpi import Claim, ImportStatus, KpiImport, Trajectory
from portal.models.evidence import EvidenceType, ValidityRule
from portal.models.files import StoredFile
from portal.models.vault import EvidenceDocument, EvidenceReminder
from portal.models.rounds import (
    Addendum,
    EntryWindow,
    EvidenceRequirement,
    ProductGroup,
    Round,
    RoundMunicipality,
    RoundQuestion,
    RoundStatus,
)
from portal.models.mail import MailStatus, OutboxMessage
from portal.models.organisations import (
    Body,
    BodyKind,
    LegalForm,
    Municipality,
    Organisation,
    OrganisationKind,
    Provider,
    ProviderContact,
    ProviderLocation,
    Region,
)
from portal.models.users import (
    BODY_ROLES,
    PROVIDER_ROLES,
    ROLES_BY_KIND,
    STAFF_ROLES,
    Invitation,
    Membership,
    PasswordReset,
    Role,
    User,
)

__all__ = [
    "Addendum",
    "EntryWindow",
    "EvidenceRequirement",
    "ProductGroup",
    "Round",
    "RoundMunicipality",
    "RoundQuestion",
    "RoundStatus",
    "BODY_ROLES",
    "PROVIDER_ROLES",
    "ROLES_BY_KIND",
    "STAFF_ROLES",
    "AuditEvent",
    "Body",
    "Claim",
    "EvidenceType",
    "ImportStatus",
    "EvidenceDocument",
    "EvidenceReminder",
    "BodyKind",
    "Invitation",
    "KpiImport",
    "LegalForm",
    "MailStatus",
    "Membership",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "PasswordReset",
    "Provider",
    "ProviderContact",
    "ProviderLocation",
    "Region",
    "Role",
    "StoredFile",
    "Trajectory",
    "User",
    "ValidityRule",
]
