"""Forms for consultations: staff set-up, formal views, meetings, and the reaction form of every respondent."""

from __future__ import annotations

import secrets
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from consultations.models import AGREEMENT_CHOICES, SCALE_CHOICES, Audience, QuestionKind
from forms.fields import SelectField
from forms.rounds import CheckboxesField

#: The longest answer to one question, in characters. Long letters from councils must fit
#: (at least 50,000); the database column is unlimited text and the request limits allow this.
ANSWER_MAX_LENGTH = 100_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


AUDIENCE_LABELS = {
    Audience.GEMEENTERAAD: _l("Municipal councils"),
    Audience.ADVIESRAAD: _l("Advisory boards"),
    Audience.CLIENTENRAAD: _l("Client councils"),
    Audience.ERVARINGSDESKUNDIGE: _l("Experts by experience"),
    Audience.ZORGAANBIEDER: _l("Care providers"),
    Audience.INWONER: _l("Residents"),
}

KIND_LABELS = {
    QuestionKind.OPEN: _l("Open question (text)"),
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.AGREEMENT: _l("Agree / partly agree / disagree / no opinion"),
    QuestionKind.SCALE: _l("Scale from 1 to 5"),
}

AGREEMENT_LABELS = {
    "eens": _l("Agree"),
    "deels eens": _l("Partly agree"),
    "oneens": _l("Disagree"),
    "geen mening": _l("No opinion"),
}


class ConsultationForm(FlaskForm):
    """The details of a consultation."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)], filters=[_strip],
                        description=_l("For example: Draft procurement framework youth care 2027."))
    summary = TextAreaField(_l("Summary in plain language"), validators=[DataRequired(_l("Write a short summary.")), Length(max=20000)],
                            description=_l("Explain in plain words (language level B1) what the draft is about and what you ask."))
    audiences = CheckboxesField(_l("Who do you ask to react?"),
                                choices=[SelectChoice(a.value, label) for a, label in AUDIENCE_LABELS.items()])
    municipalities = CheckboxesField(_l("Municipalities that take part"), coerce=int,
                                     description=_l("Tick none when the whole region takes part."))
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Enter the opening date."))])
    opens_time = TimeField(_l("at (time)"), default=time(9, 0), validators=[DataRequired(_l("Enter the opening time."))])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired(_l("Enter the closing date."))])
    closes_time = TimeField(_l("at (time)"), default=time(17, 0), validators=[DataRequired(_l("Enter the closing time."))],
                            description=_l("Dutch time (Europe/Amsterdam)."))
    publish_reactions = BooleanField(_l("The reactions will be published after the close"))
    names_need_consent = BooleanField(_l("Publish names only when the respondent agreed"), default=True)
    residents_may_react = BooleanField(_l("Residents may react through a public link"))
    fingerprint = HiddenField()
    submit = SubmitField(_l("Save"))

    def set_choices(self, municipalities) -> None:
        """Offer the region's municipalities."""
        self.municipalities.choices = [SelectChoice(str(m.id), m.name) for m in municipalities]

    def validate_audiences(self, field) -> None:
        """Require at least one audience."""
        if not field.data:
            raise ValidationError(_l("Tick at least one audience."))


