"""factory_boy factories for the models; each commits, like a finished request would."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.auth.services import hash_password
from portal.extensions import db
from portal.models import (
    Body,
    BodyKind,
    LegalForm,
    Membership,
    Municipality,
    Provider,
    ProviderContact,
    ProviderLocation,
    Region,
    Role,
    User,
)

#: Every test user's password; hashed once because argon2 is slow on purpose.
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class RegionFactory(_Base):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Testregio {n}")
    code = factory.Sequence(lambda n: f"TR-{n}")


class MunicipalityFactory(_Base):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Testgemeente {n}")
    cbs_code = factory.Sequence(lambda n: f"GM{n % 10_000:04d}")  # unique within a test
    region = factory.SubFactory(RegionFactory)


class ProviderFactory(_Base):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    kvk_number = factory.Sequence(lambda n: f"{70000000 + n:08d}")
    agb_code = factory.Sequence(lambda n: f"{98000000 + n:08d}")
    legal_form = LegalForm.STICHTING
    email = factory.Sequence(lambda n: f"info{n}@aanbieder.example.org")


class LocationFactory(_Base):
    class Meta:
        model = ProviderLocation

    provider = factory.SubFactory(ProviderFactory)
    name = "Hoofdvestiging"
    address = factory.Sequence(lambda n: f"Teststraat {n}")
    postcode = "1234 AB"
    city = "Teststad"


class ContactFactory(_Base):
    class Meta:
        model = ProviderContact

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    subject = "contractbeheer"
    email = factory.Sequence(lambda n: f"contact{n}@aanbieder.example.org")


class BodyFactory(_Base):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Gemeenteraad {n}")
    body_kind = BodyKind.GEMEENTERAAD
    municipality = factory.SubFactory(MunicipalityFactory)
    region = None


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"persoon{n}@test.example.org")
    name = factory.Sequence(lambda n: f"Persoon {n}")
    password_hash = PASSWORD_HASH


class MembershipFactory(_Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(RegionFactory)
    role = Role.REGION_ADMIN


def member(role: Role, organisation, **user_fields) -> User:
    """Create a user with one membership in the given role."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user
