"""UI defects of the reviewer's day: a form's error survives an unrelated rerun, the lock message reads cleanly."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import auth
from core.config import get_settings
from core.drafting import glossary
from tests.app.conftest import page, shown
from tests.support.flow import make_case
from tests.support.paths import REPO_ROOT


def test_a_form_error_stays_when_another_select_box_changes(team):
    first, second = make_case(team.reviewer), make_case(team.reviewer, diagnosis="relapsed B-ALL")
    at = page("pages/cases.py", team.reviewer).run()
    at.button[-1].click().run()  # the empty new-case form
    assert any("diagnosis" in e.value for e in at.error)
    picked = at.selectbox(key="cases-pick")
    picked.set_value(second if picked.value == first else first).run()
    assert not at.exception
    assert any("diagnosis" in e.value for e in at.error), "the form's error was wiped by a rerun"
    # The next submission clears it (here: a valid one, which saves and says so).
    at.text_input(key="nc-diagnosis").input("relapsed T-ALL")
    at.text_input(key="nc-name").input("A Family")
    at.button[-1].click().run()
    assert not any("diagnosis" in e.value for e in at.error)


def test_the_lock_message_has_no_literal_backticks(team):
    def login(password: str) -> AppTest:
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
        at.text_input(key="login-username").input("rob")
        at.text_input(key="login-password").input(password)
        at.button[0].click()
        return at.run()

    for _ in range(get_settings().login_max_failures):
        login("wrong-password")
    messages = [shown(e.value) for e in login("correct-horse-9").error]
    assert any("locked" in m for m in messages)
    assert not any("`" in m for m in messages), messages


def test_dead_helpers_are_gone():
    # Nothing called them: auth.refresh_actor (the session check re-reads roles) and glossary.plain_alternative
    # (the drafter uses explain_term, which picks the meaning that fits the record).
    assert not hasattr(auth, "refresh_actor")
    assert not hasattr(glossary, "plain_alternative")
