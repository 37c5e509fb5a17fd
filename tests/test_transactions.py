"""One request, one transaction — on SQLite too, where savepoints used to commit early."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Provider


def test_a_released_savepoint_is_undone_with_its_transaction(app, world):
    before = db.session.scalar(select(func.count(Provider.id)))
    db.session.commit()
    db.session.scalar(select(func.count(Provider.id)))  # a read first, as pages do
    with db.session.begin_nested():
        db.session.add(Provider(name="Tijdelijk BV", kvk_number="55555555", legal_form="bv"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Provider.id))) == before

