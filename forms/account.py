"""Forms for a person's own account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from forms.validators import StrongPassword


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


class ChangePasswordForm(FlaskForm):
    """The current password and a new one, typed twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password.")), StrongPassword()],
        description=_l("At least 12 characters. A sentence of a few words works well."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))
