"""Storing normalised trials: idempotent upserts keyed by registry id, skipping unchanged records by content hash."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from core.catalogue.records import NormalizedTrial, RejectedRecord
from core.models import Criterion, Site, Trial, TrialRaw, utcnow


@dataclass
class ImportReport:
    """What one import did: counts, and why each rejected record was rejected."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    cancelled: bool = False

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        text = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {len(self.rejected)} rejected"
        return text + (" (cancelled)" if self.cancelled else "")

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [r.model_dump() for r in self.rejected],
            "cancelled": self.cancelled,
        }


def _bars(values: Iterable[str]) -> str:
    vals = sorted({v for v in values if v})
    return "|" + "|".join(vals) + "|" if vals else ""


def _trial_row(t: NormalizedTrial, content_hash: str) -> dict:
    record = t.model_dump(mode="json", exclude={"raw"})
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
        "sponsor": t.sponsor,
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
    hashes = {t.registry_id: t.content_hash() for t in trials}
    existing = {
        rid: (tid, h)
        for rid, tid, h in session.execute(
            select(Trial.registry_id, Trial.id, Trial.content_hash).where(Trial.registry_id.in_(list(hashes)))
        )
    }
    changed: list[str] = []
    site_rows: list[dict] = []
    crit_rows: list[dict] = []
    raw_rows: list[dict] = []
    for t in trials:
        h = hashes[t.registry_id]
        if t.registry_id in existing:
            tid, old_hash = existing[t.registry_id]
            if old_hash == h:
                report.unchanged += 1
                continue
            session.execute(update(Trial).where(Trial.id == tid).values(**_trial_row(t, h)))
            for model in (Site, Criterion, TrialRaw):
                session.execute(delete(model).where(model.trial_id == tid))
            report.updated += 1
        else:
            tid = session.execute(insert(Trial).values(**_trial_row(t, h)).returning(Trial.id)).scalar_one()
            report.new += 1
        sites, crits, raw = _children(tid, t)
        site_rows += sites
        crit_rows += crits
        raw_rows.append(raw)
        changed.append(t.registry_id)
    if site_rows:
        session.execute(insert(Site), site_rows)
    if crit_rows:
        session.execute(insert(Criterion), crit_rows)
    if raw_rows:
        session.execute(insert(TrialRaw), raw_rows)
    return changed


def load_trial_record(session: Session, registry_id: str) -> NormalizedTrial | None:
    """The stored normalised record of one trial (without the raw input)."""
    record = session.scalar(select(Trial.record).where(Trial.registry_id == registry_id))
    return NormalizedTrial.model_validate(record) if record is not None else None
