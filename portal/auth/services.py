"""Rules for accounts: passwords, sign-in, reset links, invitations and two-factor codes."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import pending_changes, record
from portal.clock import as_utc, now
from portal.models import (
    ROLES_BY_KIND,
    Invitation,
    Membership,
    Organisation,
    PasswordReset,
    Role,
    User,
)
from portal.models.users import new_session_token

_hasher = PasswordHasher()
#: Verified against when the e-mail address is unknown, so both paths take as long.
_DUMMY_HASH = _hasher.hash("no-such-user-" + secrets.token_hex(8))

TOTP_ISSUER = "Jeugdzorgportaal"


class AccountError(Exception):
    """A rule about accounts was broken; the message can be shown to the user."""


def hash_password(password: str) -> str:
    """Return an argon2 hash of the password."""
    return _hasher.hash(password)


def hash_token(token: str) -> str:
    """Return the SHA-256 of a link token; only this is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(session: Session, email: str) -> User | None:
    """Find a user by e-mail address, ignoring case."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None; never say which was wrong."""
    user = find_user(session, email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(
    session: Session, *, email: str, name: str, password: str | None = None
) -> User:
    """Create an account; the e-mail address must be new."""
    email = email.strip().lower()
    if find_user(session, email) is not None:
        raise AccountError(_("An account with this e-mail address already exists."))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, user: User, password: str, actor: User | None) -> None:
    """Store a new password and end the user's other sessions."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    record(session, action="user.password_changed", obj=user, actor=actor)


def add_membership(
    session: Session,
    *,
    user: User,
    organisation: Organisation,
    role: Role,
    actor: User | None,
    acting_for: Organisation | None = None,
) -> Membership:
    """Give a user a role in an organisation; the role must fit the kind of organisation."""
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise AccountError(_("This role does not exist for this kind of organisation."))
    existing = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if existing is not None:
        raise AccountError(_("This person is already a member of %(org)s.", org=organisation.name))
    membership = Membership(user=user, organisation=organisation, role=role)
    session.add(membership)
    session.flush()
    record(
        session,
        action="membership.created",
        obj=membership,
        object_label=f"{user.email} — {organisation.name}",
        changes={"role": [None, role.value]},
        actor=actor,
        organisation=acting_for or organisation,
    )
    return membership


def record_sign_in(session: Session, *, user: User) -> None:
    """Note a successful sign-in on the account and in the audit log."""
    user.last_login_at = now()
    record(session, action="user.signed_in", obj=user, actor=user)


# Password reset ----------------------------------------------------------------------------


def request_password_reset(
    session: Session, *, email: str, valid_for: timedelta
) -> tuple[User, str] | None:
    """Create a reset token for an active account; return (user, token) or None."""
    user = find_user(session, email)
    if user is None or not user.active:
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(user=user, token_hash=hash_token(token), expires_at=now() + valid_for)
    )
    session.flush()
    return user, token


def find_valid_reset(session: Session, token: str) -> PasswordReset | None:
    """Return the unused, unexpired reset for this token, or None."""
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or reset.used_at is not None or as_utc(reset.expires_at) <= now():
        return None
    if not reset.user.active:
        return None
    return reset


def complete_password_reset(session: Session, *, token: str, password: str) -> User:
    """Use a reset token once to set a new password."""
    reset = find_valid_reset(session, token)
    if reset is None:
        raise AccountError(_("This link is no longer valid. Request a new one."))
    reset.used_at = now()
    # Any other open link for this account stops working too.
    for other in session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None)
        )
    ):
        other.used_at = reset.used_at
    set_password(session, user=reset.user, password=password, actor=reset.user)
    return reset.user


# Invitations -------------------------------------------------------------------------------


def invite(
    session: Session,
    *,
    email: str,
    name: str,
    organisation: Organisation,
    role: Role,
    invited_by: User | None,
    valid_for: timedelta,
    acting_for: Organisation | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation to join an organisation; return it with the token for the link."""
    email = email.strip().lower()
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise AccountError(_("This role does not exist for this kind of organisation."))
    user = find_user(session, email)
    if user is not None and any(m.organisation_id == organisation.id for m in user.memberships):
        raise AccountError(_("This person is already a member of %(org)s.", org=organisation.name))
    # A new invitation replaces an open one for the same person and organisation.
    for open_invitation in session.scalars(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.organisation_id == organisation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        open_invitation.revoked_at = now()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        name=name.strip(),
        organisation=organisation,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=now() + valid_for,
    )
    session.add(invitation)
    session.flush()
    record(
        session,
        action="invitation.created",
        obj=invitation,
        object_label=f"{email} — {organisation.name}",
        changes={"role": [None, role.value]},
        actor=invited_by,
        organisation=acting_for or organisation,
    )
    return invitation, token


