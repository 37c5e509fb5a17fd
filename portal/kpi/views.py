"""The KPI pages: the provider's own figures, the municipality's market view, the council view and
the public scoreboard, each with CSV and XLSX downloads of its tables; and the upload of care data."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from forms.kpi import KpiImportForm, KpiSettingsForm, MunicipalityDashboardForm, ProviderDashboardForm, YearForm
from portal.access import public, roles
from portal.audit.services import record
from portal.clock import now
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.kpi import dashboards, uploads
from portal.kpi.cache import computed
from portal.kpi.charts import render as render_chart
from portal.kpi.engine import Period
from portal.kpi.importer import ImportStep
from portal.models import (
    BODY_ROLES,
    PROVIDER_ROLES,
    STAFF_ROLES,
    Body,
    ImportStatus,
    KpiImport,
    Municipality,
    OrganisationKind,
    Provider,
    Region,
    Role,
)
from portal.pages import render_form
from portal.security import large_uploads

bp = Blueprint("kpi", __name__)

DOWNLOAD = "/<table>.<any(csv, xlsx):fmt>"


# Globals rather than a context processor: the figure macros are imported without context.
bp.add_app_template_global(render_chart, "kpi_chart")
bp.add_app_template_global(dashboards.display_rows, "kpi_rows")


@bp.app_template_global("kpi_figures")
def render_figures(page: dashboards.Page, download: str, args: dict) -> Markup:
    """Return every table of the page with its charts and downloads (kpi/_figures.html, figure).

    Rendered once per language and download address and kept on the page: a kept page
    (portal.kpi.cache) is the same for everyone who gets it, and drawing its charts and formatting
    hundreds of figures was most of the time such a page took.
    """
    key = (str(get_locale()), download, tuple((name, str(value)) for name, value in args.items()))
    found = page.rendered.get(key)
    if found is None:
        figure = get_template_attribute("kpi/_figures.html", "figure")
        found = Markup("").join(figure(table, download, args) for table in page.tables)
        page.rendered[key] = found
    return found


@bp.record_once
def _load_number_formats(_state) -> None:
    """Load every language's number symbols at start-up, not in the first request with figures."""
    for code in LANGUAGES:
        dashboards.NumberFormat.of(Locale.parse(code))


def _years(form, municipality_ids: list[int], provider_id: int | None = None) -> Period:
    years = computed(db.session, ("years", tuple(municipality_ids), provider_id),
                     lambda: dashboards.data_years(db.session, municipality_ids, provider_id))
    form.set_years(years, default=max(years) if years else now().year)
    return Period(form.year.data, form.quarter_number)


def _download(page: dashboards.Page, table: str, fmt: str, name: str):
    found = page.table(table)
    if found is None:
        abort(404)
    return dashboards.download(found, fmt, f"{name}-{found.key}-{page.period}")


# Provider dashboard ---------------------------------------------------------------------------


def _provider_page():
    provider = g.membership.organisation
    if not isinstance(provider, Provider):
        abort(404)
    form = ProviderDashboardForm(formdata=request.args)
    # Where the provider has care changes only with the care data and the regions: kept like the figures.
    regions = computed(db.session, ("provider regions", provider.id),
                       lambda: dashboards.provider_regions(db.session, provider.id))
    form.region.choices = [SelectChoice(region.code, region.name) for region in regions]
    if not regions:
        return form, None, None
    region = next((r for r in regions if r.code == form.region.data), None)
    if region is None:
        if "regio" in request.args:
            abort(404)  # a region the provider has no care in: nothing to show, nothing to reveal
        region = regions[0]
        form.region.data = region.code
    ids = list(region.municipality_ids)
    period = _years(form, ids, provider.id)
    page = computed(
        db.session, ("provider", provider.id, region.id, period),
        lambda: dashboards.provider_dashboard(db.session, provider=provider, municipality_ids=ids, period=period),
    )
    return form, region, page


@bp.route("/kpi/aanbieder")
@roles(PROVIDER_ROLES)
def provider():
    """Show the provider's own KPIs against the region's anonymous benchmark."""
    form, region, page = _provider_page()
    args = {"regio": region.code, "jaar": page.period.year, "kwartaal": page.period.quarter or ""} if page else {}
    return render_template("kpi/provider.html", form=form, region=region, page=page, args=args,
                           download="kpi.provider_download")


