"""Care-data imports uploaded by a region's staff: kept on disk, run in the background, watched.

An upload is checked (both headers) while the user waits, then its two files are written to a
folder of their own under the instance folder and the run is logged as running. The import
itself runs after the response, in a thread of the web process, one at a time per process
(PostgreSQL's advisory lock in the importer serialises processes). While it runs it writes its
step and the rows and bytes read so far to a small progress file beside the uploads: the import
is one database transaction, so its progress cannot be read from the database before it ends.
A heartbeat rewrites that file every few seconds while the run lives, so a run whose process has
gone is told from a busy one within minutes.
The folder is removed when the run ends, whatever the outcome: care data does not linger on disk.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import gettext
from sqlalchemy import select, update

from portal.clock import as_utc, now
from portal.extensions import db
from portal.kpi.importer import (
    CLAIM_COLUMNS,
    TRAJECTORY_COLUMNS,
    ImportStep,
    KpiImportError,
    Reason,
    check_header,
    import_files,
)
from portal.models import ImportStatus, KpiImport, Municipality, Region, User

log = logging.getLogger(__name__)

#: The files of a run, inside its folder.
TRAJECTORIES, CLAIMS, PROGRESS = "trajectories.csv", "claims.csv", "progress.json"
#: Seconds between writes of the progress file while a run is alive, even when it is waiting
#: for another import or busy with one long statement.
HEARTBEAT = 10.0
#: A run whose progress file has not been written for this long has stopped: the process that
#: ran it has gone (a restart, a recycled worker). Several heartbeats, for a machine under load.
STALLED_AFTER = timedelta(minutes=2)
#: Seconds between writes of the progress file as rows are read; every batch would be needlessly often.
_PROGRESS_INTERVAL = 0.5
#: One import at a time in this process; a second waits for the first.
_ONE_AT_A_TIME = threading.Lock()


def spool(app: Flask) -> Path:
    """Return the folder that holds the files of imports that have not finished."""
    return Path(app.instance_path) / "kpi-imports"


@dataclass(frozen=True)
class Progress:
    """Where a running import stands, as its progress file says."""

    #: The step the import is in; None while it waits for another import to finish.
    step: ImportStep | None
    #: Rows of the file being read, read so far (0 outside the reading steps).
    rows: int
    #: Share of the file being read that has been read, from 0 to 100 (None outside reading).
    percent: int | None
    #: When the progress file was last written.
    updated_at: datetime


def check_uploads(trajectories: BinaryIO, trajectories_name: str, claims: BinaryIO, claims_name: str) -> dict[str, str]:
    """Return a problem per file (keyed "trajectories" and "claims") whose header is wrong."""
    problems = {}
    for key, stream, name, columns in (("trajectories", trajectories, trajectories_name, TRAJECTORY_COLUMNS),
                                       ("claims", claims, claims_name, CLAIM_COLUMNS)):
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            check_header(text, name, columns)
        except KpiImportError as error:
            problems[key] = error.reason.translated(gettext) if isinstance(error.reason, Reason) else str(error)
        finally:
            text.detach()
            stream.seek(0)
    return problems


def accept(session, *, region: Region, user: User, trajectories: BinaryIO, trajectories_name: str,
           claims: BinaryIO, claims_name: str) -> KpiImport:
    """Log a new run and write its files to its folder; flush, never commit.

    Raises OSError when the files cannot be written; the folder is then removed again.
    """
    entry = KpiImport(
        imported_by_id=user.id, imported_by_label=f"{user.name} <{user.email}>",
        trajectories_file=os.path.basename(trajectories_name)[:255] or TRAJECTORIES,
        claims_file=os.path.basename(claims_name)[:255] or CLAIMS,
        status=ImportStatus.RUNNING, region_id=region.id,
    )
    session.add(entry)
    session.flush()
    folder = spool(current_app) / str(entry.id)
    try:
        folder.mkdir(parents=True, exist_ok=False)
        for stream, name in ((trajectories, TRAJECTORIES), (claims, CLAIMS)):
            with open(folder / name, "wb") as target:
                shutil.copyfileobj(stream, target, length=1024 * 1024)
                target.flush()
                os.fsync(target.fileno())
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return entry


def start(import_id: int) -> None:
    """Run an accepted import: in a thread, or before returning when the app says so (tests)."""
    app = current_app._get_current_object()
    if not app.config["KPI_IMPORT_IN_BACKGROUND"]:
        run(app, import_id)
        return
    threading.Thread(target=run, args=(app, import_id), name=f"kpi-import-{import_id}", daemon=True).start()


def run(app: Flask, import_id: int) -> None:
    """Import the files of an accepted run, then remove them; every outcome ends up in the log."""
    folder = spool(app) / str(import_id)
    try:
        # The heartbeat starts before waiting for another import: waiting is not having stopped.
        with _Watcher(folder / PROGRESS) as watcher, _ONE_AT_A_TIME, app.app_context():
            try:
                entry = db.session.get(KpiImport, import_id)
                if entry is None or entry.status is not ImportStatus.RUNNING or not folder.is_dir():
                    return
                municipality_ids = db.session.scalars(
                    select(Municipality.id).where(Municipality.region_id == entry.region_id)
                ).all()
                _import(entry, folder, municipality_ids, watcher)
            except Exception:
                # Not a refusal of the files but a fault (database gone, disk, a bug): undone, logged.
                log.exception("KPI import %s failed", import_id)
                db.session.rollback()
                fault = Reason("The import failed because of a fault on our side and was undone.")
                db.session.execute(
                    update(KpiImport).where(KpiImport.id == import_id, KpiImport.status == ImportStatus.RUNNING)
                    .values(status=ImportStatus.FAILED, finished_at=now(), error=fault, error_template=fault.template)
                )
                db.session.commit()
            finally:
                db.session.remove()
    finally:
        # After the heartbeat has stopped, so that it cannot write into the folder being removed.
        shutil.rmtree(folder, ignore_errors=True)


def _import(entry: KpiImport, folder: Path, municipality_ids: Iterable[int], watcher: _Watcher) -> None:
    with open(folder / TRAJECTORIES, "rb") as trajectories_raw, open(folder / CLAIMS, "rb") as claims_raw:
        watcher.read_from({ImportStep.READ_TRAJECTORIES: trajectories_raw, ImportStep.READ_CLAIMS: claims_raw})
        # utf-8-sig: spreadsheet programs often write a byte-order mark.
        trajectories = io.TextIOWrapper(trajectories_raw, encoding="utf-8-sig", newline="")
        claims = io.TextIOWrapper(claims_raw, encoding="utf-8-sig", newline="")
        try:
            import_files(db.session, trajectories=trajectories, claims=claims, log=entry,
                         trajectories_name=entry.trajectories_file, claims_name=entry.claims_file,
                         municipality_ids=list(municipality_ids), on_progress=watcher.report)
        except KpiImportError:
            pass  # the log says why; the care data is untouched
        db.session.commit()


class _Watcher:
    """Writes a run's progress to its file, replacing it whole each time: when the import reports
    (at most every ``_PROGRESS_INTERVAL``) and, from a thread of its own, every ``HEARTBEAT``
    while the run is alive. So a reader can tell a run that waits or is busy with one long
    statement (the figures take minutes on years of data) from one whose process has gone.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: dict[ImportStep, BinaryIO] = {}
        self.sizes: dict[ImportStep, int] = {}
        self.state: dict = {"step": None, "rows": 0, "percent": None}
        self.step: ImportStep | None = None
        self.written = 0.0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._beating = threading.Thread(target=self._beat, name=f"kpi-import-{path.parent.name}-heartbeat", daemon=True)

    def __enter__(self) -> _Watcher:
        self._write()
        self._beating.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stopped.set()
        self._beating.join()

    def read_from(self, files: dict[ImportStep, BinaryIO]) -> None:
        """Say which file each reading step reads, for the share of it read so far."""
        self.files = files
        self.sizes = {step: os.fstat(file.fileno()).st_size for step, file in files.items()}

    def report(self, step: ImportStep, rows: int) -> None:
        if step == self.step and time.monotonic() - self.written < _PROGRESS_INTERVAL:
            return
        self.step = step
        percent = None
        if step in self.files:
            size = self.sizes[step]
            percent = min(100, self.files[step].tell() * 100 // size) if size else 100
        self.state = {"step": step.value, "rows": rows, "percent": percent}
        self._write()

    def _beat(self) -> None:
        while not self._stopped.wait(HEARTBEAT):
            self._write()

    def _write(self) -> None:
        with self._lock:
            self.written = time.monotonic()
            try:
                with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False,
                                                 prefix=".progress-") as temporary:
                    json.dump(self.state, temporary)
                os.replace(temporary.name, self.path)
            except OSError:
                # The folder is gone (the run has ended), or the disk is full: then the page takes
                # the run for stopped after STALLED_AFTER, which a full disk will soon make true.
                pass


def progress(app: Flask, entry: KpiImport) -> Progress | None:
    """Return how far a running import has come (its step is None while it waits for another
    import), or None when it has no progress file: not started yet, or finished meanwhile."""
    path = spool(app) / str(entry.id) / PROGRESS
    try:
        data = json.loads(path.read_text())
        updated = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        step = ImportStep(data["step"]) if data["step"] is not None else None
        return Progress(step, int(data["rows"]), data["percent"], updated)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not started, finished meanwhile, or being replaced this instant


def stopped_runs(app: Flask, entries: Iterable[KpiImport]) -> set[int]:
    """Return the ids of the runs among ``entries`` that say "running" but have stopped."""
    return {entry.id for entry in entries
            if entry.status is ImportStatus.RUNNING and stalled(entry, progress(app, entry))}


def stalled(entry: KpiImport, seen: Progress | None) -> bool:
    """Tell whether a run that still says "running" has stopped without finishing."""
    if entry.status is not ImportStatus.RUNNING:
        return False
    last = seen.updated_at if seen else as_utc(entry.started_at)
    return now() - last > STALLED_AFTER
