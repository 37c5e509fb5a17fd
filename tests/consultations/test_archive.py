"""The archive: import, export and import again without losing or changing anything."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from consultations import archive, services
from consultations.archive import ArchiveError
from consultations.models import Consultation, Point, Response
from consultations.services import AnswerInput
from portal.extensions import db
from portal.models import AuditEvent

LONG_TEXT = ("Wij vragen aandacht voor de positie van pleegouders en gezinshuizen. " * 800)[:52_000]

#: The example of issue 5, in a region whose municipality is Eendorp.
EXAMPLE = {
    "format": "consultation-archive/1",
    "consultation": {
        "title": "Concept inkoopkader 2025", "summary": "Wat vindt u van het nieuwe inkoopkader?",
        "opens": "2024-08-01T09:00:00+02:00", "closes": "2024-09-15T17:00:00+02:00",
        "audiences": ["gemeenteraad", "adviesraad", "zorgaanbieder"],
        "questions": [{"key": "q1", "text": "Welke punten wilt u meegeven?", "kind": "open"},
                      {"key": "q2", "text": "Kunt u zich vinden in de koers?", "kind": "agreement"}],
    },
    "themes": [{"key": "kwaliteit", "label": "Kwaliteit", "description": "Kwaliteit van zorg"}],
    "responses": [
        {"ref": "r-17", "respondent": "Gemeenteraad Eendorp", "audience": "gemeenteraad", "municipality": "Eendorp",
         "submitted": "2024-09-10T12:00:00+02:00",
         "answers": [{"question": "q2", "choice": "deels eens", "text": "Zorgen over de tarieven."},
                     {"question": "q1", "text": LONG_TEXT,
                      "points": [{"ref": "p-1", "text": "Pleegouders", "theme": "kwaliteit",
                                  "reaction": "We nemen dit mee.", "disposition": "noted"}]}]},
        {"ref": "r-3", "respondent": "Aanbieder Een", "audience": "zorgaanbieder",
         "submitted": "2024-09-01T08:30:00Z", "answers": [{"question": "q2", "choice": "eens"}]},
    ],
}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["consultations", *args])


def write(tmp_path, document, name="archief.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, ensure_ascii=False, indent=1))
    return str(path)


def test_the_round_trip_gives_identical_documents_and_keeps_refs(app, world, tmp_path):
    imported = run(app, "import", write(tmp_path, EXAMPLE), "--region", "R1")
    assert imported.exit_code == 0, imported.output
    first_id = int(imported.output.strip().splitlines()[-1])
    first_export = run(app, "export", str(first_id))
    assert first_export.exit_code == 0, first_export.output

    again = run(app, "import", write(tmp_path, first_export.output, "export.json"), "--region", "R1")
    second_id = int(again.output.strip().splitlines()[-1])
    second_export = run(app, "export", str(second_id))

    assert second_id != first_id
    assert second_export.output == first_export.output
    document = json.loads(first_export.output)
    assert [r["ref"] for r in document["responses"]] == ["r-3", "r-17"]  # by submission moment
    council = document["responses"][1]
    assert council["submitted"] == "2024-09-10T12:00:00+02:00" and council["municipality"] == "Eendorp"
    assert [a["question"] for a in council["answers"]] == ["q1", "q2"]  # in question order
    assert council["answers"][0]["text"] == LONG_TEXT and len(LONG_TEXT) == 52_000
    assert council["answers"][0]["points"] == EXAMPLE["responses"][0]["answers"][1]["points"]
    assert document["responses"][0]["submitted"] == "2024-09-01T10:30:00+02:00"
    assert document["consultation"]["opens"] == "2024-08-01T09:00:00+02:00"
    assert document["themes"] == EXAMPLE["themes"]


def test_a_consultation_run_in_the_portal_exports_its_reactions(world):
    from tests.consultations.conftest import make_consultation

    consultation = make_consultation(world)
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council,
                                     actor=world.user("body_member"), seen_version=None,
                                     answers={"q1": AnswerInput(choice="eens"), "q3": AnswerInput(text="Goed plan.")})
    services.submit_body_reaction(db.session, response=draft, actor=world.user("body_member"), seen_version=draft.version)
    services.save_provider_draft(db.session, consultation=consultation, provider=world.provider,
                                 actor=world.user("provider_admin"), seen_version=None,
                                 answers={"q3": AnswerInput(text="Nog een concept.")})
    db.session.commit()
    document = json.loads(archive.export_archive(db.session, consultation))
    assert [(r["ref"], r["respondent"]) for r in document["responses"]] == [("r-1", "Gemeenteraad Eendorp")]
    assert document["responses"][0]["publish_name"] is True
    assert document["consultation"]["municipalities"] == ["Eendorp"]


def broken(change):
    document = copy.deepcopy(EXAMPLE)
    change(document)
    return document


@pytest.mark.parametrize(("change", "path", "message"), [
    (lambda d: d["responses"][1]["answers"][0].update(question="q9"),
     "responses[1].answers[0].question", 'unknown question key "q9"'),
    (lambda d: d["responses"][1].update(audience="wethouder"), "responses[1].audience", 'unknown audience "wethouder"'),
    (lambda d: d["responses"][0]["answers"][1]["points"][0].update(disposition="ignored"),
     "responses[0].answers[1].points[0].disposition", 'unknown disposition "ignored"'),
    (lambda d: d["consultation"].pop("closes"), "consultation.closes", "missing"),
    (lambda d: d["responses"][1].update(audience="inwoner"), "responses[1].audience", "not among"),
    (lambda d: d["responses"][0]["answers"][0].update(choice="misschien"), "responses[0].answers[0].choice", "not a valid"),
    (lambda d: d["responses"][1].update(ref="r-17"), "responses[1].ref", "used twice"),
    (lambda d: d["responses"][0].update(municipality="Atlantis"), "responses[0].municipality", "unknown municipality"),
    (lambda d: d["responses"][0]["answers"][1]["points"][0].update(theme="geld"),
     "responses[0].answers[1].points[0].theme", 'unknown theme key "geld"'),
    (lambda d: d["consultation"].update(opens="1 augustus"), "consultation.opens", "not an ISO 8601"),
    (lambda d: d["consultation"].update(closes="2024-09-15T17:00:00"), "consultation.closes", "no UTC offset"),
    (lambda d: d.update(format="consultation-archive/2"), "format", "expected"),
    (lambda d: d["responses"][0].update(colour="blue"), "responses[0].colour", 'unknown field "colour"'),
])
def test_a_malformed_archive_is_refused_whole_with_the_path_of_the_first_error(app, world, tmp_path, change, path, message):
    text = json.dumps(broken(change), ensure_ascii=False, indent=1)
    with pytest.raises(ArchiveError) as refused:
        archive.import_archive(db.session, text, region=world.region)
    assert refused.value.path == path and message in refused.value.message
    assert str(refused.value).startswith(f"{path}: ")
    # The line points at the offending value (or, for a missing field, at its object).
    assert refused.value.line is not None
    db.session.rollback()

    result = run(app, "import", write(tmp_path, broken(change)), "--region", "R1")
    assert result.exit_code != 0 and path in result.output and "Nothing was imported" in result.output
    for model in (Consultation, Response, Point):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "consultation.imported")) == 0


def test_the_line_of_an_error_is_the_line_of_the_bad_value(world):
    text = json.dumps(broken(lambda d: d["responses"][1]["answers"][0].update(question="q9")), indent=1)
    expected_line = next(number for number, line in enumerate(text.splitlines(), 1) if '"q9"' in line)
    with pytest.raises(ArchiveError) as refused:
        archive.import_archive(db.session, text, region=world.region)
    assert refused.value.line == expected_line
    assert str(refused.value) == f'responses[1].answers[0].question: unknown question key "q9" (line {expected_line})'


def test_invalid_json_is_refused_with_its_line_and_column(app, world, tmp_path):
    text = '{"format": "consultation-archive/1",\n "consultation": {"title": "x",,}\n}'
    with pytest.raises(ArchiveError) as refused:
        archive.import_archive(db.session, text, region=world.region)
    assert (refused.value.line, refused.value.column) == (2, 32)
    assert "invalid JSON" in str(refused.value)
    result = run(app, "import", write(tmp_path, text), "--region", "R1")
    assert result.exit_code != 0 and "line 2, column 32" in result.output
    assert db.session.scalar(select(func.count(Consultation.id))) == 0


def test_a_field_given_twice_is_refused(world):
    text = json.dumps(EXAMPLE)[:-1] + ', "themes": []}'
    with pytest.raises(ArchiveError, match='"themes" appears twice'):
        archive.import_archive(db.session, text, region=world.region)


def test_import_names_an_unknown_region_or_consultation(app, world, tmp_path):
    assert "No region with code XX" in run(app, "import", write(tmp_path, EXAMPLE), "--region", "XX").output
    assert "No consultation with id 999" in run(app, "export", "999").output


def test_choice_questions_carry_their_options(world):
    document = broken(lambda d: (
        d["consultation"]["questions"].append({"key": "q3", "text": "Welke percelen?", "kind": "multiple",
                                               "options": ["Behandeling", "Verblijf", "Crisis"]}),
        d["responses"][1]["answers"].append({"question": "q3", "choice": ["Crisis", "Behandeling"]})))
    consultation = archive.import_archive(db.session, json.dumps(document), region=world.region)
    exported = json.loads(archive.export_archive(db.session, consultation))
    assert exported["responses"][0]["answers"][-1] == {"question": "q3", "choice": ["Behandeling", "Crisis"]}
    assert exported["consultation"]["questions"][-1]["options"] == ["Behandeling", "Verblijf", "Crisis"]
    without_options = broken(lambda d: d["consultation"]["questions"].append({"key": "q3", "text": "?", "kind": "single"}))
    with pytest.raises(ArchiveError, match=r"consultation.questions\[2\].options: A choice question needs"):
        archive.import_archive(db.session, json.dumps(without_options), region=world.region)


def test_the_example_in_the_documentation_imports_and_exports_unchanged(world):
    from pathlib import Path

    from tests.factories import MunicipalityFactory

    MunicipalityFactory(region=world.region, name="Apeldoorn")
    docs = (Path(__file__).parents[2] / "docs" / "consultation-archive.md").read_text()
    example = docs.split("```json\n", 1)[1].split("```", 1)[0]
    consultation = archive.import_archive(db.session, example, region=world.region)
    assert json.loads(archive.export_archive(db.session, consultation)) == json.loads(example)
