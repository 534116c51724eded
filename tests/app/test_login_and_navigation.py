"""The router: login, wrong passwords, and navigation built from the user's roles."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.auth import LOGIN_FAILED_MESSAGE, actor_for_session
from core.config import get_settings
from tests.app.conftest import shown
from tests.support.paths import REPO_ROOT


def _app() -> AppTest:
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.run()
    at.text_input(key="login-username").input(username)
    at.text_input(key="login-password").input(password)
    at.button[0].click()
    return at.run()


def test_login_succeeds_and_shows_the_users_pages(team):
    at = _login(_app(), "rita", "correct-horse-9")
    assert not at.exception
    assert at.session_state["actor"].username == "rita"
    assert any("Logged in as" in c.value for c in at.caption)


def test_wrong_password_says_so_without_revealing_the_user(team):
    at = _login(_app(), "rita", "not-the-password")
    assert [shown(e.value) for e in at.error] == [LOGIN_FAILED_MESSAGE]
    at2 = _login(_app(), "no-such-user", "whatever")
    assert [shown(e.value) for e in at2.error] == [LOGIN_FAILED_MESSAGE]
    assert "actor" not in at.session_state


def test_a_locked_account_with_the_right_password_is_told_it_is_locked(team):
    for _ in range(get_settings().login_max_failures):
        _login(_app(), "rob", "wrong-password")
    at = _login(_app(), "rob", "correct-horse-9")
    assert "actor" not in at.session_state
    assert any("locked after too many failed logins" in shown(e.value) for e in at.error)


def test_the_session_is_kept_on_the_server(team):
    # Without serve.py's cookie routes (AppTest, `streamlit run app.py`) the token stays in the tab;
    # the browser tests cover the cookie, reloads, deep links and logout.
    at = _login(_app(), "rita", "correct-horse-9")
    token = at.session_state["session-token"]
    assert actor_for_session(token)[0].username == "rita"
