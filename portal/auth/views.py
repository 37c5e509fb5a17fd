"""Signing in and out, two-step sign-in, password reset, invitations and the own account."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.account import ChangePasswordForm, ProfileForm
from forms.auth import (
    AcceptInvitationForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SwitchOrganisationForm,
    TotpForm,
)
from portal import resubmit
from portal.access import public, signed_in
from portal.auth import services
from portal.auth.sessions import settings, sign_in, sign_out, totp_required
from portal.extensions import db, limiter
from portal.i18n import LANGUAGES
from portal.mail import queue_email
from portal.models import User
from portal.pages import render_form

bp = Blueprint("auth", __name__)

#: How long someone may take between the password and the code.
PENDING_SECONDS = 300


def _login_limit() -> str:
    return settings().login_rate_limit


def _failed(response) -> bool:
    return response.status_code != 302 and request.method == "POST"


def _safe_next(target: str | None) -> str:
    return target if resubmit.is_local_path(target) else url_for("home.index")


def _finish_sign_in(user, next_url: str | None, kept: str | None):
    """Complete the sign-in and go on where the person was going."""
    session.pop("pending_sign_in", None)
    sign_in(user)
    services.record_sign_in(db.session, user=user)
    carried = resubmit.unpack(kept)
    if carried is not None:
        target, fields = carried
        return resubmit.confirm_page(target, fields, status=200)
    return redirect(_safe_next(next_url))


def _pending_user():
    """Return the user halfway through signing in, or None when that expired."""
    pending = session.get("pending_sign_in")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("pending_sign_in", None)
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user


@bp.route("/inloggen", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login():
    """Sign in with e-mail address and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(db.session, email=form.email.data, password=form.password.data)
        if user is None:
            form.email.errors.append(_("The e-mail address or the password is not right."))
        elif user.has_totp or totp_required(user):
            pending = {"user": user.id, "token": user.session_token, "at": time.time()}
            if not user.has_totp:
                pending["secret"] = services.new_totp_secret()
            session["pending_sign_in"] = pending
            if user.has_totp:
                code_form = TotpForm(formdata=None, next=form.next.data, kept=form.kept.data)
                return render_template("auth/totp.html", form=code_form)
            return _render_setup(user, pending["secret"], form.next.data, form.kept.data)
        else:
            return _finish_sign_in(user, form.next.data, form.kept.data)
    return render_form("auth/login.html", form, kept_input=bool(form.kept.data))


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def totp():
    """Second step of signing in: the code from the authenticator app."""
    user = _pending_user()
    if user is None or not user.has_totp:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if services.verify_totp(user, form.code.data):
            return _finish_sign_in(user, form.next.data, form.kept.data)
        form.code.errors.append(_("That code is not right or was already used. Wait for a new one."))
    return render_form("auth/totp.html", form)


def _render_setup(user, secret: str, next_url: str | None, kept: str | None, form=None):
    form = form or TotpForm(formdata=None, next=next_url, kept=kept)
    status = 422 if form.errors else 200
    return (
        render_template(
            "auth/totp_setup.html",
            form=form,
            secret=secret,
            qr=services.totp_qr_data_uri(secret, user.email),
            during_sign_in=True,
        ),
        status,
    )


