"""Settings read from the environment and a `.env` file (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Every setting of the workbench; the README lists each environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data", description="Where the SQLite file, indexes and reports live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file in DATA_DIR.")
    demo_mode: bool | None = Field(
        default=None,
        description="Seed demo users, demo trials and demo cases on first start. Unset: on for the embedded SQLite "
        "default, off with a DATABASE_URL.",
    )

    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str = ""
    llm_temperature: float = 0.2
    llm_max_output_tokens: int = 1500
    llm_timeout_s: float = 60.0
    llm_concurrency: int = 4
    llm_max_retries: int = 3
    llm_price_input_per_million: float = 0.0
    llm_price_output_per_million: float = 0.0
    azure_openai_endpoint: str | None = None
    azure_openai_api_version: str | None = None
    azure_openai_deployment: str | None = None

    team_contact_name: str = Field(
        default="The Next Option team", description="Who the family's report names for questions about it."
    )
    team_contact_email: str | None = Field(default="team@nextoption.example.org", description="Shown in every report.")
    team_contact_phone: str | None = Field(default=None, description="Shown in every report when set.")

    claim_timeout_minutes: int = 30
    second_reviewer_required: bool = False
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    session_idle_minutes: int = 30
    session_max_hours: float = Field(default=12.0, description="A browser session ends this long after login, active or not.")
    match_top_k: int = 50
    dense_rerank: bool = Field(
        default=False,
        description="Fuse MiniLM similarity into matching and embed the catalogue after imports (needs the embedding extra).",
    )

    import_max_record_mb: float = Field(
        default=5.0, gt=0,
        description="Largest single study an import accepts, in MB; a bigger one is rejected by name, not read.",
    )

    job_runner: Literal["thread", "worker"] = Field(
        default="thread", description="Who runs long jobs: a thread of the app, or `python -m core worker` (PostgreSQL)."
    )
    worker_heartbeat_seconds: float = 10.0
    worker_stalled_after_seconds: float = 30.0
    llm_pause_probe_seconds: float = 10.0
    llm_pause_max_minutes: float = 30.0

    @property
    def demo_enabled(self) -> bool:
        """Demo data and accounts belong to the embedded try-it-out database, or to a database that asks for them."""
        return self.demo_mode if self.demo_mode is not None else self.database_url is None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'workbench.sqlite').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