class QuestionForm(FlaskForm):
    """A question of the consultation."""

    key = StringField(_l("Key"), validators=[DataRequired(_l("Enter a key.")), Length(max=40)], filters=[_strip],
                      description=_l("Short and unique, for example q4. Used in exports."))
    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    text = TextAreaField(_l("Question"), validators=[DataRequired(_l("Enter the question.")), Length(max=5000)])
    plain_text = TextAreaField(_l("The same question for young people (optional)"), validators=[Optional(), Length(max=5000)],
                               description=_l("Plain words, addressing the reader as 'je'. Shown to experts by experience and residents."))
    options = TextAreaField(_l("Options (only for single and multiple choice)"), validators=[Optional(), Length(max=5000)],
                            description=_l("One option per line."))
    submit = SubmitField(_l("Add question"))

    def option_list(self) -> list[str]:
        """Return the options, one per non-empty line."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]


class DocumentForm(FlaskForm):
    """A version of a draft document (PDF)."""

    title = StringField(_l("Document title"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)], filters=[_strip])
    version = StringField(_l("Version"), validators=[DataRequired(_l("Enter a version.")), Length(max=40)], filters=[_strip],
                          description=_l("For example 0.9 or 2026-09-01."))
    document = FileField(_l("Document (PDF)"))
    submit = SubmitField(_l("Add document"))


class InviteForm(FlaskForm):
    """A personal link for someone without an account."""

    audience = SelectField(_l("Reacts as"))
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=200)], filters=[_strip])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter an e-mail address.")),
                                                         Email(_l("Enter a valid e-mail address.")), Length(max=254)],
                       filters=[_strip], description=_l("The personal link is sent to this address."))
    anonymous_allowed = BooleanField(_l("May react anonymously"), default=True)
    submit = SubmitField(_l("Send personal link"))

    def set_choices(self, audiences) -> None:
        """Offer the consultation's audiences."""
        self.audience.choices = [SelectChoice(a.value, AUDIENCE_LABELS[a]) for a in audiences]


class ConfirmActionForm(FlaskForm):
    """A button that confirms an action (publish, invite bodies, remind)."""

    submit = SubmitField(_l("Confirm"))


class FormalViewForm(FlaskForm):
    """Ask a council for its formal view by a deadline."""

    body = SelectField(_l("Council"), coerce=int)
    deadline_on = DateField(_l("Deadline (date)"), validators=[DataRequired(_l("Enter the deadline."))])
    deadline_time = TimeField(_l("at (time)"), default=time(17, 0), validators=[DataRequired(_l("Enter the time."))])
    submit = SubmitField(_l("Expect a formal view"))

    def set_choices(self, councils) -> None:
        """Offer the region's councils."""
        self.body.choices = [SelectChoice(str(b.id), b.name) for b in councils]


class ReceivedViewForm(FlaskForm):
    """Record that a council's formal view arrived, with its decision letter."""

    received_on = DateField(_l("Received on"), validators=[DataRequired(_l("Enter the date of receipt."))])
    received_time = TimeField(_l("at (time)"), default=time(12, 0), validators=[DataRequired(_l("Enter the time."))])
    summary = TextAreaField(_l("Short summary (optional)"), validators=[Optional(), Length(max=20000)])
    letter = FileField(_l("Decision letter of the council (PDF)"))
    submit = SubmitField(_l("Record the formal view"))


class RemindCouncilsForm(FlaskForm):
    """Remind councils whose deadline is near."""

    within_days = IntegerField(_l("Remind councils whose deadline is within (days)"), default=14,
                               validators=[DataRequired(_l("Enter a number of days.")), NumberRange(min=1, max=365)])
    submit = SubmitField(_l("Send reminders"))


class MeetingForm(FlaskForm):
    """An information evening or other meeting."""

    title = StringField(_l("What meeting"), validators=[DataRequired(_l("Enter a title.")), Length(max=300)], filters=[_strip],
                        description=_l("For example: Information evening for council members."))
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    held_time = TimeField(_l("at (time)"), default=time(19, 30), validators=[DataRequired(_l("Enter the time."))])
    audience = SelectField(_l("For"), choices=[SelectChoice(a.value, label) for a, label in AUDIENCE_LABELS.items()])
    attendees = IntegerField(_l("Number of attendees"), validators=[DataRequired(_l("Enter the number of attendees.")),
                                                                    NumberRange(min=0, max=100000)])
    submit = SubmitField(_l("Record meeting"))


