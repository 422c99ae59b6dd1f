"""The one Settings object: where hubbub keeps its data and which secrets it has.

Values come from the environment (``HUBBUB_*``), then from a ``.env`` file in the
working directory, then from the defaults below. Secrets are ``SecretStr`` so that
printing or logging the settings never shows them; use :func:`mask` to show one.
The business itself is described in ``hubbub.toml`` (see :mod:`hubbub.workspace`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "mask"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HUBBUB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "hubbub")
    database_url: str = ""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    workspace_file: Path = Path("hubbub.toml")

    # web
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr | None = None  # generated and kept in HOME when not given
    session_hours: int = 12
    # where hubbub is reachable from the internet, e.g. https://hubbub.larkspur.com: tracked
    # links in scheduled posts become {public_base_url}/l/CODE; empty: links stay as written
    public_base_url: str = ""

    # network credentials (used by sources/ and publish/)
    x_bearer_token: SecretStr | None = None
    x_client_id: SecretStr | None = None
    x_client_secret: SecretStr | None = None
    x_user_token: SecretStr | None = None  # OAuth 2.0 user access token (posting as the business)
    x_user_refresh_token: SecretStr | None = None  # renews x_user_token (hubbub auth x)
    x_api_url: str = "https://api.x.com"  # tests point this at a local fake
    x_monthly_read_cap: int | None = None  # posts read per calendar month; None: no cap
    x_cost_per_read: float = 0.005  # US dollars per post read (X pay-per-use)
    x_cost_per_write: float = 0.01  # US dollars per post written
    mastodon_base_url: str = ""
    mastodon_access_token: SecretStr | None = None
    bluesky_handle: str = ""
    bluesky_app_password: SecretStr | None = None
    bluesky_service_url: str = "https://bsky.social"  # tests point this at a local fake
    bluesky_jetstream_url: str = "wss://jetstream2.us-east.bsky.network/subscribe"

    # alerts: spikes sent by e-mail and webhook (hubbub.alerts); lists are comma-separated
    smtp_host: str = ""  # empty: no e-mail
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = ""
    smtp_starttls: bool = True  # STARTTLS before logging in (port 587); off for a local relay
    alert_emails: str = ""  # recipients, e.g. "owner@larkspur.com,manager@larkspur.com"
    alert_webhooks: str = ""  # URLs POSTed the alert as JSON
    alert_webhook_secret: SecretStr | None = None  # signs each body: X-Hubbub-Signature
    alert_k: float = 3.0  # a spike: the last 24 h above the 7-day mean + k standard deviations
    alert_min_mentions: int = 10  # fewer mentions in the last 24 h never make a volume spike
    alert_min_negative: int = 5  # fewer negative mentions never make a negative spike

    # reports: PDFs are printed by headless chromium (hubbub.report.pdf); empty: the first
    # of chromium, chromium-browser, google-chrome on PATH
    chromium: str = ""

    @property
    def resolved_database_url(self) -> str:
        """The database URL: ``HUBBUB_DATABASE_URL``, else SQLite in HUBBUB_HOME."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'hubbub.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()


def mask(secret: SecretStr | str | None) -> str:
    """Show a secret as its last four characters only, e.g. ``••••••3f9a``."""
    if secret is None:
        return "(not set)"
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if len(value) <= 8:
        return "•" * len(value)
    return "•" * 6 + value[-4:]
