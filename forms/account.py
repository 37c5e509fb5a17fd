"""Forms for a person's own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from forms.auth import NewPasswordForm
from forms.fields import SelectField


class ProfileForm(FlaskForm):
    """Name and preferred language."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("Portal default (Dutch)")),
            SelectChoice("nl", "Nederlands"),
            SelectChoice("en", "English"),
        ],
    )
    submit = SubmitField(_l("Save"))


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one typed twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Change password"))
