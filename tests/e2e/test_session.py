"""In a real browser: a reload keeps the login, a link opened while logged out lands on its page after login,
the cookie is HttpOnly, and logging out in one tab ends the session in the others."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import app_database, shoot, start_app, submit_login, wait_idle, wait_logged_in
from tests.support.processes import stop_process

pytestmark = pytest.mark.e2e


def _a_draft(data_dir) -> tuple[int, str]:  # noqa: ANN001
    """A drafted trial summary in the running app's database: (draft id, its title)."""
    with app_database(data_dir):
        from core.auth import actor_by_username
        from core.workflow.review_views import list_queue
        from tests.support.flow import case_with_drafts

        reviewer = actor_by_username("reviewer")
        case_id, _ = case_with_drafts(reviewer)
        item = next(i for i in list_queue(reviewer, case_id=case_id) if i.title != "Case overview")
        return item.draft_id, item.title


def test_reload_deep_link_and_logout_across_tabs(browser, tmp_path):
    data_dir = tmp_path / "data"
    proc, url = start_app(data_dir)
    try:
        draft_id, title = _a_draft(data_dir)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()

        # A link to a draft, opened while logged out: the login form, then that draft.
        page.goto(f"{url}/review?draft={draft_id}")
        page.get_by_label("Username").wait_for(timeout=60_000)
        assert not page.get_by_text("Page not found").count()
        submit_login(page, "reviewer", "reviewer-demo")
        wait_logged_in(page)
        page.get_by_role("heading", name="Review draft").wait_for(timeout=30_000)
        page.get_by_role("heading", name=title).wait_for(timeout=30_000)
        assert re.search(rf"/review\?draft={draft_id}$", page.url), page.url
        wait_idle(page)
        shoot(page, "17-deep-link-after-login")

        # The cookie holds the session: HttpOnly, SameSite=Lax, invisible to the page's scripts.
        cookie = next(c for c in context.cookies() if c["name"] == "workbench_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert "workbench_session" not in page.evaluate("document.cookie")

        # F5: still logged in, on the same draft.
        page.reload()
        wait_logged_in(page)
        page.get_by_role("heading", name=title).wait_for(timeout=30_000)

        # A second tab shares the login.
        other = context.new_page()
        other.goto(f"{url}/cases")
        wait_logged_in(other)
        other.get_by_role("heading", name="Cases").wait_for(timeout=30_000)

        # Logging out in one tab ends the session everywhere.
        page.get_by_role("button", name="Log out").click()
        page.get_by_label("Username").wait_for(timeout=30_000)
        assert not [c for c in context.cookies() if c["name"] == "workbench_session"]
        other.reload()
        other.get_by_label("Username").wait_for(timeout=30_000)
        wait_idle(other)
        assert not other.get_by_text("Logged in as").count()
        context.close()
    finally:
        stop_process(proc)
