"""Settings, read from ``CLAIMLINE_*`` environment variables (and an optional ``.env`` file)."""

from __future__ import annotations

from datetime import time
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"


class Settings(BaseSettings):
    """Every setting of the application; see README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="CLAIMLINE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite at <data_dir>/claimline.db"
    )
    secret_key: str = DEFAULT_SECRET_KEY
    # Keyring with the data-encryption keys (AES-GCM) and the blind-index key. Kept apart from the
    # database and never written into backups. Default: <data_dir>/keys/keyring.json
    keyring_path: Path | None = None
    redis_url: str | None = None
    display_timezone: str = "Asia/Shanghai"
    business_hours_start: time = time(8, 0)
    business_hours_end: time = time(20, 0)
    session_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    max_body_bytes: int = 1_000_000
    https: bool = Field(default=False, description="Served over HTTPS: cookies get the Secure flag")
    log_level: str = "INFO"
    # Matching engine decisions (claimline/knowledge/data/THRESHOLDS.md explains the defaults).
    match_answer_threshold: float = Field(default=0.55, ge=0.0, le=1.0)
    match_clarify_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    match_alt_topic_share: float = Field(default=0.12, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError("生产环境不能使用默认密钥：请设置 CLAIMLINE_SECRET_KEY")
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("生产环境的 CLAIMLINE_SECRET_KEY 至少需要 32 个字符")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'claimline.db').resolve()}"

    @property
    def effective_keyring_path(self) -> Path:
        return self.keyring_path or (self.data_dir / "keys" / "keyring.json")


@cache
def get_settings() -> Settings:
    return Settings()
