"""The consultation archive (``consultation-archive/1``): export, import and the CSV import.

The format is documented in docs/consultation-archive.md. Import is all or nothing: the whole
document is validated before anything is added to the session, and the first error is reported
with its JSON path and line. Export is canonical: sorted keys, fixed list orders, moments in
Europe/Amsterdam with their offset, so that importing an export and exporting again gives the
same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from bisect import bisect_right
from datetime import UTC, datetime
from json.decoder import scanstring
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consultations.models import (
    Answer,
    Audience,
    Consultation,
    ConsultationAudience,
    ConsultationMunicipality,
    Disposition,
    Point,
    Question,
    QuestionKind,
    Response,
    ResponseStatus,
    Theme,
    as_utc,
)
from consultations.services import (
    KEY_PATTERN,
    LOCAL_ZONE,
    ConsultationError,
    check_question,
    next_ref,
    normalise_choice,
    now_utc,
)
from portal.audit.services import record
from portal.models import Municipality, Region, User

FORMAT = "consultation-archive/1"


class ArchiveError(Exception):
    """The archive is malformed; the message names the first error, its JSON path and line."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None, column: int | None = None):
        self.message, self.path, self.line, self.column = message, path, line, column
        where = f"{path}: " if path else ""
        position = ""
        if line is not None:
            position = f" (line {line}, column {column})" if column is not None else f" (line {line})"
        super().__init__(f"{where}{message}{position}")


class CsvImportError(Exception):
    """One or more rows of a CSV import are bad; nothing was imported."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


# Export ----------------------------------------------------------------------------------------


def local_iso(moment: datetime) -> str:
    """Write a moment as ISO 8601 in Europe/Amsterdam with its offset."""
    return as_utc(moment).astimezone(LOCAL_ZONE).isoformat()


def _natural(ref: str) -> tuple:
    """Sort "r-2" before "r-10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", ref))


