"""WTForms' choice fields with a quicker select list; every form imports its selects from here.

WTForms writes each option through ``html_params``, which sorts and formats its attributes through
``Markup.format``, and looks up the signature of ``render_option`` for every list it renders:
about 25 µs an option. The screening queue's four filter lists (about 30 options) took 1.2 ms
of its 15 ms, and the KPI pages' period lists a few tenths. An option without attributes of its
own is written here directly, with the same HTML; any other option still goes through WTForms.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import fields, widgets


class Select(widgets.Select):
    """WTForms' select list, writing plain options directly (``<option selected value="…">``)."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = " selected" if choice.selected else ""
        # A translated label (a lazy string) is translated once: asking whether it is empty, as
        # WTForms does (label or value), would translate it a second time.
        label = choice.label
        if label is None or (isinstance(label, str) and not label):
            label = choice.value
        return Markup(f'<option{selected} value="{escape(value)}">{escape(label)}</option>')

    @classmethod
    def _dispatch_render_option(cls):
        # WTForms inspects render_option's signature on every list, to adapt overrides written
        # for its older signature; this one has the current signature.
        return cls.render_option


class SelectField(fields.SelectField):
    """A single choice from a list."""

    widget = Select()


class SelectMultipleField(fields.SelectMultipleField):
    """Several choices from a list (a select list unless the form gives it another widget)."""

    widget = Select(multiple=True)
