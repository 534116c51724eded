"""Prompt versions, labels, diffs and the playground (admins only; nothing reaches the queue)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.errors import PermissionDenied, ValidationFailed
from core.models import Draft
from core.prompt_lab.playground import diff_prompt_versions, render_playground, run_playground
from core.prompting.store import (
    PROMPTS_DIR,
    create_prompt_version,
    get_labelled_version,
    list_prompt_versions,
    seed_prompts,
    set_label,
)
from tests.support.flow import case_with_drafts


def test_versions_are_immutable_and_labels_move(team):
    seed_prompts()
    original = (PROMPTS_DIR / "trial_summary.md").read_text()
    v2 = create_prompt_version(team.admin, "trial_summary", original.replace("plain", "simple", 1), note="simpler words")
    assert v2.version == 2 and v2.labels == []
    assert get_labelled_version("trial_summary").version == 1
    set_label(team.admin, "trial_summary", "production", 2)
    assert get_labelled_version("trial_summary").version == 2
    set_label(team.admin, "trial_summary", "production", 1)  # rollback is the same explicit step
    assert get_labelled_version("trial_summary").version == 1
    assert [v.template_text for v in list_prompt_versions(team.admin, "trial_summary") if v.version == 1] == [original]
    assert "-" in diff_prompt_versions(team.admin, "trial_summary", 1, 2)


def test_unknown_variable_is_refused_by_name(team):
    seed_prompts()
    text = (PROMPTS_DIR / "trial_summary.md").read_text() + "\n{{ patient_name }}\n"
    with pytest.raises(ValidationFailed) as err:
        create_prompt_version(team.admin, "trial_summary", text)
    assert "patient_name" in str(err.value)


def test_only_admins_edit_or_promote(team):
    seed_prompts()
    with pytest.raises(PermissionDenied):
        set_label(team.reviewer, "trial_summary", "production", 1)
    with pytest.raises(PermissionDenied):
        create_prompt_version(team.analyst, "trial_summary", "x")
    with pytest.raises(PermissionDenied):
        list_prompt_versions(team.reviewer)


def test_playground_is_de_identified_and_stores_no_draft(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    from core.matching.service import list_matches

    trial_id = next(m.trial_id for m in list_matches(team.reviewer, case_id) if m.status == "selected")
    messages = render_playground(team.admin, "trial_summary", 1, case_id, trial_id)
    wire = "".join(m["content"] for m in messages)
    assert "<untrusted_trial_record>" in wire
    for secret in ("Zoë", "Ångström", "family@example.org", "7700 900123"):
        assert secret not in wire
    with session_scope() as s:
        before = s.scalar(select(func.count(Draft.id)))
    result = run_playground(team.admin, "trial_summary", 1, case_id, trial_id)
    assert result.drafter == "offline" and result.checks and "what_is_tested" in result.sections
    with session_scope() as s:
        assert s.scalar(select(func.count(Draft.id))) == before


def test_playground_streams_through_the_llm(team, monkeypatch):
    from core.config import get_settings
    from tests.support.fake_openai import FakeOpenAI, ok

    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    from core.matching.service import list_matches

    trial_id = next(m.trial_id for m in list_matches(team.reviewer, case_id) if m.status == "selected")
    with FakeOpenAI() as server:
        server.script(ok("The study is testing CD7 CAR-T cells.", usage=(120, 9)))
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        pieces: list[str] = []
        result = run_playground(team.admin, "trial_summary", 1, case_id, trial_id, on_text=pieces.append)
        get_settings.cache_clear()
        assert server.chat_requests[0].body["stream"] is True
        wire = json.dumps([r.body for r in server.chat_requests], ensure_ascii=False)
        for secret in ("Zoë", "Ångström", "family@example.org", "7700 900123"):
            assert secret not in wire  # the playground's streamed call is de-identified too
    assert "".join(pieces) == result.text == "The study is testing CD7 CAR-T cells."
    assert (result.input_tokens, result.output_tokens) == (120, 9) and result.drafter == "llm"
    assert "one section" in result.note


def test_playground_tries_the_criterion_prompt_on_one_batch_of_the_match(team, monkeypatch):
    from core.config import get_settings
    from core.matching.service import list_matches
    from tests.support.fake_openai import FakeOpenAI, ok

    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    match = next(m for m in list_matches(team.reviewer, case_id) if m.status == "selected")
    refs = [f"[{v.kind} {v.position + 1}]" for v in match.verdicts]
    open_refs = [f"[{v.kind} {v.position + 1}]" for v in match.verdicts if v.verdict == "not enough information"]
    batch = (open_refs or refs)[:6]  # what the rules left open, else the first criteria
    user = render_playground(team.admin, "criterion_assessment", 1, case_id, match.trial_id)[1]["content"]
    assert all(ref in user for ref in batch) and not any(ref in user for ref in refs if ref not in batch)
    assert "Zoë" not in user

    offline = run_playground(team.admin, "criterion_assessment", 1, case_id, match.trial_id)
    answers = json.loads(offline.text)["assessments"]
    assert offline.drafter == "rules" and offline.checks == []
    assert sorted(f"[{a['ref']}]" for a in answers) == sorted(batch)
    verdicts = {f"[{v.kind} {v.position + 1}]": v.verdict for v in match.verdicts}
    assert all(a["verdict"] == verdicts[f"[{a['ref']}]"] for a in answers)  # the rules' own verdicts

    reply = json.dumps({"assessments": [{"ref": "inclusion 1", "verdict": "included", "evidence_sentences": [0], "explanation": "x"}]})
    with FakeOpenAI() as server:
        server.script(ok(reply, usage=(300, 40)))
        for k, v in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model}.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        try:
            result = run_playground(team.admin, "criterion_assessment", 1, case_id, match.trial_id)
        finally:
            get_settings.cache_clear()
    assert result.drafter == "llm" and result.text == reply and result.checks == [] and result.input_tokens == 300
