"""Forms for the evidence vault: upload a document, withdraw a version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from forms.fields import SelectField

#: Dates as the browser's date picker sends them, and as people type them without one.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UploadForm(FlaskForm):
    """A document for the vault: its kind, dates, issuer and the file."""

    evidence_type = SelectField(
        _l("Kind of document"),
        validators=[DataRequired(_l("Choose the kind of document."))],
    )
    issue_date = DateField(
        _l("Date of issue"),
        format=DATE_FORMATS,
        validators=[Optional()],
        invalid_value_message=_l("Enter the date of issue as a date, for example 15-3-2026."),
        description=_l("The date on the document, for example 15-3-2026. Needed for documents that are valid for a number of days."),
    )
    expiry_date = DateField(
        _l("Expiry date (if the document has one)"),
        format=DATE_FORMATS,
        validators=[Optional()],
        invalid_value_message=_l("Enter the expiry date as a date, for example 31-12-2027."),
        description=_l("The last day the document is valid, for example 31-12-2027. Needed for insurance policies, certificates and registrations."),
    )
    issuer = StringField(
        _l("Issued by"),
        validators=[DataRequired(_l("Enter who issued the document.")), Length(max=200)],
        filters=[_strip],
        description=_l("For example: Justis, Kamer van Koophandel, Belastingdienst or the insurer."),
    )
    financial_year = IntegerField(
        _l("Financial year (only for annual accounts, WNT and governance statements)"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the financial year as four digits, for example 2025."),
        description=_l("The year the document covers, for example 2025."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    document = FileField(
        _l("The file"),
        validators=[FileRequired(_l("Choose the file to upload."))],
        description=_l("PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) or OpenDocument (ODT)."),
    )
    submit = SubmitField(_l("Upload document"))

    def set_types(self, types, name) -> None:
        """Offer the catalogue's types by code, named in the user's language."""
        self.evidence_type.choices = [SelectChoice("", _l("Choose a kind of document"))] + [
            SelectChoice(evidence_type.code, name(evidence_type)) for evidence_type in types
        ]


class WithdrawForm(FlaskForm):
    """Confirm withdrawing a version, with an optional reason for the log."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For example: the wrong file was uploaded."),
    )
    submit = SubmitField(_l("Withdraw this version"))
