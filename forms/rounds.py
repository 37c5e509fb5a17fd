"""Forms for preparing and publishing rounds, and for the questions providers ask."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forms.fields import SelectField, SelectMultipleField
from portal.labels import LEGAL_FORM_LABELS, VALIDITY_RULE_LABELS
from portal.models import ValidityRule
from portal.models.rounds import DEFAULT_COMPLAINT_PERIOD_DAYS


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes, each option one box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RoundForm(FlaskForm):
    """The basic details of a round."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)], filters=[_strip],
                        description=_l("For example: Open House Jeugdhulp 2027."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                description=_l("What the round is about, in plain words."))
    contract_term = StringField(_l("Contract term"), validators=[Optional(), Length(max=300)], filters=[_strip],
                                description=_l("For example: 4 years, extendable twice by 2 years."))
    complaint_period_days = IntegerField(
        _l("Period for complaints (days)"), default=DEFAULT_COMPLAINT_PERIOD_DAYS,
        validators=[Optional(), NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365."))],
        description=_l("Days after the decision letter within which a provider may lodge a complaint."),
    )
    questions_open_on = DateField(_l("Questions can be asked from (date)"), validators=[Optional()])
    questions_close_on = DateField(_l("Questions can be asked until (date)"), validators=[Optional()],
                                   description=_l("Until 12:00 on that day."))
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def validate_questions_close_on(self, field) -> None:
        """Refuse a questions period that ends before it starts."""
        if field.data and self.questions_open_on.data and field.data <= self.questions_open_on.data:
            raise ValidationError(_l("The questions period must end after it starts."))


#: The time of day questions periods open and close.
QUESTIONS_OPEN_TIME = time(9, 0)
QUESTIONS_CLOSE_TIME = time(12, 0)


class ProductGroupForm(FlaskForm):
    """A product group (perceel)."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=20),
                                               Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, - or _."))],
                       filters=[_strip], description=_l("Short, for example BEH."))
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)], filters=[_strip])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Add product group"))


class MunicipalitiesForm(FlaskForm):
    """Which municipalities take part, and which product groups each keeps closed."""

    municipalities = CheckboxesField(_l("Municipalities that take part"), coerce=int)
    closed = CheckboxesField(_l("Closed product groups"))
    submit = SubmitField(_l("Save municipalities"))

    def set_choices(self, municipalities, groups) -> None:
        """Offer the region's municipalities and, per municipality, the round's product groups."""
        self.municipalities.choices = [SelectChoice(str(m.id), m.name) for m in municipalities]
        self.closed.choices = [SelectChoice(f"{m.id}:{g.id}", f"{m.name}: {g.name}") for m in municipalities for g in groups]

    def closed_by_municipality(self) -> dict[int, set[int]]:
        """Return {municipality id: closed product group ids} for the chosen municipalities."""
        chosen = {int(value) for value in self.municipalities.data or []}
        result: dict[int, set[int]] = {municipality_id: set() for municipality_id in chosen}
        for value in self.closed.data or []:
            municipality_id, group_id = (int(part) for part in value.split(":"))
            if municipality_id in result:
                result[municipality_id].add(group_id)
        return result


class WindowForm(FlaskForm):
    """An entry window."""

    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Enter the opening date."))])
    opens_time = TimeField(_l("at (time)"), default=time(9, 0), validators=[DataRequired(_l("Enter the opening time."))])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired(_l("Enter the closing date."))])
    closes_time = TimeField(_l("at (time)"), default=time(12, 0), validators=[DataRequired(_l("Enter the closing time."))])
    reason = TextAreaField(_l("Reason (for a published round)"), validators=[Optional(), Length(max=2000)],
                           description=_l("A new window in a published round is announced as an addendum with this reason."))
    submit = SubmitField(_l("Add entry window"))


class RequirementForm(FlaskForm):
    """A document the round asks for."""

    evidence_type = SelectField(_l("Document"), coerce=int)
    rule = SelectField(_l("Validity rule"), choices=[SelectChoice(rule.value, label) for rule, label in VALIDITY_RULE_LABELS.items()])
    max_age_days = IntegerField(_l("Maximum age in days"), validators=[Optional(), NumberRange(min=1, max=3650)],
                                description=_l("Only for the rule 'issued at most ... days before submission'."))
    financial_year = IntegerField(_l("Financial year"), validators=[Optional(), NumberRange(min=2000, max=2100)],
                                  description=_l("Only for the rule 'covers a financial year'."))
    legal_forms = CheckboxesField(_l("Applies to these legal forms"), choices=[SelectChoice(f.value, l) for f, l in LEGAL_FORM_LABELS.items()],
                                  description=_l("Tick none to ask it of every legal form."))
    product_groups = CheckboxesField(_l("Applies to these product groups"), coerce=int,
                                     description=_l("Tick none to ask it for every product group."))
    note = TextAreaField(_l("Note for providers (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add requirement"))

    def set_choices(self, catalogue, groups) -> None:
        """Offer the catalogue and the round's product groups."""
        self.evidence_type.choices = [SelectChoice(str(t.id), t.name) for t in catalogue]
        self.product_groups.choices = [SelectChoice(str(g.id), str(g)) for g in groups]

    def validate_max_age_days(self, field) -> None:
        """Require the maximum age with the max-age rule."""
        if self.rule.data == ValidityRule.MAX_AGE.value and not field.data:
            raise ValidationError(_l("Give the maximum age in days."))

    def validate_financial_year(self, field) -> None:
        """Require the year with the financial-year rule."""
        if self.rule.data == ValidityRule.FINANCIAL_YEAR.value and not field.data:
            raise ValidationError(_l("Give the financial year."))


class AdmissionDocumentForm(FlaskForm):
    """The admission document as PDF."""

    document = FileField(_l("Admission document (PDF)"), validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Upload"))


class PublishForm(FlaskForm):
    """Confirm publication."""

    version = HiddenField()
    submit = SubmitField(_l("Publish the round"))


class AddendumForm(FlaskForm):
    """A dated change to a published round."""

    text = TextAreaField(_l("What changes"), validators=[DataRequired(_l("Describe the change.")), Length(max=20000)])
    reason = TextAreaField(_l("Why"), validators=[DataRequired(_l("Give the reason.")), Length(max=5000)])
    submit = SubmitField(_l("Publish addendum"))


class QuestionForm(FlaskForm):
    """A provider's question about a round."""

    question = TextAreaField(_l("Your question"), validators=[DataRequired(_l("Write your question.")), Length(max=10000)],
                             description=_l("Questions and answers are published for all providers, without your name."))
    submit = SubmitField(_l("Send question"))


class AnswerForm(FlaskForm):
    """The published wording of a question and its answer."""

    published_question = TextAreaField(_l("Question as published"), validators=[DataRequired(_l("Enter the question.")), Length(max=10000)],
                                       description=_l("Remove anything that shows who asked."))
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Enter the answer.")), Length(max=20000)])
    version = HiddenField()
    submit = SubmitField(_l("Publish answer"))
