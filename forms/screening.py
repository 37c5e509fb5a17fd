"""Forms of screening: the queue's filters, verdicts, completion requests, decisions, resubmission."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.applications import APPLIES, DOES_NOT_APPLY
from forms.fields import SelectField
from forms.rounds import CheckboxesField
from portal.models.applications import STATEMENTS_BY_CODE

#: The two verdicts, as the form sends them.
ACCEPT, REJECT = "accept", "reject"
#: The two outcomes of a decision, as the form sends them.
ADMIT, REFUSE = "admitted", "rejected"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class QueueFilterForm(FlaskForm):
    """Narrow the screening queue; read from the query string."""

    class Meta:
        csrf = False

    round = SelectField(_l("Round"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    product_group = SelectField(_l("Product group"), validators=[Optional()])
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    provider = StringField(_l("Provider name"), validators=[Optional(), Length(max=200)], filters=[_strip])
    page = IntegerField(validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def set_choices(self, rounds, statuses, groups, municipalities) -> None:
        """Offer the region's rounds, the statuses, product groups and municipalities as (value, label) pairs."""
        anything = SelectChoice("", _l("All"))
        self.round.choices = [anything, *(SelectChoice(str(v), label) for v, label in rounds)]
        self.status.choices = [anything, *(SelectChoice(v, label) for v, label in statuses)]
        self.product_group.choices = [anything, *(SelectChoice(str(v), label) for v, label in groups)]
        self.municipality.choices = [anything, *(SelectChoice(str(v), label) for v, label in municipalities)]

    @staticmethod
    def number(value) -> int | None:
        """Turn a chosen id into a number, or None for "All"."""
        return int(value) if value and str(value).isdigit() else None


class TakeIntoReviewForm(FlaskForm):
    """Start screening a submitted application."""

    version = HiddenField()
    submit = SubmitField(_l("Take into review"))


class VerdictForm(FlaskForm):
    """Accept or reject one requirement; a reason is required when rejecting."""

    requirement = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    verdict = RadioField(
        _l("Verdict"),
        choices=[SelectChoice(ACCEPT, _l("Accept")), SelectChoice(REJECT, _l("Reject"))],
        validators=[InputRequired(_l("Choose accept or reject."))],
    )
    # No Optional(): it would stop the chain before validate_reason when the reason is empty.
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)], filters=[_strip],
                           description=_l("Required when you reject: what is wrong and what the provider must do."))
    submit = SubmitField(_l("Save the verdict"))

    def validate_reason(self, field) -> None:
        """Require a reason when rejecting."""
        from wtforms.validators import ValidationError

        if self.verdict.data == REJECT and not (field.data or "").strip():
            raise ValidationError(_l("Give a reason when you reject an item."))


class CompletionRequestForm(FlaskForm):
    """Name the rejected items the provider must complete, and the deadline."""

    requirements = CheckboxesField(_l("Rejected documents to complete"), validators=[Optional()])
    statements = CheckboxesField(_l("Statements of the self-declaration to answer again (optional)"),
                                 validators=[Optional()])
    deadline = DateField(_l("Deadline (date)"), format=["%Y-%m-%d", "%d-%m-%Y"],
                         validators=[InputRequired(_l("Enter the deadline as a date, for example 15-3-2027."))],
                         description=_l("The provider can resubmit until the end of this day (23:59, Dutch time)."))
    note = TextAreaField(_l("Message to the provider"), validators=[Optional(), Length(max=5000)], filters=[_strip])
    submit = SubmitField(_l("Send the completion request"))

    def set_choices(self, requirements: list[tuple[int, str]], statements: list[str]) -> None:
        """Offer the rejected requirements (id, name) and every statement code."""
        self.requirements.choices = [SelectChoice(str(i), label) for i, label in requirements]
        self.statements.choices = [SelectChoice(code, STATEMENTS_BY_CODE[code].text) for code in statements]


class ProposeForm(FlaskForm):
    """Propose the decision on one product group × municipality."""

    scope = HiddenField(validators=[DataRequired()])
    outcome = RadioField(
        _l("Decision"),
        choices=[SelectChoice(ADMIT, _l("Admit")), SelectChoice(REFUSE, _l("Reject"))],
        validators=[InputRequired(_l("Choose admit or reject."))],
    )
    reasons = TextAreaField(_l("Reasons"), validators=[Length(max=5000)], filters=[_strip],
                            description=_l("Required when you reject. The reasons appear in the decision letter."))
    submit = SubmitField(_l("Propose this decision"))

    def validate_reasons(self, field) -> None:
        """Require reasons when rejecting."""
        from wtforms.validators import ValidationError

        if self.outcome.data == REFUSE and not (field.data or "").strip():
            raise ValidationError(_l("Give the reasons for rejecting."))


class DecisionActionForm(FlaskForm):
    """Confirm or withdraw a proposed decision; carries the version the reviewer saw."""

    version = HiddenField()
    submit = SubmitField(_l("Confirm"))


class ResubmitForm(FlaskForm):
    """Send the completed items back to the reviewers."""

    version = HiddenField()
    submit = SubmitField(_l("Resubmit the items"))


class CompletionDocumentsForm(FlaskForm):
    """Per listed requirement the vault version to use; fields requirement-<id> are added by ``completion_form``."""

    submit = SubmitField(_l("Save the changes"))


def completion_form(options: dict[int, list[tuple[str, str]]], labels: dict[int, str], statements: list[str],
                    **kwargs) -> CompletionDocumentsForm:
    """Build the provider's completion form: a select per listed requirement, an answer per listed statement."""

    class Form(CompletionDocumentsForm):
        pass

    for requirement_id, choices in options.items():
        setattr(Form, f"requirement-{requirement_id}", SelectField(
            labels[requirement_id], validators=[Optional()],
            choices=[SelectChoice("", _l("— no document chosen yet —")), *(SelectChoice(v, label) for v, label in choices)],
        ))
    for code in statements:
        setattr(Form, f"applies-{code}", RadioField(
            STATEMENTS_BY_CODE[code].text,
            choices=[SelectChoice(APPLIES, _l("Applies to us")), SelectChoice(DOES_NOT_APPLY, _l("Does not apply to us"))],
            validators=[Optional()],
        ))
        setattr(Form, f"explanation-{code}", TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=5000)]))
    return Form(**kwargs)
