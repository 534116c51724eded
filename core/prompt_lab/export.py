"""Export of a comparison: one row per item with both sides' figures, as CSV or Excel (with the aggregates)."""

from __future__ import annotations

from typing import Any, Literal

from core.permissions import Actor, requires
from core.prompt_lab.comparison_run import SIDES
from core.prompt_lab.comparisons import ComparisonResult, SideAggregate, get_comparison
from core.tabular_export import export_table

FIGURES = ("checks_passed", "checks_total", "reading_grade", "grounding_flags", "words", "input_tokens", "output_tokens", "cost", "latency_s")


def _item_rows(result: ComparisonResult) -> list[list[Any]]:
    header: list[Any] = ["position", "item", "case_id", "trial_id", "reference_draft_id"]
    for side in SIDES:
        label = result.labels[side]
        header += [f"{side} ({label}) {f}" for f in ("status", "error", "drafter", "model", *FIGURES, "failed_checks", "edit_chars", "edit_words", "edit_ratio")]
    header += ["judged left better", "judged right better", "judged equal"]
    rows = [header]
    for item in result.items:
        row: list[Any] = [item.position + 1, item.label, item.case_id, item.trial_id, item.reference_draft_id]
        for side in SIDES:
            out = getattr(item, side)
            row += [out.status, out.error or "", out.drafter or "", out.model or ""]
            row += [out.metrics.get(f) for f in FIGURES]
            row += [", ".join(out.metrics.get("failed_checks", [])), out.edit_chars, out.edit_words, out.edit_ratio]
        row += [item.preferences["left"], item.preferences["right"], item.preferences["equal"]]
        rows.append(row)
    return rows


def _aggregate_rows(result: ComparisonResult) -> list[list[Any]]:
    fields = list(SideAggregate.model_fields)
    return [fields, *[[getattr(a, f) for f in fields] for a in result.aggregates]]


@requires("comparison.view")
def export_comparison(actor: Actor, comparison_id: int, fmt: Literal["csv", "xlsx"] = "csv") -> bytes:
    """The comparison per item (CSV), or per item and per side on two sheets (Excel)."""
    result = get_comparison(actor, comparison_id)
    return export_table({"items": _item_rows(result), "sides": _aggregate_rows(result)}, fmt)
