"""The answers to a choice question as an accessible SVG chart, drawn like the KPI charts."""

from __future__ import annotations

from itertools import count

from flask_babel import gettext as _
from markupsafe import Markup

from consultations.analysis.summaries import Distribution
from portal.kpi.charts import bar_chart
from portal.kpi.dashboards import Kind

_ids = count(1)


def distribution_chart(distribution: Distribution) -> Markup:
    """Return bars with how often each option was chosen over all audiences (the table has the split)."""
    question = distribution.question
    points = [(option, distribution.total(option), Kind.COUNT) for option in distribution.options]
    title = _("Answers to %(key)s: %(text)s", key=question.key, text=question.text)
    description = "; ".join(f"{option}: {number}" for option, number, _kind in points) or _("No answers yet.")
    return bar_chart(f"answers-{question.id}-{next(_ids)}", title, description, points)
