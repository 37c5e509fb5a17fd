"""Reading the admission register: the staff register with filters, one admission with its
history, a provider's own admissions, the public register per municipality, and admitted providers
whose evidence expires. Each list is one statement (or a fixed few), whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, and_, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from portal.kept import ORGANISATIONS, Kept, watch
from portal.models import (
    EvidenceDocument,
    EvidenceRequirement,
    EvidenceType,
    Municipality,
    ProductGroup,
    Provider,
    Region,
    Round,
    ValidityRule,
)
from portal.models.register import Admission, AdmissionChange, AdmissionStatus
from portal.models.rounds import requirement_product_groups

# Date arithmetic in the database ---------------------------------------------------------------


class date_plus_days(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """A date plus a whole number of days, in the database's own dialect."""

    type = Date()
    name = "date_plus_days"
    inherit_cache = True


@compiles(date_plus_days)
def _date_plus_days(element, compiler, **kw) -> str:
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(days, **kw)})"


@compiles(date_plus_days, "sqlite")
def _date_plus_days_sqlite(element, compiler, **kw) -> str:
    day, days = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+' || {compiler.process(days, **kw)} || ' days')"


# Staff register -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilter:
    """What the staff register is narrowed to."""

    region_id: int
    municipality_id: int | None = None
    product_group_id: int | None = None
    status: AdmissionStatus | None = None
    #: Part of the provider's name or its KvK number.
    provider: str | None = None


def _in_region(region_id: int):
    return Admission.round_id.in_(select(Round.id).where(Round.region_id == region_id))


def _register_statement(criteria: RegisterFilter):
    statement = select(Admission).where(_in_region(criteria.region_id))
    if criteria.municipality_id:
        statement = statement.where(Admission.municipality_id == criteria.municipality_id)
    if criteria.product_group_id:
        statement = statement.where(Admission.product_group_id == criteria.product_group_id)
    if criteria.status:
        statement = statement.where(Admission.status == criteria.status)
    if criteria.provider:
        needle = f"%{criteria.provider.strip().lower()}%"
        statement = statement.where(Admission.provider_id.in_(
            select(Provider.id).where(or_(func.lower(Provider.name).like(needle), Provider.kvk_number.like(needle)))
        ))
    return statement