@bp.route("/kpi/aanbieder" + DOWNLOAD)
@roles(PROVIDER_ROLES)
def provider_download(table: str, fmt: str):
    """Download one table of the provider's dashboard."""
    _form, _region, page = _provider_page()
    if page is None:
        abort(404)
    return _download(page, table, fmt, "kpi-aanbieder")


# Municipality dashboard -----------------------------------------------------------------------


def _staff_scope() -> tuple[Region, list[Municipality]]:
    """Return the staff member's region and the municipalities they may see."""
    organisation = g.membership.organisation
    if isinstance(organisation, Municipality):
        return organisation.region, [organisation]
    if isinstance(organisation, Region):
        return organisation, dashboards.region_municipalities(db.session, organisation.id)
    abort(404)


def _municipality_page():
    region, municipalities = _staff_scope()
    form = MunicipalityDashboardForm(formdata=request.args)
    form.municipality.choices = [SelectChoice("", _("All municipalities"))] + [SelectChoice(m.cbs_code, m.name) for m in municipalities]
    chosen = [m for m in municipalities if m.cbs_code == form.municipality.data] or municipalities
    if len(chosen) == len(municipalities):
        form.municipality.data = "" if len(municipalities) > 1 else municipalities[0].cbs_code
    ids = [m.id for m in chosen]
    codes, names = computed(db.session, ("product groups", tuple(ids)), lambda: (
        dashboards.product_groups(db.session, ids), dashboards.group_names(db.session, ids)))
    form.product_group.choices = [SelectChoice("", _("All product groups"))] + [
        SelectChoice(code, dashboards.group_name(code, names)) for code in codes
    ]
    if form.product_group.data not in codes:
        form.product_group.data = ""
    settings = dashboards.kpi_settings(db.session, region.id)
    growth = form.growth.data if form.growth.data and not form.growth.errors else settings.growth_threshold
    mix_points = form.mix_points.data if form.mix_points.data and not form.mix_points.errors else dashboards.DEFAULT_MIX_POINTS
    form.growth.data, form.mix_points.data = growth, mix_points
    period = _years(form, ids)
    args = {"jaar": period.year, "kwartaal": period.quarter or "", "gemeente": form.municipality.data,
            "productgroep": form.product_group.data, "groei": growth, "verschuiving": mix_points}

    # Every provider's address is the same but for its KvK number: built once, not once for each
    # of the hundreds of providers the page lists. Eight digits need no quoting in a path.
    provider_address = url_for("kpi.municipality_provider", kvk="KVK", **args)

    @cache  # a provider is linked from several tables of the page
    def link(kvk: str | None = None, product_group: str | None = None) -> str:
        if kvk:
            if kvk.isdigit():
                return provider_address.replace("/KVK", f"/{kvk}", 1)
            return url_for("kpi.municipality_provider", kvk=kvk, **args)
        if product_group:
            return url_for("kpi.municipality", **{**args, "productgroep": product_group}) + "#productgroepen"
        return url_for("kpi.municipality", **args) + "#samenvatting"

    # The links are built from args (and the scope from ids), so both are part of the key.
    page = computed(
        db.session, ("municipality", tuple(ids), period, tuple(args.items())),
        lambda: dashboards.municipality_dashboard(
            db.session, municipality_ids=ids, period=period, product_group=form.product_group.data or None,
            growth_threshold=growth, mix_points=mix_points, link=link, names=names,
        ),
    )
    return form, region, page, ids, args


@bp.route("/kpi/gemeente")
@roles(STAFF_ROLES)
def municipality():
    """Show where the money goes, how concentrated the market is, and the signals."""
    form, region, page, _ids, args = _municipality_page()
    form.validate()
    return render_template("kpi/municipality.html", form=form, region=region, page=page, args=args,
                           download="kpi.municipality_download")


@bp.route("/kpi/gemeente" + DOWNLOAD)
@roles(STAFF_ROLES)
def municipality_download(table: str, fmt: str):
    """Download one table of the municipality dashboard."""
    _form, _region, page, _ids, _args = _municipality_page()
    return _download(page, table, fmt, "kpi-gemeente")


