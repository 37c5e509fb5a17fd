"""The provider's evidence vault: the documents, their versions, uploading and withdrawing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.evidence import UploadForm, WithdrawForm
from portal.access import roles
from portal.evidence import vault
from portal.extensions import db
from portal.files.inspection import UploadRejected
from portal.files.services import download_response
from portal.models import (
    PROVIDER_ROLES,
    STAFF_ROLES,
    EvidenceDocument,
    EvidenceType,
    Provider,
    Role,
)
from portal.pages import get_or_404, render_form

bp = Blueprint("evidence", __name__)

#: Members see and download the provider's documents; only administrators change them.
MANAGERS = (Role.PROVIDER_ADMIN,)


@bp.app_template_global("evidence_type_name")
def evidence_type_name(evidence_type: EvidenceType) -> str:
    """Name a catalogue type in the user's language."""
    return vault.type_name(evidence_type)


@bp.app_template_global("evidence_status_label")
def evidence_status_label(status: vault.Status) -> str:
    """Say a document's status in words."""
    return str(vault.STATUS_LABELS[vault.Status(status)])


def _provider() -> Provider:
    return g.membership.organisation


def _document(document_id: int) -> EvidenceDocument:
    """Load a document the current member may see; another provider's is a 404."""
    document = get_or_404(EvidenceDocument, document_id)
    if not vault.can_see(g.membership, document):
        abort(404)
    return document


@bp.route("/bewijsstukken")
@roles(PROVIDER_ROLES)
def index():
    """List the provider's current documents with their status, and what is not there yet."""
    provider = _provider()
    today = vault.today()
    documents = vault.current_documents(db.session, provider, on=today)
    present = {item.document.evidence_type_id for item in documents}
    return render_template(
        "evidence/index.html",
        provider=provider,
        documents=documents,
        missing=[t for t in vault.catalogue(db.session) if t.id not in present],
        today=today,
        lead_days=vault.DEFAULT_LEAD_DAYS,
        can_manage=vault.can_manage(g.membership, provider),
    )


def _validate_upload(form: UploadForm, types: list[EvidenceType]) -> bool:
    """Validate the form and, for the chosen kind, its dates, so every problem shows at once."""
    valid = form.validate_on_submit()
    evidence_type = next((t for t in types if t.code == form.evidence_type.data), None)
    date_fields = (form.issue_date, form.expiry_date, form.financial_year)
    if request.method == "POST" and evidence_type is not None and not any(f.errors for f in date_fields):
        problems = vault.check_details(
            evidence_type, issue_date=form.issue_date.data, expiry_date=form.expiry_date.data,
            financial_year=form.financial_year.data, on=vault.today(),
        )
        for name, message in problems.items():
            form[name].errors.append(message)
        valid = valid and not problems
    return valid


@bp.route("/bewijsstukken/toevoegen", methods=["GET", "POST"])
@roles(MANAGERS)
def upload():
    """Upload a document, or a new version of one, to the vault."""
    provider = _provider()
    types = vault.catalogue(db.session)
    form = UploadForm()
    form.set_types(types, vault.type_name)
    if request.method == "GET":
        form.evidence_type.data = request.args.get("soort", "")
        form.financial_year.data = request.args.get("jaar", type=int)
    if _validate_upload(form, types):
        evidence_type = next(t for t in types if t.code == form.evidence_type.data)
        upload = form.document.data
        try:
            document = vault.upload_document(
                db.session,
                provider=provider,
                evidence_type=evidence_type,
                stream=upload.stream,
                filename=upload.filename,
                issue_date=form.issue_date.data,
                expiry_date=form.expiry_date.data,
                issuer=form.issuer.data,
                financial_year=form.financial_year.data,
                actor=current_user,
                on=vault.today(),
            )
        except vault.InvalidDetails as invalid:
            for name, message in invalid.errors.items():
                form[name].errors.append(message)
        except UploadRejected as refused:
            form.document.errors.append(str(refused))
        except vault.VaultError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("%(name)s has been uploaded as version %(version)d.",
                    name=vault.type_name(evidence_type), version=document.version), "success")
            return redirect(url_for("evidence.document", document_id=document.id))
    return render_form("evidence/upload.html", form, types=types, rule_of=vault.rule_of)


@bp.route("/bewijsstukken/<int:document_id>")
@roles(PROVIDER_ROLES)
def document(document_id: int):
    """Show a document with all versions of its line."""
    document = _document(document_id)
    today = vault.today()
    versions = vault.versions_of(db.session, document)
    current = vault.standing(next((v for v in versions if not v.is_withdrawn), versions[0]), today,
                             versions=len(versions))
    return render_template(
        "evidence/document.html",
        document=document,
        current=current,
        versions=[vault.standing(v, today) for v in versions],
        today=today,
        can_manage=vault.can_manage(g.membership, document.provider),
    )


@bp.route("/bewijsstukken/<int:document_id>/bestand")
@roles(PROVIDER_ROLES | STAFF_ROLES)
def download(document_id: int):
    """Send a version's file as a download to its provider's members, and to the screening staff
    of a region it was submitted to."""
    return download_response(_document(document_id).stored_file)


@bp.route("/bewijsstukken/<int:document_id>/intrekken", methods=["GET", "POST"])
@roles(MANAGERS)
def withdraw(document_id: int):
    """Ask for confirmation, then withdraw a version."""
    document = _document(document_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            vault.withdraw(db.session, document=document, actor=current_user, reason=form.reason.data)
        except vault.VaultError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Version %(version)d has been withdrawn.", version=document.version), "success")
            return redirect(url_for("evidence.document", document_id=document.id))
    return render_form("evidence/withdraw.html", form, document=document)
