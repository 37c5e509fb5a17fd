"""Settings: safe defaults for the demo, and a refusal to run production unsafely."""

import pytest

from portal import create_app
from portal.config import DEMO_SECRET_KEY, ConfigurationError, Settings, normalise_database_url


def test_the_demo_runs_on_sqlite_in_the_instance_folder(tmp_path):
    settings = Settings.from_env({"PORTAL_INSTANCE_PATH": str(tmp_path)})
    assert settings.environment == "demo"
    assert settings.mail_transport == "outbox"
    assert settings.resolved_database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/portal.sqlite3"


def test_production_refuses_the_demo_secret_and_sqlite():
    settings = Settings.from_env({"PORTAL_ENV": "production"})
    with pytest.raises(ConfigurationError) as refused:
        create_app(settings)
    message = str(refused.value)
    assert "PORTAL_SECRET_KEY" in message
    assert "PostgreSQL" in message
    assert "smtp" in message


def test_production_starts_with_real_settings_and_hardens_cookies(tmp_path):
    settings = Settings.from_env(
        {
            "PORTAL_ENV": "production",
            "PORTAL_SECRET_KEY": "s" * 40,
            "PORTAL_DATABASE_URL": "postgresql://portal@db.internal/portal",
            "PORTAL_MAIL_TRANSPORT": "smtp://mail.internal:25",
            "PORTAL_INSTANCE_PATH": str(tmp_path),
        }
    )
    assert settings.secret_key != DEMO_SECRET_KEY
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    # Two-step sign-in for staff cannot be switched off in production.
    assert settings.require_totp_for_staff is True


def test_behind_a_proxy_the_client_address_comes_from_its_header(tmp_path):
    from werkzeug.middleware.proxy_fix import ProxyFix

    settings = Settings(instance_path=str(tmp_path), trusted_proxies=1)
    assert isinstance(create_app(settings).wsgi_app, ProxyFix)
    assert not isinstance(create_app(Settings(instance_path=str(tmp_path))).wsgi_app, ProxyFix)


def test_two_step_sign_in_is_configurable_in_the_demo():
    assert Settings.from_env({}).require_totp_for_staff is False
    assert Settings.from_env({"PORTAL_REQUIRE_TOTP": "true"}).require_totp_for_staff is True


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"
