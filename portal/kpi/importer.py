"""Import care data from two CSV files: trajectories and their monthly claims.

The files are read as streams, a batch at a time, into temporary staging tables (PostgreSQL: COPY;
SQLite: executemany). Checks that need the whole file (duplicates, claims for unknown
trajectories) and the merge itself then run as a few set-based statements, so memory does not
grow with the file. Everything happens inside one savepoint: a failing import changes nothing.
The format is documented in docs/kpi-import-format.md.
"""

from __future__ import annotations

import csv
import enum
import logging
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.kpi.summary import refresh_summaries, tune_for_bulk_work
from portal.models import ImportStatus, KpiImport, KpiImportProblem, Municipality, Provider, User
from portal.models.kpi import END_REASONS

TRAJECTORY_COLUMNS = (
    "trajectory_ref",
    "client_ref",
    "municipality_code",
    "provider_kvk",
    "product_group",
    "product_code",
    "referrer",
    "request_date",
    "start_date",
    "end_date",
    "end_reason",
    "satisfaction",
    "goals_met",
)
CLAIM_COLUMNS = ("trajectory_ref", "period", "amount_granted")

#: Rows sent to the database at a time; memory use is bounded by this, not by the file.
DEFAULT_BATCH_SIZE = 5000
#: Rejected rows described in full in the result; all of them are counted.
DEFAULT_MAX_ERRORS = 1000
#: The PostgreSQL advisory lock that lets one import run at a time (any fixed number will do).
_IMPORT_LOCK = 588_2025

logger = logging.getLogger(__name__)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")
_CBS_CODE = re.compile(r"GM\d{4}")
_KVK = re.compile(r"\d{8}")
_SATISFACTION = re.compile(r"\d{1,2}")
_GOALS = {"yes": True, "no": False, "": None}
_MAX_LENGTHS = {"trajectory_ref": 50, "client_ref": 50, "product_group": 10, "product_code": 20, "referrer": 30}


class Reason(str):
    """Why a row or a file was refused: the English text, with its template and values kept apart
    so that the portal can show it in the reader's language (``translated``).

    The templates are in the message catalogue (``Reason`` is an extraction keyword). A value may
    itself be a Reason, or a tuple of them, shown joined by semicolons.
    """

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Reason:
        reason = super().__new__(cls, _fill(template, values, str))
        reason.template, reason.values = template, values
        return reason

    def translated(self, gettext: Callable[[str], str]) -> str:
        """Return the reason in the language of ``gettext`` (which must not fill in values)."""
        return _fill(gettext(self.template), self.values, lambda reason: reason.translated(gettext))

    def stored_values(self) -> dict[str, Any] | None:
        """Return the values as JSON can keep them (a Reason among them as its template and values)."""
        return {name: _stored(value) for name, value in self.values.items()} or None

    @classmethod
    def from_stored(cls, template: str, values: dict[str, Any] | None) -> Reason:
        """Return the reason kept as its template and ``stored_values``."""
        return cls(template, **{name: _restored(value) for name, value in (values or {}).items()})


def _stored(value: Any) -> Any:
    if isinstance(value, Reason):
        return {"template": value.template, "values": value.stored_values()}
    if isinstance(value, tuple):
        return [_stored(part) for part in value]
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        return Reason.from_stored(value["template"], value["values"])
    if isinstance(value, list):
        return tuple(_restored(part) for part in value)
    return value


def _fill(template: str, values: dict[str, Any], show: Callable[[Reason], str]) -> str:
    if not values:
        return template
    shown = {}
    for name, value in values.items():
        if isinstance(value, Reason):
            value = show(value)
        elif isinstance(value, tuple):
            value = "; ".join(show(part) for part in value)
        shown[name] = value
    return template % shown


_REQUIRED = Reason("is required")


