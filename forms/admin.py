"""Forms for the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError


class AuditFilterForm(FlaskForm):
    """Filter the audit log (sent with GET, so no CSRF token)."""

    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[Optional(), Length(max=80)], description=_l("For example: user.signed_in or provider."))
    actor = StringField(_l("Who"), validators=[Optional(), Length(max=200)], description=_l("Part of a name or e-mail address."))
    object_type = StringField(_l("Kind of object"), validators=[Optional(), Length(max=50)])
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("Up to and including (date)"), validators=[Optional()])
    page = IntegerField(default=1, validators=[Optional()])
    submit = SubmitField(_l("Filter"))

    def validate_date_to(self, field) -> None:
        """Refuse a period that ends before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
