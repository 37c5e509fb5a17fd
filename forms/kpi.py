"""Forms for the KPI pages: the period and filters (GET, no CSRF), the region's settings and the
upload of care data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from forms.fields import SelectField

QUARTER_CHOICES = [
    SelectChoice("", _l("Whole year")),
    SelectChoice("1", _l("Quarter 1")),
    SelectChoice("2", _l("Quarter 2")),
    SelectChoice("3", _l("Quarter 3")),
    SelectChoice("4", _l("Quarter 4")),
]


class _GetForm(FlaskForm):
    """A form read from the query string: bookmarkable, so it carries no CSRF token."""

    class Meta:
        csrf = False


class YearForm(_GetForm):
    """Which year to show."""

    year = SelectField(_l("Year"), name="jaar", coerce=int, validate_choice=False)

    def set_years(self, years: list[int], default: int) -> None:
        """Offer the years that have data, newest first; fall back to the default year."""
        self.year.choices = [SelectChoice(year, str(year)) for year in sorted(years, reverse=True) or [default]]
        if self.year.data not in {choice.value for choice in self.year.choices}:
            self.year.data = default

    @property
    def quarter_number(self) -> int | None:
        """Return None: this form chooses whole years only."""
        return None


class PeriodForm(YearForm):
    """Which year or quarter to show."""

    quarter = SelectField(_l("Period"), name="kwartaal", choices=QUARTER_CHOICES, default="")

    def set_years(self, years: list[int], default: int) -> None:
        """Offer the years with data and keep the quarter only when it is one of the four."""
        super().set_years(years, default)
        if self.quarter.data not in {choice.value for choice in QUARTER_CHOICES}:
            self.quarter.data = ""

    @property
    def quarter_number(self) -> int | None:
        """Return the chosen quarter, or None for the whole year."""
        return int(self.quarter.data) if self.quarter.data else None


class ProviderDashboardForm(PeriodForm):
    """The provider's dashboard: period and the region to compare with."""

    region = SelectField(_l("Region"), name="regio", coerce=str)


class MunicipalityDashboardForm(PeriodForm):
    """The market view: period, municipality, product group and signal thresholds."""

    municipality = SelectField(_l("Municipality"), name="gemeente", coerce=str, default="")
    product_group = SelectField(_l("Product group"), name="productgroep", coerce=str, default="")
    growth = IntegerField(
        _l("Growth signal from (%)"),
        name="groei",
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Spend or clients growing faster than this against the previous period."),
    )
    mix_points = IntegerField(
        _l("Shift to expensive products from (percentage points)"),
        name="verschuiving",
        validators=[Optional(), NumberRange(min=1, max=100)],
        default=5,
    )


class KpiSettingsForm(FlaskForm):
    """The region's KPI settings (posted, with CSRF)."""

    scoreboard_public = BooleanField(
        _l("Publish the scoreboard"),
        description=_l("Anyone can then see drop-out, satisfaction and goal attainment per provider."),
    )
    growth_threshold = IntegerField(
        _l("Growth signal from (%)"),
        validators=[InputRequired(_l("Enter a percentage.")), NumberRange(min=1, max=1000)],
    )
    submit = SubmitField(_l("Save"))


class KpiImportForm(FlaskForm):
    """The two CSV files of a care-data import."""

    trajectories = FileField(
        _l("Trajectories (trajectories.csv)"),
        validators=[FileRequired(_l("Choose the file with the trajectories."))],
        description=_l("One row per trajectory, with the columns described below."),
        render_kw={"accept": ".csv,text/csv"},
    )
    claims = FileField(
        _l("Claims (claims.csv)"),
        validators=[FileRequired(_l("Choose the file with the claims."))],
        description=_l("One row per trajectory and month, with the amount granted."),
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Import the files"))
