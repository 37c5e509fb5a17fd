"""Forms for organisation profiles, locations, contacts and members."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, URL

from forms.fields import SelectField
from forms.validators import agb_code, kvk_number, normalise_digits, normalise_postcode, postcode
from portal.labels import LEGAL_FORM_LABELS, ROLE_LABELS
from portal.models import Role

def role_choices(roles) -> list[SelectChoice]:
    """Return the given roles as choices, administrators last so the default is least power."""
    ordered = sorted((role for role in Role if role in roles), key=lambda role: role.is_admin)
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in ordered]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ProviderProfileForm(FlaskForm):
    """The provider's registered details."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)], filters=[_strip])
    kvk_number = StringField(
        _l("KvK number"),
        validators=[DataRequired(_l("Enter the KvK number.")), kvk_number],
        filters=[normalise_digits],
        description=_l("8 digits, as on the extract of the Chamber of Commerce."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    agb_code = StringField(
        _l("AGB code (optional)"),
        validators=[Optional(), agb_code],
        filters=[normalise_digits],
        description=_l("8 digits, from the AGB register."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    legal_form = SelectField(
        _l("Legal form"),
        choices=[SelectChoice(form.value, label) for form, label in LEGAL_FORM_LABELS.items()],
        validators=[DataRequired()],
    )
    email = EmailField(
        _l("General e-mail address (optional)"),
        validators=[Optional(), Email(_l("Enter an e-mail address like name@example.org.")), Length(max=254)],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )
    phone = StringField(_l("Telephone (optional)"), validators=[Optional(), Length(max=40)], filters=[_strip], render_kw={"autocomplete": "tel"})
    website = URLField(
        _l("Website (optional)"),
        validators=[Optional(), URL(message=_l("Enter a web address like https://www.example.org.")), Length(max=200)],
        filters=[_strip],
        render_kw={"autocomplete": "url"},
    )
    version = HiddenField()
    submit = SubmitField(_l("Save profile"))


class LocationForm(FlaskForm):
    """A place where the provider delivers care."""

    name = StringField(_l("Name of the location"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)], filters=[_strip])
    address = StringField(_l("Street and number"), validators=[DataRequired(_l("Enter the street and number.")), Length(max=200)], filters=[_strip], render_kw={"autocomplete": "street-address"})
    postcode = StringField(_l("Postcode"), validators=[DataRequired(_l("Enter the postcode.")), postcode], filters=[normalise_postcode], render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("Town"), validators=[DataRequired(_l("Enter the town.")), Length(max=100)], filters=[_strip], render_kw={"autocomplete": "address-level2"})
    submit = SubmitField(_l("Add location"))


class ContactForm(FlaskForm):
    """A person the region can contact."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)], filters=[_strip])
    subject = StringField(_l("Contact for"), validators=[DataRequired(_l("Say what this person is the contact for.")), Length(max=100)], filters=[_strip], description=_l("For example: contract management, invoicing, quality."))
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter an e-mail address.")), Email(_l("Enter an e-mail address like name@example.org.")), Length(max=254)], filters=[_strip])
    phone = StringField(_l("Telephone (optional)"), validators=[Optional(), Length(max=40)], filters=[_strip])
    submit = SubmitField(_l("Add contact"))


class InviteForm(FlaskForm):
    """Invite someone to join the organisation."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200)], filters=[_strip])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter an e-mail address.")), Email(_l("Enter an e-mail address like name@example.org.")), Length(max=254)],
        filters=[lambda value: value.strip().lower() if value else value],
    )
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Send invitation"))

    def set_roles(self, roles) -> None:
        """Offer only the roles that exist for this organisation."""
        self.role.choices = role_choices(roles)


class ChangeRoleForm(FlaskForm):
    """Give a member another role."""

    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Change role"))

    def set_roles(self, roles) -> None:
        """Offer only the roles that exist for this organisation."""
        self.role.choices = role_choices(roles)


class RemoveMemberForm(FlaskForm):
    """End someone's membership, with a reason for the log."""

    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Remove from organisation"))


class ProviderSearchForm(FlaskForm):
    """Search the provider directory."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by name, KvK number or AGB code"), validators=[Optional(), Length(max=100)])
    page = IntegerField(default=1, validators=[Optional()])
    submit = SubmitField(_l("Search"))
