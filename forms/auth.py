"""Forms for signing in, resetting a password, accepting an invitation and two-factor login."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from forms.fields import SelectField
from forms.validators import StrongPassword


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if value else value


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        filters=[_lower],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    kept = HiddenField()
    submit = SubmitField(_l("Sign in"))


class TotpForm(FlaskForm):
    """The six-digit code from an authenticator app."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[
            DataRequired(_l("Enter the 6-digit code.")),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )
    next = HiddenField()
    kept = HiddenField()
    submit = SubmitField(_l("Confirm"))


class PasswordResetRequestForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address like name@example.org.")),
            Length(max=254),
        ],
        filters=[_lower],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    """Choose a new password, typed twice."""

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
    submit = SubmitField(_l("Save password"))


class AcceptInvitationForm(NewPasswordForm):
    """A new member sets their name and password."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    submit = SubmitField(_l("Create my account"))


class SwitchOrganisationForm(FlaskForm):
    """Pick which organisation to act for."""

    membership = SelectField(_l("Organisation"), coerce=int)
    submit = SubmitField(_l("Switch"))

    def set_memberships(self, memberships) -> None:
        """Offer the user's own memberships, and nothing else."""
        self.membership.choices = [SelectChoice(str(m.id), m.organisation.name) for m in memberships]


class LanguageForm(FlaskForm):
    """The language switch in the page header."""

    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """An empty form that only carries the CSRF token, for buttons that change something."""

    submit = SubmitField(_l("Confirm"))
