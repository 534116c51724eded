"""Prompt comparisons: a job over (case, trial) items through the scripted OpenAI-compatible server, blind judging
and its tally, the distance to approved texts, export, and who may do what."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.config import get_settings
from core.db import session_scope
from core.drafting.checks import CHECK_NAMES
from core.errors import PermissionDenied, ValidationFailed
from core.insights import measure_edit_distance
from core.jobs.runner import run_job
from core.matching.service import list_matches
from core.models import AuditEvent, ComparisonItem, ComparisonJudgement, Draft
from core.prompt_lab.comparisons import (
    ComparisonRequest,
    ItemRef,
    SideSpec,
    get_comparison,
    list_comparison_candidates,
)
from core.prompt_lab.export import export_comparison
from core.prompt_lab.judging import judge_pair, list_blind_pairs
from core.prompting.store import PROMPTS_DIR, create_prompt_version, seed_prompts, set_label
from core.workflow.comparisons import start_comparison
from core.workflow.review import approve_draft, save_draft, start_review
from core.workflow.review_views import get_draft_detail
from tests.support.fake_openai import FakeOpenAI, server_error
from tests.support.flow import TEST_OVERRIDE, case_with_drafts, jobs_left_queued

SECRETS = ("Zoë", "Ångström", "family@example.org", "7700 900123")
MARKER = "Write every sentence in at most twelve words."
KEYS = ["what_is_tested", "why_it_may_fit", "what_we_could_not_confirm", "what_taking_part_involves", "where_and_contact"]


def _summary(text: str) -> str:
    sections = [{"key": k, "title": k, "sentences": [{"text": text, "sources": ["trial.brief_summary"]}]} for k in KEYS]
    return json.dumps({"registry_id": "X", "sections": sections})


def _answer(body: dict) -> object:
    """Version 2 (which carries MARKER) writes short text; the second model fails on the second study."""
    wire = "\n".join(m["content"] for m in body["messages"])
    if body["model"] == "fake-model-2" and "CD7 CAR-T study 2" in wire:
        return server_error(503)
    if MARKER in wire:
        return _summary("The study tests CD7 CAR-T cells.")
    return _summary("The study is testing CD7 CAR-T cells in people with relapsed T-cell leukaemia.")


@pytest.fixture
def llm(monkeypatch):
    with FakeOpenAI(models=("fake-model", "fake-model-2")) as server:
        server.respond_with(_answer)
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model,
                     "LLM_MAX_RETRIES": "0", "LLM_PRICE_INPUT_PER_MILLION": "1000"}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        yield server
        get_settings.cache_clear()


def _v2(admin) -> int:  # noqa: ANN001
    """A second trial_summary version whose system message asks for short sentences."""
    text = (PROMPTS_DIR / "trial_summary.md").read_text().replace("<!-- user -->", MARKER + "\n<!-- user -->", 1)
    return create_prompt_version(admin, "trial_summary", text, note="shorter sentences").version


def _trial_items(reviewer, case_id: int) -> list[ItemRef]:  # noqa: ANN001
    return [ItemRef(case_id=case_id, trial_id=m.trial_id) for m in list_matches(reviewer, case_id) if m.status == "selected"]


def _count_drafts() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count(Draft.id)))


def test_comparison_job_runs_both_versions_through_the_llm_and_records_figures(team, llm):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer, n_trials=2)
    v2 = _v2(team.admin)
    drafts_before, requests_before = _count_drafts(), len(llm.chat_requests)
    started = start_comparison(team.admin, ComparisonRequest(
        prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=v2), items=_trial_items(team.reviewer, case_id),
    ))
    job = run_job(started.job_id)
    assert job.status == "done" and (job.progress_done, job.progress_total) == (4, 4)
    result = get_comparison(team.admin, started.comparison_id)
    assert result.labels == {"left": "v1", "right": "v2"} and len(result.items) == 2
    for item in result.items:
        assert item.left.status == item.right.status == "done"
        assert "in people with relapsed" in item.left.sections["what_is_tested"]
        assert item.right.sections["what_is_tested"] == "The study tests CD7 CAR-T cells."
        for out in (item.left, item.right):
            m = out.metrics
            assert m["checks_total"] == len(CHECK_NAMES) and 0 <= m["checks_passed"] <= len(CHECK_NAMES) and m["input_tokens"] == 20 and m["output_tokens"] == 10
            assert m["cost"] == pytest.approx(0.02) and m["latency_s"] > 0 and m["reading_grade"] is not None
            assert {c["name"] for c in out.checks} >= {"grounding", "readability", "no_promises"}
    left, right = result.aggregates
    assert left.done == right.done == 2 and right.mean_words < left.mean_words and left.input_tokens == 40
    wire = json.dumps([r.body for r in llm.chat_requests[requests_before:]], ensure_ascii=False)
    assert len(llm.chat_requests) - requests_before == 4 and wire.count(MARKER) == 2
    for secret in SECRETS:
        assert secret not in wire  # only de-identified facts leave the machine
    assert _count_drafts() == drafts_before  # nothing reaches the review queue


def test_a_failing_item_is_marked_with_its_reason_and_the_job_goes_on(team, llm):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer, n_trials=2)
    started = start_comparison(team.admin, ComparisonRequest(
        prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=1, model="fake-model-2"),
        items=_trial_items(team.reviewer, case_id),
    ))
    job = run_job(started.job_id)
    assert job.status == "done" and job.result == {"outputs": 4, "failed": 1}
    result = get_comparison(team.admin, started.comparison_id)
    assert result.labels["right"] == "v1 · fake-model-2"
    failed = [o for i in result.items for o in (i.left, i.right) if o.status == "failed"]
    assert len(failed) == 1 and failed[0].side == "right" and "503" in failed[0].error
    assert {o.model for i in result.items for o in (i.left, i.right) if o.status == "done"} == {"fake-model", "fake-model-2"}
    assert result.aggregates[1].failed == 1 and result.aggregates[1].done == 1


def test_blind_judging_maps_a_and_b_back_to_versions_and_tallies(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer, n_trials=2)
    v2 = _v2(team.admin)
    with jobs_left_queued():
        started = start_comparison(team.admin, ComparisonRequest(
            prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=v2), items=_trial_items(team.reviewer, case_id),
        ))
    pairs = list_blind_pairs(team.reviewer, started.comparison_id)
    assert [p.ready for p in pairs] == [False, False]
    with pytest.raises(ValidationFailed, match="both outputs"):
        judge_pair(team.reviewer, pairs[0].item_id, "A")
    run_job(started.job_id)
    pairs = list_blind_pairs(team.reviewer, started.comparison_id)
    assert pairs == list_blind_pairs(team.reviewer, started.comparison_id)  # the order is stable
    assert all(p.ready and p.a and p.b and p.my_choice is None for p in pairs)
    assert "v1" not in json.dumps([p.model_dump() for p in pairs])  # nothing names a version
    with session_scope() as s:
        a_sides = dict(s.execute(select(ComparisonItem.id, ComparisonItem.a_side)).all())
    first, second = pairs
    assert judge_pair(team.reviewer, first.item_id, "A") == a_sides[first.item_id]
    assert judge_pair(team.reviewer, second.item_id, "B") == ("left" if a_sides[second.item_id] == "right" else "right")
    assert judge_pair(team.reviewer2, first.item_id, "equal") == "equal"
    assert judge_pair(team.admin, first.item_id, "B") != a_sides[first.item_id]
    judge_pair(team.reviewer, first.item_id, "B")  # a judge may change their mind: replaced, not added
    assert [p.my_choice for p in list_blind_pairs(team.reviewer, started.comparison_id)] == ["B", "B"]
    result = get_comparison(team.analyst, started.comparison_id)
    other = "left" if a_sides[first.item_id] == "right" else "right"
    expected = {"left": 0, "right": 0, "equal": 1}
    expected[other] += 2  # reviewer and admin both preferred B on the first item
    expected["left" if a_sides[second.item_id] == "right" else "right"] += 1
    assert result.tally == expected
    assert [a.preferred for a in result.aggregates] == [expected["left"], expected["right"]]
    with session_scope() as s:
        judged = s.scalars(select(ComparisonJudgement).where(ComparisonJudgement.judge == "rita")).all()
        assert len(judged) == 2 and all(j.judged_at for j in judged)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "comparison.judge")).all()
    assert len(events) == 5 and events[-1].actor == "rita" and events[-1].before == {"preferred": a_sides[first.item_id]}
    with pytest.raises(ValidationFailed):
        judge_pair(team.reviewer, first.item_id, "C")  # type: ignore[arg-type]


def test_distance_to_the_approved_text_is_shown_for_items_with_a_reference(team):
    seed_prompts()
    case_id, drafts = case_with_drafts(team.reviewer, n_trials=2)
    trial_draft = drafts[0]
    start_review(team.reviewer, trial_draft)
    detail = get_draft_detail(team.reviewer, trial_draft)
    edited = dict(detail.current.sections, what_is_tested="The reviewer rewrote this sentence completely.")
    saved = save_draft(team.reviewer, trial_draft, edited, base_version_id=detail.current.id)
    approve_draft(team.reviewer, trial_draft, version=saved.number, override=TEST_OVERRIDE)
    candidates = list_comparison_candidates(team.admin, "trial_summary")
    assert [c.has_reference for c in candidates] == [True, False]
    started = start_comparison(team.admin, ComparisonRequest(
        prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=1, model="other-model"),
        items=[ItemRef(case_id=c.case_id, trial_id=c.trial_id) for c in candidates],
    ))
    run_job(started.job_id)  # offline: both sides write what the first draft said
    result = get_comparison(team.admin, started.comparison_id)
    with_ref, without = result.items
    assert with_ref.reference_draft_id == trial_draft and with_ref.reference == edited
    assert (with_ref.left.edit_chars, with_ref.left.edit_words, with_ref.left.edit_ratio) == measure_edit_distance(detail.current.sections, edited)
    assert with_ref.left.edit_chars > 0
    assert without.reference is None and without.left.edit_ratio is None
    assert result.aggregates[0].with_reference == 1 and result.aggregates[0].mean_edit_ratio == with_ref.left.edit_ratio
    assert "offline drafter" in result.note


def test_export_as_csv_and_excel(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer, n_trials=2)
    started = start_comparison(team.admin, ComparisonRequest(
        prompt_name="trial_summary", name="export check", left=SideSpec(version=1), right=SideSpec(version=1, model="m2"),
        items=_trial_items(team.reviewer, case_id),
    ))
    run_job(started.job_id)
    rows = list(csv.reader(io.StringIO(export_comparison(team.analyst, started.comparison_id).decode())))
    assert len(rows) == 3 and rows[0][:2] == ["position", "item"]
    assert "left (v1) reading_grade" in rows[0] and "right (v1 · m2) edit_ratio" in rows[0]
    assert rows[1][rows[0].index("left (v1) status")] == "done"
    wb = load_workbook(io.BytesIO(export_comparison(team.admin, started.comparison_id, "xlsx")))
    assert wb.sheetnames == ["items", "sides"] and wb["items"].max_row == 3 and wb["sides"].max_row == 3


def test_bad_requests_get_clear_messages(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    items = _trial_items(team.reviewer, case_id)

    def start(**kw):  # noqa: ANN003, ANN202
        return start_comparison(team.admin, ComparisonRequest(**{"prompt_name": "trial_summary", "left": SideSpec(version=1),
                                                                "right": SideSpec(version=1, model="m2"), "items": items, **kw}))

    with pytest.raises(ValidationFailed, match="the same"):
        start(right=SideSpec(version=1, model=" "))
    with pytest.raises(ValidationFailed, match="no version 9"):
        start(right=SideSpec(version=9))
    with pytest.raises(ValidationFailed, match="at least one"):
        start(items=[])
    with pytest.raises(ValidationFailed, match="no case with id 999"):
        start(items=[ItemRef(case_id=999, trial_id=items[0].trial_id)])
    with pytest.raises(ValidationFailed, match="needs a trial"):
        start(items=[ItemRef(case_id=case_id)])
    with pytest.raises(ValidationFailed, match="can be compared"):
        start(prompt_name="criterion_assessment")


def test_reviewers_cannot_start_a_comparison_or_promote_and_do_not_see_which_side_is_which(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    request = ComparisonRequest(prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=1, model="m2"),
                                items=_trial_items(team.reviewer, case_id))
    for who in (team.reviewer, team.analyst):
        with pytest.raises(PermissionDenied):
            start_comparison(who, request)
    with pytest.raises(PermissionDenied):
        set_label(team.reviewer, "trial_summary", "production", 1)
    started = start_comparison(team.admin, request)
    with pytest.raises(PermissionDenied):
        get_comparison(team.reviewer, started.comparison_id)
    with pytest.raises(PermissionDenied):
        export_comparison(team.reviewer, started.comparison_id)
    with pytest.raises(PermissionDenied):
        list_blind_pairs(team.analyst, started.comparison_id)
