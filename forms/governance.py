"""Forms for governance and WNT: the declaration, its parts, the CSV import, reviews, maxima and caps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forms.fields import SelectField
from forms.rounds import CheckboxesField
from forms.validators import is_kvk_number, normalise_digits
from portal.models.governance import PRINCIPLES, EntityKind, ReviewVerdict, SupervisorRole, TransactionKind, WntFunction

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
YES, NO = "yes", "no"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _yes_no(label):
    return RadioField(label, choices=[SelectChoice(YES, _l("Yes")), SelectChoice(NO, _l("No"))], validators=[Optional()])


def yes_no_value(field) -> bool | None:
    """Return True, False or None (not answered) for a yes/no radio field."""
    return {YES: True, NO: False}.get(field.data)


def _money(label, required=False, minimum=None, description=None):
    validators = [DataRequired(_l("Enter an amount in euros."))] if required else [Optional()]
    if minimum is not None:
        validators.append(NumberRange(min=minimum, message=_l("The amount cannot be negative.")))
    return DecimalField(label, places=2, validators=validators, description=description,
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})


def _points(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=1, max=15, message=_l("Give 1 to 15 points."))],
                        render_kw={"inputmode": "numeric"})


class StartForm(FlaskForm):
    """Start the declaration of a financial year."""

    year = IntegerField(_l("Financial year"), validators=[DataRequired(_l("Enter the financial year, for example 2024.")),
                                                          NumberRange(min=2013, max=2100, message=_l("Enter a year from 2013."))])
    submit = SubmitField(_l("Start the declaration"))


class DeclarationForm(FlaskForm):
    """The declaration's main part; per principle fields applied_<n>, explanation_<n> and documents_<n>."""

    management_supervision_separated = _yes_no(_l("Are management and supervision separated?"))
    separation_note = TextAreaField(_l("How are they separated, or why not?"), filters=[_strip],
                                    validators=[Length(max=5000)])
    has_client_council = _yes_no(_l("Do you have a client council?"))
    client_council_note = TextAreaField(_l("How do you hear your clients?"), filters=[_strip], validators=[Length(max=5000)])
    revenue = _money(_l("Revenue (euros)"), description=_l("Total income of the financial year."))
    result = _money(_l("Result (euros)"), description=_l("Profit of the year; a loss is negative."))
    profit_distributed = _money(_l("Profit distributed (euros)"), minimum=0,
                                description=_l("Paid out to owners or shareholders; 0 when nothing was paid out."))
    points_knowledge = _points(_l("Points for knowledge intensity"))
    points_tasks = _points(_l("Points for the number of tasks"))
    points_funding = _points(_l("Points for the number of funding sources"))
    points_turnover = _points(_l("Points for turnover"))
    class_reasoning = TextAreaField(_l("Why did the supervisory board give these points?"), filters=[_strip],
                                    validators=[Length(max=5000)])
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def set_documents(self, documents) -> None:
        """Offer the provider's own vault documents as evidence for each principle."""
        choices = [SelectChoice(str(d.id), f"{d.evidence_type.name} v{d.version}") for d in documents]
        for number in PRINCIPLES:
            self[f"documents_{number}"].choices = choices


for _number, _name in PRINCIPLES.items():
    setattr(DeclarationForm, f"applied_{_number}", RadioField(
        _name, choices=[SelectChoice(YES, _l("Applied")), SelectChoice(NO, _l("Not applied, explained"))],
        validators=[Optional()],
    ))
    setattr(DeclarationForm, f"explanation_{_number}", TextAreaField(
        _l("Explanation (required when not applied)"), filters=[_strip], validators=[Length(max=5000)],
    ))
    setattr(DeclarationForm, f"documents_{_number}", CheckboxesField(_l("Evidence from your vault"), choices=[],
                                                                    validate_choice=True))


class SupervisorForm(FlaskForm):
    """A member of the supervisory body."""

    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(SupervisorRole.CHAIR.value, _l("Chair")),
                                            SelectChoice(SupervisorRole.MEMBER.value, _l("Member"))])
    start_date = DateField(_l("Start of the term"), format=DATE_FORMATS,
                           validators=[DataRequired(_l("Enter the start of the term, for example 1-1-2023."))])
    term_end = DateField(_l("End of the term"), format=DATE_FORMATS,
                         validators=[DataRequired(_l("Enter the end of the term, for example 31-12-2026."))])
    reappointments = IntegerField(_l("Times reappointed"), default=0,
                                  validators=[NumberRange(min=0, max=10, message=_l("Enter 0 to 10."))])
    submit = SubmitField(_l("Add member"))


class EntityForm(FlaskForm):
    """An entity or ultimate beneficial owner in the group structure."""

    entity_name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    kind = SelectField(_l("Relation"), choices=[
        SelectChoice(EntityKind.PARENT.value, _l("Owner or parent company")),
        SelectChoice(EntityKind.SUBSIDIARY.value, _l("Subsidiary")),
        SelectChoice(EntityKind.SISTER.value, _l("Sister company")),
        SelectChoice(EntityKind.UBO.value, _l("Ultimate beneficial owner (person)")),
    ])
    kvk_number = StringField(_l("KvK number (companies)"), filters=[normalise_digits],
                             description=_l("Eight digits; leave empty for a person."))
    ownership_percent = DecimalField(_l("Ownership (percent)"), places=2, validators=[
        DataRequired(_l("Enter the ownership share, for example 100.")),
        NumberRange(min=0, max=100, message=_l("Enter 0 to 100."))])
    submit = SubmitField(_l("Add to the group structure"))

    def validate_kvk_number(self, field) -> None:
        if field.data and not is_kvk_number(field.data):
            raise ValidationError(_l("A KvK number has eight digits."))


