"""Write a backup folder and restore one into an empty instance."""

from __future__ import annotations

import base64
import enum
import gzip
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from alembic.migration import MigrationContext
from sqlalchemy import JSON, Date, DateTime, Enum, LargeBinary, Numeric, Table, Time, func, select, text
from sqlalchemy.engine import Connection, Engine

from portal.clock import now
from portal.db import Base
from portal.files.store import FileStore

FORMAT = "portal-backup/1"
MANIFEST = "manifest.json"
BATCH = 2000


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why."""


@dataclass
class Report:
    """What a backup or restore did: rows per table and files."""

    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    missing_files: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# Values by column type --------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column_type) -> Any:
    """Return the function that turns a written value back into what the column takes."""
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return column_type.enum_class
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Time):
        return time.fromisoformat
    if isinstance(column_type, Numeric) and column_type.asdecimal:
        return Decimal
    if isinstance(column_type, LargeBinary):
        return base64.b64decode
    if isinstance(column_type, JSON):
        return None
    return None


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _revision(connection: Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Backup -----------------------------------------------------------------------------------------

def create_backup(engine: Engine, store: FileStore, target: Path) -> Report:
    """Write the whole database and every stored file to target, a new or empty folder."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; choose a new folder for the backup.")
    (target / "tables").mkdir(parents=True, exist_ok=True)
    (target / "files").mkdir(exist_ok=True)
    report = Report()
    manifest: dict[str, Any] = {"format": FORMAT, "created": now().isoformat(), "tables": {}}
    # One repeatable-read snapshot where the database offers it, so tables agree with each other.
    with engine.connect().execution_options(isolation_level=_snapshot_level(engine)) as connection:
        with connection.begin():
            manifest["revision"] = _revision(connection)
            for table in _tables():
                path = target / "tables" / f"{table.name}.jsonl.gz"
                count = _write_table(connection, table, path)
                report.rows[table.name] = count
                manifest["tables"][table.name] = {
                    "columns": [column.name for column in table.columns],
                    "rows": count,
                    "sha256": _sha256(path),
                }
            files = _copy_files(connection, store, target / "files", report)
    manifest["files"] = files
    manifest["missing_files"] = report.missing_files
    # Written last: a folder without a manifest is an unfinished backup and is never restored.
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return report


def _snapshot_level(engine: Engine) -> str:
    return "REPEATABLE READ" if engine.dialect.name == "postgresql" else "SERIALIZABLE"


def _write_table(connection: Connection, table: Table, path: Path) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*order)
    )
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in result:
            out.write(json.dumps([_encode(value) for value in row], ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def _copy_files(connection: Connection, store: FileStore, folder: Path, report: Report) -> dict[str, dict]:
    stored = Base.metadata.tables["stored_files"]
    files: dict[str, dict] = {}
    for key, sha256, size in connection.execute(
        select(stored.c.key, stored.c.sha256, stored.c.size).order_by(stored.c.id)
    ):
        if not store.exists(key):
            report.missing_files.append(key)
            continue
        with store.open(key) as source, (folder / key).open("wb") as copy:
            shutil.copyfileobj(source, copy)
        actual = _sha256(folder / key)
        if actual != sha256:
            raise BackupError(f"The stored file {key} does not match its checksum; the file store is damaged.")
        files[key] = {"sha256": sha256, "size": size}
        report.files += 1
        report.file_bytes += size
    return files


# Check and restore ------------------------------------------------------------------------------

def read_manifest(source: Path) -> dict[str, Any]:
    """Read and check a backup's manifest and the checksums of everything it lists."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: it is not a backup, or the backup did not finish.") from None
    except ValueError as error:
        raise BackupError(f"{MANIFEST} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a backup in the format {FORMAT}.")
    for name, entry in manifest["tables"].items():
        path = source / "tables" / f"{name}.jsonl.gz"
        if not path.exists() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"The table file of {name} is missing or damaged.")
    for key, entry in manifest["files"].items():
        path = source / "files" / key
        if not path.exists() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"The stored file {key} is missing from the backup or damaged.")
    return manifest


def restore_backup(engine: Engine, store: FileStore, source: Path) -> Report:
    """Load a backup into this instance, which must be migrated to the same revision and hold no
    organisations or users (rows that migrations seed, such as the evidence catalogue, are
    replaced). Either everything is restored or nothing: files put in are removed on failure."""
    source = Path(source)
    manifest = read_manifest(source)
    tables = {table.name: table for table in _tables()}
    unknown = sorted(set(manifest["tables"]) - set(tables))
    if unknown:
        raise BackupError(f"The backup has tables this version does not know: {', '.join(unknown)}.")
    report = Report()
    put_keys: list[str] = []
    try:
        with engine.begin() as connection:
            revision = _revision(connection)
            if revision != manifest["revision"]:
                raise BackupError(
                    f"The database is at revision {revision}, the backup at {manifest['revision']}; "
                    "migrate this instance to the backup's revision first."
                )
            _require_empty(connection, tables)
            for table in reversed(_tables()):
                if connection.execute(select(func.count()).select_from(table)).scalar_one():
                    connection.execute(table.delete())
            for table in _tables():
                entry = manifest["tables"].get(table.name)
                if entry is None:
                    continue
                report.rows[table.name] = _load_table(connection, table, entry, source)
                if report.rows[table.name] != entry["rows"]:
                    raise BackupError(f"{table.name}: {report.rows[table.name]} rows read, {entry['rows']} expected.")
            _reset_sequences(connection, tables.values())
            for key, entry in manifest["files"].items():
                if not store.exists(key):
                    with (source / "files" / key).open("rb") as handle:
                        store.backend.put(key, handle)
                    put_keys.append(key)
                report.files += 1
                report.file_bytes += entry["size"]
    except Exception:
        for key in put_keys:
            store.delete(key)
        raise
    return report


def _require_empty(connection: Connection, tables: dict[str, Table]) -> None:
    for name in ("organisations", "users"):
        if connection.execute(select(func.count()).select_from(tables[name])).scalar_one():
            raise BackupError(
                "This instance already holds organisations or users; restore only into an empty instance."
            )


def _rows(path: Path) -> Iterator[list]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _load_table(connection: Connection, table: Table, entry: dict, source: Path) -> int:
    columns = entry["columns"]
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise BackupError(f"{table.name}: the backup has columns this version does not know: {', '.join(missing)}.")
    decoders = [_decoder(table.columns[name].type) for name in columns]
    batch: list[dict] = []
    count = 0
    for values in _rows(source / "tables" / f"{table.name}.jsonl.gz"):
        batch.append({
            name: (decode(value) if decode is not None and value is not None else value)
            for name, decode, value in zip(columns, decoders, values)
        })
        if len(batch) == BATCH:
            connection.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(connection: Connection, tables) -> None:
    """PostgreSQL hands out ids from sequences; move each past the highest restored id."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not key[0].autoincrement or key[0].type.python_type is not int:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": key[0].name}
        ).scalar()
        if sequence:
            connection.execute(
                text(f"SELECT setval(:sequence, COALESCE((SELECT MAX({key[0].name}) FROM {table.name}), 1), "
                     f"(SELECT MAX({key[0].name}) FROM {table.name}) IS NOT NULL)"),
                {"sequence": sequence},
            )
