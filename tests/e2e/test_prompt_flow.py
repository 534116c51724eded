"""Prompt tuning in a real browser: an admin creates a version, tries it in the playground, compares it with the
current one, promotes it; a reviewer's next draft is written with it, and says so."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.conftest import app_database, go, login, shoot, start_app, wait_idle
from tests.support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e
MARKER = "Keep every sentence under fifteen words."
TRIAL_KEYS = ["what_is_tested", "why_it_may_fit", "what_we_could_not_confirm", "what_taking_part_involves", "where_and_contact"]


def _answer(body: dict) -> str:
    """Answer like a model: the new version (which carries MARKER) writes shorter sentences."""
    wire = "\n".join(m["content"] for m in body["messages"])
    schema = json.dumps(body.get("response_format", {})) + body["messages"][0]["content"]
    if '"registry_id"' in schema or "TrialSummaryDraft" in schema or "<untrusted_trial_record>" in wire:
        text = "This study tests a new treatment." if MARKER in wire else "This study is testing a new treatment for people whose illness came back."
        sections = [{"key": k, "title": k, "sentences": [{"text": text, "sources": ["trial.brief_summary"]}]} for k in TRIAL_KEYS]
        return json.dumps({"registry_id": "X", "sections": sections})
    sections = [{"key": k, "title": k, "sentences": [{"text": "Please talk to your doctor about these options.", "sources": []}]}
                for k in ("overview", "next_steps", "disclaimer")]
    return json.dumps({"sections": sections})


def _match_demo_cases() -> None:
    """Match every demo case, and select the best trial of all but the newest (which the reviewer works on)."""
    from core.cases import list_cases
    from core.matching.service import list_matches, select_trial
    from core.permissions import SYSTEM
    from core.workflow.matching import start_matching

    cases = list_cases(SYSTEM)
    for case in cases:
        start_matching(SYSTEM, case.id)
    for case in cases[1:]:
        select_trial(SYSTEM, case.id, next(m for m in list_matches(SYSTEM, case.id) if m.passed_filters).trial_id)


def _production_version() -> int:
    from core.prompting.store import get_labelled_version

    return get_labelled_version("trial_summary").version


def _latest_trial_draft() -> tuple[int, str | None]:
    from sqlalchemy import select

    from core.db import session_scope
    from core.models import Draft, PromptVersion

    with session_scope() as s:
        draft = s.scalar(select(Draft).where(Draft.kind == "trial").order_by(Draft.id.desc()).limit(1))
        version = s.get(PromptVersion, draft.prompt_version_id) if draft.prompt_version_id else None
        return draft.id, f"{version.name} v{version.version}" if version else None


def _shown_choice(page, label: str) -> str:  # noqa: ANN001
    """The option a select box shows as chosen."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("input").first.input_value() or box.inner_text().split("\n")[-1].strip()