def build_document(session: Session, consultation: Consultation) -> dict[str, Any]:
    """Return the archive of a consultation as plain data, in canonical order."""
    questions = list(consultation.questions)
    position = {q.id: q.position for q in questions}
    responses = list(
        session.scalars(
            select(Response)
            .where(Response.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
            .options(
                selectinload(Response.municipality),
                selectinload(Response.answers).selectinload(Answer.question),
                selectinload(Response.answers).selectinload(Answer.points).selectinload(Point.theme),
            )
        )
    )
    responses.sort(key=lambda r: (as_utc(r.submitted_at), _natural(r.ref)))
    head: dict[str, Any] = {
        "title": consultation.title,
        "summary": consultation.summary,
        "opens": local_iso(consultation.opens_at),
        "closes": local_iso(consultation.closes_at),
        "audiences": [a.value for a in Audience if a in consultation.audience_set],
        "questions": [_question(q) for q in questions],
    }
    names = sorted(m.municipality.name for m in consultation.municipalities)
    if names:
        head["municipalities"] = names
    return {
        "format": FORMAT,
        "consultation": head,
        "themes": [_theme(t) for t in sorted(consultation.themes, key=lambda t: t.key)],
        "responses": [_response(r, position) for r in responses],
    }


def _question(question: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": question.key, "text": question.text, "kind": question.kind.value}
    if question.plain_text is not None:
        entry["plain_text"] = question.plain_text
    if question.options:
        entry["options"] = list(question.options)
    return entry


def _theme(theme: Theme) -> dict[str, Any]:
    entry = {"key": theme.key, "label": theme.label}
    if theme.description is not None:
        entry["description"] = theme.description
    return entry


def _response(response: Response, position: dict[int, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ref": response.ref,
        "respondent": response.respondent,
        "audience": response.audience.value,
        "submitted": local_iso(response.submitted_at),
        "answers": [_answer(a) for a in sorted(response.answers, key=lambda a: position[a.question_id])],
    }
    if response.municipality is not None:
        entry["municipality"] = response.municipality.name
    if response.anonymous:
        entry["anonymous"] = True
    if response.publish_name:
        entry["publish_name"] = True
    return entry


def _answer(answer: Answer) -> dict[str, Any]:
    entry: dict[str, Any] = {"question": answer.question.key}
    if answer.choice is not None:
        entry["choice"] = answer.choices if answer.question.kind is QuestionKind.MULTIPLE else answer.choice
    if answer.text is not None:
        entry["text"] = answer.text
    if answer.points:
        entry["points"] = [_point(p) for p in answer.points]
    return entry


def _point(point: Point) -> dict[str, Any]:
    entry: dict[str, Any] = {"text": point.text}
    if point.ref is not None:
        entry["ref"] = point.ref
    if point.theme is not None:
        entry["theme"] = point.theme.key
    if point.reaction is not None:
        entry["reaction"] = point.reaction
    if point.disposition is not None:
        entry["disposition"] = point.disposition.value
    return entry


def render(document: dict[str, Any]) -> str:
    """Write the archive as canonical JSON: UTF-8, sorted keys, two-space indent, final newline."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def export_archive(session: Session, consultation: Consultation) -> str:
    """Return the canonical archive of a consultation."""
    return render(build_document(session, consultation))


# Reading: JSON with the line of every value ----------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Locator:
    """Find the line of every value by its JSON path; refuse duplicate keys."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines: dict[str, int] = {}

    def line(self, index: int) -> int:
        return bisect_right(self.line_starts, index)

    def skip(self, index: int) -> int:
        return _WS.match(self.text, index).end()

    def value(self, index: int, path: str) -> int:
        text = self.text
        index = self.skip(index)
        self.lines[path] = self.line(index)
        char = text[index]
        if char == "{":
            index = self.skip(index + 1)
            if text[index] == "}":
                return index + 1
            seen: set[str] = set()
            while True:
                index = self.skip(index)
                key_line = self.line(index)
                key, index = scanstring(text, index + 1)
                if key in seen:
                    raise ArchiveError(f'field "{key}" appears twice', path=_join(path, key), line=key_line)
                seen.add(key)
                index = self.skip(index) + 1  # the colon
                index = self.skip(self.value(index, _join(path, key)))
                if text[index] == "}":
                    return index + 1
                index += 1  # the comma
        if char == "[":
            index = self.skip(index + 1)
            if text[index] == "]":
                return index + 1
            number = 0
            while True:
                index = self.skip(self.value(index, _join(path, number)))
                if text[index] == "]":
                    return index + 1
                index += 1
                number += 1
        if char == '"':
            return scanstring(text, index + 1)[1]
        return _SCALAR.match(text, index).end()


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def parse(data: str | bytes) -> tuple[Any, _Locator]:
    """Parse archive text; raise ArchiveError with line and column for syntax errors."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ArchiveError(f"the file is not UTF-8 text (byte {error.start})") from error
    try:
        document = json.loads(data, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ArchiveError(f"invalid JSON: {error.msg}", line=error.lineno, column=error.colno) from error
    except ValueError as error:
        raise ArchiveError(f"invalid JSON: {error}") from error
    locator = _Locator(data)
    locator.value(0, "")
    return document, locator


# Import ----------------------------------------------------------------------------------------


class _Reader:
    """Validate the parsed document field by field, failing on the first error."""

    def __init__(self, locator: _Locator | None):
        self.locator = locator

    def fail(self, path: str, message: str):
        line = None
        if self.locator is not None:
            probe = path
            while probe and probe not in self.locator.lines:
                shorter = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", probe)
                probe = shorter if shorter != probe else ""
            line = self.locator.lines.get(probe)
        raise ArchiveError(message, path=path, line=line)

    def object(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "expected an object")
        for key in value:
            if key not in required and key not in optional:
                self.fail(_join(path, key), f'unknown field "{key}"')
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "missing")
        return value

    def list(self, value: Any, path: str, *, empty: bool = True) -> list:
        if not isinstance(value, list):
            self.fail(path, "expected a list")
        if not empty and not value:
            self.fail(path, "must not be empty")
        return value

    def string(self, value: Any, path: str, *, max_length: int | None = None, empty: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, "expected a string")
        if not empty and not value.strip():
            self.fail(path, "must not be empty")
        if max_length is not None and len(value) > max_length:
            self.fail(path, f"longer than {max_length} characters")
        return value

    def optional_string(self, data: dict, key: str, path: str, **kwargs) -> str | None:
        value = data.get(key)
        return None if value is None else self.string(value, _join(path, key), **kwargs)

    def boolean(self, data: dict, key: str, path: str) -> bool:
        value = data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(_join(path, key), "expected true or false")
        return value

    def key(self, value: Any, path: str) -> str:
        value = self.string(value, path)
        if not KEY_PATTERN.fullmatch(value):
            self.fail(path, f'"{value}" is not a valid key (1 to 40 letters, digits, ".", "_" or "-")')
        return value

    def moment(self, value: Any, path: str) -> datetime:
        value = self.string(value, path)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(path, f'"{value}" is not an ISO 8601 moment like "2024-09-15T17:00:00+02:00"')
        if moment.tzinfo is None:
            self.fail(path, f'"{value}" has no UTC offset')
        return moment.astimezone(UTC)

    def choice(self, enum_class, value: Any, path: str, what: str):
        if not isinstance(value, str) or value not in {member.value for member in enum_class}:
            allowed = ", ".join(member.value for member in enum_class)
            self.fail(path, f"unknown {what} {json.dumps(value, ensure_ascii=False)}; expected one of: {allowed}")
        return enum_class(value)


def _listed(data: dict, key: str) -> Any:
    """Return an optional list field; absent and null both mean an empty list."""
    value = data.get(key)
    return [] if value is None else value


def _municipality_names(session: Session, region: Region) -> dict[str, Municipality]:
    return {m.name: m for m in session.scalars(select(Municipality).where(Municipality.region_id == region.id))}


def read_document(session: Session, document: Any, *, region: Region, locator: _Locator | None = None
                  ) -> tuple[Consultation, list[Response]]:
    """Validate an archive and build its objects, without adding anything to the session."""
    r = _Reader(locator)
    municipalities = _municipality_names(session, region)
    r.object(document, "", ("format", "consultation", "responses"), ("themes",))
    if document["format"] != FORMAT:
        r.fail("format", f'expected "{FORMAT}", found {json.dumps(document["format"], ensure_ascii=False)}')

    # The consultation.
    path = "consultation"
    head = r.object(document["consultation"], path,
                    ("title", "summary", "opens", "closes", "audiences", "questions"), ("municipalities",))
    title = r.string(head["title"], f"{path}.title", max_length=300)
    summary = r.string(head["summary"], f"{path}.summary", empty=True)
    opens_at = r.moment(head["opens"], f"{path}.opens")
    closes_at = r.moment(head["closes"], f"{path}.closes")
    if closes_at <= opens_at:
        r.fail(f"{path}.closes", "must be after opens")
    audiences: list[Audience] = []
    for i, value in enumerate(r.list(head["audiences"], f"{path}.audiences", empty=False)):
        audience = r.choice(Audience, value, f"{path}.audiences[{i}]", "audience")
        if audience in audiences:
            r.fail(f"{path}.audiences[{i}]", f'"{audience.value}" is listed twice')
        audiences.append(audience)
    taking_part: list[Municipality] = []
    for i, value in enumerate(r.list(_listed(head, "municipalities"), f"{path}.municipalities")):
        name = r.string(value, f"{path}.municipalities[{i}]")
        if name not in municipalities:
            r.fail(f"{path}.municipalities[{i}]", f'unknown municipality "{name}" in region {region.code}')
        if municipalities[name] in taking_part:
            r.fail(f"{path}.municipalities[{i}]", f'"{name}" is listed twice')
        taking_part.append(municipalities[name])
    consultation = Consultation(
        region=region, title=title, summary=summary, opens_at=opens_at, closes_at=closes_at,
        publish_reactions=False, names_need_consent=True, residents_may_react=False,
        audiences=[ConsultationAudience(audience=a) for a in audiences],
        municipalities=[ConsultationMunicipality(municipality=m) for m in taking_part],
    )
    questions: dict[str, Question] = {}
    for i, value in enumerate(r.list(head["questions"], f"{path}.questions", empty=False)):
        qpath = f"{path}.questions[{i}]"
        data = r.object(value, qpath, ("key", "text", "kind"), ("plain_text", "options"))
        key = r.key(data["key"], f"{qpath}.key")
        if key in questions:
            r.fail(f"{qpath}.key", f'question key "{key}" is used twice')
        text = r.string(data["text"], f"{qpath}.text")
        kind = r.choice(QuestionKind, data["kind"], f"{qpath}.kind", "kind")
        options = [r.string(o, f"{qpath}.options[{j}]", max_length=200)
                   for j, o in enumerate(r.list(_listed(data, "options"), f"{qpath}.options"))]
        try:
            options = check_question(key=key, text=text, kind=kind, options=options)
        except ConsultationError as error:
            r.fail(f"{qpath}.options", str(error))
        if options != _listed(data, "options"):
            r.fail(f"{qpath}.options", "options must not start or end with spaces")
        questions[key] = Question(consultation=consultation, key=key, position=i + 1, text=text, kind=kind,
                                  plain_text=r.optional_string(data, "plain_text", qpath), options=options)

    # The codebook.
    themes: dict[str, Theme] = {}
    for i, value in enumerate(r.list(_listed(document, "themes"), "themes")):
        tpath = f"themes[{i}]"
        data = r.object(value, tpath, ("key", "label"), ("description",))
        key = r.key(data["key"], f"{tpath}.key")
        if key in themes:
            r.fail(f"{tpath}.key", f'theme key "{key}" is used twice')
        themes[key] = Theme(consultation=consultation, key=key, label=r.string(data["label"], f"{tpath}.label", max_length=200),
                            description=r.optional_string(data, "description", tpath, empty=True))

    # The reactions.
    responses: list[Response] = []
    refs: set[str] = set()
    point_refs: set[str] = set()
    for i, value in enumerate(r.list(document["responses"], "responses")):
        rpath = f"responses[{i}]"
        data = r.object(value, rpath, ("ref", "respondent", "audience", "submitted", "answers"),
                        ("municipality", "anonymous", "publish_name"))
        ref = r.string(data["ref"], f"{rpath}.ref", max_length=50)
        if ref in refs:
            r.fail(f"{rpath}.ref", f'ref "{ref}" is used twice')
        refs.add(ref)
        respondent = r.string(data["respondent"], f"{rpath}.respondent", max_length=300)
        audience = r.choice(Audience, data["audience"], f"{rpath}.audience", "audience")
        if audience not in audiences:
            r.fail(f"{rpath}.audience", f'"{audience.value}" is not among consultation.audiences')
        municipality = None
        name = r.optional_string(data, "municipality", rpath)
        if name is not None:
            municipality = municipalities.get(name)
            if municipality is None:
                r.fail(f"{rpath}.municipality", f'unknown municipality "{name}" in region {region.code}')
        submitted_at = r.moment(data["submitted"], f"{rpath}.submitted")
        anonymous = r.boolean(data, "anonymous", rpath)
        publish_name = r.boolean(data, "publish_name", rpath)
        if anonymous and publish_name:
            r.fail(f"{rpath}.publish_name", "an anonymous reaction cannot be published with a name")
        response = Response(
            consultation=consultation, ref=ref, respondent=respondent, audience=audience, municipality=municipality,
            anonymous=anonymous, publish_name=publish_name, status=ResponseStatus.SUBMITTED, submitted_at=submitted_at,
        )
        answered: set[str] = set()
        for j, item in enumerate(r.list(data["answers"], f"{rpath}.answers", empty=False)):
            apath = f"{rpath}.answers[{j}]"
            answer_data = r.object(item, apath, ("question",), ("choice", "text", "points"))
            key = r.string(answer_data["question"], f"{apath}.question")
            question = questions.get(key)
            if question is None:
                r.fail(f"{apath}.question", f'unknown question key "{key}"')
            if key in answered:
                r.fail(f"{apath}.question", f'question "{key}" is answered twice')
            answered.add(key)
            choice = answer_data.get("choice")
            if choice is not None:
                if question.kind is QuestionKind.MULTIPLE:
                    r.list(choice, f"{apath}.choice", empty=False)
                    for k, option in enumerate(choice):
                        r.string(option, f"{apath}.choice[{k}]")
                elif not isinstance(choice, str):
                    r.fail(f"{apath}.choice", "expected a string")
                try:
                    stored = normalise_choice(question, choice)
                except ConsultationError as error:
                    r.fail(f"{apath}.choice", str(error))
                choice = stored
            text = r.optional_string(answer_data, "text", apath, empty=True)
            if choice is None and text is None:
                r.fail(apath, "an answer needs a choice or a text")
            answer = Answer(question=question, choice=choice, text=text)
            for k, point_value in enumerate(r.list(_listed(answer_data, "points"), f"{apath}.points")):
                ppath = f"{apath}.points[{k}]"
                point_data = r.object(point_value, ppath, ("text",), ("ref", "theme", "reaction", "disposition"))
                point_ref = r.optional_string(point_data, "ref", ppath, max_length=50)
                if point_ref is not None:
                    if point_ref in point_refs:
                        r.fail(f"{ppath}.ref", f'point ref "{point_ref}" is used twice')
                    point_refs.add(point_ref)
                theme = None
                theme_key = r.optional_string(point_data, "theme", ppath)
                if theme_key is not None:
                    theme = themes.get(theme_key)
                    if theme is None:
                        r.fail(f"{ppath}.theme", f'unknown theme key "{theme_key}"')
                disposition = point_data.get("disposition")
                if disposition is not None:
                    disposition = r.choice(Disposition, disposition, f"{ppath}.disposition", "disposition")
                answer.points.append(Point(
                    consultation=consultation, ref=point_ref, position=k + 1,
                    text=r.string(point_data["text"], f"{ppath}.text"), theme=theme,
                    reaction=r.optional_string(point_data, "reaction", ppath, empty=True), disposition=disposition,
                ))
            response.answers.append(answer)
        responses.append(response)
    return consultation, responses


def import_archive(session: Session, data: str | bytes, *, region: Region, actor: User | None = None,
                   now: datetime | None = None) -> Consultation:
    """Create a consultation from an archive; a malformed archive is refused whole (ArchiveError)."""
    document, locator = parse(data)
    with session.no_autoflush:
        consultation, responses = read_document(session, document, region=region, locator=locator)
    consultation.published_at = now or now_utc()
    consultation.created_by = actor
    session.add(consultation)
    session.add_all(responses)
    session.flush()
    record(session, action="consultation.imported", obj=consultation, actor=actor, organisation=region,
           changes={"responses": [None, len(responses)], "questions": [None, len(consultation.questions)],
                    "themes": [None, len(consultation.themes)]})
    return consultation


# CSV import ------------------------------------------------------------------------------------

FIXED_COLUMNS = ("respondent", "audience", "municipality")


def _csv_cell(question: Question, cell: str) -> tuple[str | list[str] | None, str | None]:
    """Turn a spreadsheet cell into (choice, text) for the question."""
    if question.kind is QuestionKind.OPEN:
        return None, cell
    if question.kind is QuestionKind.MULTIPLE:
        return [part.strip() for part in cell.split(";") if part.strip()], None
    if question.kind is QuestionKind.AGREEMENT:
        return " ".join(cell.lower().split()), None
    return cell, None


def import_csv(session: Session, data: str | bytes, *, consultation: Consultation, actor: User | None = None,
               now: datetime | None = None) -> list[Response]:
    """Add submitted reactions from a spreadsheet; when any row is bad, raise CsvImportError and add none."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CsvImportError([f"the file is not UTF-8 text (byte {error.start})"]) from error
    data = data.lstrip("\ufeff")
    first_line = data.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise CsvImportError(["line 1: the file is empty"])
    header = [column.strip() for column in header]
    questions = {q.key: q for q in consultation.questions}
    errors = []
    for column in FIXED_COLUMNS:
        if column not in header:
            errors.append(f'line 1: column "{column}" is missing')
    for column in header:
        if column not in FIXED_COLUMNS and column not in questions:
            errors.append(f'line 1: unknown column "{column}" (not a question key)')
    if len(set(header)) != len(header):
        errors.append("line 1: a column appears twice")
    if errors:
        raise CsvImportError(errors)
    question_columns = [c for c in header if c in questions]
    if not question_columns:
        raise CsvImportError(["line 1: no question columns"])
    municipalities = _municipality_names(session, consultation.region)
    now = now or now_utc()
    rows: list[tuple[dict, dict]] = []
    last_line = reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # an empty line carries no reaction
        if len(cells) != len(header):
            errors.append(f"line {line}: {len(cells)} cells where the header has {len(header)}")
            continue
        row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        problems = []
        if not row["respondent"]:
            problems.append("respondent is empty")
        elif len(row["respondent"]) > 300:
            problems.append("respondent is longer than 300 characters")
        audience = None
        try:
            audience = Audience(row["audience"])
        except ValueError:
            problems.append(f'unknown audience "{row["audience"]}"')
        if audience is not None and audience not in consultation.audience_set:
            problems.append(f'audience "{audience.value}" is not invited to this consultation')
        if row["municipality"] and row["municipality"] not in municipalities:
            problems.append(f'unknown municipality "{row["municipality"]}"')
        answers = {}
        for key in question_columns:
            if not row[key]:
                continue
            choice, text = _csv_cell(questions[key], row[key])
            try:
                choice = normalise_choice(questions[key], choice)
            except ConsultationError as error:
                problems.append(f"{key}: {error}")
                continue
            answers[key] = (choice, text)
        if not problems and not answers:
            problems.append("no question is answered")
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows.append((row, answers))
    if errors:
        raise CsvImportError(errors)
    if not rows:
        raise CsvImportError(["the file has no reactions"])
    created = []
    for row, answers in rows:
        response = Response(
            consultation=consultation, ref=next_ref(session, consultation), respondent=row["respondent"],
            audience=Audience(row["audience"]), municipality=municipalities.get(row["municipality"]),
            status=ResponseStatus.SUBMITTED, submitted_at=now,
            answers=[Answer(question=questions[key], choice=choice, text=text) for key, (choice, text) in answers.items()],
        )
        session.add(response)
        session.flush()
        created.append(response)
    record(session, action="consultation.csv_imported", obj=consultation, actor=actor, organisation=consultation.region,
           changes={"responses": [None, [r.ref for r in created]]})
    return created


def find_consultation(session: Session, consultation_id: int) -> Consultation | None:
    """Load a consultation by id with what the archive needs."""
    return session.get(Consultation, consultation_id)


__all__: list[str] = ["FORMAT", "ArchiveError", "CsvImportError", "build_document", "export_archive",
                      "import_archive", "import_csv", "parse", "read_document", "render"]
