"""The job kinds of the workbench and their handlers, registered explicitly by each entry point (app, CLI, worker)."""

from __future__ import annotations

from core.jobs.registry import register_handler
from core.workflow.catalogue_jobs import EMBED_JOB, IMPORT_JOB, run_embed_catalogue, run_import
from core.workflow.comparisons import COMPARISON_JOB, run_comparison_job
from core.workflow.drafting import (
    DRAFT_CASE_JOB,
    DRAFT_ONE_JOB,
    drafting_is_small,
    run_draft_case,
    run_draft_one,
)
from core.workflow.matching import MATCH_JOB, matching_is_small, run_match_case


def register_job_handlers() -> None:
    """Register every job kind; safe to call more than once."""
    register_handler(IMPORT_JOB, run_import)
    register_handler(EMBED_JOB, run_embed_catalogue)
    register_handler(MATCH_JOB, run_match_case, small=matching_is_small)
    register_handler(DRAFT_CASE_JOB, run_draft_case, small=drafting_is_small)
    register_handler(DRAFT_ONE_JOB, run_draft_one, small=drafting_is_small)
    register_handler(COMPARISON_JOB, run_comparison_job)