class MeetingQuestionForm(FlaskForm):
    """A question asked at a meeting."""

    question = TextAreaField(_l("Question asked"), validators=[DataRequired(_l("Enter the question.")), Length(max=20000)])
    answer = TextAreaField(_l("Answer given (optional)"), validators=[Optional(), Length(max=20000)])
    follow_up = TextAreaField(_l("Follow-up promised (optional)"), validators=[Optional(), Length(max=5000)])
    follow_up_owner = StringField(_l("Who does the follow-up"), validators=[Optional(), Length(max=200)], filters=[_strip])
    submit = SubmitField(_l("Add question"))

    def validate_follow_up(self, field) -> None:
        """Require an owner for a follow-up."""
        if (field.data or "").strip() and not (self.follow_up_owner.data or "").strip():
            raise ValidationError(_l("Say who does the follow-up."))


# The reaction form ------------------------------------------------------------------------------


class ReactionForm(FlaskForm):
    """The answers of one reaction; the question fields are added per consultation by reaction_form()."""

    version = HiddenField()
    attachment = FileField(_l("Attach a letter (PDF, optional)"))
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Save and submit"))


class InvitedReactionForm(ReactionForm):
    """A reaction through a personal link: a name or anonymous."""

    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)], filters=[_strip])
    anonymous = BooleanField(_l("React anonymously (without your name)"))
    publish_name = BooleanField(_l("My name may be published with my reaction"))
    save = SubmitField(_l("Save my answers"))
    send = SubmitField(_l("Send my reaction"))


class ResidentReactionForm(ReactionForm):
    """A resident's reaction through the public link, with a honeypot field for robots."""

    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)], filters=[_strip])
    email = EmailField(_l("E-mail address (optional)"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
                       filters=[_strip], description=_l("Then you get a copy of your answers."))
    municipality = SelectField(_l("Where do you live? (optional)"), coerce=int, validators=[Optional()])
    anonymous = BooleanField(_l("React anonymously (without your name)"))
    publish_name = BooleanField(_l("My name may be published with my reaction"))
    send = SubmitField(_l("Send my reaction"))
    #: Hidden from people; robots fill it in.
    website = StringField(_l("Leave this field empty"))
    #: A one-time key made when the form is shown: the same form sent twice is kept once.
    submission_key = HiddenField(default=lambda: secrets.token_urlsafe(24), validators=[Optional(), Length(max=64)])

    def set_choices(self, municipalities) -> None:
        """Offer the region's municipalities."""
        self.municipality.choices = [SelectChoice("0", _l("I would rather not say"))] + [
            SelectChoice(str(m.id), m.name) for m in municipalities
        ]


def choice_field_name(question) -> str:
    """Return the form field name of a question's choice."""
    return f"q{question.id}"


def text_field_name(question) -> str:
    """Return the form field name of a question's text."""
    return f"q{question.id}_text"


def reaction_form(base: type[ReactionForm], questions, *, youth: bool = False, **kwargs) -> ReactionForm:
    """Build the reaction form for these questions; youth uses the plain wording when given."""

    class Form(base):
        pass

    for question in questions:
        label = (question.plain_text if youth and question.plain_text else question.text)
        if question.kind is QuestionKind.OPEN:
            setattr(Form, text_field_name(question), TextAreaField(
                label, validators=[Optional(), Length(max=ANSWER_MAX_LENGTH)]))
            continue
        if question.kind is QuestionKind.AGREEMENT:
            choices = [SelectChoice(value, AGREEMENT_LABELS[value]) for value in AGREEMENT_CHOICES]
        elif question.kind is QuestionKind.SCALE:
            choices = [SelectChoice(value, value) for value in SCALE_CHOICES]
        else:
            choices = [SelectChoice(option, option) for option in question.options]
        field_class = CheckboxesField if question.kind is QuestionKind.MULTIPLE else RadioField
        setattr(Form, choice_field_name(question), field_class(label, choices=choices, validators=[Optional()]))
        setattr(Form, text_field_name(question), TextAreaField(
            _l("Explanation (optional)"), validators=[Optional(), Length(max=ANSWER_MAX_LENGTH)]))
    return Form(**kwargs)
