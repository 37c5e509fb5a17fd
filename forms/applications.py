"""Forms of the application wizard: scope, self-declaration, subcontractors, evidence, submit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from forms.fields import SelectField
from forms.rounds import CheckboxesField
from portal.models.applications import STATEMENTS, PartnerRole

#: The two answers to a statement, as the form sends them.
APPLIES, DOES_NOT_APPLY = "yes", "no"

PARTNER_ROLE_LABELS = {
    PartnerRole.SUBCONTRACTOR: _l("Subcontractor"),
    PartnerRole.COMBINATION_PARTNER: _l("Combination partner"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StartForm(FlaskForm):
    """Start (or open) the application to a round."""

    submit = SubmitField(_l("Start an application"))


class ScopeForm(FlaskForm):
    """The product groups × municipalities applied for, as "municipality id:group id" values."""

    scopes = CheckboxesField(_l("Product groups and municipalities"))
    version = HiddenField()
    submit = SubmitField(_l("Save and continue"))

    def set_choices(self, pairs: set[tuple[int, int]]) -> None:
        """Offer only the pairs the round offers."""
        self.scopes.choices = [SelectChoice(f"{m}:{g}", f"{m}:{g}") for m, g in sorted(pairs)]

    def chosen_pairs(self) -> set[tuple[int, int]]:
        """Return the ticked (municipality id, product group id) pairs."""
        return {tuple(int(part) for part in value.split(":")) for value in self.scopes.data or []}


class DeclarationForm(FlaskForm):
    """The self-declaration: per statement "applies to us" or not, and an explanation.

    Fields are named applies-<code> and explanation-<code>, added per statement below.
    """

    version = HiddenField()
    submit = SubmitField(_l("Save and continue"))

    def answers(self) -> dict[str, tuple[bool | None, str]]:
        """Return {statement code: (applies, explanation)}; None where not answered."""
        result = {}
        for statement in STATEMENTS:
            value = self[f"applies-{statement.code}"].data
            applies = {APPLIES: True, DOES_NOT_APPLY: False}.get(value)
            result[statement.code] = (applies, self[f"explanation-{statement.code}"].data or "")
        return result


for _statement in STATEMENTS:
    setattr(DeclarationForm, f"applies-{_statement.code}", RadioField(
        _statement.text,
        choices=[SelectChoice(APPLIES, _l("Applies to us")), SelectChoice(DOES_NOT_APPLY, _l("Does not apply to us"))],
        validators=[Optional()],
    ))
    setattr(DeclarationForm, f"explanation-{_statement.code}", TextAreaField(
        _l("Explanation"), validators=[Optional(), Length(max=5000)],
    ))


class SubcontractorForm(FlaskForm):
    """A subcontractor or combination partner."""

    name = StringField(_l("Company name"), validators=[DataRequired(_l("Enter the company name.")), Length(max=200)],
                       filters=[_strip])
    kvk_number = StringField(_l("KvK number"), validators=[DataRequired(_l("Enter the KvK number.")),
                                                           Regexp(r"^\d{8}$", message=_l("A KvK number has 8 digits."))],
                             filters=[_strip], description=_l("8 digits."))
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in PARTNER_ROLE_LABELS.items()])
    share_percent = IntegerField(_l("Share of the work (percent)"),
                                 validators=[DataRequired(_l("Enter the share of the work.")),
                                             NumberRange(min=1, max=100, message=_l("Enter a percentage from 1 to 100."))])
    submit = SubmitField(_l("Add company"))


class EvidenceForm(FlaskForm):
    """Per requirement the vault version to use; fields requirement-<id> are added by ``evidence_form``."""

    version = HiddenField()
    submit = SubmitField(_l("Save and continue"))

    def choices_by_requirement(self, requirement_ids) -> dict[int, int | None]:
        """Return {requirement id: chosen document id or None}."""
        result = {}
        for requirement_id in requirement_ids:
            value = self[f"requirement-{requirement_id}"].data
            result[requirement_id] = int(value) if value else None
        return result


def evidence_form(options: dict[int, list[tuple[str, str]]], labels: dict[int, str], **kwargs) -> EvidenceForm:
    """Build the evidence form with a select per requirement id, offering (document id, label) options."""

    class Form(EvidenceForm):
        pass

    for requirement_id, choices in options.items():
        setattr(Form, f"requirement-{requirement_id}", SelectField(
            labels[requirement_id], validators=[Optional()],
            choices=[SelectChoice("", _l("— no document chosen yet —")), *(SelectChoice(v, label) for v, label in choices)],
        ))
    return Form(**kwargs)


class SubmitApplicationForm(FlaskForm):
    """Submit the application; carries the version the person checked."""

    version = HiddenField()
    submit = SubmitField(_l("Submit the application"))