class KpiImportError(Exception):
    """The import as a whole was refused or failed; no care data was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: Why, in English; a Reason when the portal can translate it.
        self.reason = reason


@dataclass(frozen=True)
class RowError:
    """Why one row of a file was rejected."""

    file: str
    line: int
    #: The column at fault, or None when the row as a whole is wrong.
    column: str | None
    reason: Reason

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        return f"{where}, {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass
class FileCounts:
    """What happened to the rows of one file."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def rows(self) -> int:
        """Return the number of data rows read."""
        return self.imported + self.updated + self.unchanged + self.rejected


@dataclass
class ImportResult:
    """The outcome of an import: counts per file and the rejected rows."""

    trajectories: FileCounts = field(default_factory=FileCounts)
    claims: FileCounts = field(default_factory=FileCounts)
    #: Rejected rows by file and line, at most ``max_errors`` of them.
    errors: list[RowError] = field(default_factory=list)
    #: The log entry of this run.
    log_id: int | None = None

    @property
    def imported(self) -> int:
        """Return the number of new rows in both files."""
        return self.trajectories.imported + self.claims.imported

    @property
    def updated(self) -> int:
        """Return the number of rows that changed stored data."""
        return self.trajectories.updated + self.claims.updated

    @property
    def unchanged(self) -> int:
        """Return the number of rows identical to stored data."""
        return self.trajectories.unchanged + self.claims.unchanged

    @property
    def rejected(self) -> int:
        """Return the number of rejected rows in both files."""
        return self.trajectories.rejected + self.claims.rejected

    @property
    def errors_truncated(self) -> bool:
        """Tell whether more rows were rejected than are described in ``errors``."""
        return len({(error.file, error.line) for error in self.errors}) < self.rejected


class ImportStep(enum.StrEnum):
    """The steps of an import, in order."""

    READ_TRAJECTORIES = "read_trajectories"
    SAVE_TRAJECTORIES = "save_trajectories"
    READ_CLAIMS = "read_claims"
    SAVE_CLAIMS = "save_claims"
    SUMMARISE = "summarise"


#: Called when a step starts (with 0 rows) and after every batch a reading step stages, with
#: the number of rows of the file read so far.
ProgressCallback = Callable[[ImportStep, int], None]


