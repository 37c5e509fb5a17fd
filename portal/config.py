"""Typed settings, read from the environment with safe defaults for the demo."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

#: The secret key the demo runs with; production refuses to start with it.
DEMO_SECRET_KEY = "demo-only-secret-key-not-for-production"

_TRUE = {"1", "true", "yes", "on"}


class ConfigurationError(RuntimeError):
    """The settings are not safe or not complete for the chosen environment."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in _TRUE


@dataclass(frozen=True)
class Settings:
    """Everything the application can be configured with."""

    #: "demo" (the embedded default), "development", "test" or "production".
    environment: str = "demo"
    secret_key: str = DEMO_SECRET_KEY
    #: SQLAlchemy URL; None means a SQLite file under the instance folder.
    database_url: str | None = None
    #: Folder for the SQLite file, the local file store and other local state.
    instance_path: str | None = None
    #: "local" (a folder under the instance path) or an s3:// URL.
    file_store: str = "local"
    #: Endpoint of an S3-compatible store other than AWS (MinIO, Ceph, ...); credentials come
    #: from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
    s3_endpoint_url: str | None = None
    #: "outbox" keeps mail in the database for administrators to read; or smtp://host:port.
    mail_transport: str = "outbox"
    mail_sender: str = "Jeugdzorgportaal <noreply@portal.example.org>"
    #: Where Flask-Limiter keeps its counters: memory:// or redis://host:port.
    ratelimit_storage_uri: str = "memory://"
    #: Whether municipality staff must use two-factor login (always on in production).
    require_totp_for_staff: bool = False
    #: Minutes without a request after which a signed-in user is signed out.
    session_idle_minutes: int = 30
    #: Minutes a password-reset link stays valid.
    password_reset_minutes: int = 60
    #: Days an invitation link stays valid.
    invitation_days: int = 14
    #: Days before a council's formal-view deadline that the scheduled job reminds it.
    formal_view_reminder_days: int = 14
    #: Days before a consultation closes that the scheduled job reminds invited bodies without a reaction.
    reaction_reminder_days: int = 7
    #: Largest accepted upload in bytes.
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Largest accepted upload of care data (both CSV files together) in bytes.
    max_import_bytes: int = 1024 * 1024 * 1024
    #: The address people use to reach the portal; used in e-mailed links.
    base_url: str = "http://127.0.0.1:5000"
    #: How many reverse proxies in front of the app set X-Forwarded-For/-Proto (0: none).
    trusted_proxies: int = 0
    #: Login attempts that may fail per client address.
    login_rate_limit: str = "10 per 15 minutes"
    #: Extra Flask settings for tests and special deployments.
    overrides: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """Tell whether this is a real deployment."""
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the settings from PORTAL_* environment variables."""
        env = os.environ if environ is None else environ
        base = cls()
        environment = env.get("PORTAL_ENV", base.environment)
        production = environment == "production"
        return cls(
            environment=environment,
            secret_key=env.get("PORTAL_SECRET_KEY", base.secret_key),
            database_url=env.get("PORTAL_DATABASE_URL") or None,
            instance_path=env.get("PORTAL_INSTANCE_PATH") or None,
            file_store=env.get("PORTAL_FILE_STORE", base.file_store),
            s3_endpoint_url=env.get("PORTAL_S3_ENDPOINT_URL") or None,
            mail_transport=env.get("PORTAL_MAIL_TRANSPORT", base.mail_transport),
            mail_sender=env.get("PORTAL_MAIL_SENDER", base.mail_sender),
            ratelimit_storage_uri=env.get(
                "PORTAL_RATELIMIT_STORAGE_URI", base.ratelimit_storage_uri
            ),
            require_totp_for_staff=production
            or _flag(env.get("PORTAL_REQUIRE_TOTP"), base.require_totp_for_staff),
            session_idle_minutes=int(
                env.get("PORTAL_SESSION_IDLE_MINUTES", base.session_idle_minutes)
            ),
            formal_view_reminder_days=int(
                env.get("PORTAL_FORMAL_VIEW_REMINDER_DAYS", base.formal_view_reminder_days)
            ),
            reaction_reminder_days=int(env.get("PORTAL_REACTION_REMINDER_DAYS", base.reaction_reminder_days)),
            max_upload_bytes=int(env.get("PORTAL_MAX_UPLOAD_BYTES", base.max_upload_bytes)),
            max_import_bytes=int(env.get("PORTAL_MAX_IMPORT_BYTES", base.max_import_bytes)),
            base_url=env.get("PORTAL_BASE_URL", base.base_url).rstrip("/"),
            trusted_proxies=int(env.get("PORTAL_TRUSTED_PROXIES", base.trusted_proxies)),
        )

    def with_overrides(self, **changes) -> Settings:
        """Return a copy with some settings changed (used by tests)."""
        return replace(self, **changes)

    def check(self) -> None:
        """Refuse settings that are unsafe for production."""
        if not self.is_production:
            return
        problems = []
        if self.secret_key == DEMO_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("PORTAL_SECRET_KEY must be set to a random value of 32+ characters")
        if not self.database_url or self.database_url.startswith("sqlite"):
            problems.append("PORTAL_DATABASE_URL must point to PostgreSQL")
        if self.mail_transport == "outbox":
            problems.append("PORTAL_MAIL_TRANSPORT must be an smtp:// URL")
        if problems:
            raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))

    def resolved_database_url(self, instance_path: str) -> str:
        """Return the database URL, defaulting to a SQLite file in the instance folder."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return "sqlite:///" + str(Path(instance_path) / "portal.sqlite3")


def normalise_database_url(url: str) -> str:
    """Make postgres:// and postgresql:// URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
