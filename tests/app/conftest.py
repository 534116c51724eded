"""AppTest helpers: run a page or the whole app in-process against the per-test database."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.paths import REPO_ROOT


def page(path: str, actor=None, **state) -> AppTest:  # noqa: ANN001
    """An AppTest of one page file with the given actor logged in."""
    at = AppTest.from_file(str(REPO_ROOT / path), default_timeout=60)
    if actor is not None:
        at.session_state["actor"] = actor
    for key, value in state.items():
        at.session_state[key] = value
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown written with md_text: no backslash escapes, no invisible word joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def app_page():
    return page
