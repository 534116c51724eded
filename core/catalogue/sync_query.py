"""The query a registry sync runs: validated fields and their API v2 `/studies` parameters."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.domain.trial import OverallStatus

MAX_PAGE_SIZE = 1000


class GeoFilter(BaseModel):
    """A circle around a point: studies with a site inside it match."""

    model_config = ConfigDict(frozen=True)

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    radius_km: float = Field(gt=0)

    def to_param(self) -> str:
        return f"distance({_format_number(self.latitude)},{_format_number(self.longitude)},{_format_number(self.radius_km)}km)"


class SyncQuery(BaseModel):
    """Which studies to fetch from ClinicalTrials.gov, and how many per page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    condition: str | None = None
    term: str | None = None
    statuses: tuple[OverallStatus, ...] = ()
    geo: GeoFilter | None = None
    # Lower bound on LastUpdatePostDate; an incremental run may raise it (see run_sync).
    updated_since: date | None = None
    page_size: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE)

    def to_params(
        self, *, updated_since: date | None = None, page_token: str | None = None
    ) -> dict[str, str]:
        """Build the `/studies` query string; `updated_since` overrides the query's own bound."""
        params: dict[str, str] = {"format": "json", "pageSize": str(self.page_size)}
        if self.condition:
            params["query.cond"] = self.condition
        if self.term:
            params["query.term"] = self.term
        if self.statuses:
            params["filter.overallStatus"] = ",".join(self.statuses)
        if self.geo is not None:
            params["filter.geo"] = self.geo.to_param()
        since = updated_since or self.updated_since
        if since is not None:
            params["filter.advanced"] = format_last_update_filter(since)
        if page_token:
            params["pageToken"] = page_token
        return params

    def fingerprint(self) -> str:
        """Identify the set of studies this query selects, to key its persisted sync state.

        Page size and the update bound are left out on purpose: neither changes which studies
        the sync covers, and incremental runs must find the state of the previous run.
        """
        identity: dict[str, Any] = {
            "condition": self.condition,
            "term": self.term,
            "statuses": sorted(self.statuses),
            "geo": self.geo.to_param() if self.geo else None,
        }
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
        return f"ctgov-v2:{digest[:24]}"


def format_last_update_filter(since: date) -> str:
    """Render the Essie expression selecting studies updated on or after `since`."""
    return f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"


def _format_number(value: float) -> str:
    # Plain decimal notation: the API's geo pattern refuses exponents such as 1e-05.
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