class TransactionForm(FlaskForm):
    """A related-party transaction."""

    counterparty = StringField(_l("Related party"), filters=[_strip],
                               validators=[DataRequired(_l("Enter the related party.")), Length(max=200)])
    transaction_kind = SelectField(_l("Kind"), choices=[
        SelectChoice(TransactionKind.REAL_ESTATE.value, _l("Real estate (rent, purchase)")),
        SelectChoice(TransactionKind.MANAGEMENT_FEE.value, _l("Management fee")),
        SelectChoice(TransactionKind.SERVICES.value, _l("Services")),
        SelectChoice(TransactionKind.LOAN.value, _l("Loan")),
    ])
    amount = _money(_l("Amount over the year (euros)"), required=True, minimum=0)
    arms_length = TextAreaField(_l("Why is the price at arm's length?"), filters=[_strip],
                                validators=[DataRequired(_l("Explain why the price is at arm's length.")), Length(max=5000)])
    submit = SubmitField(_l("Add transaction"))


class StatementForm(FlaskForm):
    """The WNT statement of one top official."""

    official_name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(_l("Enter the name.")), Length(max=200)])
    position = StringField(_l("Position"), filters=[_strip],
                           validators=[DataRequired(_l("Enter the position.")), Length(max=200)])
    function = SelectField(_l("Kind of official"), choices=[
        SelectChoice(WntFunction.EXECUTIVE.value, _l("Executive")),
        SelectChoice(WntFunction.SUPERVISORY_CHAIR.value, _l("Chair of the supervisory board")),
        SelectChoice(WntFunction.SUPERVISORY_MEMBER.value, _l("Member of the supervisory board")),
    ])
    start_date = DateField(_l("First day in office in the year"), format=DATE_FORMATS,
                           validators=[DataRequired(_l("Enter the first day, for example 1-1-2024."))])
    end_date = DateField(_l("Last day in office in the year"), format=DATE_FORMATS,
                         validators=[DataRequired(_l("Enter the last day, for example 31-12-2024."))])
    part_time_factor = DecimalField(_l("Part-time factor"), places=4, default=1,
                                    description=_l("Contract hours divided by full-time hours, for example 0.8."),
                                    validators=[DataRequired(_l("Enter the part-time factor, for example 0.8.")),
                                                NumberRange(min=0.0001, max=2, message=_l("Enter a factor above 0, at most 2."))])
    employed = _yes_no(_l("Employed (in dienstbetrekking)?"))
    pay = _money(_l("Pay: salary and taxable allowances (euros)"), required=True, minimum=0)
    deferred_pay = _money(_l("Deferred pay (euros)"), minimum=0, description=_l("Pension contributions and the like."))
    being_recovered = _yes_no(_l("Is the amount above the maximum being recovered?"))
    explanation = TextAreaField(_l("Explanation (required when the maximum is exceeded)"), filters=[_strip],
                                validators=[Length(max=5000)])
    submit = SubmitField(_l("Add statement"))


class ImportForm(FlaskForm):
    """A CSV file of WNT statements."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("One row per top official; see the format description."))
    submit = SubmitField(_l("Import"))


class SubmitDeclarationForm(FlaskForm):
    """Submit the declaration."""

    version = HiddenField()
    submit = SubmitField(_l("Submit the declaration"))


class VerdictForm(FlaskForm):
    """A reviewer's verdict and findings."""

    verdict = SelectField(_l("Verdict"), choices=[
        SelectChoice(ReviewVerdict.OPEN.value, _l("Not judged yet")),
        SelectChoice(ReviewVerdict.IN_ORDER.value, _l("In order")),
        SelectChoice(ReviewVerdict.QUESTIONS.value, _l("Questions for the provider")),
        SelectChoice(ReviewVerdict.NOT_IN_ORDER.value, _l("Not in order")),
    ])
    note = TextAreaField(_l("Findings for the provider"), filters=[_strip], validators=[Length(max=5000)],
                         description=_l("Required unless the declaration is in order. The provider reads this."))
    version = HiddenField()
    submit = SubmitField(_l("Save verdict"))


class ResponseForm(FlaskForm):
    """The provider's response to a region's findings."""

    text = TextAreaField(_l("Your response"), filters=[_strip],
                         validators=[DataRequired(_l("Write your response.")), Length(max=5000)])
    submit = SubmitField(_l("Send response"))


class MaximaForm(FlaskForm):
    """The published WNT maxima of a new year."""

    year = IntegerField(_l("Year"), validators=[DataRequired(_l("Enter the year, for example 2026.")),
                                                NumberRange(min=2013, max=2100, message=_l("Enter a year from 2013."))])
    amount_I = _money(_l("Class I (euros)"), minimum=1)
    amount_II = _money(_l("Class II (euros)"), minimum=1)
    amount_III = _money(_l("Class III (euros)"), minimum=1)
    amount_IV = _money(_l("Class IV (euros)"), minimum=1)
    amount_V = _money(_l("Class V / general maximum (euros)"), minimum=1)
    source = StringField(_l("Source"), filters=[_strip], description=_l("Where the figures are published, e.g. the Staatscourant issue."),
                         validators=[DataRequired(_l("Say where the figures come from.")), Length(max=300)])
    submit = SubmitField(_l("Add maxima"))


class CapForm(FlaskForm):
    """A round's profit cap."""

    max_margin_percent = DecimalField(_l("Maximum margin (percent)"), places=2,
                                      description=_l("Result divided by revenue; leave empty for no maximum."),
                                      validators=[Optional(), NumberRange(min=0, max=100, message=_l("Enter 0 to 100."))])
    groups = CheckboxesField(_l("Product groups without profit distribution"), choices=[], validate_choice=True)
    version = HiddenField()
    submit = SubmitField(_l("Save profit cap"))