@bp.route("/inloggen/tweestaps-instellen", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def totp_setup():
    """Set up two-step sign-in, which staff roles must use."""
    user = _pending_user()
    pending = session.get("pending_sign_in") or {}
    if user is None or "secret" not in pending:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.enable_totp(db.session, user=user, secret=pending["secret"], code=form.code.data)
        except services.AccountError as error:
            form.code.errors.append(str(error))
        else:
            return _finish_sign_in(user, form.next.data, form.kept.data)
    return _render_setup(user, pending["secret"], form.next.data, form.kept.data, form)


@bp.route("/uitloggen", methods=["POST"])
@signed_in
def logout():
    """Sign out."""
    form = ConfirmForm()
    if form.validate_on_submit():
        sign_out()
        flash(_("You are signed out."), "success")
    return redirect(url_for("home.index"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    """Ask for a link to choose a new password."""
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        valid_for = timedelta(minutes=settings().password_reset_minutes)
        created = services.request_password_reset(db.session, email=form.email.data, valid_for=valid_for)
        if created is not None:
            user, token = created
            queue_email(
                db.session,
                to=user.email,
                subject=_("Choose a new password"),
                template="email/password_reset.txt",
                user=user,
                link=settings().base_url + url_for("auth.reset_password", token=token),
                minutes=settings().password_reset_minutes,
            )
        # The same answer whether or not the address has an account.
        flash(
            _("If an account exists for %(email)s, we have sent it a link. "
              "The link works for %(minutes)d minutes.",
              email=form.email.data, minutes=settings().password_reset_minutes),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_form("auth/forgot_password.html", form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password with the e-mailed link."""
    if services.find_valid_reset(db.session, token) is None:
        return render_template("auth/link_invalid.html", kind="reset"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.complete_password_reset(db.session, token=token, password=form.password.data)
        sign_out()
        flash(_("Your password has been changed. You can sign in now."), "success")
        return redirect(url_for("auth.login"))
    return render_form("auth/reset_password.html", form)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Join an organisation with an e-mailed invitation."""
    invitation = services.find_open_invitation(db.session, token)
    if invitation is None:
        return render_template("auth/link_invalid.html", kind="invitation"), 404
    existing = services.find_user(db.session, invitation.email)
    if existing is not None:
        # Someone with an account joins by confirming while signed in as that account.
        form = ConfirmForm()
        signed_in_as_invitee = current_user.is_authenticated and current_user.id == existing.id
        if signed_in_as_invitee and form.validate_on_submit():
            services.accept_invitation(db.session, token=token, user=current_user)
            membership = next(m for m in current_user.memberships if m.organisation_id == invitation.organisation_id)
            session["membership_id"] = membership.id
            flash(_("You are now a member of %(org)s.", org=invitation.organisation.name), "success")
            return redirect(url_for("home.index"))
        return render_template(
            "auth/accept_existing.html",
            form=form,
            invitation=invitation,
            signed_in_as_invitee=signed_in_as_invitee,
        )
    form = AcceptInvitationForm(name=invitation.name)
    if form.validate_on_submit():
        user = services.accept_invitation(
            db.session, token=token, name=form.name.data, password=form.password.data
        )
        flash(_("Welcome! Your account has been created."), "success")
        if totp_required(user):
            session["pending_sign_in"] = {
                "user": user.id, "token": user.session_token, "at": time.time(),
                "secret": services.new_totp_secret(),
            }
            return redirect(url_for("auth.totp_setup"))
        return _finish_sign_in(user, None, None)
    return render_form("auth/accept_invitation.html", form, invitation=invitation)


@bp.route("/organisatie-wisselen", methods=["POST"])
@signed_in
def switch_organisation():
    """Act for another organisation the user is a member of."""
    form = SwitchOrganisationForm()
    form.set_memberships(current_user.memberships)
    if form.validate_on_submit():
        session["membership_id"] = form.membership.data
        chosen = next(m for m in current_user.memberships if m.id == form.membership.data)
        flash(_("You now act for %(org)s.", org=chosen.organisation.name), "success")
    return redirect(url_for("home.index"))


@bp.route("/taal", methods=["POST"])
@public
def set_language():
    """Switch the language of the portal."""
    form = LanguageForm()
    if form.validate_on_submit() and form.language.data in LANGUAGES:
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            services.set_locale(db.session, user=current_user, locale=form.language.data)
    return redirect(_safe_next(form.next.data))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    """See and change the own account."""
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(formdata=None)
    if form.validate_on_submit():
        services.update_profile(db.session, user=current_user, name=form.name.data, locale=form.locale.data)
        if form.locale.data:
            session["locale"] = form.locale.data
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_form(
        "auth/account.html", form, password_form=password_form, totp_required=totp_required(current_user)
    )


@bp.route("/account/wachtwoord", methods=["POST"])
@signed_in
def change_password():
    """Change the own password, which signs out every other session."""
    password_form = ChangePasswordForm()
    if password_form.validate_on_submit():
        if services.authenticate(db.session, email=current_user.email, password=password_form.current_password.data) is None:
            password_form.current_password.errors.append(_("Your current password is not right."))
        else:
            user = current_user._get_current_object()
            services.set_password(db.session, user=user, password=password_form.password.data, actor=user)
            sign_in(user, session.get("membership_id"))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    form = ProfileForm(formdata=None, obj=current_user)
    return (
        render_template(
            "auth/account.html", form=form, password_form=password_form,
            totp_required=totp_required(current_user),
        ),
        422,
    )


@bp.route("/account/tweestaps", methods=["GET", "POST"])
@signed_in
def account_totp():
    """Turn two-step sign-in on or off for the own account."""
    required = totp_required(current_user)
    if current_user.has_totp:
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                services.disable_totp(db.session, user=current_user, actor=current_user, required=required)
            except services.AccountError as error:
                flash(str(error), "error")
                return redirect(url_for("auth.account_totp"))
            session.pop("totp_setup_secret", None)
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("auth.account"))
        return render_template("auth/account_totp.html", form=form, required=required)
    secret = session.setdefault("totp_setup_secret", services.new_totp_secret())
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.enable_totp(db.session, user=current_user, secret=secret, code=form.code.data)
        except services.AccountError as error:
            form.code.errors.append(str(error))
        else:
            session.pop("totp_setup_secret", None)
            flash(_("Two-step sign-in is on."), "success")
            return redirect(url_for("auth.account"))
    if request.method == "POST" and not form.errors:
        abort(400)
    return (
        render_template(
            "auth/totp_setup.html", form=form, secret=secret,
            qr=services.totp_qr_data_uri(secret, current_user.email), during_sign_in=False,
        ),
        422 if form.errors else 200,
    )
