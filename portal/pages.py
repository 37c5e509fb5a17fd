"""Small helpers every view uses to answer in the same way."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_wtf import FlaskForm

from portal.extensions import db


def render_form(template: str, form: FlaskForm, **context):
    """Render a page with a form; a form that failed validation answers 422 and keeps the input."""
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template(template, form=form, **context), status


def get_or_404(model, object_id: int, visible: bool | None = None):
    """Load an object by id; answer 404 when it does not exist or may not be seen."""
    obj = db.session.get(model, object_id)
    if obj is None or visible is False:
        abort(404)
    return obj