def import_files(
    session: Session,
    *,
    trajectories: TextIO,
    claims: TextIO,
    trajectories_name: str = "trajectories.csv",
    claims_name: str = "claims.csv",
    imported_by: User | None = None,
    log: KpiImport | None = None,
    municipality_ids: Collection[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_errors: int = DEFAULT_MAX_ERRORS,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Validate and upsert both files in one savepoint; log the run; flush, never commit.

    ``log`` is the run's entry when the caller made it beforehand (an upload from the web);
    otherwise one is made. With ``municipality_ids`` (a region's staff importing) only care in
    those municipalities is accepted: rows for others, and rows that would change a trajectory
    of another municipality, are rejected.

    Raises KpiImportError, with the care data untouched, for a wrong header or when reading or
    writing fails part-way. Bad rows do not fail the import: they are counted and described.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if log is None:
        log = KpiImport(
            imported_by_id=imported_by.id if imported_by else None,
            imported_by_label=f"{imported_by.name} <{imported_by.email}>" if imported_by else "command line",
            trajectories_file=trajectories_name[:255],
            claims_file=claims_name[:255],
            status=ImportStatus.RUNNING,
        )
    # Writing the log first also opens the outer transaction, so the savepoint below nests
    # inside it on every driver (pysqlite would otherwise let RELEASE commit).
    session.add(log)
    session.flush()
    result = ImportResult(log_id=log.id)
    try:
        trajectory_rows = _Reader(trajectories, trajectories_name, TRAJECTORY_COLUMNS)
        claim_rows = _Reader(claims, claims_name, CLAIM_COLUMNS)
        with session.begin_nested():
            if session.get_bind().dialect.name == "postgresql":
                # One import at a time: a second one waits here until the first has committed
                # (then it sees its rows and updates them) rather than failing on a unique key.
                # SQLite already allows one writer at a time.
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
                tune_for_bulk_work(session)
            run = _Run(session, result, batch_size=batch_size, max_errors=max_errors, on_progress=on_progress,
                       municipality_ids=municipality_ids)
            run.import_trajectories(trajectory_rows)
            run.import_claims(claim_rows)
            run.drop_staging()
            run.progress(ImportStep.SUMMARISE)
            refresh_summaries(session)
    except KpiImportError as error:
        _finish(session, log, result, ImportStatus.FAILED, error.reason)
        raise
    except (OSError, SQLAlchemyError, psycopg.Error, sqlite3.Error) as error:
        # The database's own words, without the statement and its parameters (care data), which
        # SQLAlchemy and PostgreSQL add: the reason is shown on the import page. The whole error
        # goes to the server's log.
        logger.warning("KPI import %s failed and was undone", log.id, exc_info=True)
        cause = getattr(error, "orig", None) or error
        words = getattr(getattr(cause, "diag", None), "message_primary", None) or str(cause)
        message = Reason("The import failed and was undone: %(error)s", error=words)
        _finish(session, log, result, ImportStatus.FAILED, message)
        raise KpiImportError(message) from error
    result.errors.sort(key=lambda e: (e.file != trajectories_name, e.line))
    _finish(session, log, result, ImportStatus.SUCCEEDED, None)
    # The merge bypassed the ORM; make loaded trajectories and claims read fresh values.
    session.expire_all()
    return result


def _finish(session: Session, log: KpiImport, result: ImportResult, status: ImportStatus, error: str | None) -> None:
    """Log the outcome; a Reason as ``error`` is kept so that the portal can translate it."""
    failed = status is ImportStatus.FAILED
    for prefix, counts in (("trajectories", result.trajectories), ("claims", result.claims)):
        for name in ("imported", "updated", "unchanged", "rejected"):
            setattr(log, f"{prefix}_{name}", 0 if failed else getattr(counts, name))
    log.status = status
    log.error = error
    if isinstance(error, Reason):
        log.error_template, log.error_values = error.template, error.stored_values()
    log.finished_at = func.now()
    if result.errors:
        session.execute(KpiImportProblem.__table__.insert(), [
            {"import_id": log.id, "file": problem.file[:255], "line": problem.line, "column_name": problem.column,
             "reason": str(problem.reason), "reason_template": problem.reason.template,
             "reason_values": problem.reason.stored_values()}
            for problem in result.errors
        ])
    session.flush()


# Reading and checking rows -----------------------------------------------------------------


def check_header(stream: TextIO, name: str, columns: tuple[str, ...]) -> None:
    """Raise KpiImportError when the first line of a file is not the header of ``columns``."""
    _Reader(stream, name, columns)


class _Reader:
    """The data rows of one CSV file, with their line numbers; checks the header first."""

    def __init__(self, stream: TextIO, name: str, columns: tuple[str, ...]) -> None:
        self.name = name
        self._reader = csv.reader(stream)
        header = self._next()
        if header is None:
            raise KpiImportError(Reason("%(file)s is empty: expected a header row with %(columns)s.",
                                        file=name, columns=", ".join(columns)))
        header = [column.strip().lstrip("\ufeff").lower() for column in header]
        if len(header) == 1 and ";" in header[0]:
            raise KpiImportError(Reason("%(file)s is separated by semicolons; use commas. Nothing was imported.",
                                        file=name))
        missing = [column for column in columns if column not in header]
        unknown = [column for column in header if column not in columns]
        doubled = sorted({column for column in header if header.count(column) > 1})
        problems = []
        if missing:
            problems.append(Reason("missing columns: %(columns)s", columns=", ".join(missing)))
        if unknown:
            problems.append(Reason("unknown columns: %(columns)s", columns=", ".join(unknown)))
        if doubled:
            problems.append(Reason("columns given twice: %(columns)s", columns=", ".join(doubled)))
        if problems:
            raise KpiImportError(Reason("%(file)s has a wrong header (%(problems)s); nothing was imported.",
                                        file=name, problems=tuple(problems)))
        self._positions = [header.index(column) for column in columns]
        self._width = len(header)

    def _next(self) -> list[str] | None:
        """Return the next row, or None at the end; raise KpiImportError when it cannot be read."""
        read_so_far = self._reader.line_num
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            if not read_so_far:
                raise KpiImportError(Reason("%(file)s is not a UTF-8 text file; save it as CSV (UTF-8).",
                                            file=self.name)) from None
            # The file is decoded a block ahead: the character is somewhere after this line.
            raise KpiImportError(Reason(
                "%(file)s is not a UTF-8 text file: a character after line %(line)d cannot be read. "
                "Save it as CSV (UTF-8); nothing was imported.", file=self.name, line=read_so_far,
            )) from None
        except csv.Error as error:
            raise KpiImportError(Reason(
                "%(file)s cannot be read as CSV after line %(line)d (%(error)s); nothing was imported.",
                file=self.name, line=read_so_far, error=str(error),
            )) from None

    def __iter__(self) -> Iterator[tuple[int, list[str] | None, Reason | None]]:
        """Yield (line, values in the documented column order, problem with the row as a whole).

        Raises KpiImportError when the rest of the file cannot be read: it is not UTF-8 text, or
        not CSV (a field longer than the csv module allows, as after a quote that is never closed).
        """
        next_line = self._reader.line_num + 1
        while (row := self._next()) is not None:
            line, next_line = next_line, self._reader.line_num + 1
            if not row:
                continue  # blank line
            if len(row) != self._width:
                yield line, None, Reason("expected %(expected)d fields, found %(found)d", expected=self._width,
                                         found=len(row))
                continue
            yield line, [row[position].strip() for position in self._positions], None


def _check_length(column: str, value: str, problems: list[tuple[str, Reason]]) -> None:
    if not value:
        problems.append((column, _REQUIRED))
    elif len(value) > _MAX_LENGTHS[column]:
        problems.append((column, Reason("is longer than %(most)d characters", most=_MAX_LENGTHS[column])))


def _parse_date(column: str, value: str, problems: list[tuple[str, Reason]], required: bool = True) -> date | None:
    """Return the date of an ISO date text, or None (noting the problem when it is wrong or missing)."""
    if not value:
        if required:
            problems.append((column, _REQUIRED))
        return None
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append((column, Reason("%(value)r is not a date as YYYY-MM-DD", value=value)))
    return None


def _check_trajectory(
    values: list[str], municipalities: dict[str, int], providers: dict[str, int],
    unknown: Callable[[str], Reason] = lambda code: Reason("no municipality with CBS code %(code)s", code=code),
) -> tuple[tuple | None, list[tuple[str, Reason]]]:
    """Return the row ready for staging, or the problems (column, reason) that reject it.

    ``municipalities`` holds the ones rows may be for; ``unknown`` is the reason given when a
    row's municipality is not among them.
    """
    (ref, client, municipality_code, kvk, product_group, product_code, referrer,
     request_raw, start_raw, end_raw, end_reason, satisfaction_raw, goals_raw) = values
    problems: list[tuple[str, Reason]] = []
    for column, value in (("trajectory_ref", ref), ("client_ref", client), ("product_group", product_group),
                          ("product_code", product_code), ("referrer", referrer)):
        _check_length(column, value, problems)
    municipality_id = municipalities.get(municipality_code)
    if not municipality_code:
        problems.append(("municipality_code", _REQUIRED))
    elif not _CBS_CODE.fullmatch(municipality_code):
        problems.append(("municipality_code", Reason("%(value)r is not a CBS code like GM0123", value=municipality_code)))
    elif municipality_id is None:
        problems.append(("municipality_code", unknown(municipality_code)))
    provider_id = providers.get(kvk)
    if not kvk:
        problems.append(("provider_kvk", _REQUIRED))
    elif not _KVK.fullmatch(kvk):
        problems.append(("provider_kvk", Reason("%(value)r is not a KvK number of 8 digits", value=kvk)))
    elif provider_id is None:
        problems.append(("provider_kvk", Reason("no provider with KvK number %(kvk)s", kvk=kvk)))
    request_date = _parse_date("request_date", request_raw, problems)
    start_date = _parse_date("start_date", start_raw, problems)
    end_date = _parse_date("end_date", end_raw, problems, required=False)
    if request_date and start_date and start_date < request_date:
        problems.append(("start_date", Reason("is before request_date")))
    if start_date and end_date and end_date < start_date:
        problems.append(("end_date", Reason("is before start_date")))
    if end_reason and end_reason not in END_REASONS:
        problems.append(("end_reason", Reason("%(value)r is not a JZ588 end reason", value=end_reason)))
    elif end_raw and not end_reason:
        problems.append(("end_reason", Reason("is required when end_date is given")))
    elif end_reason and not end_raw:
        problems.append(("end_date", Reason("is required when end_reason is given")))
    satisfaction = None
    if satisfaction_raw:
        if _SATISFACTION.fullmatch(satisfaction_raw) and 1 <= int(satisfaction_raw) <= 10:
            satisfaction = int(satisfaction_raw)
        else:
            problems.append(("satisfaction", Reason("%(value)r is not a whole number from 1 to 10", value=satisfaction_raw)))
    goals_met = _GOALS.get(goals_raw.lower(), "bad")
    if goals_met == "bad":
        problems.append(("goals_met", Reason("%(value)r is not yes, no or empty", value=goals_raw)))
    if problems:
        return None, problems
    # The checked texts go to the database as they are: it reads ISO dates itself, faster.
    return (ref, client, municipality_id, provider_id, product_group, product_code, referrer,
            request_raw, start_raw, end_raw or None, end_reason or None, satisfaction, goals_met), []


def _check_claim(values: list[str]) -> tuple[tuple | None, list[tuple[str, Reason]]]:
    """Return the claim ready for staging, or the problems (column, reason) that reject it."""
    ref, period_raw, amount_raw = values
    if 0 < len(ref) <= _MAX_LENGTHS["trajectory_ref"] and _PERIOD.fullmatch(period_raw) and _AMOUNT.fullmatch(amount_raw):
        # Nearly every claim is right: say so in one test (millions of claims per import).
        return (ref, period_raw + "-01", amount_raw), []
    problems: list[tuple[str, Reason]] = []
    _check_length("trajectory_ref", ref, problems)
    period = None
    if not period_raw:
        problems.append(("period", _REQUIRED))
    elif _PERIOD.fullmatch(period_raw):
        period = period_raw + "-01"  # the first day of the month, as an ISO date the database reads
    else:
        problems.append(("period", Reason("%(value)r is not a month as YYYY-MM", value=period_raw)))
    amount = None
    if not amount_raw:
        problems.append(("amount_granted", _REQUIRED))
    elif _AMOUNT.fullmatch(amount_raw):
        amount = amount_raw  # an exact decimal text the database reads as it is
    elif amount_raw.startswith("-"):
        problems.append(("amount_granted", Reason("must not be negative")))
    elif "," in amount_raw:
        problems.append(("amount_granted", Reason("%(value)r: use '.' as the decimal separator, no thousands separator",
                                                  value=amount_raw)))
    else:
        problems.append(("amount_granted", Reason("%(value)r is not an amount like 1234.56", value=amount_raw)))
    if problems:
        return None, problems
    return (ref, period, amount), []


# Staging and merging -----------------------------------------------------------------------

_STAGE_TRAJECTORIES = "kpi_stage_trajectories"
_STAGE_CLAIMS = "kpi_stage_claims"
_TRAJECTORY_FIELDS = ("trajectory_ref", "client_ref", "municipality_id", "provider_id", "product_group",
                      "product_code", "referrer", "request_date", "start_date", "end_date", "end_reason",
                      "satisfaction", "goals_met")
_COLUMN_TYPES = {
    "line": "INTEGER", "trajectory_ref": "VARCHAR(50)", "client_ref": "VARCHAR(50)",
    "municipality_id": "INTEGER", "provider_id": "INTEGER", "product_group": "VARCHAR(10)",
    "product_code": "VARCHAR(20)", "referrer": "VARCHAR(30)", "request_date": "DATE",
    "start_date": "DATE", "end_date": "DATE", "end_reason": "VARCHAR(2)", "satisfaction": "SMALLINT",
    "goals_met": "BOOLEAN", "period": "DATE", "amount_granted": "NUMERIC(12, 2)",
}


class _Run:
    """One import inside its savepoint: stages rows, finds whole-file problems, merges."""

    def __init__(self, session: Session, result: ImportResult, *, batch_size: int, max_errors: int,
                 on_progress: ProgressCallback | None, municipality_ids: Collection[int] | None) -> None:
        self.session = session
        self.result = result
        self.batch_size = batch_size
        self.max_errors = max_errors
        self.on_progress = on_progress
        self.municipality_ids = None if municipality_ids is None else sorted({int(i) for i in municipality_ids})
        # Whole numbers, never user input: safe to write into the statements.
        self.scope = None if self.municipality_ids is None else ", ".join(map(str, self.municipality_ids)) or "NULL"
        self.connection = session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        # Null-safe "differs": IS DISTINCT FROM is standard, older SQLite only knows IS NOT.
        self.differs = "IS DISTINCT FROM" if self.postgresql else "IS NOT"
        # Dropped by schema, so a permanent table of the same name can never be hit.
        self.temp_schema = "pg_temp" if self.postgresql else "temp"

    # Errors

    def reject(self, counts: FileCounts, file: str, line: int, problems: Iterable[tuple[str | None, str]]) -> None:
        counts.rejected += 1
        for column, reason in problems:
            if len(self.result.errors) < self.max_errors:
                self.result.errors.append(RowError(file, line, column, reason))

    def reject_staged(self, counts: FileCounts, file: str, table: str, condition: str, column: str,
                      reason: Callable[[str], Reason]) -> None:
        """Reject the staged rows that meet a condition: describe the first ones (the reason is
        given the row's value of the column), then delete them."""
        room = max(self.max_errors - len(self.result.errors), 0)
        if room:
            rows = self.execute(
                f"SELECT s.line, s.{column} FROM {table} s WHERE {condition} ORDER BY s.line LIMIT :room",
                {"room": room},
            ).all()
            self.result.errors.extend(RowError(file, line, column, reason(value)) for line, value in rows)
            if not rows:
                return  # none to reject (the usual case): spare a second pass over millions of claims
        deleted = self.execute(f"DELETE FROM {table} WHERE line IN (SELECT s.line FROM {table} s WHERE {condition})")
        counts.rejected += deleted.rowcount

    def execute(self, sql: str, parameters: dict[str, Any] | None = None):
        return self.connection.execute(text(sql), parameters or {})

    def progress(self, step: ImportStep, rows: int = 0) -> None:
        if self.on_progress:
            self.on_progress(step, rows)

    # Staging

    def create_stage(self, table: str, columns: tuple[str, ...]) -> None:
        self.execute(f"DROP TABLE IF EXISTS {self.temp_schema}.{table}")
        definition = ", ".join(f"{column} {_COLUMN_TYPES[column]}" for column in ("line", *columns))
        self.execute(f"CREATE TEMPORARY TABLE {table} ({definition})")

    def stage(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Send one batch of checked rows (line first) to the staging table."""
        driver_connection = self.connection.connection.driver_connection
        names = ", ".join(("line", *columns))
        if self.postgresql:
            with driver_connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            cursor = driver_connection.cursor()
            try:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * (len(columns) + 1))})", rows)
            finally:
                cursor.close()

    def read(self, step: ImportStep, reader: _Reader, counts: FileCounts, table: str, columns: tuple[str, ...],
             check: Callable[[list[str]], tuple[tuple | None, list[tuple[str, Reason]]]]) -> None:
        """Check every row of a file and stage the good ones, a batch at a time."""
        self.progress(step)
        self.create_stage(table, columns)
        batch: list[tuple] = []
        read = 0
        for line, values, row_problem in reader:
            read += 1
            if values is None:
                self.reject(counts, reader.name, line, [(None, row_problem)])
                continue
            row, problems = check(values)
            if problems:
                self.reject(counts, reader.name, line, problems)
                continue
            batch.append((line, *row))
            if len(batch) >= self.batch_size:
                self.stage(table, columns, batch)
                batch = []
                self.progress(step, read)
        if batch:
            self.stage(table, columns, batch)
        self.progress(step, read)
        self.analyze(table)

    def reject_duplicates(self, counts: FileCounts, file: str, table: str, key: tuple[str, ...], label: str) -> None:
        """Reject every repeat of a key within the file; the first row with the key is used."""
        columns = ", ".join(key)
        # Usually there is none: finding that out by hashing is much cheaper than ranking every row.
        if self.execute(f"SELECT 1 FROM {table} GROUP BY {columns} HAVING count(*) > 1 LIMIT 1").first() is None:
            return
        # One pass with a window function: a correlated "first line with this key" per row took
        # most of the import's time on millions of claims.
        repeats = (f"SELECT line, first_line FROM (SELECT line, min(line) OVER (PARTITION BY {columns}) "
                   f"AS first_line FROM {table}) d WHERE line > first_line")
        room = max(self.max_errors - len(self.result.errors), 0)
        if room:
            rows = self.execute(f"SELECT line, first_line FROM ({repeats}) r ORDER BY line LIMIT :room", {"room": room})
            self.result.errors.extend(
                RowError(file, line, key[-1], Reason("repeats the %(key)s of line %(line)d; that row was used",
                                                     key=label, line=first))
                for line, first in rows
            )
        deleted = self.execute(f"DELETE FROM {table} WHERE line IN (SELECT line FROM ({repeats}) r)")
        counts.rejected += deleted.rowcount

    # The two files

    def import_trajectories(self, reader: _Reader) -> None:
        counts = self.result.trajectories
        municipalities_query = select(Municipality.cbs_code, Municipality.id)
        options = {}
        if self.scope is not None:
            municipalities_query = municipalities_query.where(Municipality.id.in_(self.municipality_ids))
            options["unknown"] = lambda code: Reason("no municipality with CBS code %(code)s in this region", code=code)
        municipalities = dict(self.session.execute(municipalities_query).all())
        providers = dict(self.session.execute(select(Provider.kvk_number, Provider.id)).all())
        self.read(ImportStep.READ_TRAJECTORIES, reader, counts, _STAGE_TRAJECTORIES, _TRAJECTORY_FIELDS,
                  lambda values: _check_trajectory(values, municipalities, providers, **options))
        self.progress(ImportStep.SAVE_TRAJECTORIES)
        self.reject_duplicates(counts, reader.name, _STAGE_TRAJECTORIES, ("trajectory_ref",), "trajectory_ref")
        if self.scope is not None:
            # Moving another municipality's trajectory into this region would change its figures.
            self.reject_staged(
                counts, reader.name, _STAGE_TRAJECTORIES,
                f"EXISTS (SELECT 1 FROM trajectories t WHERE t.trajectory_ref = s.trajectory_ref "
                f"AND t.municipality_id NOT IN ({self.scope}))",
                "trajectory_ref", lambda _ref: Reason("is already used for care outside this region"),
            )
        changed = " OR ".join(f"t.{column} {self.differs} s.{column}" for column in _TRAJECTORY_FIELDS[1:])
        self.count(counts, f"""
            SELECT count(*),
                   SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN t.id IS NOT NULL AND ({changed}) THEN 1 ELSE 0 END)
            FROM {_STAGE_TRAJECTORIES} s LEFT JOIN trajectories t ON t.trajectory_ref = s.trajectory_ref
        """)
        # The changed ones first, then the new ones with a plain INSERT: cheaper than an upsert,
        # which first looks for a conflict for every row.
        updates = ", ".join(f"{column} = s.{column}" for column in _TRAJECTORY_FIELDS[1:])
        stored_changed = " OR ".join(
            f"trajectories.{column} {self.differs} s.{column}" for column in _TRAJECTORY_FIELDS[1:]
        )
        self.execute(f"""
            UPDATE trajectories SET {updates}, updated_at = CURRENT_TIMESTAMP
            FROM {_STAGE_TRAJECTORIES} s
            WHERE trajectories.trajectory_ref = s.trajectory_ref AND ({stored_changed})
        """)
        names = ", ".join(_TRAJECTORY_FIELDS)
        self.execute(f"""
            INSERT INTO trajectories ({names})
            SELECT {names} FROM {_STAGE_TRAJECTORIES} s
            WHERE NOT EXISTS (SELECT 1 FROM trajectories t WHERE t.trajectory_ref = s.trajectory_ref)
        """)
        self.analyze("trajectories")

    def import_claims(self, reader: _Reader) -> None:
        counts = self.result.claims
        fields = ("trajectory_ref", "period", "amount_granted")
        self.read(ImportStep.READ_CLAIMS, reader, counts, _STAGE_CLAIMS, fields, _check_claim)
        self.progress(ImportStep.SAVE_CLAIMS)
        in_scope = "" if self.scope is None else f" AND t.municipality_id IN ({self.scope})"
        self.reject_staged(
            counts, reader.name, _STAGE_CLAIMS,
            f"NOT EXISTS (SELECT 1 FROM trajectories t WHERE t.trajectory_ref = s.trajectory_ref{in_scope})",
            "trajectory_ref",
            lambda ref: Reason("no trajectory %(ref)s in the database or the trajectories file", ref=ref),
        )
        self.reject_duplicates(counts, reader.name, _STAGE_CLAIMS, ("trajectory_ref", "period"),
                               "trajectory_ref and period")
        self.count(counts, f"""
            SELECT count(*),
                   SUM(CASE WHEN c.id IS NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN c.id IS NOT NULL AND c.amount_granted <> s.amount_granted THEN 1 ELSE 0 END)
            FROM {_STAGE_CLAIMS} s
            JOIN trajectories t ON t.trajectory_ref = s.trajectory_ref
            LEFT JOIN claims c ON c.trajectory_id = t.id AND c.period = s.period
        """)
        self.execute(f"""
            UPDATE claims SET amount_granted = s.amount_granted, updated_at = CURRENT_TIMESTAMP
            FROM {_STAGE_CLAIMS} s JOIN trajectories t ON t.trajectory_ref = s.trajectory_ref
            WHERE claims.trajectory_id = t.id AND claims.period = s.period
              AND claims.amount_granted <> s.amount_granted
        """)
        self.execute(f"""
            INSERT INTO claims (trajectory_id, period, amount_granted)
            SELECT t.id, s.period, s.amount_granted
            FROM {_STAGE_CLAIMS} s JOIN trajectories t ON t.trajectory_ref = s.trajectory_ref
            WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.trajectory_id = t.id AND c.period = s.period)
        """)
        self.analyze("claims")

    def analyze(self, table: str) -> None:
        """Refresh PostgreSQL's statistics of a table the import just filled.

        Without it the planner still thinks a first import's tables are empty and joins millions
        of rows in nested loops, in the rest of the import and on the dashboards after it.
        """
        if self.postgresql:
            self.execute(f"ANALYZE {table}")

    def count(self, counts: FileCounts, sql: str) -> None:
        staged, new, changed = self.execute(sql).one()
        counts.imported = int(new or 0)
        counts.updated = int(changed or 0)
        counts.unchanged = int(staged) - counts.imported - counts.updated

    def drop_staging(self) -> None:
        for table in (_STAGE_TRAJECTORIES, _STAGE_CLAIMS):
            self.execute(f"DROP TABLE IF EXISTS {self.temp_schema}.{table}")

