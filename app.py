"""Next Option Workbench: the router. Login, the user's roles, and the pages those roles may see."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from core.auth import (
    actor_for_session,
    authenticate,
    authenticate_sso,
    exchange_session_code,
    logout,
    start_session,
)
from core.bootstrap import is_demo_data_loaded, prepare_database
from core.config import get_settings
from core.errors import AuthenticationFailed, ConfigurationError
from core.permissions import Actor
from core.workflow.job_handlers import register_job_handlers
from pages.browser_session import cookie_token, login_url, logout_url, routes_mounted, send_browser_to
from pages.registry import PAGES, url_path
from pages.ui_common import md_text

st.set_page_config(page_title="Next Option Workbench", page_icon=":material/clinical_notes:", layout="wide")


@st.cache_resource(show_spinner="Preparing the database…")
def _prepare(url: str) -> bool:
    prepare_database()
    register_job_handlers()  # this process runs the jobs its pages start (on threads, inline, or hands them to workers)
    return True


@st.cache_data(ttl=30, show_spinner=False)
def _demo_loaded(url: str) -> bool:
    return is_demo_data_loaded()


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _login_page() -> None:
    st.title("Next Option Workbench")
    st.caption("Clinical trials, cell and gene therapies and expanded access, checked by experts for families.")
    with st.form("login"):
        username = st.text_input("Username", key="login-username")
        password = st.text_input("Password", type="password", key="login-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            _begin_session(authenticate(username, password))
        except AuthenticationFailed as exc:
            st.error(md_text(str(exc)))  # a locked account with the right password is told so
    if _sso_configured():
        st.divider()
        if st.button("Log in with single sign-on"):
            st.login()
    if _demo_loaded(get_settings().resolved_database_url):
        st.info(
            "Demo accounts: **reviewer** / reviewer-demo · **analyst** / analyst-demo · **admin** / admin-demo"
        )


def _begin_session(actor: Actor) -> None:
    """Open the server-side session, then land on the page that was asked for (a deep link survives login)."""
    code = start_session(actor)
    if routes_mounted():
        # A full page load through the cookie route: it sets the HttpOnly cookie, then goes to the page.
        send_browser_to(login_url(code, st.session_state.get("login-next", "/")))
        st.stop()
    st.session_state["session-token"] = exchange_session_code(code)  # no cookie routes: the session lives in this tab
    st.rerun()


def _forget_session() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _check_session() -> None:
    """Resume the session from the cookie (or this tab), with current roles; say why one ended."""
    token = st.session_state.get("session-token") or cookie_token()
    # A browser keeps sending an ended session's cookie until the next login replaces it: check it once.
    if token and token != st.session_state.get("ended-token"):
        actor, ended = actor_for_session(token)
        if actor is not None:
            st.session_state["actor"] = actor
            return
        _forget_session()
        st.session_state["ended-token"] = token
        if ended == "inactivity timeout":
            st.warning("You were logged out after a period of inactivity.")
        elif ended in ("account deactivated", "password reset"):
            st.warning(f"Your session ended: {ended}. Log in again.")
    else:
        st.session_state.pop("actor", None)
    if _sso_configured() and getattr(st.user, "is_logged_in", False):
        try:
            _begin_session(authenticate_sso(st.user.email))
        except AuthenticationFailed as exc:
            st.error(md_text(str(exc)))


def _log_out(actor: Actor) -> None:
    logout(actor, token=st.session_state.get("session-token") or cookie_token())
    _forget_session()
    if _sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
    elif routes_mounted():
        send_browser_to(logout_url())  # clears the cookie; the session is already revoked on the server
        st.stop()
    st.rerun()


try:
    _prepare(get_settings().resolved_database_url)
except ConfigurationError as exc:  # e.g. demo accounts enabled outside demo mode: refuse to start, and say why
    st.error(f"The workbench cannot start: {md_text(str(exc))}")
    st.stop()
_check_session()
actor = st.session_state.get("actor")

if _demo_loaded(get_settings().resolved_database_url):
    st.warning("**Demo data is loaded.** The trials, cases and accounts marked DEMO are fictional.", icon=":material/info:")

if actor is None:
    # Every page's address shows the login form, so a link such as /review?draft=1 opened while logged out
    # leads there after login instead of to "Page not found".
    nav = st.navigation(
        [st.Page(_login_page, title="Log in", icon=":material/login:", default=True)]
        + [st.Page(_login_page, title="Log in", url_path=url_path(path)) for path, *_ in PAGES],
        position="hidden",
    )
    query = urlencode(st.query_params.to_dict())
    st.session_state["login-next"] = f"/{nav.url_path}" + (f"?{query}" if query else "")
else:
    # Pages not written yet are left out of the menu rather than breaking it.
    pages = [
        st.Page(path, title=title, icon=icon, url_path=url_path(path))
        for path, title, icon, action in PAGES
        if actor.can(action) and (Path(__file__).parent / path).exists()
    ]
    if not pages:
        pages = [st.Page(lambda: st.info("Your roles give access to no page yet."), title="Welcome")]
    nav = st.navigation(pages)
    with st.sidebar:
        st.caption(f"Logged in as **{md_text(actor.display_name or actor.username)}** ({', '.join(sorted(actor.roles))})")
        if st.button("Log out", key="logout"):
            _log_out(actor)
nav.run()
