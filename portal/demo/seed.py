"""Create the fictional demo region: municipalities, bodies, providers and accounts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.services import add_membership, create_user, find_user
from portal.demo.applications import seed_applications
from portal.demo.consultation_analysis import seed_closed_consultation
from portal.demo.consultations import seed_consultation
from portal.demo.governance import seed_governance
from portal.demo.kpi import seed_kpi_history
from portal.demo.rounds import seed_rounds
from portal.kpi.summary import refresh_summaries
from portal.models import (
    Body,
    BodyKind,
    LegalForm,
    Membership,
    Municipality,
    Organisation,
    Provider,
    ProviderContact,
    ProviderLocation,
    Region,
    Role,
    User,
)

#: The password of every demo account; the demo region is fictional, so it may be public.
DEMO_PASSWORD = "demo-portal-2026"

REGION_CODE = "JR-DEMO"
REGION_NAME = "Jeugdhulpregio Demo-Veluwe (fictief)"


# Seed data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MunicipalitySpec:
    name: str
    cbs_code: str
    #: First four digits of the postcodes used in this municipality.
    postcode_area: int
    #: Telephone area code for numbers in this municipality.
    area_code: str
    streets: tuple[str, ...]


# Invented names, and GM99xx codes far above any that CBS uses, so nobody mistakes them for real.
MUNICIPALITIES: tuple[_MunicipalitySpec, ...] = (
    _MunicipalitySpec(
        "Heidebeek",
        "GM9901",
        3891,
        "0577",
        ("Heidebeekweg", "Bremstraat", "Schaapskooiweg", "Wildwal"),
    ),
    _MunicipalitySpec(
        "Dennenrode", "GM9902", 3852, "0341", ("Dennenlaan", "Roderbrink", "Sparrenhof", "Mosweg")
    ),
    _MunicipalitySpec(
        "Wolderveen",
        "GM9903",
        8091,
        "0525",
        ("Veenkade", "Wolderstraat", "Turfsteker", "Lisdoddeweg"),
    ),
    _MunicipalitySpec(
        "Bremhorst", "GM9904", 3774, "0342", ("Horsterweg", "Bremhof", "Brinkpad", "Esdoornlaan")
    ),
    _MunicipalitySpec(
        "Sprengendal",
        "GM9905",
        7361,
        "0571",
        ("Sprengenweg", "Beekdal", "Molenzicht", "Waterloopstraat"),
    ),
    _MunicipalitySpec(
        "Hulstwoude", "GM9906", 6731, "0318", ("Hulstlaan", "Woudrand", "Hakhoutweg", "Eikenstoof")
    ),
    _MunicipalitySpec(
        "Vlinderloo", "GM9907", 3881, "0578", ("Vlinderweg", "Loohof", "Zomereik", "Blauwtjespad")
    ),
    _MunicipalitySpec(
        "Lindewaard",
        "GM9908",
        6981,
        "0313",
        ("Lindeplein", "Waardstraat", "Uiterwaardweg", "Kribpad"),
    ),
)

#: Bodies of the region as a whole: (name, kind).
REGIONAL_BODIES: tuple[tuple[str, BodyKind], ...] = (
    ("Jongerenpanel Demo-Veluwe", BodyKind.ERVARINGSDESKUNDIGENPANEL),
    ("Cliëntenraad Jeugd Demo-Veluwe", BodyKind.CLIENTENRAAD),
)


@dataclass(frozen=True)
class _ProviderSpec:
    name: str
    legal_form: LegalForm
    #: First label of the provider's example.org domain.
    domain: str
    #: Index into MUNICIPALITIES of the main office.
    home: int
    #: Number of locations (1-4); stands in for the provider's size.
    locations: int
    #: Number of contact persons (1-2).
    contacts: int
    has_agb: bool = True


_S, _B = LegalForm.STICHTING, LegalForm.BV

# The first two are the providers the demo provider accounts work for; keep them first.
PROVIDERS: tuple[_ProviderSpec, ...] = (
    _ProviderSpec("Stichting Jeugdzorg De Zonnehoek", _S, "zonnehoek", 0, 4, 2),
    _ProviderSpec("Kompasroos Jeugdhulp B.V.", _B, "kompasroos", 1, 3, 2),
    _ProviderSpec("Stichting Heidezicht Jeugd & Gezin", _S, "heidezicht", 0, 4, 2),
    _ProviderSpec("Jeugdpraktijk Marloes Ouderkamp", LegalForm.EENMANSZAAK, "ouderkamp", 2, 1, 1),
    _ProviderSpec(
        "Gezinscoaching Van Wieringhe",
        LegalForm.EENMANSZAAK,
        "vanwieringhe",
        4,
        1,
        1,
        has_agb=False,
    ),
    _ProviderSpec(
        "Speltherapie Sprengendal V.O.F.", LegalForm.VOF, "speltherapie-sprengendal", 4, 1, 1
    ),
    _ProviderSpec(
        "Maatschap Jeugdpsychologie Wolderveen", LegalForm.MAATSCHAP, "jeugdpsy-wolderveen", 2, 2, 1
    ),
    _ProviderSpec("Noorderlicht Jeugdzorggroep N.V.", LegalForm.NV, "noorderlicht-groep", 3, 4, 2),
    _ProviderSpec(
        "Vereniging Respijthuis De Linde",
        LegalForm.VERENIGING,
        "respijthuis-delinde",
        7,
        1,
        1,
        has_agb=False,
    ),
    _ProviderSpec(
        "Coöperatie Samen Jeugdhulp U.A.",
        LegalForm.COOPERATIE,
        "samenjeugdhulp",
        5,
        2,
        2,
        has_agb=False,
    ),
    _ProviderSpec("Coöperatie Kindnabij U.A.", LegalForm.COOPERATIE, "kindnabij", 6, 1, 1),
    _ProviderSpec("Stichting De Vlinderboom", _S, "vlinderboom", 6, 3, 2),
    _ProviderSpec("Stichting Jeugdwerk Hulstwoude", _S, "jeugdwerk-hulstwoude", 5, 2, 1),
    _ProviderSpec("Stichting Crisisopvang Bremhorst", _S, "crisisopvang-bremhorst", 3, 2, 2),
    _ProviderSpec("Stichting Gezinshuis De Boomgaard", _S, "gezinshuis-boomgaard", 1, 1, 1),
    _ProviderSpec(
        "Stichting Leerzorg Wolderveen", _S, "leerzorg-wolderveen", 2, 2, 1, has_agb=False
    ),
    _ProviderSpec("Stichting Dagbesteding Het Hakhout", _S, "hakhout", 5, 1, 1),
    _ProviderSpec("Stichting Beschermd Wonen Lindewaard", _S, "wonen-lindewaard", 7, 3, 2),
    _ProviderSpec("Stichting Jeugd-GGZ Dennenrode", _S, "jggz-dennenrode", 1, 2, 2),
    _ProviderSpec("Brugwerk Begeleiding B.V.", _B, "brugwerk", 0, 2, 1),
    _ProviderSpec("Horizonhoek Behandelcentrum B.V.", _B, "horizonhoek", 3, 3, 2),
    _ProviderSpec("Kleinsteeg Ambulante Zorg B.V.", _B, "kleinsteeg", 6, 1, 1, has_agb=False),
    _ProviderSpec("Opstap Gezinsbegeleiding B.V.", _B, "opstap-gezin", 4, 2, 1),
    _ProviderSpec("Trapveld Jeugdcoaching B.V.", _B, "trapveld", 7, 1, 1),
    _ProviderSpec("Wending Jeugd-GGZ B.V.", _B, "wending-jggz", 2, 2, 2),
)

# fmt: off
_CONTACT_FIRST_NAMES = (
    "Anouk", "Bas", "Carlijn", "Dirk", "Eline", "Floris", "Gerda", "Hidde", "Iris", "Jelle",
)
# Seventeen surnames against ten first names: no two contacts get the same name.
_CONTACT_SURNAMES = (
    "Berkhout", "van Dalfsen", "Eggink", "Frijling", "Gerritsma", "Hoogkamp", "Jansonius",
    "Klaassema", "Lubbers-Visch", "Mulderij", "Nijhoving", "Oldenhuis", "Pasveer",
    "Roelofsma", "Steggink", "Tuinstra", "Wesselink",
)
_CONTACT_SUBJECTS = ("contractbeheer", "facturatie")
# Letter pairs for postcodes; SA, SD and SS are never issued, so they are left out.
_POSTCODE_LETTERS = (
    "AB", "BC", "CE", "DG", "EH", "GJ", "HK", "JL", "KM", "LN", "MP", "NR", "PT", "RV", "TW",
)
# fmt: on


@dataclass(frozen=True)
class _AccountSpec:
    email: str
    name: str
    #: Where the account is a member: (organisation key, role); see _Demo.organisation.
    memberships: tuple[tuple[str, Role], ...]
    description: str


_ACCOUNTS: tuple[_AccountSpec, ...] = (
    _AccountSpec(
        "beheer@demo.example.org",
        "Marijke van Dommelen",
        (("region", Role.REGION_ADMIN),),
        "Regiobeheerder (region_admin) van de demoregio",
    ),
    _AccountSpec(
        "inkoper@demo.example.org",
        "Joost Hendriksma",
        (("region", Role.BUYER), ("municipality:0", Role.BUYER)),
        "Inkoper (buyer) van de demoregio en van gemeente Heidebeek; kan van organisatie wisselen",
    ),
    _AccountSpec(
        "beoordelaar@demo.example.org",
        "Sanne Wolters",
        (("region", Role.REVIEWER),),
        "Beoordelaar (reviewer) van de demoregio",
    ),
    _AccountSpec(
        "beoordelaar2@demo.example.org",
        "Ruud Hazelhoff",
        (("region", Role.REVIEWER),),
        "Tweede beoordelaar (reviewer) van de demoregio, voor het vier-ogenprincipe",
    ),
    _AccountSpec(
        "beleid@demo.example.org",
        "Noor Bakkenes",
        (("region", Role.POLICY_OFFICER),),
        "Beleidsmedewerker (policy_officer) van de demoregio",
    ),
    _AccountSpec(
        "contract@demo.example.org",
        "Pieter Vinkenoog",
        (("region", Role.CONTRACT_MANAGER),),
        "Contractmanager (contract_manager) van de demoregio",
    ),
    _AccountSpec(
        "auditor@demo.example.org",
        "Karin Slagboom",
        (("region", Role.AUDITOR),),
        "Toezichthouder (auditor) van de demoregio",
    ),
    _AccountSpec(
        "aanbieder@demo.example.org",
        "Esther Zonneveld",
        (("provider:0", Role.PROVIDER_ADMIN),),
        f"Beheerder (provider_admin) van {PROVIDERS[0].name}",
    ),
    _AccountSpec(
        "aanbieder2@demo.example.org",
        "Bram Kooistra",
        (("provider:1", Role.PROVIDER_ADMIN),),
        f"Beheerder (provider_admin) van {PROVIDERS[1].name}",
    ),
    _AccountSpec(
        "raadslid@demo.example.org",
        "Henk Rozendaal",
        (("council:0", Role.BODY_MEMBER),),
        f"Raadslid (body_member) van de Gemeenteraad {MUNICIPALITIES[0].name}",
    ),
    _AccountSpec(
        "adviesraad@demo.example.org",
        "Annelies Brouwer-Dijk",
        (("advisory:0", Role.BODY_MEMBER),),
        f"Lid (body_member) van de Adviesraad Sociaal Domein {MUNICIPALITIES[0].name}",
    ),
)

# Colleagues at the first two providers, so their team pages are not empty.
_TEAM_MEMBERS: tuple[_AccountSpec, ...] = (
    _AccountSpec(
        "lotte.meijerink@demo.example.org",
        "Lotte Meijerink",
        (("provider:0", Role.PROVIDER_MEMBER),),
        f"Medewerker (provider_member) van {PROVIDERS[0].name}",
    ),
    _AccountSpec(
        "youssef.amrani@demo.example.org",
        "Youssef Amrani",
        (("provider:0", Role.PROVIDER_MEMBER),),
        f"Medewerker (provider_member) van {PROVIDERS[0].name}",
    ),
    _AccountSpec(
        "daan.timmerhuis@demo.example.org",
        "Daan Timmerhuis",
        (("provider:0", Role.PROVIDER_MEMBER),),
        f"Medewerker (provider_member) van {PROVIDERS[0].name}",
    ),
    _AccountSpec(
        "mila.degraaf@demo.example.org",
        "Mila de Graaf",
        (("provider:1", Role.PROVIDER_MEMBER),),
        f"Medewerker (provider_member) van {PROVIDERS[1].name}",
    ),
    _AccountSpec(
        "thijs.olthof@demo.example.org",
        "Thijs Olthof",
        (("provider:1", Role.PROVIDER_MEMBER),),
        f"Medewerker (provider_member) van {PROVIDERS[1].name}",
    ),
)

#: The accounts to try the portal with: (e-mail, what the account can do). All use DEMO_PASSWORD.
DEMO_ACCOUNTS: list[tuple[str, str]] = [(a.email, a.description) for a in _ACCOUNTS]
#: Extra provider colleagues, also with DEMO_PASSWORD: (e-mail, what the account can do).
DEMO_TEAM_MEMBERS: list[tuple[str, str]] = [(a.email, a.description) for a in _TEAM_MEMBERS]


# Report ------------------------------------------------------------------------------------


@dataclass
class SeedReport:
    """How many rows one run of seed_demo created; all zero when the demo was already there."""

    regions: int = 0
    municipalities: int = 0
    bodies: int = 0
    providers: int = 0
    locations: int = 0
    contacts: int = 0
    users: int = 0
    memberships: int = 0
    rounds: int = 0
    kpi_trajectories: int = 0

    @property
    def total(self) -> int:
        """Return the number of rows created."""
        return sum(getattr(self, f.name) for f in fields(self))

    def created_summary(self) -> str:
        """Describe what was created, e.g. "1 region, 8 municipalities", or "nothing new"."""
        parts = []
        for field in fields(self):
            count = getattr(self, field.name)
            if count:
                noun = _SINGULAR[field.name] if count == 1 else field.name
                parts.append(f"{count} {noun}")
        return ", ".join(parts) if parts else "nothing new"


_SINGULAR = {
    "regions": "region",
    "municipalities": "municipality",
    "bodies": "body",
    "providers": "provider",
    "locations": "location",
    "contacts": "contact",
    "users": "user",
    "memberships": "membership",
    "rounds": "round",
    "kpi_trajectories": "KPI trajectory",
}


# Seeding -----------------------------------------------------------------------------------


@dataclass
class _Demo:
    """The demo organisations, found or created, so accounts can refer to them by key."""

    region: Region
    municipalities: list[Municipality]
    councils: list[Body]
    advisory_boards: list[Body]
    providers: list[Provider]

    def organisation(self, key: str) -> Organisation:
        """Return the organisation for a key like "region", "provider:1" or "council:0"."""
        kind, _, index = key.partition(":")
        if kind == "region":
            return self.region
        collections: dict[str, list] = {
            "municipality": self.municipalities,
            "council": self.councils,
            "advisory": self.advisory_boards,
            "provider": self.providers,
        }
        return collections[kind][int(index)]


def seed_demo(session: Session) -> SeedReport:
    """Create whatever is missing of the demo region; flush, but leave committing to the caller."""
    report = SeedReport()
    region = _ensure_region(session, report)
    municipalities = [
        _ensure_municipality(session, report, region, spec) for spec in MUNICIPALITIES
    ]
    councils = [
        _ensure_body(
            session, report, f"Gemeenteraad {m.name}", BodyKind.GEMEENTERAAD, municipality=m
        )
        for m in municipalities
    ]
    advisory_boards = [
        _ensure_body(
            session,
            report,
            f"Adviesraad Sociaal Domein {m.name}",
            BodyKind.ADVIESRAAD,
            municipality=m,
        )
        for m in municipalities
    ]
    for name, kind in REGIONAL_BODIES:
        _ensure_body(session, report, name, kind, region=region)
    providers = [_ensure_provider(session, report, index) for index in range(len(PROVIDERS))]
    demo = _Demo(region, municipalities, councils, advisory_boards, providers)
    for spec in _ACCOUNTS + _TEAM_MEMBERS:
        _ensure_account(session, report, demo, spec)
    session.flush()
    report.rounds = seed_rounds(
        session, region, buyer=find_user(session, "inkoper@demo.example.org"), provider=providers[0],
        asker=find_user(session, "aanbieder@demo.example.org"),
    )
    seed_applications(session, region, providers)
    seed_governance(session, region, providers)
    seed_consultation(session, region, find_user(session, "beleid@demo.example.org"),
                      find_user(session, "raadslid@demo.example.org"))
    seed_closed_consultation(session, region, providers, writer=find_user(session, "beleid@demo.example.org"),
                             reviewer=find_user(session, "beheer@demo.example.org"))
    report.kpi_trajectories = seed_kpi_history(session, providers, municipalities)
    if report.kpi_trajectories:
        refresh_summaries(session)  # the KPI pages read spend and the other figures from these
    return report


def _ensure_region(session: Session, report: SeedReport) -> Region:
    region = session.scalar(select(Region).where(Region.code == REGION_CODE))
    if region is None:
        region = Region(name=REGION_NAME, code=REGION_CODE)
        session.add(region)
        session.flush()
        report.regions += 1
    return region


def _ensure_municipality(
    session: Session, report: SeedReport, region: Region, spec: _MunicipalitySpec
) -> Municipality:
    municipality = session.scalar(
        select(Municipality).where(Municipality.cbs_code == spec.cbs_code)
    )
    if municipality is None:
        municipality = Municipality(name=spec.name, cbs_code=spec.cbs_code, region=region)
        session.add(municipality)
        session.flush()
        report.municipalities += 1
    return municipality


def _ensure_body(
    session: Session,
    report: SeedReport,
    name: str,
    kind: BodyKind,
    *,
    municipality: Municipality | None = None,
    region: Region | None = None,
) -> Body:
    # Bodies have no code of their own: name, kind and parent together identify them.
    query = select(Body).where(Body.name == name, Body.body_kind == kind)
    if municipality is not None:
        query = query.where(Body.municipality_id == municipality.id)
    else:
        query = query.where(Body.region_id == region.id)
    body = session.scalar(query)
    if body is None:
        body = Body(name=name, body_kind=kind, municipality=municipality, region=region)
        session.add(body)
        session.flush()
        report.bodies += 1
    return body


def _kvk_number(index: int) -> str:
    # One consecutive block, so demo providers are easy to recognise in lists and exports.
    return f"{90000001 + index}"


def _agb_code(index: int) -> str:
    return f"9890{index + 1:04d}"


def _phone(area_code: str, serial: int) -> str:
    # Subscriber numbers never start with 0, so these look real but reach nobody.
    digits = f"0{serial:0{9 - len(area_code)}d}"
    return f"{area_code} {digits[:3]} {digits[3:]}"


def _ensure_provider(session: Session, report: SeedReport, index: int) -> Provider:
    spec = PROVIDERS[index]
    home = MUNICIPALITIES[spec.home]
    provider = session.scalar(select(Provider).where(Provider.kvk_number == _kvk_number(index)))
    if provider is None:
        provider = Provider(
            name=spec.name,
            kvk_number=_kvk_number(index),
            agb_code=_agb_code(index) if spec.has_agb else None,
            legal_form=spec.legal_form,
            email=f"info@{spec.domain}.example.org",
            phone=_phone(home.area_code, 20_100 + index * 10),
            website=f"https://{spec.domain}.example.org",
        )
        session.add(provider)
        session.flush()
        report.providers += 1
    for number in range(spec.locations):
        _ensure_location(session, report, provider, index, number)
    for number in range(spec.contacts):
        _ensure_contact(session, report, provider, index, number)
    return provider


def _ensure_location(
    session: Session, report: SeedReport, provider: Provider, index: int, number: int
) -> None:
    spec = PROVIDERS[index]
    # Stepping three municipalities at a time spreads a provider's locations over the region.
    town = MUNICIPALITIES[(spec.home + 3 * number) % len(MUNICIPALITIES)]
    name = "Hoofdvestiging" if number == 0 else f"Locatie {town.name}"
    exists = session.scalar(
        select(ProviderLocation.id).where(
            ProviderLocation.provider_id == provider.id, ProviderLocation.name == name
        )
    )
    if exists is not None:
        return
    street = town.streets[(index + number) % len(town.streets)]
    house_number = 3 + (index * 7 + number * 11) % 140
    letters = _POSTCODE_LETTERS[(index * 4 + number) % len(_POSTCODE_LETTERS)]
    session.add(
        ProviderLocation(
            provider=provider,
            name=name,
            address=f"{street} {house_number}",
            postcode=f"{town.postcode_area + number} {letters}",
            city=town.name,
        )
    )
    report.locations += 1


def _ensure_contact(
    session: Session, report: SeedReport, provider: Provider, index: int, number: int
) -> None:
    subject = _CONTACT_SUBJECTS[number]
    exists = session.scalar(
        select(ProviderContact.id).where(
            ProviderContact.provider_id == provider.id, ProviderContact.subject == subject
        )
    )
    if exists is not None:
        return
    spec = PROVIDERS[index]
    serial = index * 2 + number
    first = _CONTACT_FIRST_NAMES[serial % len(_CONTACT_FIRST_NAMES)]
    surname = _CONTACT_SURNAMES[(serial * 3) % len(_CONTACT_SURNAMES)]
    session.add(
        ProviderContact(
            provider=provider,
            name=f"{first} {surname}",
            subject=subject,
            email=f"{first[0].lower()}.{_mailbox(surname)}@{spec.domain}.example.org",
            # Invoicing is reached through the general number, as at many small providers.
            phone=_phone(MUNICIPALITIES[spec.home].area_code, 20_101 + index * 10)
            if number == 0
            else None,
        )
    )
    report.contacts += 1


def _mailbox(surname: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum() or ch == "-")


def _ensure_account(session: Session, report: SeedReport, demo: _Demo, spec: _AccountSpec) -> None:
    user = find_user(session, spec.email)
    if user is None:
        user = create_user(session, email=spec.email, name=spec.name, password=DEMO_PASSWORD)
        report.users += 1
    for key, role in spec.memberships:
        organisation = demo.organisation(key)
        if not _is_member(session, user, organisation):
            add_membership(session, user=user, organisation=organisation, role=role, actor=None)
            report.memberships += 1


def _is_member(session: Session, user: User, organisation: Organisation) -> bool:
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.organisation_id == organisation.id
            )
        )
        is not None
    )
