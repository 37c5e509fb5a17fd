"""Who may use the KPI dashboards and their downloads."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.kpi import dashboards
from portal.models import ImportStatus, KpiImport
from tests.conftest import World
from tests.matrices import FORM, STAFF, only, public

PROVIDERS = {"provider_admin", "provider_member"}
COUNCIL = STAFF | {"body_member"}
IMPORTERS = {"region_admin", "contract_manager"}

MATRIX = {
    ("kpi.provider", "/kpi/aanbieder"): only(PROVIDERS, "/kpi/aanbieder"),
    ("kpi.provider_download", "/kpi/aanbieder/<table>.<any(csv, xlsx):fmt>"): only(
        PROVIDERS, "/kpi/aanbieder/kengetallen.csv"
    ),
    ("kpi.municipality", "/kpi/gemeente"): only(STAFF, "/kpi/gemeente"),
    ("kpi.municipality_download", "/kpi/gemeente/<table>.<any(csv, xlsx):fmt>"): only(
        STAFF, "/kpi/gemeente/aanbieders.xlsx"
    ),
    ("kpi.municipality_provider", "/kpi/gemeente/aanbieders/<kvk>"): only(
        STAFF, lambda w: f"/kpi/gemeente/aanbieders/{w.provider.kvk_number}"
    ),
    ("kpi.municipality_provider_download", "/kpi/gemeente/aanbieders/<kvk>/<table>.<any(csv, xlsx):fmt>"): only(
        STAFF, lambda w: f"/kpi/gemeente/aanbieders/{w.provider.kvk_number}/productmix.csv"
    ),
    ("kpi.council", "/kpi/raad"): only(COUNCIL, "/kpi/raad"),
    ("kpi.council_download", "/kpi/raad/<table>.<any(csv, xlsx):fmt>"): only(COUNCIL, "/kpi/raad/gemeenten.csv"),
    ("kpi.scoreboard", "/openbaar/scorebord/<code>"): public(lambda w: f"/openbaar/scorebord/{w.region.code}"),
    ("kpi.scoreboard_download", "/openbaar/scorebord/<code>/<table>.<any(csv, xlsx):fmt>"): public(
        lambda w: f"/openbaar/scorebord/{w.region.code}/productgroep-beh.csv"
    ),
    ("kpi.settings", "/kpi/instellingen"): only({"region_admin"}, "/kpi/instellingen", FORM),
    ("kpi.imports", "/kpi/import"): only(IMPORTERS, "/kpi/import", FORM),
    ("kpi.import_status", "/kpi/import/<int:import_id>"): only(
        IMPORTERS, lambda w: f"/kpi/import/{_import_of(w.region).id}"
    ),
}


def prepare(world: World) -> None:
    """Give world.provider six trajectories in world.municipality and publish the scoreboard."""
    from tests.kpi import trajectory

    for number in range(6):
        trajectory(
            f"matrix-{number}", provider=world.provider, municipality=world.municipality,
            start="2025-01-06", request="2024-12-02", end="2025-06-30", reason="31", satisfaction=8,
            goals_met=True, claims={"2025-01": "500.00", "2025-02": "500.00"},
        )
    dashboards.save_kpi_settings(db.session, region_id=world.region.id, scoreboard_public=True, growth_threshold=15)
    db.session.add(KpiImport(imported_by_label="matrix", trajectories_file="t.csv", claims_file="c.csv",
                             status=ImportStatus.SUCCEEDED, region_id=world.region.id))
    db.session.commit()


def _import_of(region) -> KpiImport:
    return db.session.scalar(select(KpiImport).where(KpiImport.region_id == region.id))
