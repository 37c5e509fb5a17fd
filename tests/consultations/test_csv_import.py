"""Reactions kept in a spreadsheet are imported whole, or not at all with every bad row named."""

from __future__ import annotations

from sqlalchemy import func, select

from consultations.models import Audience, Response, ResponseStatus
from portal.extensions import db

GOOD = (
    "respondent;audience;municipality;q1;q2;q3\n"
    "Adviesraad Eendorp;adviesraad;Eendorp;Eens;deels eens;\"Meer aandacht voor\nwachttijden.\"\n"
    "Jongerenpanel;ervaringsdeskundige;;oneens;;Luister naar ons.\n"
    "\n"
)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["consultations", *args])


def test_a_spreadsheet_of_reactions_is_imported(app, world, consultation, tmp_path):
    path = tmp_path / "reacties.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    result = run(app, "import-csv", str(consultation.id), str(path))
    assert result.exit_code == 0, result.output
    reactions = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [(r.ref, r.respondent, r.audience, r.status) for r in reactions] == [
        ("r-1", "Adviesraad Eendorp", Audience.ADVIESRAAD, ResponseStatus.SUBMITTED),
        ("r-2", "Jongerenpanel", Audience.ERVARINGSDESKUNDIGE, ResponseStatus.SUBMITTED)]
    assert {a.question.key: (a.choice, a.text) for a in reactions[0].answers} == {
        "q1": ("eens", None), "q2": ("deels eens", None), "q3": (None, "Meer aandacht voor\nwachttijden.")}
    assert reactions[0].municipality_id == world.municipality.id and reactions[1].municipality_id is None


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(app, world, consultation, tmp_path):
    path = tmp_path / "reacties.csv"
    path.write_text(GOOD + "Wethouder;wethouder;Eendorp;eens;;\nRaad;gemeenteraad;Nergenshuizen;misschien;;\n")
    result = run(app, "import-csv", str(consultation.id), str(path))
    assert result.exit_code != 0
    assert 'line 6: unknown audience "wethouder"' in result.output
    assert 'line 7: unknown municipality "Nergenshuizen"; q1: "misschien" is not a valid answer' in result.output
    assert "2 problem(s) found; nothing was imported" in result.output
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_an_unknown_column_is_refused(app, world, consultation, tmp_path):
    path = tmp_path / "reacties.csv"
    path.write_text("respondent,audience,municipality,q1,q7\nRaad,gemeenteraad,,eens,x\n")
    result = run(app, "import-csv", str(consultation.id), str(path))
    assert result.exit_code != 0 and 'line 1: unknown column "q7"' in result.output
