"""The signed-in session: loading the user, the organisation they act for, and idle time-out."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal import resubmit
from portal.extensions import db, login_manager
from portal.kept import Kept, watch
from portal.models import Membership, Organisation, Role, User

_SESSION_KEYS_KEPT_ON_SIGN_IN = ("locale",)
#: How often a request notes when the person was last seen, for the idle time-out. Noting it at
#: every request gave every answer a newly signed session cookie (the cookie's lifetime is the
#: idle time, and is renewed with it); an idle session now ends up to this much earlier.
SEEN_EVERY_SECONDS = 60

#: Every request of a signed-in user needs the user, their memberships and the organisation of
#: each (the menu, the header, the access rules): one statement instead of three. The columns of
#: each kind of organisation (a provider's KvK number, a body's municipality) load when a page
#: first asks for them: joining all four kinds' tables into every request cost more than it saved.
_WITH_MEMBERSHIPS = joinedload(User.memberships).joinedload(Membership.organisation)

#: Accounts, memberships and the organisations they are in: who may sign in, in which roles and
#: for which organisations (a new round or product group does not count).
ACCOUNTS = "accounts"
watch(ACCOUNTS, User, Membership, Organisation)
#: The signed-in users with their memberships and organisations, kept until an account, a
#: membership or an organisation changes (portal.kept): reading them took a third of a kept
#: page's time. What is kept is a detached copy that no request uses or changes; each request
#: gets its own with ``merge(load=False)``, which asks the database nothing. A new password, a
#: deactivated account or a removed membership renews the token, so it counts at the next request.
_USERS = Kept("signed-in users", depends_on=(ACCOUNTS,), size=1024)


def _detached_user(user_id: int) -> User | None:
    """Read a user with their memberships and organisations, detached from every session."""
    with Session(bind=db.session.connection()) as reading:
        return reading.scalars(select(User).where(User.id == user_id).options(_WITH_MEMBERSHIPS)).unique().one_or_none()


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    kept = _USERS.computed(db.session, (int(user_id),), lambda: _detached_user(int(user_id)))
    if kept is None:
        return None
    user = db.session.merge(kept, load=False)
    if not user.active or user.session_token != token:
        return None
    return user


def settings():
    """Return the typed settings of the running application."""
    return current_app.config["PORTAL_SETTINGS"]


def totp_required(user: User) -> bool:
    """Tell whether this user must sign in with a second factor."""
    return settings().require_totp_for_staff and user.is_staff


def sign_in(user: User, membership_id: int | None = None) -> None:
    """Start a fresh session for the user (a new session stops session fixation)."""
    kept = {key: session[key] for key in _SESSION_KEYS_KEPT_ON_SIGN_IN if key in session}
    session.clear()
    session.update(kept)
    # The form token cached for this request belonged to the old session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    session.permanent = True
    login_user(user)
    session["membership_id"] = membership_id or (user.memberships[0].id if user.memberships else None)
    session["seen"] = int(time.time())


def sign_out() -> None:
    """End the session but keep the chosen language."""
    kept = {key: session[key] for key in _SESSION_KEYS_KEPT_ON_SIGN_IN if key in session}
    logout_user()
    session.clear()
    session.update(kept)


def active_membership() -> Membership | None:
    """Return the membership the signed-in user acts in now."""
    return g.get("membership")


def current_role() -> Role | None:
    """Return the role the signed-in user acts in now."""
    membership = active_membership()
    return membership.role if membership else None


def init_app(app: Flask) -> None:
    """Load the acting membership and end idle sessions before each request."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @app.before_request
    def _load_session_context():
        g.membership = None
        if request.endpoint == "static":
            return
        if current_user.is_authenticated:
            idle_limit = settings().session_idle_minutes * 60
            seen = session.get("seen", 0)
            if time.time() - seen > idle_limit:
                sign_out()
                flash(_("You were signed out because you were inactive for a while."), "info")
                return
            if time.time() - seen >= SEEN_EVERY_SECONDS:
                session["seen"] = int(time.time())
            memberships = current_user.memberships
            chosen = session.get("membership_id")
            g.membership = next((m for m in memberships if m.id == chosen), None) or (
                memberships[0] if memberships else None
            )

    @app.context_processor
    def _session_context():
        return {"membership": g.get("membership")}

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.method == "POST" and request.form:
            return sign_in_to_continue()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def sign_in_to_continue():
    """Ask for signing in again while keeping everything the person had typed."""
    from forms.auth import LoginForm

    target = request.full_path.rstrip("?")
    form = LoginForm(formdata=None, kept=resubmit.pack(target, resubmit.posted_fields()), next=target)
    return render_template("auth/login.html", form=form, kept_input=True), 401
