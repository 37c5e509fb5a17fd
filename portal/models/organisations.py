"""Regions, municipalities, providers and bodies: the organisations people act for."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type


class OrganisationKind(enum.StrEnum):
    """The kinds of organisation a user can act for."""

    REGION = "region"
    MUNICIPALITY = "municipality"
    PROVIDER = "provider"
    BODY = "body"


class LegalForm(enum.StrEnum):
    """Legal forms of Dutch providers (rechtsvormen)."""

    EENMANSZAAK = "eenmanszaak"
    VOF = "vof"
    MAATSCHAP = "maatschap"
    BV = "bv"
    NV = "nv"
    STICHTING = "stichting"
    VERENIGING = "vereniging"
    COOPERATIE = "cooperatie"


class BodyKind(enum.StrEnum):
    """Kinds of body that give advice or formal views."""

    GEMEENTERAAD = "gemeenteraad"
    ADVIESRAAD = "adviesraad"
    CLIENTENRAAD = "clientenraad"
    ERVARINGSDESKUNDIGENPANEL = "ervaringsdeskundigenpanel"
    OTHER = "other"


class Organisation(Base, Timestamped):
    """Anything a user can be a member of; the kinds below add their own details."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which kind of organisation this row is (the joined table that completes it).
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind, "kind"))
    #: The name people know the organisation by.
    name: Mapped[str] = mapped_column(String(200))
    #: Raised on every change, so two people editing at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821
        back_populates="organisation", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "version_id_col": version}

    @property
    def owning_region_id(self) -> int | None:
        """Return the region this organisation belongs to; providers belong to none."""
        return None

    def __str__(self) -> str:
        return self.name


class Region(Organisation):
    """A group of municipalities that buy youth care together (jeugdhulpregio)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    #: Short code used in URLs and exports, e.g. "JR-DEMO".
    code: Mapped[str] = mapped_column(String(20), unique=True)

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region",
        foreign_keys="Municipality.region_id",
        order_by="Municipality.id",
    )

    __mapper_args__ = {
        "polymorphic_identity": OrganisationKind.REGION,
        "inherit_condition": id == Organisation.id,
    }

    @property
    def owning_region_id(self) -> int | None:
        """Return this region's own id."""
        return self.id


class Municipality(Organisation):
    """A gemeente; it buys through its region but keeps its own council and settings."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    #: The region this municipality buys youth care with.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    #: CBS municipality code, "GM" followed by four digits.
    cbs_code: Mapped[str] = mapped_column(String(6), unique=True)

    region: Mapped[Region] = relationship(
        back_populates="municipalities", foreign_keys=[region_id]
    )

    __table_args__ = (
        CheckConstraint("cbs_code LIKE 'GM____'", name="cbs_code_format"),
    )
    __mapper_args__ = {
        "polymorphic_identity": OrganisationKind.MUNICIPALITY,
        "inherit_condition": id == Organisation.id,
    }

    @property
    def owning_region_id(self) -> int | None:
        """Return the region the municipality buys with."""
        return self.region_id


class Provider(Organisation):
    """A zorgaanbieder, from a self-employed carer to a large foundation."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    #: Chamber of Commerce number: eight digits.
    kvk_number: Mapped[str] = mapped_column(String(8), unique=True)
    #: Vektis AGB code: eight digits, optional.
    agb_code: Mapped[str | None] = mapped_column(String(8))
    #: Legal form; decides e.g. whether the WNT applies.
    legal_form: Mapped[LegalForm] = mapped_column(enum_type(LegalForm, "legal_form"))
    #: General e-mail address for the region to reach the provider.
    email: Mapped[str | None] = mapped_column(String(254))
    #: General telephone number.
    phone: Mapped[str | None] = mapped_column(String(40))
    #: Public website.
    website: Mapped[str | None] = mapped_column(String(200))

    locations: Mapped[list[ProviderLocation]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderLocation.id"
    )
    contacts: Mapped[list[ProviderContact]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderContact.id"
    )

    __table_args__ = (
        CheckConstraint("length(kvk_number) = 8", name="kvk_number_length"),
        CheckConstraint("agb_code IS NULL OR length(agb_code) = 8", name="agb_code_length"),
    )
    __mapper_args__ = {
        "polymorphic_identity": OrganisationKind.PROVIDER,
        "inherit_condition": id == Organisation.id,
    }


class ProviderLocation(Base, Timestamped):
    """A place where a provider delivers care."""

    __tablename__ = "provider_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    #: Name of the location, e.g. "Hoofdvestiging".
    name: Mapped[str] = mapped_column(String(200))
    #: Street and number.
    address: Mapped[str] = mapped_column(String(200))
    #: Dutch postcode, "1234 AB".
    postcode: Mapped[str] = mapped_column(String(7))
    #: Town or city.
    city: Mapped[str] = mapped_column(String(100))

    provider: Mapped[Provider] = relationship(back_populates="locations")


class ProviderContact(Base, Timestamped):
    """A person the region can contact at a provider."""

    __tablename__ = "provider_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    #: Full name.
    name: Mapped[str] = mapped_column(String(200))
    #: What the contact is for, e.g. "contractbeheer" or "facturatie".
    subject: Mapped[str] = mapped_column(String(100))
    #: E-mail address.
    email: Mapped[str] = mapped_column(String(254))
    #: Telephone number, optional.
    phone: Mapped[str | None] = mapped_column(String(40))

    provider: Mapped[Provider] = relationship(back_populates="contacts")


class Body(Organisation):
    """A council, advisory board, client council or panel of a municipality or a region."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    #: What kind of body this is.
    body_kind: Mapped[BodyKind] = mapped_column(enum_type(BodyKind, "body_kind"))
    #: The municipality the body belongs to, or None for a regional body.
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id"), index=True
    )
    #: The region the body belongs to, or None for a municipal body.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)

    municipality: Mapped[Municipality | None] = relationship(foreign_keys=[municipality_id])
    region: Mapped[Region | None] = relationship(foreign_keys=[region_id])

    __table_args__ = (
        CheckConstraint(
            "(municipality_id IS NULL) <> (region_id IS NULL)", name="one_parent"
        ),
    )
    __mapper_args__ = {
        "polymorphic_identity": OrganisationKind.BODY,
        "inherit_condition": id == Organisation.id,
    }

    @property
    def owning_region_id(self) -> int | None:
        """Return the region this body belongs to, directly or through its municipality."""
        if self.region_id is not None:
            return self.region_id
        return self.municipality.region_id


__all__ = [
    "Body",
    "BodyKind",
    "LegalForm",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "Provider",
    "ProviderContact",
    "ProviderLocation",
    "Region",
]
