"""The ORM: typed SQLAlchemy 2 models of users, cases, trials, matches, drafts, reports, audit and jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(Base):
    """A signed-in browser: the cookie holds a random token, the database only its hash; revoked rows stay for the audit."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The one-time code that carries a new session from the login form to the route that sets the cookie.
    handoff_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_expires_at: Mapped[datetime | None]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(30), default="open", index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    age_years: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str] = mapped_column(String(10), default="unknown")
    diagnosis: Mapped[str] = mapped_column(String(500), default="")
    disease_status: Mapped[str | None] = mapped_column(String(100))
    prior_therapies: Mapped[list[Any]] = mapped_column(default=list)
    lines_of_therapy: Mapped[int | None]
    biomarkers: Mapped[list[Any]] = mapped_column(default=list)
    performance_status: Mapped[str | None] = mapped_column(String(60))
    pregnant: Mapped[bool | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    location_label: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    travel_radius_km: Mapped[float | None] = mapped_column(Float)
    extracted: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The intake form's submission key: a double click or a resubmitted form finds the case it already made.
    intake_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contact: Mapped[CaseContact | None] = relationship(back_populates="case", uselist=False)


class CaseContact(Base):
    """Personal data, kept apart from the clinical facts: never sent to an LLM."""

    __tablename__ = "case_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(500))
    # Phrases a reviewer marked private (a school, a sibling's name...): replaced before any text reaches a model.
    private_phrases: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")

    case: Mapped[Case] = relationship(back_populates="contact")


# The columns the catalogue's filters read, covered by an index on PostgreSQL so checking a text search's hits
# against the filters reads index entries, not the trial rows with their large records (bench/bench_explorer.py).
FILTER_COLUMNS = ("overall_status", "study_type", "phases", "minimum_age_years", "maximum_age_years", "sex",
                  "is_demo", "last_update_date")


class Trial(Base):
    """One study. Scalar columns serve SQL filters; `record` holds the whole normalised record."""

    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_id: Mapped[str] = mapped_column(String(40), unique=True)
    source_format: Mapped[str] = mapped_column(String(40))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    brief_title: Mapped[str] = mapped_column(Text, default="")
    overall_status: Mapped[str] = mapped_column(String(40), index=True)
    study_type: Mapped[str] = mapped_column(String(40), index=True)
    phases: Mapped[str] = mapped_column(String(120), default="")  # "|PHASE1|PHASE2|" for LIKE filters
    tags: Mapped[str] = mapped_column(String(200), default="")  # "|car_t|children|"
    conditions: Mapped[str] = mapped_column(Text, default="")  # "; "-joined, for search and display
    countries: Mapped[str] = mapped_column(Text, default="")  # "|France|Germany|"
    intervention_types: Mapped[str] = mapped_column(String(200), default="")
    sponsor: Mapped[str | None] = mapped_column(String(300), index=True)
    sex: Mapped[str] = mapped_column(String(10), default="ALL")
    minimum_age_years: Mapped[float | None] = mapped_column(Float)
    maximum_age_years: Mapped[float | None] = mapped_column(Float)
    healthy_volunteers: Mapped[bool | None]
    has_expanded_access: Mapped[bool | None]
    start_date: Mapped[date | None] = mapped_column(Date)
    last_update_date: Mapped[date | None] = mapped_column(Date, index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_trials_status_type", "overall_status", "study_type"),
        Index("ix_trials_status_updated", "overall_status", "last_update_date"),
        Index("ix_trials_status_phase_age", "overall_status", "phases", "minimum_age_years", "maximum_age_years"),
        # PostgreSQL only (migration 0011): SQLite's indexes already carry the row id.
        Index("ix_trials_id_filters", "id", postgresql_include=list(FILTER_COLUMNS)).ddl_if(dialect="postgresql"),
    )


class TrialRaw(Base):
    """The record exactly as it came in, kept apart so catalogue queries stay light."""

    __tablename__ = "trial_raw"

    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True)
    raw_format: Mapped[str] = mapped_column(String(40))
    raw: Mapped[str] = mapped_column(Text)


class TrialEmbedding(Base):
    """A trial's dense embedding for one encoder model, computed once by the embedding job and reused while
    the trial's content hash is unchanged."""

    __tablename__ = "trial_embeddings"

    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(80), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = (Index("ix_sites_trial_coords", "trial_id", "latitude", "longitude"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    facility: Mapped[str | None] = mapped_column(String(400))
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str | None] = mapped_column(String(40))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Criterion(Base):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    level: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)


class Match(Base):
    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    rank: Mapped[int | None]
    retrieval_score: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    passed_filters: Mapped[bool] = mapped_column(Boolean, default=True)
    filter_reasons: Mapped[list[Any]] = mapped_column(default=list)
    eligibility: Mapped[str] = mapped_column(String(30), default="unknown")  # likely eligible / unknown / likely not eligible
    met: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    not_met: Mapped[int] = mapped_column(Integer, default=0)
    deciding_criterion: Mapped[str | None] = mapped_column(Text)
    nearest_site: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    distance_km: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="candidate")  # candidate / selected / dismissed
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trial: Mapped[Trial] = relationship()
    verdicts: Mapped[list[CriterionVerdictRow]] = relationship(
        back_populates="match", cascade="all, delete-orphan", order_by="CriterionVerdictRow.id"
    )

    __table_args__ = (UniqueConstraint("case_id", "trial_id"),)