def page_of_register(session: Session, criteria: RegisterFilter, *, page: int, per_page: int) -> tuple[list[Admission], int]:
    """Return one page of the region's admissions (by provider, municipality, group) and the total."""
    statement = _register_statement(criteria)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    # Provider and municipality share the organisations table, so each join gets its own alias.
    provider = aliased(Provider, flat=True)
    municipality = aliased(Municipality, flat=True)
    rows = session.scalars(
        statement.join(Admission.provider.of_type(provider)).join(Admission.municipality.of_type(municipality))
        .join(Admission.product_group)
        .options(contains_eager(Admission.provider.of_type(provider)),
                 contains_eager(Admission.municipality.of_type(municipality)),
                 contains_eager(Admission.product_group))
        .order_by(provider.name, municipality.name, ProductGroup.code, Admission.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(rows), total


def filter_choices(session: Session, region_id: int) -> tuple[list[Municipality], list[ProductGroup]]:
    """Return the region's municipalities and the product groups of its rounds, for the filters."""
    municipalities = session.scalars(
        select(Municipality).where(Municipality.region_id == region_id).order_by(Municipality.name)
    ).all()
    groups = session.scalars(
        select(ProductGroup).join(ProductGroup.round).where(Round.region_id == region_id)
        .options(contains_eager(ProductGroup.round)).order_by(ProductGroup.name, Round.title)
    ).all()
    return list(municipalities), list(groups)


def load_admission(session: Session, admission_id: int) -> Admission | None:
    """Load an admission with what its page shows, its history included."""
    return session.scalar(
        select(Admission).where(Admission.id == admission_id).options(
            joinedload(Admission.provider), joinedload(Admission.municipality),
            joinedload(Admission.product_group), joinedload(Admission.round),
            selectinload(Admission.changes).joinedload(AdmissionChange.by),
        )
    )


def admissions_of_provider(session: Session, provider_id: int) -> list[Admission]:
    """Return a provider's own admissions, by region, municipality and product group."""
    return list(session.scalars(
        select(Admission).where(Admission.provider_id == provider_id)
        .join(Admission.municipality).join(Admission.product_group).join(Admission.round)
        .options(contains_eager(Admission.municipality), contains_eager(Admission.product_group),
                 contains_eager(Admission.round).joinedload(Round.region))
        .order_by(Municipality.name, ProductGroup.name, Admission.id)
    ).unique())


# Public register ----------------------------------------------------------------------------------

#: The public register's municipalities, product lists and pages, kept while no admission,
#: organisation or product group changes (portal.kept): they are read by every visitor and change
#: with a decision or a suspension.
REGISTER = "register"
watch(REGISTER, Admission)
LISTS = Kept("public register", depends_on=(REGISTER, ORGANISATIONS), size=128)


@dataclass
class ListedProvider:
    """A contracted provider on the public page, with the names of its products in the municipality
    (kept and shared between visitors: never changed after it was listed)."""

    name: str
    website: str | None
    products: list[str] = field(default_factory=list)


def region_overview(session: Session, region: Region) -> list[tuple[Municipality, int]]:
    """Return the region's municipalities with how many providers are contracted (active) in each."""
    counts = (
        select(Admission.municipality_id, func.count(func.distinct(Admission.provider_id)).label("providers"))
        .where(Admission.status == AdmissionStatus.ACTIVE)
        .group_by(Admission.municipality_id)
        .subquery()
    )
    rows = session.execute(
        select(Municipality, func.coalesce(counts.c.providers, 0))
        .outerjoin(counts, counts.c.municipality_id == Municipality.id)
        .where(Municipality.region_id == region.id)
        .order_by(Municipality.name)
    ).all()
    return [(municipality, count) for municipality, count in rows]


@dataclass(frozen=True)
class PublicMunicipality:
    """A municipality as its public page names it (kept between requests)."""

    id: int
    name: str
    cbs_code: str
    region_code: str
    region_name: str


def public_municipality(session: Session, region_code: str, cbs_code: str) -> PublicMunicipality | None:
    """Return the municipality with this CBS code in the region with this code, or None."""
    region = aliased(Region, flat=True)  # both are organisations: the region needs its own alias
    row = session.execute(
        select(Municipality.id, Municipality.name, Municipality.cbs_code, region.code, region.name)
        .join(region, region.id == Municipality.region_id)
        .where(Municipality.cbs_code == cbs_code, region.code == region_code)
    ).first()
    return PublicMunicipality(*row) if row else None


def public_products(session: Session, municipality: PublicMunicipality) -> list[str]:
    """Return the names of the product groups with contracted providers in the municipality."""
    return list(session.scalars(
        select(ProductGroup.name).distinct().join(Admission, Admission.product_group_id == ProductGroup.id)
        .where(Admission.municipality_id == municipality.id, Admission.status == AdmissionStatus.ACTIVE)
        .order_by(ProductGroup.name)
    ))


def public_register(session: Session, municipality: PublicMunicipality, *, search: str = "", product: str = "") -> list[ListedProvider]:
    """Return the providers contracted (active admissions only) in the municipality with their
    products, narrowed by a search on provider or product name and by a product group name."""
    # Only the columns the page shows: a municipality has hundreds of admissions, and loading each
    # as an object with its provider and product group took over a third of the page's time.
    statement = (
        select(Provider.id, Provider.name, Provider.website, ProductGroup.name.label("product"))
        .select_from(Admission)
        .join(Provider, Provider.id == Admission.provider_id)
        .join(ProductGroup, ProductGroup.id == Admission.product_group_id)
        .where(Admission.municipality_id == municipality.id, Admission.status == AdmissionStatus.ACTIVE)
        .order_by(Provider.name, Provider.id, ProductGroup.name)
    )
    if product:
        statement = statement.where(ProductGroup.name == product)
    if search.strip():
        needle = f"%{search.strip().lower()}%"
        # A provider matches on its name, or on any product it is contracted for here.
        matching_group = aliased(ProductGroup)
        matching = aliased(Admission)
        statement = statement.where(or_(
            func.lower(Provider.name).like(needle),
            exists().where(
                matching.provider_id == Provider.id, matching.municipality_id == municipality.id,
                matching.status == AdmissionStatus.ACTIVE, matching_group.id == matching.product_group_id,
                func.lower(matching_group.name).like(needle),
            ),
        ))
    listed: dict[int, ListedProvider] = {}
    for provider_id, name, website, product in session.execute(statement):
        entry = listed.setdefault(provider_id, ListedProvider(name, website))
        if product not in entry.products:
            entry.products.append(product)
    return list(listed.values())


# Expiring evidence -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringEvidence:
    """A document an admitted provider needs for its round that has expired or expires soon."""

    provider: Provider
    evidence_type: EvidenceType
    #: The last day the document meets the round's requirement.
    valid_until: date
    #: Days from today to that day; negative when it has expired.
    days_left: int

    @property
    def expired(self) -> bool:
        """Tell whether the document no longer meets the requirement."""
        return self.days_left < 0


def expiring_evidence(session: Session, region_id: int, *, today: date, lead_days: int) -> list[ExpiringEvidence]:
    """Return, most urgent first, the evidence of providers with an active admission in the region
    that their round requires and that has expired or expires within the lead time.

    The database picks each provider's current version per document type, works out until when it
    meets the round's rule, and sorts; Python only applies the requirement's legal forms (a JSON
    list) and keeps the most urgent row per provider and document type.
    """
    admitted = (
        select(Admission.provider_id, Admission.round_id).distinct()
        .where(Admission.status == AdmissionStatus.ACTIVE, _in_region(region_id))
        .subquery()
    )
    newer = aliased(EvidenceDocument)
    valid_until = case(
        (EvidenceRequirement.rule == ValidityRule.EXPIRY_DATE, EvidenceDocument.expiry_date),
        else_=date_plus_days(EvidenceDocument.issue_date, EvidenceRequirement.max_age_days),
    ).label("valid_until")
    groups_admitted = exists().where(
        requirement_product_groups.c.requirement_id == EvidenceRequirement.id,
        Admission.provider_id == admitted.c.provider_id, Admission.round_id == EvidenceRequirement.round_id,
        Admission.status == AdmissionStatus.ACTIVE,
        Admission.product_group_id == requirement_product_groups.c.product_group_id,
    )
    for_all_groups = ~exists().where(requirement_product_groups.c.requirement_id == EvidenceRequirement.id)
    statement = (
        select(Provider, EvidenceType, EvidenceRequirement.legal_forms, valid_until)
        .select_from(admitted)
        .join(Provider, Provider.id == admitted.c.provider_id)
        .join(EvidenceRequirement, EvidenceRequirement.round_id == admitted.c.round_id)
        .join(EvidenceType, EvidenceType.id == EvidenceRequirement.evidence_type_id)
        .join(EvidenceDocument, and_(
            EvidenceDocument.provider_id == admitted.c.provider_id,
            EvidenceDocument.evidence_type_id == EvidenceRequirement.evidence_type_id,
            EvidenceDocument.withdrawn_at.is_(None),
        ))
        .where(
            EvidenceRequirement.rule.in_([ValidityRule.EXPIRY_DATE, ValidityRule.MAX_AGE]),
            or_(for_all_groups, groups_admitted),
            ~exists().where(
                newer.provider_id == EvidenceDocument.provider_id,
                newer.evidence_type_id == EvidenceDocument.evidence_type_id,
                newer.line_year == EvidenceDocument.line_year,
                newer.version > EvidenceDocument.version,
                newer.withdrawn_at.is_(None),
            ),
            valid_until.is_not(None),
            valid_until <= today + timedelta(days=lead_days),
        )
        .order_by(valid_until, Provider.name, EvidenceType.name)
    )
    found: list[ExpiringEvidence] = []
    seen: set[tuple[int, int]] = set()
    for provider, evidence_type, legal_forms, until in session.execute(statement):
        if legal_forms and provider.legal_form.value not in legal_forms:
            continue
        key = (provider.id, evidence_type.id)
        if key in seen:
            continue
        seen.add(key)
        found.append(ExpiringEvidence(provider, evidence_type, until, (until - today).days))
    return found

