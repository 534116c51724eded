"""Storing normalised trials: idempotent upserts keyed by registry id, skipping unchanged records by content hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from core.app_settings import read_setting, upsert_setting
from core.catalogue.search_index import write_search_rows
from core.domain.trial import ImportWarning, NormalizedTrial, RejectedRecord
from core.models import Criterion, Site, Trial, TrialRaw, utcnow


@dataclass
class ImportReport:
    """What one import did: counts, and why each rejected record was rejected."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)  # imported, but worth a look (first ones)
    records_with_warnings: int = 0
    cancelled: bool = False

    MAX_WARNINGS = 1_000  # a whole-registry import may warn about tens of thousands: keep the job result small

    def add_warnings(self, warnings: Iterable[ImportWarning]) -> None:
        """Note one record's warnings; past MAX_WARNINGS only the count of records grows."""
        warnings = list(warnings)
        if warnings:
            self.records_with_warnings += 1
            self.warnings.extend(warnings[: max(0, self.MAX_WARNINGS - len(self.warnings))])

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        text = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {len(self.rejected)} rejected"
        if self.records_with_warnings:
            text += f", {self.records_with_warnings} with warnings"
        return text + (" (cancelled)" if self.cancelled else "")

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [r.model_dump() for r in self.rejected],
            "warnings": [w.model_dump() for w in self.warnings],
            "records_with_warnings": self.records_with_warnings,
            "cancelled": self.cancelled,
        }


def split_bars(value: str | None) -> list[str]:
    """The values of a "|a|b|" column (phases, tags, countries) as a list."""
    return [v for v in (value or "").split("|") if v]


def _bars(values: Iterable[str]) -> str:
    vals = sorted({v for v in values if v})
    return "|" + "|".join(vals) + "|" if vals else ""


def record_and_hash(t: NormalizedTrial) -> tuple[dict, str]:
    """The stored record and its content hash, from a single dump of the model."""
    record = t.model_dump(mode="json", exclude={"raw"})
    # model_dump's key order is fixed by the model, so no sort is needed for a stable hash.
    blob = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    return record, hashlib.sha256(blob).hexdigest()


def _trial_row(t: NormalizedTrial, record: dict, content_hash: str) -> dict:
    return {
        "registry_id": t.registry_id,
        "source_format": t.source_format,
        "is_demo": t.is_demo,
        "brief_title": t.brief_title,
        "overall_status": t.overall_status,
        "study_type": t.study_type,
        "phases": _bars(t.phases),
        "tags": _bars(t.tags),
        "conditions": "; ".join(t.conditions),
        "countries": _bars(s.country or "" for s in t.sites),
        "intervention_types": _bars(i.type or "" for i in t.interventions),
        "sponsor": (t.sponsor or "")[:300] or None,  # the full name stays in the record
        "sex": t.sex,
        "minimum_age_years": t.minimum_age_years,
        "maximum_age_years": t.maximum_age_years,
        "healthy_volunteers": t.healthy_volunteers,
        "has_expanded_access": t.has_expanded_access,
        "start_date": t.start_date,
        "last_update_date": t.last_update_date,
        "record": record,
        "content_hash": content_hash,
        "updated_at": utcnow(),
    }


def _children(trial_id: int, t: NormalizedTrial) -> tuple[list[dict], list[dict], dict]:
    sites = [
        {
            "trial_id": trial_id,
            "facility": s.facility,
            "city": s.city,
            "country": s.country,
            "status": s.status,
            "latitude": s.latitude,
            "longitude": s.longitude,
        }
        for s in t.sites
    ]
    crits = [
        {"trial_id": trial_id, "kind": c.kind, "position": c.position, "level": c.level, "text": c.text}
        for c in t.criteria
    ]
    raw = t.raw if isinstance(t.raw, str) else json.dumps(t.raw, ensure_ascii=False) if t.raw is not None else ""
    return sites, crits, {"trial_id": trial_id, "raw_format": t.source_format, "raw": raw}


def store_trials(session: Session, trials: list[NormalizedTrial], report: ImportReport) -> list[str]:
    """Upsert one batch in the caller's transaction; returns the registry ids that were new or changed."""
    if not trials:
        return []
    conn = session.connection()  # Core statements: an ORM round trip per row would halve the import rate
    dumped = {t.registry_id: record_and_hash(t) for t in trials}
    hashes = {rid: h for rid, (_, h) in dumped.items()}
    existing = {
        rid: (tid, h)
        for rid, tid, h in conn.execute(
            select(Trial.registry_id, Trial.id, Trial.content_hash).where(Trial.registry_id.in_(list(hashes)))
        )
    }
    new: list[NormalizedTrial] = []
    changed: list[tuple[int, NormalizedTrial]] = []
    for t in trials:
        if t.registry_id not in existing:
            new.append(t)
        elif existing[t.registry_id][1] == hashes[t.registry_id]:
            report.unchanged += 1
        else:
            changed.append((existing[t.registry_id][0], t))
    for tid, t in changed:
        conn.execute(update(Trial).where(Trial.id == tid).values(**_trial_row(t, *dumped[t.registry_id])))
    if changed:
        ids = [tid for tid, _ in changed]
        for model in (Site, Criterion, TrialRaw):
            conn.execute(delete(model).where(model.trial_id.in_(ids)))
    stored: list[tuple[int, NormalizedTrial]] = list(changed)
    if new:
        rows = [_trial_row(t, *dumped[t.registry_id]) for t in new]
        result = conn.execute(insert(Trial).returning(Trial.id, sort_by_parameter_order=True), rows)
        stored += list(zip(result.scalars().all(), new, strict=True))
    report.new += len(new)
    report.updated += len(changed)
    site_rows: list[dict] = []
    crit_rows: list[dict] = []
    raw_rows: list[dict] = []
    for tid, t in stored:
        sites, crits, raw = _children(tid, t)
        site_rows += sites
        crit_rows += crits
        raw_rows.append(raw)
    _insert_many(conn, Site.__table__, site_rows)
    _insert_many(conn, Criterion.__table__, crit_rows)
    _insert_many(conn, TrialRaw.__table__, raw_rows)
    # Same transaction as the trial rows: a search never finds a trial that is not there, or misses one that is.
    write_search_rows(conn, stored, replace=bool(changed))
    if stored:
        bump_catalogue_version(session)
    return [t.registry_id for _, t in stored]


def _insert_many(conn, table, rows: list[dict]) -> None:  # noqa: ANN001
    """executemany straight on the driver: thousands of plain rows per batch, no per-row parameter processing."""
    if not rows:
        return
    columns = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, [tuple(r[c] for c in columns) for r in rows])


_VERSION_KEY = "catalogue_version"


def bump_catalogue_version(session: Session) -> None:
    """Mark the catalogue as changed (the retrieval index and match caches key on this)."""
    current = read_setting(session, _VERSION_KEY) or {}
    upsert_setting(session, _VERSION_KEY, {"version": int(current.get("version", 0)) + 1})


def catalogue_version(session: Session) -> str:
    return str((read_setting(session, _VERSION_KEY) or {}).get("version", 0))

