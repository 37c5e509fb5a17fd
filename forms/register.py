"""Forms of the admission register: the staff filters, changing an admission's status, and the
public search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from forms.fields import SelectField
from portal.models.register import AdmissionStatus

#: Each status in words, so that it never depends on colour.
STATUS_LABELS = {
    AdmissionStatus.ACTIVE: _l("Active"),
    AdmissionStatus.SUSPENDED: _l("Suspended"),
    AdmissionStatus.ENDED: _l("Ended"),
}

#: The status changes staff can make, by the value posted (see portal.register.services.ACTIONS).
ACTION_LABELS = {
    "suspend": _l("Suspend"),
    "reinstate": _l("Reinstate (make active again)"),
    "end": _l("End for good"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterFilterForm(FlaskForm):
    """Filter the staff register (sent with GET, so no CSRF token)."""

    class Meta:
        csrf = False

    municipality = SelectField(_l("Municipality"), coerce=int, validators=[Optional()])
    product_group = SelectField(_l("Product group"), coerce=int, validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=200)], filters=[_strip],
                           description=_l("Part of the name or the KvK number."))
    page = IntegerField(default=1, validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def set_choices(self, municipalities, groups) -> None:
        """Offer the region's municipalities, its rounds' product groups and the statuses."""
        self.municipality.choices = [SelectChoice(0, _l("All"))] + [SelectChoice(m.id, m.name) for m in municipalities]
        self.product_group.choices = [SelectChoice(0, _l("All"))] + [
            SelectChoice(g.id, f"{g.name} ({g.round.title})") for g in groups
        ]
        self.status.choices = [SelectChoice("", _l("All"))] + [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()]


class StatusChangeForm(FlaskForm):
    """Suspend, reinstate or end an admission, always with a reason."""

    action = SelectField(_l("Change"), choices=[SelectChoice(key, label) for key, label in ACTION_LABELS.items()],
                         validators=[DataRequired(_l("Choose what to do."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=2000)],
                           filters=[_strip],
                           description=_l("Your colleagues read this in the history of the admission."))
    version = HiddenField()
    submit = SubmitField(_l("Save the change"))

    def limit_to(self, keys: list[str]) -> None:
        """Offer only the changes possible from the admission's current status."""
        self.action.choices = [SelectChoice(key, label) for key, label in ACTION_LABELS.items() if key in keys]


class PublicSearchForm(FlaskForm):
    """Search the public register of a municipality (sent with GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search for a provider or type of care"), validators=[Optional(), Length(max=100)],
                    filters=[_strip], description=_l("For example a name, or a word like 'begeleiding'."))
    product = SelectField(_l("Type of care"), validators=[Optional()])
    submit = SubmitField(_l("Search"))

    def set_choices(self, products: list[str]) -> None:
        """Offer the product groups contracted in the municipality."""
        self.product.choices = [SelectChoice("", _l("All types of care"))] + [SelectChoice(name, name) for name in products]
