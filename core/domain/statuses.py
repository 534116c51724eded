"""The statuses of cases, drafts, matches and jobs: one vocabulary for the workflow, the pages and the CLI."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    DRAFTING = "drafting"
    IN_REVIEW = "in_review"
    RELEASED = "released"


class DraftStatus(StrEnum):
    QUEUED = "queued"
    DRAFTING = "drafting"
    READY = "ready"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RELEASED = "released"
    FAILED = "failed"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


class MatchStatus(StrEnum):
    CANDIDATE = "candidate"
    SELECTED = "selected"
    DISMISSED = "dismissed"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A reviewer can open these for review (a claim moves "ready" to "in_review").
REVIEWABLE: tuple[DraftStatus, ...] = (DraftStatus.READY, DraftStatus.IN_REVIEW)
# A drafting run picks these up.
DRAFTABLE: tuple[DraftStatus, ...] = (DraftStatus.QUEUED, DraftStatus.FAILED, DraftStatus.CHANGES_REQUESTED)
# Drafts a drafting run has still to write (a failed one waits for a person to retry it).
DRAFTING_PENDING: tuple[DraftStatus, ...] = (DraftStatus.QUEUED, DraftStatus.DRAFTING, DraftStatus.CHANGES_REQUESTED)
# Counted as done for a report.
APPROVED_OR_RELEASED: tuple[DraftStatus, ...] = (DraftStatus.APPROVED, DraftStatus.RELEASED)
JOB_FINISHED: tuple[JobStatus, ...] = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)
JOB_LIVE: tuple[JobStatus, ...] = (JobStatus.RUNNING, JobStatus.PAUSED)
