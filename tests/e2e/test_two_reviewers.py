"""Two reviewers in two browser contexts edit the same draft: the second save shows both texts and loses nothing."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import app_database, go, login, shoot, start_app, wait_idle

pytestmark = pytest.mark.e2e


def _draft_demo_case(url: str, data_dir) -> int:  # noqa: ANN001
    """Match, select and draft the first demo case through core, against the app's own database file."""
    with app_database(data_dir):
        from core.auth import authenticate
        from core.matching.service import list_matches, select_trial
        from core.workflow.drafting import start_drafting
        from core.workflow.matching import start_matching
        from core.workflow.review_views import list_queue

        reviewer = authenticate("reviewer", "reviewer-demo")
        start_matching(reviewer, 1)
        first = next(m for m in list_matches(reviewer, 1) if m.passed_filters)
        select_trial(reviewer, 1, first.trial_id)
        assert start_drafting(reviewer, 1).status == "done"
        return next(i.draft_id for i in list_queue(reviewer, case_id=1) if i.kind == "trial")


def _expire_claim(data_dir, draft_id: int) -> None:  # noqa: ANN001
    """What a long pause does: the reviewer's claim runs out."""
    with app_database(data_dir):
        from datetime import timedelta

        from core.db import session_scope
        from core.models import Draft, utcnow

        with session_scope() as s:
            s.get(Draft, draft_id).claim_expires_at = utcnow() - timedelta(minutes=1)


def test_second_save_shows_the_conflict_and_keeps_both_texts(browser, tmp_path):
    data_dir = tmp_path / "data"
    proc, url = start_app(data_dir)
    try:
        a = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        b = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        login(a, url, "reviewer", "reviewer-demo")  # first start seeds the demo data
        login(b, url, "reviewer2", "reviewer2-demo")
        draft_id = _draft_demo_case(url, data_dir)

        # Both open the draft; opening claims nothing. B starts the review and types, then steps away and B's
        # claim runs out. A starts the review, saves and releases the claim. B comes back to the page B has open.
        for page in (a, b):
            go(page, "Review queue")
            page.get_by_label("Open draft").click()
            page.get_by_role("option", name=re.compile(f"^#{draft_id} ")).click()
            wait_idle(page)
            page.get_by_test_id("stBaseButton-secondary").filter(has_text=re.compile("^Open$")).click()
            page.get_by_role("heading", name="Review draft").wait_for(timeout=30_000)
            wait_idle(page)
            page.get_by_text("Reading it does not claim it").wait_for(timeout=10_000)
        editor = re.compile("What is tested", re.I)

        def editable(page):  # noqa: ANN001, ANN202
            # While a rerun draws the editor, the read-only text it replaces can still be on the page for a moment.
            return page.get_by_role("textbox", name=editor, disabled=False)

        b.get_by_role("button", name="Start review").click()
        wait_idle(b)
        editable(b).fill("Reviewer B's careful wording.")
        editable(b).press("Tab")  # commit B's text to the page
        wait_idle(b)
        _expire_claim(data_dir, draft_id)
        a.get_by_role("button", name="Start review").click()
        wait_idle(a)
        editable(a).fill("Reviewer A's wording.")
        a.get_by_role("button", name="Save").click()
        wait_idle(a)
        a.get_by_role("button", name="Release claim").click()
        wait_idle(a)

        b.get_by_role("button", name="Save").click()  # B's page was opened on version 1
        wait_idle(b)
        b.get_by_text("Someone saved").first.wait_for(timeout=30_000)
        b.get_by_text("Your text (not saved)").wait_for(timeout=10_000)
        shoot(b, "07-conflict")
        body = b.locator("body").inner_text()
        assert "Reviewer A's wording." in b.get_by_label(re.compile("theirs: what_is_tested")).input_value()
        assert b.get_by_label(re.compile("yours: what_is_tested")).input_value() == "Reviewer B's careful wording."
        assert b.get_by_label(editor).input_value() == "Reviewer B's careful wording."  # still in B's editor
        assert "Traceback" not in body
    finally:
        proc.terminate()
        proc.wait(10)