def _provider_figures_page(kvk: str):
    _form, _region, market, ids, args = _municipality_page()
    provider = db.session.scalar(select(Provider).where(Provider.kvk_number == kvk))
    if provider is None:
        abort(404)
    page = computed(
        db.session, ("provider figures", provider.id, tuple(ids), market.period),
        lambda: dashboards.provider_figures(db.session, provider=provider, municipality_ids=ids, period=market.period),
    )
    if not page.extra["total"].clients and not page.extra["total"].spend and not page.extra["total"].previous_spend:
        abort(404)  # no care in these municipalities: not a provider of this market
    return provider, page, args


@bp.route("/kpi/gemeente/aanbieders/<kvk>")
@roles(STAFF_ROLES)
def municipality_provider(kvk: str):
    """Show the figures behind a provider's signals: its product mix now and before."""
    provider, page, args = _provider_figures_page(kvk)
    return render_template("kpi/provider_figures.html", provider=provider, page=page, args=args,
                           download="kpi.municipality_provider_download", download_args={"kvk": kvk, **args})


@bp.route("/kpi/gemeente/aanbieders/<kvk>" + DOWNLOAD)
@roles(STAFF_ROLES)
def municipality_provider_download(kvk: str, table: str, fmt: str):
    """Download one table of a provider's figures."""
    _provider, page, _args = _provider_figures_page(kvk)
    return _download(page, table, fmt, f"kpi-aanbieder-{kvk}")


# Council view -----------------------------------------------------------------------------


def _council_municipalities() -> list[Municipality] | list[dashboards.MunicipalityName]:
    organisation = g.membership.organisation
    if isinstance(organisation, Body):
        # Which municipalities a body sees changes only with the organisations: kept like the figures.
        return computed(db.session, ("body municipalities", organisation.id),
                        lambda: dashboards.body_municipalities(db.session, organisation.id))
    return _staff_scope()[1]


def _council_page():
    municipalities = _council_municipalities()
    form = YearForm(formdata=request.args)
    ids = [m.id for m in municipalities]
    period = _years(form, ids)
    page = computed(
        db.session, ("council", tuple(ids), period),
        lambda: dashboards.council_view(db.session, municipality_ids=ids, period=period),
    )
    return form, municipalities, page


@bp.route("/kpi/raad")
@roles(STAFF_ROLES | BODY_ROLES)
def council():
    """Show aggregated figures per municipality, every figure on fewer than 5 clients suppressed."""
    form, municipalities, page = _council_page()
    return render_template("kpi/council.html", form=form, municipalities=municipalities, page=page,
                           download="kpi.council_download", args={"jaar": page.period.year})


@bp.route("/kpi/raad" + DOWNLOAD)
@roles(STAFF_ROLES | BODY_ROLES)
def council_download(table: str, fmt: str):
    """Download one table of the council view."""
    _form, _municipalities, page = _council_page()
    return _download(page, table, fmt, "kpi-raad")


# Public scoreboard and its switch -----------------------------------------------------------


def _scoreboard_page(code: str):
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None or not dashboards.kpi_settings(db.session, region.id).scoreboard_public:
        abort(404)
    form = YearForm(formdata=request.args)
    ids = [m.id for m in region.municipalities]
    period = _years(form, ids)
    page = computed(
        db.session, ("scoreboard", region.id, period),
        lambda: dashboards.scoreboard(db.session, region=region, period=period),
    )
    return form, region, page


@bp.route("/openbaar/scorebord/<code>")
@public
def scoreboard(code: str):
    """Show drop-out, satisfaction and goal attainment per provider, when the region publishes them."""
    form, region, page = _scoreboard_page(code)
    return render_template("kpi/scoreboard.html", form=form, region=region, page=page,
                           download="kpi.scoreboard_download", args={"code": code, "jaar": page.period.year})


@bp.route("/openbaar/scorebord/<code>" + DOWNLOAD)
@public
def scoreboard_download(code: str, table: str, fmt: str):
    """Download one product group of the public scoreboard."""
    _form, _region, page = _scoreboard_page(code)
    return _download(page, table, fmt, f"scorebord-{code}")


