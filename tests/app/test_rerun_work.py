"""Work done once per real change, not on every Streamlit rerun: the report preview and PDFs, the insights
figures, and the database preparation (migrations check)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import bootstrap, insights
from core.reports import store
from tests.app.conftest import page
from tests.support.flow import approve_current, case_with_drafts, release
from tests.support.paths import REPO_ROOT


@pytest.fixture
def calls(monkeypatch) -> Counter:  # noqa: ANN001
    """Counts calls of the named core functions (patched on their modules, where the pages import them from)."""
    counter: Counter = Counter()

    def count(module: object, name: str) -> None:
        real: Callable = getattr(module, name)

        def counted(*args: object, **kwargs: object) -> object:
            counter[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    counter.count = count  # type: ignore[attr-defined]
    st.cache_data.clear()
    st.cache_resource.clear()
    return counter


def test_the_reports_page_renders_the_preview_and_reads_pdfs_once_per_change(team, calls):  # noqa: ANN001
    case_id, drafts = case_with_drafts(team.reviewer)
    for d in drafts:
        approve_current(team.reviewer, d)
    release(team.reviewer, case_id)
    calls.count(store, "preview_report")
    calls.count(store, "get_report_pdf")
    at = page("pages/reports.py", team.reviewer).run()
    assert not at.exception
    for _ in range(2):
        at.run()  # reruns with nothing changed (a widget elsewhere, a fragment, a reconnect)
    assert calls["preview_report"] == 1, calls
    assert calls["get_report_pdf"] == 1, calls  # the one released version's PDF, read once, not on every rerun


def test_the_insights_page_computes_its_figures_once(team, calls):  # noqa: ANN001
    calls.count(insights, "draft_metrics")
    at = page("pages/insights.py", team.admin).run()
    assert not at.exception
    assert calls["draft_metrics"] == 1, calls
    at.run()
    assert calls["draft_metrics"] == 1, calls


def test_the_database_is_prepared_once_not_again_by_the_router(team, calls):  # noqa: ANN001
    bootstrap.prepare_database()  # serve.py's start does it before the first request
    calls.count(bootstrap, "startup_lock")
    calls.count(bootstrap, "upgrade_database")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.session_state["actor"] = team.reviewer
    at.run()
    at.run()
    assert not at.exception
    assert calls["startup_lock"] == 0 and calls["upgrade_database"] == 0, calls


def test_the_cached_preview_follows_a_real_change(team, calls):  # noqa: ANN001
    case_id, drafts = case_with_drafts(team.reviewer)
    at = page("pages/reports.py", team.reviewer).run()
    assert any("Not ready to release" in w.value for w in at.warning)
    for d in drafts:
        approve_current(team.reviewer, d)
    at.run()
    assert not any("Not ready to release" in w.value for w in at.warning)
    assert any("Every part is approved" in s.value for s in at.success)
