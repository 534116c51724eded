"""Every page renders for each role it is meant for and is refused to the others."""

from __future__ import annotations

import pytest

from pages.registry import PAGES
from tests.app.conftest import page
from tests.support.paths import REPO_ROOT


@pytest.mark.parametrize("path,action", [(p[0], p[3]) for p in PAGES if (REPO_ROOT / p[0]).exists()])
def test_page_allowed_and_refused_by_role(team, path, action):
    actors = {"reviewer": team.reviewer, "analyst": team.analyst, "admin": team.admin}
    for role, actor in actors.items():
        at = page(path, actor).run()
        refused = any("Your role does not give access" in e.value for e in at.error)
        assert not at.exception, f"{path} raised for {role}: {at.exception}"
        assert refused == (not actor.can(action)), f"{path} as {role}"
