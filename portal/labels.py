"""How the portal's codes read to people, in the user's language."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l

from portal.kpi.importer import ImportStep, Reason
from portal.models import BodyKind, ImportStatus, KpiImport, KpiImportProblem, LegalForm, Role, ValidityRule

ROLE_LABELS = {
    Role.PROVIDER_ADMIN: _l("Provider administrator"),
    Role.PROVIDER_MEMBER: _l("Provider staff member"),
    Role.REGION_ADMIN: _l("Region administrator"),
    Role.BUYER: _l("Buyer"),
    Role.REVIEWER: _l("Reviewer"),
    Role.POLICY_OFFICER: _l("Policy officer"),
    Role.CONTRACT_MANAGER: _l("Contract manager"),
    Role.AUDITOR: _l("Auditor (read only)"),
    Role.BODY_MEMBER: _l("Member"),
}

LEGAL_FORM_LABELS = {
    LegalForm.EENMANSZAAK: _l("Sole trader (eenmanszaak)"),
    LegalForm.VOF: _l("General partnership (vof)"),
    LegalForm.MAATSCHAP: _l("Partnership (maatschap)"),
    LegalForm.BV: _l("Private company (bv)"),
    LegalForm.NV: _l("Public company (nv)"),
    LegalForm.STICHTING: _l("Foundation (stichting)"),
    LegalForm.VERENIGING: _l("Association (vereniging)"),
    LegalForm.COOPERATIE: _l("Cooperative (coöperatie)"),
}

BODY_KIND_LABELS = {
    BodyKind.GEMEENTERAAD: _l("Municipal council"),
    BodyKind.ADVIESRAAD: _l("Advisory board for the social domain"),
    BodyKind.CLIENTENRAAD: _l("Client council"),
    BodyKind.ERVARINGSDESKUNDIGENPANEL: _l("Panel of experts by experience"),
    BodyKind.OTHER: _l("Other body"),
}


VALIDITY_RULE_LABELS = {
    ValidityRule.MAX_AGE: _l("Issued at most a number of days before submission"),
    ValidityRule.EXPIRY_DATE: _l("Not expired on the submission date"),
    ValidityRule.FINANCIAL_YEAR: _l("Covers a given financial year"),
    ValidityRule.NONE: _l("No time limit"),
}


def euro(amount: Decimal | int | float | None, cents: bool = True) -> str:
    """Write an amount of money as people of the user's language read it: € 1.234,50 in Dutch."""
    if amount is None:
        return "–"
    return "€\u00a0" + format_decimal(amount, format="#,##0.00" if cents else "#,##0")


IMPORT_STATUS_LABELS = {
    ImportStatus.RUNNING: _l("Running"),
    ImportStatus.SUCCEEDED: _l("Finished"),
    ImportStatus.FAILED: _l("Failed, nothing changed"),
}
#: A run that still says "running" but whose process has gone (portal.kpi.uploads.stalled).
IMPORT_STOPPED_LABEL = _l("Stopped, nothing changed")

IMPORT_STEP_LABELS = {
    ImportStep.READ_TRAJECTORIES: _l("Reading and checking the trajectories"),
    ImportStep.SAVE_TRAJECTORIES: _l("Saving the trajectories"),
    ImportStep.READ_CLAIMS: _l("Reading and checking the claims"),
    ImportStep.SAVE_CLAIMS: _l("Saving the claims"),
    ImportStep.SUMMARISE: _l("Calculating the figures for the dashboards"),
}


def import_problem_reason(problem: KpiImportProblem) -> str:
    """Return why an imported row was rejected, in the reader's language."""
    if problem.reason_template is None:
        return problem.reason
    return Reason.from_stored(problem.reason_template, problem.reason_values).translated(gettext)


def import_failure_reason(entry: KpiImport) -> str | None:
    """Return why an import failed, in the reader's language."""
    if entry.error_template is None:
        return entry.error
    return Reason.from_stored(entry.error_template, entry.error_values).translated(gettext)


def init_app(app: Flask) -> None:
    """Let templates turn codes into words."""
    labels = {
        "role_label": lambda role: ROLE_LABELS[Role(role)],
        "legal_form_label": lambda form: LEGAL_FORM_LABELS[LegalForm(form)],
        "body_kind_label": lambda kind: BODY_KIND_LABELS[BodyKind(kind)],
        "validity_rule_label": lambda rule: VALIDITY_RULE_LABELS[ValidityRule(rule)],
        "import_status_label": lambda status, stopped=False: (
            IMPORT_STOPPED_LABEL if stopped else IMPORT_STATUS_LABELS[ImportStatus(status)]
        ),
        "import_step_label": lambda step: IMPORT_STEP_LABELS[ImportStep(step)],
        "import_problem_reason": import_problem_reason,
        "import_failure_reason": import_failure_reason,
        "euro": euro,
    }
    # Usable both as functions and as filters (e.g. in map()).
    app.jinja_env.globals.update(labels)
    app.jinja_env.filters.update(labels)
