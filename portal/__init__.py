"""The youth-care portal: application factory."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

from portal.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    """Create and configure the portal application."""
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=settings.instance_path or str(ROOT / "instance"),
        instance_relative_config=True,
    )
    configure(app, settings)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_cli(app)
    load_modules(app)

    from portal.access import check_declarations

    check_declarations(app)
    # Relate the ORM's models now, once per process, rather than in the first request each
    # server process handles (about 0.4 s, which made the first page of every worker slow).
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    return app


def configure(app: Flask, settings: Settings) -> None:
    """Translate the typed settings into Flask's configuration."""
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(
        PORTAL_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.resolved_database_url(app.instance_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="portal_session",
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_idle_minutes),
        # The cookie is sent again when the session changes, which includes when the person was
        # last seen (auth.sessions.SEEN_EVERY_SECONDS), not with every answer.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,
        # Views marked with security.large_uploads take more: the care-data import.
        MAX_IMPORT_CONTENT_LENGTH=settings.max_import_bytes + 1024 * 1024,
        # Imports uploaded on the web run in a thread after the response (tests turn this off).
        KPI_IMPORT_IN_BACKGROUND=True,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE="Europe/Amsterdam",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=False,
        PORTAL_MODULES=("consultations",),
    )
    app.config.update(settings.overrides)
    if settings.trusted_proxies:
        # Behind a proxy the client address (for throttling and the log) comes from its headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this application."""
    from portal import i18n
    from portal.extensions import babel, csrf, db, file_store, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    file_store.init_app(app)


def register_request_hooks(app: Flask) -> None:
    """Install the per-request rules: transactions, sessions, security headers, errors."""
    from portal import db as portal_db
    from portal import errors, i18n, labels, navigation, security
    from portal.auth import sessions

    portal_db.init_transactions(app)
    sessions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    labels.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount every feature."""
    from portal.admin.views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.evidence.views import bp as evidence_bp
    from portal.home.views import bp as home_bp
    from portal.kpi.views import bp as kpi_bp
    from portal.organisations.views import bp as organisations_bp
    from portal.rounds.views import bp as rounds_bp
    from portal.applications.views import bp as applications_bp
    from portal.governance.views import bp as governance_bp
    from portal.register.views import bp as register_bp
    from portal.screening.views import bp as screening_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(kpi_bp)
    app.register_blueprint(register_bp)
    app.register_blueprint(screening_bp)
    app.register_blueprint(governance_bp)


def load_modules(app: Flask) -> None:
    """Load the feature modules that live beside the core, each through its ``load(app)``."""
    import importlib

    for name in app.config["PORTAL_MODULES"]:
        importlib.import_module(name).load(app)


def register_cli(app: Flask) -> None:
    """Add the command-line groups."""
    from portal.auth.cli import register as register_auth_cli
    from portal.backup.cli import register as register_backup_cli
    from portal.demo.cli import register as register_demo_cli
    from portal.evidence.cli import register as register_evidence_cli
    from portal.governance.cli import register as register_governance_cli
    from portal.kpi.cli import register as register_kpi_cli

    register_auth_cli(app)
    register_backup_cli(app)
    register_demo_cli(app)
    register_evidence_cli(app)
    register_kpi_cli(app)
    register_governance_cli(app)
