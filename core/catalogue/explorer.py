"""The analysts' catalogue explorer: filters, paging and sorting in SQL, facet counts for charts, exports."""

from __future__ import annotations

import contextlib
import json
import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from core.catalogue.records import NormalizedTrial
from core.db import session_scope
from core.errors import NotFound
from core.models import Site, Trial, TrialRaw
from core.permissions import Actor, requires
from core.tabular_export import export_table

SORTS: dict[str, Any] = {
    "last update (newest)": Trial.last_update_date.desc(),
    "start date (newest)": Trial.start_date.desc(),
    "registry id": Trial.registry_id.asc(),
    "title": Trial.brief_title.asc(),
}
_LIST_PARAMS = ("status", "phase", "study_type", "intervention_type", "tag", "country")


class ExplorerFilter(BaseModel):
    """Everything an analyst can filter on; round-trips through URL query parameters."""

    text: str = ""
    status: list[str] = Field(default_factory=list)
    phase: list[str] = Field(default_factory=list)
    study_type: list[str] = Field(default_factory=list)
    intervention_type: list[str] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list)
    age: float | None = None
    sex: Literal["", "female", "male"] = ""
    sponsor: str = ""
    updated_since: date | None = None
    near_lat: float | None = None
    near_lon: float | None = None
    radius_km: float | None = None
    demo: Literal["", "only", "hide"] = ""

    def to_query_params(self) -> dict[str, str | list[str]]:
        out: dict[str, str | list[str]] = {}
        for key, value in self.model_dump(mode="json").items():
            if value in (None, "", []):
                continue
            out[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
        return out

    @classmethod
    def from_query_params(cls, params: dict[str, Any]) -> tuple[ExplorerFilter, list[str]]:
        """Read a filter from the URL; a bad parameter is ignored with a message naming it."""
        data: dict[str, Any] = {}
        problems: list[str] = []
        for key in cls.model_fields:
            if key not in params:
                continue
            raw = params[key]
            data[key] = raw if key in _LIST_PARAMS else (raw[0] if isinstance(raw, list) and raw else raw)
            if key in _LIST_PARAMS and isinstance(raw, str):
                data[key] = [raw]
        try:
            return cls(**data), problems
        except Exception:  # validate field by field so one bad value does not drop the rest
            good: dict[str, Any] = {}
            for key, value in data.items():
                try:
                    cls(**{key: value})
                    good[key] = value
                except Exception:
                    problems.append(f"ignored the URL parameter {key}={value!r}: not a valid value")
            return cls(**good), problems


class TrialRow(BaseModel):
    registry_id: str
    title: str
    status: str
    study_type: str
    phases: str
    sponsor: str | None
    conditions: str
    ages: str
    sex: str
    last_update: date | None
    is_demo: bool


COUNT_CAP = 10_000  # counting stops here: a broad filter costs the same at 50,000 or 550,000 trials


class TrialPage(BaseModel):
    rows: list[TrialRow]
    total: int
    total_is_capped: bool = False  # True: at least `total` trials match
    page: int
    page_size: int


class TrialDetail(BaseModel):
    trial: NormalizedTrial
    raw_format: str
    raw: str


def _bar(values: list[str]) -> list[Any]:
    return [f"%|{v}|%" for v in values]


def _where(stmt: Select, flt: ExplorerFilter) -> Select:
    conds = []
    if flt.text.strip():
        like = f"%{flt.text.strip().lower()}%"
        conds.append(or_(func.lower(Trial.brief_title).like(like), func.lower(Trial.conditions).like(like),
                         func.lower(Trial.registry_id).like(like)))
    if flt.status:
        conds.append(Trial.overall_status.in_(flt.status))
    if flt.study_type:
        conds.append(Trial.study_type.in_(flt.study_type))
    for column, values in ((Trial.phases, flt.phase), (Trial.tags, flt.tag), (Trial.intervention_types, flt.intervention_type),
                           (Trial.countries, flt.country)):
        if values:
            conds.append(or_(*[column.like(v) for v in _bar(values)]))
    if flt.age is not None:
        conds.append(or_(Trial.minimum_age_years.is_(None), Trial.minimum_age_years <= flt.age))
        conds.append(or_(Trial.maximum_age_years.is_(None), Trial.maximum_age_years >= flt.age))
    if flt.sex:
        conds.append(Trial.sex.in_(["ALL", flt.sex.upper()]))
    if flt.sponsor.strip():
        conds.append(func.lower(Trial.sponsor).like(f"%{flt.sponsor.strip().lower()}%"))
    if flt.updated_since:
        conds.append(Trial.last_update_date >= flt.updated_since)
    if flt.demo == "only":
        conds.append(Trial.is_demo.is_(True))
    elif flt.demo == "hide":
        conds.append(Trial.is_demo.is_(False))
    if flt.near_lat is not None and flt.near_lon is not None and flt.radius_km:
        # A bounding box in SQL (indexable); the page shows exact distances for what it displays.
        dlat = flt.radius_km / 111.0
        dlon = min(180.0, flt.radius_km / max(1.0, 111.0 * abs(math.cos(math.radians(flt.near_lat)))))
        conds.append(
            exists().where(
                Site.trial_id == Trial.id,
                Site.latitude.between(flt.near_lat - dlat, flt.near_lat + dlat),
                Site.longitude.between(flt.near_lon - dlon, flt.near_lon + dlon),
            )
        )
    return stmt.where(and_(*conds)) if conds else stmt


def _ages(lo: float | None, hi: float | None) -> str:
    if lo is None and hi is None:
        return "any age"
    return f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'} y"


@requires("catalogue.view")
def search_trials(actor: Actor, flt: ExplorerFilter, *, page: int = 1, page_size: int = 50,
                  sort: str = "last update (newest)") -> TrialPage:
    """One page of the filtered catalogue, counted and sorted in SQL."""
    page_size = max(1, min(page_size, 500))
    cols = (Trial.registry_id, Trial.brief_title, Trial.overall_status, Trial.study_type, Trial.phases, Trial.sponsor,
            Trial.conditions, Trial.minimum_age_years, Trial.maximum_age_years, Trial.sex, Trial.last_update_date, Trial.is_demo)
    with session_scope() as s:
        capped = _where(select(Trial.id), flt).limit(COUNT_CAP + 1).subquery()
        total = s.scalar(select(func.count()).select_from(capped)) or 0
        stmt = _where(select(*cols), flt).order_by(SORTS.get(sort, SORTS["registry id"]), Trial.id)
        rows = s.execute(stmt.offset((max(page, 1) - 1) * page_size).limit(page_size)).all()
    return TrialPage(
        rows=[
            TrialRow(registry_id=r[0], title=r[1], status=r[2], study_type=r[3], phases=r[4].strip("|").replace("|", ", "),
                     sponsor=r[5], conditions=r[6][:200], ages=_ages(r[7], r[8]), sex=r[9], last_update=r[10], is_demo=r[11])
            for r in rows
        ],
        total=min(total, COUNT_CAP), total_is_capped=total > COUNT_CAP, page=page, page_size=page_size,
    )


def _split_counts(s: Session, column: Any, flt: ExplorerFilter, limit: int) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for value, n in s.execute(_where(select(column, func.count(Trial.id)), flt).group_by(column)):
        for part in (value or "").strip("|").split("|"):
            if part:
                counts[part] = counts.get(part, 0) + n
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


@requires("catalogue.view")
def facet_counts(actor: Actor, flt: ExplorerFilter, *, limit: int = 15) -> dict[str, list[tuple[str, int]]]:
    """Counts of the filtered set by phase, status, study type, start year, country and top sponsors."""
    with session_scope() as s:
        simple = {
            "status": Trial.overall_status,
            "study type": Trial.study_type,
            "sponsor": Trial.sponsor,
        }
        out = {}
        for name, column in simple.items():
            rows = s.execute(
                _where(select(column, func.count(Trial.id)), flt).where(column.is_not(None)).group_by(column)
                .order_by(func.count(Trial.id).desc()).limit(limit)
            ).all()
            out[name] = [(str(v), int(n)) for v, n in rows]
        year = func.extract("year", Trial.start_date) if s.bind.dialect.name != "sqlite" else func.strftime("%Y", Trial.start_date)
        rows = s.execute(
            _where(select(year, func.count(Trial.id)), flt).where(Trial.start_date.is_not(None)).group_by(year).order_by(year)
        ).all()
        out["start year"] = [(str(int(float(v))), int(n)) for v, n in rows]
        out["phase"] = _split_counts(s, Trial.phases, flt, limit)
        out["country"] = _split_counts(s, Trial.countries, flt, limit)
    return out


@requires("catalogue.export")
def export_trials(actor: Actor, flt: ExplorerFilter, fmt: Literal["csv", "xlsx"] = "csv", *, limit: int = 100_000) -> bytes:
    """The filtered set as CSV or Excel, read in pages so memory stays bounded."""
    header = list(TrialRow.model_fields)
    rows: list[list[Any]] = []
    page = 1
    while len(rows) < limit:
        chunk = search_trials(actor, flt, page=page, page_size=500, sort="registry id").rows
        if not chunk:
            break
        rows += [[getattr(r, h) for h in header] for r in chunk]
        page += 1
    return export_table({"trials": [header, *rows[:limit]]}, fmt)


@requires("catalogue.view")
def get_trial_detail(actor: Actor, registry_id: str) -> TrialDetail:
    """Every normalised field, the parsed criteria, the sites and the raw record of one trial."""
    with session_scope() as s:
        row = s.execute(
            select(Trial.record, TrialRaw.raw_format, TrialRaw.raw)
            .outerjoin(TrialRaw, TrialRaw.trial_id == Trial.id)
            .where(Trial.registry_id == registry_id)
        ).first()
        if row is None:
            raise NotFound(f"No trial {registry_id} in the catalogue.")
        raw = row[2] or ""
        with contextlib.suppress(ValueError):
            raw = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        return TrialDetail(trial=NormalizedTrial.model_validate(row[0]), raw_format=row[1] or "", raw=raw)