class CriterionVerdictRow(Base):
    __tablename__ = "criterion_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    criterion_text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(30))
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(10), default="rules")
    explanation: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str | None] = mapped_column(Text)

    match: Mapped[Match] = relationship(back_populates="verdicts")


class PromptVersion(Base):
    """An immutable prompt version; labels point at versions."""

    __tablename__ = "prompt_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int]
    template_text: Mapped[str] = mapped_column(Text)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("name", "version"),)


class PromptLabel(Base):
    __tablename__ = "prompt_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(30))
    version_id: Mapped[int] = mapped_column(ForeignKey("prompt_versions.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("name", "label"),)


class Comparison(Base):
    """A run of two prompt versions (each with an optional model override) over chosen (case, trial) items."""

    __tablename__ = "comparisons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prompt_name: Mapped[str] = mapped_column(String(80))
    left_version_id: Mapped[int] = mapped_column(ForeignKey("prompt_versions.id"))
    left_model: Mapped[str | None] = mapped_column(String(120))
    right_version_id: Mapped[int] = mapped_column(ForeignKey("prompt_versions.id"))
    right_model: Mapped[str | None] = mapped_column(String(120))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[ComparisonItem]] = relationship(
        back_populates="comparison", order_by="ComparisonItem.position", cascade="all, delete-orphan"
    )


class ComparisonItem(Base):
    """One (case, trial) of a comparison; trial_id is null for a case overview. `a_side` fixes the blind order."""

    __tablename__ = "comparison_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    comparison_id: Mapped[int] = mapped_column(ForeignKey("comparisons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"))
    a_side: Mapped[str] = mapped_column(String(5))  # left / right: which side is shown as "A" to judges

    comparison: Mapped[Comparison] = relationship(back_populates="items")
    outputs: Mapped[list[ComparisonOutput]] = relationship(cascade="all, delete-orphan", order_by="ComparisonOutput.side")

    __table_args__ = (UniqueConstraint("comparison_id", "position"),)


class ComparisonOutput(Base):
    """What one side wrote for one item, with its checks and figures, or why it failed."""

    __tablename__ = "comparison_outputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("comparison_items.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(5))  # left / right
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / done / failed
    error: Mapped[str | None] = mapped_column(Text)
    drafter: Mapped[str | None] = mapped_column(String(20))
    model: Mapped[str | None] = mapped_column(String(120))
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checks: Mapped[list[Any]] = mapped_column(default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("item_id", "side"),)


class ComparisonJudgement(Base):
    """A blind pairwise judgement: who preferred which side (stored as the side, not as A/B), and when."""

    __tablename__ = "comparison_judgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("comparison_items.id", ondelete="CASCADE"), index=True)
    judge: Mapped[str] = mapped_column(String(80))
    preferred: Mapped[str] = mapped_column(String(5))  # left / right / equal
    judged_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("item_id", "judge"),)


class Draft(Base):
    """A draft of one trial summary (trial_id set) or of the case overview (trial_id null)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    trial_id: Mapped[int | None] = mapped_column(ForeignKey("trials.id"))
    kind: Mapped[str] = mapped_column(String(10))  # trial / case
    status: Mapped[str] = mapped_column(String(30), default="queued", index=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claim_expires_at: Mapped[datetime | None]
    drafter: Mapped[str | None] = mapped_column(String(20))  # offline / llm
    model: Mapped[str | None] = mapped_column(String(120))
    prompt_version_id: Mapped[int | None] = mapped_column(ForeignKey("prompt_versions.id"))
    prompt_hash: Mapped[str | None] = mapped_column(String(64))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    latency_s: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    rounds: Mapped[int] = mapped_column(Integer, default=1)
    approvals: Mapped[list[Any]] = mapped_column(default=list)  # user ids that approved the current version
    override_reason: Mapped[str | None] = mapped_column(Text)
    # Blocking checks overridden at approval: [{check, category, reason, by, version}], for the approved version.
    overrides: Mapped[list[Any] | None] = mapped_column(default=list)
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    review_started_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]

    trial: Mapped[Trial | None] = relationship()
    versions: Mapped[list[DraftVersion]] = relationship(
        back_populates="draft", order_by="DraftVersion.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}


class DraftVersion(Base):
    """An immutable version of a draft's text, section by section, with its check results."""

    __tablename__ = "draft_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    sections: Mapped[dict[str, Any]] = mapped_column(JSON)  # section key -> text
    sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # section key -> [[sentence, [fields]]]
    author: Mapped[str] = mapped_column(String(120))  # username, or "offline drafter" / "llm:<model>"
    author_kind: Mapped[str] = mapped_column(String(10))  # model / user
    parent_id: Mapped[int | None] = mapped_column(Integer)
    checks: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("draft_id", "number"),)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    """An immutable released report version."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # What the report was made from (approved versions and trial records): the same sources make no new version.
    source_fingerprint: Mapped[str | None] = mapped_column(String(64))
    released_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("case_id", "version"),)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None]
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Who ran the latest attempt: "thread:host:pid" or "worker:host:pid".
    runner: Mapped[str | None] = mapped_column(String(120))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]


class AppSetting(Base):
    """Admin-editable settings and small persisted state (LLM settings, check config, sync state)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
