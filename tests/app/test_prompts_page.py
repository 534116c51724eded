"""The prompts page: admins create versions (errors keep the text) and move labels; others are refused."""

from __future__ import annotations

import json

from core.config import get_settings
from core.prompting.store import get_labelled_version, list_prompt_versions, seed_prompts
from tests.app.conftest import page, shown
from tests.support.fake_openai import FakeOpenAI, ok
from tests.support.flow import case_with_selected_trials


def test_prompts_page_versions_and_labels(team):
    seed_prompts()
    at = page("pages/prompts.py", team.admin).run()
    assert not at.exception
    at.selectbox(key="p-name").select("trial_summary").run()
    key = "p-text-trial_summary-1"
    bad = at.text_area(key=key).value + "\n{{ secret_variable }}"
    at.text_area(key=key).input(bad)
    next(b for b in at.button if b.label == "Save as a new version").click().run()
    assert any("secret_variable" in shown(e.value) for e in at.error)
    assert at.text_area(key=key).value == bad  # what the admin typed is kept
    good = bad.replace("\n{{ secret_variable }}", "\n")
    at.text_area(key=key).input(good)
    next(b for b in at.button if b.label == "Save as a new version").click().run()
    assert [v.version for v in list_prompt_versions(team.admin, "trial_summary")] == [2, 1]
    # no extra run: the page drew itself again with the new version in the list, and chosen
    assert at.selectbox(key="p-ver-trial_summary").options == ["2", "1"]
    assert at.selectbox(key="p-ver-trial_summary").value == 2
    assert any("Saved version 2" in s.value for s in at.success)
    at.selectbox(key="p-label-trial_summary").select("production").run()
    at.checkbox(key="p-confirm-trial_summary").check().run()
    at.button(key="p-move-trial_summary").click().run()
    assert get_labelled_version("trial_summary").version == 2
    assert at.checkbox(key="p-confirm-trial_summary").value is False  # unticked for the next move
    refused = page("pages/prompts.py", team.reviewer).run()
    assert any("does not give access" in e.value for e in refused.error)


EVIL_KEY = "![x](http://127.0.0.1:9/pixel.png)"


def test_playground_section_keys_from_the_model_are_inert(team, monkeypatch):
    # A section key is the model's output: an image in it must render as text, not be fetched.
    case_id = case_with_selected_trials(team.reviewer)
    answer = json.dumps({"sections": [{"key": EVIL_KEY, "sentences": [{"text": "The study tests a new treatment."}]}]})
    with FakeOpenAI() as server:
        server.respond_with(lambda body: ok(answer))
        for key, value in {"LLM_BASE_URL": server.base_url, "LLM_API_KEY": server.api_key, "LLM_MODEL": server.model,
                           "LLM_MAX_RETRIES": "0"}.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        try:
            seed_prompts()
            at = page("pages/prompts.py", team.admin).run()
            at.selectbox(key="p-name").select("trial_summary").run()
            at.selectbox(key="p-case").select(case_id).run()
            at.button(key="p-run").click().run()
        finally:
            get_settings.cache_clear()
    assert not at.exception and server.chat_requests
    texts = [m.value for m in at.markdown]
    assert any(EVIL_KEY in shown(t) for t in texts)
    assert not any("![x](http" in t for t in texts)
