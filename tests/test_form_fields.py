"""The portal's select lists write the same HTML as WTForms' own, only sooner."""

from __future__ import annotations

import pytest
from wtforms import Form
from wtforms import fields as wtforms_fields
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm

from forms import fields

CHOICES = [
    SelectChoice("", "All"),
    SelectChoice(1, 'A "quoted" <b>name</b> & more'),
    SelectChoice(True, "yes"),
    SelectChoice("x", "Closed", render_kw={"disabled": True}),
    SelectChoice("2", None),
]
WTFORMS_SELECTS = (wtforms_fields.SelectField, wtforms_fields.SelectMultipleField)
GROUPS = [SelectChoice("a", "Ambulant", optgroup="Youth care"), SelectChoice("b", "Guardianship <GI>", optgroup="Protection")]


def _form(select, multiple):
    class Rendered(Form):
        plain = select(choices=CHOICES, default="2")
        unselected = select(choices=CHOICES)
        grouped = select(choices=GROUPS, default="b")
        several = multiple(choices=[SelectChoice(v, v.upper()) for v in "abc"], default=["a", "c"])

    return Rendered()


@pytest.mark.parametrize("name", ["plain", "unselected", "grouped", "several"])
def test_a_select_list_is_written_as_wtforms_writes_it(name):
    ours = getattr(_form(fields.SelectField, fields.SelectMultipleField), name)
    theirs = getattr(_form(wtforms_fields.SelectField, wtforms_fields.SelectMultipleField), name)

    assert str(ours(class_="field__input", required=True)) == str(theirs(class_="field__input", required=True))


def test_options_are_escaped_and_marked():
    html = str(_form(fields.SelectField, fields.SelectMultipleField).plain())

    assert '<option value="1">A &#34;quoted&#34; &lt;b&gt;name&lt;/b&gt; &amp; more</option>' in html
    assert '<option selected value="2">2</option>' in html
    assert '<option value="True">yes</option>' in html
    assert '<option disabled value="x">Closed</option>' in html
    assert "<b>" not in html


def test_every_form_takes_its_select_lists_from_the_portal():
    """A form that imports WTForms' select directly would bring the slow options back."""
    import importlib
    import pkgutil

    import forms

    slow, checked = [], 0
    for module_info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{module_info.name}")
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, BaseForm)):
                continue
            for field_name in dir(form):
                unbound = getattr(form, field_name)
                if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, wtforms_fields.SelectFieldBase):
                    checked += 1
                if isinstance(unbound, UnboundField) and unbound.field_class in WTFORMS_SELECTS:
                    slow.append(f"{module_info.name}.{form.__name__}.{field_name}")
    assert checked > 10
    assert slow == []


def test_a_translated_option_is_translated_once(app, monkeypatch):
    import flask_babel
    from flask_babel import lazy_gettext

    translated = []
    real = flask_babel.Domain.gettext
    monkeypatch.setattr(flask_babel.Domain, "gettext", lambda self, text, **v: translated.append(text) or real(self, text, **v))

    class Period(Form):
        quarter = fields.SelectField(choices=[SelectChoice("", lazy_gettext("Whole year")),
                                              SelectChoice("1", lazy_gettext("Quarter 1"))])

    with app.test_request_context("/"):
        html = str(Period().quarter())
    assert ">Heel jaar<" in html and ">Kwartaal 1<" in html
    assert sorted(translated) == ["Quarter 1", "Whole year"]