def _pick(page, label: str, option: str | re.Pattern) -> None:  # noqa: ANN001
    """Choose an option of a select box; under load a rerun may still show the previous prompt's box, so retry."""
    for _ in range(20):
        box = page.get_by_label(label, exact=True)
        if box.count() != 1:
            page.wait_for_timeout(250)
            continue
        box.click()
        choice = page.get_by_role("option", name=option, exact=isinstance(option, str)).first
        try:
            choice.wait_for(timeout=2_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_idle(page)
            continue
        choice.click()
        wait_idle(page)
        return
    raise AssertionError(f"no option {option!r} in {label!r}")


def test_new_prompt_version_is_tried_compared_promoted_and_used_by_the_next_draft(browser, tmp_path):
    data_dir = tmp_path / "data"
    with FakeOpenAI() as llm:
        llm.respond_with(_answer)
        env = {"LLM_BASE_URL": llm.base_url, "LLM_API_KEY": llm.api_key, "LLM_MODEL": llm.model, "LLM_MAX_RETRIES": "0"}
        proc, url = start_app(data_dir, env=env)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            login(page, url, "admin", "admin-demo")  # the first start seeds the demo data
            with app_database(data_dir):
                _match_demo_cases()

            # 1. A new version of the trial summary prompt.
            go(page, "Prompts")
            _pick(page, "Prompt", "trial_summary")
            # While Streamlit redraws, the previous prompt's editor may still be in the page: take this prompt's.
            editor = page.get_by_label(re.compile("^Template")).filter(has_text="Plain-language summary of one trial")
            editor.fill(editor.input_value().replace("<!-- user -->", MARKER + "\n<!-- user -->", 1))
            page.get_by_label("What changed and why").fill("Shorter sentences")
            page.get_by_role("button", name="Save as a new version").click()
            page.get_by_text("Saved version 2").wait_for(timeout=30_000)
            wait_idle(page)
            # The version list is drawn again at once, with the new version chosen.
            assert _shown_choice(page, "Version") == "2"

            # 2. Try it in the playground: streamed through the (fake) LLM, checked, nothing stored.
            page.get_by_role("tab", name="Playground").click()
            wait_idle(page)
            page.get_by_role("button", name="Run", exact=True).click()
            page.get_by_text("Nothing from the playground is saved").wait_for(timeout=60_000)
            assert page.get_by_text("This study tests a new treatment.").first.is_visible()
            page.get_by_text("Tokens in / out").first.scroll_into_view_if_needed()
            shoot(page, "09-playground")

            # 3. Compare it with the production version on the demo cases' selected trials.
            # Compare it with the production version: those are the sides it offers, not an old choice.
            go(page, "Compare prompts")
            _pick(page, "Side 1: version", "2")
            _pick(page, "Side 2: version", "2")
            page.get_by_text("The two sides are the same").wait_for(timeout=20_000)
            expect(page.get_by_role("button", name="Run the comparison")).to_be_disabled()
            go(page, "Prompts")
            go(page, "Compare prompts")
            assert (_shown_choice(page, "Side 1: version"), _shown_choice(page, "Side 2: version")) == ("1", "2")
            assert not page.get_by_text("The two sides are the same").count()
            page.get_by_role("button", name="Run the comparison").click()
            page.get_by_text(re.compile("Finished")).first.wait_for(timeout=60_000)
            wait_idle(page)
            page.get_by_role("tab", name="Results").click()
            wait_idle(page)
            page.locator('[data-testid="stExpander"] summary').first.click()
            wait_idle(page)
            shoot(page, "10-compare")

            # 4. Promote version 2 to production: a separate, explicit step.
            go(page, "Prompts")
            _pick(page, "Prompt", "trial_summary")
            _pick(page, "Version", "2")
            page.get_by_role("tab", name="Labels").click()
            _pick(page, "Label", "production")
            page.get_by_text("Point production at version 2").click()
            wait_idle(page)
            move = page.get_by_role("button", name="Move the label")
            expect(move).to_be_enabled(timeout=30_000)
            move.click()
            wait_idle(page)
            for _ in range(60):  # the toast is brief under load: ask the app's database instead
                with app_database(data_dir):
                    if _production_version() == 2:
                        break
                page.wait_for_timeout(500)
            else:
                raise AssertionError("production was not moved to version 2")
            wait_idle(page)
            # The confirmation is unticked again, ready for the next move.
            expect(page.get_by_label("Point production at version 2")).not_to_be_checked(timeout=20_000)
            page.get_by_role("button", name="Log out").click()
            page.get_by_label("Username").wait_for(timeout=30_000)

            # 5. A reviewer drafts a case: the new draft is written with version 2 and the review page says so.
            login(page, url, "reviewer", "reviewer-demo")
            go(page, "Matching")
            page.locator('[data-testid="stExpander"] summary').filter(has_text=re.compile(r"not met \d")).first.click()
            wait_idle(page)
            page.get_by_role("button", name="Select", exact=True).first.click()
            wait_idle(page)
            page.get_by_role("button", name="Draft summaries for the selected trials").click()
            page.get_by_text(re.compile("Finished")).first.wait_for(timeout=60_000)
            with app_database(data_dir):
                draft_id, prompt = _latest_trial_draft()
            assert prompt == "trial_summary v2"
            go(page, "Review queue")
            _pick(page, "Open draft", re.compile(f"^#{draft_id} "))
            page.get_by_test_id("stBaseButton-secondary").filter(has_text=re.compile("^Open$")).click()
            page.get_by_role("heading", name="Review draft").wait_for(timeout=30_000)
            wait_idle(page)
            page.get_by_text("with prompt trial_summary v2").wait_for(timeout=30_000)
            assert page.get_by_text("This study tests a new treatment.").first.is_visible()
            shoot(page, "11-draft-with-new-prompt")
        finally:
            proc.terminate()
            proc.wait(10)
