"""People who sign in, what they may do for which organisation, and their one-time tokens."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped
from portal.models._types import enum_type
from portal.models.organisations import Organisation, OrganisationKind


class Role(enum.StrEnum):
    """What a member may do for an organisation."""

    PROVIDER_ADMIN = "provider_admin"
    PROVIDER_MEMBER = "provider_member"
    REGION_ADMIN = "region_admin"
    BUYER = "buyer"
    REVIEWER = "reviewer"
    POLICY_OFFICER = "policy_officer"
    CONTRACT_MANAGER = "contract_manager"
    AUDITOR = "auditor"
    BODY_MEMBER = "body_member"

    @property
    def is_staff(self) -> bool:
        """Tell whether this is a role of municipality or region staff."""
        return self in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        """Tell whether this role manages its organisation's members."""
        return self in (Role.PROVIDER_ADMIN, Role.REGION_ADMIN)


#: Roles of municipality and region staff; they handle sensitive data and need two factors.
STAFF_ROLES = frozenset(
    {
        Role.REGION_ADMIN,
        Role.BUYER,
        Role.REVIEWER,
        Role.POLICY_OFFICER,
        Role.CONTRACT_MANAGER,
        Role.AUDITOR,
    }
)
PROVIDER_ROLES = frozenset({Role.PROVIDER_ADMIN, Role.PROVIDER_MEMBER})
BODY_ROLES = frozenset({Role.BODY_MEMBER})

#: Which roles a membership of each kind of organisation may carry.
ROLES_BY_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.REGION: STAFF_ROLES,
    OrganisationKind.MUNICIPALITY: STAFF_ROLES,
    OrganisationKind.PROVIDER: PROVIDER_ROLES,
    OrganisationKind.BODY: BODY_ROLES,
}


def new_session_token() -> str:
    """Return a fresh random token that identifies a user's sign-in sessions."""
    return secrets.token_urlsafe(24)


class User(UserMixin, Base, Timestamped):
    """A person with an account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in name, stored in lower case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Full name as shown to colleagues.
    name: Mapped[str] = mapped_column(String(200))
    #: argon2 hash; None until an invited person sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: Whether the account may sign in at all.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Base32 TOTP secret once two-factor login is set up.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The last time step accepted, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column()
    #: Preferred language ("nl" or "en"), None for the browser's choice.
    locale: Mapped[str | None] = mapped_column(String(5))
    #: Changes when the password changes, which ends every other session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    #: The last successful sign-in (UTC).
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    def get_id(self) -> str:
        """Identify the session by user and session token, so a new password ends old ones."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_totp(self) -> bool:
        """Tell whether two-factor login is set up."""
        return self.totp_secret is not None

    @property
    def is_staff(self) -> bool:
        """Tell whether any membership is a staff role."""
        return any(m.role.is_staff for m in self.memberships)

    def __str__(self) -> str:
        return self.name


class Membership(Base, Timestamped):
    """A user's role in one organisation."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    #: What the user may do for the organisation.
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)


class Invitation(Base):
    """An e-mailed, single-use link that lets someone join an organisation."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who is invited (lower case).
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: The name the inviter gave; the invitee may change it.
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    #: The role the invitee will get.
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    #: SHA-256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the invitation was sent (UTC).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: After this moment the link no longer works.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When the invitee accepted; an accepted invitation cannot be used again.
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When an administrator withdrew it.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()


class PasswordReset(Base):
    """A single-use password-reset token sent by e-mail."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When the link was requested (UTC).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: After this moment the link no longer works.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When the link was used; a used link never works again.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
