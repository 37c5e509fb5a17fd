"""Helpers for the KPI stories: a fixed cast with known codes, and trajectories made to order."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from portal.extensions import db
from portal.kpi import uploads
from portal.kpi.importer import ImportResult, ImportStep, import_files
from portal.kpi.summary import refresh_summaries
from portal.models import Claim, Municipality, Provider, Region, Trajectory
from tests import factories

DATA = Path(__file__).parent / "data"
TRAJECTORY_HEADER = (
    "trajectory_ref,client_ref,municipality_code,provider_kvk,product_group,product_code,referrer,"
    "request_date,start_date,end_date,end_reason,satisfaction,goals_met"
)
CLAIM_HEADER = "trajectory_ref,period,amount_granted"


@dataclass
class Cast:
    """A region with two municipalities and three providers whose codes the sample files use."""

    region: Region
    municipality: Municipality
    other_municipality: Municipality
    provider: Provider
    other_provider: Provider
    third_provider: Provider


def make_cast() -> Cast:
    """Create the organisations the CSV samples in tests/kpi/data refer to."""
    region = factories.RegionFactory(name="Regio KPI", code="R-KPI")
    return Cast(
        region=region,
        municipality=factories.MunicipalityFactory(region=region, name="Meetdorp", cbs_code="GM9801"),
        other_municipality=factories.MunicipalityFactory(region=region, name="Telstad", cbs_code="GM9802"),
        provider=factories.ProviderFactory(name="Zorg Een", kvk_number="90000001"),
        other_provider=factories.ProviderFactory(name="Zorg Twee", kvk_number="90000002"),
        third_provider=factories.ProviderFactory(name="Zorg Drie", kvk_number="90000003"),
    )


def csv_text(header: str, *rows: str) -> io.StringIO:
    """Return an in-memory CSV file with the header and rows."""
    return io.StringIO("\n".join((header, *rows)) + "\n")


def trajectory_row(ref="T-1", **changes) -> str:
    """Return one line of a trajectories file: a valid row for the cast, with the changes."""
    values = {
        "trajectory_ref": ref, "client_ref": "C-1", "municipality_code": "GM9801", "provider_kvk": "90000001",
        "product_group": "BEH", "product_code": "45A12", "referrer": "wijkteam", "request_date": "2025-01-01",
        "start_date": "2025-01-10", "end_date": "", "end_reason": "", "satisfaction": "", "goals_met": "",
    }
    values.update(changes)
    return ",".join(values[column] for column in TRAJECTORY_HEADER.split(","))


def run_import(trajectories: str | io.StringIO, claims: str | io.StringIO | None = None, **options) -> ImportResult:
    """Import files from tests/kpi/data (by name) or in-memory CSVs, and commit like the CLI."""
    streams = []
    for given, header in ((trajectories, TRAJECTORY_HEADER), (claims, CLAIM_HEADER)):
        if given is None:
            streams.append(csv_text(header))
        elif isinstance(given, str):
            streams.append(open(DATA / given, encoding="utf-8-sig", newline=""))  # noqa: SIM115
        else:
            streams.append(given)
    try:
        result = import_files(db.session, trajectories=streams[0], claims=streams[1], **options)
    finally:
        for stream in streams:
            stream.close()
    db.session.commit()
    return result


def trajectory(
    ref: str,
    *,
    provider: Provider,
    municipality: Municipality,
    client: str | None = None,
    start: str,
    request: str | None = None,
    end: str | None = None,
    reason: str | None = None,
    satisfaction: int | None = None,
    goals_met: bool | None = None,
    product_group: str = "BEH",
    claims: dict[str, str] | None = None,
) -> Trajectory:
    """Store a trajectory (and its claims, {"2025-01": "100.00"}) as an import would."""
    row = Trajectory(
        trajectory_ref=ref,
        client_ref=client or f"client-{ref}",
        municipality_id=municipality.id,
        provider_id=provider.id,
        product_group=product_group,
        product_code="45A12",
        referrer="wijkteam",
        request_date=date.fromisoformat(request or start),
        start_date=date.fromisoformat(start),
        end_date=date.fromisoformat(end) if end else None,
        end_reason=reason,
        satisfaction=satisfaction,
        goals_met=goals_met,
    )
    row.claims = [
        Claim(period=date.fromisoformat(month + "-01"), amount_granted=Decimal(amount))
        for month, amount in (claims or {}).items()
    ]
    db.session.add(row)
    refresh_summaries(db.session)  # as the importer does after every import
    db.session.commit()
    return row


@contextmanager
def paused_import(step: ImportStep) -> Iterator[threading.Event]:
    """Hold an uploaded import running in the background once it reports rows in a step.

    Yields an event set when the import is held; it goes on when the block ends. Every report
    is written to the progress file, so a page shows exactly where the import was held.
    """
    reached, go_on = threading.Event(), threading.Event()
    report, interval = uploads._Watcher.report, uploads._PROGRESS_INTERVAL

    def report_and_hold(watcher, reported: ImportStep, rows: int) -> None:
        report(watcher, reported, rows)
        if reported is step and rows:
            reached.set()
            go_on.wait(timeout=30)

    uploads._Watcher.report, uploads._PROGRESS_INTERVAL = report_and_hold, 0
    try:
        yield reached
    finally:
        go_on.set()
        uploads._Watcher.report, uploads._PROGRESS_INTERVAL = report, interval
