"""The comparison job: write each item with both sides' prompt version and model, check it, record the figures."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.jobs import JobContext, register_handler
from core.models import Comparison, ComparisonItem, ComparisonOutput, PromptVersion, utcnow

log = logging.getLogger(__name__)
SIDES = ("left", "right")
JOB_KIND = "prompt_comparison"


def _write(s: Session, comparison: Comparison, item: ComparisonItem, side: str):  # noqa: ANN202
    """Write one side of one item through the same writers as real drafts, pinned to that side's version and model."""
    from core.drafting.writers import Pin, write_case_overview_for, write_trial_summary_for

    version = s.get(PromptVersion, getattr(comparison, f"{side}_version_id"))
    pin = Pin(version=version, model=getattr(comparison, f"{side}_model"))
    if comparison.prompt_name == "case_overview":
        return write_case_overview_for(s, item.case_id, pin=pin)
    return write_trial_summary_for(s, item.case_id, item.trial_id, pin=pin)  # type: ignore[arg-type]


def measure_output(sections: dict[str, str], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures compared per side: checks passed, reading grade, grounding flags and length."""
    from core.drafting.checks import count_words
    from core.drafting.readability import measure_readability

    grounding = next((c for c in checks if c["name"] == "grounding"), None)
    text = " ".join(v for v in sections.values() if v)
    return {
        "checks_passed": sum(1 for c in checks if c["passed"]),
        "checks_total": len(checks),
        "failed_checks": [c["name"] for c in checks if not c["passed"]],
        "reading_grade": measure_readability(text).flesch_kincaid_grade if text.strip() else None,
        "grounding_flags": len(grounding["findings"]) if grounding else 0,
        "words": count_words(text),
    }


def run_output(comparison_id: int, item_id: int, side: str) -> str:
    """Write, check and store one side of one item; a failure marks only this output failed, with the reason."""
    from core.drafting.service import check_sections

    started = time.perf_counter()
    try:
        with session_scope() as s:
            comparison = s.get(Comparison, comparison_id)
            item = s.get(ComparisonItem, item_id)
            written = _write(s, comparison, item, side)
            checks = check_sections(s, item.case_id, item.trial_id, written.sections)
            output = s.scalar(select(ComparisonOutput).where(ComparisonOutput.item_id == item_id, ComparisonOutput.side == side))
            output.status, output.error = "done", None
            output.drafter, output.model, output.sections, output.checks = written.drafter, written.model, written.sections, checks
            output.metrics = {
                **measure_output(written.sections, checks),
                "input_tokens": written.input_tokens,
                "output_tokens": written.output_tokens,
                "cost": round(written.cost, 6),
                # The offline drafter reports no latency of its own; the wall clock is what it cost.
                "latency_s": round(written.latency_s or time.perf_counter() - started, 3),
            }
            output.finished_at = utcnow()
            return "done"
    except Exception as exc:  # one item's failure must not stop the comparison
        reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        log.warning("comparison %s item %s (%s) failed: %s", comparison_id, item_id, side, reason)
        with session_scope() as s:
            output = s.scalar(select(ComparisonOutput).where(ComparisonOutput.item_id == item_id, ComparisonOutput.side == side))
            output.status, output.error, output.finished_at = "failed", reason, utcnow()
        return "failed"


@register_handler(JOB_KIND)
def _run_comparison(ctx: JobContext) -> dict[str, Any]:
    from core.llm import run_concurrently
    from core.llm_config import load_llm_settings

    comparison_id = ctx.payload["comparison_id"]
    with session_scope() as s:
        outputs = list(
            s.execute(
                select(ComparisonOutput.item_id, ComparisonOutput.side, ComparisonOutput.status)
                .join(ComparisonItem, ComparisonItem.id == ComparisonOutput.item_id)
                .where(ComparisonItem.comparison_id == comparison_id)
                .order_by(ComparisonItem.position, ComparisonOutput.side)
            ).all()
        )
    total = len(outputs)
    already = sum(1 for *_, status in outputs if status == "done")  # a resumed job does not write twice
    pending = [(item_id, side) for item_id, side, status in outputs if status != "done"]
    ctx.progress(already, total, "Comparing")

    def work(output: tuple[int, str]) -> str:
        ctx.check_cancelled()
        return run_output(comparison_id, *output)

    def on_progress(finished: int, _total: int) -> None:
        ctx.progress(already + finished, total, f"Wrote {already + finished} of {total} outputs")

    # The same concurrency limit as drafting batches: both sides' calls share the endpoint.
    results = run_concurrently(work, pending, max(1, load_llm_settings().concurrency), on_progress=on_progress)
    for result in results:
        if isinstance(result, BaseException):
            raise result  # a cancellation (run_output itself never raises)
    failed = sum(1 for r in results if r == "failed")
    ctx.progress(total, total, f"Wrote {total - failed} of {total} outputs" + (f"; {failed} failed" if failed else ""))
    return {"outputs": total, "failed": failed}