@bp.route("/kpi/instellingen", methods=["GET", "POST"])
@roles(Role.REGION_ADMIN, of=OrganisationKind.REGION)
def settings():
    """Let the region administrator publish the scoreboard and set the growth signal."""
    region = g.membership.organisation
    current = dashboards.kpi_settings(db.session, region.id)
    form = KpiSettingsForm(obj=current)
    if form.validate_on_submit():
        before = {"scoreboard_public": current.scoreboard_public, "growth_threshold": current.growth_threshold}
        dashboards.save_kpi_settings(
            db.session, region_id=region.id, scoreboard_public=form.scoreboard_public.data,
            growth_threshold=form.growth_threshold.data,
        )
        changes = {key: [before[key], getattr(form, key).data] for key in before if before[key] != getattr(form, key).data}
        record(db.session, action="kpi_settings.updated", object_type="region", object_id=region.id,
               object_label=region.name, actor=current_user, organisation=region, changes=changes)
        flash(_("The KPI settings have been saved."), "success")
        return redirect(url_for("kpi.settings"))
    return render_form("kpi/settings.html", form, region=region, public=current.scoreboard_public)



# Importing care data --------------------------------------------------------------------------

#: Who may upload a region's care data: its administrator and its contract managers.
IMPORT_ROLES = {Role.REGION_ADMIN, Role.CONTRACT_MANAGER}
#: Imports listed on the upload page, newest first.
RECENT_IMPORTS = 20


@bp.route("/kpi/import", methods=["GET", "POST"])
@large_uploads
@roles(IMPORT_ROLES, of=OrganisationKind.REGION)
def imports():
    """Take the two CSV files of an import, check their headers, and start the import."""
    region = g.membership.organisation  # a region: the rule admits only regions' staff
    form = KpiImportForm()
    if form.validate_on_submit():
        trajectories, claims = form.trajectories.data, form.claims.data
        problems = uploads.check_uploads(trajectories.stream, trajectories.filename or "", claims.stream,
                                         claims.filename or "")
        for key, problem in problems.items():
            getattr(form, key).errors.append(problem)
        if not problems:
            try:
                entry = uploads.accept(db.session, region=region, user=current_user,
                                       trajectories=trajectories.stream, trajectories_name=trajectories.filename or "",
                                       claims=claims.stream, claims_name=claims.filename or "")
            except OSError as error:
                db.session.rollback()
                current_app.logger.error("Could not keep the files of a KPI import: %s", error)
                form.trajectories.errors.append(_("The files could not be stored. Nothing was saved; please try again later."))
            else:
                record(db.session, action="kpi_import.started", obj=entry, object_type="kpi_import",
                       object_label=f"{entry.trajectories_file}, {entry.claims_file}", actor=current_user,
                       organisation=region)
                db.session.commit()
                uploads.start(entry.id)
                return redirect(url_for("kpi.import_status", import_id=entry.id))
    recent = db.session.scalars(
        select(KpiImport).where(KpiImport.region_id == region.id).order_by(KpiImport.id.desc()).limit(RECENT_IMPORTS)
    ).all()
    return render_form("kpi/imports.html", form, region=region, recent=recent, ImportStatus=ImportStatus,
                       stopped=uploads.stopped_runs(current_app, recent))


@bp.route("/kpi/import/<int:import_id>")
@roles(IMPORT_ROLES, of=OrganisationKind.REGION)
def import_status(import_id: int):
    """Show how far an import has come, or what it did: counts per file and every rejected row."""
    region = g.membership.organisation  # a region: the rule admits only regions' staff
    entry = db.session.get(KpiImport, import_id)
    if entry is None or entry.region_id != region.id:
        abort(404)
    seen = uploads.progress(current_app, entry) if entry.status is ImportStatus.RUNNING else None
    described = len({(problem.file, problem.line) for problem in entry.problems})
    return render_template("kpi/import_status.html", entry=entry, progress=seen, steps=list(ImportStep),
                           stalled=uploads.stalled(entry, seen), ImportStatus=ImportStatus,
                           truncated=described < entry.trajectories_rejected + entry.claims_rejected)
