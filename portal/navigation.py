"""The main menu: each item shows only to those whose role may open it."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.models import PROVIDER_ROLES

#: (endpoint, label[, roles]) in menu order; the access rule on each view decides who sees it,
#: and an entry with roles shows only to those roles (for public pages meant for some).
MENU = [
    ("home.index", _l("Start")),
    ("organisations.profile", _l("My organisation")),
    ("organisations.members", _l("Members")),
    ("evidence.index", _l("Evidence")),
    ("organisations.municipalities", _l("Municipalities and bodies")),
    ("organisations.providers", _l("Providers")),
    ("rounds.index", _l("Admission rounds")),
    ("screening.queue", _l("Screening")),
    ("rounds.public_index", _l("Open House"), PROVIDER_ROLES),
    ("applications.index", _l("Applications"), PROVIDER_ROLES),
    ("register.index", _l("Admission register")),
    ("register.mine", _l("Our admissions")),
    ("governance.index", _l("Governance and WNT")),
    ("governance.matrix", _l("Governance matrix")),
    ("consultations.index", _l("Consultations")),
    ("consultations.my_consultations", _l("Consultations to react to")),
    ("analysis.consultations", _l("Consultation analysis")),
    ("kpi.provider", _l("Our KPIs")),
    ("kpi.municipality", _l("Youth-care market")),
    ("kpi.council", _l("Youth care in figures")),
    ("kpi.imports", _l("Import care data")),
    ("kpi.settings", _l("KPI settings")),
    ("admin.audit_log", _l("Audit log")),
    ("admin.outbox", _l("Outgoing mail")),
]


def may_visit(endpoint: str) -> bool:
    """Tell whether the current user's role passes the access rule of an endpoint."""
    view = current_app.view_functions.get(endpoint)
    rule = getattr(view, "access", None)
    if rule is None:
        return False
    if rule.kind == "public":
        return True
    if not current_user.is_authenticated:
        return False
    if rule.kind == "signed_in":
        return True
    return rule.admits(g.get("membership"))


def _menu_for(membership) -> list[tuple[str, object]]:
    """Return the (endpoint, label) of the menu entries this membership may open."""
    settings = current_app.config["PORTAL_SETTINGS"]
    entries = []
    for endpoint, label, *only_for in MENU:
        if endpoint == "admin.outbox" and settings.mail_transport != "outbox":
            continue
        if only_for and (membership is None or membership.role not in only_for[0]):
            continue
        if may_visit(endpoint):
            entries.append((endpoint, label))
    return entries


def menu_items() -> list[dict]:
    """Return the menu for the current user, marking the page they are on."""
    if not current_user.is_authenticated:
        return []
    membership = g.get("membership")
    # The access rules admit by role and kind of organisation: the menu of each pair is worked
    # out once per application (two dozen rules for every page took a tenth of its layout).
    key = (membership.role, membership.organisation.kind) if membership else None
    menus = current_app.extensions.setdefault("menus", {})
    entries = menus.get(key)
    if entries is None:
        entries = menus[key] = _menu_for(membership)
    return [{"endpoint": endpoint, "label": label, "current": request.endpoint == endpoint}
            for endpoint, label in entries]


def init_app(app: Flask) -> None:
    """Make the menu and the access check available in templates."""

    @app.context_processor
    def _navigation():
        return {"menu_items": menu_items, "may_visit": may_visit}
