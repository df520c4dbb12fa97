"""Configuration read from the environment and an optional `.env` file.

Every setting is named ``SILVERPLATTER_<NAME>``.  Secrets are held as
``SecretStr`` so that printing the settings never shows them.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of one Silverplatter installation (one workspace per database)."""

    model_config = SettingsConfigDict(
        env_prefix="SILVERPLATTER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default="sqlite:///silverplatter.db",
        description="SQLAlchemy URL of the workspace database; SQLite file by default.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key that signs public links (opt-in, download, unsubscribe). When unset, the "
            "workspace's own key, generated when the workspace was made, is used."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the web server binds to.")
    port: int = Field(default=8000, description="Port the web server listens on.")
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure; set it when serving over HTTPS behind a proxy.",
    )
    scoring_worker: bool = Field(
        default=True,
        description="Score events accepted over HTTP in a thread of the web process.",
    )
    smtp_url: SecretStr | None = Field(
        default=None, description="SMTP server for outgoing mail, e.g. smtp://user:pw@host:587."
    )
    mail_from: str = Field(
        default="Silverplatter <no-reply@localhost>",
        description="Sender of the mail the product sends (opt-in confirmations, downloads).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address people reach the app at; links in mail and snippets start with it.",
    )
    tracking_rate_limit: int = Field(
        default=600,
        ge=0,
        description="Page views the tracking endpoint takes per minute from one address (0: any).",
    )
    worry_half_life_days: float = Field(
        default=90.0,
        gt=0,
        le=3650,
        description="Days in which a read worry fades to half in a worry profile.",
    )
    live_figures_up_to: int = Field(
        default=100_000,
        ge=0,
        description=(
            "Up to this many contacts the dashboard and the list KPIs are counted on every "
            "request; above it pages show a snapshot counted in the background."
        ),
    )
    redis_url: SecretStr | None = Field(
        default=None, description="Redis URL for the task queue; embedded queue when unset."
    )
    task_queue_path: str | None = Field(
        default=None,
        description=(
            "File of the embedded task queue (SQLite) when no Redis is configured; beside the "
            "workspace database by default."
        ),
    )
    send_rate: float = Field(
        default=0.0,
        ge=0,
        description="Messages per second one worker hands to the SMTP server in all (0: any).",
    )
    send_domain_rate: int = Field(
        default=0,
        ge=0,
        description="Messages per minute one worker sends to one recipient domain (0: any).",
    )
    send_connections: int = Field(
        default=16,
        ge=1,
        le=64,
        description="SMTP connections a worker hands messages over at once.",
    )
    send_claim_timeout: int = Field(
        default=600,
        ge=0,
        description="Seconds after which a message claimed by a worker that died is sent again.",
    )
    bounce_mailbox_url: SecretStr | None = Field(
        default=None,
        description="Mailbox bounces arrive in: imaps://user:pw@host/INBOX or pop3s://user:pw@host.",
    )
    bounce_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret a mail provider's bounce webhook must present.",
    )
    soft_bounce_limit: int = Field(
        default=3,
        ge=1,
        description="The soft bounce of one address within 30 days that counts as a hard one.",
    )

    def public_dict(self) -> dict[str, object]:
        """The settings with every secret masked, safe to print or log."""
        shown: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                shown[name] = "**********" if value.get_secret_value() else ""
            elif name == "database_url":
                shown[name] = mask_url_password(str(value))
            else:
                shown[name] = value
        return shown


def mask_url_password(url: str) -> str:
    """Hide the password part of a database URL."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
