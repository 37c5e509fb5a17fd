"""Forms for the consultation analysis: points, themes, reactions, the reactienota and publishing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from consultations.analysis.labels import DISPOSITION_LABELS
from consultations.models import Disposition
from forms.fields import SelectField, SelectMultipleField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes, each option one box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionForm(FlaskForm):
    """A button that changes something seen in a given version (CSRF and the version only)."""

    version = HiddenField(filters=[_version])
    submit = SubmitField(_l("Confirm"))


class PointTextForm(FlaskForm):
    """Change the words of a point."""

    text = TextAreaField(_l("Text of the point"), validators=[DataRequired(_l("A point needs words."))],
                         filters=[_strip])
    version = HiddenField(filters=[_version])
    submit = SubmitField(_l("Save the text"))


class SplitPointForm(FlaskForm):
    """Split a point in two where given words start."""

    second_part = StringField(
        _l("The words where the second point starts"),
        description=_l("Copy the first few words of the part that should become a point of its own."),
        validators=[DataRequired(_l("Give the words where the second point starts.")), Length(max=300)],
        filters=[_strip],
    )
    version = HiddenField(filters=[_version])
    submit = SubmitField(_l("Split"))


class CodeForm(FlaskForm):
    """Give a point its theme and any secondary themes."""

    theme = SelectField(_l("Theme"), coerce=int, validators=[InputRequired(_l("Choose a theme."))])
    secondary = CheckboxesField(_l("Secondary themes (optional)"), coerce=int, validators=[Optional()])
    version = HiddenField(filters=[_version])
    submit = SubmitField(_l("Save the theme"))

    def set_choices(self, themes) -> None:
        """Offer the consultation's themes."""
        self.theme.choices = [SelectChoice(t.id, t.label) for t in themes]
        self.secondary.choices = [SelectChoice(t.id, t.label) for t in themes]


class ThemeForm(FlaskForm):
    """Add a theme to the codebook."""

    key = StringField(
        _l("Key"), description=_l("Short and stable, e.g. wachttijden: lower-case letters, digits and hyphens."),
        validators=[DataRequired(_l("Give a key.")),
                    Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$", message=_l("Use lower-case letters, digits and hyphens (at most 40)."))],
        filters=[_strip],
    )
    label = StringField(_l("Name"), validators=[DataRequired(_l("Give a name.")), Length(max=200)], filters=[_strip])
    description = TextAreaField(_l("What belongs under this theme (optional)"), validators=[Optional(), Length(max=2000)],
                                filters=[_strip])
    submit = SubmitField(_l("Add the theme"))


class ThemeEditForm(FlaskForm):
    """Rename a theme or change its description."""

    label = StringField(_l("Name"), validators=[DataRequired(_l("Give a name.")), Length(max=200)], filters=[_strip])
    description = TextAreaField(_l("What belongs under this theme (optional)"), validators=[Optional(), Length(max=2000)],
                                filters=[_strip])
    submit = SubmitField(_l("Save the theme"))


class MergeThemeForm(FlaskForm):
    """Move all points of a theme to another one."""

    target = SelectField(_l("Merge into"), coerce=int, validators=[InputRequired(_l("Choose a theme."))])
    submit = SubmitField(_l("Merge"))


class ProposalForm(FlaskForm):
    """Accept a proposed theme, possibly under another name."""

    key = StringField(
        _l("Key"), validators=[DataRequired(_l("Give a key.")),
                               Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$", message=_l("Use lower-case letters, digits and hyphens (at most 40)."))],
        filters=[_strip],
    )
    label = StringField(_l("Name"), validators=[DataRequired(_l("Give a name.")), Length(max=200)], filters=[_strip])
    points = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Accept this theme"))


class ProposeForm(FlaskForm):
    """How many themes to propose at most (a search form: no CSRF needed)."""

    class Meta:
        csrf = False

    max_themes = IntegerField(_l("At most this many themes"), validators=[Optional(), NumberRange(min=1, max=50)])
    submit = SubmitField(_l("Propose themes"))


class ReactionForm(FlaskForm):
    """Write the region's reaction to a point."""

    reaction = TextAreaField(_l("Reaction"), validators=[DataRequired(_l("Write the reaction to the point."))],
                             filters=[_strip])
    disposition = RadioField(
        _l("What was done with the point"),
        choices=[SelectChoice(d.value, DISPOSITION_LABELS[d]) for d in Disposition],
        validators=[InputRequired(_l("Choose what was done with the point."))],
    )
    reason = TextAreaField(_l("Why the point is not adopted"),
                           description=_l("Required when the point is not adopted."),
                           validators=[Optional()], filters=[_strip])
    owner = SelectField(_l("Responsible"), coerce=int, validators=[Optional()])
    version = HiddenField(filters=[_version])
    submit = SubmitField(_l("Save the reaction"))

    def validate_reason(self, field) -> None:
        """Require a reason with the disposition not adopted."""
        from wtforms.validators import ValidationError

        if self.disposition.data == Disposition.NOT_ADOPTED.value and not field.data:
            raise ValidationError(_l("Say why the point is not adopted."))


class PublishForm(FlaskForm):
    """Put the public page online after checking the preview."""

    checked = BooleanField(_l("I checked this preview, including the masked personal data"),
                           validators=[DataRequired(_l("Confirm that you checked the preview."))])
    submit = SubmitField(_l("Publish"))