def find_open_invitation(session: Session, token: str) -> Invitation | None:
    """Return the invitation for this token while it can still be accepted."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or as_utc(invitation.expires_at) <= now()
    ):
        return None
    return invitation


def accept_invitation(
    session: Session,
    *,
    token: str,
    name: str | None = None,
    password: str | None = None,
    user: User | None = None,
) -> User:
    """Accept an invitation once: as a new account (name, password) or as the signed-in user."""
    invitation = find_open_invitation(session, token)
    if invitation is None:
        raise AccountError(_("This invitation is no longer valid. Ask for a new one."))
    if user is None:
        if find_user(session, invitation.email) is not None:
            raise AccountError(_("You already have an account. Sign in to accept."))
        user = create_user(session, email=invitation.email, name=name or invitation.name, password=password)
        record(session, action="user.created", obj=user, actor=user)
    elif user.email != invitation.email:
        raise AccountError(_("This invitation is for another e-mail address."))
    invitation.accepted_at = now()
    add_membership(
        session, user=user, organisation=invitation.organisation, role=invitation.role, actor=user
    )
    return user


def revoke_invitation(session: Session, *, invitation: Invitation, actor: User, acting_for: Organisation) -> None:
    """Withdraw an invitation that was not accepted yet."""
    if invitation.accepted_at is not None:
        raise AccountError(_("This invitation was already accepted."))
    invitation.revoked_at = now()
    record(session, action="invitation.revoked", obj=invitation, actor=actor, organisation=acting_for)


# Two-factor login --------------------------------------------------------------------------


def new_totp_secret() -> str:
    """Return a fresh base32 secret for an authenticator app."""
    return pyotp.random_base32()


def totp_qr_data_uri(secret: str, email: str) -> str:
    """Return an SVG QR code (as a data: URI) that authenticator apps can scan."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    totp = pyotp.TOTP(secret)
    moment = time.time() if at is None else at
    code = code.replace(" ", "")
    for offset in (-1, 0, 1):
        step = int(moment // totp.interval) + offset
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(user: User, code: str, at: float | None = None) -> bool:
    """Accept a current code once; a code already used is refused."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, at)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def enable_totp(session: Session, *, user: User, secret: str, code: str, at: float | None = None) -> None:
    """Turn on two-factor login after the user proved their app shows the right code."""
    step = _matching_step(secret, code, at)
    if step is None:
        raise AccountError(_("That code is not right. Check the time on your phone and try again."))
    user.totp_secret = secret
    user.totp_last_step = step
    record(session, action="user.totp_enabled", obj=user, actor=user)


def disable_totp(session: Session, *, user: User, actor: User, required: bool) -> None:
    """Turn off two-factor login, unless the user's roles require it."""
    if required:
        raise AccountError(_("Your role requires two-step sign-in; it cannot be turned off."))
    user.totp_secret = None
    user.totp_last_step = None
    record(session, action="user.totp_disabled", obj=user, actor=actor)


def set_locale(session: Session, *, user: User, locale: str) -> None:
    """Remember the language a user chose."""
    if user.locale != locale:
        record(session, action="user.updated", obj=user, actor=user, changes={"locale": [user.locale, locale]})
        user.locale = locale


def update_profile(session: Session, *, user: User, name: str, locale: str | None) -> None:
    """Change the name and preferred language of an account."""
    user.name = name.strip()
    user.locale = locale or None
    changes = pending_changes(user)
    if changes:
        record(session, action="user.updated", obj=user, actor=user, changes=changes)
