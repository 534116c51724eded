"""The prompts page: admins create versions (errors keep the text) and move labels; others are refused."""

from __future__ import annotations

from core.prompting.store import get_labelled_version, list_prompt_versions, seed_prompts
from tests.app.conftest import page, shown


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
